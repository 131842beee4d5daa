#include "kube/informer.h"

#include <algorithm>
#include <list>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>

namespace zk::kube {

namespace json = boost::json;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string metadata_rv(const json::object& o) {
  auto m = o.find("metadata");
  if (m == o.end() || !m->value().is_object()) return {};
  auto rv = m->value().get_object().find("resourceVersion");
  if (rv == m->value().get_object().end() || !rv->value().is_string()) return {};
  return std::string(rv->value().get_string());
}

}  // namespace

struct Informer::Loop {
  explicit Loop(asio::any_io_executor ex) : sleep(ex) {}
  asio::steady_timer sleep;
  Watch* watch = nullptr;                  // the watch being read, for stop()
  std::list<asio::steady_timer*> waiters;  // wait_synced() timers, cancelled when synced
};

Informer::Informer(std::shared_ptr<Client> client, Resource resource, InformerOptions options)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      options_(std::move(options)),
      loop_(std::make_unique<Loop>(client_->executor())) {}

Informer::~Informer() = default;

InformerStats Informer::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

void Informer::stop() {
  stopping_ = true;
  loop_->sleep.cancel();
  if (loop_->watch != nullptr) loop_->watch->cancel();
}

void Informer::set_synced() {
  if (synced_.exchange(true)) return;
  for (auto& cb : synced_callbacks_) {
    try {
      cb();
    } catch (const std::exception& e) {
      spdlog::error("kube informer {}: synced callback threw: {}", resource_.qualified_name(),
                    e.what());
    }
  }
  for (asio::steady_timer* t : loop_->waiters) t->cancel();
}

asio::awaitable<bool> Informer::wait_synced(std::chrono::milliseconds timeout) {
  if (synced()) co_return true;
  asio::steady_timer timer(client_->executor(), timeout);
  auto it = loop_->waiters.insert(loop_->waiters.end(), &timer);
  co_await timer.async_wait(use_nothrow);
  loop_->waiters.erase(it);
  co_return synced();
}

Result<Informer::Decoded> Informer::decode(json::object& object) const {
  auto whole = Object::from_json(object);
  if (!whole) return tl::unexpected(whole.error());
  if (!options_.keep) return Decoded{*whole, *whole};
  options_.keep(object);
  auto kept = Object::from_json(object);
  if (!kept) return tl::unexpected(kept.error());
  return Decoded{std::move(*whole), std::move(*kept)};
}

void Informer::deliver(const Delta& delta) {
  for (auto& h : handlers_) {
    try {
      h(delta.type, delta.old_object, delta.new_object);
    } catch (const std::exception& e) {
      spdlog::error("kube informer {}: event handler threw: {}", resource_.qualified_name(),
                    e.what());
    }
  }
}

asio::awaitable<Result<void>> Informer::list_and_replace(bool after_gone) {
  ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.limit = options_.page_size;
  lo.max_limit = options_.max_page_size;
  lo.page_bytes = options_.page_bytes;
  for (int attempt = 0;; ++attempt) {
    std::vector<ObjectPtr> fresh;
    // With `keep`: the whole objects, for the handlers (views into their own keys).
    std::unordered_map<std::string_view, ObjectPtr> whole;
    size_t undecodable = 0;
    std::function<void(json::object&)> on_item = [&](json::object& item) {
      // LIST items of built-in kinds come without apiVersion/kind; watch events have them.
      if (!resource_.kind.empty() && !item.contains("kind")) {
        item["apiVersion"] = resource_.api_version();
        item["kind"] = resource_.kind;
      }
      auto o = decode(item);
      if (o) {
        fresh.push_back(std::move(o->stored));
        if (o->whole != fresh.back()) whole.emplace(o->whole->key(), std::move(o->whole));
      } else {
        ++undecodable;
      }
    };
    auto rv = co_await client_->list_each(resource_, options_.namespace_, lo, on_item);
    if (!rv) {
      if (rv.error().code == ErrorCode::Gone && attempt == 0) continue;  // continue expired
      co_return tl::unexpected(rv.error());
    }
    if (undecodable > 0) {
      spdlog::warn("kube informer {}: {} listed objects could not be decoded and were skipped",
                   resource_.qualified_name(), undecodable);
    }
    std::vector<Delta> deltas = store_.replace(std::move(fresh));
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.lists;
      if (after_gone) ++stats_.relists_after_gone;
      stats_.resource_version = *rv;
    }
    for (Delta& d : deltas) {
      if (!d.new_object) continue;
      if (auto w = whole.find(d.new_object->key()); w != whole.end()) d.new_object = w->second;
    }
    whole.clear();
    for (const Delta& d : deltas) deliver(d);
    set_synced();
    co_return Result<void>();
  }
}

