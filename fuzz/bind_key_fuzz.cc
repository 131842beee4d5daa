// Fuzzes the BIND key file reader (`key "name" { algorithm …; secret "…"; };`, as tsig-keygen
// writes it), which reads files users point the CLI at.
#include <cstdint>
#include <string_view>

#include "dns/tsig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto key = zk::dns::TsigKey::parse_bind_key(text);
  (void)key;
  return 0;
}
