// The DNS engine's errors → the condition reasons of docs/api.md (a Failure). Pure.
//
//   auto r = co_await client.apply(changes);
//   if (!r) co_return tl::unexpected(failure_of(r.error(), Operation::Update));
#pragma once

#include <string>

#include "dns/error.h"
#include "providers/provider.h"

namespace zk::providers {

enum class Operation { Update, Transfer };

// A record's / zone's reason for a failed UPDATE, SOA query or NOTIFY at a server.
std::string record_reason(const dns::Error& e);
// … for a failed zone transfer (reading the served copy): NOTAUTH is ZoneNotFound, REFUSED is
// TransferRefused (allow-transfer denies our key or address).
std::string transfer_reason(const dns::Error& e);
// A DNSServer's Ready reason for a failed health check (SOA query).
std::string server_reason(const dns::Error& e);

// All of it at once, as the provider interface reports it.
Failure failure_of(const dns::Error& e, Operation op);

}  // namespace zk::providers
