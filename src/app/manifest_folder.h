// Manifest files of local mode: YAML (multi-document, as `kubectl apply -f` reads them) turned
// into the JSON objects the API server would hold, each with the file and line it came from.
//
//   auto parsed = parse_manifests(text, "dns/records.yaml");
//   for (const auto& o : parsed.objects) feed(o.object);       // o.file, o.line: where it is
//   for (const auto& e : parsed.errors) report(e.to_string()); // "dns/records.yaml:12: ..."
//
// A file is split into documents at `---` lines first, so a syntax error in one document
// costs only that document: the others still load. Scalars are typed as kubectl's YAML
// decoder (YAML 1.1) types them: plain `true`/`yes`/`on` are booleans, plain numbers are
// numbers, `~`/`null`/empty are null; quoted scalars (and `!!str`) are always strings.
// A `kind: List` document contributes its `items`. Pure: no I/O except read_manifest_dir().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace zk::app {

struct ManifestObject {
  std::string file;
  int line = 0;  // 1-based: the first line of the document's content
  boost::json::value object;
};

struct ManifestError {
  std::string file;
  int line = 0;  // 1-based; 0 = the file as a whole
  std::string message;
  std::string to_string() const;  // "file:line: message" (or "file: message")
};

struct ParsedManifests {
  std::vector<ManifestObject> objects;
  std::vector<ManifestError> errors;
};

// Every document of `text`; `file` only names it in results.
ParsedManifests parse_manifests(std::string_view text, std::string_view file);

// True for "x.yaml" and "x.yml" (not hidden files such as ".x.yaml", editors' temporaries).
bool is_manifest_file_name(std::string_view name);

// The manifest files directly in `dir` (not its subfolders), sorted by name, as dir/name.
std::vector<std::string> list_manifest_files(const std::string& dir, std::string* error);

}  // namespace zk::app
