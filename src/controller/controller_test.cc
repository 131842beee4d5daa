// The Controller through its public API, against fake providers (tests/support/fake_provider.h):
// every condition reason docs/api.md lists for DNSZones, records and DNSServers is produced
// here at least once. tests/e2e proves the same against a real API server and BIND 9.
#include "controller/controller.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "support/fake_provider.h"
#include "telemetry/metrics.h"

namespace zk::controller {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;
using providers::Failure;
using testing::FakeProvider;
using testing::FakeProviderFactory;

const Name kZone = Name::parse("example.test.").value();

Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}

RRsetMap apex() {
  RRsetMap m;
  RRset soa(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns1"), N("hostmaster"), 1, 60, 60, 600, 60)});
  m[soa.key()] = soa;
  RRset ns(kZone, RRType::NS, 3600, {Rdata::name_target(RRType::NS, N("ns1"))});
  m[ns.key()] = ns;
  return m;
}

struct Event {
  ObjectRef ref;
  bool warning;
  std::string reason, note;
};

class Sink : public StatusSink {
 public:
  void record_status(const RecordStatus& s) override { records[s.ref.key()] = s; }
  void zone_status(const ZoneStatus& s) override {
    zones[s.ref.key()] = s;
    ++zone_writes;
  }
  void server_status(const ServerStatus& s) override { servers[s.ref.key()] = s; }
  void event(const ObjectRef& ref, bool warning, std::string_view reason,
             std::string note) override {
    events.push_back({ref, warning, std::string(reason), std::move(note)});
  }
  std::map<std::string, RecordStatus> records;
  std::map<std::string, ZoneStatus> zones;
  size_t zone_writes = 0;
  std::map<std::string, ServerStatus> servers;
  std::vector<Event> events;
};

// Objects as the API server (or local mode) hands them over.
struct Objects {
  int uid = 0;
  json::value meta(std::string_view kind, std::string_view ns, std::string_view name, int second,
                   int64_t generation = 1, std::string_view labels = "{}") {
    return json::parse(fmt::format(
        R"({{"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"{}","metadata":{{"name":"{}",)"
        R"("namespace":"{}","uid":"uid-{}","generation":{},)"
        R"("creationTimestamp":"2026-01-01T00:00:{:02}Z","labels":{}}}}})",
        kind, name, ns, ++uid, generation, second, labels));
  }
  json::value with_spec(json::value o, std::string_view spec) {
    o.as_object()["spec"] = json::parse(spec);
    return o;
  }
  // A Primary needs a TSIG key: Secret "tsig" unless `extra` names another.
  json::value server(std::string_view ns, std::string_view name, std::string_view extra = "",
                     std::string_view role = "Primary", int port = 5353) {
    std::string key = role == "Primary" && extra.find("tsigKeySecretRef") == std::string::npos
                          ? R"(,"tsigKeySecretRef":{"name":"tsig"})"
                          : "";
    return with_spec(
        meta("DNSServer", ns, name, 0),
        fmt::format(R"({{"role":"{}","external":{{"address":"127.0.0.1","port":{}}}{}{}}})", role,
                    port, key, extra));
  }
  json::value zone(std::string_view ns, std::string_view name, std::string_view servers,
                   int second = 1, std::string_view extra = "", int64_t generation = 1,
                   std::string_view selector = R"({"matchLabels":{"zone":"example"}})") {
    return with_spec(
        meta("DNSZone", ns, name, second, generation),
        fmt::format(R"({{"zoneName":"example.test","recordsFrom":[{{"selector":{}}}]{}{}}})",
                    selector, servers.empty() ? "" : fmt::format(R"(,"servers":{})", servers),
                    extra));
  }
  json::value a(std::string_view ns, std::string_view name, std::string_view owner,
                std::string_view address, int second = 2,
                std::string_view labels = R"({"zone":"example"})") {
    return with_spec(meta("ARecord", ns, name, second, 1, labels),
                     fmt::format(R"({{"name":"{}","ipv4Addresses":["{}"]}})", owner, address));
  }
};

constexpr std::string_view kRefsPrimary = R"({"refs":[{"name":"primary"}]})";

class ControllerTest : public ::testing::Test {
 protected:
  // Retries after 5..50 ms unless `keep_retry` (a test that must tell a wake from a retry).
  void make(ControllerOptions options = {}, bool keep_retry = false) {
    if (!keep_retry)
      options.retry = {std::chrono::milliseconds(5), std::chrono::milliseconds(50), 0.0};
    options.workers = 2;
    stop_and_drop();
    c = std::make_unique<Controller>(io.get_executor(), options, sink, metrics, factory);
  }
  void SetUp() override { make(); }
  // The workers and timers end while the Controller still exists (a coroutine resumed after
  // it is gone would read freed memory), then it goes.
  void TearDown() override { stop_and_drop(); }
  void stop_and_drop() {
    if (!c) return;
    c->stop();
    io.poll();
    c.reset();
    io.poll();
    io.restart();  // out of work, the io_context stopped; the next controller needs it running
  }

  // Runs until nothing is queued or in flight (delayed retries do not count).
  void settle() {
    for (int i = 0; i < 5000; ++i) {
      io.poll();
      if (c->idle()) {
        io.poll();
        if (c->idle()) return;
      }
      io.run_for(std::chrono::milliseconds(1));
    }
    FAIL() << "the controller never went idle";
  }
  // Runs until `done` (retries, re-checks and drift checks run on timers).
  template <class F>
  void run_until(F done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) {
        FAIL() << "the expected state never came";
        return;
      }
      io.run_for(std::chrono::milliseconds(2));
    }
  }

  // The Secret "tsig" of `ns`, read and valid.
  void key(std::string_view ns) {
    c->put_secret(
        ns, "tsig",
        {SecretState::Kind::Ok, api::TsigSecret{"zk.", "hmac-sha256", "c2VjcmV0"}, "", {}, ""});
  }
  // The provider of DNSServer ns/primary, serving the zone; its Secret read.
  FakeProvider& primary(std::string_view ns = "dns") {
    FakeProvider& p = factory.server(fmt::format("{}/primary", ns));
    if (!p.truth(kZone)) p.add_zone(kZone, apex());
    key(ns);
    return p;
  }
  // DNSServer dns/primary, DNSZone dns/example and ARecord www (192.0.2.1), reconciled.
  FakeProvider& start_example() {
    FakeProvider& p = primary();
    c->put_server(o.server("dns", "primary"));
    c->put_zone(o.zone("dns", "example", kRefsPrimary));
    c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
    c->start();
    settle();
    return p;
  }
  const ConditionSpec& record(std::string_view key) {
    return sink.records.at(std::string(key)).ready;
  }
  const ConditionSpec& zone(std::string_view key) { return sink.zones.at(std::string(key)).ready; }
  const ConditionSpec& server(std::string_view key) {
    return sink.servers.at(std::string(key)).ready;
  }

  asio::io_context io;
  Sink sink;
  telemetry::Metrics metrics;
  FakeProviderFactory factory;
  Objects o;
  std::unique_ptr<Controller> c;
};

