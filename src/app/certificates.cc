#include "app/certificates.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kube/informer.h"

namespace zk::app {

namespace asio = boost::asio;
namespace bj = boost::json;
using api::CertificateHealth;

namespace {

const kube::Resource kCertificates{std::string(api::kCertManagerGroup), "v1", "certificates",
                                   "Certificate", true};

// Every Certificate is judged again this often (expiry and the not-Ready grace come without an
// event): half the grace, between 1 s and 30 s.
std::chrono::seconds tick_interval(const api::CertificateWarnings& w) {
  return std::chrono::seconds(std::clamp<int64_t>(w.not_ready_seconds / 2, 1, 30));
}

}  // namespace

struct Certificates::Impl : std::enable_shared_from_this<Impl> {
  asio::any_io_executor ex;
  std::shared_ptr<kube::Client> client;
  kube::EventRecorder& events;
  telemetry::Metrics& metrics;
  CertificateOptions options;
  std::unique_ptr<kube::Informer> informer;
  asio::steady_timer timer;
  bool leading = false;
  bool stopping = false;
  // What the last Event said of each Certificate ("ns/name"), while leading: an Event only when
  // the verdict changes. Absent: nothing said (the Certificate is well, or just seen).
  std::map<std::string, CertificateHealth, std::less<>> told;
  std::set<std::string> foreign_told;  // wildcard names held by a Certificate not ours: said once
  std::map<std::string, std::string> unreadable;  // "ns/name" → the resourceVersion logged
  bool keeping = false;                           // keep_wildcards runs
  bool keep_again = false;                        // ... and should run once more when done

  Impl(asio::any_io_executor e, std::shared_ptr<kube::Client> c, kube::EventRecorder& ev,
       telemetry::Metrics& m, CertificateOptions o)
      : ex(e), client(std::move(c)), events(ev), metrics(m), options(std::move(o)), timer(e) {}

  static int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

  void judge(const bj::value& object, int64_t at) {
    auto c = api::decode_certificate(object);
    if (!c) {
      // Said once per version of the object, not at every tick.
      const kube::ObjectReference ref = kube::ObjectReference::of(object.as_object());
      std::string& said = unreadable[fmt::format("{}/{}", ref.namespace_, ref.name)];
      if (said != ref.resource_version) {
        spdlog::warn("Certificate {}/{}: {}; not judged", ref.namespace_, ref.name, c.error());
        said = ref.resource_version;
      }
      return;
    }
    unreadable.erase(fmt::format("{}/{}", c->ns, c->name));
    metrics.set_certificate(c->ns, c->name, c->ready == "True", c->not_after);
    if (!leading) return;
    const api::CertificateVerdict v = api::judge_certificate(*c, at, options.warnings);
    const std::string key = fmt::format("{}/{}", c->ns, c->name);
    auto it = told.find(key);
    const bool was_warned = it != told.end() && api::is_warning(it->second);
    if (api::is_warning(v.health)) {
      if (was_warned && it->second == v.health) return;
      spdlog::warn("{} ({})", v.message, v.reason);
      events.record(kube::ObjectReference::of(object.as_object()), kube::EventSeverity::Warning,
                    v.reason, "Check", v.message);
      told[key] = v.health;
    } else if (v.health == CertificateHealth::Ready && was_warned) {
      spdlog::info("{} again", v.message);
      events.record(kube::ObjectReference::of(object.as_object()), kube::EventSeverity::Normal,
                    v.reason, "Check", v.message);
      told.erase(it);
    }
  }

  void on_event(const kube::ObjectPtr& old_obj, const kube::ObjectPtr& new_obj) {
    if (!new_obj) {
      metrics.remove_certificate(std::string(old_obj->namespace_()), std::string(old_obj->name()));
      told.erase(std::string(old_obj->key()));
      unreadable.erase(std::string(old_obj->key()));
    } else {
      judge(new_obj->parse(), now());
    }
    const kube::ObjectPtr& obj = new_obj ? new_obj : old_obj;
    // Ours there (or one in the way): kept as the flags say, also when they name none any more.
    if (leading && obj->namespace_() == options.wildcard_namespace) keep_soon();
  }

  void judge_all() {
    const int64_t at = now();
    for (const kube::ObjectPtr& o : informer->store().list()) judge(o->parse(), at);
  }

  void keep_soon() {
    if (keeping) {
      keep_again = true;
      return;
    }
    keeping = true;
    asio::co_spawn(ex, keep_wildcards(shared_from_this()), asio::detached);
  }

  // Every wildcard Certificate of the flags as the flags say, and none of ours that they no
  // longer name.
  static asio::awaitable<void> keep_wildcards(std::shared_ptr<Impl> self) {
    do {
      self->keep_again = false;
      co_await self->keep_once();
    } while (self->keep_again && self->leading && !self->stopping);
    self->keeping = false;
  }

