// A hosts file's managed block: A/AAAA records of served names, in a block of the file that
// zonekeeper owns, between two marker lines. Nothing outside the block is ever changed. Local
// mode writes it directly; cluster mode through HostsFileProvider (hosts_file_provider.h).
//
//   std::vector<HostsEntry> e = {{"192.0.2.10", "www.example.test"}};
//   auto written = write_hosts_file("/etc/hosts", e);   // true: changed, false: already so
//   if (!written) log(written.error());                  // "…/hosts: …" — file left as it was
//
// The block (render_hosts_block) is sorted by name, then address, one "ADDRESS NAME" line per
// pair, duplicates dropped:
//   # BEGIN zonekeeper (managed by `zonekeeper local --hosts-file`; edits here are replaced)
//   192.0.2.10 www.example.test
//   # END zonekeeper
// splice_hosts_block replaces an existing block in place, or appends one at the end. The file
// is written only when its content changes, atomically: a temporary file beside it with the
// same mode (and owner, when we may), fsync, rename over it (a symlink is followed to its
// target). A missing file is created (mode 0644).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace zk::providers {

inline constexpr std::string_view kHostsBeginMarker = "# BEGIN zonekeeper";
inline constexpr std::string_view kHostsEndMarker = "# END zonekeeper";

struct HostsEntry {
  std::string address;  // "192.0.2.10", "2001:db8::10"
  std::string name;     // "www.example.test" (no trailing dot)
  friend auto operator<=>(const HostsEntry&, const HostsEntry&) = default;
};

inline constexpr std::string_view kLocalWriter = "zonekeeper local --hosts-file";

// The whole block, marker lines included, each line ending in '\n'. `writer` names the
// command in the BEGIN line ("managed by `…`").
std::string render_hosts_block(std::vector<HostsEntry> entries,
                               std::string_view writer = kLocalWriter);

// The entries of the block in `file` (every name of every "ADDRESS NAME…" line; comments and
// blank lines skipped), sorted and unique; none when there is no block. An error when the
// markers are broken.
tl::expected<std::vector<HostsEntry>, std::string> parse_hosts_block(std::string_view file);

// `current` with its block replaced by `block` (or `block` appended, after a newline if the
// file does not end with one). An error when the markers are broken (BEGIN without END, two
// BEGINs): then nothing may be written.
tl::expected<std::string, std::string> splice_hosts_block(std::string_view current,
                                                          std::string_view block);

// Reads `path`, splices, writes atomically when different. True when the file was written.
tl::expected<bool, std::string> write_hosts_file(const std::string& path,
                                                 const std::vector<HostsEntry>& entries,
                                                 std::string_view writer = kLocalWriter);

// The entries of the block of the file at `path` (a missing file has none).
tl::expected<std::vector<HostsEntry>, std::string> read_hosts_file(const std::string& path);

}  // namespace zk::providers
