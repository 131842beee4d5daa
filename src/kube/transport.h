// The HTTP layer under kube::Client, as an interface so that unit tests can substitute a fake.
//
//   auto t = kube::make_http_transport(io.get_executor(), cfg).value();
//   Result<HttpResponse> r = co_await t->send({.method = "GET", .target = "/version"});
//   Result<std::unique_ptr<ByteStream>> s = co_await t->open_stream({.method = "GET",
//                                                   .target = "/api/v1/configmaps?watch=1"});
//
// HttpTransport (make_http_transport) is the shared HTTP/1.1 client (http/client.h: TCP or
// TLS, keep-alive pool with safe replay, deadlines, streamed bodies for watches) plus the API's
// policies:
// - the bearer token of Config::token (an exec plugin's token is fetched again on a 401, once);
// - 429 Too Many Requests: waits Retry-After (capped) and retries, at most max_429_retries
//   times, then returns the 429 response;
// - every request has a deadline (Config::request_timeout, or HttpRequest::timeout).
// Non-2xx responses are returned as responses (send) — the Client maps them to Errors.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "kube/config.h"
#include "kube/error.h"

namespace zk::kube {

namespace asio = boost::asio;

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string target{};        // path + query, already encoded
  std::string body{};
  std::string content_type{};  // empty when there is no body
  std::string accept = "application/json";
  std::chrono::milliseconds timeout{0};  // 0 = Config::request_timeout
  // Not empty: sent as this bearer token instead of the configured credentials' (a request made
  // on behalf of a caller who gave us their token, e.g. the UI's record create).
  std::string bearer{};
};

struct HttpResponse {
  int status = 0;
  std::string body{};
  std::string retry_after{};  // raw header value, may be empty
};

// A response body delivered in pieces as it arrives (a watch).
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Next piece of body. Empty string = the server ended the body cleanly. The view is valid
  // until the next call. An error when the connection broke, the deadline passed (Timeout),
  // or cancel() was called (Cancelled).
  virtual asio::awaitable<Result<std::string_view>> read_some() = 0;
  // Aborts a pending read_some (from the same executor) and closes the connection.
  virtual void cancel() = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual asio::any_io_executor executor() const = 0;
  // One request/response; retried on 429 per the policy above.
  virtual asio::awaitable<Result<HttpResponse>> send(HttpRequest request) = 0;
  // Sends the request and returns after the response header. A non-2xx status yields the
  // mapped Error (body read fully first). `idle_timeout` bounds the wait for each piece.
  virtual asio::awaitable<Result<std::unique_ptr<ByteStream>>> open_stream(
      HttpRequest request, std::chrono::milliseconds idle_timeout) = 0;
};

struct TransportOptions {
  size_t max_idle_connections = 8;
  int max_429_retries = 3;
  std::chrono::seconds max_retry_after{10};  // longer Retry-After values are capped to this
  std::chrono::milliseconds default_retry_after{1000};  // 429 without Retry-After
};

// Fails with BadConfig when the TLS material in `config` is unusable or the server URL is not
// http(s)://host[:port].
Result<std::unique_ptr<Transport>> make_http_transport(asio::any_io_executor executor,
                                                       const Config& config,
                                                       TransportOptions options = {});

}  // namespace zk::kube
