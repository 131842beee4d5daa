#include "api/bind9_spec.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "api/object_meta.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

namespace {

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}
bool digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// A resource name (a Kubernetes qualified name): [prefix/]name, the prefix an object name,
// the name [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of at most 63.
bool resource_name(std::string_view s) {
  auto slash = s.find('/');
  if (slash != std::string_view::npos) {
    if (!k8s_object_name(s.substr(0, slash))) return false;
    s.remove_prefix(slash + 1);
  }
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// A quantity: digits, an optional fraction, an optional suffix among `suffixes`.
bool quantity(std::string_view s, std::span<const std::string_view> suffixes) {
  for (std::string_view suffix : suffixes) {
    if (s.size() > suffix.size() && s.ends_with(suffix)) {
      s.remove_suffix(suffix.size());
      break;
    }
  }
  auto dot = s.find('.');
  if (!digits(s.substr(0, dot))) return false;
  return dot == std::string_view::npos || digits(s.substr(dot + 1));
}

// Bytes (spec.storage.size); resources also take milli-units (cpu: 100m).
constexpr std::array<std::string_view, 12> kStorageSuffixes = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
                                                               "k",  "M",  "G",  "T",  "P",  "E"};
constexpr std::array<std::string_view, 13> kResourceSuffixes = {
    "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E"};

// One element of BIND's address-match-list as allow-query takes it, or why not. It is written
// verbatim into named.conf, so nothing but these forms may pass: a keyword, an address, or
// address/prefix with no bit set beyond the prefix (named refuses "10.0.0.1/8"); IPv4 without
// leading zeros, IPv6 without a zone or an IPv4-mapped form (as the CRD's isIP/isCIDR).
std::optional<std::string> allow_query_problem(std::string_view e) {
  if (e.starts_with('!')) e.remove_prefix(1);
  if (e == "any" || e == "none" || e == "localhost" || e == "localnets") return std::nullopt;
  auto slash = e.find('/');
  std::string address(e.substr(0, slash));
  unsigned char bytes[16] = {};
  size_t size = 0;
  if (address.find('\0') != std::string::npos) {
    // inet_pton would stop at the NUL and accept what comes before it.
  } else if (inet_pton(AF_INET, address.c_str(), bytes) == 1) {
    size = 4;
  } else if (inet_pton(AF_INET6, address.c_str(), bytes) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(bytes, bytes + 12, kMapped)) {
      return "is an IPv4-mapped IPv6 address (write the IPv4 address)";
    }
    size = 16;
  }
  if (size == 0) {
    return "is not any, none, localhost, localnets, an IP address or address/prefix "
           "(optionally after one \"!\")";
  }
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view prefix = e.substr(slash + 1);
  unsigned bits = 0;
  bool number = digits(prefix) && prefix.size() <= 3 && (prefix.size() == 1 || prefix[0] != '0');
  if (number) {
    for (char c : prefix) bits = bits * 10 + static_cast<unsigned>(c - '0');
  }
  if (!number || bits > size * 8) {
    return fmt::format("has no prefix length from 0 to {} after the \"/\"", size * 8);
  }
  for (size_t bit = bits; bit < size * 8; ++bit) {
    if (bytes[bit / 8] & (0x80u >> (bit % 8))) {
      return fmt::format("has bits set beyond the prefix length /{} (named refuses it)", bits);
    }
  }
  return std::nullopt;
}

Parsed<std::map<std::string, std::string>> decode_quantities(const boost::json::value* v,
                                                             const std::string& path) {
  std::map<std::string, std::string> out;
  auto o = json::opt_object(v, path);
  if (!o) return tl::unexpected(o.error());
  if (!*o) return out;
  if ((*o)->size() > 16) return invalid(fmt::format("{}: at most 16 resources", path));
  for (const auto& [key, value] : **o) {
    std::string field = fmt::format("{}.{}", path, std::string_view(key));
    if (!resource_name(key)) {
      return invalid(fmt::format("{}: {} is not a resource name (e.g. cpu, memory)", path,
                                 json::describe(boost::json::string(key))));
    }
    if (value.is_string()) {
      std::string text(value.as_string());
      if (!quantity(text, kResourceSuffixes)) {
        return invalid(fmt::format("{}: {} is not a quantity (e.g. 100m, 0.5, 256Mi, 1Gi)", field,
                                   json::describe(value)));
      }
      out.emplace(std::string(key), std::move(text));
    } else if (value.is_null()) {
      continue;
    } else {
      auto n = json::opt_int(&value, field, 0, INT64_MAX);
      if (!n) {
        return invalid(fmt::format("{}: {} is not a quantity (e.g. 100m, 0.5, 256Mi, 1Gi)", field,
                                   json::describe(value)));
      }
      out.emplace(std::string(key), std::to_string(**n));
    }
  }
  return out;
}

}  // namespace

Parsed<bool> check_bind9_name(std::string_view name, size_t max, std::string_view why) {
  if (name.size() > max || !rfc1123_label(name) || !(name.front() >= 'a' && name.front() <= 'z')) {
    return invalid(fmt::format(
        "metadata.name: \"{}\" must be a DNS label of at most {} characters that starts with "
        "a letter ({})",
        name.substr(0, 80), max, why));
  }
  return true;
}

