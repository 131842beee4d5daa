#include "controller/object_catalog.h"

#include <algorithm>

#include <fmt/format.h>

#include "sources/zone_source.h"

namespace zk::controller {

namespace json = boost::json;
using model::Name;

namespace {

std::string ns_key(std::string_view ns, std::string_view name) {
  return fmt::format("{}/{}", ns, name);
}

// Same spec, labels, generation, identity and our annotations (owner, description, notify-url):
// an update that only touched status or other annotations.
bool same_record(const api::RecordObject& a, const api::RecordObject& b) {
  return a.uid == b.uid && a.generation == b.generation && a.labels == b.labels &&
         a.created_at == b.created_at && a.spec == b.spec && a.kind == b.kind && a.notes == b.notes;
}

bool same_secret(const SecretState& a, const SecretState& b) {
  return a.kind == b.kind && a.message == b.message && a.key.has_value() == b.key.has_value() &&
         (!a.key || (a.key->name == b.key->name && a.key->algorithm == b.key->algorithm &&
                     a.key->secret == b.key->secret));
}

// The one decoding path of DNSZones and DNSServers: an object that cannot be identified is
// ignored (said in `ch`); one that can is kept with its decoded spec or the InvalidSpec message.
template <class T>
struct Decoding {
  api::ObjectMeta meta;
  std::optional<T> value;
  std::string error;
};

template <class T>
std::optional<Decoding<T>> decode_object(const json::value& object, std::string_view kind,
                                         model::Parsed<T> (*decode)(const json::value&),
                                         CatalogChange& ch) {
  auto meta = api::decode_meta(object);
  if (!meta) {
    ch.ignored = fmt::format("a {} that cannot be identified: {}", kind, meta.error());
    return std::nullopt;
  }
  Decoding<T> d{*meta, std::nullopt, ""};
  if (auto v = decode(object)) {
    d.value = std::move(*v);
  } else {
    d.error = v.error();
  }
  return d;
}

// Status or annotation updates coming back (meta includes the generation): nothing changed.
template <class Entry, class T>
bool unchanged(const std::map<std::string, Entry>& entries, const Decoding<T>& d) {
  auto it = entries.find(d.meta.name);
  return it != entries.end() && it->second.meta == d.meta && it->second.error == d.error;
}

std::string endpoint(const api::Server& s) {
  return fmt::format("{}:{}", s.address, s.port);
}

}  // namespace

// ------------------------------------------------------------------ work items

WorkItem WorkItem::zone(std::string ns, std::string name, bool dirty) {
  return {Kind::Zone, std::move(ns), std::move(name), dirty};
}
WorkItem WorkItem::server(std::string ns, std::string name) {
  return {Kind::Server, std::move(ns), std::move(name), false};
}
WorkItem WorkItem::namespace_records(std::string ns) {
  return {Kind::Namespace, std::move(ns), "", false};
}
WorkItem WorkItem::shared_zone(const Name& zone) {
  return {Kind::SharedZone, "", zone.to_string(), false};
}

std::string WorkItem::key() const {
  switch (kind) {
    case Kind::Zone:
      return "z/" + ns + "/" + name;
    case Kind::Server:
      return "s/" + ns + "/" + name;
    case Kind::Namespace:
      return "n/" + ns;
    case Kind::SharedZone:
      return "x/" + name;
  }
  return "";
}

std::optional<WorkItem> WorkItem::parse(std::string_view key) {
  if (key.size() < 3 || key[1] != '/') return std::nullopt;
  std::string rest(key.substr(2));
  switch (key[0]) {
    case 'n':
      return namespace_records(rest);
    case 'x': {
      auto zone = Name::parse(rest);
      if (!zone) return std::nullopt;
      return shared_zone(*zone);
    }
    case 'z':
    case 's': {
      auto slash = rest.find('/');
      if (slash == std::string::npos) return std::nullopt;
      std::string ns = rest.substr(0, slash), name = rest.substr(slash + 1);
      return key[0] == 'z' ? zone(ns, name, false) : server(ns, name);
    }
    default:
      return std::nullopt;
  }
}

// ------------------------------------------------------------------ changes

void ObjectCatalog::shared_work(const std::optional<Name>& zone, std::vector<WorkItem>& out) const {
  if (!zone) return;
  for (const auto& z : shared_) {
    if (z.name == *zone) out.push_back(WorkItem::shared_zone(z.name));
  }
}

void ObjectCatalog::namespace_work(const std::string& ns, std::vector<WorkItem>& out) const {
  auto it = namespaces_.find(ns);
  bool any_zone = false;
  if (it != namespaces_.end()) {
    for (const auto& [name, e] : it->second.zones) {
      out.push_back(WorkItem::zone(ns, name, true));
      any_zone = true;
    }
  }
  if (!any_zone) out.push_back(WorkItem::namespace_records(ns));
  // A shared zone's DNSServer or its Secret may live here.
  for (const auto& z : shared_) {
    for (const auto& s : z.servers) {
      if (s.substr(0, s.find('/')) == ns) {
        out.push_back(WorkItem::shared_zone(z.name));
        break;
      }
    }
  }
}

const api::Labels* ObjectCatalog::labels_of(std::string_view ns) const {
  return sources::namespace_labels(directory_, ns);
}

bool ObjectCatalog::admitted(const api::Server& server, std::string_view zone_ns) const {
  static const api::Labels kNone;
  const api::Labels* labels = labels_of(zone_ns);
  return server.admits_zones_from(zone_ns, labels ? *labels : kNone);
}

void ObjectCatalog::index_servers_elsewhere(const std::string& ns, const std::string& name,
                                            const api::Zone* zone) {
  for (auto it = servers_elsewhere_.begin(); it != servers_elsewhere_.end();) {
    it->second.erase({ns, name});
    it = it->second.empty() ? servers_elsewhere_.erase(it) : std::next(it);
  }
  if (zone && zone->servers_ns() != ns) servers_elsewhere_[zone->servers_ns()].emplace(ns, name);
}

void ObjectCatalog::servers_elsewhere_work(const std::string& ns,
                                           std::vector<WorkItem>& out) const {
  auto it = servers_elsewhere_.find(ns);
  if (it == servers_elsewhere_.end()) return;
  for (const auto& [zns, zname] : it->second) out.push_back(WorkItem::zone(zns, zname, true));
}

void ObjectCatalog::reached_work(const api::Zone& zone, std::vector<WorkItem>& out) const {
  if (!zone.reaches_other_namespaces()) return;
  for (const auto& [ns, objs] : namespaces_) {
    if (ns != zone.ns && zone.reaches(ns, labels_of(ns))) namespace_work(ns, out);
  }
}

void ObjectCatalog::index_zones(const std::string& ns) {
  std::vector<api::ZoneRef> zones;
  if (const NamespaceObjects* o = objects_in(ns)) {
    for (const auto& [name, e] : o->zones) {
      if (e.zone) zones.push_back(e.zone);
    }
  }
  if (zones.empty()) {
    selecting_.erase(ns);
  } else {
    selecting_.insert_or_assign(ns, std::make_shared<const api::SelectingZones>(std::move(zones)));
  }
}

bool ObjectCatalog::selected_by_any(const api::RecordObject& record,
                                    std::vector<WorkItem>* out) const {
  const api::Labels* labels = labels_of(record.ns);
  bool any = false;
  if (auto own = selecting_.find(record.ns); own != selecting_.end()) {
    for (const api::Zone* z : own->second->candidates(record.labels)) {
      if (!z->selects(record, labels)) continue;
      if (!out) return true;
      out->push_back(WorkItem::zone(record.ns, z->name, true));
      any = true;
    }
  }
  for (const auto& [ns, name] : reaching_) {
    if (ns == record.ns) continue;  // done above
    const ZoneEntry* e = zone_entry(ns, name);
    if (!e || !e->zone || !e->zone->selects(record, labels)) continue;
    if (!out) return true;
    out->push_back(WorkItem::zone(ns, name, true));
    any = true;
  }
  return any;
}

bool ObjectCatalog::zones_selecting(const api::RecordObject& record,
                                    std::vector<WorkItem>& out) const {
  // Selected by nothing: every zone of the namespace reports it NotSelected (and removes its
  // data if it served it before); with no zone at all, the namespace item does.
  const bool any = selected_by_any(record, &out);
  if (!any) namespace_work(record.ns, out);
  return any;
}

void ObjectCatalog::reselect_namespace(const NamespaceObjects& objs) {
  for (const auto& [key, r] : objs.records) index_.set_unselected(r, !selected_by_any(r, nullptr));
}

void ObjectCatalog::reselect(const api::Zone* before, const api::Zone* after) {
  for (const api::Zone* z : {before, after}) {
    if (!z) continue;
    const NamespaceObjects* objs = objects_in(z->ns);
    if (z->reaches_other_namespaces()) {
      for (const auto& [ns, o] : namespaces_) reselect_namespace(o);
      return;
    }
    if (!objs) continue;
    auto some = index_.labelled_for(*z, z->ns);
    if (!some) {
      reselect_namespace(*objs);
      continue;
    }
    for (const api::RecordObject* r : *some)
      index_.set_unselected(*r, !selected_by_any(*r, nullptr));
  }
}

CatalogChange ObjectCatalog::put_record(const json::value& object) {
  CatalogChange ch;
  auto rec = api::decode_record(object);
  if (!rec) {
    ch.ignored = "a record object that cannot be identified: " + rec.error();
    return ch;
  }
  auto& records = namespaces_[rec->ns].records;
  std::string key = rec->key();
  auto it = records.find(key);
  if (it != records.end()) {
    if (same_record(it->second, *rec)) {  // our status write coming back: keep its hash
      it->second.served_hash = rec->served_hash;
      return ch;
    }
  }
  rec->revision = journal(key);
  if (it != records.end()) {
    zones_selecting(it->second, ch.work);  // the zones that had it (labels may have changed)
    index_.remove(it->second);
    it->second = std::move(*rec);
  } else {
    it = records.emplace(key, std::move(*rec)).first;
  }
  index_.add(it->second);
  index_.set_unselected(it->second, !zones_selecting(it->second, ch.work));
  return ch;
}

CatalogChange ObjectCatalog::remove_record(api::Kind kind, std::string_view ns,
                                           std::string_view name) {
  CatalogChange ch;
  auto nit = namespaces_.find(std::string(ns));
  if (nit == namespaces_.end()) return ch;
  auto it = nit->second.records.find(api::record_key(kind, ns, name));
  if (it == nit->second.records.end()) return ch;
  index_.remove(it->second);
  api::RecordObject gone = std::move(it->second);
  nit->second.records.erase(it);
  journal(gone.key());
  ch.forget = object_ref(gone, api::to_string(kind));
  zones_selecting(gone, ch.work);
  return ch;
}

CatalogChange ObjectCatalog::put_zone(const json::value& object) {
  CatalogChange ch;
  auto d = decode_object(object, api::kDNSZone, &api::decode_zone, ch);
  if (!d) return ch;
  auto& zones = namespaces_[d->meta.ns].zones;
  if (unchanged(zones, *d)) return ch;
  std::optional<Name> old_name, new_name;
  api::ZoneRef before;  // kept alive for reselect()
  if (auto old = zones.find(d->meta.name); old != zones.end() && old->second.zone) {
    before = old->second.zone;
    old_name = before->zone_name;
    reached_work(*before, ch.work);
  }
  if (d->value) new_name = d->value->zone_name;
  std::string ns = d->meta.ns;
  api::ZoneRef zone;
  if (d->value) zone = std::make_shared<const api::Zone>(std::move(*d->value));
  auto& entry = zones[d->meta.name] = ZoneEntry{d->meta, std::move(zone), d->error};
  if (entry.zone && entry.zone->reaches_other_namespaces()) {
    reaching_.emplace(ns, d->meta.name);
  } else {
    reaching_.erase({ns, d->meta.name});
  }
  index_servers_elsewhere(ns, d->meta.name, entry.zone.get());
  // The servers of another namespace it picked, or picks now: their catalogs list it.
  for (const api::Zone* z : {before.get(), entry.zone.get()}) {
    if (!z || z->servers_ns() == ns) continue;
    if (const NamespaceObjects* there = objects_in(z->servers_ns())) {
      for (const auto& [sname, srv] : there->servers) {
        ch.work.push_back(WorkItem::server(z->servers_ns(), sname));
      }
    }
  }
  index_zones(ns);
  reselect(before.get(), entry.zone.get());
  namespace_work(ns, ch.work);
  if (entry.zone) reached_work(*entry.zone, ch.work);
  shared_work(new_name, ch.work);
  shared_work(old_name, ch.work);
  // Zones elsewhere with the same name may have been in conflict with this one.
  for (const auto& [ns, objs] : namespaces_) {
    for (const auto& [name, other] : objs.zones) {
      if (other.zone && ((new_name && other.zone->zone_name == *new_name) ||
                         (old_name && other.zone->zone_name == *old_name))) {
        ch.work.push_back(WorkItem::zone(ns, name, true));
      }
    }
  }
  return ch;
}

CatalogChange ObjectCatalog::remove_zone(std::string_view ns, std::string_view name) {
  CatalogChange ch;
  auto nit = namespaces_.find(std::string(ns));
  if (nit == namespaces_.end()) return ch;
  auto it = nit->second.zones.find(std::string(name));
  if (it == nit->second.zones.end()) return ch;
  std::optional<Name> zone_name;
  api::ZoneRef before = it->second.zone;  // kept alive for reselect()
  if (before) {
    zone_name = before->zone_name;
    reached_work(*before, ch.work);
  }
  ch.forget = object_ref(it->second.meta, api::kDNSZone);
  nit->second.zones.erase(it);
  reaching_.erase({std::string(ns), std::string(name)});
  index_servers_elsewhere(std::string(ns), std::string(name), nullptr);
  if (before && before->servers_ns() != ns) {
    if (const NamespaceObjects* there = objects_in(before->servers_ns())) {
      for (const auto& [sname, srv] : there->servers) {
        ch.work.push_back(WorkItem::server(before->servers_ns(), sname));
      }
    }
  }
  index_zones(std::string(ns));
  reselect(before.get(), nullptr);
  // Its data stays on the servers (docs/api.md); its records become NotSelected.
  namespace_work(std::string(ns), ch.work);
  shared_work(zone_name, ch.work);
  for (const auto& [ons, objs] : namespaces_) {
    for (const auto& [oname, other] : objs.zones) {
      if (other.zone && zone_name && other.zone->zone_name == *zone_name) {
        ch.work.push_back(WorkItem::zone(ons, oname, false));
      }
    }
  }
  for (const auto& [sname, s] : nit->second.servers) {
    ch.work.push_back(WorkItem::server(std::string(ns), sname));
  }
  return ch;
}

CatalogChange ObjectCatalog::put_server(const json::value& object) {
  CatalogChange ch;
  auto d = decode_object(object, api::kDNSServer, &api::decode_server, ch);
  if (!d) return ch;
  auto& servers = namespaces_[d->meta.ns].servers;
  if (unchanged(servers, *d)) return ch;
  if (d->value && d->value->secret_name()) {
    ch.secret_referenced = {d->meta.ns, *d->value->secret_name()};
  }
  std::string ns = d->meta.ns, name = d->meta.name;
  servers[name] = ServerEntry{d->meta, std::move(d->value), d->error};
  namespace_work(ns, ch.work);
  servers_elsewhere_work(ns, ch.work);
  ch.work.push_back(WorkItem::server(ns, name));
  return ch;
}

CatalogChange ObjectCatalog::remove_server(std::string_view ns, std::string_view name) {
  CatalogChange ch;
  auto nit = namespaces_.find(std::string(ns));
  if (nit == namespaces_.end()) return ch;
  auto it = nit->second.servers.find(std::string(name));
  if (it == nit->second.servers.end()) return ch;
  ch.forget = object_ref(it->second.meta, api::kDNSServer);
  nit->second.servers.erase(it);
  namespace_work(std::string(ns), ch.work);
  servers_elsewhere_work(std::string(ns), ch.work);
  return ch;
}

CatalogChange ObjectCatalog::put_secret(std::string_view ns, std::string_view name,
                                        SecretState state) {
  CatalogChange ch;
  auto& cur = secrets_[ns_key(ns, name)];
  if (same_secret(cur, state)) return ch;
  cur = std::move(state);
  auto nit = namespaces_.find(std::string(ns));
  if (nit == namespaces_.end()) return ch;
  bool used = false;
  for (const auto& [sname, s] : nit->second.servers) {
    if (s.server && s.server->secret_name() == std::string(name)) {
      ch.work.push_back(WorkItem::server(std::string(ns), sname));
      used = true;
    }
  }
  if (used) {
    namespace_work(std::string(ns), ch.work);
    servers_elsewhere_work(std::string(ns), ch.work);
  }
  return ch;
}

CatalogChange ObjectCatalog::put_namespace(api::NamespaceInfo info) {
  CatalogChange ch;
  auto it = directory_.find(info.name);
  if (it != directory_.end() && it->second == info) return ch;
  std::string name = info.name;
  directory_.insert_or_assign(name, std::move(info));
  // Only zones that reach other namespaces read labels (which records they select).
  if (!reaching_.empty()) {
    for (const auto& [ns, objs] : namespaces_) reselect_namespace(objs);
  }
  // Only zones that reach other namespaces read labels and allow-lists.
  for (const auto& [ns, zname] : reaching_) ch.work.push_back(WorkItem::zone(ns, zname, true));
  if (!reaching_.empty() && namespaces_.count(name)) namespace_work(name, ch.work);
  // Its zones that use servers elsewhere may be admitted now, or no longer; the servers that
  // admit namespaces by label list (in their catalogs) the zones they admit.
  for (const auto& [sns, zones] : servers_elsewhere_) {
    for (const auto& [zns, zname] : zones) {
      if (zns == name) ch.work.push_back(WorkItem::zone(zns, zname, true));
    }
  }
  for (const auto& [sns, objs] : namespaces_) {
    for (const auto& [sname, e] : objs.servers) {
      if (e.server && e.server->allowed_namespaces) ch.work.push_back(WorkItem::server(sns, sname));
    }
  }
  return ch;
}

CatalogChange ObjectCatalog::remove_namespace(std::string_view name) {
  auto it = directory_.find(name);
  if (it == directory_.end()) return {};
  api::NamespaceInfo gone{std::string(name), {}, {}, ""};
  CatalogChange ch = put_namespace(std::move(gone));
  directory_.erase(std::string(name));
  return ch;
}

std::vector<WorkItem> ObjectCatalog::everything() const {
  std::vector<WorkItem> out;
  for (const auto& [ns, objs] : namespaces_) {
    namespace_work(ns, out);
    for (const auto& [name, s] : objs.servers) out.push_back(WorkItem::server(ns, name));
  }
  return out;
}

std::vector<WorkItem> ObjectCatalog::drift_checks() const {
  std::vector<WorkItem> out;
  for (const auto& [ns, objs] : namespaces_) {
    for (const auto& [name, e] : objs.zones) {
      if (e.zone) out.push_back(WorkItem::zone(ns, name, false));
    }
  }
  return out;
}

// ------------------------------------------------------------------ reads

const NamespaceObjects* ObjectCatalog::objects_in(std::string_view ns) const {
  auto it = namespaces_.find(std::string(ns));
  return it == namespaces_.end() ? nullptr : &it->second;
}

const ZoneEntry* ObjectCatalog::zone_entry(std::string_view ns, std::string_view name) const {
  const NamespaceObjects* o = objects_in(ns);
  if (!o) return nullptr;
  auto it = o->zones.find(std::string(name));
  return it == o->zones.end() ? nullptr : &it->second;
}

const ServerEntry* ObjectCatalog::server_entry(std::string_view ns, std::string_view name) const {
  const NamespaceObjects* o = objects_in(ns);
  if (!o) return nullptr;
  auto it = o->servers.find(std::string(name));
  return it == o->servers.end() ? nullptr : &it->second;
}

SecretState ObjectCatalog::secret(std::string_view ns, std::string_view name) const {
  auto it = secrets_.find(ns_key(ns, name));
  return it == secrets_.end() ? SecretState{} : it->second;
}

size_t ObjectCatalog::zone_count() const {
  size_t n = 0;
  for (const auto& [ns, o] : namespaces_) n += o.zones.size();
  return n;
}

std::vector<const api::Server*> ObjectCatalog::servers_of(const api::Zone& zone) const {
  std::vector<const api::Server*> out;
  const NamespaceObjects* o = objects_in(zone.servers_ns());
  if (!o) return out;
  for (const auto& [name, e] : o->servers) {
    if (e.server && api::serves(zone, *e.server) && admitted(*e.server, zone.ns)) {
      out.push_back(&*e.server);
    }
  }
  return out;
}

std::vector<const api::Server*> ObjectCatalog::servers_refusing(const api::Zone& zone) const {
  std::vector<const api::Server*> out;
  const NamespaceObjects* o = objects_in(zone.servers_ns());
  if (!o) return out;
  for (const auto& [name, e] : o->servers) {
    if (e.server && api::serves(zone, *e.server) && !admitted(*e.server, zone.ns)) {
      out.push_back(&*e.server);
    }
  }
  return out;
}

std::vector<ObjectCatalog::ZoneOfServer> ObjectCatalog::zones_of(const api::Server& server) const {
  std::vector<ZoneOfServer> out;
  auto look_in = [&](const std::string& ns, const NamespaceObjects& objs) {
    if (!admitted(server, ns)) return;
    for (const auto& [name, e] : objs.zones) {
      if (!e.zone || api::serves(*e.zone, server)) out.push_back({ns, name, e.zone.get()});
    }
  };
  if (!server.allowed_namespaces) {  // its own namespace's zones only
    if (const NamespaceObjects* own = objects_in(server.ns)) look_in(server.ns, *own);
    return out;
  }
  for (const auto& [ns, objs] : namespaces_) look_in(ns, objs);
  return out;
}

std::vector<api::Zone> ObjectCatalog::zones_in(std::string_view ns) const {
  std::vector<api::Zone> out;
  const NamespaceObjects* o = objects_in(ns);
  if (!o) return out;
  for (const auto& [name, e] : o->zones) {
    if (e.zone) out.push_back(*e.zone);
  }
  return out;
}

ZoneInputs ObjectCatalog::inputs_of(const api::Zone& zone, bool with_records) const {
  ZoneInputs in;
  // The records of `ns` the zone may select, and its own namespace's that none selects.
  auto take_records = [&](const std::string& ns, const NamespaceObjects& objs) {
    if (!with_records) return;
    if (auto some = index_.may_select(zone, ns)) {
      in.records.insert(in.records.end(), some->begin(), some->end());
      return;
    }
    for (const auto& [key, r] : objs.records) in.records.push_back(&r);
  };
  const bool reached_from_elsewhere = std::any_of(
      reaching_.begin(), reaching_.end(), [&](const auto& z) { return z.first != zone.ns; });
  // Most zones: their namespace's records and its set of zones as it is (shared, not copied).
  if (!zone.reaches_other_namespaces() && !reached_from_elsewhere) {
    if (auto it = selecting_.find(zone.ns); it != selecting_.end()) in.zones = it->second;
    if (const NamespaceObjects* own = objects_in(zone.ns)) take_records(zone.ns, *own);
    return in;
  }
  // A zone that reaches out looks at every namespace; zones that reach in may select the same
  // records.
  std::vector<api::ZoneRef> zones;
  std::set<std::string_view> taken;  // namespaces whose zones are in
  for (const auto& [ns, objs] : namespaces_) {
    if (ns != zone.ns && !zone.reaches(ns, labels_of(ns))) continue;
    taken.insert(ns);
    for (const auto& [name, e] : objs.zones) {
      if (e.zone) zones.push_back(e.zone);
    }
    take_records(ns, objs);
  }
  for (const auto& [ns, name] : reaching_) {
    if (taken.count(ns)) continue;
    if (const ZoneEntry* e = zone_entry(ns, name); e && e->zone) zones.push_back(e->zone);
  }
  in.zones = std::make_shared<const api::SelectingZones>(std::move(zones));
  return in;
}

uint64_t ObjectCatalog::journal(const std::string& key) {
  journal_.emplace_back(++revision_, key);
  if (journal_.size() > kJournalLength) journal_.pop_front();
  return revision_;
}

std::optional<std::vector<std::string>> ObjectCatalog::records_changed_since(
    uint64_t revision) const {
  std::vector<std::string> out;
  if (revision == revision_) return out;
  if (journal_.empty() || journal_.front().first > revision + 1) return std::nullopt;
  auto it = std::lower_bound(journal_.begin(), journal_.end(), revision + 1,
                             [](const auto& entry, uint64_t r) { return entry.first < r; });
  for (; it != journal_.end(); ++it) out.push_back(it->second);
  return out;
}

const api::RecordObject* ObjectCatalog::find_record(std::string_view key) const {
  auto parts = parse_object_key(key);
  if (!parts) return nullptr;
  const NamespaceObjects* o = objects_in(parts->ns);
  if (!o) return nullptr;
  auto it = o->records.find(std::string(key));
  return it == o->records.end() ? nullptr : &it->second;
}

bool ObjectCatalog::selected_from_elsewhere(const api::RecordObject& record) const {
  const api::Labels* labels = labels_of(record.ns);
  for (const auto& [ns, name] : reaching_) {
    if (ns == record.ns) continue;
    const ZoneEntry* e = zone_entry(ns, name);
    if (e && e->zone && e->zone->selects(record, labels)) return true;
  }
  return false;
}

const api::Zone* ObjectCatalog::conflicting_zone(const api::Zone& zone) const {
  std::set<std::string> mine;
  for (const auto* s : servers_of(zone)) mine.insert(endpoint(*s));
  const api::Zone* winner = nullptr;
  for (const auto& [ns, objs] : namespaces_) {
    for (const auto& [name, e] : objs.zones) {
      // The name first: it rules out nearly every zone without building a key.
      if (!e.zone || !(e.zone->zone_name == zone.zone_name) ||
          (e.zone->ns == zone.ns && e.zone->name == zone.name)) {
        continue;
      }
      if (!sources::zone_older(&*e.zone, &zone)) continue;
      bool shared = false;
      for (const auto* s : servers_of(*e.zone)) shared = shared || mine.count(endpoint(*s));
      if (shared && (!winner || sources::zone_older(&*e.zone, winner))) winner = &*e.zone;
    }
  }
  return winner;
}

const api::Zone* ObjectCatalog::remediating_zone(const Name& zone,
                                                 const api::Server& server) const {
  for (const auto& [ns, objs] : namespaces_) {
    for (const auto& [name, e] : objs.zones) {
      if (!e.zone || !(e.zone->zone_name == zone) ||
          e.zone->drift_policy != api::DriftPolicy::Remediate) {
        continue;
      }
      for (const api::Server* s : servers_of(*e.zone)) {
        if (s->address == server.address && s->port == server.port) return &*e.zone;
      }
    }
  }
  return nullptr;
}

}  // namespace zk::controller
