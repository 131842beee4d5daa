// A DNS query's answer (dns::Client::query) as a provider's LookupAnswer; shared by the
// providers that reach their server over DNS (RFC 2136, Technitium).
#pragma once

#include "dns/client.h"
#include "providers/provider.h"

namespace zk::providers {

inline LookupAnswer to_lookup(const dns::QueryAnswer& a) {
  LookupAnswer out;
  out.rcode = a.rcode;
  for (const auto& r : a.records) {
    out.ttl = r.ttl;
    out.rdatas.push_back(r.rdata);
  }
  return out;
}

}  // namespace zk::providers