TEST_F(ControllerTest, ServesSelectedRecordsAndSaysSo) {
  FakeProvider& p = primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->put_record(o.a("dns", "api", "api", "192.0.2.2"));
  c->start();
  settle();

  EXPECT_EQ(record("ARecord/dns/www").reason, "Served");
  EXPECT_EQ(record("ARecord/dns/www").status, "True");
  EXPECT_EQ(sink.records.at("ARecord/dns/www").fqdn, "www.example.test.");
  ASSERT_TRUE(sink.records.at("ARecord/dns/www").propagated);
  EXPECT_EQ(sink.records.at("ARecord/dns/www").propagated->reason, "InSync");
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "AllReady");
  EXPECT_EQ(zone("DNSZone/dns/example").message, "2 records served by 1 Primary");
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").record_count, 2u);
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "Reachable");
  const RRset* www = nullptr;
  if (auto it = p.truth(kZone)->rrsets.find(RRsetKey{N("www"), RRType::A});
      it != p.truth(kZone)->rrsets.end()) {
    www = &it->second;
  }
  ASSERT_NE(www, nullptr) << "the record reached the server";
  EXPECT_EQ(www->rdatas(), std::vector<Rdata>{Rdata::a("192.0.2.1").value()});
  EXPECT_EQ(factory.made.size(), 1u);
  EXPECT_EQ(factory.made[0].label, "dns/primary");
  EXPECT_EQ(factory.made[0].port, 5353);

  // Removing a record removes its data (it was ours).
  c->remove_record(api::Kind::A, "dns", "api");
  settle();
  EXPECT_FALSE(p.truth(kZone)->rrsets.count(RRsetKey{N("api"), RRType::A}));
  EXPECT_EQ(zone("DNSZone/dns/example").message, "1 records served by 1 Primary");
}

// zonekeeper_records_served: what the zones last reported Served, in cluster mode too.
double served_metric(const telemetry::Metrics& m) {
  std::string text = m.render();
  auto at = text.find("\nzonekeeper_records_served ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + std::string("\nzonekeeper_records_served ").size()));
}

// spec.dnssec.dsConfigMap reaches the status sink (app/ds_config_maps keeps the ConfigMap): the
// name while asked for (here on a Primary that cannot sign: DNSSECNotSupported, still asked), ""
// once the zone no longer asks (a ConfigMap made before goes), and nothing said (nullopt) for a
// spec that is invalid, so that a typo does not cost the parent its DS.
TEST_F(ControllerTest, TheDsConfigMapAskedForReachesTheSink) {
  primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(
      o.zone("dns", "example", kRefsPrimary, 1, R"(,"dnssec":{"dsConfigMap":"example-ds"})"));
  c->start();
  settle();
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "DNSSECNotSupported");
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").ds_config_map, "example-ds");

  c->put_zone(o.zone("dns", "example", kRefsPrimary, 1, R"(,"dnssec":{"dsConfigMap":"Bad"})", 2));
  settle();
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "InvalidSpec");
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").ds_config_map, std::nullopt);

  c->put_zone(o.zone("dns", "example", kRefsPrimary, 1, "", 3));
  settle();
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "AllReady");
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").ds_config_map, "");
}

TEST_F(ControllerTest, ZoneStatusSerialsAloneAreWrittenAtMostOncePerInterval) {
  ControllerOptions options;
  options.zone_serial_refresh = std::chrono::milliseconds(300);
  make(options);
  FakeProvider& p = start_example();
  const size_t sent = sink.zone_writes;
  for (int i = 0; i < 5; ++i) {
    c->put_record(o.a("dns", "www", "www", fmt::format("192.0.2.{}", 10 + i)));
    settle();
    EXPECT_EQ(sink.records.at("ARecord/dns/www").acknowledged_hash.empty(), false);
  }
  EXPECT_EQ(record("ARecord/dns/www").reason, "Served");
  EXPECT_LE(sink.zone_writes, sent + 1) << "five changes moved only the serials";
  // The latest serial is written once the interval has passed.
  run_until([&] {
    const auto& z = sink.zones.at("DNSZone/dns/example");
    return !z.servers.empty() && z.servers[0].serial == p.truth(kZone)->serial;
  });
  EXPECT_TRUE(sink.zones.at("DNSZone/dns/example").synced) << "lastSyncTime moves with it";
  // A change beyond serials is written at once.
  c->put_record(o.a("dns", "api", "api", "192.0.2.2"));
  settle();
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").record_count, 2u);
}

TEST_F(ControllerTest, RecordsServedCountsWhatTheZonesServe) {
  FakeProvider& p = primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->put_record(o.a("dns", "api", "api", "192.0.2.2"));
  c->start();
  settle();
  EXPECT_EQ(served_metric(metrics), 2);
  auto applied = [&] { return metrics.value("zonekeeper_change_apply_seconds").value_or(0); };
  const double applied_at_start = applied();
  EXPECT_GE(applied_at_start, 1);
  EXPECT_GE(metrics.value("zonekeeper_queue_wait_seconds", {{"kind", "DNSZone"}}).value_or(0), 1);
  // The server fails: nothing is Served any more.
  p.fail_all =
      providers::Failure{"ServerUnreachable", "ServerUnreachable", "timeout", false, false};
  c->put_record(o.a("dns", "api", "api", "192.0.2.3"));
  run_until([&] { return record("ARecord/dns/api").reason == "ServerUnreachable"; });
  EXPECT_EQ(served_metric(metrics), 0);
  // The failed reconcile is counted with the server's reason, and retried.
  EXPECT_GE(metrics
                .value("zonekeeper_reconcile_errors_total",
                       {{"kind", "DNSZone"}, {"reason", "ServerUnreachable"}})
                .value_or(0),
            1);
  EXPECT_GE(metrics.value("zonekeeper_queue_retries_total").value_or(0), 1);
  auto records = [&](const char* kind, const char* state) {
    return metrics.value("zonekeeper_records",
                         {{"zone", "dns/example"}, {"kind", kind}, {"state", state}});
  };
  EXPECT_EQ(records("ARecord", "ServerUnreachable"), std::optional<double>(2));
  EXPECT_EQ(records("ARecord", "Served"), std::nullopt);
  EXPECT_EQ(applied(), applied_at_start) << "a failed reconcile applied nothing";
  p.fail_all.reset();
  c->put_record(o.a("dns", "api", "api", "192.0.2.4"));
  run_until([&] { return record("ARecord/dns/api").reason == "Served"; });
  settle();
  EXPECT_EQ(served_metric(metrics), 2);
  // Both changes went out in one UPDATE, timed from the first (kept through the failures).
  EXPECT_EQ(applied(), applied_at_start + 1);
  // The zone goes: so does its count.
  EXPECT_EQ(records("ARecord", "Served"), std::optional<double>(2));
  EXPECT_EQ(records("ARecord", "ServerUnreachable"), std::nullopt);
  EXPECT_GE(
      metrics.value("zonekeeper_reconciles_total", {{"kind", "DNSZone"}, {"result", "success"}})
          .value_or(0),
      2);
  c->remove_zone("dns", "example");
  settle();
  EXPECT_EQ(served_metric(metrics), 0);
  EXPECT_EQ(records("ARecord", "Served"), std::nullopt);
}

