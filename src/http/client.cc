// Client: the one translation unit with Boost.Beast's client side (HTTP/1.1 over TCP or TLS).
#include "http/client.h"

#include <optional>
#include <vector>

#include <sys/socket.h>
#include <cerrno>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace zk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadConfig:
      return "BadConfig";
    case ErrorCode::BadRequest:
      return "BadRequest";
    case ErrorCode::Network:
      return "Network";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::Cancelled:
      return "Cancelled";
  }
  return "Network";
}

std::string describe(std::string_view method, std::string_view target) {
  return fmt::format("{} {}", method, target.substr(0, target.find('?')));
}

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

struct Endpoint {
  bool tls = true;
  std::string host;  // without brackets
  std::string port;
  std::string host_header;
  std::string base_path;  // "" or "/prefix" (no trailing slash)
};

Result<Endpoint> parse_url(std::string_view url) {
  Endpoint ep;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    ep.tls = false;
    rest = url.substr(7);
  } else {
    return fail(ErrorCode::BadConfig, fmt::format("server \"{}\" is not an http(s) URL", url));
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    ep.base_path = std::string(rest.substr(slash));
    while (!ep.base_path.empty() && ep.base_path.back() == '/') ep.base_path.pop_back();
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail(ErrorCode::BadConfig, "server URL must not carry credentials (user@host)");
  }
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail(ErrorCode::BadConfig, fmt::format("server \"{}\": bad IPv6 literal", url));
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
    return fail(ErrorCode::BadConfig, fmt::format("server \"{}\" has no host", url));
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

class BeastByteStream final : public ByteStream {
 public:
  BeastByteStream(std::unique_ptr<Connection> conn,
                  std::unique_ptr<bhttp::response_parser<bhttp::buffer_body>> parser,
                  std::chrono::milliseconds idle_timeout)
      : conn_(std::move(conn)), parser_(std::move(parser)), idle_timeout_(idle_timeout) {}
  ~BeastByteStream() override { conn_->close(); }

