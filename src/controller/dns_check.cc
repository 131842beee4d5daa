#include "controller/dns_check.h"

#include <algorithm>

namespace zk::controller {

std::vector<std::string> sorted_values(const std::vector<model::Rdata>& rdatas) {
  std::vector<std::string> out;
  out.reserve(rdatas.size());
  for (const auto& rd : rdatas) out.push_back(rd.to_text());
  std::sort(out.begin(), out.end());
  return out;
}

void judge(DnsCheckServer& s, const std::vector<std::string>& expected,
           const providers::LookupAnswer& answer) {
  s.rcode = answer.rcode;
  s.values = sorted_values(answer.rdatas);
  if (!answer.rdatas.empty()) s.ttl = answer.ttl;
  s.agrees = s.values == expected;
}

}  // namespace zk::controller
