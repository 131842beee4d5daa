#include "kube/error.h"
#include "kube/json_field.h"

#include <charconv>
#include <regex>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace zk::kube {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::Unauthorized:
      return "Unauthorized";
    case ErrorCode::Forbidden:
      return "Forbidden";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::Conflict:
      return "Conflict";
    case ErrorCode::AlreadyExists:
      return "AlreadyExists";
    case ErrorCode::Gone:
      return "Gone";
    case ErrorCode::Invalid:
      return "Invalid";
    case ErrorCode::BadRequest:
      return "BadRequest";
    case ErrorCode::TooManyRequests:
      return "TooManyRequests";
    case ErrorCode::ServerError:
      return "ServerError";
    case ErrorCode::Network:
      return "Network";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::BadConfig:
      return "BadConfig";
    case ErrorCode::Decode:
      return "Decode";
    case ErrorCode::Cancelled:
      return "Cancelled";
  }
  return "Unknown";
}

std::string_view Error::reason() const {
  return kube::to_string(code);
}

std::string Error::to_string() const {
  std::string out = fmt::format("{}: {}", reason(), message);
  for (const FieldCause& c : causes) {
    out += fmt::format("; {}: {}", c.field.empty() ? "(object)" : c.field, c.message);
  }
  return out;
}

namespace {

ErrorCode code_for_status(int status, std::string_view reason) {
  switch (status) {
    case 401:
      return ErrorCode::Unauthorized;
    case 403:
      return ErrorCode::Forbidden;
    case 404:
      return ErrorCode::NotFound;
    case 409:
      return reason == "AlreadyExists" ? ErrorCode::AlreadyExists : ErrorCode::Conflict;
    case 410:
      return ErrorCode::Gone;
    case 422:
      return ErrorCode::Invalid;
    case 429:
      return ErrorCode::TooManyRequests;
    case 504:
      return reason == "Timeout" ? ErrorCode::Timeout : ErrorCode::ServerError;
    default:
      break;
  }
  if (status >= 500) return ErrorCode::ServerError;
  if (status >= 400) return ErrorCode::BadRequest;
  if (reason == "Expired" || reason == "Gone") return ErrorCode::Gone;
  return ErrorCode::ServerError;
}

// "configmaps is forbidden: User \"x\" cannot list resource \"configmaps\" in API group \"\" ..."
void fill_forbidden(Error& e, const boost::json::object* details) {
  static const std::regex kVerbResource(R"(cannot ([A-Za-z]+) resource \"([^\"]+)\")");
  static const std::regex kApiGroup(R"(in API group \"([^\"]*)\")");
  static const std::regex kSubresource(R"(resource \"[^\"]+/([^\"]+)\")");
  std::smatch m;
  if (std::regex_search(e.message, m, kVerbResource)) {
    e.verb = m[1].str();
    e.resource = m[2].str();
    std::smatch g;
    if (std::regex_search(e.message, g, kApiGroup) && g[1].length() > 0 &&
        e.resource.find('.') == std::string::npos) {
      e.resource += "." + g[1].str();
    }
  } else if (details) {
    e.resource = string_at(*details, "kind");
  }
}

Error from_status_object(const boost::json::object& status, int http_status,
                         std::string_view retry_after) {
  Error e;
  std::string reason = string_at(status, "reason");
  int code = http_status;
  if (auto it = status.find("code"); it != status.end() && it->value().is_int64()) {
    int64_t c = it->value().get_int64();
    if (c >= 100 && c < 600 && (http_status == 0 || http_status == 200)) code = int(c);
  }
  e.http_status = code;
  e.code = code_for_status(code, reason);
  e.message = string_at(status, "message");
  if (e.message.empty()) e.message = reason.empty() ? fmt::format("HTTP {}", code) : reason;
  const boost::json::object* details = nullptr;
  if (auto it = status.find("details"); it != status.end() && it->value().is_object()) {
    details = &it->value().get_object();
    if (auto c = details->find("causes"); c != details->end() && c->value().is_array()) {
      for (const auto& cause : c->value().get_array()) {
        if (!cause.is_object()) continue;
        const auto& co = cause.get_object();
        e.causes.push_back(
            {string_at(co, "field"), string_at(co, "reason"), string_at(co, "message")});
      }
    }
    if (auto r = details->find("retryAfterSeconds"); r != details->end() && r->value().is_int64()) {
      e.retry_after = std::chrono::seconds(r->value().get_int64());
    }
  }
  if (e.code == ErrorCode::Forbidden) fill_forbidden(e, details);
  if (!retry_after.empty()) {
    int64_t secs = 0;
    auto [p, ec] =
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), secs);
    if (ec == std::errc() && secs >= 0) e.retry_after = std::chrono::seconds(secs);
  }
  return e;
}

}  // namespace

Error error_from_status(const boost::json::object& status, int fallback_status) {
  int code = fallback_status;
  if (auto it = status.find("code"); it != status.end() && it->value().is_int64()) {
    int64_t c = it->value().get_int64();
    if (c >= 100 && c < 600) code = int(c);
  }
  return from_status_object(status, code, {});
}

Error error_from_response(int http_status, std::string_view body, std::string_view retry_after) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (!ec && v.is_object() && string_at(v.get_object(), "kind") == "Status") {
    return from_status_object(v.get_object(), http_status, retry_after);
  }
  boost::json::object empty;
  Error e = from_status_object(empty, http_status, retry_after);
  // A non-Status body (proxy error page, plain text): keep a short, printable excerpt.
  std::string excerpt;
  for (char c : body.substr(0, 200)) excerpt += (c >= 0x20 && c < 0x7f) ? c : ' ';
  e.message = excerpt.empty() ? fmt::format("HTTP {}", http_status)
                              : fmt::format("HTTP {}: {}", http_status, excerpt);
  if (e.code == ErrorCode::Forbidden) fill_forbidden(e, nullptr);
  return e;
}

}  // namespace zk::kube