// /api/v1/test-dns: what should be served, from which object, and what the server answers.
TEST_F(ControllerTest, CheckDnsComparesWhatShouldBeServedWithWhatTheServerAnswers) {
  FakeProvider& p = start_example();
  auto check = [&](std::string_view name, RRType type) {
    std::optional<tl::expected<DnsCheck, std::string>> out;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          out = co_await c->check_dns(Name::parse(name).value(), type);
        },
        boost::asio::detached);
    run_until([&] { return out.has_value(); });
    return *out;
  };
  auto www = check("www.example.test.", RRType::A);
  ASSERT_TRUE(www) << www.error();
  EXPECT_EQ(www->zone, "example.test.");
  EXPECT_EQ(www->zone_source, "DNSZone dns/example");
  EXPECT_EQ(www->expected, std::vector<std::string>{"192.0.2.1"});
  ASSERT_EQ(www->sources.size(), 1u);
  EXPECT_EQ(www->sources[0].kind, "ARecord");
  EXPECT_EQ(www->sources[0].name, "www");
  ASSERT_EQ(www->servers.size(), 1u);
  EXPECT_EQ(www->servers[0].server, "dns/primary");
  EXPECT_EQ(www->servers[0].rcode, "NOERROR");
  EXPECT_EQ(www->servers[0].values, std::vector<std::string>{"192.0.2.1"});
  EXPECT_TRUE(www->servers[0].agrees);
  EXPECT_TRUE(www->agree);
  // Nothing declared and nothing served: they agree on NXDOMAIN.
  auto none = check("nothing.example.test.", RRType::A);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->expected.empty());
  EXPECT_EQ(none->servers[0].rcode, "NXDOMAIN");
  EXPECT_TRUE(none->agree);
  // A server that cannot be asked does not agree, and says why.
  p.fail_all =
      providers::Failure{"ServerUnreachable", "ServerUnreachable", "timeout", false, false};
  auto down = check("www.example.test.", RRType::A);
  ASSERT_TRUE(down);
  EXPECT_FALSE(down->agree);
  EXPECT_EQ(down->servers[0].error, "ServerUnreachable: timeout");
  p.fail_all.reset();
  // A name in no managed zone.
  auto outside = check("www.elsewhere.test.", RRType::A);
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error(), "www.elsewhere.test. is in no zone zonekeeper manages");
}

TEST_F(ControllerTest, RecordReasonsFromTheirOwnData) {
  primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_zone(o.zone("dns", "broad", kRefsPrimary, 5, "", 1, R"({"matchLabels":{"wide":"yes"}})"));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1", 2));
  c->put_record(o.a("dns", "www-later", "www", "192.0.2.9", 3));  // same name, other data
  c->put_record(o.a("dns", "outside", "www.elsewhere.test.", "192.0.2.3"));
  c->put_record(o.a("dns", "lonely", "lonely", "192.0.2.4", 2, R"({"zone":"other"})"));
  c->put_record(o.a("dns", "both", "both", "192.0.2.5", 2, R"({"zone":"example","wide":"yes"})"));
  c->start();
  settle();

  EXPECT_EQ(record("ARecord/dns/www").reason, "Served");
  EXPECT_EQ(record("ARecord/dns/www-later").reason, "Conflict");
  EXPECT_EQ(record("ARecord/dns/outside").reason, "InvalidSpec");
  EXPECT_EQ(record("ARecord/dns/lonely").reason, "NotSelected");
  EXPECT_EQ(record("ARecord/dns/both").reason, "MultipleZones");
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "PartiallyReady");
  EXPECT_NE(zone("DNSZone/dns/example").message.find("1 Conflict"), std::string::npos)
      << zone("DNSZone/dns/example").message;
}

