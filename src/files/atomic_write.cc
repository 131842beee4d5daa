#include "files/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "files/file_descriptor.h"

namespace zk::files {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

tl::expected<std::optional<std::string>, std::string> read_file(const std::string& path) {
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    return tl::unexpected(fmt::format("{}: cannot read: {}", path, errno_text()));
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return tl::unexpected(fmt::format("{}: cannot read: {}", path, errno_text()));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

tl::expected<void, std::string> write_file_atomically(const std::string& path,
                                                      const std::string& text,
                                                      std::optional<mode_t> mode) {
  mode_t final_mode = mode.value_or(0644);
  struct stat st {};
  bool keep_owner = false;
  if (!mode && stat(path.c_str(), &st) == 0) {
    final_mode = st.st_mode & 07777;
    keep_owner = st.st_uid != geteuid() || st.st_gid != getegid();
  }
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp = dir + "/." + base + ".zonekeeper-XXXXXX";
  FileDescriptor out(mkostemp(tmp.data(), O_CLOEXEC));
  if (!out) {
    return tl::unexpected(fmt::format("{}: cannot create a temporary file: {}", dir, errno_text()));
  }
  auto fail = [&](std::string_view what) -> tl::expected<void, std::string> {
    std::string e = errno_text();
    out.reset();
    unlink(tmp.c_str());
    return tl::unexpected(fmt::format("{}: {}: {}", tmp, what, e));
  };
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(out.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (fchmod(out.get(), final_mode) != 0) return fail("cannot set the mode");
  if (keep_owner && fchown(out.get(), st.st_uid, st.st_gid) != 0) {
    return fail("cannot keep the owner");
  }
  if (fsync(out.get()) != 0) return fail("cannot sync");
  if (out.close() != 0) {
    std::string e = errno_text();
    unlink(tmp.c_str());
    return tl::unexpected(fmt::format("{}: cannot close: {}", tmp, e));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    std::string e = errno_text();
    unlink(tmp.c_str());
    return tl::unexpected(fmt::format("{}: cannot replace it: {}", path, e));
  }
  return {};
}

}  // namespace zk::files
