// Fuzzes the import YAML parser (zone documents) and, on success, the writer round trip.
#include <cstdint>
#include <string_view>

#include "app/zone_document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto zone = zk::model::Name::parse("example.test.").value();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = zk::app::parse_zone_document(text, "fuzz.yaml", zone);
  if (doc) {
    auto out = zk::app::write_zone_document(zone, 1, doc->rrsets);
    auto again = zk::app::parse_zone_document(out, "again.yaml", zone);
    // What we write we must read back identically (invalid UTF-8 in TXT aside, which YAML
    // cannot carry; the writer double-quotes it and the reader gives the same octets back).
    if (again && again->rrsets != doc->rrsets) __builtin_trap();
  }
  return 0;
}
