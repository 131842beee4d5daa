#include "telemetry/metrics.h"

#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zk::telemetry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

TEST(Metrics, ReconcileCountsByResultAndObservesDuration) {
  Metrics m;
  // Both result series exist from the start, at 0.
  EXPECT_THAT(m.value("zonekeeper_reconciles_total", {{"result", "success"}}), Optional(0.0));
  EXPECT_THAT(m.value("zonekeeper_reconciles_total", {{"result", "error"}}), Optional(0.0));
  m.reconcile(true, 0.003);
  m.reconcile(true, 0.2);
  m.reconcile(false, 4);
  EXPECT_THAT(m.value("zonekeeper_reconciles_total", {{"result", "success"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_reconciles_total", {{"result", "error"}}), Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_reconcile_duration_seconds"), Optional(3.0));  // sample count
}

TEST(Metrics, HistogramObservationLandsInItsBucket) {
  Metrics m;
  m.reconcile(true, 0.003);  // in (0.0025, 0.005]
  m.reconcile(true, 20);     // above every bound: +Inf only
  m.reconcile(true, -1);     // a clock step: counted as 0
  std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconcile_duration_seconds_bucket{le=\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconcile_duration_seconds_bucket{le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconcile_duration_seconds_bucket{le=\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconcile_duration_seconds_bucket{le=\"10\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconcile_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconcile_duration_seconds_count 3\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconcile_duration_seconds_sum 20.003"));

  m.dns_update("ns/primary", 0.0007, 1);  // in (0.0005, 0.001]
  text = m.render();
  EXPECT_THAT(text, HasSubstr("zonekeeper_dns_update_duration_seconds_bucket{server=\"ns/primary\","
                              "le=\"0.0005\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_dns_update_duration_seconds_bucket{server=\"ns/primary\","
                              "le=\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_dns_update_duration_seconds_bucket{server=\"ns/primary\","
                              "le=\"5\"} 1\n"));
}

TEST(Metrics, DnsUpdatesByServer) {
  Metrics m;
  EXPECT_EQ(m.value("zonekeeper_dns_updates_total", {{"server", "ns/a"}}), std::nullopt);
  m.dns_update("ns/a", 0.01, 3);
  m.dns_update("ns/a", 0.02, 0);
  m.dns_update("ns/b", 0.01, 10000);
  EXPECT_THAT(m.value("zonekeeper_dns_updates_total", {{"server", "ns/a"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_dns_updates_total", {{"server", "ns/b"}}), Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_dns_changes_total", {{"server", "ns/a"}}), Optional(3.0));
  EXPECT_THAT(m.value("zonekeeper_dns_changes_total", {{"server", "ns/b"}}), Optional(10000.0));
  EXPECT_THAT(m.value("zonekeeper_dns_update_duration_seconds", {{"server", "ns/a"}}),
              Optional(2.0));

  m.dns_update_error("ns/a", "BadSig");
  m.dns_update_error("ns/a", "BadSig");
  m.dns_update_error("ns/a", "Timeout");
  EXPECT_THAT(
      m.value("zonekeeper_dns_update_errors_total", {{"server", "ns/a"}, {"reason", "BadSig"}}),
      Optional(2.0));
  EXPECT_THAT(
      m.value("zonekeeper_dns_update_errors_total", {{"server", "ns/a"}, {"reason", "Timeout"}}),
      Optional(1.0));
  // Labels must match exactly.
  EXPECT_EQ(m.value("zonekeeper_dns_update_errors_total", {{"server", "ns/a"}}), std::nullopt);
  EXPECT_EQ(m.value("zonekeeper_no_such_family"), std::nullopt);
}

TEST(Metrics, DriftTransfersStatusEventsRetries) {
  Metrics m;
  m.drift_check("ns/a");
  m.drift_check("ns/a");
  m.drift_found("ns/example", 4);
  m.drift_found("ns/example", 1);
  m.zone_transfer("ns/a", "axfr");
  m.zone_transfer("ns/a", "ixfr");
  m.zone_transfer("ns/a", "ixfr");
  m.status_write("DNSZone", true);
  m.status_write("ARecord", false);
  m.status_write("ARecord", true);
  m.event("Applied");
  m.event("Applied");
  m.queue_retry();
  EXPECT_THAT(m.value("zonekeeper_drift_checks_total", {{"server", "ns/a"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_drift_found_total", {{"zone", "ns/example"}}), Optional(5.0));
  EXPECT_THAT(m.value("zonekeeper_zone_transfers_total", {{"server", "ns/a"}, {"type", "axfr"}}),
              Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_zone_transfers_total", {{"server", "ns/a"}, {"type", "ixfr"}}),
              Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_status_writes_total", {{"kind", "DNSZone"}}), Optional(1.0));
  EXPECT_THAT(m.value("zonekeeper_status_writes_total", {{"kind", "ARecord"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_status_write_errors_total", {{"kind", "ARecord"}}),
              Optional(1.0));
  EXPECT_EQ(m.value("zonekeeper_status_write_errors_total", {{"kind", "DNSZone"}}), std::nullopt);
  EXPECT_THAT(m.value("zonekeeper_events_total", {{"reason", "Applied"}}), Optional(2.0));
  EXPECT_THAT(m.value("zonekeeper_queue_retries_total"), Optional(1.0));
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
  m.dns_update("ns/a", 0.01, 2);
  m.dns_update_error("ns/a", "Refused");
  m.set_zones(2);
  std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("# HELP zonekeeper_reconciles_total "));
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_reconciles_total counter\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_reconciles_total{result=\"success\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_reconcile_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE zonekeeper_zones gauge\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_zones 2\n"));
  EXPECT_THAT(text, HasSubstr("zonekeeper_dns_changes_total{server=\"ns/a\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr("zonekeeper_dns_update_errors_total{reason=\"Refused\",server=\"ns/a\"} 1\n"));
  // Every family shows HELP and TYPE from the start, labelled ones without series too
  // (prometheus-cpp leaves those out; render() adds them).
  for (const char* family :
       {"zonekeeper_queue_depth", "zonekeeper_leader", "zonekeeper_records_served",
        "zonekeeper_informers_synced", "zonekeeper_queue_retries_total",
        "zonekeeper_dns_updates_total", "zonekeeper_dns_update_duration_seconds"}) {
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
      m.dns_update("ns/" + std::to_string(i % 50), 0.001, 1);
      m.set_queue_depth(size_t(i));
    }
  });
  for (int i = 0; i < 50; ++i) EXPECT_THAT(m.render(), HasSubstr("zonekeeper_queue_depth"));
  writer.join();
  double total = 0;
  for (int i = 0; i < 50; ++i) {
    total += m.value("zonekeeper_dns_updates_total", {{"server", "ns/" + std::to_string(i)}})
                 .value_or(0);
  }
  EXPECT_EQ(total, 20000);
}

}  // namespace
}  // namespace zk::telemetry
