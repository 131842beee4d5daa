#include "kube/event_recorder.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kube/microtime.h"

namespace zk::kube {

namespace json = boost::json;

namespace {

constexpr size_t kMaxNote = 1024;  // events.k8s.io/v1 limit on note

std::string str_at(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                  : std::string();
}

std::string truncate_note(std::string_view note) {
  if (note.size() <= kMaxNote) return std::string(note);
  size_t cut = kMaxNote - 3;
  while (cut > 0 && (static_cast<unsigned char>(note[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return std::string(note.substr(0, cut)) + "...";
}

std::string object_identity(const ObjectReference& r) {
  return r.uid.empty() ? fmt::format("{}/{}/{}", r.kind, r.namespace_, r.name) : r.uid;
}

}  // namespace

std::string_view to_string(EventOutcome outcome) {
  switch (outcome) {
    case EventOutcome::Created:
      return "Created";
    case EventOutcome::Aggregated:
      return "Aggregated";
    case EventOutcome::RateLimited:
      return "RateLimited";
    case EventOutcome::Failed:
      return "Failed";
  }
  return "Unknown";
}

ObjectReference ObjectReference::of(const json::object& object) {
  ObjectReference r;
  r.api_version = str_at(object, "apiVersion");
  r.kind = str_at(object, "kind");
  if (auto m = object.find("metadata"); m != object.end() && m->value().is_object()) {
    const json::object& meta = m->value().get_object();
    r.namespace_ = str_at(meta, "namespace");
    r.name = str_at(meta, "name");
    r.uid = str_at(meta, "uid");
    r.resource_version = str_at(meta, "resourceVersion");
  }
  return r;
}

struct EventRecorder::Pending {
  ObjectReference regarding;
  EventSeverity severity;
  std::string reason;
  std::string action;
  std::string note;
};

EventRecorder::EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      alive_(std::make_shared<bool>(true)) {}

EventRecorder::~EventRecorder() {
  *alive_ = false;
}

bool EventRecorder::take_token(const std::string& object_key) {
  auto now = std::chrono::steady_clock::now();
  auto [it, inserted] = buckets_.try_emplace(object_key);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = options_.burst;
    b.updated = now;
  } else if (options_.refill_interval.count() > 0) {
    double refill = std::chrono::duration<double>(now - b.updated) /
                    std::chrono::duration<double>(options_.refill_interval);
    b.tokens = std::min<double>(options_.burst, b.tokens + refill);
    b.updated = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

asio::awaitable<EventOutcome> EventRecorder::emit(const ObjectReference& regarding,
                                                  EventSeverity severity, std::string_view reason,
                                                  std::string_view action,
                                                  std::string_view note_in) {
  auto now = std::chrono::system_clock::now();
  std::string note = truncate_note(note_in);
  std::string identity = object_identity(regarding);
  std::string series_key =
      fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}", identity,
                  severity == EventSeverity::Warning ? "W" : "N", reason, action, note);
  // Forget series outside the window and buckets that have refilled completely: memory stays
  // bounded by the objects that had events recently.
  std::erase_if(series_, [&](const auto& kv) {
    return now - kv.second.last_seen > options_.aggregation_window;
  });
  auto steady_now = std::chrono::steady_clock::now();
  std::erase_if(buckets_, [&](const auto& kv) {
    return steady_now - kv.second.updated > options_.refill_interval * options_.burst;
  });
  auto existing = series_.find(series_key);
  if (existing != series_.end()) {
    Series& s = existing->second;
    ++s.count;  // counted even when the write is rate limited: the next write carries it
    s.last_seen = now;
    if (!take_token(identity)) {
      ++stats_.rate_limited;
      co_return EventOutcome::RateLimited;
    }
    json::object patch{
        {"series", json::object{{"count", s.count}, {"lastObservedTime", format_micro_time(now)}}}};
    std::string ns = s.event_namespace, name = s.event_name;
    auto r = co_await client_->merge_patch(resources::kEvents, ns, name, patch);
    if (r) {
      ++stats_.aggregated;
      co_return EventOutcome::Aggregated;
    }
    if (r.error().code != ErrorCode::NotFound) {
      ++stats_.failed;
      spdlog::warn("kube events: cannot update event {}/{}: {}", ns, name, r.error().to_string());
      co_return EventOutcome::Failed;
    }
    series_.erase(series_key);  // the event was deleted (TTL): start a new one below
  } else if (!take_token(identity)) {
    ++stats_.rate_limited;
    co_return EventOutcome::RateLimited;
  }

  std::string ns = regarding.namespace_.empty() ? std::string("default") : regarding.namespace_;
  std::string name = fmt::format(
      "{}.{:x}", regarding.name.empty() ? std::string("zonekeeper") : regarding.name,
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  json::object ref{
      {"apiVersion", regarding.api_version}, {"kind", regarding.kind}, {"name", regarding.name}};
  if (!regarding.namespace_.empty()) ref["namespace"] = regarding.namespace_;
  if (!regarding.uid.empty()) ref["uid"] = regarding.uid;
  if (!regarding.resource_version.empty()) ref["resourceVersion"] = regarding.resource_version;
  json::object event{
      {"apiVersion", "events.k8s.io/v1"},
      {"kind", "Event"},
      {"metadata", json::object{{"name", name}, {"namespace", ns}}},
      {"eventTime", format_micro_time(now)},
      {"reportingController", options_.reporting_controller},
      {"reportingInstance", options_.reporting_instance},
      {"action", action},
      {"reason", reason},
      {"note", note},
      {"type", severity == EventSeverity::Warning ? "Warning" : "Normal"},
      {"regarding", std::move(ref)},
  };
  auto created = co_await client_->create(resources::kEvents, ns, event);
  if (!created) {
    ++stats_.failed;
    spdlog::warn("kube events: cannot create event for {} {}/{}: {}", regarding.kind,
                 regarding.namespace_, regarding.name, created.error().to_string());
    co_return EventOutcome::Failed;
  }
  series_[series_key] = Series{ns, name, 1, now};
  ++stats_.created;
  co_return EventOutcome::Created;
}

void EventRecorder::record(const ObjectReference& regarding, EventSeverity severity,
                           std::string_view reason, std::string_view action,
                           std::string_view note) {
  if (queue_.size() >= options_.max_queue) {
    ++stats_.rate_limited;
    if (++stats_.dropped % 1000 == 1) {
      spdlog::warn("kube events: {} pending; dropped {} Event(s) so far (this one: {} {} on {}/{})",
                   queue_.size(), stats_.dropped, reason, note, regarding.namespace_,
                   regarding.name);
    }
    return;
  }
  queue_.push_back(
      Pending{regarding, severity, std::string(reason), std::string(action), std::string(note)});
  if (!draining_) {
    draining_ = true;
    asio::co_spawn(client_->executor(), drain(), asio::detached);
  }
}

asio::awaitable<void> EventRecorder::drain() {
  std::shared_ptr<bool> alive = alive_;
  while (*alive && !queue_.empty()) {
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    co_await emit(p.regarding, p.severity, p.reason, p.action, p.note);
  }
  if (*alive) draining_ = false;
}

asio::awaitable<size_t> EventRecorder::flush(std::chrono::milliseconds deadline) {
  asio::steady_timer timer(client_->executor());
  const auto until = std::chrono::steady_clock::now() + deadline;
  while ((draining_ || !queue_.empty()) && std::chrono::steady_clock::now() < until) {
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  // The Event being written now (if any) finishes or fails on its own; the rest never will.
  const size_t abandoned = queue_.size();
  stats_.abandoned += abandoned;
  queue_.clear();
  co_return abandoned;
}

}  // namespace zk::kube
