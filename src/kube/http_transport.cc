// HttpTransport: the one translation unit with Boost.Beast (HTTP/1.1 over TCP or TLS).
#include <algorithm>
#include <charconv>
#include <deque>
#include <optional>

#include <sys/socket.h>
#include <cerrno>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "kube/transport.h"

namespace zk::kube {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr uint64_t kMaxBody = uint64_t(2) << 30;  // a LIST of many objects can be large

struct Endpoint {
  bool tls = true;
  std::string host;  // without brackets
  std::string port;
  std::string host_header;
  std::string base_path;  // "" or "/prefix" (no trailing slash)
};

Result<Endpoint> parse_server(std::string_view server) {
  Endpoint ep;
  std::string_view rest;
  if (server.starts_with("https://")) {
    rest = server.substr(8);
  } else if (server.starts_with("http://")) {
    ep.tls = false;
    rest = server.substr(7);
  } else {
    return fail(ErrorCode::BadConfig, fmt::format("server \"{}\" is not an http(s) URL", server));
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    ep.base_path = std::string(rest.substr(slash));
    while (!ep.base_path.empty() && ep.base_path.back() == '/') ep.base_path.pop_back();
  }
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail(ErrorCode::BadConfig, fmt::format("server \"{}\": bad IPv6 literal", server));
    }
    ep.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (after.starts_with(':')) ep.port = std::string(after.substr(1));
  } else {
    size_t colon = authority.rfind(':');
    ep.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) ep.port = std::string(authority.substr(colon + 1));
  }
  if (ep.host.empty())
    return fail(ErrorCode::BadConfig, fmt::format("server \"{}\" has no host", server));
  if (ep.port.empty()) ep.port = ep.tls ? "443" : "80";
  ep.host_header = std::string(authority);
  return ep;
}

Error network_error(const boost::system::error_code& ec, std::string_view what) {
  Error e;
  if (ec == beast::error::timeout) {
    e.code = ErrorCode::Timeout;
  } else if (ec == asio::error::operation_aborted) {
    e.code = ErrorCode::Cancelled;
  } else {
    e.code = ErrorCode::Network;
  }
  e.message = fmt::format("{}: {}", what, ec.message());
  return e;
}

struct Connection {
  // True when an idle pooled connection can no longer be used: the peer closed it (EOF
  // pending), reset it, or sent unsolicited bytes (e.g. a TLS close_notify).
  bool peer_gone() {
    char c;
    ssize_t n = ::recv(lowest().socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    return true;  // 0 = EOF, >0 = unexpected data on an idle HTTP/1.1 connection
  }

  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*tls); }
  void close() {
    boost::system::error_code ignored;
    lowest().socket().close(ignored);
  }
};

// Calls f(stream) with whichever stream the connection has. f returns an awaitable.
template <class F>
auto with_stream(Connection& c, F&& f) {
  if (c.plain) return f(*c.plain);
  return f(*c.tls);
}

class HttpTransport;

class HttpByteStream final : public ByteStream {
 public:
  HttpByteStream(std::unique_ptr<Connection> conn,
                 std::unique_ptr<http::response_parser<http::buffer_body>> parser,
                 std::chrono::milliseconds idle_timeout)
      : conn_(std::move(conn)), parser_(std::move(parser)), idle_timeout_(idle_timeout) {}
  ~HttpByteStream() override { conn_->close(); }

