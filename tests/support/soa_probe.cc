#include "support/soa_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace zk::testbed {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kClassIn = 1;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// The query, or empty if `zone` is not a presentable name of plain labels.
std::vector<std::uint8_t> build_query(std::uint16_t id, std::string_view zone) {
  std::vector<std::uint8_t> q;
  put16(q, id);
  put16(q, 0);  // opcode QUERY, no RD: we ask the authority, not a resolver
  put16(q, 1);  // QDCOUNT
  put16(q, 0);
  put16(q, 0);
  put16(q, 0);
  std::size_t start = 0;
  while (start < zone.size()) {
    const std::size_t dot = std::min(zone.find('.', start), zone.size());
    const std::size_t length = dot - start;
    if (length == 0 || length > 63) {
      return {};
    }
    q.push_back(static_cast<std::uint8_t>(length));
    q.insert(q.end(), zone.begin() + static_cast<std::ptrdiff_t>(start),
             zone.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  q.push_back(0);
  put16(q, kTypeSoa);
  put16(q, kClassIn);
  return q;
}

// Offset just past the (possibly compressed) name at `at`, or nullopt if malformed.
std::optional<std::size_t> skip_name(const std::uint8_t* msg, std::size_t size, std::size_t at) {
  while (at < size) {
    const std::uint8_t len = msg[at];
    if (len == 0) {
      return at + 1;
    }
    if ((len & 0xc0) == 0xc0) {
      return at + 2 <= size ? std::optional(at + 2) : std::nullopt;
    }
    if ((len & 0xc0) != 0) {
      return std::nullopt;
    }
    at += 1 + len;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> parse_answer(const std::uint8_t* msg, std::size_t size) {
  if (size < 12) {
    return std::nullopt;
  }
  const std::uint16_t flags = get16(msg + 2);
  const bool is_response = (flags & 0x8000) != 0;
  const bool authoritative = (flags & 0x0400) != 0;
  const int rcode = flags & 0x000f;
  const std::uint16_t qdcount = get16(msg + 4);
  const std::uint16_t ancount = get16(msg + 6);
  if (!is_response || !authoritative || rcode != 0 || ancount == 0) {
    return std::nullopt;
  }
  std::size_t at = 12;
  for (std::uint16_t i = 0; i < qdcount; ++i) {
    auto next = skip_name(msg, size, at);
    if (!next || *next + 4 > size) {
      return std::nullopt;
    }
    at = *next + 4;
  }
  for (std::uint16_t i = 0; i < ancount; ++i) {
    auto next = skip_name(msg, size, at);
    if (!next || *next + 10 > size) {
      return std::nullopt;
    }
    const std::uint16_t type = get16(msg + *next);
    const std::uint16_t rdlength = get16(msg + *next + 8);
    const std::size_t rdata = *next + 10;
    if (rdata + rdlength > size) {
      return std::nullopt;
    }
    if (type == kTypeSoa) {
      auto after_mname = skip_name(msg, rdata + rdlength, rdata);
      if (!after_mname) {
        return std::nullopt;
      }
      auto after_rname = skip_name(msg, rdata + rdlength, *after_mname);
      if (!after_rname || *after_rname + 20 != rdata + rdlength) {
        return std::nullopt;
      }
      const std::uint8_t* s = msg + *after_rname;
      return (std::uint32_t{s[0]} << 24) | (std::uint32_t{s[1]} << 16) |
             (std::uint32_t{s[2]} << 8) | std::uint32_t{s[3]};
    }
    at = rdata + rdlength;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> probe_soa_serial(std::uint16_t port, std::string_view zone,
                                              std::chrono::milliseconds timeout) {
  thread_local std::mt19937 rng(std::random_device{}());
  const auto id = static_cast<std::uint16_t>(rng());
  const std::vector<std::uint8_t> query = build_query(id, zone);
  if (query.empty()) {
    return std::nullopt;
  }

  Socket sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) {
    return std::nullopt;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Connected: an ICMP port-unreachable (named not listening yet) ends the wait at once.
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return std::nullopt;
  }
  ssize_t sent;
  do {
    sent = ::send(sock.get(), query.data(), query.size(), 0);
  } while (sent < 0 && errno == EINTR);
  if (sent != static_cast<ssize_t>(query.size())) {
    return std::nullopt;
  }

  const auto deadline = Clock::now() + timeout;
  std::uint8_t answer[4096];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) {
      return std::nullopt;
    }
    pollfd p{sock.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return std::nullopt;
    }
    const ssize_t n = ::recv(sock.get(), answer, sizeof answer, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return std::nullopt;  // ECONNREFUSED: nothing listens on the port (yet)
    }
    if (n >= 2 && get16(answer) == id) {
      return parse_answer(answer, static_cast<std::size_t>(n));
    }
  }
}

}  // namespace zk::testbed
