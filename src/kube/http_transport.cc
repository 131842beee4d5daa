// HttpTransport: the Kubernetes API's policies over the shared HTTP client (http/client.h):
// the bearer token (an exec plugin's refreshed on 401), 429 Retry-After, errors as kube::Error.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/client.h"
#include "kube/transport.h"

namespace zk::kube {

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

Error from_http(const http::Error& e) {
  Error out;
  switch (e.code) {
    case http::ErrorCode::BadConfig:
      out.code = ErrorCode::BadConfig;
      break;
    case http::ErrorCode::BadRequest:
      out.code = ErrorCode::BadRequest;
      break;
    case http::ErrorCode::Network:
      out.code = ErrorCode::Network;
      break;
    case http::ErrorCode::Timeout:
      out.code = ErrorCode::Timeout;
      break;
    case http::ErrorCode::Cancelled:
      out.code = ErrorCode::Cancelled;
      break;
  }
  out.message = e.message;
  return out;
}

class HttpByteStream final : public ByteStream {
 public:
  explicit HttpByteStream(std::unique_ptr<http::ByteStream> s) : s_(std::move(s)) {}
  asio::awaitable<Result<std::string_view>> read_some() override {
    auto r = co_await s_->read_some();
    if (!r) {
      auto e = from_http(r.error());
      if (e.code != ErrorCode::Cancelled) e.message = "watch " + e.message;
      co_return tl::unexpected(std::move(e));
    }
    co_return *r;
  }
  void cancel() override { s_->cancel(); }

 private:
  std::unique_ptr<http::ByteStream> s_;
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(std::unique_ptr<http::Client> client, const Config& cfg, TransportOptions options)
      : client_(std::move(client)), token_(cfg.token), options_(options) {}

  asio::any_io_executor executor() const override { return client_->executor(); }

  asio::awaitable<Result<HttpResponse>> send(HttpRequest request) override {
    bool reauthenticated = false;
    for (int attempt = 0;; ++attempt) {
      auto req = to_http(request);
      if (!req) co_return tl::unexpected(req.error());
      auto r = co_await client_->send(*req);
      if (!r) co_return tl::unexpected(from_http(r.error()));
      HttpResponse out{r->status, std::move(r->body), std::move(r->retry_after)};
      // 401 with an exec plugin's token: fetch a new one and try once more (as client-go).
      if (out.status == 401 && token_ && request.bearer.empty() && !reauthenticated &&
          token_->invalidate()) {
        reauthenticated = true;
        spdlog::info("kube: 401 on {}: fetching a new token from the exec plugin",
                     http::describe(request.method, request.target));
        --attempt;
        continue;
      }
      if (out.status != 429 || attempt >= options_.max_429_retries) co_return out;
      std::chrono::milliseconds wait = options_.default_retry_after;
      int64_t secs = 0;
      const std::string& ra = out.retry_after;
      if (auto [p, ec] = std::from_chars(ra.data(), ra.data() + ra.size(), secs);
          ec == std::errc() && secs >= 0) {
        wait = std::chrono::seconds(secs);
      }
      wait = std::min<std::chrono::milliseconds>(wait, options_.max_retry_after);
      spdlog::debug("kube: 429 on {}, retrying in {} ms",
                    http::describe(request.method, request.target), wait.count());
      asio::steady_timer timer(client_->executor(), wait);
      co_await timer.async_wait(use_nothrow);
    }
  }

  asio::awaitable<Result<std::unique_ptr<ByteStream>>> open_stream(
      HttpRequest request, std::chrono::milliseconds idle_timeout) override {
    auto req = to_http(request);
    if (!req) co_return tl::unexpected(req.error());
    auto r = co_await client_->open_stream(*req, idle_timeout);
    if (!r) co_return tl::unexpected(from_http(r.error()));
    if (!r->stream) {
      // An exec plugin's token refused: the next attempt (the informer's) fetches a new one.
      if (r->status == 401 && token_) token_->invalidate();
      co_return tl::unexpected(error_from_response(r->status, r->error_body, r->retry_after));
    }
    co_return std::unique_ptr<ByteStream>(std::make_unique<HttpByteStream>(std::move(r->stream)));
  }

 private:
  Result<http::Request> to_http(const HttpRequest& r) {
    http::Request out;
    out.method = r.method;
    out.target = r.target;
    out.body = r.body;
    out.content_type = r.content_type;
    out.accept = r.accept;
    out.timeout = r.timeout;
    if (!r.bearer.empty()) {
      out.authorization = "Bearer " + r.bearer;
    } else if (token_) {
      auto t = token_->token();
      if (!t) return tl::unexpected(t.error());
      if (!t->empty()) out.authorization = "Bearer " + *t;
    }
    return out;
  }

  std::unique_ptr<http::Client> client_;
  std::shared_ptr<TokenSource> token_;
  TransportOptions options_;
};

}  // namespace

Result<std::unique_ptr<Transport>> make_http_transport(asio::any_io_executor executor,
                                                       const Config& config,
                                                       TransportOptions options) {
  http::Options o;
  o.url = config.server;
  o.ca_pem = config.ca_pem;
  o.insecure_skip_tls_verify = config.insecure_skip_tls_verify;
  o.tls_server_name = config.tls_server_name;
  o.client_cert_pem = config.client_cert_pem;
  o.client_key_pem = config.client_key_pem;
  o.user_agent = config.user_agent;
  o.request_timeout = config.request_timeout;
  o.max_idle_connections = options.max_idle_connections;
  auto client = http::Client::make(std::move(executor), o);
  if (!client) return tl::unexpected(from_http(client.error()));
  if (!(*client)->tls() && config.token) {
    spdlog::warn("kube: sending a bearer token over plain HTTP to {}", config.server);
  }
  return std::unique_ptr<Transport>(
      std::make_unique<HttpTransport>(std::move(*client), config, options));
}

}  // namespace zk::kube
