#include "app/change_notifier.h"

#include <ctime>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/reasons.h"
#include "api/time.h"
#include "http/client.h"
#include "telemetry/logging.h"
#include "telemetry/metrics.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;

std::string change_message(std::string_view event, const controller::ObjectRef& ref,
                           std::string_view type, std::string_view zone, std::string_view fqdn,
                           std::string_view hash, const api::RecordAnnotations& notes,
                           int64_t now_seconds) {
  json::object o;
  o["event"] = event;
  o["object"] = json::object{{"apiVersion", ref.api_version},
                             {"kind", ref.kind},
                             {"namespace", ref.ns},
                             {"name", ref.name},
                             {"uid", ref.uid},
                             {"generation", ref.generation}};
  o["zone"] = zone;
  o["fqdn"] = fqdn;
  o["type"] = type;
  o["recordHash"] = hash;
  o["owner"] = notes.owner;
  o["description"] = notes.description;
  o["time"] = api::format_rfc3339(now_seconds);
  return json::serialize(o);
}

struct ChangeNotifier::Shared {
  asio::any_io_executor ex;
  controller::StatusSink* next = nullptr;  // null once the notifier is gone
  telemetry::Metrics* metrics = nullptr;
  Options options;
  size_t in_flight = 0;
};

ChangeNotifier::ChangeNotifier(asio::any_io_executor ex, controller::StatusSink& next,
                               telemetry::Metrics& metrics, Options options)
    : ForwardingSink(next), shared_(std::make_shared<Shared>()) {
  shared_->ex = std::move(ex);
  shared_->next = &next;
  shared_->metrics = &metrics;
  shared_->options = options;
}

ChangeNotifier::~ChangeNotifier() {
  shared_->next = nullptr;
  shared_->metrics = nullptr;
}

bool ChangeNotifier::usable(const controller::ObjectRef& ref, const std::string& url) {
  auto ok = api::check_notify_url(url);
  if (ok) return true;
  if (refused_.insert(ref.key() + " " + url).second) {
    shared_->metrics->notification("invalid");
    next_.event(ref, true, api::reasons::kInvalidNotifyUrl, ok.error());
    telemetry::log(
        spdlog::level::warn,
        {{"object", ref.key()}, {"reason", std::string(api::reasons::kInvalidNotifyUrl)}},
        ok.error());
  }
  return false;
}

void ChangeNotifier::record_status(const controller::RecordStatus& s) {
  // Decided before the status is passed on: the object's status.recordHash is still the
  // data served before this change (a restart re-reports served data: nothing is sent).
  const api::RecordObject* rec = lookup_ ? lookup_(s.ref.key()) : nullptr;
  if (rec && rec->notes->notify_url.empty()) told_.erase(s.ref.key());  // webhook removed
  if (rec && !rec->notes->notify_url.empty() && s.ready.status == api::kTrue &&
      !s.acknowledged_hash.empty()) {
    auto told = told_.find(s.ref.key());
    bool new_data = told == told_.end() ? s.acknowledged_hash != rec->served_hash.hex()
                                        : s.acknowledged_hash != told->second.hash;
    std::string type(model::to_string(api::record_type(rec->kind)));
    if (new_data && usable(s.ref, rec->notes->notify_url)) {
      send(s.ref, rec->notes->notify_url,
           change_message("served", s.ref, type, s.zone, s.fqdn, s.acknowledged_hash, *rec->notes,
                          std::time(nullptr)));
    }
    told_[s.ref.key()] = {
        rec->notes->notify_url, s.acknowledged_hash, s.zone, s.fqdn, type, *rec->notes};
  }
  next_.record_status(s);
}

void ChangeNotifier::forget(const controller::ObjectRef& ref) {
  std::string prefix = ref.key() + " ";
  for (auto it = refused_.lower_bound(prefix); it != refused_.end() && it->starts_with(prefix);) {
    it = refused_.erase(it);
  }
  auto told = told_.find(ref.key());
  if (told != told_.end()) {
    const Told& t = told->second;
    if (api::check_notify_url(t.url)) {
      send(ref, t.url,
           change_message("deleted", ref, t.type, t.zone, t.fqdn, t.hash, t.notes,
                          std::time(nullptr)));
    }
    told_.erase(told);
  }
  next_.forget(ref);
}

void ChangeNotifier::send(const controller::ObjectRef& ref, const std::string& url,
                          std::string body) {
  std::shared_ptr<Shared> sh = shared_;
  if (sh->in_flight >= sh->options.max_in_flight) {
    sh->metrics->notification("dropped");
    spdlog::warn("notify-url of {}: {} messages in flight; this one is dropped", ref.key(),
                 sh->in_flight);
    return;
  }
  ++sh->in_flight;
  asio::co_spawn(
      sh->ex,
      [sh, ref, url, body = std::move(body)]() -> asio::awaitable<void> {
        std::string where = api::redacted_url(url);
        // The client's base is scheme://authority; the target is the rest (path and query).
        auto scheme_end = url.find("://") + 3;
        auto path = url.find_first_of("/?", scheme_end);
        std::string base = url.substr(0, path);
        std::string target = path == std::string::npos ? "/" : url.substr(path);
        if (target.front() == '?') target = "/" + target;
        std::string failure;
        auto client =
            http::Client::make(sh->ex, {.url = base, .request_timeout = sh->options.timeout});
        if (!client) failure = client.error().message;
        auto wait = sh->options.backoff;
        for (int attempt = 1; client && attempt <= sh->options.attempts; ++attempt) {
          http::Request req;
          req.method = "POST";
          req.target = target;
          req.body = body;
          req.content_type = "application/json";
          auto r = co_await (*client)->send(req);
          if (r && r->status >= 200 && r->status < 300) {
            failure.clear();
            break;
          }
          failure = r ? fmt::format("HTTP {}", r->status) : r.error().message;
          bool retry = !r || r->status >= 500 || r->status == 408 || r->status == 429;
          if (!retry || attempt == sh->options.attempts) break;
          asio::steady_timer t(sh->ex);
          t.expires_after(wait);
          co_await t.async_wait(asio::use_awaitable);
          wait *= 2;
        }
        --sh->in_flight;
        if (!sh->metrics) co_return;  // shut down meanwhile
        sh->metrics->notification(failure.empty() ? "sent" : "failed");
        if (failure.empty()) {
          spdlog::debug("notify-url of {}: sent to {}", ref.key(), where);
          co_return;
        }
        std::string note = fmt::format("the change webhook {} failed after {} attempt(s): {}",
                                       where, sh->options.attempts, failure);
        telemetry::log(
            spdlog::level::warn,
            {{"object", ref.key()}, {"reason", std::string(api::reasons::kNotifyFailed)}}, note);
        if (sh->next) sh->next->event(ref, true, api::reasons::kNotifyFailed, note);
      },
      asio::detached);
}

}  // namespace zk::app
