// A TCP+UDP port on 127.0.0.1 reserved for one test server.
//
//   zk::testbed::LoopbackPort port = zk::testbed::LoopbackPort::reserve();
//   write_config(port.number());   // the reservation lasts as long as `port` lives
//
// Why not just bind port 0: named 9.18 listens with SO_REUSEPORT, so two named processes
// given the same port both start and the kernel splits the queries between them — a silent
// collision between parallel test runs. A port is therefore only handed out while this
// process holds an flock on /tmp/zk-loopback-ports/PORT.lock (tools/named/start-named.sh uses
// the same locks), it is taken below the kernel's ephemeral range (so no outgoing connection
// can hold it), and it must be bindable for both TCP and UDP when reserved.
#pragma once

#include <cstdint>
#include <filesystem>

namespace zk::testbed {

class LoopbackPort {
 public:
  // Throws FixtureError if no port could be reserved.
  [[nodiscard]] static LoopbackPort reserve();
  // The folder that holds the lock files shared by every test process on this machine.
  [[nodiscard]] static std::filesystem::path lock_directory();

  LoopbackPort(LoopbackPort&& other) noexcept;
  LoopbackPort& operator=(LoopbackPort&& other) noexcept;
  LoopbackPort(const LoopbackPort&) = delete;
  LoopbackPort& operator=(const LoopbackPort&) = delete;
  ~LoopbackPort();

  [[nodiscard]] std::uint16_t number() const { return number_; }

 private:
  LoopbackPort(std::uint16_t number, int lock_fd) : number_(number), lock_fd_(lock_fd) {}
  void release();

  std::uint16_t number_ = 0;
  int lock_fd_ = -1;
};

}  // namespace zk::testbed
