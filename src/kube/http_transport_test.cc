// The real HttpTransport against a tiny scripted HTTP/1.1 server on loopback: keep-alive
// reuse, stale-connection retry, Retry-After on 429, deadlines, chunked watch streams,
// truncated and invalid streams.
#include <atomic>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include "kube/client.h"

namespace zk::kube {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// What the server does for one request: a list of (bytes, delay-before) steps, then close or
// keep the connection.
struct Reply {
  std::vector<std::pair<std::string, std::chrono::milliseconds>> steps;
  bool close = false;
  bool hang = false;  // after the steps, never answer again on this connection
};

std::string http_response(int status, std::string_view body, std::string extra = {}) {
  return fmt::format(
      "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n{}", status,
      body.size(), extra, body);
}

std::string chunk(std::string_view data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}

class ScriptedServer {
 public:
  using Handler = std::function<Reply(const std::string& request_head, int request_index)>;
  explicit ScriptedServer(Handler h)
      : handler_(std::move(h)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedServer() {
    io_.stop();
    thread_.join();
  }
  std::string url() const {
    return fmt::format("http://127.0.0.1:{}", acceptor_.local_endpoint().port());
  }
  int connections() const { return connections_.load(); }

 private:
  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, sock] = co_await acceptor_.async_accept(nothrow);
      if (ec) co_return;
      ++connections_;
      asio::co_spawn(io_, serve(std::move(sock)), asio::detached);
    }
  }
  asio::awaitable<void> serve(tcp::socket sock) {
    asio::streambuf buf;
    while (true) {
      auto [ec, n] = co_await asio::async_read_until(sock, buf, "\r\n\r\n", nothrow);
      if (ec) co_return;
      std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
      buf.consume(n);
      // Skip a request body (Content-Length only; our client always sends one).
      size_t cl = head.find("Content-Length: ");
      if (cl == std::string::npos) cl = head.find("content-length: ");
      if (cl != std::string::npos) {
        size_t len = std::stoul(head.substr(cl + 16));
        while (buf.size() < len) {
          auto [e2, m] = co_await asio::async_read(
              sock, buf, asio::transfer_exactly(len - buf.size()), nothrow);
          if (e2) co_return;
        }
        buf.consume(len);
      }
      Reply r = handler_(head, requests_++);
      for (auto& [bytes, delay] : r.steps) {
        if (delay.count() > 0) {
          asio::steady_timer t(io_, delay);
          co_await t.async_wait(nothrow);
        }
        auto [we, wn] = co_await asio::async_write(sock, asio::buffer(bytes), nothrow);
        if (we) co_return;
      }
      if (r.hang) {
        asio::steady_timer t(io_, std::chrono::hours(1));
        co_await t.async_wait(nothrow);
      }
      if (r.close) co_return;
    }
  }

  Handler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
};

std::shared_ptr<Client> client_for(asio::io_context& io, const std::string& url,
                                   TransportOptions opts = {},
                                   std::chrono::milliseconds timeout = 5s) {
  Config cfg;
  cfg.server = url;
  cfg.request_timeout = timeout;
  return Client::create(io.get_executor(), cfg, opts).value();
}

template <class T>
T run(asio::io_context& io, asio::awaitable<T> a) {
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  io.restart();
  io.run();
  return f.get();
}

const std::string kCm = R"({"kind":"ConfigMap","metadata":{"name":"x","namespace":"n"}})";

TEST(HttpTransportTest, KeepAliveReusesOneConnection) {
  ScriptedServer srv([](const std::string&, int) {
    return Reply{{{http_response(200, kCm), 0ms}}};
  });
  asio::io_context io;
  auto c = client_for(io, srv.url());
  for (int i = 0; i < 3; ++i) {
    auto r = run(io, c->get(resources::kConfigMaps, "n", "x"));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->at("metadata").at("name").as_string(), "x");
  }
  EXPECT_EQ(srv.connections(), 1);
}

TEST(HttpTransportTest, StaleKeepAliveConnectionIsRetriedOnAFreshOne) {
  // The server answers and then silently closes every connection.
  ScriptedServer srv([](const std::string&, int) {
    return Reply{{{http_response(200, kCm), 0ms}}, true};
  });
  asio::io_context io;
  auto c = client_for(io, srv.url());
  for (int i = 0; i < 3; ++i) {
    auto r = run(io, c->get(resources::kConfigMaps, "n", "x"));
    ASSERT_TRUE(r) << r.error().to_string();
  }
  EXPECT_EQ(srv.connections(), 3);
}

TEST(HttpTransportTest, RetryAfterIsHonouredOn429) {
  ScriptedServer srv([](const std::string&, int i) {
    if (i == 0)
      return Reply{
          {{http_response(429, R"({"kind":"Status","code":429})", "Retry-After: 1\r\n"), 0ms}}};
    return Reply{{{http_response(200, kCm), 0ms}}};
  });
  asio::io_context io;
  auto c = client_for(io, srv.url());
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(io, c->get(resources::kConfigMaps, "n", "x"));
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_GE(elapsed, 1s);
  EXPECT_LT(elapsed, 3s);
}

