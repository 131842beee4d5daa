// HttpServer over real sockets on loopback (ephemeral ports). The client side is plain POSIX
// sockets with poll() timeouts, so it is independent of Beast and cannot hang a test.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace zk::server {
namespace {

using namespace std::chrono_literals;

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class RawClient {
 public:
  explicit RawClient(uint16_t port, bool ipv6 = false) {
    fd_ = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (ipv6) {
      sockaddr_in6 sa{};
      sa.sin6_family = AF_INET6;
      sa.sin6_port = htons(port);
      sa.sin6_addr = in6addr_loopback;
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    } else {
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(port);
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    }
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(size_t(n));
    }
    return true;
  }

  // One response; the body is read by Content-Length unless `head`. nullopt on EOF/timeout.
  std::optional<RawResponse> read_response(bool head = false,
                                           std::chrono::milliseconds timeout = 5s) {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(timeout)) return std::nullopt;
    }
    RawResponse res;
    std::string head_text = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    res.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
    size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
    while (pos < head_text.size()) {
      size_t next = head_text.find("\r\n", pos);
      if (next == std::string::npos) next = head_text.size();
      std::string line = head_text.substr(pos, next - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return char(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      res.headers[name] = value;
      pos = next + 2;
    }
    size_t length =
        res.headers.contains("content-length") ? std::stoul(res.headers["content-length"]) : 0;
    if (!head) {
      while (pending_.size() < length) {
        if (!fill(timeout)) return std::nullopt;
      }
      res.body = pending_.substr(0, length);
      pending_.erase(0, length);
    }
    return res;
  }

  std::optional<RawResponse> get(std::string_view target, std::string_view method = "GET") {
    if (!send(std::string(method) + " " + std::string(target) +
              " HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n")) {
      return std::nullopt;
    }
    return read_response(method == "HEAD");
  }

  // True when the server closes the connection (EOF or reset) within `timeout`; bytes that
  // arrive meanwhile are kept.
  bool wait_closed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, int(std::max<int64_t>(left.count(), 1)));
      if (r == 0) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      pending_.append(buf, size_t(n));
    }
    return false;
  }

  const std::string& pending() const { return pending_; }

 private:
  bool fill(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, int(timeout.count())) <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, size_t(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void start(const HttpServerOptions& options = {.port = 0}) {
    server_.emplace(ioc_.get_executor(), options);
    server_->route("/hello", [this] {
      ++calls_;
      return Response{.body = "hello\n"};
    });
    server_->route("/json", [] {
      return Response{.status = 503, .content_type = "application/json", .body = "{}"};
    });
    server_->route("/throws", []() -> Response { throw std::runtime_error("boom"); });
    // Echoes what it saw, after waiting on a timer (other requests are served meanwhile).
    server_->route_async("/echo", [this](Request r) -> boost::asio::awaitable<Response> {
      boost::asio::steady_timer t(ioc_, std::chrono::milliseconds(r.query.count("slow") ? 300 : 0));
      co_await t.async_wait(boost::asio::use_awaitable);
      std::string body = r.method + " " + r.path + " auth=" + r.authorization;
      for (const auto& [k, v] : r.query) body += " [" + k + "=" + v + "]";
      co_return Response{.body = body};
    });
    // POST and DELETE: the body and its type back, plus a header of our own.
    server_->route_async(
        "/act", {"POST", "DELETE"}, [](Request r) -> boost::asio::awaitable<Response> {
          co_return Response{.status = 202,
                             .body = r.method + " " + r.content_type + " " + r.body,
                             .headers = {{"Cache-Control", "no-store"}}};
        });
    // A stream: "n" pieces, each after a wake() or 20 ms; stops early once the client is gone.
    server_->route_async("/stream", [this](Request r) -> boost::asio::awaitable<Response> {
      int n = r.query.count("n") ? std::stoi(r.query["n"]) : 3;
      std::string from = r.last_event_id;
      Response res{.content_type = "text/event-stream"};
      res.stream = [this, n, from](StreamWriter& w) -> boost::asio::awaitable<void> {
        writer_ = &w;
        for (int i = 0; i < n; ++i) {
          if (!co_await w.write("data: " + from + std::to_string(i) + "\n\n")) break;
          co_await w.wait(std::chrono::milliseconds(i == 0 ? 60000 : 20));
          ++stream_turns_;
        }
        writer_ = nullptr;
      };
      co_return res;
    });
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error();
    ASSERT_NE(server_->port(), 0);
    runner_ = std::thread([this] { ioc_.run(); });
  }

  // Stops the server and checks that the executor runs out of work (nothing left behind).
  void stop_and_join() {
    if (!server_) return;
    server_->stop();
    if (!runner_.joinable()) return;
    auto done = std::async(std::launch::async, [this] { runner_.join(); });
    ASSERT_EQ(done.wait_for(5s), std::future_status::ready) << "io_context still has work";
  }

  void TearDown() override { stop_and_join(); }

  uint16_t port() const { return server_->port(); }

  boost::asio::io_context ioc_;
  std::optional<HttpServer> server_;
  std::thread runner_;
  std::atomic<int> calls_{0};
  StreamWriter* writer_ = nullptr;  // executor only
  std::atomic<int> stream_turns_{0};
};

