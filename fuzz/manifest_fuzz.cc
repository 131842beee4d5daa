// Fuzzes local mode's manifest reader (multi-document YAML → JSON objects with file:line) and
// what local mode makes of the objects (classification, generations).
#include <cstdint>
#include <string_view>

#include "app/local_catalog.h"
#include "app/manifest_folder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, zk::app::ParsedManifests> files{
      {"fuzz.yaml", zk::app::parse_manifests(text, "fuzz.yaml")}};
  zk::app::LocalCatalog first = zk::app::catalog_of(files);
  zk::app::bump_generations(first, {});
  zk::app::LocalCatalog again = zk::app::catalog_of(files);
  zk::app::bump_generations(again, first);
  // The same folder read twice declares the same objects at the same generations.
  if (again.objects.size() != first.objects.size()) __builtin_trap();
  for (const auto& [key, d] : again.objects) {
    auto it = first.objects.find(key);
    if (it == first.objects.end() || !(it->second.object == d.object)) __builtin_trap();
  }
  return 0;
}
