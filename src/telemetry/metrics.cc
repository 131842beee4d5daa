#include "telemetry/metrics.h"

#include "telemetry/heap_metrics.h"
#include "telemetry/process_metrics.h"

#include <cmath>
#include <mutex>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace zk::telemetry {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// Every family declared, so render() can show HELP/TYPE of labelled families that have no
// series yet (prometheus-cpp leaves them out; scrapers and dashboards want to see them).
struct Declared {
  std::string name, help, type;
};
std::vector<Declared>& declared() {
  static std::vector<Declared> all;
  return all;
}
std::mutex& declared_mu() {
  static std::mutex mu;
  return mu;
}
void declare(const std::string& name, const std::string& help, const char* type) {
  std::lock_guard lock(declared_mu());
  for (const auto& d : declared()) {
    if (d.name == name) return;
  }
  declared().push_back({name, help, type});
}

Family<Counter>& counter(prometheus::Registry& r, const std::string& name,
                         const std::string& help) {
  declare(name, help, "counter");
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

Family<Gauge>& gauge(prometheus::Registry& r, const std::string& name, const std::string& help) {
  declare(name, help, "gauge");
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

Family<Histogram>& histogram(prometheus::Registry& r, const std::string& name,
                             const std::string& help) {
  declare(name, help, "histogram");
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

const Histogram::BucketBoundaries& reconcile_buckets() {
  static const Histogram::BucketBoundaries b{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1,     2.5,  5,     10};
  return b;
}

const Histogram::BucketBoundaries& dns_operation_buckets() {
  static const Histogram::BucketBoundaries b{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5};
  return b;
}

// A duration that cannot be NaN or negative (a clock step must not poison the sum).
double duration(double seconds) {
  return std::isfinite(seconds) && seconds > 0 ? seconds : 0;
}

// A counter that follows a running total kept elsewhere (it only ever moves up).
void follow(Counter& c, uint64_t total) {
  double have = c.Value();
  if (double(total) > have) c.Increment(double(total) - have);
}

std::string compiler() {
#if defined(__clang__)
  return "clang-" __clang_version__;
#elif defined(__GNUC__)
  return "gcc-" __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

struct Metrics::Families {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Registry& r = *registry;

  Family<Counter>& reconciles =
      counter(r, "zonekeeper_reconciles_total", "Reconciles, by kind of work item and result.");
  Family<Histogram>& reconcile_duration =
      histogram(r, "zonekeeper_reconcile_duration_seconds",
                "Time taken by one reconcile, by kind of work item.");
  Family<Histogram>& queue_wait =
      histogram(r, "zonekeeper_queue_wait_seconds",
                "Time a work item waited in the queue before a worker took it, by kind.");
  Family<Histogram>& change_apply =
      histogram(r, "zonekeeper_change_apply_seconds",
                "Time from a DNSZone or record object change reaching the controller until "
                "every Primary acknowledged its UPDATE.");
  Family<Counter>& reconcile_errors =
      counter(r, "zonekeeper_reconcile_errors_total",
              "Reconciles that failed (and were retried), by kind of work item and reason.");

  Family<Counter>& dns_operations =
      counter(r, "zonekeeper_dns_operations_total",
              "Operations against DNS backends (update, axfr, ixfr, soa, notify, query, listing, "
              "session), by server, operation and result (success or the failure's reason).");
  Family<Histogram>& dns_operation_duration =
      histogram(r, "zonekeeper_dns_operation_duration_seconds",
                "Time taken by one operation against a DNS backend, by server and operation.");
  Family<Counter>& dns_changes =
      counter(r, "zonekeeper_dns_changes_total", "RRset changes applied, by server.");

  Family<Counter>& drift_checks =
      counter(r, "zonekeeper_drift_checks_total", "Checks of served zones for drift, by server.");
  Family<Counter>& drift_found = counter(r, "zonekeeper_drift_found_total",
                                         "RRsets found differing from the desired state, by zone.");

  Family<Counter>& status_writes = counter(r, "zonekeeper_status_writes_total",
                                           "Writes to the API server for status (the /status "
                                           "subresource and the record zone annotation), by kind.");
  Family<Counter>& status_write_errors =
      counter(r, "zonekeeper_status_write_errors_total",
              "Status and annotation writes that failed, by kind.");

  Family<Counter>& events =
      counter(r, "zonekeeper_events_total", "Kubernetes Events recorded, by reason.");
  Family<Counter>& notifications =
      counter(r, "zonekeeper_notifications_total",
              "Change webhook messages (dns.zonekeeper.io/notify-url), by result: sent, failed "
              "(every attempt), invalid (URL refused), dropped (too many in flight).");
  Counter& events_dropped = counter(r, "zonekeeper_events_dropped_total",
                                    "Kubernetes Events not written: the per-object rate limit, a "
                                    "full queue, or a write the API server refused or never got.")
                                .Add({});

  Counter& events_written = counter(r, "zonekeeper_events_written_total",
                                    "Kubernetes Events (or series increments of an aggregated "
                                    "one) the API server accepted.")
                                .Add({});
  Family<Counter>& kube_requests =
      counter(r, "zonekeeper_kube_requests_total",
              "Requests to the Kubernetes API server, by verb and HTTP status code (\"error\" "
              "when no response came).");
  Family<Gauge>& watched_objects =
      gauge(r, "zonekeeper_watched_objects", "Objects in the informer caches, by kind.");
  Family<Gauge>& records = gauge(r, "zonekeeper_records",
                                 "Record objects of each DNSZone, by kind and state (their Ready "
                                 "condition's reason).");
  std::map<std::string, std::map<std::pair<std::string, std::string>, Gauge*>> record_series;
  std::mutex record_mu;  // record_series

  Family<Gauge>& build_info = gauge(r, "zonekeeper_build_info",
                                    "1, labelled with the version and compiler of this binary.");

  Gauge& queue_depth =
      gauge(r, "zonekeeper_queue_depth", "Keys waiting in the work queue.").Add({});
  Gauge& leader =
      gauge(r, "zonekeeper_leader", "1 when this replica holds the leader lease, else 0.").Add({});
  Gauge& shards_held =
      gauge(r, "zonekeeper_shards_held", "Shards this replica holds (--shards; 0 without).")
          .Add({});
  Gauge& zones = gauge(r, "zonekeeper_zones", "Zones under management.").Add({});
  Gauge& records_served =
      gauge(r, "zonekeeper_records_served", "Records served for the managed zones.").Add({});
  Gauge& synced =
      gauge(r, "zonekeeper_informers_synced",
            "1 when the desired state is read in full (every informer synced; local mode: the "
            "folder read), else 0.")
          .Add({});

  Family<Gauge>& source_endpoints =
      gauge(r, "zonekeeper_source_endpoints",
            "Endpoints of Ingress, IngressRoute, HTTPRoute and DNSEndpoint objects, by state "
            "(served, conflict, failed, invalid, filtered, unmatched).");

  Family<Gauge>& preview_environments =
      gauge(r, "zonekeeper_preview_environments",
            "1 for each Namespace that is an active preview environment (annotated "
            "dns.zonekeeper.io/preview: \"true\", not being deleted).");
  std::map<std::string, Gauge*> previews;  // namespace → its series

  Family<Gauge>& certificate_ready =
      gauge(r, "zonekeeper_certificate_ready",
            "1 when the cert-manager Certificate's Ready condition is True, else 0 "
            "(--watch-certificates).");
  Family<Gauge>& certificate_expiration =
      gauge(r, "zonekeeper_certificate_expiration_timestamp_seconds",
            "When the cert-manager Certificate's current certificate expires (status.notAfter), "
            "in Unix seconds (--watch-certificates).");
  struct CertificateSeries {
    Gauge* ready = nullptr;
    Gauge* expiration = nullptr;
  };
  std::map<std::pair<std::string, std::string>, CertificateSeries> certificates;  // (ns, name)

  Counter& queue_retries =
      counter(r, "zonekeeper_queue_retries_total", "Work queue keys requeued after a failure.")
          .Add({});
};

Metrics::Metrics() : f_(std::make_unique<Families>()) {
  for (std::string_view kind : kReconcileKinds) {
    for (const char* result : {"success", "error"}) {
      f_->reconciles.Add({{"kind", std::string(kind)}, {"result", result}});
    }
  }
  f_->build_info.Add({{"version", ZK_VERSION}, {"compiler", compiler()}}).Set(1);
}
Metrics::~Metrics() = default;

void Metrics::reconcile(std::string_view kind, double seconds, std::string_view error_reason) {
  std::string k(kind);
  f_->reconciles.Add({{"kind", k}, {"result", error_reason.empty() ? "success" : "error"}})
      .Increment();
  f_->reconcile_duration.Add({{"kind", k}}, reconcile_buckets()).Observe(duration(seconds));
  if (!error_reason.empty()) {
    f_->reconcile_errors.Add({{"kind", k}, {"reason", std::string(error_reason)}}).Increment();
  }
}

void Metrics::queue_wait(std::string_view kind, double seconds) {
  f_->queue_wait.Add({{"kind", std::string(kind)}}, reconcile_buckets()).Observe(duration(seconds));
}

void Metrics::change_applied(double seconds) {
  f_->change_apply.Add({}, reconcile_buckets()).Observe(duration(seconds));
}

void Metrics::dns_operation(const std::string& server, std::string_view operation, double seconds,
                            std::string_view result) {
  std::string op(operation);
  f_->dns_operations.Add({{"server", server}, {"operation", op}, {"result", std::string(result)}})
      .Increment();
  f_->dns_operation_duration.Add({{"server", server}, {"operation", op}}, dns_operation_buckets())
      .Observe(duration(seconds));
}

void Metrics::dns_changes(const std::string& server, size_t changes) {
  f_->dns_changes.Add({{"server", server}}).Increment(double(changes));
}

void Metrics::set_events_written(uint64_t total) {
  follow(f_->events_written, total);
}

void Metrics::kube_request(std::string_view verb, std::string_view code) {
  f_->kube_requests.Add({{"verb", std::string(verb)}, {"code", std::string(code)}}).Increment();
}

void Metrics::set_watched_objects(std::string_view kind, size_t n) {
  f_->watched_objects.Add({{"kind", std::string(kind)}}).Set(double(n));
}

void Metrics::set_records(const std::string& zone, const RecordCounts& by_kind_state) {
  std::lock_guard lock(f_->record_mu);
  auto& series = f_->record_series[zone];
  for (auto it = series.begin(); it != series.end();) {
    if (by_kind_state.count(it->first)) {
      ++it;
      continue;
    }
    f_->records.Remove(it->second);
    it = series.erase(it);
  }
  for (const auto& [ks, n] : by_kind_state) {
    Gauge*& g = series[ks];
    if (!g) g = &f_->records.Add({{"zone", zone}, {"kind", ks.first}, {"state", ks.second}});
    g->Set(double(n));
  }
  if (series.empty()) f_->record_series.erase(zone);
}

void Metrics::drift_check(const std::string& server) {
  f_->drift_checks.Add({{"server", server}}).Increment();
}

void Metrics::drift_found(const std::string& zone, size_t rrsets) {
  f_->drift_found.Add({{"zone", zone}}).Increment(double(rrsets));
}

void Metrics::status_write(std::string_view kind, bool ok) {
  f_->status_writes.Add({{"kind", std::string(kind)}}).Increment();
  if (!ok) f_->status_write_errors.Add({{"kind", std::string(kind)}}).Increment();
}

void Metrics::event(std::string_view reason) {
  f_->events.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::notification(std::string_view result) {
  f_->notifications.Add({{"result", std::string(result)}}).Increment();
}

void Metrics::set_queue_depth(size_t n) {
  f_->queue_depth.Set(double(n));
}
void Metrics::set_leader(bool leading) {
  f_->leader.Set(leading ? 1 : 0);
}
void Metrics::set_shards_held(size_t n) {
  f_->shards_held.Set(double(n));
}
void Metrics::set_zones(size_t n) {
  f_->zones.Set(double(n));
}
void Metrics::set_records_served(size_t n) {
  f_->records_served.Set(double(n));
}
void Metrics::set_synced(bool synced) {
  f_->synced.Set(synced ? 1 : 0);
}

void Metrics::set_source_endpoints(const std::map<std::string, size_t>& by_state) {
  for (std::string_view state :
       {"served", "conflict", "failed", "invalid", "filtered", "unmatched"}) {
    auto it = by_state.find(std::string(state));
    f_->source_endpoints.Add({{"state", std::string(state)}})
        .Set(double(it == by_state.end() ? 0 : it->second));
  }
}

void Metrics::set_preview_environments(const std::set<std::string>& namespaces) {
  for (auto it = f_->previews.begin(); it != f_->previews.end();) {
    if (namespaces.count(it->first)) {
      ++it;
      continue;
    }
    f_->preview_environments.Remove(it->second);
    it = f_->previews.erase(it);
  }
  for (const auto& ns : namespaces) {
    auto& g = f_->previews[ns];
    if (!g) g = &f_->preview_environments.Add({{"namespace", ns}});
    g->Set(1);
  }
}

void Metrics::set_certificate(const std::string& ns, const std::string& name, bool ready,
                              std::optional<int64_t> not_after) {
  auto& series = f_->certificates[{ns, name}];
  const std::map<std::string, std::string> labels{{"namespace", ns}, {"name", name}};
  if (!series.ready) series.ready = &f_->certificate_ready.Add(labels);
  series.ready->Set(ready ? 1 : 0);
  if (!not_after) {
    if (series.expiration) f_->certificate_expiration.Remove(series.expiration);
    series.expiration = nullptr;
    return;
  }
  if (!series.expiration) series.expiration = &f_->certificate_expiration.Add(labels);
  series.expiration->Set(double(*not_after));
}

void Metrics::remove_certificate(const std::string& ns, const std::string& name) {
  auto it = f_->certificates.find({ns, name});
  if (it == f_->certificates.end()) return;
  if (it->second.ready) f_->certificate_ready.Remove(it->second.ready);
  if (it->second.expiration) f_->certificate_expiration.Remove(it->second.expiration);
  f_->certificates.erase(it);
}

void Metrics::set_events_dropped(uint64_t total) {
  follow(f_->events_dropped, total);
}

void Metrics::queue_retry() {
  f_->queue_retries.Increment();
}

std::string Metrics::render() const {
  std::string out = prometheus::TextSerializer().Serialize(f_->registry->Collect());
  out += process_metrics();
  out += heap_metrics();
  std::lock_guard lock(declared_mu());
  for (const auto& d : declared()) {
    if (out.find("# TYPE " + d.name + " ") != std::string::npos) continue;
    out += "# HELP " + d.name + " " + d.help + "\n# TYPE " + d.name + " " + d.type + "\n";
  }
  return out;
}

std::optional<double> Metrics::value(std::string_view family,
                                     const std::map<std::string, std::string>& labels) const {
  for (const prometheus::MetricFamily& fam : f_->registry->Collect()) {
    if (fam.name != family) continue;
    for (const prometheus::ClientMetric& m : fam.metric) {
      if (m.label.size() != labels.size()) continue;
      bool same = true;
      for (const auto& l : m.label) {
        auto it = labels.find(l.name);
        if (it == labels.end() || it->second != l.value) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      switch (fam.type) {
        case prometheus::MetricType::Counter:
          return m.counter.value;
        case prometheus::MetricType::Gauge:
          return m.gauge.value;
        case prometheus::MetricType::Histogram:
          return double(m.histogram.sample_count);
        default:
          return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

}  // namespace zk::telemetry
