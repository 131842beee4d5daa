// The control channel client against real BIND 9 named (what rndc does, without rndc): status,
// addzone of a primary zone that then answers SOA, addzone of an existing zone and of a missing
// file (named's words kept), zonestatus, delzone, every HMAC algorithm, a wrong key (named
// closes the connection), a closed port, a silent listener (timeout) and cancellation.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "dns/client.h"
#include "dns/control_client.h"
#include "support/named_fixture.h"

namespace zk::dns {
namespace {

namespace asio = boost::asio;
using model::Name;
using testbed::NamedServer;

constexpr auto kTimeout = std::chrono::seconds(20);

ControlKey key_of(const NamedServer& named) {
  auto k = ControlKey::load_bind_key_file(named.rndc_key().file.string());
  EXPECT_TRUE(k) << k.error().to_string();
  return *k;
}

ServerAddress control_address(const NamedServer& named) {
  return {"127.0.0.1", named.control_port()};
}

// One ControlClient call on a private io_context.
template <class F>
Result<ControlAnswer> control(const ServerAddress& server, const ControlKey& key, F&& call,
                              std::chrono::milliseconds timeout = kTimeout) {
  return run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<ControlAnswer>> {
    ControlClientOptions o;
    o.timeout = timeout;
    ControlClient c(ex, server, key, o);
    co_return co_await call(c);
  });
}
template <class F>
Result<ControlAnswer> control(const NamedServer& named, F&& call) {
  return control(control_address(named), key_of(named), std::forward<F>(call));
}

Result<uint32_t> soa_serial(const NamedServer& named, const Name& zone) {
  return run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<uint32_t>> {
    ClientOptions o;
    o.timeout = std::chrono::seconds(5);
    Client c(ex, {"127.0.0.1", named.port()}, o);
    co_return co_await c.soa_serial(zone);
  });
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ControlChannel : public testing::Test {
 protected:
  static void SetUpTestSuite() { named_ = new NamedServer({.label = "control"}); }
  static void TearDownTestSuite() {
    delete named_;
    named_ = nullptr;
  }
  static NamedServer* named_;
};
NamedServer* ControlChannel::named_ = nullptr;

TEST_F(ControlChannel, StatusReportsTheRunningServer) {
  auto r = control(*named_, [](ControlClient& c) { return c.status(); });
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->ok());
  EXPECT_NE(r->text.find("version: BIND 9"), std::string::npos) << r->text;
  EXPECT_NE(r->text.find("server is up and running"), std::string::npos) << r->text;
}

TEST_F(ControlChannel, AddzoneServesTheZoneThenZonestatusAndDelzone) {
  const Name zone = Name::parse("added.test.").value();
  testbed::ZoneFile{"added.test.", 7}.write(named_->directory() / "added.test.db");
  const std::string config = R"({ type primary; file "added.test.db"; };)";

  auto added = control(*named_, [&](ControlClient& c) { return c.addzone(zone, config); });
  ASSERT_TRUE(added) << added.error().to_string();
  EXPECT_TRUE(added->ok());
  // named loads an added zone on its own task: the answer to addzone may come first.
  ASSERT_TRUE(named_->wait_for_serial("added.test.", 7)) << named_->log_tail();
  auto serial = soa_serial(*named_, zone);
  ASSERT_TRUE(serial) << serial.error().to_string();
  EXPECT_EQ(*serial, 7u);

  auto status = control(*named_, [&](ControlClient& c) { return c.zonestatus(zone); });
  ASSERT_TRUE(status) << status.error().to_string();
  EXPECT_NE(status->text.find("name: added.test"), std::string::npos) << status->text;
  EXPECT_NE(status->text.find("type: primary"), std::string::npos) << status->text;
  EXPECT_NE(status->text.find("serial: 7"), std::string::npos) << status->text;

  // Once more: named refuses, and says why.
  auto again = control(*named_, [&](ControlClient& c) { return c.addzone(zone, config); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::ControlCommandFailed) << again.error().to_string();
  EXPECT_EQ(again.error().reason(), "ControlCommandFailed");
  EXPECT_EQ(again.error().control_result, 18u);  // ISC_R_EXISTS
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos)
      << again.error().message;
  EXPECT_NE(again.error().message.find("addzone added.test."), std::string::npos)
      << again.error().message;

  auto deleted = control(*named_, [&](ControlClient& c) { return c.delzone(zone, true); });
  ASSERT_TRUE(deleted) << deleted.error().to_string();
  EXPECT_NE(deleted->text.find("will be deleted"), std::string::npos) << deleted->text;
  auto gone = soa_serial(*named_, zone);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::Refused) << gone.error().to_string();
  auto no_status = control(*named_, [&](ControlClient& c) { return c.zonestatus(zone); });
  ASSERT_FALSE(no_status);
  EXPECT_EQ(no_status.error().code, ErrorCode::ControlCommandFailed);
  EXPECT_EQ(no_status.error().control_result, 23u);  // ISC_R_NOTFOUND
  EXPECT_NE(no_status.error().message.find("no matching zone"), std::string::npos)
      << no_status.error().message;
}

