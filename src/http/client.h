// An HTTP/1.1 client for one server (http:// or https://), shared by the edges that speak HTTP:
// the Kubernetes API client (kube/) and HTTP-API backends such as Technitium (providers/).
//
//   auto c = http::Client::make(ex, {.url = "https://127.0.0.1:6443", .ca_pem = pem}).value();
//   http::Result<http::Response> r = co_await c->send({.method = "GET", .target = "/version"});
//   auto s = co_await c->open_stream({.target = "/api/v1/pods?watch=1"}, 30s);  // a watch
//
// - keep-alive: finished connections go back to a small idle pool and are reused; a request
//   that fails on a reused connection is replayed once on a fresh connection only when that
//   cannot apply it twice (nothing written, or an idempotent method and no response byte);
// - every request has a deadline (Options::request_timeout, or Request::timeout);
// - TLS: the server is verified against `ca_pem` (else the system roots) and its name (SNI and
//   verification: `tls_server_name` or the URL's host) unless insecure_skip_tls_verify;
//   optional client certificate;
// - streams use a dedicated connection that is never pooled; the body is delivered as it
//   arrives, chunked or not.
// Every status is returned as a response: retry policies (429, 5xx) and what a status means
// belong to the caller. Errors never carry the Authorization header or a URL query.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <tl/expected.hpp>

namespace zk::http {

enum class ErrorCode {
  BadConfig,   // the URL or the TLS material is unusable
  BadRequest,  // the request itself cannot be sent (unknown method)
  Network,     // resolve / connect / TLS / read / write failure, connection lost
  Timeout,     // the deadline passed
  Cancelled,   // cancelled by us
};
std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Network;
  std::string message;  // never a credential
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

struct Request {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string target{};        // path + query, already encoded (after the URL's base path)
  std::string body{};
  std::string content_type{};  // empty when there is no body
  std::string accept = "application/json";
  std::string authorization{};           // the Authorization header value; a secret
  std::chrono::milliseconds timeout{0};  // 0 = Options::request_timeout
};

struct Response {
  int status = 0;
  std::string body{};
  std::string retry_after{};  // raw header value, may be empty
};

// A response body delivered in pieces as it arrives.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Next piece of body. Empty = the server ended the body cleanly. The view is valid until the
  // next call. An error when the connection broke, the deadline passed (Timeout), or cancel()
  // was called (Cancelled).
  virtual boost::asio::awaitable<Result<std::string_view>> read_some() = 0;
  // Aborts a pending read_some (from the same executor) and closes the connection.
  virtual void cancel() = 0;
};

// What open_stream returns: the status, and either the body as a stream (2xx) or the whole
// (short) error body.
struct StreamResponse {
  int status = 0;
  std::string error_body{};
  std::string retry_after{};
  std::unique_ptr<ByteStream> stream{};  // set for 2xx only
};

struct Options {
  std::string url{};  // "https://host[:port][/base]" or "http://…"
  std::string ca_pem{};
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name{};
  std::string client_cert_pem{};
  std::string client_key_pem{};  // secret
  std::string user_agent = "zonekeeper/0.1";
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  size_t max_idle_connections = 8;
  uint64_t max_body_bytes = uint64_t(2) << 30;
};

class Client {
 public:
  virtual ~Client() = default;
  // BadConfig when the URL is not http(s)://host[:port][/path] or the TLS material is unusable.
  static Result<std::unique_ptr<Client>> make(boost::asio::any_io_executor executor,
                                              const Options& options);

  virtual boost::asio::any_io_executor executor() const = 0;
  virtual bool tls() const = 0;
  // One request and its whole response.
  virtual boost::asio::awaitable<Result<Response>> send(const Request& request) = 0;
  // Sends the request and returns after the response header; `idle_timeout` bounds the wait
  // for each piece of a 2xx body.
  virtual boost::asio::awaitable<Result<StreamResponse>> open_stream(
      const Request& request, std::chrono::milliseconds idle_timeout) = 0;
};

// "GET /path" without the query (queries may hold secrets in other clients' URLs).
std::string describe(std::string_view method, std::string_view target);

}  // namespace zk::http
