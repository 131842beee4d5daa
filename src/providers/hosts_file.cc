#include "providers/hosts_file.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "files/atomic_write.h"

namespace zk::providers {

namespace {

bool is_marker(std::string_view line, std::string_view marker) {
  if (line.substr(0, marker.size()) != marker) return false;
  return line.size() == marker.size() || line[marker.size()] == ' ' ||
         line[marker.size()] == '\t' || line[marker.size()] == '\r';
}

// The lines of `text` without their line ends, each with the offset after it.
template <class F>
void for_each_line(std::string_view text, F f) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, next - pos);
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    f(line, pos, next);
    pos = next;
  }
}

std::string real_path(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

}  // namespace

std::string render_hosts_block(std::vector<HostsEntry> entries, std::string_view writer) {
  std::sort(entries.begin(), entries.end(), [](const HostsEntry& a, const HostsEntry& b) {
    return std::tie(a.name, a.address) < std::tie(b.name, b.address);
  });
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  std::string out =
      fmt::format("{} (managed by `{}`; edits here are replaced)\n", kHostsBeginMarker, writer);
  for (const auto& e : entries) out += fmt::format("{} {}\n", e.address, e.name);
  out += kHostsEndMarker;
  out += '\n';
  return out;
}

tl::expected<std::string, std::string> splice_hosts_block(std::string_view current,
                                                          std::string_view block) {
  std::optional<size_t> begin, end;  // begin: offset of the BEGIN line; end: after the END line
  std::string problem;
  for_each_line(current, [&](std::string_view line, size_t pos, size_t next) {
    if (!problem.empty()) return;
    if (is_marker(line, kHostsBeginMarker)) {
      if (begin) problem = "two \"# BEGIN zonekeeper\" lines";
      begin = pos;
    } else if (is_marker(line, kHostsEndMarker)) {
      if (!begin || end) problem = "\"# END zonekeeper\" without its \"# BEGIN zonekeeper\"";
      end = next;
    }
  });
  if (!problem.empty()) return tl::unexpected(problem);
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

tl::expected<std::vector<HostsEntry>, std::string> parse_hosts_block(std::string_view file) {
  // The markers are checked the way a write would check them.
  if (auto ok = splice_hosts_block(file, ""); !ok) return tl::unexpected(ok.error());
  std::vector<HostsEntry> out;
  bool inside = false;
  for_each_line(file, [&](std::string_view line, size_t, size_t) {
    if (is_marker(line, kHostsBeginMarker)) {
      inside = true;
      return;
    }
    if (is_marker(line, kHostsEndMarker)) {
      inside = false;
      return;
    }
    if (!inside) return;
    line = line.substr(0, line.find('#'));
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
      size_t start = line.find_first_not_of(" \t\r", i);
      if (start == std::string_view::npos) break;
      size_t stop = line.find_first_of(" \t\r", start);
      if (stop == std::string_view::npos) stop = line.size();
      words.emplace_back(line.substr(start, stop - start));
      i = stop;
    }
    for (size_t w = 1; w < words.size(); ++w) out.push_back({words[0], words[w]});
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

tl::expected<std::vector<HostsEntry>, std::string> read_hosts_file(const std::string& path_given) {
  std::string path = real_path(path_given);
  auto read = files::read_file(path);
  if (!read) return tl::unexpected(read.error());
  auto entries = parse_hosts_block(read->value_or(""));
  if (!entries)
    return tl::unexpected(fmt::format("{}: {}; fix the file by hand", path, entries.error()));
  return entries;
}

tl::expected<bool, std::string> write_hosts_file(const std::string& path_given,
                                                 const std::vector<HostsEntry>& entries,
                                                 std::string_view writer) {
  std::string path = real_path(path_given);
  auto read = files::read_file(path);
  if (!read) return tl::unexpected(read.error());
  std::string current = read->value_or("");
  auto next = splice_hosts_block(current, render_hosts_block(entries, writer));
  if (!next) return tl::unexpected(fmt::format("{}: {}; fix the file by hand", path, next.error()));
  if (*next == current) return false;
  // The file keeps its mode and owner (a new one is 0644).
  if (auto w = files::write_file_atomically(path, *next); !w) return tl::unexpected(w.error());
  return true;
}

}  // namespace zk::providers