TEST_F(ControllerTest, RecordRowsShowWhatIsServedFromWhichObjectAndWhatIsNot) {
  primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1", 2));
  c->put_record(o.a("dns", "www-later", "www", "192.0.2.9", 3));  // Conflict
  c->put_record(o.a("dns", "lonely", "lonely", "192.0.2.4", 2, R"({"zone":"other"})"));
  c->start();
  settle();

  std::map<std::string, RecordRow> by_object;
  for (const RecordRow& r : c->record_rows()) {
    by_object[fmt::format("{}/{}/{}", r.source.kind, r.source.ns, r.source.name)] = r;
  }
  ASSERT_TRUE(by_object.contains("ARecord/dns/www"));
  const RecordRow& www = by_object["ARecord/dns/www"];
  EXPECT_EQ(www.name, "www.example.test.");
  EXPECT_EQ(www.type, "A");
  EXPECT_EQ(www.values, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(www.zone, "example.test.");
  EXPECT_EQ(www.zone_source, "DNSZone dns/example");
  EXPECT_EQ(www.servers, std::vector<std::string>{"dns/primary"});
  EXPECT_EQ(www.ready.status, "True");
  EXPECT_EQ(www.ready.reason, "Served");
  ASSERT_TRUE(by_object.contains("ARecord/dns/www-later"));
  EXPECT_TRUE(by_object["ARecord/dns/www-later"].values.empty());
  EXPECT_EQ(by_object["ARecord/dns/www-later"].ready.reason, "Conflict");
  EXPECT_EQ(by_object["ARecord/dns/www-later"].type, "A");
  ASSERT_TRUE(by_object.contains("ARecord/dns/lonely"));
  EXPECT_EQ(by_object["ARecord/dns/lonely"].ready.reason, "NotSelected");
  // The apex (SOA and NS are not declared by objects of ours) is not a row; nothing else is.
  EXPECT_EQ(by_object.size(), 3u);

  // view_version: still while nothing happens, moved by a change and by its statuses.
  const uint64_t v0 = c->view_version();
  settle();
  EXPECT_EQ(c->view_version(), v0);
  // A deleted object leaves the table.
  c->remove_record(api::Kind::A, "dns", "lonely");
  const uint64_t v1 = c->view_version();
  EXPECT_GT(v1, v0);
  settle();
  for (const RecordRow& r : c->record_rows()) EXPECT_NE(r.source.name, "lonely");
  c->put_record(o.a("dns", "new", "new", "192.0.2.7", 2));
  settle();
  EXPECT_GT(c->view_version(), v1 + 1);  // queued, then its status
}

TEST_F(ControllerTest, ResyncAsksTheServersAndPutsBackWhatWasChangedAroundUs) {
  FakeProvider& p = primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  EXPECT_EQ(c->resync(), 0u) << "not leading: nothing to do";
  c->start();
  settle();
  const RRsetKey www{N("www"), RRType::A};
  ASSERT_TRUE(p.truth(kZone)->rrsets.count(www));

  // Someone removes www behind our back; the drift check is a minute away.
  RRsetMap changed = p.truth(kZone)->rrsets;
  changed.erase(www);
  p.add_zone(kZone, changed, p.truth(kZone)->serial + 1);
  settle();
  EXPECT_FALSE(p.truth(kZone)->rrsets.count(www));
  EXPECT_EQ(c->resync("dns/nothing"), 0u);
  EXPECT_EQ(c->resync("dns/example"), 1u);
  settle();
  EXPECT_TRUE(p.truth(kZone)->rrsets.count(www)) << "the resync saw the change and undid it";
  EXPECT_EQ(c->resync(), 1u);  // every DNSZone (no shared zones here)
  settle();
}

TEST_F(ControllerTest, ARecheckedServerGetsBackWhatItLostAtOnce) {
  FakeProvider& p = start_example();
  const RRsetKey www{N("www"), RRType::A};
  ASSERT_TRUE(p.truth(kZone)->rrsets.count(www));
  // The server comes back empty (a managed Primary's Pod on a new volume); the drift check is a
  // minute away.
  p.add_zone(kZone, apex(), 1);
  settle();
  EXPECT_FALSE(p.truth(kZone)->rrsets.count(www));
  EXPECT_EQ(c->recheck_server("dns", "nothing"), 0u);
  EXPECT_EQ(c->recheck_server("dns", "primary"), 2u);  // the server and its one zone
  settle();
  EXPECT_TRUE(p.truth(kZone)->rrsets.count(www)) << "replayed without waiting for the drift check";
}

TEST_F(ControllerTest, RecordsOfANamespaceWithoutZonesAreNotSelected) {
  c->put_record(o.a("apps", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(record("ARecord/apps/www").reason, "NotSelected");
  EXPECT_EQ(record("ARecord/apps/www").message, "no DNSZone in namespace apps selects it");
}

TEST_F(ControllerTest, AZoneWithoutAPrimaryHasNoServers) {
  c->put_server(
      o.server("dns", "secondary", R"(,"primaryServerRef":{"name":"primary"})", "Secondary"));
  c->put_zone(o.zone("dns", "example", R"({"refs":[{"name":"secondary"}]})"));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "NoServers");
  EXPECT_EQ(record("ARecord/dns/www").reason, "ZoneNotReady");
  EXPECT_NE(record("ARecord/dns/www").message.find("NoServers"), std::string::npos);
}

TEST_F(ControllerTest, AnInvalidZoneMakesItsServedRecordsZoneNotReady) {
  primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  ASSERT_EQ(record("ARecord/dns/www").reason, "Served");

  // Generation 2 with an empty nameServers list (the schema admits it; the rules do not).
  c->put_zone(o.zone("dns", "example", kRefsPrimary, 1, R"(,"nameServers":[])", 2));
  settle();
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "InvalidSpec");
  EXPECT_EQ(record("ARecord/dns/www").reason, "ZoneNotReady");
  EXPECT_NE(record("ARecord/dns/www").message.find("InvalidSpec"), std::string::npos);
  EXPECT_TRUE(primary().truth(kZone)->rrsets.count(RRsetKey{N("www"), RRType::A}))
      << "nothing is removed for an invalid spec";
}

TEST_F(ControllerTest, TheOlderOfTwoDNSZonesOnOneServerWins) {
  primary("a");
  primary("b");  // another DNSServer object, the same address:port
  c->put_server(o.server("a", "primary"));
  c->put_server(o.server("b", "primary"));
  c->put_zone(o.zone("a", "example", kRefsPrimary, 1));
  c->put_zone(o.zone("b", "example", kRefsPrimary, 9));
  c->put_record(o.a("a", "www", "www", "192.0.2.1"));
  c->put_record(o.a("b", "www", "www", "192.0.2.2"));
  c->start();
  settle();
  EXPECT_EQ(zone("DNSZone/a/example").reason, "AllReady");
  EXPECT_EQ(zone("DNSZone/b/example").reason, "Conflict");
  EXPECT_NE(zone("DNSZone/b/example").message.find("a/example is older"), std::string::npos);
  EXPECT_EQ(record("ARecord/b/www").reason, "ZoneNotReady");
  EXPECT_EQ(factory.server("b/primary").applies, 0u) << "the younger zone changes nothing";
}

TEST_F(ControllerTest, ShardedItDoesOnlyTheWorkItOwnsAndWhatItGainsInFull) {
  primary("a");
  primary("b");
  c->put_server(o.server("a", "primary"));
  c->put_server(o.server("b", "primary", "", "Primary", 5354));
  c->put_zone(o.zone("a", "example", kRefsPrimary));
  c->put_zone(o.zone("b", "example", kRefsPrimary));
  c->put_record(o.a("a", "www", "www", "192.0.2.1"));
  c->put_record(o.a("b", "www", "www", "192.0.2.2"));
  auto in = [](const std::string& ns) { return [ns](const WorkItem& w) { return w.ns == ns; }; };
  c->share(in("a"));  // this replica holds the shards of namespace a's work only
  c->start();
  settle();
  EXPECT_EQ(record("ARecord/a/www").reason, "Served");
  EXPECT_EQ(zone("DNSZone/a/example").reason, "AllReady");
  EXPECT_FALSE(sink.records.count("ARecord/b/www")) << "another replica reports it";
  EXPECT_FALSE(sink.zones.count("DNSZone/b/example"));
  EXPECT_FALSE(sink.servers.count("DNSServer/b/primary"));
  EXPECT_EQ(factory.server("b/primary").applies, 0u) << "another replica writes that zone";
  c->put_record(o.a("b", "api", "api", "192.0.2.3"));
  settle();
  EXPECT_EQ(factory.server("b/primary").applies, 0u);

  // b's shards come here too: b is done at once, in full (the change made meanwhile included).
  c->share([](const WorkItem&) { return true; });
  settle();
  EXPECT_EQ(record("ARecord/b/www").reason, "Served");
  EXPECT_EQ(record("ARecord/b/api").reason, "Served");
  EXPECT_EQ(zone("DNSZone/b/example").reason, "AllReady");
  EXPECT_EQ(server("DNSServer/b/primary").reason, "Reachable");
  EXPECT_TRUE(
      factory.server("b/primary").truth(kZone)->rrsets.count(RRsetKey{N("api"), RRType::A}));

  // a's go elsewhere: a change there is no longer made here.
  const size_t applied = factory.server("a/primary").applies;
  c->share(in("b"));
  c->put_record(o.a("a", "api", "api", "192.0.2.4"));
  settle();
  EXPECT_EQ(factory.server("a/primary").applies, applied);
  EXPECT_FALSE(sink.records.count("ARecord/a/api"));
  EXPECT_FALSE(c->busy_with([](const WorkItem&) { return true; }));
}

TEST_F(ControllerTest, ServerFailuresBecomeRecordZoneAndServerReasonsAndRecover) {
  FakeProvider& p = primary();
  p.fail_all =
      Failure{"ServerUnreachable", "ServerUnreachable", "Timeout: no answer", false, false};
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(record("ARecord/dns/www").reason, "ServerUnreachable");
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "NotReady");
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "ServerUnreachable");

  p.fail_all.reset();  // it answers again: the retry finds out, no manual step
  run_until([&] { return record("ARecord/dns/www").reason == "Served"; });
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "AllReady");
  run_until([&] { return server("DNSServer/dns/primary").reason == "Reachable"; });
}

