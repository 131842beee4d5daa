#include "app/ds_config_maps.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "api/kind.h"
#include "kube/resource.h"
#include "managed/ds_config_map.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::seconds kRetryAfter{10};
constexpr std::chrono::seconds kRetryAtMost{300};

std::string want_key(const std::string& name, const std::string& text) {
  return name + '\n' + text;
}

Owner owner_of(const controller::ObjectRef& zone) {
  return Owner{std::string(api::kDNSZone), zone.ns, zone.name, zone.uid};
}

}  // namespace

DsConfigMaps::DsConfigMaps(asio::any_io_executor ex, std::shared_ptr<kube::Client> client,
                           controller::StatusSink& next)
    : ForwardingSink(next),
      state_(std::make_shared<State>(std::move(ex), std::move(client), &next)) {}

DsConfigMaps::~DsConfigMaps() {
  state_->next = nullptr;
}

void DsConfigMaps::clear() {
  State& st = *state_;
  st.listed = false;
  st.list_failures = 0;
  st.made.clear();
  st.written.clear();
  st.pending.clear();
  st.refused.clear();
  st.deployer.forget_all();
  ++st.epoch;
}

void DsConfigMaps::forget(const controller::ObjectRef& ref) {
  next_.forget(ref);
  if (ref.kind != api::kDNSZone || ref.uid.empty()) return;
  State& st = *state_;
  st.made.erase(ref.uid);
  st.written.erase(ref.uid);
  st.pending.erase(ref.uid);
  st.refused.erase(ref.uid);
}

void DsConfigMaps::zone_status(const controller::ZoneStatus& s) {
  next_.zone_status(s);
  if (!s.ds_config_map || s.ref.uid.empty()) return;  // the spec is not known: leave them be
  Want w;
  w.zone = s.ref;
  w.name = *s.ds_config_map;
  if (!w.name.empty()) {
    // The zone not reconciled on its Primaries yet (no status.dnssec, e.g. DNSSECNotSupported):
    // nothing to write, and nothing made before is taken away.
    if (!s.dnssec) return;
    auto zone = model::Name::parse(s.dnssec->zone);
    if (!zone) return;
    w.config_map =
        managed::ds_config_map({w.name, s.ref.ns, s.ref.name, s.ref.uid}, *zone, s.dnssec->ds);
    w.text = json::serialize(w.config_map);
  }
  State& st = *state_;
  if (auto r = st.refused.find(s.ref.uid); r != st.refused.end()) {
    if (r->second.want == want_key(w.name, w.text)) return;  // its timer tries it again
    st.refused.erase(r);
  }
  if (st.listed && !needs_work(st, w)) return;
  enqueue(state_, std::move(w));
}

void DsConfigMaps::enqueue(const std::shared_ptr<State>& st, Want w) {
  const std::string uid = w.zone.uid;
  st->pending.insert_or_assign(uid, std::move(w));
  if (!st->draining) {
    st->draining = true;
    asio::co_spawn(st->ex, drain(st), asio::detached);
  }
}

void DsConfigMaps::refuse(const std::shared_ptr<State>& st, const Want& w) {
  const std::string key = want_key(w.name, w.text);
  State::Refusal& r = st->refused[w.zone.uid];
  r.attempts = r.want == key ? r.attempts + 1 : 0;
  r.want = key;
  const auto after =
      std::min<std::chrono::seconds>(kRetryAfter * (1 << std::min(r.attempts, 5)), kRetryAtMost);
  r.until = Clock::now() + after;
  asio::co_spawn(st->ex, retry(st, w, st->epoch), asio::detached);
}

asio::awaitable<void> DsConfigMaps::retry(std::shared_ptr<State> st, Want w, uint64_t epoch) {
  auto r = st->refused.find(w.zone.uid);
  if (r == st->refused.end()) co_return;
  asio::steady_timer timer(st->ex, r->second.until);
  co_await timer.async_wait(asio::use_awaitable);
  if (!st->next || epoch != st->epoch) co_return;
  r = st->refused.find(w.zone.uid);
  // Meanwhile written, forgotten or wanted otherwise: nothing to try again.
  if (r == st->refused.end() || r->second.want != want_key(w.name, w.text)) co_return;
  if (Clock::now() < r->second.until || st->pending.contains(w.zone.uid)) co_return;
  enqueue(st, std::move(w));
}

bool DsConfigMaps::needs_work(const State& st, const Want& w) {
  if (!w.name.empty()) {
    auto it = st.written.find(w.zone.uid);
    if (it == st.written.end() || it->second != w.text) return true;
  }
  auto made = st.made.find(w.zone.uid);
  if (made == st.made.end()) return false;
  for (const std::string& name : made->second) {
    if (name != w.name) return true;
  }
  return false;
}