  asio::awaitable<Result<std::string_view>> read_some() override {
    while (true) {
      if (cancelled_) co_return fail(ErrorCode::Cancelled, "stream cancelled");
      if (parser_->is_done()) co_return std::string_view();
      parser_->get().body().data = chunk_;
      parser_->get().body().size = sizeof(chunk_);
      parser_->get().body().more = true;
      conn_->lowest().expires_after(idle_timeout_);
      auto [ec, n] = co_await with_stream(*conn_, [&](auto& s) {
        return bhttp::async_read_some(s, conn_->buffer, *parser_, use_nothrow);
      });
      size_t produced = sizeof(chunk_) - parser_->get().body().size;
      if (ec && ec != bhttp::error::need_buffer) {
        if (cancelled_) co_return fail(ErrorCode::Cancelled, "stream cancelled");
        if (produced > 0) {
          // Hand out what arrived; the error repeats on the next call.
          co_return std::string_view(chunk_, produced);
        }
        co_return tl::unexpected(network_error(ec, "stream"));
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
  std::unique_ptr<bhttp::response_parser<bhttp::buffer_body>> parser_;
  std::chrono::milliseconds idle_timeout_;
  bool cancelled_ = false;
  char chunk_[64 * 1024];
};

class BeastClient final : public Client {
 public:
  BeastClient(asio::any_io_executor ex, const Options& options, Endpoint ep,
              std::optional<ssl::context> ctx)
      : ex_(std::move(ex)),
        options_(options),
        verify_name_(options.tls_server_name.empty() ? ep.host : options.tls_server_name),
        ep_(std::move(ep)),
        ssl_(std::move(ctx)) {
    options_.client_key_pem.clear();  // loaded into the context; not kept twice
  }

  asio::any_io_executor executor() const override { return ex_; }
  bool tls() const override { return ep_.tls; }

  asio::awaitable<Result<Response>> send(const Request& request) override {
    auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
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
          *conn, [&](auto& s) { return bhttp::async_write(s, *req, use_nothrow); });
      // A reused connection may have died since the check above. Requests are replayed on a
      // fresh connection only when that cannot apply a change twice: nothing was written, or
      // the method is idempotent and no response byte arrived.
      const bool idempotent = request.method == "GET" || request.method == "HEAD" ||
                              request.method == "PUT" || request.method == "DELETE";
      if (wec) {
        conn->close();
        if (reused && wn == 0 && wec != beast::error::timeout) continue;
        co_return tl::unexpected(network_error(wec, describe(request.method, request.target)));
      }
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(options_.max_body_bytes);
      auto [rec, rn] = co_await with_stream(
          *conn, [&](auto& s) { return bhttp::async_read(s, conn->buffer, parser, use_nothrow); });
      if (rec) {
        conn->close();
        if (reused && idempotent && !parser.got_some() && rec != beast::error::timeout) continue;
        co_return tl::unexpected(network_error(rec, describe(request.method, request.target)));
      }
      auto& res = parser.get();
      Response out;
      out.status = int(res.result_int());
      out.retry_after = std::string(res[bhttp::field::retry_after]);
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
    co_return fail(ErrorCode::Network,
                   fmt::format("{}: connection lost", describe(request.method, request.target)));
  }

  asio::awaitable<Result<StreamResponse>> open_stream(
      const Request& request, std::chrono::milliseconds idle_timeout) override {
    auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
    auto conn = co_await connect(timeout);
    if (!conn) co_return tl::unexpected(conn.error());
    auto req = build(request);
    if (!req) co_return tl::unexpected(req.error());
    (*conn)->lowest().expires_after(timeout);
    auto [wec, wn] = co_await with_stream(
        **conn, [&](auto& s) { return bhttp::async_write(s, *req, use_nothrow); });
    if (wec) co_return tl::unexpected(network_error(wec, describe(request.method, request.target)));
    auto parser = std::make_unique<bhttp::response_parser<bhttp::buffer_body>>();
    parser->body_limit(boost::none);
    auto [hec, hn] = co_await with_stream(**conn, [&](auto& s) {
      return bhttp::async_read_header(s, (*conn)->buffer, *parser, use_nothrow);
    });
    if (hec) co_return tl::unexpected(network_error(hec, describe(request.method, request.target)));
    StreamResponse out;
    out.status = int(parser->get().result_int());
    out.retry_after = std::string(parser->get()[bhttp::field::retry_after]);
    if (out.status < 200 || out.status > 299) {
      // Read the (short) error body.
      char buf[8192];
      while (!parser->is_done() && out.error_body.size() < (1u << 20)) {
        parser->get().body().data = buf;
        parser->get().body().size = sizeof(buf);
        auto [ec, n] = co_await with_stream(**conn, [&](auto& s) {
          return bhttp::async_read_some(s, (*conn)->buffer, *parser, use_nothrow);
        });
        out.error_body.append(buf, sizeof(buf) - parser->get().body().size);
        if (ec && ec != bhttp::error::need_buffer) break;
      }
      co_return out;
    }
    out.stream =
        std::make_unique<BeastByteStream>(std::move(*conn), std::move(parser), idle_timeout);
    co_return out;
  }

 private:
  Result<bhttp::request<bhttp::string_body>> build(const Request& r) {
    bhttp::verb verb = bhttp::string_to_verb(r.method);
    if (verb == bhttp::verb::unknown) {
      return fail(ErrorCode::BadRequest, fmt::format("unknown HTTP method {}", r.method));
    }
    bhttp::request<bhttp::string_body> req{verb, ep_.base_path + r.target, 11};
    req.set(bhttp::field::host, ep_.host_header);
    req.set(bhttp::field::user_agent, options_.user_agent);
    req.set(bhttp::field::accept, r.accept);
    if (!r.authorization.empty()) req.set(bhttp::field::authorization, r.authorization);
    if (!r.content_type.empty()) req.set(bhttp::field::content_type, r.content_type);
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
      if (!options_.insecure_skip_tls_verify) {
        conn->tls->set_verify_callback(ssl::host_name_verification(verify_name_));
      }
      auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, use_nothrow);
      if (hec) {
        co_return tl::unexpected(
            network_error(hec, fmt::format("TLS handshake with {}:{}", ep_.host, ep_.port)));
      }
    }
    co_return conn;
  }

  asio::any_io_executor ex_;
  Options options_;
  std::string verify_name_;
  Endpoint ep_;
  std::optional<ssl::context> ssl_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

Result<std::unique_ptr<Client>> Client::make(asio::any_io_executor executor,
                                             const Options& options) {
  auto ep = parse_url(options.url);
  if (!ep) return tl::unexpected(ep.error());
  std::optional<ssl::context> ctx;
  if (ep->tls) {
    ctx.emplace(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (options.insecure_skip_tls_verify) {
      ctx->set_verify_mode(ssl::verify_none, ec);
    } else {
      ctx->set_verify_mode(ssl::verify_peer, ec);
      if (!options.ca_pem.empty()) {
        ctx->add_certificate_authority(asio::buffer(options.ca_pem), ec);
        if (ec)
          return fail(ErrorCode::BadConfig, fmt::format("certificate authority: {}", ec.message()));
      } else {
        ctx->set_default_verify_paths(ec);
      }
    }
    if (!options.client_cert_pem.empty()) {
      ctx->use_certificate_chain(asio::buffer(options.client_cert_pem), ec);
      if (ec)
        return fail(ErrorCode::BadConfig, fmt::format("client certificate: {}", ec.message()));
      ctx->use_private_key(asio::buffer(options.client_key_pem), ssl::context::pem, ec);
      if (ec) return fail(ErrorCode::BadConfig, fmt::format("client key: {}", ec.message()));
    }
  }
  return std::unique_ptr<Client>(
      std::make_unique<BeastClient>(std::move(executor), options, std::move(*ep), std::move(ctx)));
}

}  // namespace zk::http
