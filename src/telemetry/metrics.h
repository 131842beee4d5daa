// Metrics: the controller's Prometheus metrics (prometheus-cpp core registry), rendered in the
// text exposition format 0.0.4 for the /metrics route of src/server.
//
//   zk::telemetry::Metrics metrics;
//   metrics.reconcile("DNSZone", 0.012);
//   metrics.dns_operation("ns/bind-primary", "update", 0.004);
//   server.route("/metrics", [&] {
//     return zk::server::Response{.content_type =
//     std::string(zk::telemetry::Metrics::kContentType),
//                                 .body = metrics.render()};
//   });
//
// Label values must be bounded: server and zone keys ("namespace/name"), reasons from a fixed
// set (the dns error reasons of docs/api.md), kinds from our CRD kinds. Labelled series are
// created on first use; a labelled family with no series yet is still rendered, as its HELP
// and TYPE lines alone. The unlabelled series and the reconciles_total{kind,result} series exist
// from the start, at 0. docs/metrics.md is the catalog; a test keeps the two equal.
//
// Threading: every method may be called from any thread (prometheus-cpp families and metrics
// are thread-safe); the controller calls the recording methods from its executor and the HTTP
// server calls render().
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace zk::telemetry {

class Metrics {
 public:
  // The Content-Type of render()'s output.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // zonekeeper_reconciles_total{kind,result="success"|"error"},
  // zonekeeper_reconcile_duration_seconds{kind} (histogram, buckets 0.001..10), and for a
  // failure zonekeeper_reconcile_errors_total{kind,reason}. kind: the work item reconciled
  // ("DNSZone", "DNSServer", "Namespace", "SharedZone"); reason: a documented condition reason
  // (docs/api.md), "Exception" for an unexpected throw. An empty reason means success.
  // The success and error series of every kind in kReconcileKinds exist from the start, at 0.
  static constexpr std::string_view kReconcileKinds[] = {"DNSZone", "DNSServer", "Namespace",
                                                         "SharedZone"};
  void reconcile(std::string_view kind, double seconds, std::string_view error_reason = {});
  // zonekeeper_queue_wait_seconds{kind} (histogram, 0.001..10): how long a work item waited in
  // the queue, from being added (or due, when delayed) until a worker took it.
  void queue_wait(std::string_view kind, double seconds);
  // zonekeeper_change_apply_seconds (histogram, 0.001..10): from a change of a DNSZone or record
  // object reaching the controller (its watch event handled) until every Primary of the zone
  // acknowledged the UPDATE it made; observed by the reconciles that applied changes.
  void change_applied(double seconds);

  // One operation against a DNS backend: zonekeeper_dns_operations_total{server,operation,
  // result} and zonekeeper_dns_operation_duration_seconds{server,operation} (histogram,
  // 0.0005..5). operation: "update" (a DNS UPDATE batch or a Technitium change batch), "axfr",
  // "ixfr", "soa" (serial query), "notify", "query" (test-dns), "listing" (Technitium records),
  // "session" (Technitium API session check); result: "success" or the failure's reason as the
  // records say it (ServerUnreachable, TsigAuthFailed, ZoneNotFound, UpdateRefused, ...).
  void dns_operation(const std::string& server, std::string_view operation, double seconds,
                     std::string_view result = "success");
  // zonekeeper_dns_changes_total{server} += changes (RRset changes applied by one update).
  void dns_changes(const std::string& server, size_t changes);

  // zonekeeper_drift_checks_total{server}.
  void drift_check(const std::string& server);
  // zonekeeper_drift_found_total{zone} += rrsets (RRsets found differing from what was
  // applied).
  void drift_found(const std::string& zone, size_t rrsets);

  // One PATCH of /status or of a record's zone annotation:
  // zonekeeper_status_writes_total{kind} (kind = "DNSZone", "ARecord", ...), and on failure
  // also zonekeeper_status_write_errors_total{kind}.
  void status_write(std::string_view kind, bool ok);

  // zonekeeper_events_total{reason}: Events handed to the recorder.
  void event(std::string_view reason);
  // zonekeeper_events_dropped_total: the recorder's running total of Events it did not write
  // (per-object rate limit, its queue full, or a failed write); the counter follows it.
  void set_events_dropped(uint64_t total);
  // zonekeeper_events_written_total: the recorder's running total of Events (or series
  // increments of an aggregated one) the API server accepted; the counter follows it.
  void set_events_written(uint64_t total);

  // zonekeeper_kube_requests_total{verb,code}: one request to the Kubernetes API server. verb:
  // GET, LIST, WATCH, POST, PUT, PATCH, DELETE; code: the HTTP status, or "error" when no
  // response came (connection refused, timeout, TLS failure).
  void kube_request(std::string_view verb, std::string_view code);

  // zonekeeper_watched_objects{kind} = n: objects in the informer cache of that kind.
  void set_watched_objects(std::string_view kind, size_t n);

  // zonekeeper_records{zone,kind,state}: the record objects of one DNSZone ("ns/name") by kind
  // and state (their Ready reason: Served, Conflict, ZoneNotFound, ...), replacing that zone's
  // previous series (an empty map removes them all).
  using RecordCounts = std::map<std::pair<std::string, std::string>, size_t>;  // (kind, state)
  void set_records(const std::string& zone, const RecordCounts& by_kind_state);

  // Gauges: zonekeeper_queue_depth, zonekeeper_leader (0/1), zonekeeper_shards_held,
  // zonekeeper_zones, zonekeeper_records_served, zonekeeper_informers_synced (0/1).
  void set_queue_depth(size_t n);
  void set_leader(bool leading);
  void set_shards_held(size_t n);
  void set_zones(size_t n);
  void set_records_served(size_t n);
  void set_synced(bool synced);

  // zonekeeper_source_endpoints{state} for every state (served, conflict, failed, invalid,
  // filtered, unmatched); absent states are 0.
  void set_source_endpoints(const std::map<std::string, size_t>& by_state);

  // zonekeeper_preview_environments{namespace} = 1 for each active preview environment; the
  // series of a Namespace that is no longer one is removed.
  void set_preview_environments(const std::set<std::string>& namespaces);

  // cert-manager Certificates (--watch-certificates): zonekeeper_certificate_ready{namespace,name}
  // is 1 when the Certificate's Ready condition is True, else 0;
  // zonekeeper_certificate_expiration_timestamp_seconds{namespace,name} is its status.notAfter
  // in Unix seconds (no series until cert-manager has issued it). remove_certificate drops both.
  void set_certificate(const std::string& ns, const std::string& name, bool ready,
                       std::optional<int64_t> not_after);
  void remove_certificate(const std::string& ns, const std::string& name);

  // zonekeeper_queue_retries_total.
  void queue_retry();
  // A change webhook (dns.zonekeeper.io/notify-url): "sent", "failed" (every attempt),
  // "invalid" (the URL is refused), "dropped" (too many in flight).
  void notification(std::string_view result);

  // Prometheus text exposition format 0.0.4 (HELP and TYPE lines, then the series).
  // zonekeeper_build_info{version,compiler} = 1 and the process_* families (CPU seconds,
  // resident and virtual memory, open and max file descriptors, start time; read from /proc
  // at each render) are always included.
  std::string render() const;

  // For tests and benches: the current value of the counter or gauge series of `family` whose
  // labels are exactly `labels`, or nullopt when there is no such series. For a histogram
  // family, its sample count.
  std::optional<double> value(std::string_view family,
                              const std::map<std::string, std::string>& labels = {}) const;

 private:
  struct Families;
  std::unique_ptr<Families> f_;
};

}  // namespace zk::telemetry
