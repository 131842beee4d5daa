// A POSIX file descriptor that closes itself: no path through a function leaks one.
//
//   FileDescriptor fd(open(path, O_RDONLY | O_CLOEXEC));
//   if (!fd) return error(errno);
//   read(fd.get(), buf, n);             // closed when fd goes out of scope
#pragma once

#include <unistd.h>

#include <utility>

namespace zk::files {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  // Closes now and reports close()'s result (0, or -1 with errno): for writes, where a failed
  // close can mean lost data.
  int close() { return fd_ < 0 ? 0 : ::close(std::exchange(fd_, -1)); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace zk::files