TEST_F(HttpServerTest, ServesRouteWithBodyAndHeaders) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.connected());
  auto res = c.get("/hello?verbose=1&x");  // the query string is ignored for routing
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello\n");
  EXPECT_EQ(res->headers["content-type"], "text/plain; charset=utf-8");
  EXPECT_EQ(res->headers["content-length"], "6");

  auto json = c.get("/json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 503);
  EXPECT_EQ(json->headers["content-type"], "application/json");
  EXPECT_EQ(json->body, "{}");
}

TEST_F(HttpServerTest, AsyncRoutesSeeDecodedQueryAndAuthorizationAndDoNotBlockOthers) {
  start();
  RawClient slow(port());
  ASSERT_TRUE(slow.send("GET /echo?slow=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  RawClient c(port());
  auto hello = c.get("/hello");  // answered while /echo?slow waits
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->status, 200);
  ASSERT_TRUE(
      c.send("GET /echo?hostname=www.example.test.&type=AAAA&q=a%20b%26c&type=A HTTP/1.1\r\n"
             "Host: x\r\nAuthorization: Bearer t0k\r\n\r\n"));
  auto echo = c.read_response();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->body,
            "GET /echo auth=Bearer t0k [hostname=www.example.test.] [q=a b&c] [type=A]");
  auto late = slow.read_response();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->body, "GET /echo auth= [slow=1]");
  // Bad percent-encoding never reaches the handler.
  ASSERT_TRUE(c.send("GET /echo?x=%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto bad = c.read_response();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  start();
  RawClient c(port());
  auto res = c.get("/hello/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, OtherMethodsAre405WithAllow) {
  start();
  RawClient c(port());
  for (std::string_view method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    auto res = c.get("/hello", method);
    ASSERT_TRUE(res) << method;
    EXPECT_EQ(res->status, 405) << method;
    EXPECT_EQ(res->headers["allow"], "GET, HEAD");
  }
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, RoutesNamingTheirMethodsGetTheBody) {
  start();
  RawClient c(port());
  ASSERT_TRUE(
      c.send("POST /act HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 14\r\n\r\n{\"zone\":\"a/b\"}"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(res->body, "POST application/json {\"zone\":\"a/b\"}");
  EXPECT_EQ(res->headers["cache-control"], "no-store");
  auto del = c.get("/act", "DELETE");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 202);
  auto get = c.get("/act");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->headers["allow"], "POST, DELETE");
}

// Reads the chunked body of a streamed response until `want` appears in it.
bool read_until(RawClient& c, std::string_view want, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (c.pending().find(want) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (c.wait_closed(50ms)) return c.pending().find(want) != std::string::npos;
  }
  return true;
}

TEST_F(HttpServerTest, StreamsAreChunkedWakeableAndEnd) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("GET /stream?n=3 HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 7-\r\n\r\n"));
  ASSERT_TRUE(read_until(c, "data: 7-0\n\n"));
  EXPECT_NE(c.pending().find("Transfer-Encoding: chunked"), std::string::npos) << c.pending();
  EXPECT_NE(c.pending().find("text/event-stream"), std::string::npos);
  // The first wait is a minute long: only wake() gets the next piece out.
  EXPECT_FALSE(read_until(c, "data: 7-1", 300ms));
  boost::asio::post(ioc_, [this] {
    if (writer_) writer_->wake();
  });
  ASSERT_TRUE(read_until(c, "data: 7-2\n\n"));
  EXPECT_TRUE(c.wait_closed(2s));  // the stream returned: last chunk, connection closed
  EXPECT_NE(c.pending().find("\r\n0\r\n\r\n"), std::string::npos);
}

TEST_F(HttpServerTest, StopEndsAWaitingStream) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("GET /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(read_until(c, "data: 0\n\n"));
  stop_and_join();  // the stream waits a minute; stop() must not wait for it
  EXPECT_TRUE(c.wait_closed(2s));
  EXPECT_LE(stream_turns_.load(), 1);
}

