#include "providers/technitium_api.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "model/ascii.h"

namespace zk::providers {

namespace asio = boost::asio;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

ApiFailure failure(ApiFailure::Kind k, std::string message) {
  return ApiFailure{k, std::move(message)};
}

bool zone_not_found(std::string_view message) {
  const std::string m = model::ascii_lower(message);
  return m.find("no such zone") != std::string::npos ||
         m.find("zone was not found") != std::string::npos ||
         m.find("zone does not exist") != std::string::npos;
}

}  // namespace

http::Result<std::unique_ptr<TechnitiumApi>> TechnitiumApi::make(asio::any_io_executor ex,
                                                                 Options options) {
  http::Options o;
  o.url = options.url;
  o.ca_pem = options.ca_pem;
  o.insecure_skip_tls_verify = options.insecure_skip_tls_verify;
  o.request_timeout = options.timeout;
  o.max_idle_connections = 4;
  o.max_body_bytes = uint64_t(512) << 20;
  auto c = http::Client::make(ex, o);
  if (!c) return tl::unexpected(c.error());
  if (!(*c)->tls() && !options.url.starts_with("http://127.") &&
      !options.url.starts_with("http://[::1]") && !options.url.starts_with("http://localhost")) {
    spdlog::warn("technitium: {} is plain HTTP: the API token crosses the network unencrypted",
                 options.url);
  }
  return std::unique_ptr<TechnitiumApi>(
      new TechnitiumApi(std::move(ex), std::move(options), std::move(*c)));
}

TechnitiumApi::TechnitiumApi(asio::any_io_executor ex, Options options,
                             std::unique_ptr<http::Client> c)
    : ex_(std::move(ex)),
      options_(std::move(options)),
      http_(std::move(c)),
      session_(options_.token),
      jitter_state_(uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) | 1) {}

asio::awaitable<void> TechnitiumApi::pace() {
  if (options_.requests_per_second <= 0) co_return;
  auto now = std::chrono::steady_clock::now();
  auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / options_.requests_per_second));
  auto slot = std::max(now, next_slot_);
  next_slot_ = slot + interval;
  if (slot > now) {
    asio::steady_timer t(ex_, slot - now);
    co_await t.async_wait(use_nothrow);
  }
}

asio::awaitable<ApiResult<void>> TechnitiumApi::login() {
  technitium::Params credentials;
  credentials.emplace_back("user", options_.username);
  credentials.emplace_back("pass", options_.password);
  auto r = co_await send("/api/user/login", credentials, false);
  if (!r) {
    if (r.error().kind == ApiFailure::Kind::Refused) r.error().kind = ApiFailure::Kind::Auth;
    co_return tl::unexpected(r.error());
  }
  auto it = r->find("token");
  if (it == r->end() || !it->value().is_string()) {
    co_return tl::unexpected(failure(ApiFailure::Kind::Auth, "login answered without a token"));
  }
  session_ = std::string(it->value().as_string());
  co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<boost::json::object>> TechnitiumApi::call(std::string_view path,
                                                                    technitium::Params params) {
  bool can_login = !options_.username.empty();
  if (session_.empty() && can_login) {
    auto l = co_await login();
    if (!l) co_return tl::unexpected(l.error());
  }
  auto r = co_await send(path, params, true);
  if (!r && r.error().kind == ApiFailure::Kind::Auth && can_login) {
    // The session expired (Technitium's sessions time out when idle): mint a new one, once.
    auto l = co_await login();
    if (!l) co_return tl::unexpected(l.error());
    r = co_await send(path, params, true);
  }
  co_return r;
}

asio::awaitable<ApiResult<boost::json::object>> TechnitiumApi::send(
    std::string_view path, const technitium::Params& params, bool authenticated) {
  http::Request req;
  req.method = "POST";
  req.target = std::string(path);
  req.content_type = "application/x-www-form-urlencoded";
  req.body = technitium::form_encode(params);
  if (authenticated && !session_.empty()) req.authorization = "Bearer " + session_;
  ApiFailure last;
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    if (attempt > 0) {
      // Capped exponential backoff with full jitter.
      auto cap = std::min<int64_t>(options_.backoff_cap.count(), options_.backoff_base.count()
                                                                     << std::min(attempt - 1, 20));
      jitter_state_ ^= jitter_state_ << 13;
      jitter_state_ ^= jitter_state_ >> 7;
      jitter_state_ ^= jitter_state_ << 17;
      auto wait =
          std::chrono::milliseconds(cap / 2 + int64_t(jitter_state_ % uint64_t(cap / 2 + 1)));
      spdlog::debug("technitium: {} failed ({}); retrying in {} ms", path, last.message,
                    wait.count());
      asio::steady_timer t(ex_, wait);
      co_await t.async_wait(use_nothrow);
    }
    co_await pace();
    ++calls_;
    auto r = co_await http_->send(req);
    if (!r) {
      last = failure(ApiFailure::Kind::Unreachable,
                     fmt::format("{} {}: {}", options_.url, path, r.error().message));
      continue;
    }
    if (r->status >= 500) {
      last = failure(ApiFailure::Kind::ServerError,
                     fmt::format("{} answered HTTP {} to {}", options_.url, r->status, path));
      continue;
    }
    if (r->status == 401 || r->status == 403) {
      co_return tl::unexpected(
          failure(ApiFailure::Kind::Auth,
                  fmt::format("{} answered HTTP {} to {}", options_.url, r->status, path)));
    }
    if (r->status != 200) {
      co_return tl::unexpected(
          failure(ApiFailure::Kind::ServerError,
                  fmt::format("{} answered HTTP {} to {}", options_.url, r->status, path)));
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(r->body, ec);
    if (ec || !v.is_object()) {
      co_return tl::unexpected(failure(ApiFailure::Kind::ServerError,
                                       fmt::format("{} answered {} with something that is not the "
                                                   "API's JSON",
                                                   options_.url, path)));
    }
    auto& o = v.as_object();
    std::string status;
    if (auto it = o.find("status"); it != o.end() && it->value().is_string()) {
      status = std::string(it->value().as_string());
    }
    std::string message;
    if (auto it = o.find("errorMessage"); it != o.end() && it->value().is_string()) {
      message = std::string(it->value().as_string());
    }
    if (status == "ok") co_return std::move(o);
    if (status == "invalid-token") {
      co_return tl::unexpected(
          failure(ApiFailure::Kind::Auth,
                  message.empty() ? std::string("invalid token or session expired") : message));
    }
    if (status == "error") {
      auto kind =
          zone_not_found(message) ? ApiFailure::Kind::ZoneNotFound : ApiFailure::Kind::Refused;
      co_return tl::unexpected(
          failure(kind, message.empty() ? "error without a message" : message));
    }
    co_return tl::unexpected(failure(ApiFailure::Kind::ServerError,
                                     fmt::format("{} answered {} with status \"{}\"", options_.url,
                                                 path, status.substr(0, 40))));
  }
  co_return tl::unexpected(last);
}

}  // namespace zk::providers
