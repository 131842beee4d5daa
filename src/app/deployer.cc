#include "app/deployer.h"

#include <ctime>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "api/time.h"

namespace zk::app {

namespace json = boost::json;

namespace {

std::string verified_key(const kube::Resource& r, std::string_view ns, std::string_view name) {
  return fmt::format("{}/{}/{}", r.kind, ns, name);
}

}  // namespace

std::string owner_uid(const json::value& object, std::string_view owner_kind) {
  const json::object* o = object.if_object();
  const json::value* meta = o ? o->if_contains("metadata") : nullptr;
  const json::value* refs =
      meta && meta->is_object() ? meta->get_object().if_contains("ownerReferences") : nullptr;
  if (!refs || !refs->is_array()) return "";
  for (const json::value& r : refs->get_array()) {
    const json::object* ref = r.if_object();
    if (!ref) continue;
    const json::value* kind = ref->if_contains("kind");
    const json::value* uid = ref->if_contains("uid");
    const json::value* controller = ref->if_contains("controller");
    if (kind && kind->is_string() && kind->get_string() == owner_kind && uid && uid->is_string() &&
        controller && *controller == true) {
      return std::string(uid->get_string());
    }
  }
  return "";
}

Deployer::Deployer(std::shared_ptr<kube::Client> client) : client_(std::move(client)) {}

Blocked Deployer::refused(const kube::Error& e, std::string_view what) {
  if (e.code == kube::ErrorCode::Forbidden) {
    return Blocked{"DeployForbidden",
                   fmt::format("{}: {}; bind ClusterRole zonekeeper-bind9-deployer in this "
                               "namespace with a RoleBinding (docs/api.md, RBAC)",
                               what, e.message)};
  }
  return Blocked{"DeployFailed", fmt::format("{}: {}", what, e.to_string())};
}

boost::asio::awaitable<std::optional<Blocked>> Deployer::check_ours(const Owner& owner,
                                                                    const kube::Resource& r,
                                                                    const std::string& name,
                                                                    bool* absent) {
  const std::string k = verified_key(r, owner.ns, name);
  if (auto it = verified_.find(k); it != verified_.end() && it->second == owner.uid) {
    co_return std::nullopt;
  }
  auto current = co_await client_->get(r, owner.ns, name);
  if (!current && current.error().code != kube::ErrorCode::NotFound) {
    co_return refused(current.error(), fmt::format("get {} {}", r.kind, name));
  }
  if (absent) *absent = !current;
  if (current && owner_uid(json::value(*current), owner.kind) != owner.uid) {
    co_return Blocked{"NameTaken", fmt::format("{} {}/{} exists and is not this {}'s: "
                                               "zonekeeper leaves it alone",
                                               r.kind, owner.ns, name, owner.kind)};
  }
  verified_[k] = owner.uid;
  co_return std::nullopt;
}

boost::asio::awaitable<std::optional<Blocked>> Deployer::apply(const Owner& owner,
                                                               const kube::Resource& r,
                                                               json::object object) {
  const std::string name(object.at("metadata").at("name").as_string());
  if (auto b = co_await check_ours(owner, r, name)) co_return b;
  kube::ApplyOptions o;
  o.force = true;  // a field of ours that someone else changed is put back
  auto applied = co_await client_->apply(r, owner.ns, name, std::move(object), o);
  if (!applied) {
    forget(r, owner.ns, name);
    co_return refused(applied.error(), fmt::format("apply {} {}", r.kind, name));
  }
  co_return std::nullopt;
}

boost::asio::awaitable<std::optional<Blocked>> Deployer::remove(const Owner& owner,
                                                                const kube::Resource& r,
                                                                const std::string& name) {
  auto removed = co_await client_->remove(r, owner.ns, name);
  if (!removed && removed.error().code != kube::ErrorCode::NotFound) {
    co_return refused(removed.error(), fmt::format("delete {} {}", r.kind, name));
  }
  forget(r, owner.ns, name);
  co_return std::nullopt;
}

void Deployer::forget(const kube::Resource& r, std::string_view ns, std::string_view name) {
  verified_.erase(verified_key(r, ns, name));
}

void Deployer::forget_all() {
  verified_.clear();
}

int64_t Deployer::generation(const json::value& object) {
  const json::value* g = object.at("metadata").as_object().if_contains("generation");
  return g && g->is_int64() ? g->as_int64() : 0;
}

boost::asio::awaitable<bool> Deployer::write_status(const kube::Resource& r,
                                                    const json::value& object,
                                                    std::vector<api::Condition> conditions,
                                                    json::object fields) {
  const json::object& o = object.as_object();
  const json::object& meta = o.at("metadata").as_object();
  const std::string ns = meta.if_contains("namespace") && meta.at("namespace").is_string()
                             ? std::string(meta.at("namespace").get_string())
                             : std::string();
  const std::string name(meta.at("name").as_string());
  const int64_t generation = Deployer::generation(object);
  const json::object* current = o.if_contains("status") ? o.at("status").if_object() : nullptr;
  std::vector<api::Condition> merged;
  if (current && current->if_contains("conditions")) {
    merged = api::conditions_from_json(current->at("conditions"))
                 .value_or(std::vector<api::Condition>{});
  }
  const std::string now = api::format_rfc3339(std::time(nullptr));
  std::set<std::string> types;
  for (auto& c : conditions) {
    types.insert(c.type);
    (void)api::set_condition(merged, std::move(c), now);
  }
  std::vector<std::string> gone;
  for (const auto& c : merged) {
    if (!types.contains(c.type)) gone.push_back(c.type);
  }
  for (const auto& t : gone) api::remove_condition(merged, t);
  json::object status = std::move(fields);
  status["conditions"] = api::conditions_to_json(merged);
  status["observedGeneration"] = generation;
  if (current && json::value(*current) == json::value(status)) co_return true;
  json::object patch;
  patch["status"] = std::move(status);
  auto written = co_await client_->patch_status(r, ns, name, patch);
  if (!written && written.error().code != kube::ErrorCode::NotFound) {
    spdlog::warn("bind9: status of {} {}/{}: {}", r.kind, ns, name, written.error().to_string());
    co_return false;
  }
  co_return true;
}

}  // namespace zk::app