TEST_F(HttpServerTest, HeadHasLengthButNoBody) {
  start();
  RawClient c(port());
  auto head = c.get("/hello", "HEAD");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"], "6");
  EXPECT_EQ(c.pending(), "");
  // Had a body been sent, it would now be read where the next status line is expected.
  auto next = c.get("/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "hello\n");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  RawClient c(port());
  for (int i = 0; i < 3; ++i) {
    auto res = c.get("/hello");
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(calls_, 3);
  // Pipelined: two requests in one write, two responses in order.
  ASSERT_TRUE(
      c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto first = c.read_response();
  auto second = c.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 404);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(c.wait_closed(2s));
}

TEST_F(HttpServerTest, HandlerExceptionIs500) {
  start();
  RawClient c(port());
  auto res = c.get("/throws");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(c.get("/hello")->status, 200);  // the connection survives
}

TEST_F(HttpServerTest, OversizedRequestsAre400And413) {
  start();
  {
    RawClient c(port());
    std::string big(kMaxRequestHeaderBytes + 100, 'a');
    ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + big + "\r\n\r\n"));
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_TRUE(c.wait_closed(2s));
  }
  {
    RawClient c(port());
    ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"));
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    EXPECT_TRUE(c.wait_closed(2s));
  }
  {
    RawClient c(port());
    ASSERT_TRUE(c.send("NOT HTTP AT ALL\r\n\r\n"));
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
  }
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, SlowAndIdleClientsAreDroppedAfterTheReadTimeout) {
  start({.port = 0, .read_timeout = std::chrono::seconds(1)});
  RawClient slow(port());
  RawClient idle(port());
  ASSERT_TRUE(idle.get("/hello"));
  auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.send("GET /hello HTTP/1.1\r\n"));  // and never the rest
  EXPECT_TRUE(slow.wait_closed(4s));
  EXPECT_TRUE(idle.wait_closed(4s));
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 800ms);
  EXPECT_EQ(slow.pending(), "");  // dropped without a response
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  start({.port = 0, .max_connections = 2});
  RawClient a(port());
  RawClient b(port());
  ASSERT_TRUE(a.get("/hello"));  // both are being served
  ASSERT_TRUE(b.get("/hello"));
  RawClient c(port());
  EXPECT_TRUE(c.wait_closed(2s));
  EXPECT_EQ(c.pending(), "");
  EXPECT_EQ(a.get("/hello")->status, 200);
  // Room again once one closes.
  b.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(b.read_response());
  ASSERT_TRUE(b.wait_closed(2s));
  std::optional<RawResponse> res;
  for (int i = 0; i < 50 && !res; ++i) {  // the server forgets b right after closing it
    RawClient d(port());
    res = d.get("/hello");
    if (!res) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpServerTest, StopClosesEverythingAndLeavesNoWork) {
  start();
  RawClient kept(port());
  ASSERT_TRUE(kept.get("/hello"));
  RawClient half(port());
  ASSERT_TRUE(half.send("GET /hel"));
  uint16_t p = port();
  stop_and_join();  // from this (foreign) thread; the executor's run() returns
  EXPECT_TRUE(kept.wait_closed(2s));
  EXPECT_TRUE(half.wait_closed(2s));
  RawClient late(p);
  EXPECT_FALSE(late.connected());
  server_->stop();  // idempotent
  EXPECT_FALSE(server_->start());
}

TEST_F(HttpServerTest, PortInUseIsAClearError) {
  start();
  HttpServer second(ioc_.get_executor(), {.port = port()});
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("127.0.0.1:" + std::to_string(port())), std::string::npos)
      << started.error();
  EXPECT_NE(started.error().find("in use"), std::string::npos) << started.error();
}

TEST(HttpServer, BadAddressIsAClearError) {
  boost::asio::io_context ioc;
  HttpServer server(ioc.get_executor(), {.address = "localhost", .port = 0});
  auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("localhost:0"), std::string::npos) << started.error();
}

TEST(HttpServer, ServesIPv6) {
  boost::asio::io_context ioc;
  HttpServer server(ioc.get_executor(), {.address = "::1", .port = 0});
  server.route("/healthz", [] { return Response{.body = "ok\n"}; });
  auto started = server.start();
  if (!started) GTEST_SKIP() << "no IPv6 loopback here: " << started.error();
  std::thread runner([&] { ioc.run(); });
  {
    RawClient c(server.port(), /*ipv6=*/true);
    ASSERT_TRUE(c.connected());
    auto res = c.get("/healthz");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "ok\n");
  }
  server.stop();
  runner.join();
}

TEST(HttpServer, DestroyingTheServerStopsIt) {
  boost::asio::io_context ioc;
  std::optional<HttpServer> server(std::in_place, ioc.get_executor(), HttpServerOptions{.port = 0});
  server->route("/", [] { return Response{}; });
  ASSERT_TRUE(server->start());
  RawClient c(server->port());
  std::thread runner([&] { ioc.run(); });
  ASSERT_TRUE(c.get("/"));
  server.reset();
  EXPECT_TRUE(c.wait_closed(2s));
  runner.join();
}

}  // namespace
}  // namespace zk::server