  asio::awaitable<Result<std::string_view>> read_some() override {
    while (true) {
      if (cancelled_) co_return fail(ErrorCode::Cancelled, "watch cancelled");
      if (parser_->is_done()) co_return std::string_view();
      parser_->get().body().data = chunk_;
      parser_->get().body().size = sizeof(chunk_);
      parser_->get().body().more = true;
      conn_->lowest().expires_after(idle_timeout_);
      auto [ec, n] = co_await with_stream(*conn_, [&](auto& s) {
        return http::async_read_some(s, conn_->buffer, *parser_, use_nothrow);
      });
      size_t produced = sizeof(chunk_) - parser_->get().body().size;
      if (ec && ec != http::error::need_buffer) {
        if (cancelled_) co_return fail(ErrorCode::Cancelled, "watch cancelled");
        if (produced > 0) {
          // Hand out what arrived; the error repeats on the next call.
          co_return std::string_view(chunk_, produced);
        }
        co_return tl::unexpected(network_error(ec, "watch stream"));
      }
      if (produced > 0) co_return std::string_view(chunk_, produced);
    }
  }

  void cancel() override {
    cancelled_ = true;
    boost::system::error_code ignored;
    conn_->lowest().socket().cancel(ignored);
    conn_->lowest().cancel();
  }

 private:
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<http::response_parser<http::buffer_body>> parser_;
  std::chrono::milliseconds idle_timeout_;
  bool cancelled_ = false;
  char chunk_[64 * 1024];
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(asio::any_io_executor ex, const Config& cfg, TransportOptions options, Endpoint ep,
                std::optional<ssl::context> ctx)
      : ex_(std::move(ex)),
        token_(cfg.token),
        user_agent_(cfg.user_agent),
        timeout_(cfg.request_timeout),
        verify_name_(cfg.tls_server_name.empty() ? ep.host : cfg.tls_server_name),
        verify_(!cfg.insecure_skip_tls_verify),
        options_(options),
        ep_(std::move(ep)),
        ssl_(std::move(ctx)) {}

  asio::any_io_executor executor() const override { return ex_; }

