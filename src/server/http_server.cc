// HttpServer: Boost.Beast over Asio C++20 coroutines. All connection state lives on the
// (single-threaded) executor; State is shared with the coroutines so it outlives the
// HttpServer object while they finish.
#include "server/http_server.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace zk::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
// Room for a few pipelined requests; a full buffer ends the connection with a 400.
constexpr size_t kMaxBufferedBytes = 4 * (kMaxRequestHeaderBytes + kMaxRequestBodyBytes);

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

std::string endpoint_text(const std::string& address, uint16_t port) {
  if (address.find(':') != std::string::npos) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

void log_exception(std::string_view what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    spdlog::error("http server: {}: {}", what, x.what());
  } catch (...) {
    spdlog::error("http server: {}: unknown exception", what);
  }
}

HttpResponse plain(unsigned status, std::string_view body) {
  HttpResponse res;
  res.result(status);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::string(body);
  return res;
}

struct Route {
  std::vector<std::string> methods;
  AsyncHandler handler;
};

// What respond() gives serve(): a whole response, or a header and a stream.
struct Answer {
  HttpResponse res;
  std::function<asio::awaitable<void>(StreamWriter&)> stream;
};

// Chunks on the connection's stream; wait() on a timer that wake() and stop() cancel.
class ChunkWriter final : public StreamWriter {
 public:
  ChunkWriter(beast::tcp_stream& stream, std::chrono::seconds timeout, const bool& stopping)
      : stream_(stream), timer_(stream.get_executor()), timeout_(timeout), stopping_(stopping) {}

  asio::awaitable<bool> write(std::string piece) override {
    if (!open()) co_return false;
    if (piece.empty()) co_return true;  // an empty chunk would end the body
    stream_.expires_after(timeout_);
    auto [ec, n] =
        co_await asio::async_write(stream_, http::make_chunk(asio::buffer(piece)), use_nothrow);
    if (ec) failed_ = true;
    co_return open();
  }
  asio::awaitable<void> wait(std::chrono::milliseconds most) override {
    if (!open()) co_return;
    timer_.expires_after(most);
    co_await timer_.async_wait(use_nothrow);
  }
  void wake() override { timer_.cancel(); }
  bool open() const override { return !failed_ && !stopping_ && stream_.socket().is_open(); }
  asio::awaitable<void> finish() {
    if (!open()) co_return;
    stream_.expires_after(timeout_);
    co_await asio::async_write(stream_, http::make_chunk_last(), use_nothrow);
  }

 private:
  beast::tcp_stream& stream_;
  asio::steady_timer timer_;
  std::chrono::seconds timeout_;
  const bool& stopping_;
  bool failed_ = false;
};

// Everything the coroutines share; ServerState is this (kept out of the header).
struct ServerState {
  ServerState(asio::any_io_executor executor, HttpServerOptions opts)
      : ex(std::move(executor)), options(std::move(opts)), acceptor(ex) {}

  asio::any_io_executor ex;
  const HttpServerOptions options;
  std::unordered_map<std::string, Route> routes;  // set before start(), then read-only
  std::atomic<bool> stop_requested{false};
  bool stopping = false;  // executor only: close_all() ran
  std::atomic<uint16_t> port{0};
  bool started = false;

  // Executor only:
  tcp::acceptor acceptor;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, std::shared_ptr<beast::tcp_stream>> connections;
  std::unordered_map<uint64_t, ChunkWriter*> streams;  // connections streaming a response

  void close_all() {
    stopping = true;
    for (auto& [id, writer] : streams) writer->wake();
    boost::system::error_code ignored;
    acceptor.close(ignored);
    std::vector<std::shared_ptr<beast::tcp_stream>> open;
    open.reserve(connections.size());
    for (auto& [id, stream] : connections) open.push_back(stream);
    for (auto& stream : open) {
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
    }
  }

  asio::awaitable<Answer> respond(const HttpRequest& req) const;
};

std::string header(const HttpRequest& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? std::string() : std::string(it->value());
}

