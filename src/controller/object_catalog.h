// The controller's catalog of our own objects — DNSZones, records, DNSServers and the state of
// the Secrets they reference — and the work each change makes. Pure.
//
//   ObjectCatalog objects(options.sources.zones);
//   CatalogChange change = objects.put_record(json);    // decoded once, here
//   for (const WorkItem& w : change.work) queue.add(w.key());
//
// A change makes only the work it affects: a record change its selecting zones (old and new
// labels, in its namespace or reaching it from another), a zone or server change the zones of
// its namespace (and of the namespaces a zone's namespaceSelector reaches), a Namespace's labels
// or allow-list every zone that reaches other namespaces. An update that changes neither spec,
// labels nor generation (our own status writes coming back) makes none.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "api/api_credentials.h"
#include "api/kind.h"
#include "api/object_meta.h"
#include "api/record.h"
#include "api/selecting_zones.h"
#include "api/server.h"
#include "api/tsig_secret.h"
#include "api/zone.h"
#include "controller/record_index.h"
#include "controller/source_catalog.h"
#include "controller/status.h"
#include "model/name.h"
#include "sources/zone_source.h"

namespace zk::controller {

// One unit of the controller's work (a WorkQueue key, typed).
struct WorkItem {
  enum class Kind {
    Zone,        // a DNSZone (ns, name)
    Server,      // a DNSServer's status (ns, name)
    Namespace,   // the records of a namespace without any DNSZone: NotSelected (ns)
    SharedZone,  // a shared zone of the sources (name: the zone, "ext.test.")
  };
  Kind kind = Kind::Zone;
  std::string ns;
  std::string name;
  // Zone: the catalog changed, so a full reconcile (not only a drift check) is due.
  bool dirty = false;

  static WorkItem zone(std::string ns, std::string name, bool dirty);
  static WorkItem server(std::string ns, std::string name);
  static WorkItem namespace_records(std::string ns);
  static WorkItem shared_zone(const model::Name& zone);

  // The queue's key: "z/ns/name", "s/ns/name", "n/ns", "x/zone"; parse() reads it back.
  std::string key() const;
  static std::optional<WorkItem> parse(std::string_view key);
  std::string object_key() const { return ns + "/" + name; }  // Zone, Server: "ns/name"
  friend bool operator==(const WorkItem&, const WorkItem&) = default;
};

// What the wiring knows about a Secret a DNSServer references.
// A Secret as read: Kind and key say what it is as a TSIG key (Invalid: the message says why);
// `credentials` what it is as Technitium API credentials (a Secret is one or the other; the
// DNSServer that names it says which).
struct SecretState {
  enum class Kind { Unknown, Missing, Forbidden, Invalid, Ok };
  Kind kind = Kind::Unknown;
  std::optional<api::TsigSecret> key;  // Ok
  std::string message;                 // never the secret itself
  std::optional<api::ApiCredentials> credentials;
  std::string credentials_error;  // when read but not usable as credentials
};

struct ZoneEntry {
  api::ObjectMeta meta;
  api::ZoneRef zone;  // decoded (shared with the zone sets that hold it; never changed)
  std::string error;  // InvalidSpec message when not
};

struct ServerEntry {
  api::ObjectMeta meta;
  std::optional<api::Server> server;
  std::string error;
};

struct NamespaceObjects {
  std::map<std::string, api::RecordObject> records;  // by "Kind/ns/name"
  std::map<std::string, ZoneEntry> zones;            // by name
  std::map<std::string, ServerEntry> servers;        // by name
  bool empty() const { return records.empty() && zones.empty() && servers.empty(); }
};

// What sources::desired_zone needs to plan one zone: the records it may select (of its namespace
// and of those it reaches, found by label: RecordIndex) and those of its namespace that no zone
// selects (NotSelected), and every zone that may select them too.
struct ZoneInputs {
  std::vector<const api::RecordObject*> records;  // grouped by namespace
  sources::ZoneSet zones;  // the catalog's own set when only the zone's namespace counts
};

// What a put/remove changed.
struct CatalogChange {
  std::vector<WorkItem> work;
  std::optional<ObjectRef> forget;  // the object is gone: drop what is cached for it
  std::string ignored;              // why the object was not taken (it cannot be identified)
  // A DNSServer references this Secret ("ns", "name"): the wiring should watch it.
  std::optional<std::pair<std::string, std::string>> secret_referenced;
};

class ObjectCatalog {
 public:
  // `shared`: the shared zones (--zone), whose DNSServers may live in any namespace.
  explicit ObjectCatalog(std::vector<SharedZone> shared = {}) : shared_(std::move(shared)) {}
  // Its RecordIndex points into its own maps: moved, never copied.
  ObjectCatalog(const ObjectCatalog&) = delete;
  ObjectCatalog& operator=(const ObjectCatalog&) = delete;
  ObjectCatalog(ObjectCatalog&&) = default;
  ObjectCatalog& operator=(ObjectCatalog&&) = default;

  CatalogChange put_record(const boost::json::value& object);
  CatalogChange remove_record(api::Kind kind, std::string_view ns, std::string_view name);
  CatalogChange put_zone(const boost::json::value& object);
  CatalogChange remove_zone(std::string_view ns, std::string_view name);
  CatalogChange put_server(const boost::json::value& object);
  CatalogChange remove_server(std::string_view ns, std::string_view name);
  CatalogChange put_secret(std::string_view ns, std::string_view name, SecretState state);
  // A Namespace's labels and allow-list (api/namespace_admission.h); `problem` reports an
  // allow-list entry that is not understood.
  CatalogChange put_namespace(api::NamespaceInfo info);
  CatalogChange remove_namespace(std::string_view name);

