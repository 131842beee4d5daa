#include "sources/host_list.h"

#include <algorithm>
#include <cctype>

namespace zk::sources {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void add_host(std::vector<std::string>& hosts, std::string_view host) {
  if (host.empty()) return;
  for (const auto& h : hosts) {
    if (iequals(h, host)) return;
  }
  hosts.emplace_back(host);
}

}  // namespace zk::sources