asio::awaitable<void> DsConfigMaps::drain(std::shared_ptr<State> st) {
  while (st->next && !st->pending.empty()) {
    if (!st->listed) {
      const bool listed = co_await list_made(st);
      if (!listed) {
        // Without the list, a ConfigMap made before could not be told from someone's: the
        // wants wait (one per zone, the latest) for the list to be tried again.
        retry_list(st);
        break;
      }
    }
    auto first = st->pending.begin();
    Want w = std::move(first->second);
    st->pending.erase(first);
    if (!needs_work(*st, w)) continue;
    co_await keep(st, std::move(w));
  }
  st->draining = false;
}

void DsConfigMaps::retry_list(const std::shared_ptr<State>& st) {
  if (st->list_retry) return;
  st->list_retry = true;
  const auto after = std::min<std::chrono::seconds>(
      kRetryAfter * (1 << std::min(st->list_failures, 5)), kRetryAtMost);
  ++st->list_failures;
  asio::co_spawn(st->ex, list_again(st, after, st->epoch), asio::detached);
}

asio::awaitable<void> DsConfigMaps::list_again(std::shared_ptr<State> st,
                                               std::chrono::seconds after, uint64_t epoch) {
  asio::steady_timer timer(st->ex, after);
  co_await timer.async_wait(asio::use_awaitable);
  st->list_retry = false;
  if (!st->next || epoch != st->epoch || st->pending.empty() || st->draining) co_return;
  st->draining = true;
  co_await drain(st);
}

asio::awaitable<bool> DsConfigMaps::list_made(std::shared_ptr<State> st) {
  const uint64_t epoch = st->epoch;
  kube::ListOptions o;
  o.label_selector = fmt::format("{}=true", managed::kDsConfigMapLabel);
  const kube::Resource& r = kube::resources::kConfigMaps;
  auto list = co_await st->client->list_all(r, "", o);
  if (!list) {
    spdlog::warn("listing the DS ConfigMaps ({}): {}", o.label_selector, list.error().to_string());
    co_return false;
  }
  if (epoch != st->epoch) co_return false;
  for (const json::object& item : list->items) {
    const json::value v(item);
    const std::string uid = owner_uid(v, api::kDNSZone);
    if (uid.empty()) continue;
    const json::value* name = v.at("metadata").as_object().if_contains("name");
    if (name && name->is_string()) st->made[uid].insert(std::string(name->get_string()));
  }
  st->listed = true;
  st->list_failures = 0;
  co_return true;
}

asio::awaitable<void> DsConfigMaps::keep(std::shared_ptr<State> st, Want w) {
  const uint64_t epoch = st->epoch;
  const Owner owner = owner_of(w.zone);
  const kube::Resource& r = kube::resources::kConfigMaps;
  auto refused = [&](const Blocked& b) {
    refuse(st, w);
    spdlog::warn("DNSZone {}/{}: dsConfigMap {}: {} ({})", w.zone.ns, w.zone.name, w.name,
                 b.message, b.reason);
    if (st->next) st->next->event(w.zone, true, b.reason, b.message);
  };
  if (!w.name.empty()) {
    auto it = st->written.find(w.zone.uid);
    if (it == st->written.end() || it->second != w.text) {
      json::object object = w.config_map;
      std::optional<Blocked> blocked = co_await st->deployer.apply(owner, r, std::move(object));
      if (epoch != st->epoch) co_return;
      if (blocked) {
        refused(*blocked);
        co_return;  // the ConfigMaps it had stay until the new one is written
      }
      spdlog::info("DNSZone {}/{}: DS records in ConfigMap {}", w.zone.ns, w.zone.name, w.name);
      st->written[w.zone.uid] = w.text;
      st->made[w.zone.uid].insert(w.name);
    }
  } else {
    st->written.erase(w.zone.uid);
  }
  std::set<std::string> old = st->made[w.zone.uid];
  for (const std::string& name : old) {
    if (name == w.name) continue;
    std::optional<Blocked> blocked = co_await st->deployer.remove(owner, r, name);
    if (epoch != st->epoch) co_return;
    if (blocked) {
      refused(*blocked);
      co_return;
    }
    spdlog::info("DNSZone {}/{}: ConfigMap {} deleted (no longer its dsConfigMap)", w.zone.ns,
                 w.zone.name, name);
    st->made[w.zone.uid].erase(name);
  }
  if (st->made[w.zone.uid].empty()) st->made.erase(w.zone.uid);
  st->refused.erase(w.zone.uid);
}

}  // namespace zk::app