  // Everything once (a new leader): every namespace's zones (dirty) and every server.
  std::vector<WorkItem> everything() const;
  // Every valid zone, for its periodic drift check (not dirty).
  std::vector<WorkItem> drift_checks() const;

  const std::map<std::string, NamespaceObjects>& namespaces() const { return namespaces_; }
  // Every Namespace's labels and allow-list, as last put.
  const sources::NamespaceDirectory& directory() const { return directory_; }
  const NamespaceObjects* objects_in(std::string_view ns) const;
  const ZoneEntry* zone_entry(std::string_view ns, std::string_view name) const;
  const ServerEntry* server_entry(std::string_view ns, std::string_view name) const;
  // Unknown until the wiring said otherwise.
  SecretState secret(std::string_view ns, std::string_view name) const;
  size_t zone_count() const;

  // The DNSServers the zone selects (valid ones, in the namespace its spec.servers picks) that
  // admit the zone's namespace.
  std::vector<const api::Server*> servers_of(const api::Zone& zone) const;
  // Those it selects in another namespace that do not admit its namespace (their
  // allowedNamespaces does not match it): why it has no server.
  std::vector<const api::Server*> servers_refusing(const api::Zone& zone) const;
  // A zone that may put its zone on `server`: one it serves (`zone` set), or one whose spec
  // does not decode (`zone` null) in a namespace the server admits — it might name the server.
  struct ZoneOfServer {
    std::string ns;
    std::string name;
    const api::Zone* zone;
  };
  // Every such zone: of the server's namespace, and of the namespaces its allowedNamespaces
  // admits.
  std::vector<ZoneOfServer> zones_of(const api::Server& server) const;
  std::vector<api::Zone> zones_in(std::string_view ns) const;
  // `with_records` false: the zones only.
  ZoneInputs inputs_of(const api::Zone& zone, bool with_records = true) const;
  const sources::NamespaceDirectory& namespace_directory() const { return directory_; }
  // The last api::RecordObject::revision stamped (a removal takes one too): objects stamped
  // later changed since.
  uint64_t revision() const { return revision_; }
  // The keys of the records put or removed after `revision`, oldest first (a key may repeat);
  // nullopt when the journal (the last kJournalLength changes) no longer reaches back so far.
  std::optional<std::vector<std::string>> records_changed_since(uint64_t revision) const;
  static constexpr size_t kJournalLength = 50000;
  // By "Kind/ns/name" (api::record_key).
  const api::RecordObject* find_record(std::string_view key) const;
  // A DNSZone of another namespace selects it (admitted or not): that zone reports it.
  bool selected_from_elsewhere(const api::RecordObject& record) const;
  // An older DNSZone with the same zoneName on a server at the same address:port.
  const api::Zone* conflicting_zone(const api::Zone& zone) const;
  // A DNSZone that remediates `zone` on a server at `server`'s address: a shared zone there
  // would be a fight, and the DNSZone wins.
  const api::Zone* remediating_zone(const model::Name& zone, const api::Server& server) const;

 private:
  void namespace_work(const std::string& ns, std::vector<WorkItem>& out) const;
  // The zones that select `record` (own namespace or reaching it) get work, or its namespace's
  // zones when none does (they report it NotSelected); whether any does.
  bool zones_selecting(const api::RecordObject& record, std::vector<WorkItem>& out) const;
  bool selected_by_any(const api::RecordObject& record, std::vector<WorkItem>* out) const;
  // Zone `before` became `after` (either may be null): the records either may select are
  // looked at again for whether any zone selects them (all of them when either reaches out).
  void reselect(const api::Zone* before, const api::Zone* after);
  void reselect_namespace(const NamespaceObjects& objs);
  void shared_work(const std::optional<model::Name>& zone, std::vector<WorkItem>& out) const;
  // The namespaces `zone` reaches through a namespaceSelector: their zones re-plan.
  void reached_work(const api::Zone& zone, std::vector<WorkItem>& out) const;
  const api::Labels* labels_of(std::string_view ns) const;
  bool admitted(const api::Server& server, std::string_view zone_ns) const;
  // Zones that use servers of another namespace (spec.servers.namespace) changed: their index.
  void index_servers_elsewhere(const std::string& ns, const std::string& name,
                               const api::Zone* zone);
  // Servers of `ns` (or one Secret of theirs) changed: the zones of other namespaces that pick
  // servers there re-plan.
  void servers_elsewhere_work(const std::string& ns, std::vector<WorkItem>& out) const;
  // The namespace's zones changed: a new set of them.
  void index_zones(const std::string& ns);

  std::vector<SharedZone> shared_;
  std::map<std::string, NamespaceObjects> namespaces_;
  std::map<std::string, SecretState> secrets_;  // "ns/name"
  sources::NamespaceDirectory directory_;
  // By namespace: its valid zones, indexed by the labels they select (a record change asks only
  // those that may select it), shared with the ZoneStates that plan with them.
  std::map<std::string, sources::ZoneSet, std::less<>> selecting_;
  RecordIndex index_;  // records by label, and those no zone selects: what a zone may select
  // The valid zones with a namespaceSelector ("ns", "name"): the only ones that look beyond
  // their namespace, so a record change costs its namespace's zones plus these.
  std::set<std::pair<std::string, std::string>> reaching_;
  // Zones whose spec.servers.namespace is another namespace, by that namespace: ("ns", "name").
  std::map<std::string, std::set<std::pair<std::string, std::string>>, std::less<>>
      servers_elsewhere_;
  uint64_t journal(const std::string& key);  // a record changed: its new revision
  uint64_t revision_ = 0;                    // the last api::RecordObject::revision stamped
  std::deque<std::pair<uint64_t, std::string>> journal_;  // revision, record key
};

}  // namespace zk::controller
