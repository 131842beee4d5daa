#include "app/hosts_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace zk::app {

namespace {

constexpr std::string_view kBeginLine =
    "# BEGIN zonekeeper (managed by `zonekeeper local --hosts-file`; edits here are replaced)";

bool is_marker(std::string_view line, std::string_view marker) {
  if (line.substr(0, marker.size()) != marker) return false;
  return line.size() == marker.size() || line[marker.size()] == ' ' ||
         line[marker.size()] == '\t' || line[marker.size()] == '\r';
}

std::string errno_text() {
  return std::strerror(errno);
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

  std::string current;
  mode_t mode = 0644;
  std::optional<std::pair<uid_t, gid_t>> owner;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st {};
    if (fstat(fd, &st) == 0) {
      mode = st.st_mode & 07777;
      owner.emplace(st.st_uid, st.st_gid);
    }
    char buf[8192];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        std::string e = errno_text();
        close(fd);
        return tl::unexpected(fmt::format("{}: cannot read: {}", path, e));
      }
      if (n == 0) break;
      current.append(buf, static_cast<size_t>(n));
    }
    close(fd);
  } else if (errno != ENOENT) {
    return tl::unexpected(fmt::format("{}: cannot read: {}", path, errno_text()));
  }

  auto next = splice_hosts_block(current, render_hosts_block(entries));
  if (!next) return tl::unexpected(fmt::format("{}: {}; fix the file by hand", path, next.error()));
  if (*next == current) return false;

  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp = dir + "/." + base + ".zonekeeper-XXXXXX";
  int out = mkstemp(tmp.data());
  if (out < 0)
    return tl::unexpected(fmt::format("{}: cannot create a temporary file: {}", dir, errno_text()));
  auto fail = [&](std::string_view what) -> tl::expected<bool, std::string> {
    std::string e = errno_text();
    close(out);
    unlink(tmp.c_str());
    return tl::unexpected(fmt::format("{}: {}: {}", tmp, what, e));
  };
  size_t done = 0;
  while (done < next->size()) {
    ssize_t n = write(out, next->data() + done, next->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (fchmod(out, mode) != 0) return fail("cannot set the mode");
  if (owner && (owner->first != geteuid() || owner->second != getegid())) {
    if (fchown(out, owner->first, owner->second) != 0) return fail("cannot keep the owner");
  }
  if (fsync(out) != 0) return fail("cannot sync");
  if (close(out) != 0) {
    unlink(tmp.c_str());
    return tl::unexpected(fmt::format("{}: cannot close: {}", tmp, errno_text()));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    std::string e = errno_text();
    unlink(tmp.c_str());
    return tl::unexpected(fmt::format("{}: cannot replace it: {}", path, e));
  }
  return true;
}

}  // namespace zk::app
