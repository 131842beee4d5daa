// Typed errors of the Kubernetes client. Every fallible call returns kube::Result<T>.
//
//   kube::Result<boost::json::object> cm = co_await client.get(resources::kConfigMaps, "ns", "x");
//   if (!cm && cm.error().code == ErrorCode::NotFound) { ... }
//   if (!cm) log("{}", cm.error().to_string());   // "Forbidden: cannot list configmaps: ..."
//
// Errors never carry credentials: messages come from the API server's Status or from our own
// wording, never from request headers or config secrets.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace boost::json {
class object;
}

namespace zk::kube {

enum class ErrorCode {
  Unauthorized,     // 401: no or bad credentials
  Forbidden,        // 403: RBAC said no; verb + resource filled in
  NotFound,         // 404 (also: resource type / CRD not served)
  Conflict,         // 409 with reason Conflict: stale resourceVersion (optimistic concurrency)
  AlreadyExists,    // 409 with reason AlreadyExists: create of an existing name
  Gone,             // 410 (HTTP or in a watch stream): resourceVersion compacted away
  Invalid,          // 422: the object failed validation; causes filled in
  BadRequest,       // other 4xx (400, 405, 406, 415 ...)
  TooManyRequests,  // 429 after the bounded Retry-After retries ran out
  ServerError,      // 5xx
  Network,          // connect / TLS / read / write failure, connection closed mid-response
  Timeout,          // the request deadline passed
  BadConfig,        // kubeconfig / in-cluster config unusable or unsupported
  Decode,           // the server (or a file) sent something we cannot parse
  Cancelled,        // the operation was cancelled by us (shutdown)
};

// One field-level problem reported by the server in Status.details.causes.
struct FieldCause {
  std::string field;    // e.g. "spec.ttl"
  std::string reason;   // e.g. "FieldValueInvalid"
  std::string message;  // server's wording
};

struct Error {
  ErrorCode code = ErrorCode::ServerError;
  std::string message;  // human-readable, never contains a secret
  int http_status = 0;  // 0 when no HTTP response was involved
  // Forbidden: the verb and resource the server refused ("list", "configmaps"); may be empty
  // when the server's message did not say.
  std::string verb;
  std::string resource;
  // Invalid: the server's field causes.
  std::vector<FieldCause> causes;
  // TooManyRequests / ServerError: the server's Retry-After, if any.
  std::chrono::seconds retry_after{0};

  // Stable identifier of the code ("Forbidden", "Gone", ...), safe for metrics labels.
  std::string_view reason() const;
  // "Forbidden: <message>" plus causes, for logs and status conditions.
  std::string to_string() const;
};

std::string_view to_string(ErrorCode code);

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return tl::unexpected<Error>(std::move(e));
}

// Maps an HTTP status and a (possibly empty or non-JSON) body to an Error. When the body is a
// metav1.Status the message, reason, details.causes and the verb/resource of a Forbidden are
// taken from it. `retry_after` is the raw Retry-After header value (seconds), may be empty.
Error error_from_response(int http_status, std::string_view body,
                          std::string_view retry_after = {});

// Maps a metav1.Status object (e.g. delivered in a watch ERROR event; its "code" decides the
// ErrorCode, `fallback_status` is used when it has none).
Error error_from_status(const boost::json::object& status, int fallback_status = 500);

}  // namespace zk::kube
