#include "sources/host_list.h"

#include "model/ascii.h"

namespace zk::sources {

void add_host(std::vector<std::string>& hosts, std::string_view host) {
  if (host.empty()) return;
  for (const auto& h : hosts) {
    if (model::ascii_iequals(h, host)) return;
  }
  hosts.emplace_back(host);
}

}  // namespace zk::sources
