#include "app/records_api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "app/status_api.h"

namespace zk::app {

namespace json = boost::json;

std::string records_document(const std::vector<controller::RecordRow>& rows) {
  json::array out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    json::array values;
    for (const auto& v : r.values) values.emplace_back(v);
    json::array servers;
    for (const auto& s : r.servers) servers.emplace_back(s);
    json::object row{{"name", r.name},
                     {"type", r.type},
                     {"ttl", r.ttl ? json::value(*r.ttl) : json::value(nullptr)},
                     {"values", std::move(values)},
                     {"zone", r.zone},
                     {"zoneSource", r.zone_source},
                     {"servers", std::move(servers)},
                     {"status", r.ready.status},
                     {"reason", r.ready.reason},
                     {"message", r.ready.message},
                     {"owner", r.owner},
                     {"description", r.description}};
    row["source"] =
        r.source.kind.empty()
            ? json::value(nullptr)
            : json::value(json::object{
                  {"kind", r.source.kind}, {"namespace", r.source.ns}, {"name", r.source.name}});
    out.push_back(std::move(row));
  }
  json::object doc{{"count", rows.size()}};
  doc["records"] = std::move(out);
  return json::serialize(doc);
}

std::string zones_document(const std::vector<controller::Controller::ZoneSummary>& zones) {
  json::array out;
  for (const auto& z : zones) {
    json::object o = zone_json(z);
    json::object labels;
    for (const auto& [k, v] : z.record_labels) labels[k] = v;
    o["recordLabels"] = std::move(labels);
    json::array targets;
    for (const auto& t : z.record_targets) {
      json::object target_labels;
      for (const auto& [k, v] : t.labels) target_labels[k] = v;
      targets.push_back(json::object{{"namespace", t.ns}, {"labels", std::move(target_labels)}});
    }
    o["recordTargets"] = std::move(targets);
    out.push_back(std::move(o));
  }
  return json::serialize(json::object{{"zones", std::move(out)}});
}

}  // namespace zk::app
