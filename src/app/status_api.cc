#include "app/status_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/time.h"

namespace zk::app {

namespace json = boost::json;

namespace {

constexpr size_t kListedFailures = 20;

std::string at(std::chrono::system_clock::time_point t) {
  return api::format_rfc3339(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

json::object reconcile(const controller::Activity::Reconcile& r) {
  json::object o{{"key", r.key},
                 {"kind", r.kind},
                 {"result", r.ok() ? "success" : "error"},
                 {"at", at(r.at)},
                 {"seconds", r.seconds}};
  if (!r.ok()) o["reason"] = r.reason;
  return o;
}

}  // namespace

json::object zone_json(const controller::Controller::ZoneSummary& z) {
  json::array servers;
  for (const auto& s : z.servers) {
    json::object so{{"name", s.name}, {"role", s.role}, {"ready", s.ready}};
    so["serial"] = s.serial ? json::value(*s.serial) : json::value(nullptr);
    servers.push_back(std::move(so));
  }
  return json::object{{"namespace", z.ns},
                      {"name", z.name},
                      {"zone", z.zone},
                      {"ready", json::object{{"status", z.ready.status},
                                             {"reason", z.ready.reason},
                                             {"message", z.ready.message}}},
                      {"recordCount", z.record_count},
                      {"recordObjectsServed", z.served},
                      {"servers", std::move(servers)}};
}

StatusInputs status_inputs(const controller::Controller& controller, std::string mode,
                           std::string identity, std::optional<std::string> unready) {
  return StatusInputs{std::move(mode),
                      std::move(identity),
                      ZK_VERSION,
                      controller.running(),
                      std::move(unready),
                      controller.queue_depth(),
                      controller.zone_summaries(),
                      &controller.activity(),
                      std::chrono::system_clock::now()};
}

std::string status_document(const StatusInputs& in) {
  json::object doc;
  doc["mode"] = in.mode;
  doc["identity"] = in.identity;
  doc["version"] = in.version;
  doc["time"] = at(in.now);
  doc["leader"] = in.leader;
  doc["ready"] = !in.unready.has_value();
  if (in.unready) doc["unready"] = *in.unready;
  doc["queue"] = json::object{{"depth", in.queue_depth}};

  json::array zones;
  size_t ready = 0;
  for (const auto& z : in.zones) {
    if (z.ready.status == "True") ++ready;
    zones.push_back(zone_json(z));
  }
  doc["zoneCount"] = in.zones.size();
  doc["zonesReady"] = ready;
  doc["zones"] = std::move(zones);

  json::object rec;
  if (in.activity) {
    const controller::Activity& a = *in.activity;
    rec["total"] = a.total();
    rec["errors"] = a.failed();
    rec["last"] = a.last() ? json::value(reconcile(*a.last())) : json::value(nullptr);
    auto recent = a.failures_since(in.now - a.window());
    rec["windowSeconds"] = a.window().count();
    rec["errorsInWindow"] = recent.size();
    rec["inWindow"] = a.reconciles_since(in.now - a.window());
    json::array listed;
    for (size_t i = 0; i < recent.size() && i < kListedFailures; ++i) {
      listed.push_back(reconcile(recent[i]));
    }
    rec["recentErrors"] = std::move(listed);
  }
  doc["reconciles"] = std::move(rec);
  return json::serialize(doc);
}

}  // namespace zk::app