  asio::awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    auto timeout = request.timeout.count() > 0 ? request.timeout : timeout_;
    bool reauthenticated = false;
    for (int attempt = 0;; ++attempt) {
      auto r = co_await send_once(request, timeout);
      if (!r) co_return r;
      // 401 with an exec plugin's token: fetch a new one and try once more (as client-go).
      if (r->status == 401 && token_ && !reauthenticated && token_->invalidate()) {
        reauthenticated = true;
        spdlog::info("kube: 401 on {} {}: fetching a new token from the exec plugin",
                     request.method, strip_query(request.target));
        --attempt;
        continue;
      }
      if (r->status != 429 || attempt >= options_.max_429_retries) co_return r;
      std::chrono::milliseconds wait = options_.default_retry_after;
      int64_t secs = 0;
      const std::string& ra = r->retry_after;
      if (auto [p, ec] = std::from_chars(ra.data(), ra.data() + ra.size(), secs);
          ec == std::errc() && secs >= 0) {
        wait = std::chrono::seconds(secs);
      }
      wait = std::min<std::chrono::milliseconds>(wait, options_.max_retry_after);
      spdlog::debug("kube: 429 on {} {}, retrying in {} ms", request.method,
                    strip_query(request.target), wait.count());
      asio::steady_timer timer(ex_, wait);
      co_await timer.async_wait(use_nothrow);
    }
  }

  asio::awaitable<Result<std::unique_ptr<ByteStream>>> open_stream(
      HttpRequest request, std::chrono::milliseconds idle_timeout) override {
    auto timeout = request.timeout.count() > 0 ? request.timeout : timeout_;
    auto conn = co_await connect(timeout);
    if (!conn) co_return tl::unexpected(conn.error());
    auto req = build(request);
    if (!req) co_return tl::unexpected(req.error());
    (*conn)->lowest().expires_after(timeout);
    auto [wec, wn] = co_await with_stream(
        **conn, [&](auto& s) { return http::async_write(s, *req, use_nothrow); });
    if (wec) co_return tl::unexpected(network_error(wec, describe(request)));
    auto parser = std::make_unique<http::response_parser<http::buffer_body>>();
    parser->body_limit(boost::none);
    auto [hec, hn] = co_await with_stream(**conn, [&](auto& s) {
      return http::async_read_header(s, (*conn)->buffer, *parser, use_nothrow);
    });
    if (hec) co_return tl::unexpected(network_error(hec, describe(request)));
    int status = int(parser->get().result_int());
    if (status < 200 || status > 299) {
      // An exec plugin's token refused: the next attempt (the informer's) fetches a new one.
      if (status == 401 && token_) token_->invalidate();
      // Read the (short) error body, then map it.
      std::string body;
      char buf[8192];
      while (!parser->is_done() && body.size() < (1u << 20)) {
        parser->get().body().data = buf;
        parser->get().body().size = sizeof(buf);
        auto [ec, n] = co_await with_stream(**conn, [&](auto& s) {
          return http::async_read_some(s, (*conn)->buffer, *parser, use_nothrow);
        });
        body.append(buf, sizeof(buf) - parser->get().body().size);
        if (ec && ec != http::error::need_buffer) break;
      }
      std::string retry_after(parser->get()[http::field::retry_after]);
      co_return tl::unexpected(error_from_response(status, body, retry_after));
    }
    co_return std::unique_ptr<ByteStream>(
        std::make_unique<HttpByteStream>(std::move(*conn), std::move(parser), idle_timeout));
  }

 private:
  static std::string_view strip_query(std::string_view target) {
    return target.substr(0, target.find('?'));
  }
  static std::string describe(const HttpRequest& r) {
    return fmt::format("{} {}", r.method, strip_query(r.target));
  }

  Result<http::request<http::string_body>> build(const HttpRequest& r) {
    http::verb verb = http::string_to_verb(r.method);
    if (verb == http::verb::unknown) {
      return fail(ErrorCode::BadRequest, fmt::format("unknown HTTP method {}", r.method));
    }
    http::request<http::string_body> req{verb, ep_.base_path + r.target, 11};
    req.set(http::field::host, ep_.host_header);
    req.set(http::field::user_agent, user_agent_);
    req.set(http::field::accept, r.accept);
    if (token_) {
      auto t = token_->token();
      if (!t) return tl::unexpected(t.error());
      if (!t->empty()) req.set(http::field::authorization, "Bearer " + *t);
    }
    if (!r.content_type.empty()) req.set(http::field::content_type, r.content_type);
    req.body() = r.body;
    req.keep_alive(true);
    req.prepare_payload();
    return req;
  }

  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(std::chrono::milliseconds timeout) {
    auto conn = std::make_unique<Connection>();
    tcp::resolver resolver(ex_);
    auto [rec, endpoints] = co_await resolver.async_resolve(ep_.host, ep_.port, use_nothrow);
    if (rec) co_return tl::unexpected(network_error(rec, fmt::format("resolve {}", ep_.host)));
    if (ep_.tls) {
      conn->tls.emplace(ex_, *ssl_);
    } else {
      conn->plain.emplace(ex_);
    }
    conn->lowest().expires_after(timeout);
    auto [cec, ep] = co_await conn->lowest().async_connect(endpoints, use_nothrow);
    if (cec) {
      co_return tl::unexpected(
          network_error(cec, fmt::format("connect to {}:{}", ep_.host, ep_.port)));
    }
    if (ep_.tls) {
      if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), verify_name_.c_str())) {
        co_return fail(ErrorCode::Network, "TLS: cannot set SNI host name");
      }
      if (verify_) conn->tls->set_verify_callback(ssl::host_name_verification(verify_name_));
      auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, use_nothrow);
      if (hec) {
        co_return tl::unexpected(
            network_error(hec, fmt::format("TLS handshake with {}:{}", ep_.host, ep_.port)));
      }
    }
    co_return conn;
  }

  asio::awaitable<Result<HttpResponse>> send_once(const HttpRequest& request,
                                                  std::chrono::milliseconds timeout) {
    auto req = build(request);
    if (!req) co_return tl::unexpected(req.error());
    for (int try_fresh = 0; try_fresh < 2; ++try_fresh) {
      std::unique_ptr<Connection> conn;
      bool reused = false;
      while (try_fresh == 0 && !idle_.empty() && !conn) {
        conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->peer_gone()) {
          conn->close();
          conn.reset();
        }
      }
      if (conn) {
        reused = true;
      } else {
        auto c = co_await connect(timeout);
        if (!c) co_return tl::unexpected(c.error());
        conn = std::move(*c);
      }
      conn->lowest().expires_after(timeout);
      auto [wec, wn] = co_await with_stream(
          *conn, [&](auto& s) { return http::async_write(s, *req, use_nothrow); });
      // A reused connection may have died since the check above. Requests are replayed on a
      // fresh connection only when that cannot apply a change twice: nothing was written, or
      // the method is idempotent and no response byte arrived.
      const bool idempotent = request.method == "GET" || request.method == "HEAD" ||
                              request.method == "PUT" || request.method == "DELETE";
      if (wec) {
        conn->close();
        if (reused && wn == 0 && wec != beast::error::timeout) continue;
        co_return tl::unexpected(network_error(wec, describe(request)));
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxBody);
      auto [rec, rn] = co_await with_stream(
          *conn, [&](auto& s) { return http::async_read(s, conn->buffer, parser, use_nothrow); });
      if (rec) {
        conn->close();
        if (reused && idempotent && !parser.got_some() && rec != beast::error::timeout) continue;
        co_return tl::unexpected(network_error(rec, describe(request)));
      }
      auto& res = parser.get();
      HttpResponse out;
      out.status = int(res.result_int());
      out.retry_after = std::string(res[http::field::retry_after]);
      bool keep = res.keep_alive();
      out.body = std::move(res.body());
      if (keep && idle_.size() < options_.max_idle_connections) {
        conn->buffer.clear();
        idle_.push_back(std::move(conn));
      } else {
        conn->close();
      }
      co_return out;
    }
    co_return fail(ErrorCode::Network, fmt::format("{}: connection lost", describe(request)));
  }

  asio::any_io_executor ex_;
  std::shared_ptr<TokenSource> token_;
  std::string user_agent_;
  std::chrono::milliseconds timeout_;
  std::string verify_name_;
  bool verify_;
  TransportOptions options_;
  Endpoint ep_;
  std::optional<ssl::context> ssl_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

