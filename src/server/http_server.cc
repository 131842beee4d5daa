// HttpServer: Boost.Beast over Asio C++20 coroutines. All connection state lives on the
// (single-threaded) executor; State is shared with the coroutines so it outlives the
// HttpServer object while they finish.
#include "server/http_server.h"

#include <atomic>
#include <exception>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
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

// Everything the coroutines share; ServerState is this (kept out of the header).
struct ServerState {
  ServerState(asio::any_io_executor executor, HttpServerOptions opts)
      : ex(std::move(executor)), options(std::move(opts)), acceptor(ex) {}

  asio::any_io_executor ex;
  const HttpServerOptions options;
  std::unordered_map<std::string, AsyncHandler> routes;  // set before start(), then read-only
  std::atomic<bool> stop_requested{false};
  std::atomic<uint16_t> port{0};
  bool started = false;

  // Executor only:
  tcp::acceptor acceptor;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, std::shared_ptr<beast::tcp_stream>> connections;

  void close_all() {
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

  asio::awaitable<HttpResponse> respond(const HttpRequest& req) const;
};

asio::awaitable<HttpResponse> ServerState::respond(const HttpRequest& req) const {
  std::string_view target = req.target();
  std::string path(target.substr(0, target.find('?')));
  auto route = routes.find(path);
  if (route == routes.end()) co_return plain(404, "not found\n");
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    HttpResponse res = plain(405, "method not allowed\n");
    res.set(http::field::allow, "GET, HEAD");
    co_return res;
  }
  Request request;
  request.method = std::string(req.method_string());
  request.path = path;
  if (auto it = req.find(http::field::authorization); it != req.end()) {
    request.authorization = std::string(it->value());
  }
  auto url = boost::urls::parse_origin_form(target);
  if (!url) co_return plain(400, "bad request target\n");
  for (const auto& param : url->params()) request.query[param.key] = param.value;
  AsyncHandler handler = route->second;  // a copy: the map is read-only, but be safe
  Response out;
  std::exception_ptr failed;
  try {
    out = co_await handler(std::move(request));
  } catch (...) {
    failed = std::current_exception();
  }
  if (failed) {
    log_exception(fmt::format("handler for {}", path), failed);
    co_return plain(500, "internal server error\n");
  }
  if (out.status < 100 || out.status > 999) {
    spdlog::error("http server: handler for {} returned status {}", path, out.status);
    co_return plain(500, "internal server error\n");
  }
  HttpResponse res;
  res.result(out.status);
  res.set(http::field::content_type, out.content_type);
  res.body() = std::move(out.body);
  co_return res;
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
      res = co_await s->respond(req);
      res.version(req.version());
      res.keep_alive(req.keep_alive());
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

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::route(std::string path, Handler handler) {
  route_async(std::move(path),
              [h = std::move(handler)](Request) -> asio::awaitable<Response> { co_return h(); });
}

void HttpServer::route_async(std::string path, AsyncHandler handler) {
  state_->routes.insert_or_assign(std::move(path), std::move(handler));
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

uint16_t HttpServer::port() const {
  return state_->port;
}

void HttpServer::stop() {
  if (state_->stop_requested.exchange(true)) return;
  asio::dispatch(state_->ex, [s = state_] { s->close_all(); });
}

}  // namespace zk::server
