// The DNS engine's errors → the condition reasons of docs/api.md. Pure.
//
//   st.ready = {"Ready", "False", server_reason(health.error), health.error.to_string()};
//
// This is the controller's last knowledge of dns:: types (scripts/layers.py lists it): with the
// provider interface of issue 15 the mapping moves behind the provider.
#pragma once

#include <string>

#include "dns/error.h"

namespace zk::controller {

// A record's / zone's reason for a failed UPDATE or SOA query at a Primary.
std::string record_reason(const dns::Error& e);
// A record's / zone's reason for a failed zone transfer (reading the served copy): NOTAUTH is
// ZoneNotFound, REFUSED is TransferRefused (allow-transfer denies our key or address).
std::string transfer_reason(const dns::Error& e);
// A DNSServer's Ready reason for a failed health check (SOA query).
std::string server_reason(const dns::Error& e);

}  // namespace zk::controller