  asio::awaitable<void> keep_once() {
    const std::string& ns = options.wildcard_namespace;
    std::set<std::string> wanted;
    for (const api::WildcardCertificate& w : options.wildcards) {
      if (!leading || stopping) co_return;
      const std::string name = api::wildcard_certificate_name(w.zone);
      wanted.insert(name);
      const kube::ObjectPtr cached = informer->store().get(ns, name);
      if (cached) {
        const bj::value actual = cached->parse();
        if (api::wildcard_certificate_current(w, actual, options.owner)) continue;
        if (!api::is_wildcard_certificate(actual, options.owner)) {
          // Someone else's Certificate of that name: never taken over.
          if (foreign_told.insert(name).second) {
            const std::string note = fmt::format(
                "Certificate {}/{} exists and is not zonekeeper's (no label {}={}): the wildcard "
                "Certificate of zone {} is not made; delete or rename it",
                ns, name, api::kWildcardLabel, options.owner, w.zone);
            spdlog::error("{}", note);
            events.record(kube::ObjectReference::of(actual.as_object()),
                          kube::EventSeverity::Warning, "WildcardCertificateConflict", "Keep",
                          note);
          }
          continue;
        }
      }
      foreign_told.erase(name);
      // Named, not temporaries in the co_await's arguments: GCC 12 and coroutines.
      bj::object body = api::wildcard_certificate_object(w, ns, options.owner);
      kube::ApplyOptions forced;
      forced.force = true;
      auto applied = co_await client->apply(kCertificates, ns, name, std::move(body), forced);
      if (!applied) {
        spdlog::error("wildcard Certificate {}/{} of zone {}: {}; again in {} s", ns, name, w.zone,
                      applied.error().to_string(), tick_interval(options.warnings).count());
        continue;
      }
      spdlog::info("wildcard Certificate {}/{} of zone {} {}: *.{} and {}, issuer {} {}", ns, name,
                   w.zone, cached ? "put back" : "created", w.zone, w.zone, w.issuer_kind,
                   w.issuer_name);
    }
    for (const kube::ObjectPtr& o : informer->store().by_namespace(ns)) {
      if (!leading || stopping) co_return;
      const std::string name(o->name());
      if (wanted.count(name) || !api::is_wildcard_certificate(o->parse(), options.owner)) continue;
      auto removed = co_await client->remove(kCertificates, ns, name);
      if (!removed && removed.error().code != kube::ErrorCode::NotFound) {
        spdlog::error("wildcard Certificate {}/{} is no longer asked for, but: {}", ns, name,
                      removed.error().to_string());
        continue;
      }
      spdlog::info(
          "wildcard Certificate {}/{} deleted: no --wildcard-certificate names it "
          "(its Secret is cert-manager's to keep or remove)",
          ns, name);
    }
  }

  bool all_kept() const {
    for (const api::WildcardCertificate& w : options.wildcards) {
      const kube::ObjectPtr o =
          informer->store().get(options.wildcard_namespace, api::wildcard_certificate_name(w.zone));
      if (!o || !api::wildcard_certificate_current(w, o->parse(), options.owner)) return false;
    }
    return true;
  }

  static asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    boost::system::error_code ec;
    bool said = false;
    while (!self->stopping) {
      auto served = co_await self->client->resolve(kCertificates);
      if (self->stopping) co_return;
      if (served) break;
      if (!said) {
        spdlog::info(
            "Certificates (cert-manager.io/v1) are not served ({}): discovery again "
            "every {} s",
            served.error().to_string(), self->options.discovery_interval.count());
        said = true;
      }
      self->timer.expires_after(self->options.discovery_interval);
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    spdlog::info("watching Certificates (cert-manager.io/v1)");
    self->informer = std::make_unique<kube::Informer>(self->client, kCertificates);
    std::weak_ptr<Impl> weak = self;
    self->informer->on_event(
        [weak](kube::DeltaType, const kube::ObjectPtr& old_obj, const kube::ObjectPtr& new_obj) {
          if (auto s = weak.lock()) s->on_event(old_obj, new_obj);
        });
    self->informer->on_synced([weak] {
      if (auto s = weak.lock(); s && s->leading) s->keep_soon();
    });
    // The informer's coroutine keeps this alive until it ends.
    asio::co_spawn(self->ex, self->informer->run(), [self](const std::exception_ptr&) {});
    while (!self->stopping) {
      self->timer.expires_after(tick_interval(self->options.warnings));
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (self->stopping || !self->informer->synced()) continue;
      self->judge_all();
      // A failed apply, or a change the watch has not shown yet, is tried again here.
      if (self->leading && !self->options.wildcards.empty() && !self->all_kept()) self->keep_soon();
    }
  }
};

Certificates::Certificates(asio::any_io_executor executor, std::shared_ptr<kube::Client> client,
                           kube::EventRecorder& events, telemetry::Metrics& metrics,
                           CertificateOptions options)
    : impl_(std::make_shared<Impl>(executor, std::move(client), events, metrics,
                                   std::move(options))) {}

// NOLINTNEXTLINE(bugprone-exception-escape): a timer's cancel() cannot fail on Linux.
Certificates::~Certificates() {
  shutdown();
}

const kube::Resource& Certificates::resource() {
  return kCertificates;
}

asio::awaitable<void> Certificates::run() {
  return Impl::run(impl_);
}

void Certificates::start() {
  if (impl_->leading) return;
  impl_->leading = true;
  if (!impl_->informer || !impl_->informer->synced()) return;  // the first sync judges them
  impl_->judge_all();
  impl_->keep_soon();
}

void Certificates::stop() {
  impl_->leading = false;
  impl_->told.clear();  // the next leader says it again
  impl_->foreign_told.clear();
}

void Certificates::shutdown() {
  impl_->stopping = true;
  impl_->leading = false;
  impl_->timer.cancel();
  if (impl_->informer) impl_->informer->stop();
}

size_t Certificates::cached() const {
  return impl_->informer ? impl_->informer->store().size() : 0;
}

}  // namespace zk::app
