// The hostnames a Traefik v2/v3 router rule (IngressRoute spec.routes[].match) matches (pure).
//
//   auto hosts = traefik_rule_hosts("Host(`a.example.com`, `b.example.com`) &&
//   PathPrefix(`/api`)");
//   // → {"a.example.com", "b.example.com"}
//   auto bad = traefik_rule_hosts("Host(`a.example.com`");
//   // → TraefikRuleError{offset 20, expected "',' or ')'"}: "at 20: expected ',' or ')', found end
//   of rule"
//
// Grammar (Traefik's rule syntax, v2 and v3):
//   rule    := or
//   or      := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | '(' or ')' | matcher
//   matcher := IDENT '(' [string (',' string)*] ')'
//   string  := `raw` | "Go-quoted with escapes"
// Whitespace (space, tab, CR, LF) may appear between tokens.
//
// Hostnames: the arguments of every Host, HostHeader and HostSNI matcher (names compared
// case-insensitively, as Traefik v2 registers them in several cases), in order of appearance,
// without duplicates (case-insensitive). A matcher under a negation ('!', at any depth)
// contributes nothing, nor do HostRegexp / HostSNIRegexp, HostSNI(`*`) or empty strings. Every
// other matcher (Path, PathPrefix, Method, Headers, ClientIP, Query, unknown names…) is
// parsed and ignored. Hosts joined with && are all reported (the rule is taken as written).
//
// Robustness: never throws, linear time, nesting ('(' and '!') bounded by kMaxDepth and the rule
// by kMaxRuleSize; both limits are reported as errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace zk::sources {

struct TraefikRuleError {
  size_t offset = 0;     // byte offset in the rule where parsing stopped
  std::string expected;  // what the parser expected there, e.g. "')'"
  std::string found;     // what it found, e.g. "'&'" or "end of rule"
  // "at 20: expected ',' or ')', found end of rule"
  std::string message() const;
  friend bool operator==(const TraefikRuleError&, const TraefikRuleError&) = default;
};

inline constexpr size_t kTraefikRuleMaxDepth = 64;
inline constexpr size_t kTraefikRuleMaxSize = 64 * 1024;

tl::expected<std::vector<std::string>, TraefikRuleError> traefik_rule_hosts(std::string_view rule);

}  // namespace zk::sources