TEST_F(ControllerTest, EachFailureKeepsTheProvidersReason) {
  for (const auto& [reason, server_reason] :
       std::vector<std::pair<std::string, std::string>>{{"TsigAuthFailed", "TsigAuthFailed"},
                                                        {"TransferRefused", "ServerRefused"},
                                                        {"UpdateRefused", "ServerFailure"}}) {
    stop_and_drop();
    sink = Sink{};
    factory = FakeProviderFactory{};
    make();
    FakeProvider& p = primary();
    p.fail_all = Failure{reason, server_reason, reason + ": fake", false, false};
    c->put_server(o.server("dns", "primary"));
    c->put_zone(o.zone("dns", "example", kRefsPrimary));
    c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
    c->start();
    settle();
    EXPECT_EQ(record("ARecord/dns/www").reason, reason);
    EXPECT_NE(record("ARecord/dns/www").message.find(reason + ": fake"), std::string::npos);
    EXPECT_EQ(server("DNSServer/dns/primary").reason, server_reason);
    c->stop();
  }
}

TEST_F(ControllerTest, AMissingZoneIsZoneNotFoundOnAServerThatAnswers) {
  factory.server("dns/primary");  // serves no zone at all
  key("dns");
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(record("ARecord/dns/www").reason, "ZoneNotFound");
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "NotReady");
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "Reachable");
}

TEST_F(ControllerTest, ARefusedChangeIsThatRecordsAlone) {
  FakeProvider& p = primary();
  p.refuse.insert(RRsetKey{N("bad"), RRType::A});
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->put_record(o.a("dns", "bad", "bad", "192.0.2.66"));
  c->start();
  settle();
  EXPECT_EQ(record("ARecord/dns/www").reason, "Served");
  EXPECT_EQ(record("ARecord/dns/bad").reason, "UpdateRefused");
  EXPECT_NE(record("ARecord/dns/bad").message.find("refused the change of bad.example.test. A"),
            std::string::npos)
      << record("ARecord/dns/bad").message;
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "PartiallyReady");
}

TEST_F(ControllerTest, OnePrimaryOfTwoFailingIsPartiallyReady) {
  primary();
  FakeProvider& second = factory.server("dns/primary2");
  second.add_zone(kZone, apex());
  second.fail_all = Failure{"ServerUnreachable", "ServerUnreachable", "Timeout", false, false};
  c->put_server(o.server("dns", "primary"));
  c->put_server(o.server("dns", "primary2", "", "Primary", 5354));
  c->put_zone(o.zone("dns", "example", R"({"refs":[{"name":"primary"},{"name":"primary2"}]})"));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "PartiallyReady");
  EXPECT_NE(zone("DNSZone/dns/example").message.find("1 of 2 Primaries failed"), std::string::npos);
  EXPECT_EQ(record("ARecord/dns/www").reason, "ServerUnreachable")
      << "served only when every Primary holds it";
}

TEST_F(ControllerTest, TechnitiumServersReadTheirCredentialsSecret) {
  primary();
  c->put_server(o.with_spec(o.meta("DNSServer", "dns", "primary", 0),
                            R"({"role":"Primary","external":{"address":"127.0.0.1","port":5353,
          "technitium":{"url":"http://127.0.0.1:5380","credentialsSecretRef":{"name":"api"}}}})"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "SecretPending");
  c->put_secret("dns", "api", {SecretState::Kind::Missing, std::nullopt, "", {}, ""});
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "SecretNotFound");
  EXPECT_EQ(record("ARecord/dns/www").reason, "AuthenticationFailed")
      << "no usable API credentials for it (not TSIG: it has no key)";
  c->put_secret("dns", "api",
                {SecretState::Kind::Invalid, std::nullopt, "not a TSIG key",
                 api::ApiCredentials{"t0ken", "", ""}, ""});
  settle();
  EXPECT_EQ(record("ARecord/dns/www").reason, "Served");
  ASSERT_FALSE(factory.made.empty());
  ASSERT_TRUE(factory.made.back().technitium.has_value());
  EXPECT_EQ(factory.made.back().technitium->token, "t0ken");
  for (const auto& [key, st] : sink.servers) {
    EXPECT_EQ(st.ready.message.find("t0ken"), std::string::npos) << "no token in status";
  }
}

