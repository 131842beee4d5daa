#include "app/access_review.h"

#include <fmt/format.h>

#include "api/kind.h"
#include "model/ascii.h"

namespace zk::app {

namespace json = boost::json;

namespace {

const json::value* at(const json::value& v, std::string_view a, std::string_view b) {
  const json::object* o = v.if_object();
  if (!o) return nullptr;
  const json::value* x = o->if_contains(a);
  if (!x || !x->is_object()) return nullptr;
  return x->as_object().if_contains(b);
}

std::string describe(const Permission& p) {
  std::string where = p.ns.empty() ? "in all namespaces" : fmt::format("in namespace {}", p.ns);
  if (!p.name.empty())
    return fmt::format("{} {}.{} {} {}", p.verb, p.resource, api::kGroup, p.name, where);
  return fmt::format("{} {}.{} {}", p.verb, p.resource, api::kGroup, where);
}

}  // namespace

Permission read_permission() {
  return {"list", std::string(api::kDNSZones), "", ""};
}

Permission resync_permission(std::string_view zone_key) {
  auto slash = zone_key.find('/');
  if (zone_key.empty() || slash == std::string_view::npos) {
    return {"update", std::string(api::kDNSZones), "", ""};
  }
  return {"update", std::string(api::kDNSZones), std::string(zone_key.substr(0, slash)),
          std::string(zone_key.substr(slash + 1))};
}

std::optional<std::string> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  // The scheme is case-insensitive (RFC 9110).
  if (!model::ascii_iequals(authorization.substr(0, kScheme.size()), kScheme)) return std::nullopt;
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.find_first_of(" \t\r\n") != std::string_view::npos)
    return std::nullopt;
  return std::string(token);
}

json::object token_review(const std::string& token) {
  return json::object{{"apiVersion", "authentication.k8s.io/v1"},
                      {"kind", "TokenReview"},
                      {"spec", json::object{{"token", token}}}};
}

std::optional<Subject> reviewed_subject(const json::value& answer, Verdict& refused) {
  const json::value* ok = at(answer, "status", "authenticated");
  const json::value* user = at(answer, "status", "user");
  if (!ok || !ok->is_bool() || !ok->as_bool() || !user || !user->is_object()) {
    refused.status = 401;
    const json::value* error = at(answer, "status", "error");
    refused.message =
        error && error->is_string() && !error->as_string().empty()
            ? fmt::format("the token was not accepted: {}", error->as_string().c_str())
            : "the token was not accepted by the API server";
    return std::nullopt;
  }
  Subject s;
  const json::object& u = user->as_object();
  if (const json::value* name = u.if_contains("username"); name && name->is_string()) {
    s.username = std::string(name->as_string());
    s.fields["user"] = *name;
  }
  for (std::string_view key : {"uid", "groups", "extra"}) {
    if (const json::value* v = u.if_contains(key)) s.fields[key] = *v;
  }
  return s;
}

json::object access_review(const Subject& who, const Permission& p) {
  json::object attrs{{"group", api::kGroup}, {"resource", p.resource}, {"verb", p.verb}};
  if (!p.ns.empty()) attrs["namespace"] = p.ns;
  if (!p.name.empty()) attrs["name"] = p.name;
  json::object spec = who.fields;
  spec["resourceAttributes"] = std::move(attrs);
  return json::object{{"apiVersion", "authorization.k8s.io/v1"},
                      {"kind", "SubjectAccessReview"},
                      {"spec", std::move(spec)}};
}

Verdict access_verdict(const json::value& answer, const Subject& who, const Permission& p) {
  Verdict v;
  v.user = who.username;
  const json::value* allowed = at(answer, "status", "allowed");
  if (allowed && allowed->is_bool() && allowed->as_bool()) return v;
  v.status = 403;
  v.message =
      fmt::format("{} may not {}", who.username.empty() ? "this user" : who.username, describe(p));
  const json::value* reason = at(answer, "status", "reason");
  if (reason && reason->is_string() && !reason->as_string().empty()) {
    v.message += fmt::format(" ({})", reason->as_string().c_str());
  }
  return v;
}

}  // namespace zk::app