asio::awaitable<Result<void>> Informer::watch_once() {
  WatchOptions wo;
  wo.label_selector = options_.label_selector;
  wo.field_selector = options_.field_selector;
  wo.resource_version = stats().resource_version;
  wo.allow_bookmarks = true;
  wo.timeout = options_.watch_timeout;
  auto w = co_await client_->watch(resource_, options_.namespace_, wo);
  {
    std::lock_guard lock(stats_mu_);
    ++stats_.watches;
  }
  if (!w) co_return tl::unexpected(w.error());
  if (stopping_) co_return Result<void>();
  loop_->watch = w->get();
  struct Clear {
    Loop* loop;
    ~Clear() { loop->watch = nullptr; }
  } clear{loop_.get()};
  while (true) {
    auto ev = co_await (*w)->next();
    if (!ev) co_return tl::unexpected(ev.error());
    if (!*ev) co_return Result<void>();  // server ended the watch (timeoutSeconds)
    WatchEvent& e = **ev;
    std::string rv = metadata_rv(e.object);
    if (e.type == WatchEventType::Bookmark) {
      std::lock_guard lock(stats_mu_);
      ++stats_.bookmarks;
      if (!rv.empty()) stats_.resource_version = rv;
      continue;
    }
    if (!resource_.kind.empty() && !e.object.contains("kind")) {
      e.object["apiVersion"] = resource_.api_version();
      e.object["kind"] = resource_.kind;
    }
    auto obj = decode(e.object);
    if (!obj) {
      // Cannot key it: resume after it rather than stall on it forever.
      spdlog::warn("kube informer {}: skipping undecodable {} event: {}",
                   resource_.qualified_name(), to_string(e.type), obj.error().message);
    } else if (e.type == WatchEventType::Deleted) {
      if (auto d = store_.erase(obj->whole->key())) {
        d->old_object = obj->whole;  // the final state the server reported
        deliver(*d);
      }
    } else if (auto d = store_.upsert(std::move(obj->stored))) {
      d->new_object = obj->whole;
      deliver(*d);
    }
    std::lock_guard lock(stats_mu_);
    ++stats_.events;
    if (!rv.empty()) stats_.resource_version = rv;
  }
}

asio::awaitable<void> Informer::run() {
  stopping_ = false;
  Backoff backoff(options_.backoff);
  // A second run() after stop() resumes watching from where the first one stopped.
  bool need_list = !synced() || stats().resource_version.empty();
  bool after_gone = false;
  int gone_in_a_row = 0;
  auto pause = [&](std::chrono::milliseconds d) -> asio::awaitable<void> {
    loop_->sleep.expires_after(d);
    co_await loop_->sleep.async_wait(use_nothrow);
  };
  while (!stopping_) {
    if (need_list) {
      auto listed = co_await list_and_replace(after_gone);
      if (stopping_) break;
      if (!listed) {
        auto d = backoff.next();
        spdlog::warn("kube informer {}: list failed ({}); retrying in {} ms",
                     resource_.qualified_name(), listed.error().to_string(), d.count());
        co_await pause(d);
        continue;
      }
      need_list = false;
      after_gone = false;
    }
    uint64_t events_before = stats().events + stats().bookmarks;
    auto watched = co_await watch_once();
    if (stopping_) break;
    bool progressed = stats().events + stats().bookmarks > events_before;
    if (watched) {
      backoff.reset();  // clean end of a watch: reconnect at once
      gone_in_a_row = 0;
      continue;
    }
    if (watched.error().code == ErrorCode::Gone) {
      if (progressed) gone_in_a_row = 0;
      if (gone_in_a_row++ > 0) co_await pause(backoff.next());  // 410 again at once: slow down
      if (stopping_) break;
      spdlog::info("kube informer {}: resourceVersion {} expired ({}); re-listing",
                   resource_.qualified_name(), stats().resource_version, watched.error().message);
      need_list = true;
      after_gone = true;
      continue;
    }
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.watch_errors;
    }
    gone_in_a_row = 0;
    if (progressed) backoff.reset();
    auto d = backoff.next();
    spdlog::info("kube informer {}: watch ended ({}); reconnecting in {} ms",
                 resource_.qualified_name(), watched.error().to_string(), d.count());
    co_await pause(d);
  }
}

}  // namespace zk::kube