TEST_F(ControllerTest, SecretsDecideWhetherAServerIsContacted) {
  primary();
  c->put_server(o.server("dns", "primary", R"(,"tsigKeySecretRef":{"name":"other"})"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "SecretPending");
  EXPECT_TRUE(factory.made.empty()) << "not contacted before the Secret is read";

  c->put_secret("dns", "other", {SecretState::Kind::Missing, std::nullopt, "", {}, ""});
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "SecretNotFound");
  EXPECT_EQ(record("ARecord/dns/www").reason, "TsigAuthFailed");
  EXPECT_EQ(zone("DNSZone/dns/example").reason, "NotReady");
  EXPECT_NE(zone("DNSZone/dns/example").message.find("SecretNotFound"), std::string::npos);

  c->put_secret("dns", "other", {SecretState::Kind::Forbidden, std::nullopt, "forbidden", {}, ""});
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "SecretForbidden");

  c->put_secret("dns", "other", {SecretState::Kind::Invalid, std::nullopt, "no algorithm", {}, ""});
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "SecretInvalid");

  // Read fine, but the provider cannot use it.
  c->put_secret(
      "dns", "other",
      {SecretState::Kind::Ok, api::TsigSecret{"k.", "hmac-sha256", "not base64!"}, "", {}, ""});
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "SecretInvalid");
  EXPECT_EQ(record("ARecord/dns/www").reason, "TsigAuthFailed") << "no usable key for it";

  c->put_secret(
      "dns", "other",
      {SecretState::Kind::Ok, api::TsigSecret{"k.", "hmac-sha256", "c2VjcmV0"}, "", {}, ""});
  settle();
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "Reachable");
  EXPECT_EQ(record("ARecord/dns/www").reason, "Served");
  ASSERT_FALSE(factory.made.empty());
  ASSERT_TRUE(factory.made.back().key);
  EXPECT_EQ(factory.made.back().key->secret, "c2VjcmV0");
  for (const auto& [key, s] : sink.servers) {
    EXPECT_EQ(s.ready.message.find("c2VjcmV0"), std::string::npos) << "no secret in status";
  }
}

TEST_F(ControllerTest, AnInvalidServerIsInvalidSpec) {
  c->put_server(o.with_spec(o.meta("DNSServer", "dns", "broken", 0), R"({"role":"Tertiary"})"));
  c->start();
  settle();
  EXPECT_EQ(server("DNSServer/dns/broken").reason, "InvalidSpec");
  EXPECT_EQ(server("DNSServer/dns/broken").status, "False");
}

TEST_F(ControllerTest, ServerHealthReasonsComeFromTheProvider) {
  for (std::string reason : {"ServerRefused", "QueryRejected", "MalformedResponse"}) {
    stop_and_drop();
    sink = Sink{};
    factory = FakeProviderFactory{};
    make();
    factory.server("dns/lonely").fail_all = Failure{"UpdateRefused", reason, "fake", false, false};
    key("dns");
    c->put_server(o.server("dns", "lonely"));  // serves no zone: probed with the root's SOA
    c->start();
    settle();
    EXPECT_EQ(server("DNSServer/dns/lonely").reason, reason);
    c->stop();
  }
}

TEST_F(ControllerTest, SecondariesBehindThenInSync) {
  ControllerOptions options;
  options.zone_serial_refresh = std::chrono::milliseconds(100);
  make(options);
  FakeProvider& p = primary();
  FakeProvider& s = factory.server("dns/secondary");
  s.add_zone(kZone, apex(), 1);
  c->put_server(o.server("dns", "primary"));
  c->put_server(
      o.server("dns", "secondary", R"(,"primaryServerRef":{"name":"primary"})", "Secondary", 5354));
  c->put_zone(o.zone("dns", "example", R"({"refs":[{"name":"primary"},{"name":"secondary"}]})"));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  EXPECT_EQ(record("ARecord/dns/www").reason, "Served");
  ASSERT_TRUE(sink.records.at("ARecord/dns/www").propagated);
  EXPECT_EQ(sink.records.at("ARecord/dns/www").propagated->reason, "SecondaryBehind");
  ASSERT_TRUE(sink.zones.at("DNSZone/dns/example").propagated);
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").propagated->reason, "SecondaryBehind");
  EXPECT_GE(s.notifies, 1u) << "the Secondary was told";

  s.set_serial(kZone, p.truth(kZone)->serial);  // it transferred the zone
  run_until([&] { return sink.records.at("ARecord/dns/www").propagated->reason == "InSync"; });
  // The zone's status says so within zone_serial_refresh: catching up moves with every change,
  // as serials do, and is written as rarely.
  run_until([&] { return sink.zones.at("DNSZone/dns/example").propagated->reason == "InSync"; });

  s.fail_all = Failure{"ServerUnreachable", "ServerUnreachable", "Timeout", false, false};
  c->put_record(o.a("dns", "api", "api", "192.0.2.2"));
  settle();
  EXPECT_EQ(sink.records.at("ARecord/dns/api").propagated->reason, "SecondaryUnreachable");
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").propagated->reason, "SecondaryUnreachable");
}

