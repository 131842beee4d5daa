// Fuzzes the Traefik router rule parser (sources/traefik_rule.h): it must never crash, loop or
// recurse without bound; hosts it returns are non-empty and unique; an error points inside the
// rule (or at its end).
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "sources/traefik_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rule(reinterpret_cast<const char*>(data), size);
  auto r = zk::sources::traefik_rule_hosts(rule);
  if (r) {
    std::set<std::string> seen;
    for (const auto& h : *r) {
      if (h.empty()) __builtin_trap();
      std::string lower = h;
      for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      if (!seen.insert(lower).second) __builtin_trap();
    }
  } else {
    if (r.error().offset > size || r.error().expected.empty() || r.error().message().empty())
      __builtin_trap();
  }
  return 0;
}
