#include "app/kube_status_writer.h"

#include <charconv>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/kind.h"
#include "api/time.h"
#include "kube/object.h"
#include "kube/packed_json.h"
#include "telemetry/logging.h"
#include "telemetry/metrics.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;
using controller::ObjectRef;

namespace {

std::optional<uint64_t> numeric(std::string_view rv) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), v);
  if (ec != std::errc() || p != rv.data() + rv.size()) return std::nullopt;
  return v;
}

// A body kept packed (kube::pack_json), parsed.
json::value parse_packed(std::string_view packed) {
  std::string text;
  kube::unpack_json(packed, text);
  return json::parse(text);
}

// metadata.annotations' zone annotation, given an object's metadata; null when absent.
const json::value* zone_annotation(const json::value* meta) {
  const auto* ann =
      meta && meta->is_object() ? meta->as_object().if_contains("annotations") : nullptr;
  return ann && ann->is_object() ? ann->as_object().if_contains(api::kZoneAnnotation) : nullptr;
}

std::string annotation_of(const json::value& object) {
  const auto* v =
      zone_annotation(object.is_object() ? object.as_object().if_contains("metadata") : nullptr);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

bool KubeStatusWriter::ours_stands(const Written& w, const kube::Object& cached) {
  auto mine = numeric(w.resource_version), theirs = numeric(cached.resource_version());
  return w.in_flight || cached.resource_version() == w.resource_version ||
         (mine && theirs && *theirs < *mine);
}

bool KubeStatusWriter::cache_shows(const Written& w, const kube::Object& cached) {
  if (w.in_flight || !w.stored.empty()) return false;
  if (cached.resource_version() == w.resource_version) return true;
  auto mine = numeric(w.resource_version), theirs = numeric(cached.resource_version());
  return mine && theirs && *theirs > *mine;
}

void KubeStatusWriter::keep_for_status(json::object& object) {
  object.erase("spec");
  json::value* meta = object.if_contains("metadata");
  if (!meta || !meta->is_object()) return;
  json::object kept(meta->storage());
  // In the API server's (sorted) order, which kube/packed_json's fragments follow.
  if (const json::value* zone = zone_annotation(meta)) {
    kept["annotations"] = json::object{{api::kZoneAnnotation, *zone}};
  }
  for (std::string_view k : {"name", "namespace", "resourceVersion", "uid"}) {
    if (const json::value* v = meta->as_object().if_contains(k)) kept[k] = *v;
  }
  *meta = std::move(kept);
}

KubeStatusWriter::KubeStatusWriter(
    std::shared_ptr<kube::Client> client,
    std::function<const kube::Store*(std::string_view kind)> store_of,
    std::function<const kube::Resource*(std::string_view kind)> resource_of,
    kube::EventRecorder& events, telemetry::Metrics& metrics, size_t concurrency)
    : client_(std::move(client)),
      store_of_(std::move(store_of)),
      resource_of_(std::move(resource_of)),
      events_(events),
      metrics_(metrics),
      concurrency_(std::max<size_t>(1, concurrency)),
      alive_(std::make_shared<bool>(true)) {}

KubeStatusWriter::~KubeStatusWriter() {
  *alive_ = false;
}

json::value KubeStatusWriter::current_status(const ObjectRef& ref, std::string* rv,
                                             std::string* annotation) {
  const kube::Store* store = store_of_(ref.kind);
  if (!store) return json::value(json::value_ref(nullptr));
  kube::ObjectPtr obj = store->get(ref.ns, ref.name);
  if (!obj) {
    *rv = "";
    return json::value();
  }
  *rv = std::string(obj->resource_version());
  std::string key = ref.key();
  // A status still queued is the one that will be written: compared with it, an unchanged
  // status is not queued (nor logged) again while the queue is long.
  if (auto p = pending_.find(key); p != pending_.end() && p->second.status) {
    if (annotation) *annotation = annotation_of(obj->parse());
    return parse_packed(*p->second.status);
  }
  if (auto w = written_.find(key); w != written_.end()) {
    if (ours_stands(w->second, *obj)) {
      if (annotation) *annotation = annotation_of(obj->parse());
      return parse_packed(w->second.status);
    }
    json::value whole = obj->parse();
    if (annotation) *annotation = annotation_of(whole);
    const auto* st = whole.as_object().if_contains("status");
    if (st && !w->second.stored.empty() && *st == json::parse(w->second.stored)) {
      return parse_packed(w->second.status);  // ours, as stored (pruned)
    }
    written_.erase(w);  // the cache caught up (or someone wrote after us): it is the truth
    return st ? *st : json::value();
  }
  json::value whole = obj->parse();
  if (annotation) *annotation = annotation_of(whole);
  if (const auto* st = whole.as_object().if_contains("status")) return *st;
  return json::value();
}

void KubeStatusWriter::record_status(const controller::RecordStatus& s) {
  std::string key = s.ref.key();
  // The zone annotation as we wrote it (until the cache shows our write), else as cached.
  auto ours = annotated_.find(key);
  std::string rv, cached;
  json::value cur = current_status(s.ref, &rv, ours == annotated_.end() ? &cached : nullptr);
  if (rv.empty()) return;  // not (or no longer) in the cache
  auto next = controller::merge_record_status(cur, s, api::format_rfc3339(std::time(nullptr)));
  std::optional<std::string> annotation;
  if ((ours != annotated_.end() ? ours->second : cached) != s.zone) annotation = s.zone;
  if (next) {
    telemetry::log(spdlog::level::debug,
                   {{"object", key}, {"zone", s.zone}, {"reason", s.ready.reason}},
                   s.ready.message);
    if (auto e = controller::record_verdict_event(cur, s))
      event(s.ref, e->warning, e->reason, e->note);
  }
  if (next || annotation) write(s.ref, std::move(next), std::move(annotation));
}

void KubeStatusWriter::zone_status(const controller::ZoneStatus& s) {
  std::string rv;
  json::value cur = current_status(s.ref, &rv);
  if (rv.empty()) return;
  auto now = std::time(nullptr);
  auto next = controller::merge_zone_status(cur, s, api::format_rfc3339(now), now);
  if (next) {
    if (auto e = controller::verdict_event(cur, s.ready))
      event(s.ref, e->warning, e->reason, e->note);
    telemetry::log(controller::is_failure(s.ready) ? spdlog::level::warn : spdlog::level::info,
                   {{"object", s.ref.key()}, {"reason", s.ready.reason}}, s.ready.message);
    write(s.ref, std::move(next), std::nullopt);
  }
}

void KubeStatusWriter::server_status(const controller::ServerStatus& s) {
  std::string rv;
  json::value cur = current_status(s.ref, &rv);
  if (rv.empty()) return;
  auto now = std::time(nullptr);
  auto next = controller::merge_server_status(cur, s, api::format_rfc3339(now), now);
  if (next) {
    telemetry::log(controller::is_failure(s.ready) ? spdlog::level::warn : spdlog::level::info,
                   {{"object", s.ref.key()}, {"reason", s.ready.reason}}, s.ready.message);
    write(s.ref, std::move(next), std::nullopt);
  }
}

void KubeStatusWriter::endpoint_status(const controller::EndpointStatus& s) {
  std::string rv;
  json::value cur = current_status(s.ref, &rv);
  if (rv.empty()) return;
  auto next = controller::merge_endpoint_status(cur, s, api::format_rfc3339(std::time(nullptr)));
  if (next) {
    telemetry::log(controller::is_failure(s.ready) ? spdlog::level::warn : spdlog::level::info,
                   {{"object", s.ref.key()}, {"reason", s.ready.reason}}, s.ready.message);
    write(s.ref, std::move(next), std::nullopt);
  }
}

void KubeStatusWriter::event(const ObjectRef& ref, bool warning, std::string_view reason,
                             std::string note) {
  kube::ObjectReference r;
  r.api_version = ref.api_version;
  r.kind = ref.kind;
  r.namespace_ = ref.ns;
  r.name = ref.name;
  r.uid = ref.uid;
  events_.record(r, warning ? kube::EventSeverity::Warning : kube::EventSeverity::Normal, reason,
                 "Reconcile", note);
  metrics_.event(reason);
}

void KubeStatusWriter::forget(const ObjectRef& ref) {
  std::string key = ref.key();
  written_.erase(key);
  annotated_.erase(key);
  pending_.erase(key);
}

void KubeStatusWriter::clear() {
  pending_.clear();
  order_.clear();
  annotated_.clear();  // another replica may write them next
}

void KubeStatusWriter::write(const ObjectRef& ref, std::optional<json::object> status,
                             std::optional<std::string> annotation) {
  std::string key = ref.key();
  auto [it, fresh] = pending_.try_emplace(key);
  if (status) it->second.status = kube::pack_json(json::serialize(*status));
  if (annotation) it->second.annotation = std::move(annotation);
  if (fresh) order_.push_back(key);
  ++activity_;
  kick();
  if (!settling_) {
    settling_ = true;
    asio::co_spawn(client_->executor(), settle(alive_), asio::detached);
  }
}

void KubeStatusWriter::kick() {
  while (running_ < concurrency_ && !order_.empty()) {
    ++running_;
    asio::co_spawn(client_->executor(), drain(alive_), asio::detached);
  }
}

asio::awaitable<void> KubeStatusWriter::drain(std::shared_ptr<bool> alive) {
  asio::steady_timer timer(client_->executor());
  while (*alive && !order_.empty()) {
    std::string key = order_.front();
    order_.pop_front();
    // One write per object at a time: two PATCHes in flight could land in the wrong order and
    // leave the older status stored while we believe the newer one is. The write in flight
    // queues the key again when it ends.
    if (writing_.count(key)) continue;
    auto it = pending_.find(key);
    if (it == pending_.end()) continue;
    Pending p = std::move(it->second);
    pending_.erase(it);
    auto object = controller::parse_object_key(key);  // views into `key`
    const kube::Resource* res = object ? resource_of_(object->kind) : nullptr;
    if (!res) continue;
    writing_.insert(key);
    bool ok = true;
    bool gone = false;
    if (p.status) {
      // Remember it first: a reconcile while the PATCH is in flight must not write it again.
      json::value sent = parse_packed(*p.status);
      written_[key] = Written{*p.status, "", true, ""};  // a copy: a retry sends p again
      json::object body;
      body["status"] = sent;
      json::value patch(std::move(body));
      auto r = co_await client_->patch_status(*res, object->ns, object->name, patch);
      if (!*alive) co_return;
      metrics_.status_write(object->kind, r.has_value());
      if (r) {
        const auto* meta = r->if_contains("metadata");
        const auto* rv =
            meta && meta->is_object() ? meta->as_object().if_contains("resourceVersion") : nullptr;
        const auto* stored = r->if_contains("status");
        Written& w = written_[key];
        w.resource_version = rv && rv->is_string() ? std::string(rv->as_string()) : "";
        w.in_flight = false;
        // Kept only when the server pruned something: the usual case forgets the write once
        // the cache shows it.
        w.stored = stored && *stored != sent ? json::serialize(*stored) : "";
      } else {
        written_.erase(key);
        gone = r.error().code == kube::ErrorCode::NotFound;
        ok = false;
        if (!gone) spdlog::warn("status of {}: {}", key, r.error().to_string());
      }
    }
    if (p.annotation && !gone) {
      json::value value = p.annotation->empty() ? json::value(nullptr) : json::value(*p.annotation);
      json::object annotations;
      annotations[api::kZoneAnnotation] = value;
      json::object meta;
      meta["annotations"] = std::move(annotations);
      json::object body;
      body["metadata"] = std::move(meta);
      json::value patch(std::move(body));
      auto r = co_await client_->merge_patch(*res, object->ns, object->name, patch);
      if (!*alive) co_return;
      metrics_.status_write(object->kind, r.has_value());
      if (r) {
        annotated_[key] = *p.annotation;
      } else {
        gone = r.error().code == kube::ErrorCode::NotFound;
        ok = false;
        if (!gone) spdlog::warn("annotation of {}: {}", key, r.error().to_string());
      }
    }
    if (!ok && !gone && p.attempts < 8) {
      // Retry with backoff unless a newer write for the object is already queued.
      timer.expires_after(std::chrono::milliseconds(200) * (1 << p.attempts));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive) co_return;
      ++p.attempts;
      pending_.try_emplace(key, std::move(p));  // unless a newer write is already pending
    }
    writing_.erase(key);
    ++activity_;
    if (pending_.count(key)) order_.push_back(key);
  }
  if (!*alive) co_return;
  --running_;
}

