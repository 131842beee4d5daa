// Fuzzes the kubeconfig parser (clusters, users, contexts, inline and file credentials).
// Relative paths resolve under a folder that does not exist.
#include <cstdint>
#include <string_view>

#include "kube/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = zk::kube::parse_kubeconfig(text, "/nonexistent/zonekeeper-fuzz");
  (void)cfg;
  return 0;
}
