// Host names as the sources collect them from an object: compared without regard to case, each
// kept once, in the order first seen. Pure.
//
//   std::vector<std::string> hosts;
//   add_host(hosts, "WWW.example.test");
//   add_host(hosts, "www.example.test");   // already there
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zk::sources {

// Appends `host` unless it is empty or already listed (ignoring case).
void add_host(std::vector<std::string>& hosts, std::string_view host);

}  // namespace zk::sources