TEST_F(ControllerTest, DriftIsReportedUnderReportAndUndoneUnderRemediate) {
  ControllerOptions options;
  options.drift_interval = std::chrono::milliseconds(20);
  make(options);
  FakeProvider& p = primary();
  c->put_server(o.server("dns", "primary"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary, 1, R"(,"driftPolicy":"Report")"));
  c->put_record(o.a("dns", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  ASSERT_EQ(record("ARecord/dns/www").reason, "Served");

  // Someone else writes to the zone.
  p.add_zone(
      kZone,
      [&] {
        RRsetMap m = p.truth(kZone)->rrsets;
        RRset x(N("intruder"), RRType::A, 60, {Rdata::a("192.0.2.99").value()});
        m[x.key()] = x;
        return m;
      }(),
      p.truth(kZone)->serial + 1);
  run_until([&] {
    for (const auto& e : sink.events) {
      if (e.reason == "DriftDetected") return true;
    }
    return false;
  });
  for (const auto& e : sink.events) {
    if (e.reason != "DriftDetected") continue;
    EXPECT_TRUE(e.warning);
    EXPECT_NE(e.note.find("intruder.example.test. A"), std::string::npos) << e.note;
  }
  EXPECT_TRUE(p.truth(kZone)->rrsets.count(RRsetKey{N("intruder"), RRType::A}))
      << "Report leaves what it did not write";

  c->put_zone(o.zone("dns", "example", kRefsPrimary, 1, "", 2));  // driftPolicy Remediate
  settle();
  run_until([&] { return !p.truth(kZone)->rrsets.count(RRsetKey{N("intruder"), RRType::A}); });
  EXPECT_TRUE(p.truth(kZone)->rrsets.count(RRsetKey{N("www"), RRType::A}));
}

TEST_F(ControllerTest, DryRunPlansButNeverWrites) {
  ControllerOptions options;
  options.dry_run = true;
  make(options);
  FakeProvider& p = start_example();
  EXPECT_EQ(p.applies, 0u);
  EXPECT_FALSE(p.truth(kZone)->rrsets.count(RRsetKey{N("www"), RRType::A}));
}

// Shared zones: `zone` served by DNSServer dns/primary, fed by IngressRoutes (targets
// 192.0.2.80), and the zone's first content on a server (its SOA only).
void ingressroutes_into(ControllerOptions& options, const Name& zone) {
  options.sources.zones = {{zone, {"dns/primary"}}};
  options.sources.kinds = {SourceKind::IngressRoute};
  options.sources.ingressroute.default_targets = {"192.0.2.80"};
}
RRsetMap apex_only(const Name& zone) {
  RRsetMap m;
  RRset soa(
      zone, RRType::SOA, 3600,
      {Rdata::soa(Name::parse("ns1." + zone.to_string()).value(),
                  Name::parse("hostmaster." + zone.to_string()).value(), 1, 60, 60, 600, 60)});
  m[soa.key()] = soa;
  return m;
}

// Shared zones: an IngressRoute whose names an older object already serves gets its own
// Programmed Event when it is created — found when the sources were tried as a new user would.
TEST_F(ControllerTest, ANewObjectWhoseNamesAreAlreadyServedIsProgrammedToo) {
  ControllerOptions options;
  const Name ext = Name::parse("ext.test.").value();
  ingressroutes_into(options, ext);
  make(options);
  FakeProvider& p = factory.server("dns/primary");
  p.add_zone(ext, apex_only(ext));
  key("dns");
  c->put_server(o.server("dns", "primary"));
  c->start();
  settle();
  auto route = [&](std::string_view name, int second) {
    return json::parse(fmt::format(
        R"({{"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute","metadata":{{"name":"{}",)"
        R"("namespace":"web","uid":"u-{}","generation":1,)"
        R"("creationTimestamp":"2026-01-01T00:00:{:02}Z"}},"spec":{{"routes":[{{"kind":"Rule",)"
        R"x("match":"Host(`app.ext.test`)","services":[{{"name":"web","port":80}}]}}]}}}})x",
        name, name, second));
  };
  auto programmed = [&](std::string_view name) {
    for (const auto& e : sink.events) {
      if (e.ref.name == name && e.reason == "Programmed" && !e.warning) return true;
    }
    return false;
  };
  c->put_source(SourceKind::IngressRoute, route("first", 1));
  settle();
  EXPECT_TRUE(programmed("first"));
  EXPECT_TRUE(
      p.truth(ext)->rrsets.count(RRsetKey{Name::parse("app.ext.test.").value(), RRType::A}));

  size_t applies = p.applies;
  c->put_source(SourceKind::IngressRoute, route("second", 5));  // the same name, the same data
  settle();
  EXPECT_EQ(p.applies, applies) << "nothing new to write";
  EXPECT_TRUE(programmed("second")) << "served, so it says so";

  // A restart that finds everything in place records nothing new.
  size_t events = sink.events.size();
  c->stop();
  c->start();
  settle();
  EXPECT_EQ(sink.events.size(), events);
}

// A shared zone (--zone ext.test=dns/primary) whose DNSServer is created after the controller
// started is served as soon as the server appears, not after its backoff (the catalog's
// namespace work wakes the shared zones whose servers live in that namespace).
TEST_F(ControllerTest, ASharedZoneIsServedAsSoonAsItsServerAppears) {
  ControllerOptions options;
  options.retry.initial = std::chrono::hours(1);  // only the server's arrival can wake it
  options.retry.max = std::chrono::hours(1);
  const Name ext = Name::parse("ext.test.").value();
  ingressroutes_into(options, ext);
  make(options, /*keep_retry=*/true);
  FakeProvider& p = factory.server("dns/primary");
  p.add_zone(ext, apex_only(ext));
  key("dns");
  c->start();
  c->put_source(SourceKind::IngressRoute,
                json::parse(R"({"apiVersion":"traefik.io/v1alpha1","kind":"IngressRoute",)"
                            R"("metadata":{"name":"app","namespace":"web","uid":"u-app",)"
                            R"("generation":1,"creationTimestamp":"2026-01-01T00:00:01Z"},)"
                            R"x("spec":{"routes":[{"kind":"Rule","match":"Host(`app.ext.test`)",)x"
                            R"("services":[{"name":"web","port":80}]}]}})"));
  settle();
  const RRsetKey app{Name::parse("app.ext.test.").value(), RRType::A};
  ASSERT_FALSE(p.truth(ext)->rrsets.count(app)) << "no server yet";

  c->put_server(o.server("dns", "primary"));
  settle();
  EXPECT_TRUE(p.truth(ext)->rrsets.count(app)) << "served without waiting for the backoff";
}

namespace catalog_test {

const Name kCatalog = Name::parse("catalog.zonekeeper.invalid.").value();

RRsetMap catalog_apex() {
  RRsetMap m;
  const Name invalid = Name::parse("invalid.").value();
  RRset soa(kCatalog, RRType::SOA, 0, {Rdata::soa(invalid, invalid, 1, 60, 60, 600, 0)});
  m[soa.key()] = soa;
  RRset ns(kCatalog, RRType::NS, 0, {Rdata::name_target(RRType::NS, invalid)});
  m[ns.key()] = ns;
  return m;
}

// The PTR targets of the catalog's members on the server.
std::set<std::string> members(FakeProvider& p) {
  std::set<std::string> out;
  for (const auto& [k, rrset] : p.truth(kCatalog)->rrsets) {
    if (k.type == RRType::PTR) out.insert(rrset.rdatas().front().target()->to_string());
  }
  return out;
}

}  // namespace catalog_test

// On a Primary that can sign (a catalog zone): the ConfigMap is asked for with the DS the
// Primary serves (none yet: the fake does not sign); while no Primary answers, nothing is said,
// so the ConfigMap keeps the DS it holds.
TEST_F(ControllerTest, AnUnreachablePrimarySaysNothingOfTheDsConfigMap) {
  using catalog_test::kCatalog;
  FakeProvider& p = primary();
  p.add_zone(kCatalog, catalog_test::catalog_apex());
  c->put_server(o.server("dns", "primary", R"(,"catalogZone":"catalog.zonekeeper.invalid")"));
  c->put_zone(
      o.zone("dns", "example", kRefsPrimary, 1, R"(,"dnssec":{"dsConfigMap":"example-ds"})"));
  c->start();
  settle();
  const ZoneStatus& st = sink.zones.at("DNSZone/dns/example");
  EXPECT_EQ(st.ready.reason, "AllReady");
  EXPECT_EQ(st.ds_config_map, "example-ds");
  ASSERT_TRUE(st.dnssec.has_value());
  EXPECT_FALSE(st.dnssec->is_signed);

  p.fail_all = providers::Failure{"ServerUnreachable", "ServerUnreachable", "timeout"};
  c->put_zone(
      o.zone("dns", "example", kRefsPrimary, 1, R"(,"dnssec":{"dsConfigMap":"example-ds"})", 2));
  settle();
  EXPECT_NE(sink.zones.at("DNSZone/dns/example").ready.reason, "AllReady");
  EXPECT_EQ(sink.zones.at("DNSZone/dns/example").ds_config_map, std::nullopt);
}

TEST_F(ControllerTest, ACatalogZoneListsTheZonesItsServerServes) {
  using catalog_test::kCatalog;
  FakeProvider& p = primary();
  p.add_zone(kCatalog, catalog_test::catalog_apex());
  FakeProvider& secondary = factory.server("dns/secondary");
  c->put_server(o.server("dns", "primary", R"(,"catalogZone":"catalog.zonekeeper.invalid")"));
  c->put_server(
      o.server("dns", "secondary", R"(,"primaryServerRef":{"name":"primary"})", "Secondary", 5354));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->put_zone(o.with_spec(o.meta("DNSZone", "dns", "shop", 1),
                          R"({"zoneName":"shop.test","servers":{"refs":[{"name":"primary"}]}})"));
  c->start();
  settle();
  EXPECT_EQ(catalog_test::members(p), (std::set<std::string>{"example.test.", "shop.test."}));
  EXPECT_TRUE(p.truth(kCatalog)->rrsets.count(
      RRsetKey{Name::parse("version.catalog.zonekeeper.invalid.").value(), RRType::TXT}));
  EXPECT_EQ(server("DNSServer/dns/primary").reason, "Reachable");
  // The consumers hear of it at once.
  EXPECT_GE(secondary.notifies, 1u);

  // A DNSZone whose spec no longer decodes names no zone: nothing is removed meanwhile.
  c->put_zone(o.with_spec(o.meta("DNSZone", "dns", "shop", 1, 2),
                          R"({"zoneName":"bad..name","servers":{"refs":[{"name":"primary"}]}})"));
  settle();
  EXPECT_EQ(catalog_test::members(p), (std::set<std::string>{"example.test.", "shop.test."}));

  // Deleted: out of the catalog (its consumers delete the zone).
  c->remove_zone("dns", "shop");
  settle();
  EXPECT_EQ(catalog_test::members(p), std::set<std::string>{"example.test."});

  // Someone removes a member by hand: put back (the catalog is zonekeeper's alone).
  p.add_zone(kCatalog, catalog_test::catalog_apex(), 99);
  c->put_zone(o.zone("dns", "example", kRefsPrimary, 1, "", 3));
  settle();
  EXPECT_EQ(catalog_test::members(p), std::set<std::string>{"example.test."});
}

TEST_F(ControllerTest, AServerSharedAcrossNamespacesServesTheZonesOfNamespacesItAdmits) {
  using catalog_test::kCatalog;
  FakeProvider& p = primary();  // dns/primary, its TSIG Secret in dns
  p.add_zone(kCatalog, catalog_test::catalog_apex());
  auto ns_object = [](std::string_view name, std::string_view labels) {
    return json::parse(fmt::format(
        R"({{"kind":"Namespace","metadata":{{"name":"{}","labels":{}}}}})", name, labels));
  };
  c->put_namespace(ns_object("team", "{}"));
  c->put_server(o.server("dns", "primary",
                         R"(,"catalogZone":"catalog.zonekeeper.invalid",)"
                         R"("allowedNamespaces":{"matchLabels":{"dns.example/zones":"allowed"}})"));
  c->put_zone(o.zone("team", "example", R"({"namespace":"dns","refs":[{"name":"primary"}]})"));
  c->put_record(o.a("team", "www", "www", "192.0.2.1"));
  c->start();
  settle();
  // Not admitted: nothing is written, and the zone says why.
  EXPECT_EQ(zone("DNSZone/team/example").reason, "NamespaceNotAllowed");
  EXPECT_EQ(zone("DNSZone/team/example").message,
            "DNSServer dns/primary does not admit DNSZones of namespace team (its "
            "spec.allowedNamespaces)");
  EXPECT_EQ(record("ARecord/team/www").reason, "ZoneNotReady");
  EXPECT_FALSE(p.truth(kZone)->rrsets.count(RRsetKey{N("www"), RRType::A}));
  EXPECT_TRUE(catalog_test::members(p).empty());

  // The namespace gets the label: served (the key stays in dns), and in the catalog.
  c->put_namespace(ns_object("team", R"({"dns.example/zones":"allowed"})"));
  settle();
  EXPECT_EQ(record("ARecord/team/www").reason, "Served");
  EXPECT_TRUE(p.truth(kZone)->rrsets.count(RRsetKey{N("www"), RRType::A}));
  EXPECT_EQ(catalog_test::members(p), std::set<std::string>{"example.test."});
  EXPECT_EQ(sink.servers.at("DNSServer/dns/primary").zones,
            std::vector<std::string>{"example.test."});

  // A zone of the server's own namespace needs no admission.
  c->put_zone(o.with_spec(o.meta("DNSZone", "dns", "shop", 1),
                          R"({"zoneName":"shop.test","servers":{"refs":[{"name":"primary"}]}})"));
  settle();
  EXPECT_EQ(catalog_test::members(p), (std::set<std::string>{"example.test.", "shop.test."}));

  // The server stops admitting the namespace: the zone leaves the catalog (its consumers
  // delete it) and says why.
  c->put_server(o.server("dns", "primary", R"(,"catalogZone":"catalog.zonekeeper.invalid")"));
  settle();
  EXPECT_EQ(zone("DNSZone/team/example").reason, "NamespaceNotAllowed");
  EXPECT_EQ(catalog_test::members(p), std::set<std::string>{"shop.test."});
}

TEST_F(ControllerTest, ASecondaryThatAnswersIsToldToLookAtItsPrimarysCatalog) {
  using catalog_test::kCatalog;
  FakeProvider& p = primary();
  p.add_zone(kCatalog, catalog_test::catalog_apex());
  c->put_server(o.server("dns", "primary", R"(,"catalogZone":"catalog.zonekeeper.invalid")"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->start();
  settle();
  // A Secondary that appears after the catalog was written (a new Pod): nothing changes in
  // the catalog, yet it hears of it, so it does not wait for its own retry.
  FakeProvider& secondary = factory.server("dns/secondary");
  c->put_server(
      o.server("dns", "secondary", R"(,"primaryServerRef":{"name":"primary"})", "Secondary", 5354));
  settle();
  EXPECT_GE(secondary.notifies, 1u);
}

TEST_F(ControllerTest, ACatalogZoneThatCannotBeWrittenIsCatalogFailed) {
  primary();  // it has no catalog zone
  c->put_server(o.server("dns", "primary", R"(,"catalogZone":"catalog.zonekeeper.invalid")"));
  c->put_zone(o.zone("dns", "example", kRefsPrimary));
  c->start();
  run_until([&] {
    return sink.servers.count("DNSServer/dns/primary") &&
           server("DNSServer/dns/primary").reason == "CatalogFailed";
  });
  EXPECT_EQ(server("DNSServer/dns/primary").status, "False");
  EXPECT_NE(
      server("DNSServer/dns/primary").message.find("catalog zone catalog.zonekeeper.invalid."),
      std::string::npos)
      << server("DNSServer/dns/primary").message;
}

}  // namespace
}  // namespace zk::controller
