#include "telemetry/metrics.h"

#include "telemetry/heap_metrics.h"

#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zk::telemetry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

TEST(Metrics, ReconcileCountsByKindResultAndReason) {
  Metrics m;
  // The success and error series of every kind exist from the start, at 0.
  for (std::string_view kind : Metrics::kReconcileKinds) {
    for (const char* result : {"success", "error"}) {
      EXPECT_THAT(
          m.value("zonekeeper_reconciles_total", {{"kind", std::string(kind)}, {"result", result}}),
          Optional(0.0))
          << kind << " " << result;
    }
  }
  m.reconcile("DNSZone", 0.003);
  m.reconcile("DNSZone", 0.2);
  m.reconcile("DNSZone", 4, "ServerUnreachable");
  m.reconcile("SharedZone", 0.01, "Conflict");
  EXPECT_THAT(m.value("zonekeeper_reconciles_total", {{"kind", "DNSZone"}, {"result", "success"}}),
              Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_reconciles_total", {{"kind", "DNSZone"}, {"result", "error"}}),
              Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_reconciles_total", {{"kind", "SharedZone"}, {"result", "error"}}),
              Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_reconcile_errors_total",
                      {{"kind", "DNSZone"}, {"reason", "ServerUnreachable"}}),
              Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_reconcile_errors_total",
                      {{"kind", "SharedZone"}, {"reason", "Conflict"}}),
              Optional(1.0));
  // Successes have no reason series.
  EXPECT_EQ(m.value("zonekeeper_reconcile_errors_total", {{"kind", "DNSZone"}, {"reason", ""}}),
            std::nullopt);
  EXPECT_THAT(m.value("zonekeeper_reconcile_duration_seconds", {{"kind", "DNSZone"}}),
              Optional(3.0));  // sample count
}

