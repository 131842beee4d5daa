// What local mode's manifest folder declares, as the controller will be told it: each object
// classified (zone, record, ignored, or a problem with file:line), made local (namespace
// "default", uid, the local DNSServer), and its generation bumped when what it declares
// changes. Pure.
//
//   LocalCatalog next = catalog_of(files);          // file → parsed manifests
//   bump_generations(next, previous);               // 1 for new objects, +1 on change
//   for (auto& [key, d] : next.objects) controller.put_record(d.object);
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/kind.h"
#include "app/manifest_folder.h"

namespace zk::app {

// The DNSServer local mode declares in each namespace with a DNSZone, and its key's Secret.
inline constexpr std::string_view kLocalServer = "zonekeeper-local";
inline constexpr std::string_view kLocalSecret = "zonekeeper-local-tsig";

// One object of the folder that local mode feeds to the controller.
struct Declared {
  enum class Category { Zone, Record } category = Category::Record;
  api::Kind kind = api::Kind::A;  // Record
  std::string kind_name, ns, name, file;
  int line = 0;
  boost::json::value object;  // as the controller gets it
  std::string key() const { return kind_name + "/" + ns + "/" + name; }
  std::string location() const;  // "file:line"
};

struct LocalCatalog {
  std::map<std::string, Declared> objects;  // by key
  std::vector<std::string> problems;        // "file:line: what", for the user
  std::vector<std::string> ignored;         // objects local mode does not use ("Kind ns/name")
};

// Every object of the parsed files (keyed by file name), classified.
LocalCatalog catalog_of(const std::map<std::string, ParsedManifests>& files);
// One manifest object into `c`.
void classify(const ManifestObject& m, LocalCatalog& c);
// metadata.generation: 1 for an object new to `next`, the old one +1 when what it declares
// changed since `previous`, else the old one.
void bump_generations(LocalCatalog& next, const LocalCatalog& previous);

// A record spec's data as short text ("192.0.2.1 192.0.2.2", "10 mail.example.test."): every
// field but name and ttl.
std::string value_text(const boost::json::value& spec);
// "A" for ARecord.
std::string record_type_text(api::Kind kind);

}  // namespace zk::app
