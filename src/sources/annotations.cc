#include "sources/annotations.h"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "api/json_fields.h"

namespace zk::sources {

using model::invalid;
using model::Parsed;
namespace json = api::json;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

const boost::json::object* annotations_of(const boost::json::value& object) {
  const auto* a = json::member(json::member(&object, "metadata"), "annotations");
  return a && a->is_object() ? &a->as_object() : nullptr;
}

std::optional<std::string> string_at(const boost::json::object* a, const std::string& key) {
  if (!a) return std::nullopt;
  const auto* v = a->if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

constexpr int64_t kMaxTtl = 2147483647;

// Go's time.ParseDuration: [-+]? (decimal unit)+ with units ns us µs ms s m h.
Parsed<double> parse_go_duration(std::string_view s) {
  std::string_view orig = s;
  if (s.empty()) return invalid("empty duration");
  bool neg = false;
  if (s.front() == '-' || s.front() == '+') {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0.0;
  if (s.empty()) return invalid(fmt::format("\"{}\" is not a duration", orig));
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    double v = 0;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + (s[i] - '0');
      digits = true;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        v += (s[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits) return invalid(fmt::format("\"{}\" is not a duration", orig));
    size_t u = i;
    while (u < s.size() && !std::isdigit(static_cast<unsigned char>(s[u])) && s[u] != '.') ++u;
    std::string_view unit = s.substr(i, u - i);
    double mult = 0;
    if (unit == "h")
      mult = 3600;
    else if (unit == "m")
      mult = 60;
    else if (unit == "s")
      mult = 1;
    else if (unit == "ms")
      mult = 1e-3;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1e-6;
    else if (unit == "ns")
      mult = 1e-9;
    else
      return invalid(fmt::format("\"{}\": unknown or missing unit \"{}\"", orig, unit));
    total += v * mult;
    if (total > 1e12) return invalid(fmt::format("\"{}\" is too long", orig));
    s.remove_prefix(u);
  }
  return neg ? -total : total;
}

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    auto part = trim(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Parsed<std::optional<int64_t>> parse_ttl(std::string_view text) {
  auto t = trim(text);
  if (t.empty()) return invalid("ttl: empty value");
  bool all_digits = true;
  for (char c : t) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  int64_t seconds = 0;
  if (all_digits) {
    if (t.size() > 10) return invalid(fmt::format("ttl \"{}\": larger than {}", text, kMaxTtl));
    for (char c : t) seconds = seconds * 10 + (c - '0');
  } else {
    auto d = parse_go_duration(t);
    if (!d)
      return invalid(fmt::format("ttl: {} (use seconds, e.g. \"60\", or a duration such as \"5m\")",
                                 d.error()));
    seconds = static_cast<int64_t>(std::floor(*d));
  }
  if (seconds == 0 && all_digits) return std::optional<int64_t>();
  if (seconds < 1 || seconds > kMaxTtl)
    return invalid(fmt::format("ttl \"{}\": must be from 1 to {} seconds", text, kMaxTtl));
  return std::optional<int64_t>(seconds);
}

std::optional<std::string> annotation(const boost::json::value& object, std::string_view name) {
  const auto* a = annotations_of(object);
  for (auto prefix : {kZkPrefix, kExtDnsPrefix, kExtDnsAlphaPrefix}) {
    if (auto v = string_at(a, fmt::format("{}{}", prefix, name))) return v;
  }
  return std::nullopt;
}

Annotations read_annotations(const boost::json::value& object) {
  Annotations out;
  const auto* a = annotations_of(object);
  if (auto ex = string_at(a, fmt::format("{}exclude", kZkPrefix)); ex && trim(*ex) == "true") {
    out.excluded = fmt::format("annotation {}exclude is \"true\"", kZkPrefix);
  }
  for (auto prefix : {kExtDnsPrefix, kExtDnsAlphaPrefix}) {
    auto key = fmt::format("{}controller", prefix);
    if (auto c = string_at(a, key); c && out.excluded.empty() && *c != "dns-controller") {
      out.excluded = fmt::format("annotation {} is \"{}\" (not dns-controller)", key, *c);
    }
  }
  if (auto h = annotation(object, "hostname")) out.hostnames = split_list(*h);
  if (auto t = annotation(object, "target")) out.targets = split_list(*t);
  if (auto t = annotation(object, "ttl")) {
    auto ttl = parse_ttl(*t);
    if (ttl)
      out.ttl = *ttl;
    else
      out.problems.push_back(fmt::format("annotation {}; the default TTL applies", ttl.error()));
  }
  return out;
}

Parsed<std::string> source_id(std::string_view kind, const boost::json::value& object) {
  const auto* md = json::member(&object, "metadata");
  auto name = json::req_string(json::member(md, "name"), "metadata.name");
  if (!name) return tl::unexpected(name.error());
  if (name->empty()) return invalid("metadata.name: must not be empty");
  auto ns = json::opt_string(json::member(md, "namespace"), "metadata.namespace");
  if (!ns) return tl::unexpected(ns.error());
  return fmt::format("{}/{}/{}", kind, ns->value_or(""), *name);
}

}  // namespace zk::sources
