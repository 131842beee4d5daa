#include "support/loopback_port.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <utility>

#include "support/child_process.h"

namespace zk::testbed {
namespace {

// The low end of the kernel's ephemeral port range (32768 by default).
int ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  int high = 0;
  if (in >> low >> high && low > 1024) {
    return low;
  }
  return 32768;
}

bool can_bind(int type, std::uint16_t port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  if (type == SOCK_STREAM) {
    // Lets a port whose last connection is in TIME_WAIT pass (named binds it the same way)
    // while a listening socket still makes bind fail.
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::filesystem::path LoopbackPort::lock_directory() {
  return "/tmp/zk-loopback-ports";
}

LoopbackPort LoopbackPort::reserve() {
  const std::string dir = lock_directory().string();
  if (::mkdir(dir.c_str(), 01777) == 0) {
    ::chmod(dir.c_str(), 01777);  // not narrowed by the umask: every user's tests share it
  } else if (errno != EEXIST) {
    throw FixtureError(fmt::format("mkdir {}: {}", dir, std::strerror(errno)));
  }

  const int high = ephemeral_low() - 1;
  const int low = high - 12000 > 1024 ? high - 12000 : 1025;
  std::random_device seed;
  std::mt19937 rng(seed());
  std::uniform_int_distribution<int> pick(low, high);
  const int start = pick(rng);
  const int span = high - low + 1;
  for (int i = 0; i < span && i < 2000; ++i) {
    const auto port = static_cast<std::uint16_t>(low + (start - low + i) % span);
    const std::string path = fmt::format("{}/{}.lock", dir, port);
    int fd;
    do {
      fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      continue;
    }
    int locked;
    do {
      locked = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (locked != 0 && errno == EINTR);
    if (locked != 0) {
      ::close(fd);
      continue;
    }
    if (can_bind(SOCK_STREAM, port) && can_bind(SOCK_DGRAM, port)) {
      return LoopbackPort(port, fd);
    }
    ::close(fd);
  }
  throw FixtureError(fmt::format("no free loopback port in [{}, {}]", low, high));
}

LoopbackPort::LoopbackPort(LoopbackPort&& other) noexcept
    : number_(std::exchange(other.number_, 0)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

LoopbackPort& LoopbackPort::operator=(LoopbackPort&& other) noexcept {
  if (this != &other) {
    release();
    number_ = std::exchange(other.number_, 0);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

LoopbackPort::~LoopbackPort() {
  release();
}

void LoopbackPort::release() {
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // drops the flock; the empty lock file stays for the next taker
    lock_fd_ = -1;
  }
}

}  // namespace zk::testbed