TEST_F(ControlChannel, AddzoneOfAMissingFileFailsWithNamedsWords) {
  const Name zone = Name::parse("missing-file.test.").value();
  auto r = control(*named_, [&](ControlClient& c) {
    return c.addzone(zone, R"({ type primary; file "missing-file.test.db"; };)");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::ControlCommandFailed) << r.error().to_string();
  EXPECT_EQ(r.error().control_result, 38u);  // ISC_R_FILENOTFOUND
  EXPECT_NE(r.error().message.find("file not found"), std::string::npos) << r.error().message;
  EXPECT_FALSE(soa_serial(*named_, zone));
  const auto& secret = named_->rndc_key().secret;
  EXPECT_EQ(r.error().message.find(secret), std::string::npos);
}

TEST_F(ControlChannel, UnknownCommandIsACommandFailure) {
  auto r = control(*named_, [](ControlClient& c) { return c.command("frobnicate now"); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::ControlCommandFailed) << r.error().to_string();
  EXPECT_NE(r.error().message.find("unknown command"), std::string::npos) << r.error().message;
}

TEST_F(ControlChannel, WrongKeyIsAnAuthenticationFailure) {
  const auto good = key_of(*named_);
  auto wrong_secret =
      ControlKey::from_base64(good.name, "hmac-sha256", "d3JvbmctZDNKdmJtY3RkM0p2Ym1jdGQzSnZi")
          .value();
  auto wrong_algorithm = good;
  wrong_algorithm.algorithm = ControlAlgorithm::HmacSha512;
  for (const auto& k : {wrong_secret, wrong_algorithm}) {
    SCOPED_TRACE(to_string(k.algorithm));
    auto r = control(control_address(*named_), k, [](ControlClient& c) { return c.status(); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::ControlAuthFailed) << r.error().to_string();
    EXPECT_EQ(r.error().reason(), "ControlAuthFailed");
    EXPECT_EQ(r.error().message.find(named_->rndc_key().secret), std::string::npos);
  }
  // What named did: it refused the message and closed the connection, no answer.
  EXPECT_NE(read_file(named_->log_file()).find(": bad auth"), std::string::npos)
      << named_->log_tail();
  // The right key still works afterwards.
  EXPECT_TRUE(control(*named_, [](ControlClient& c) { return c.status(); }));
}

// Every algorithm rndc offers: named's key is rewritten (same name, new algorithm and secret)
// and `reconfig`, sent with the previous key, makes named use it at once.
TEST(ControlChannelAlgorithms, EveryHmacAlgorithm) {
  NamedServer named({.label = "control-alg"});
  auto previous = key_of(named);
  const std::string secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";
  for (auto alg :
       {"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha384", "hmac-sha512", "hmac-sha256"}) {
    SCOPED_TRACE(alg);
    std::ofstream(named.rndc_key().file) << fmt::format(
        "key \"{}\" {{ algorithm {}; secret \"{}\"; }};\n", named.rndc_key().name, alg, secret);
    auto reconfig = control(control_address(named), previous,
                            [](ControlClient& c) { return c.command("reconfig"); });
    ASSERT_TRUE(reconfig) << reconfig.error().to_string();
    auto k = key_of(named);
    ASSERT_EQ(to_string(k.algorithm), alg);
    auto r = control(control_address(named), k, [](ControlClient& c) { return c.status(); });
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_NE(r->text.find("server is up and running"), std::string::npos);
    auto old =
        control(control_address(named), previous, [](ControlClient& c) { return c.status(); });
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, ErrorCode::ControlAuthFailed) << old.error().to_string();
    previous = k;
  }
}

// A port that accepts TCP connections (the kernel does, via the backlog) but never answers.
struct SilentListener {
  int fd = -1;
  uint16_t port = 0;
  SilentListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::listen(fd, 16);
    port = ntohs(a.sin_port);
  }
  ~SilentListener() {
    if (fd >= 0) ::close(fd);
  }
};

ControlKey some_key() {
  return ControlKey::from_base64("k", "hmac-sha256", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=")
      .value();
}

TEST(ControlChannelFaults, ClosedPortIsUnreachable) {
  SilentListener reserve;  // a port we know is free again once closed
  const uint16_t port = reserve.port;
  ::close(reserve.fd);
  reserve.fd = -1;
  auto started = std::chrono::steady_clock::now();
  auto r = control(
      {"127.0.0.1", port}, some_key(), [](ControlClient& c) { return c.status(); },
      std::chrono::seconds(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::ControlUnreachable) << r.error().to_string();
  EXPECT_EQ(r.error().reason(), "ControlChannelUnreachable");
  EXPECT_NE(r.error().message.find("refused"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(ControlChannelFaults, SilentListenerTimesOutWithinTheConfiguredTime) {
  SilentListener silent;
  auto started = std::chrono::steady_clock::now();
  auto r = control(
      {"127.0.0.1", silent.port}, some_key(), [](ControlClient& c) { return c.status(); },
      std::chrono::milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Timeout) << r.error().to_string();
  EXPECT_GE(took, std::chrono::milliseconds(300));
  // Correctness bound, not a benchmark: the call ends at its deadline, not later.
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(ControlChannelFaults, CallerCanCancel) {
  // The listener is ours, on the same io_context: the call is cancelled once our end has read
  // the client's first message, i.e. while the client waits for an answer.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket peer(io);
  std::array<uint8_t, 4> first{};
  asio::cancellation_signal cancel;
  std::optional<Result<ControlAnswer>> result;
  ControlClient c(io.get_executor(), {"127.0.0.1", acceptor.local_endpoint().port()}, some_key(),
                  {.timeout = std::chrono::seconds(30)});
  asio::co_spawn(io, c.status(),
                 asio::bind_cancellation_slot(cancel.slot(),
                                              [&](std::exception_ptr ep, Result<ControlAnswer> r) {
                                                if (!ep) result = std::move(r);
                                              }));
  acceptor.async_accept(peer, [&](boost::system::error_code ec) {
    ASSERT_FALSE(ec) << ec.message();
    asio::async_read(peer, asio::buffer(first), [&](boost::system::error_code rec, size_t) {
      ASSERT_FALSE(rec) << rec.message();
      cancel.emit(asio::cancellation_type::terminal);
    });
  });
  auto started = std::chrono::steady_clock::now();
  io.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, ErrorCode::Cancelled) << result->error().to_string();
  EXPECT_GT(first[3], 0);  // a frame length: the client had sent its first message
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace zk::dns
