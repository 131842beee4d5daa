#include "api/record_annotations.h"

#include <cctype>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "model/ascii.h"

namespace zk::api {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string text(const boost::json::value* annotations, std::string_view key, size_t limit) {
  const auto* v = json::member(annotations, key);
  if (!v || !v->is_string()) return "";
  std::string_view s = trimmed(v->as_string());
  return std::string(s.substr(0, limit));
}

struct UrlParts {
  std::string_view scheme, authority, path_and_rest;
};

UrlParts split(std::string_view url) {
  UrlParts p;
  auto colon = url.find("://");
  if (colon == std::string_view::npos) return p;
  p.scheme = url.substr(0, colon);
  std::string_view rest = url.substr(colon + 3);
  auto slash = rest.find_first_of("/?#");
  p.authority = rest.substr(0, slash);
  p.path_and_rest = slash == std::string_view::npos ? "" : rest.substr(slash);
  return p;
}

// The host of an authority ("[::1]:8080" → "[::1]", "127.0.0.1:80" → "127.0.0.1").
std::string_view host_of(std::string_view authority) {
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
  }
  return authority.substr(0, authority.find(':'));
}

bool loopback(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

}  // namespace

RecordAnnotations read_record_annotations(const boost::json::value& object) {
  const auto* ann = json::member(json::member(&object, "metadata"), "annotations");
  RecordAnnotations a;
  a.owner = text(ann, kOwnerAnnotation, kMaxAnnotationText);
  a.description = text(ann, kDescriptionAnnotation, kMaxAnnotationText);
  a.notify_url = text(ann, kNotifyUrlAnnotation, kMaxNotifyUrl + 1);
  return a;
}

model::Parsed<bool> check_notify_url(std::string_view url) {
  if (url.size() > kMaxNotifyUrl) {
    return model::invalid(
        fmt::format("{}: longer than {} characters", kNotifyUrlAnnotation, kMaxNotifyUrl));
  }
  UrlParts p = split(url);
  std::string scheme = model::ascii_lower(p.scheme);
  if (scheme != "https" && scheme != "http") {
    return model::invalid(
        fmt::format("{}: \"{}\" is not an http(s) URL", kNotifyUrlAnnotation, redacted_url(url)));
  }
  if (p.authority.find('@') != std::string_view::npos) {
    return model::invalid(fmt::format(
        "{}: credentials in the URL (user:password@) are not accepted; put a token in the path "
        "or query",
        kNotifyUrlAnnotation));
  }
  std::string_view host = host_of(p.authority);
  if (host.empty()) {
    return model::invalid(fmt::format("{}: the URL has no host", kNotifyUrlAnnotation));
  }
  if (url.find('#') != std::string_view::npos) {
    return model::invalid(fmt::format("{}: a URL with a #fragment", kNotifyUrlAnnotation));
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) {
      return model::invalid(
          fmt::format("{}: spaces or non-ASCII characters in the URL", kNotifyUrlAnnotation));
    }
  }
  if (scheme == "http" && !loopback(model::ascii_lower(host))) {
    return model::invalid(fmt::format(
        "{}: {} is plain http to {}, which is not loopback; use https (plain http is accepted "
        "only to 127.0.0.0/8, [::1] or localhost)",
        kNotifyUrlAnnotation, redacted_url(url), host));
  }
  return true;
}

std::string redacted_url(std::string_view url) {
  UrlParts p = split(url);
  if (p.scheme.empty()) return "(not a URL)";
  std::string_view authority = p.authority;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view path = p.path_and_rest.substr(0, p.path_and_rest.find_first_of("?#"));
  return fmt::format("{}://{}{}", model::ascii_lower(p.scheme), authority, path);
}

}  // namespace zk::api