TEST(Metrics, QueueWaitAndChangeApplyAreHistograms) {
  Metrics m;
  m.queue_wait("DNSZone", 0.002);
  m.queue_wait("DNSZone", 0.2);
  m.change_applied(0.03);
  EXPECT_THAT(m.value("zonekeeper_queue_wait_seconds", {{"kind", "DNSZone"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_change_apply_seconds"), Optional(1.0));
  const std::string text = m.render();
  EXPECT_THAT(
      text, HasSubstr("zonekeeper_queue_wait_seconds_bucket{kind=\"DNSZone\",le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_change_apply_seconds_bucket{le=\"0.05\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_change_apply_seconds histogram\n"));
}

TEST(Metrics, HistogramObservationLandsInItsBucket) {
  Metrics m;
  m.reconcile("DNSServer", 0.003);  // in (0.0025, 0.005]
  m.reconcile("DNSServer", 20);     // above every bound: +Inf only
  m.reconcile("DNSServer", -1);     // a clock step: counted as 0
  std::string text = m.render();
  const std::string b = "zonekeeper_reconcile_duration_seconds_bucket{kind=\"DNSServer\",le=";
  EXPECT_THAT(text, HasSubstr(b + "\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"10\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"+Inf\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("zonekeeper_reconcile_duration_seconds_count{kind=\"DNSServer\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("zonekeeper_reconcile_duration_seconds_sum{kind=\"DNSServer\"} 20.003"));

  m.dns_operation("ns/primary", "update", 0.0007);  // in (0.0005, 0.001]
  text = m.render();
  const std::string d =
      "zonekeeper_dns_operation_duration_seconds_bucket{operation=\"update\","
      "server=\"ns/primary\",le=";
  EXPECT_THAT(text, HasSubstr(d + "\"0.0005\"} 0\n"));
  EXPECT_THAT(text, HasSubstr(d + "\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(d + "\"5\"} 1\n"));
}

TEST(Metrics, DnsOperationsByServerOperationAndResult) {
  Metrics m;
  EXPECT_EQ(m.value("zonekeeper_dns_operations_total",
                    {{"server", "ns/a"}, {"operation", "update"}, {"result", "success"}}),
            std::nullopt);
  m.dns_operation("ns/a", "update", 0.01);
  m.dns_operation("ns/a", "update", 0.02);
  m.dns_operation("ns/a", "update", 0.02, "TsigAuthFailed");
  m.dns_operation("ns/a", "axfr", 0.02);
  m.dns_operation("ns/b", "soa", 0.01, "ServerUnreachable");
  m.dns_changes("ns/a", 3);
  m.dns_changes("ns/a", 0);
  m.dns_changes("ns/b", 10000);
  auto ops = [&](const char* server, const char* op, const char* result) {
    return m.value("zonekeeper_dns_operations_total",
                   {{"server", server}, {"operation", op}, {"result", result}});
  };
  EXPECT_THAT(ops("ns/a", "update", "success"), Optional(2.0));
  EXPECT_THAT(ops("ns/a", "update", "TsigAuthFailed"), Optional(1.0));
  EXPECT_THAT(ops("ns/a", "axfr", "success"), Optional(1.0));
  EXPECT_THAT(ops("ns/b", "soa", "ServerUnreachable"), Optional(1.0));
  EXPECT_EQ(ops("ns/b", "soa", "success"), std::nullopt);
  EXPECT_THAT(m.value("zonekeeper_dns_changes_total", {{"server", "ns/a"}}), Optional(3.0));
  EXPECT_THAT(m.value("zonekeeper_dns_changes_total", {{"server", "ns/b"}}), Optional(10000.0));
  // Failures are timed too.
  EXPECT_THAT(m.value("zonekeeper_dns_operation_duration_seconds",
                      {{"server", "ns/a"}, {"operation", "update"}}),
              Optional(3.0));
  // Labels must match exactly.
  EXPECT_EQ(m.value("zonekeeper_dns_operations_total", {{"server", "ns/a"}}), std::nullopt);
  EXPECT_EQ(m.value("zonekeeper_no_such_family"), std::nullopt);
}

TEST(Metrics, DriftStatusEventsRetriesKubeRequests) {
  Metrics m;
  m.drift_check("ns/a");
  m.drift_check("ns/a");
  m.drift_found("ns/example", 4);
  m.drift_found("ns/example", 1);
  m.status_write("DNSZone", true);
  m.status_write("ARecord", false);
  m.status_write("ARecord", true);
  m.event("Applied");
  m.event("Applied");
  m.queue_retry();
  m.kube_request("LIST", "200");
  m.kube_request("LIST", "200");
  m.kube_request("PATCH", "409");
  m.kube_request("WATCH", "error");
  m.set_events_written(5);
  m.set_events_written(3);  // a follower: never down
  m.set_events_dropped(2);
  EXPECT_THAT(m.value("zonekeeper_drift_checks_total", {{"server", "ns/a"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_drift_found_total", {{"zone", "ns/example"}}), Optional(5.0));
  EXPECT_THAT(m.value("zonekeeper_status_writes_total", {{"kind", "DNSZone"}}), Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_status_writes_total", {{"kind", "ARecord"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_status_write_errors_total", {{"kind", "ARecord"}}),
              Optional(1.0));
  EXPECT_EQ(m.value("zonekeeper_status_write_errors_total", {{"kind", "DNSZone"}}), std::nullopt);
  EXPECT_THAT(m.value("zonekeeper_events_total", {{"reason", "Applied"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_queue_retries_total"), Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_kube_requests_total", {{"verb", "LIST"}, {"code", "200"}}),
              Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_kube_requests_total", {{"verb", "PATCH"}, {"code", "409"}}),
              Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_kube_requests_total", {{"verb", "WATCH"}, {"code", "error"}}),
              Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_events_written_total"), Optional(5.0));
  EXPECT_THAT(m.value("zonekeeper_events_dropped_total"), Optional(2.0));
}

TEST(Metrics, RecordsByZoneKindAndStateReplaceTheZonesSeries) {
  Metrics m;
  m.set_records("ns/example", {{{"ARecord", "Served"}, 3}, {{"TXTRecord", "Conflict"}, 1}});
  m.set_records("ns/other", {{{"ARecord", "Served"}, 1}});
  auto records = [&](const char* zone, const char* kind, const char* state) {
    return m.value("zonekeeper_records", {{"zone", zone}, {"kind", kind}, {"state", state}});
  };
  EXPECT_THAT(records("ns/example", "ARecord", "Served"), Optional(3.0));
  EXPECT_THAT(records("ns/example", "TXTRecord", "Conflict"), Optional(1.0));
  // The conflict is resolved: its series goes, the other one moves.
  m.set_records("ns/example", {{{"ARecord", "Served"}, 4}});
  EXPECT_THAT(records("ns/example", "ARecord", "Served"), Optional(4.0));
  EXPECT_EQ(records("ns/example", "TXTRecord", "Conflict"), std::nullopt);
  // The zone goes: all its series go; the other zone's stay.
  m.set_records("ns/example", {});
  EXPECT_EQ(records("ns/example", "ARecord", "Served"), std::nullopt);
  EXPECT_THAT(records("ns/other", "ARecord", "Served"), Optional(1.0));
}

TEST(Metrics, CertificatesReadyAndExpiry) {
  Metrics m;
  auto ready = [&](const char* ns, const char* name) {
    return m.value("zonekeeper_certificate_ready", {{"namespace", ns}, {"name", name}});
  };
  auto expiry = [&](const char* ns, const char* name) {
    return m.value("zonekeeper_certificate_expiration_timestamp_seconds",
                   {{"namespace", ns}, {"name", name}});
  };
  m.set_certificate("shop", "web", false, std::nullopt);  // being issued
  EXPECT_THAT(ready("shop", "web"), Optional(0.0));
  EXPECT_EQ(expiry("shop", "web"), std::nullopt);
  m.set_certificate("shop", "web", true, 1803549600);
  m.set_certificate("shop", "api", true, 1803549000);
  EXPECT_THAT(ready("shop", "web"), Optional(1.0));
  EXPECT_THAT(expiry("shop", "web"), Optional(1803549600.0));
  m.remove_certificate("shop", "web");
  EXPECT_EQ(ready("shop", "web"), std::nullopt);
  EXPECT_EQ(expiry("shop", "web"), std::nullopt);
  EXPECT_THAT(expiry("shop", "api"), Optional(1803549000.0));
  m.remove_certificate("shop", "web");  // twice: nothing
}

TEST(Metrics, WatchedObjectsBuildInfoAndProcess) {
  Metrics m;
  m.set_watched_objects("ARecord", 12);
  m.set_watched_objects("ARecord", 11);
  EXPECT_THAT(m.value("zonekeeper_watched_objects", {{"kind", "ARecord"}}), Optional(11.0));
  std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("zonekeeper_build_info{compiler=\""));
  EXPECT_THAT(text, HasSubstr("version=\"" ZK_VERSION "\"} 1\n"));
  for (const char* family : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                             "process_virtual_memory_bytes", "process_start_time_seconds",
                             "process_open_fds", "process_max_fds"}) {
    EXPECT_THAT(text, HasSubstr(std::string("\n# TYPE ") + family + " ")) << family;
  }
  // Plausible values: this process holds memory and some descriptors, and started after 2020.
  auto sample = [&](const std::string& family) {
    auto at = text.find("\n" + family + " ");
    EXPECT_NE(at, std::string::npos) << family;
    return at == std::string::npos ? 0.0 : std::stod(text.substr(at + family.size() + 2));
  };
  EXPECT_GT(sample("process_resident_memory_bytes"), 1e6);
  EXPECT_GE(sample("process_virtual_memory_bytes"), sample("process_resident_memory_bytes"));
  EXPECT_GE(sample("process_open_fds"), 3);
  EXPECT_GT(sample("process_max_fds"), sample("process_open_fds"));
  EXPECT_GT(sample("process_start_time_seconds"), 1.58e9);
  EXPECT_GE(sample("process_cpu_seconds_total"), 0);
}

// The allocator's count (glibc's; a sanitizer build allocates through its own, which glibc
// does not see): a 64 MiB block shows as in use while it lives.
TEST(Metrics, HeapBytes) {
  auto in_use = [] {
    std::string text = heap_metrics();
    const std::string series = "zonekeeper_heap_bytes{state=\"in_use\"} ";
    auto at = text.find(series);
    EXPECT_NE(at, std::string::npos) << text;
    return at == std::string::npos ? 0.0 : std::stod(text.substr(at + series.size()));
  };
  EXPECT_THAT(Metrics().render(), HasSubstr("\n# TYPE zonekeeper_heap_bytes gauge\n"));
  EXPECT_THAT(heap_metrics(), HasSubstr("zonekeeper_heap_bytes{state=\"free\"} "));
  const double before = in_use();
  static char* volatile block = nullptr;  // volatile: the allocation cannot be elided
  block = new char[64 << 20];
  const double during = in_use();
  delete[] block;
#ifndef __SANITIZE_ADDRESS__
  EXPECT_GE(during - before, double(64 << 20));
  EXPECT_LT(in_use(), during);
#else
  (void)before;
  (void)during;
#endif
}

TEST(Metrics, Gauges) {
  Metrics m;
  EXPECT_THAT(m.value("zonekeeper_leader"), Optional(0.0));
  m.set_queue_depth(7);
  m.set_leader(true);
  m.set_zones(3);
  m.set_records_served(12345);
  m.set_synced(true);
  EXPECT_THAT(m.value("zonekeeper_queue_depth"), Optional(7.0));
  EXPECT_THAT(m.value("zonekeeper_leader"), Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_zones"), Optional(3.0));
  EXPECT_THAT(m.value("zonekeeper_records_served"), Optional(12345.0));
  EXPECT_THAT(m.value("zonekeeper_informers_synced"), Optional(1.0));
  m.set_queue_depth(0);
  m.set_leader(false);
  m.set_synced(false);
  EXPECT_THAT(m.value("zonekeeper_queue_depth"), Optional(0.0));
  EXPECT_THAT(m.value("zonekeeper_leader"), Optional(0.0));
  EXPECT_THAT(m.value("zonekeeper_informers_synced"), Optional(0.0));
}

TEST(Metrics, RenderHasHelpTypeAndSeries) {
  Metrics m;
  m.dns_changes("ns/a", 2);
  m.dns_operation("ns/a", "update", 0.01, "ServerRefused");
  m.set_zones(2);
  std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("# HELP zonekeeper_reconciles_total "));
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_reconciles_total counter\n"));
  EXPECT_THAT(text,
              HasSubstr("zonekeeper_reconciles_total{kind=\"DNSZone\",result=\"success\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_reconcile_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_zones gauge\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_zones 2\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_dns_changes_total{server=\"ns/a\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_dns_operations_total{operation=\"update\",result="
                              "\"ServerRefused\",server=\"ns/a\"} 1\n"));
  // Every family shows HELP and TYPE from the start, labelled ones without series too
  // (prometheus-cpp leaves those out; render() adds them).
  for (const char* family :
       {"zonekeeper_queue_depth", "zonekeeper_leader", "zonekeeper_records_served",
        "zonekeeper_informers_synced", "zonekeeper_queue_retries_total", "zonekeeper_records",
        "zonekeeper_watched_objects", "zonekeeper_kube_requests_total",
        "zonekeeper_reconcile_errors_total", "zonekeeper_events_written_total"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + family + " ")) << family;
  }
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_events_total counter\n"));
  EXPECT_THAT(text, Not(HasSubstr("zonekeeper_events_total{")));
  EXPECT_THAT(text, Not(HasSubstr("\n\n")));
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics m;
  m.event("a\"b\\c\nd");
  EXPECT_THAT(m.render(), HasSubstr("zonekeeper_events_total{reason=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(Metrics, RenderWhileRecordingFromAnotherThread) {
  Metrics m;
  std::thread writer([&] {
    for (int i = 0; i < 20000; ++i) {
      m.dns_changes("ns/" + std::to_string(i % 50), 1);
      m.set_queue_depth(size_t(i));
    }
  });
  for (int i = 0; i < 50; ++i) EXPECT_THAT(m.render(), HasSubstr("zonekeeper_queue_depth"));
  writer.join();
  double total = 0;
  for (int i = 0; i < 50; ++i) {
    total += m.value("zonekeeper_dns_changes_total", {{"server", "ns/" + std::to_string(i)}})
                 .value_or(0);
  }
  EXPECT_EQ(total, 20000);
}

}  // namespace
}  // namespace zk::telemetry