template <class T>
Parsed<bool> decode_bind9_server_settings(const boost::json::value& spec, T& b) {
  auto image = json::opt_string(json::member(&spec, "image"), "spec.image");
  if (!image) return tl::unexpected(image.error());
  if (*image) {
    if ((*image)->empty() || (*image)->size() > 512 ||
        (*image)->find_first_of(" \t\r\n\f\v") != std::string::npos) {
      return invalid(
          "spec.image: must be an image reference of 1 to 512 characters, without "
          "spaces");
    }
    b.image = std::move(**image);
  }
  auto policy = json::opt_string(json::member(&spec, "imagePullPolicy"), "spec.imagePullPolicy");
  if (!policy) return tl::unexpected(policy.error());
  if (*policy) {
    if (**policy != "Always" && **policy != "IfNotPresent" && **policy != "Never") {
      return invalid(fmt::format(
          "spec.imagePullPolicy: \"{}\" is not Always, IfNotPresent or Never", **policy));
    }
    b.image_pull_policy = std::move(**policy);
  }

  auto port = json::opt_int(json::member(&spec, "port"), "spec.port", 1, 65535);
  if (!port) return tl::unexpected(port.error());
  b.port = static_cast<uint16_t>(port->value_or(53));
  if (b.port == kBind9ControlPort) {
    return invalid(fmt::format(
        "spec.port: {} is named's control channel inside the Pod (rndc); choose another port",
        b.port));
  }
  if (b.port == kBind9AgentNotifyPort) {
    return invalid(fmt::format(
        "spec.port: {} is the agent's NOTIFY listener inside the Pod; choose another port",
        b.port));
  }

  auto allow = json::opt_array(json::member(&spec, "allowQuery"), "spec.allowQuery");
  if (!allow) return tl::unexpected(allow.error());
  if (*allow) {
    if ((*allow)->empty() || (*allow)->size() > 32) {
      return invalid("spec.allowQuery: 1 to 32 elements (\"none\" refuses every query)");
    }
    b.allow_query.clear();
    for (size_t i = 0; i < (*allow)->size(); ++i) {
      const auto& v = (**allow)[i];
      std::string path = fmt::format("spec.allowQuery[{}]", i);
      if (!v.is_string()) {
        return invalid(fmt::format("{}: must be a string, got {}", path, json::describe(v)));
      }
      if (auto problem = allow_query_problem(v.as_string())) {
        return invalid(fmt::format("{}: {} {}", path, json::describe(v), *problem));
      }
      b.allow_query.emplace_back(v.as_string());
    }
  }

  if (const auto* rate = json::member(&spec, "rateLimit")) {
    auto ro = json::opt_object(rate, "spec.rateLimit");
    if (!ro) return tl::unexpected(ro.error());
    auto rps = json::opt_int(json::member(rate, "responsesPerSecond"),
                             "spec.rateLimit.responsesPerSecond", 1, 10000);
    if (!rps) return tl::unexpected(rps.error());
    if (*rps) b.responses_per_second = static_cast<uint32_t>(**rps);
  }
  auto log_queries = json::opt_bool(json::member(&spec, "logQueries"), "spec.logQueries");
  if (!log_queries) return tl::unexpected(log_queries.error());
  b.log_queries = log_queries->value_or(false);
  auto allowed =
      opt_label_selector(json::member(&spec, "allowedNamespaces"), "spec.allowedNamespaces");
  if (!allowed) return tl::unexpected(allowed.error());
  b.allowed_namespaces = std::move(*allowed);
  return true;
}
template Parsed<bool> decode_bind9_server_settings(const boost::json::value&, Bind9Instance&);
template Parsed<bool> decode_bind9_server_settings(const boost::json::value&, Bind9Cluster&);

Parsed<Bind9Role> decode_bind9_role(const boost::json::value* role, std::string_view path) {
  Bind9Role b;
  if (!role) return b;
  auto o = json::opt_object(role, path);
  if (!o) return tl::unexpected(o.error());
  if (const auto* storage = json::member(role, "storage")) {
    std::string at = fmt::format("{}.storage", path);
    auto st = json::opt_object(storage, at);
    if (!st) return tl::unexpected(st.error());
    auto size = json::opt_string(json::member(storage, "size"), at + ".size");
    if (!size) return tl::unexpected(size.error());
    if (*size) {
      if (!quantity(**size, kStorageSuffixes)) {
        return invalid(
            fmt::format("{}.size: \"{}\" is not a quantity of bytes (e.g. 512Mi, 1Gi, 10G)", at,
                        (*size)->substr(0, 80)));
      }
      if ((*size)->find_first_of("123456789") == std::string::npos) {
        return invalid(fmt::format("{}.size: must be more than zero", at));
      }
      b.storage.size = std::move(**size);
    }
    auto sc = json::opt_string(json::member(storage, "storageClassName"), at + ".storageClassName");
    if (!sc) return tl::unexpected(sc.error());
    if (*sc) {
      if (!(*sc)->empty() && !k8s_object_name(**sc)) {
        return invalid(fmt::format("{}.storageClassName: \"{}\" is not a StorageClass name", at,
                                   (*sc)->substr(0, 80)));
      }
      b.storage.storage_class = std::move(**sc);
    }
    auto del = json::opt_bool(json::member(storage, "deleteOnRemove"), at + ".deleteOnRemove");
    if (!del) return tl::unexpected(del.error());
    b.storage.delete_on_remove = del->value_or(false);
  }

  if (const auto* resources = json::member(role, "resources")) {
    std::string at = fmt::format("{}.resources", path);
    auto ro = json::opt_object(resources, at);
    if (!ro) return tl::unexpected(ro.error());
    auto requests = decode_quantities(json::member(resources, "requests"), at + ".requests");
    if (!requests) return tl::unexpected(requests.error());
    b.requests = std::move(*requests);
    auto limits = decode_quantities(json::member(resources, "limits"), at + ".limits");
    if (!limits) return tl::unexpected(limits.error());
    b.limits = std::move(*limits);
  }
  return b;
}

}  // namespace zk::api
