#include "app/local_catalog.h"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

namespace zk::app {

namespace json = boost::json;

namespace {

std::string where(const std::string& file, int line) {
  return fmt::format("{}:{}", file, line);
}

std::string str_member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

std::string value_text(const json::value& v, bool top) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.as_string());
    case json::kind::array: {
      std::string out;
      bool objects = !v.as_array().empty() && v.as_array()[0].is_object();
      for (const auto& item : v.as_array()) {
        if (!out.empty()) out += objects ? ", " : " ";
        out += value_text(item, false);
      }
      return out;
    }
    case json::kind::object: {
      std::string out;
      for (const auto& [k, item] : v.as_object()) {
        if (top && (k == "name" || k == "ttl")) continue;
        if (!out.empty()) out += " ";
        out += value_text(item, false);
      }
      return out;
    }
    case json::kind::null:
      return "";
    default:
      return json::serialize(v);
  }
}

}  // namespace

std::string Declared::location() const {
  return where(file, line);
}

std::string value_text(const json::value& spec) {
  return value_text(spec, true);
}

std::string record_type_text(api::Kind kind) {
  std::string s(api::to_string(kind));
  return s.substr(0, s.size() - std::string_view("Record").size());
}

LocalCatalog catalog_of(const std::map<std::string, ParsedManifests>& files) {
  LocalCatalog c;
  for (const auto& [file, parsed] : files) {
    for (const auto& e : parsed.errors) c.problems.push_back(e.to_string());
    for (const auto& m : parsed.objects) classify(m, c);
  }
  return c;
}

void classify(const ManifestObject& m, LocalCatalog& c) {
  auto problem = [&](std::string what) {
    c.problems.push_back(fmt::format("{}: {}", where(m.file, m.line), what));
  };
  if (!m.object.is_object()) return problem("not a mapping");
  std::string api_version = str_member(m.object, "apiVersion");
  std::string kind = str_member(m.object, "kind");
  if (api_version.empty()) return problem("no apiVersion");
  if (kind.empty()) return problem("no kind");
  const json::value* meta = m.object.as_object().if_contains("metadata");
  std::string name = meta ? str_member(*meta, "name") : "";
  std::string ns = meta ? str_member(*meta, "namespace") : "";
  if (ns.empty()) ns = "default";
  if (!api_version.starts_with(std::string(api::kGroup) + "/")) {
    c.ignored.push_back(fmt::format("{} {}", kind, name));
    return;
  }
  if (api_version != api::kApiVersion) {
    return problem(
        fmt::format("apiVersion {} is not served (use {})", api_version, api::kApiVersion));
  }
  Declared d;
  d.kind_name = kind;
  if (kind == api::kDNSServer) {
    c.ignored.push_back(fmt::format("{} {}/{}", kind, ns, name));
    return;
  }
  if (kind == api::kDNSZone) {
    d.category = Declared::Category::Zone;
  } else if (auto k = api::parse_kind(kind)) {
    d.kind = *k;
  } else {
    return problem(fmt::format("unknown kind {} in {}", kind, api::kApiVersion));
  }
  if (name.empty()) return problem(fmt::format("{} without metadata.name", kind));
  d.ns = ns;
  d.name = name;
  d.file = m.file;
  d.line = m.line;
  d.object = m.object;
  auto& obj = d.object.as_object();
  obj.erase("status");
  auto& md = obj["metadata"];
  if (!md.is_object()) md = json::object();
  md.as_object()["namespace"] = ns;
  md.as_object()["uid"] = "local:" + d.key();
  if (d.category == Declared::Category::Zone) {
    // Served by the local named, whatever the manifest says (docs: local mode).
    json::value* spec = obj.if_contains("spec");
    if (spec && spec->is_object()) {
      spec->as_object()["servers"] =
          json::object{{"refs", json::array{json::object{{"name", kLocalServer}}}}};
    }
  }
  auto [it, fresh] = c.objects.emplace(d.key(), d);
  if (!fresh) {
    problem(fmt::format("{} {}/{} is declared twice (also at {}); this one is skipped", kind, ns,
                        name, it->second.location()));
  }
}

void bump_generations(LocalCatalog& next, const LocalCatalog& previous) {
  for (auto& [key, d] : next.objects) {
    auto old = previous.objects.find(key);
    int64_t gen = 1;
    if (old != previous.objects.end()) {
      const json::object& old_md = old->second.object.as_object().at("metadata").as_object();
      if (const json::value* g = old_md.if_contains("generation"); g && g->is_int64()) {
        gen = g->as_int64();
      }
      json::value a = old->second.object;
      a.as_object()["metadata"].as_object().erase("generation");
      json::value b = d.object;
      b.as_object()["metadata"].as_object().erase("generation");
      if (a != b) ++gen;
    }
    d.object.as_object()["metadata"].as_object()["generation"] = gen;
  }
}

}  // namespace zk::app