void KubeStatusWriter::sweep(bool idle) {
  for (auto it = written_.begin(); it != written_.end();) {
    auto object = controller::parse_object_key(it->first);  // ObjectRef::key()
    const kube::Store* store = object ? store_of_(object->kind) : nullptr;
    kube::ObjectPtr obj = store ? store->get(object->ns, object->name) : nullptr;
    if (!obj || cache_shows(it->second, *obj)) {
      it = written_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = annotated_.begin(); it != annotated_.end();) {
    if (pending_.count(it->first) || writing_.count(it->first)) {
      ++it;
      continue;
    }
    // Idle: an annotation we wrote is the cache's by now (the watch brings it back within
    // milliseconds; if not, the worst is one redundant PATCH), so there is no entry per record
    // for good (memory), nor a stale one when another replica wrote the object since
    // (leadership or a shard moved). While writes go on: once the cache shows it.
    bool drop = idle;
    if (!drop) {
      auto object = controller::parse_object_key(it->first);
      const kube::Store* store = object ? store_of_(object->kind) : nullptr;
      kube::ObjectPtr obj = store ? store->get(object->ns, object->name) : nullptr;
      drop = !obj || annotation_of(obj->parse()) == it->second;
    }
    it = drop ? annotated_.erase(it) : std::next(it);
  }
}

asio::awaitable<void> KubeStatusWriter::settle(std::shared_ptr<bool> alive) {
  // Every second while writes go on, what the cache shows is forgotten (memory: at a cold start
  // every record's write would otherwise be remembered until the last one ended). The watch
  // brings our writes back within milliseconds; a second leaves room for a busy API server.
  // Once no write was queued or running for a whole second, a last sweep and the loop ends (the
  // next write starts it again).
  asio::steady_timer timer(client_->executor());
  uint64_t seen = ~uint64_t(0);
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!*alive) co_return;
    bool idle = running_ == 0 && order_.empty() && seen == activity_;
    seen = activity_;
    sweep(idle);
    if (idle || (written_.empty() && annotated_.empty() && running_ == 0 && order_.empty())) {
      settling_ = false;
      co_return;
    }
  }
}

}  // namespace zk::app
