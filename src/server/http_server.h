// HttpServer: a small HTTP/1.1 server (Boost.Beast, Asio C++20 coroutines) for /metrics,
// /healthz, /readyz and later the UI and JSON API.
//
//   zk::server::HttpServer server(ioc.get_executor(), {.address = "0.0.0.0", .port = 9090});
//   server.route("/metrics", [&] { return zk::server::Response{.body = metrics.render()}; });
//   if (auto ok = server.start(); !ok) { /* ok.error(): "cannot listen on ...: ..." */ }
//   ioc.run();              // ... until server.stop() (from any thread)
//
// Exact path match; GET and HEAD unless the route names its methods (405 with Allow otherwise, 404
// for an unknown path). route() handlers ignore the query string; route_async() handlers get the
// request (query parameters decoded, body) and may co_await (e.g. DNS queries) — other requests
// are served meanwhile. A Response with `stream` set is sent chunked and kept open while the stream
// writes (Server-Sent Events); the read timeout does not apply to it. Keep-alive; requests
// with a header or body over 8 KiB get 400 / 413 and the connection is closed; a connection idle or
// slow beyond read_timeout is closed; connections beyond max_connections are closed as soon as they
// are accepted.
//
// Threading: the executor must be single-threaded (an io_context run by one thread, or a
// strand). Handlers run on it and must not block. route() and start() are called before the
// server is used (from any one thread); stop() may be called from any thread. The executor
// must outlive the HttpServer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <tl/expected.hpp>

namespace zk::server {

// Writes the pieces of a streamed response (executor only). write() returns false once the
// client is gone or the server stops; the stream should then return.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual boost::asio::awaitable<bool> write(std::string piece) = 0;
  // Waits until wake(), `most` has passed, or the server stops (then open() is false).
  virtual boost::asio::awaitable<void> wait(std::chrono::milliseconds most) = 0;
  virtual void wake() = 0;
  virtual bool open() const = 0;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};  // more header fields
  // Set: the body is produced by this coroutine after the header is sent (chunked); `body` is
  // ignored. The connection is closed when it returns.
  std::function<boost::asio::awaitable<void>(StreamWriter&)> stream{};
};

// Called on the server's executor for every GET or HEAD of its path; must not block. An
// exception becomes a 500.
using Handler = std::function<Response()>;

// What an async handler sees of a request.
struct Request {
  std::string method;  // "GET" | "HEAD" | one the route allows
  std::string path;
  // Query parameters, percent-decoded; a repeated one keeps its last value. A query string that
  // is not valid (bad percent-encoding) gets a 400 before any handler runs.
  std::map<std::string, std::string> query;
  std::string authorization;  // the Authorization header, "" when absent
  std::string content_type;   // the Content-Type header, "" when absent
  std::string last_event_id;  // the Last-Event-ID header (an EventSource reconnecting), or ""
  std::string body;           // at most kMaxRequestBodyBytes
};
using AsyncHandler = std::function<boost::asio::awaitable<Response>(Request)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal ("::1", "0.0.0.0", "::")
  uint16_t port = 8080;               // 0 = ephemeral (see HttpServer::port())
  std::chrono::seconds read_timeout{10};
  size_t max_connections = 64;
};

// Limits on one request: header and body, each.
inline constexpr size_t kMaxRequestHeaderBytes = 8 * 1024;
inline constexpr size_t kMaxRequestBodyBytes = 8 * 1024;

class HttpServer {
 public:
  HttpServer(boost::asio::any_io_executor ex, HttpServerOptions options);
  // NOLINTNEXTLINE(bugprone-exception-escape): closing sockets, cancelling timers: no throw.
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact path match, GET and HEAD only. A second route for a path replaces the first.
  void route(std::string path, Handler handler);
  void route_async(std::string path, AsyncHandler handler);
  // The methods it answers, upper case (e.g. {"GET", "HEAD", "POST", "DELETE"}).
  void route_async(std::string path, std::vector<std::string> methods, AsyncHandler handler);

  // Binds and listens, then accepts on the executor. The error names address:port and the OS
  // error, e.g. "cannot listen on 127.0.0.1:8080: Address already in use".
  [[nodiscard]] tl::expected<void, std::string> start();

  boost::asio::any_io_executor executor() const;

  // The bound port (after a successful start()); 0 before.
  uint16_t port() const;

  // Closes the acceptor and all connections; once the handlers in flight finish, the server
  // has no work left on the executor. Idempotent; the server cannot be started again.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace zk::server