asio::awaitable<Answer> ServerState::respond(const HttpRequest& req) const {
  std::string_view target = req.target();
  std::string path(target.substr(0, target.find('?')));
  auto route = routes.find(path);
  if (route == routes.end()) co_return Answer{plain(404, "not found\n"), {}};
  const std::vector<std::string>& methods = route->second.methods;
  if (std::find(methods.begin(), methods.end(), req.method_string()) == methods.end()) {
    HttpResponse res = plain(405, "method not allowed\n");
    res.set(http::field::allow, fmt::format("{}", fmt::join(methods, ", ")));
    co_return Answer{std::move(res), {}};
  }
  Request request;
  request.method = std::string(req.method_string());
  request.path = path;
  request.authorization = header(req, http::field::authorization);
  request.content_type = header(req, http::field::content_type);
  if (auto it = req.find("Last-Event-ID"); it != req.end()) {
    request.last_event_id = std::string(it->value());
  }
  request.body = req.body();
  auto url = boost::urls::parse_origin_form(target);
  if (!url) co_return Answer{plain(400, "bad request target\n"), {}};
  for (const auto& param : url->params()) request.query[param.key] = param.value;
  AsyncHandler handler = route->second.handler;  // a copy: the map is read-only, but be safe
  Response out;
  std::exception_ptr failed;
  try {
    out = co_await handler(std::move(request));
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    log_exception(fmt::format("handler for {}", path), failed);
    co_return Answer{plain(500, "internal server error\n"), {}};
  }
  if (out.status < 100 || out.status > 999) {
    spdlog::error("http server: handler for {} returned status {}", path, out.status);
    co_return Answer{plain(500, "internal server error\n"), {}};
  }
  Answer a;
  a.res.result(out.status);
  a.res.set(http::field::content_type, out.content_type);
  for (auto& [name, value] : out.headers) a.res.set(name, value);
  a.res.body() = std::move(out.body);
  a.stream = std::move(out.stream);
  co_return a;
}

// The header of `res` chunked, then the stream's pieces, then the last chunk.
asio::awaitable<void> send_stream(ServerState& s, uint64_t id, beast::tcp_stream& stream,
                                  HttpResponse& res,
                                  const std::function<asio::awaitable<void>(StreamWriter&)>& body) {
  http::response<http::empty_body> head(res.result(), res.version());
  for (const auto& field : res) head.set(field.name_string(), field.value());
  head.keep_alive(false);
  head.chunked(true);
  http::response_serializer<http::empty_body> sr(head);
  stream.expires_after(s.options.read_timeout);
  auto [ec, n] = co_await http::async_write_header(stream, sr, use_nothrow);
  if (ec) co_return;
  ChunkWriter writer(stream, s.options.read_timeout, s.stopping);
  s.streams.emplace(id, &writer);
  struct Unlist {
    ServerState& state;
    uint64_t id;
    ~Unlist() { state.streams.erase(id); }
  } unlist{s, id};
  std::exception_ptr failed;
  try {
    co_await body(writer);
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    log_exception("stream", failed);
    co_return;
  }
  co_await writer.finish();
}

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

