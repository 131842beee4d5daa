// Metrics: the controller's Prometheus metrics (prometheus-cpp core registry), rendered in the
// text exposition format 0.0.4 for the /metrics route of src/server.
//
//   zk::telemetry::Metrics metrics;
//   metrics.reconcile(/*ok=*/true, 0.012);
//   metrics.dns_update("ns/bind-primary", 0.004, /*changes=*/3);
//   server.route("/metrics", [&] {
//     return zk::server::Response{.content_type =
//     std::string(zk::telemetry::Metrics::kContentType),
//                                 .body = metrics.render()};
//   });
//
// Label values must be bounded: server and zone keys ("namespace/name"), reasons from a fixed
// set (the dns error reasons of docs/api.md), kinds from our CRD kinds. Labelled series are
// created on first use; a labelled family with no series yet is still rendered, as its HELP
// and TYPE lines alone. The unlabelled series and both reconciles_total{result} series exist
// from the start, at 0.
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

  // zonekeeper_reconciles_total{result="success"|"error"},
  // zonekeeper_reconcile_duration_seconds (histogram, buckets 0.001..10).
  void reconcile(bool ok, double seconds);

  // zonekeeper_dns_updates_total{server}, zonekeeper_dns_update_duration_seconds{server}
  // (histogram, 0.0005..5), zonekeeper_dns_changes_total{server} (+= changes).
  void dns_update(const std::string& server, double seconds, size_t changes);
  // zonekeeper_dns_update_errors_total{server,reason}.
  void dns_update_error(const std::string& server, std::string_view reason);

  // zonekeeper_drift_checks_total{server}.
  void drift_check(const std::string& server);
  // zonekeeper_drift_found_total{zone} += rrsets (RRsets found differing from what was
  // applied).
  void drift_found(const std::string& zone, size_t rrsets);

  // zonekeeper_zone_transfers_total{server,type="axfr"|"ixfr"}.
  void zone_transfer(const std::string& server, std::string_view type);

  // One PATCH of /status or of a record's zone annotation:
  // zonekeeper_status_writes_total{kind} (kind = "DNSZone", "ARecord", ...), and on failure
  // also zonekeeper_status_write_errors_total{kind}.
  void status_write(std::string_view kind, bool ok);

  // zonekeeper_events_total{reason}: Events handed to the recorder.
  void event(std::string_view reason);
  // zonekeeper_events_dropped_total: the recorder's running total of Events it did not write
  // (per-object rate limit, its queue full, or a failed write); the counter follows it.
  void set_events_dropped(uint64_t total);

  // Gauges: zonekeeper_queue_depth, zonekeeper_leader (0/1), zonekeeper_zones,
  // zonekeeper_records_served, zonekeeper_informers_synced (0/1).
  void set_queue_depth(size_t n);
  void set_leader(bool leading);
  void set_zones(size_t n);
  void set_records_served(size_t n);
  void set_synced(bool synced);

  // zonekeeper_source_endpoints{state} for every state (served, conflict, failed, invalid,
  // filtered, unmatched); absent states are 0.
  void set_source_endpoints(const std::map<std::string, size_t>& by_state);

  // zonekeeper_preview_environments{namespace} = 1 for each active preview environment; the
  // series of a Namespace that is no longer one is removed.
  void set_preview_environments(const std::set<std::string>& namespaces);

  // zonekeeper_queue_retries_total.
  void queue_retry();

  // Prometheus text exposition format 0.0.4 (HELP and TYPE lines, then the series).
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