Result<std::unique_ptr<Transport>> make_http_transport(asio::any_io_executor executor,
                                                       const Config& config,
                                                       TransportOptions options) {
  auto ep = parse_server(config.server);
  if (!ep) return tl::unexpected(ep.error());
  std::optional<ssl::context> ctx;
  if (ep->tls) {
    ctx.emplace(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (config.insecure_skip_tls_verify) {
      ctx->set_verify_mode(ssl::verify_none, ec);
    } else {
      ctx->set_verify_mode(ssl::verify_peer, ec);
      if (!config.ca_pem.empty()) {
        ctx->add_certificate_authority(asio::buffer(config.ca_pem), ec);
        if (ec)
          return fail(ErrorCode::BadConfig, fmt::format("certificate authority: {}", ec.message()));
      } else {
        ctx->set_default_verify_paths(ec);
      }
    }
    if (!config.client_cert_pem.empty()) {
      ctx->use_certificate_chain(asio::buffer(config.client_cert_pem), ec);
      if (ec)
        return fail(ErrorCode::BadConfig, fmt::format("client certificate: {}", ec.message()));
      ctx->use_private_key(asio::buffer(config.client_key_pem), ssl::context::pem, ec);
      if (ec) return fail(ErrorCode::BadConfig, fmt::format("client key: {}", ec.message()));
    }
  } else if (config.token) {
    spdlog::warn("kube: sending a bearer token over plain HTTP to {}", config.server);
  }
  return std::unique_ptr<Transport>(std::make_unique<HttpTransport>(
      std::move(executor), config, options, std::move(*ep), std::move(ctx)));
}

}  // namespace zk::kube