asio::awaitable<void> serve(std::shared_ptr<ServerState> s, uint64_t id,
                            std::shared_ptr<beast::tcp_stream> stream) {
  struct Forget {
    ServerState& state;
    uint64_t id;
    ~Forget() { state.connections.erase(id); }
  } forget{*s, id};

  beast::flat_buffer buffer(kMaxBufferedBytes);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxRequestHeaderBytes);
    parser.body_limit(kMaxRequestBodyBytes);
    stream->expires_after(s->options.read_timeout);
    auto [ec, n] = co_await http::async_read(*stream, buffer, parser, use_nothrow);
    if (s->stop_requested) break;

    HttpResponse res;
    bool close = false;
    if (!ec) {
      const HttpRequest& req = parser.get();
      Answer answer = co_await s->respond(req);
      res = std::move(answer.res);
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      if (answer.stream && req.method() != http::verb::head && !s->stop_requested) {
        co_await send_stream(*s, id, *stream, res, answer.stream);
        break;
      }
      if (req.method() == http::verb::head) {
        res.content_length(res.body().size());
        res.body().clear();
      } else {
        res.prepare_payload();
      }
    } else if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
               !is_parse_error(ec)) {
      break;  // closed by the client, timed out, reset, or closed by stop()
    } else {
      if (ec == http::error::body_limit) {
        res = plain(413, "request body too large\n");
      } else if (ec == http::error::header_limit) {
        res = plain(400, "request header too large\n");
      } else {
        res = plain(400, "bad request\n");
      }
      res.keep_alive(false);
      res.prepare_payload();
      close = true;
    }

    stream->expires_after(s->options.read_timeout);
    auto [wec, written] = co_await http::async_write(*stream, res, use_nothrow);
    if (wec || close || !res.keep_alive() || s->stop_requested) break;
  }
  boost::system::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream->close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<ServerState> s) {
  const std::string where = endpoint_text(s->options.address, s->port);
  while (!s->stop_requested && s->acceptor.is_open()) {
    auto [ec, socket] = co_await s->acceptor.async_accept(use_nothrow);
    if (s->stop_requested || !s->acceptor.is_open()) break;
    if (ec) {
      // EMFILE, ENOBUFS, a connection aborted before accept: keep serving, without spinning.
      spdlog::warn("http server on {}: accept: {}", where, ec.message());
      asio::steady_timer pause(s->ex, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    if (s->connections.size() >= s->options.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    try {
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      uint64_t id = s->next_id++;
      s->connections.emplace(id, stream);
      asio::co_spawn(s->ex, serve(s, id, std::move(stream)),
                     [](std::exception_ptr e) { log_exception("connection", e); });
    } catch (const std::exception& e) {
      spdlog::error("http server on {}: {}", where, e.what());
    }
  }
}

}  // namespace

struct HttpServer::State : ServerState {
  using ServerState::ServerState;
};

HttpServer::HttpServer(asio::any_io_executor ex, HttpServerOptions options)
    : state_(std::make_shared<State>(std::move(ex), std::move(options))) {}

// NOLINTNEXTLINE(bugprone-exception-escape): closing sockets, cancelling timers: no throw.
HttpServer::~HttpServer() {
  stop();
}

void HttpServer::route(std::string path, Handler handler) {
  route_async(std::move(path),
              [h = std::move(handler)](Request) -> asio::awaitable<Response> { co_return h(); });
}

void HttpServer::route_async(std::string path, AsyncHandler handler) {
  route_async(std::move(path), {"GET", "HEAD"}, std::move(handler));
}

void HttpServer::route_async(std::string path, std::vector<std::string> methods,
                             AsyncHandler handler) {
  state_->routes.insert_or_assign(std::move(path), Route{std::move(methods), std::move(handler)});
}

tl::expected<void, std::string> HttpServer::start() {
  State& s = *state_;
  if (s.stop_requested) return tl::unexpected(std::string("http server: already stopped"));
  if (s.started) return tl::unexpected(std::string("http server: already started"));
  const std::string where = endpoint_text(s.options.address, s.options.port);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options.address, ec);
  if (ec) {
    return tl::unexpected(
        fmt::format("cannot listen on {}: invalid address ({})", where, ec.message()));
  }
  tcp::endpoint endpoint(address, s.options.port);
  auto fail = [&](std::string_view step) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return tl::unexpected(fmt::format("cannot listen on {}: {} ({})", where, ec.message(), step));
  };
  if (s.acceptor.open(endpoint.protocol(), ec)) return fail("socket");
  if (s.acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (s.acceptor.bind(endpoint, ec)) return fail("bind");
  if (s.acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  auto local = s.acceptor.local_endpoint(ec);
  if (ec) return fail("getsockname");
  s.port = local.port();
  s.started = true;
  asio::co_spawn(s.ex, accept_loop(state_),
                 [](std::exception_ptr e) { log_exception("accept loop", e); });
  return {};
}

asio::any_io_executor HttpServer::executor() const {
  return state_->ex;
}

uint16_t HttpServer::port() const {
  return state_->port;
}

void HttpServer::stop() {
  if (state_->stop_requested.exchange(true)) return;
  asio::dispatch(state_->ex, [s = state_] { s->close_all(); });
}

}  // namespace zk::server
