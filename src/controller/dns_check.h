// DnsCheck: the answer of /api/v1/test-dns for one name and type — what zonekeeper should serve
// and from which objects, what every server of the zone answers now, and whether they agree.
// Controller::check_dns gathers it; judge() (pure) compares one server's answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace zk::controller {

struct DnsCheckSource {
  std::string kind, ns, name;  // the object that declares the data (ARecord, Ingress, ...)
};

struct DnsCheckServer {
  std::string server;               // DNSServer "ns/name"
  std::string role;                 // Primary | Secondary
  std::string endpoint;             // where it was asked ("127.0.0.1:53", a hosts file's path)
  std::string rcode;                // NOERROR | NXDOMAIN; "" when it could not be asked
  std::vector<std::string> values;  // its data, presentation form, sorted
  std::optional<uint32_t> ttl;
  std::string error;  // why it could not be asked (reason: message)
  bool agrees = false;
};

struct DnsCheck {
  std::string name, type;   // absolute name, type mnemonic
  std::string zone;         // the zone's DNS name
  std::string zone_source;  // "DNSZone ns/name" or "--zone" (a shared zone of the sources)
  std::vector<std::string> expected;  // presentation form, sorted; empty: nothing to serve
  std::optional<uint32_t> ttl;
  std::vector<DnsCheckSource> sources;
  std::vector<DnsCheckServer> servers;
  bool agree = false;  // every server answers exactly `expected` (data; TTLs are reported)
};

// Presentation forms of `rdatas`, sorted (the comparison ignores order, as DNS does).
std::vector<std::string> sorted_values(const std::vector<model::Rdata>& rdatas);

// Fills s.rcode, values, ttl and agrees from what the server answered.
void judge(DnsCheckServer& s, const std::vector<std::string>& expected,
           const providers::LookupAnswer& answer);

}  // namespace zk::controller
