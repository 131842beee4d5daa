#include "app/hosts_file.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "app/atomic_write.h"

namespace zk::app {

namespace {

constexpr std::string_view kBeginLine =
    "# BEGIN zonekeeper (managed by `zonekeeper local --hosts-file`; edits here are replaced)";

bool is_marker(std::string_view line, std::string_view marker) {
  if (line.substr(0, marker.size()) != marker) return false;
  return line.size() == marker.size() || line[marker.size()] == ' ' ||
         line[marker.size()] == '\t' || line[marker.size()] == '\r';
}

}  // namespace

std::string render_hosts_block(std::vector<HostsEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const HostsEntry& a, const HostsEntry& b) {
    return std::tie(a.name, a.address) < std::tie(b.name, b.address);
  });
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  std::string out(kBeginLine);
  out += '\n';
  for (const auto& e : entries) out += fmt::format("{} {}\n", e.address, e.name);
  out += kHostsEndMarker;
  out += '\n';
  return out;
}

tl::expected<std::string, std::string> splice_hosts_block(std::string_view current,
                                                          std::string_view block) {
  std::optional<size_t> begin, end;  // begin: offset of the BEGIN line; end: after the END line
  size_t pos = 0;
  while (pos < current.size()) {
    size_t nl = current.find('\n', pos);
    size_t next = nl == std::string_view::npos ? current.size() : nl + 1;
    std::string_view line = current.substr(pos, next - pos);
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (is_marker(line, kHostsBeginMarker)) {
      if (begin) return tl::unexpected(std::string("two \"# BEGIN zonekeeper\" lines"));
      begin = pos;
    } else if (is_marker(line, kHostsEndMarker)) {
      if (!begin || end) {
        return tl::unexpected(
            std::string("\"# END zonekeeper\" without its \"# BEGIN zonekeeper\""));
      }
      end = next;
    }
    pos = next;
  }
  if (begin && !end) {
    return tl::unexpected(std::string("\"# BEGIN zonekeeper\" without \"# END zonekeeper\""));
  }
  std::string out;
  if (begin) {
    out.append(current.substr(0, *begin));
    out.append(block);
    std::string_view rest = current.substr(*end);
    // An END line without a newline at the end of the file: the block brings its own.
    out.append(rest);
    return out;
  }
  out.append(current);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out.append(block);
  return out;
}

tl::expected<bool, std::string> write_hosts_file(const std::string& path_given,
                                                 const std::vector<HostsEntry>& entries) {
  std::string path = path_given;
  char resolved[PATH_MAX];
  if (realpath(path_given.c_str(), resolved)) path = resolved;

  auto read = read_file(path);
  if (!read) return tl::unexpected(read.error());
  std::string current = read->value_or("");
  auto next = splice_hosts_block(current, render_hosts_block(entries));
  if (!next) return tl::unexpected(fmt::format("{}: {}; fix the file by hand", path, next.error()));
  if (*next == current) return false;
  // The file keeps its mode and owner (a new one is 0644).
  if (auto w = write_file_atomically(path, *next); !w) return tl::unexpected(w.error());
  return true;
}

}  // namespace zk::app