TEST(HttpTransportTest, Persistent429BecomesTooManyRequestsAfterBoundedRetries) {
  std::atomic<int> seen{0};
  ScriptedServer srv([&](const std::string&, int) {
    ++seen;
    return Reply{
        {{http_response(
              429,
              R"({"kind":"Status","code":429,"reason":"TooManyRequests","message":"slow down"})",
              "Retry-After: 0\r\n"),
          0ms}}};
  });
  asio::io_context io;
  auto c = client_for(io, srv.url(), {.max_429_retries = 2});
  auto r = run(io, c->get(resources::kConfigMaps, "n", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::TooManyRequests);
  EXPECT_EQ(seen.load(), 3);
}

TEST(HttpTransportTest, DeadlineGivesTimeout) {
  ScriptedServer srv([](const std::string&, int) { return Reply{{}, false, true}; });
  asio::io_context io;
  auto c = client_for(io, srv.url(), {}, 200ms);
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(io, c->get(resources::kConfigMaps, "n", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(HttpTransportTest, ConnectionRefusedIsNetwork) {
  asio::io_context io;
  uint16_t port;
  {
    tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto c = client_for(io, fmt::format("http://127.0.0.1:{}", port));
  auto r = run(io, c->get(resources::kConfigMaps, "n", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Network);
}

const std::string kChunkedHead =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
const std::string kEv1 =
    R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}})"
    "\n";
const std::string kEv2 =
    R"({"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"2"}}})"
    "\n";

TEST(HttpTransportTest, ChunkedWatchDeliversEventsAsTheyArrive) {
  ScriptedServer srv([](const std::string&, int) {
    return Reply{{{kChunkedHead + chunk(kEv1) + chunk(kEv2.substr(0, 10)), 0ms},
                  {chunk(kEv2.substr(10)), 300ms},
                  {"0\r\n\r\n", 0ms}}};
  });
  asio::io_context io;
  auto c = client_for(io, srv.url());
  auto result = run(io, [&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> got;
    WatchOptions from_zero;
    from_zero.resource_version = "0";
    auto w = co_await c->watch(resources::kConfigMaps, "n", from_zero);
    if (!w) co_return got;
    auto t0 = std::chrono::steady_clock::now();
    while (true) {
      auto ev = co_await (*w)->next();
      if (!ev) {
        got.push_back("error " + ev.error().to_string());
        break;
      }
      if (!*ev) break;
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      got.push_back(fmt::format("{} {}", to_string((*ev)->type), ms < 200 ? "early" : "late"));
    }
    co_return got;
  }());
  EXPECT_EQ(result, (std::vector<std::string>{"ADDED early", "MODIFIED late"}));
}

TEST(HttpTransportTest, TruncatedAndInvalidWatchStreamsAreErrorsNotCrashes) {
  ScriptedServer srv([](const std::string& head, int) {
    if (head.find("name=truncated") != std::string::npos) {
      // Connection closed in the middle of an event, without the final chunk.
      return Reply{{{kChunkedHead + chunk(kEv1) + chunk(kEv2.substr(0, 25)), 0ms}}, true};
    }
    if (head.find("name=cleanend") != std::string::npos) {
      // Final chunk after half an event.
      return Reply{{{kChunkedHead + chunk(kEv1) + chunk(kEv2.substr(0, 25)) + "0\r\n\r\n", 0ms}}};
    }
    return Reply{
        {{kChunkedHead + chunk(kEv1) + chunk("{\"type\":\"ADDED\",\"object\":{]]]\n") + "0\r\n\r\n",
          0ms}}};
  });
  asio::io_context io;
  auto c = client_for(io, srv.url());
  auto drive =
      [&](std::string selector) -> asio::awaitable<std::pair<int, std::optional<ErrorCode>>> {
    WatchOptions selected;
    selected.field_selector = selector;
    auto w = co_await c->watch(resources::kConfigMaps, "n", selected);
    if (!w) co_return std::pair<int, std::optional<ErrorCode>>{0, w.error().code};
    int events = 0;
    while (true) {
      auto ev = co_await (*w)->next();
      if (!ev) co_return std::pair<int, std::optional<ErrorCode>>{events, ev.error().code};
      if (!*ev) co_return std::pair<int, std::optional<ErrorCode>>{events, std::nullopt};
      ++events;
    }
  };
  auto truncated = run(io, drive("metadata.name=truncated"));
  EXPECT_EQ(truncated.first, 1);
  ASSERT_TRUE(truncated.second);
  EXPECT_TRUE(*truncated.second == ErrorCode::Network || *truncated.second == ErrorCode::Decode);
  auto clean = run(io, drive("metadata.name=cleanend"));
  EXPECT_EQ(clean.first, 1);
  EXPECT_EQ(clean.second, std::optional<ErrorCode>(ErrorCode::Decode));
  auto invalid = run(io, drive("metadata.name=invalid"));
  EXPECT_EQ(invalid.first, 1);
  EXPECT_EQ(invalid.second, std::optional<ErrorCode>(ErrorCode::Decode));
}

TEST(HttpTransportTest, WatchOpenWith410IsGone) {
  ScriptedServer srv([](const std::string&, int) {
    return Reply{
        {{http_response(
              410,
              R"({"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 5 vs 100"})"),
          0ms}}};
  });
  asio::io_context io;
  auto c = client_for(io, srv.url());
  auto w = run(io, c->watch(resources::kConfigMaps, "n", {.resource_version = "5"}));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, ErrorCode::Gone);
  EXPECT_NE(w.error().message.find("too old"), std::string::npos);
}

TEST(HttpTransportTest, BadServerUrlsAreBadConfig) {
  asio::io_context io;
  for (const char* url : {"ftp://x", "https://", "https://[::1", "nonsense"}) {
    Config cfg;
    cfg.server = url;
    auto c = Client::create(io.get_executor(), cfg);
    ASSERT_FALSE(c) << url;
    EXPECT_EQ(c.error().code, ErrorCode::BadConfig) << url;
  }
  Config bad_ca;
  bad_ca.server = "https://127.0.0.1:1";
  bad_ca.ca_pem = "not a pem";
  auto c = Client::create(io.get_executor(), bad_ca);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::BadConfig);
}

}  // namespace
}  // namespace zk::kube
