// Technitium's HTTP API as calls that either answer or fail in our words: the token in the
// Authorization header (never the URL), every parameter in a form-encoded POST body, a rate
// limit, and capped exponential backoff with jitter on 5xx and network errors.
//
//   auto api = TechnitiumApi::make(ex, {.url = "http://127.0.0.1:5380", .token = t}).value();
//   auto r = co_await api->call("/api/zones/records/get", {{"domain", "example.test"}, …});
//   if (!r && r.error().kind == ApiFailure::Kind::ZoneNotFound) …
//
// Technitium answers errors with HTTP 200 and {"status": "error" | "invalid-token"}; both
// become ApiFailures. With a user and password instead of a token, a session token is minted
// by /api/user/login (POST body) and minted again once when the server says it expired.
// Nothing here logs or returns a token or a password.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <tl/expected.hpp>

#include "http/client.h"
#include "providers/technitium_records.h"

namespace zk::providers {

struct ApiFailure {
  enum class Kind {
    Unreachable,   // connect / TLS / timeout, after the retries
    Auth,          // invalid-token, HTTP 401 / 403, login refused
    ServerError,   // HTTP 5xx after the retries, or an answer that is not the API's JSON
    ZoneNotFound,  // "No such zone was found"
    Refused,       // {"status": "error"} about this call (its errorMessage kept)
  };
  Kind kind = Kind::Refused;
  std::string message;
};

template <class T>
using ApiResult = tl::expected<T, ApiFailure>;

class TechnitiumApi {
 public:
  struct Options {
    std::string url;  // "http://host:5380" or "https://…" (a base path is kept)
    std::string ca_pem;
    bool insecure_skip_tls_verify = false;
    std::string token;                // an API token; or:
    std::string username, password;   // a user whose session token is minted
    double requests_per_second = 10;  // 0 = no limit
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    int max_attempts = 5;  // per call, on 5xx and network errors
    std::chrono::milliseconds backoff_base{100};
    std::chrono::milliseconds backoff_cap{5000};
  };

  static http::Result<std::unique_ptr<TechnitiumApi>> make(boost::asio::any_io_executor ex,
                                                           Options options);

  // POSTs `params` to `path`; the parsed JSON body when "status" is "ok".
  boost::asio::awaitable<ApiResult<boost::json::object>> call(std::string_view path,
                                                              technitium::Params params);
  size_t calls() const { return calls_; }  // HTTP requests sent (retries and logins included)

 private:
  TechnitiumApi(boost::asio::any_io_executor ex, Options options, std::unique_ptr<http::Client> c);
  boost::asio::awaitable<ApiResult<boost::json::object>> send(std::string_view path,
                                                              const technitium::Params& params,
                                                              bool authenticated);
  boost::asio::awaitable<ApiResult<void>> login();
  boost::asio::awaitable<void> pace();

  boost::asio::any_io_executor ex_;
  Options options_;
  std::unique_ptr<http::Client> http_;
  std::string session_;  // the token in use
  std::chrono::steady_clock::time_point next_slot_{};
  size_t calls_ = 0;
  uint64_t jitter_state_;
};

}  // namespace zk::providers
