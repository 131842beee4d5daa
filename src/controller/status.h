// The status zonekeeper reports on each object, and how it is merged into what the object
// already carries (pure: the caller passes the clock).
//
//   RecordStatus s{.ref = ref, .ready = {"Ready", "True", "Served", "..."}, .zone = ..., ...};
//   auto next = merge_record_status(current_status_json, s, api::format_rfc3339(now));
//   if (next) write(*next);        // nullopt: nothing changed, nothing is written
//
// Rules: conditions follow apimachinery's SetStatusCondition (lastTransitionTime moves only
// when the status flips); observedGeneration is the generation the status describes;
// recordHash and lastUpdated move only when a Primary acknowledged new data; lastSyncTime only
// when the Primaries acknowledged changes (or first reach the declared state);
// lastContactTime only when the server's condition changes or the old value is older than
// kContactRefresh (so an idle controller writes nothing).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "api/object_meta.h"
#include "managed/dnssec.h"

namespace zk::controller {

inline constexpr int64_t kContactRefreshSeconds = 600;

struct ObjectRef {
  std::string api_version;  // "dns.zonekeeper.io/v1alpha1"
  std::string kind;         // "ARecord", "DNSZone", "DNSServer"
  std::string ns;
  std::string name;
  std::string uid;
  int64_t generation = 0;
  std::string key() const;  // "Kind/ns/name"
  friend bool operator==(const ObjectRef&, const ObjectRef&) = default;
};

// ObjectRef::key() read back (views into `key`); nullopt unless it has the two slashes.
struct ObjectKey {
  std::string_view kind, ns, name;
};
std::optional<ObjectKey> parse_object_key(std::string_view key);

struct ConditionSpec {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;
  std::string message;
  friend bool operator==(const ConditionSpec&, const ConditionSpec&) = default;
};

// The reference to one of our objects (apiVersion dns.zonekeeper.io/v1alpha1).
ObjectRef object_ref(const api::ObjectMeta& meta, std::string_view kind);
// A Ready condition.
ConditionSpec ready_condition(std::string_view status, std::string_view reason,
                              std::string message);

// True when the condition says something is wrong (status False), not merely on its way:
// Pending (valid, not served yet), SecretPending (the key not read yet) and NotSelected are
// states of waiting. Status writers log a change into a failure at warn and every other change
// (recoveries included) at info, so a warn-level log filter shows outages and their causes.
bool is_failure(const ConditionSpec& condition);

// The Event a status change deserves (DNSZone and record objects; sources get theirs from
// source_verdict): a Warning with the new reason when Ready turns into a failure or from one
// failure into another, a Normal one when it recovers from a failure to True. Nothing when the
// verdict (status and reason) did not change, or for a first status that is not a failure.
// `current` is the object's status as stored. The recorder aggregates repeats into a series.
struct VerdictEvent {
  bool warning = false;
  std::string reason;
  std::string note;
  friend bool operator==(const VerdictEvent&, const VerdictEvent&) = default;
};
std::optional<VerdictEvent> verdict_event(const boost::json::value& current,
                                          const ConditionSpec& ready);

struct RecordStatus {
  ObjectRef ref;
  ConditionSpec ready;
  std::optional<ConditionSpec> propagated;  // absent: the Propagated condition is removed
  std::string zone;                         // absolute, lowercase; "" when no zone selects it
  std::string fqdn;
  std::string acknowledged_hash;  // set when a Primary holds this data now; else keep the old
  // The verdict is the zone's, not the record's: a Primary failed the whole zone (unreachable,
  // TSIG, the UPDATE refused as a whole), the zone is not ready, or this is the recovery from
  // such a failure. Its Event goes on the DNSZone once, not on each of its records.
  bool zone_wide = false;
  friend bool operator==(const RecordStatus&, const RecordStatus&) = default;
};

// verdict_event for a record object: nothing when the verdict is the zone's (s.zone_wide, or a
// recovery from ZoneNotReady), so a zone of 10,000 records whose server times out records one
// Warning on the DNSZone, not 10,000; the records' statuses still say it.
std::optional<VerdictEvent> record_verdict_event(const boost::json::value& current,
                                                 const RecordStatus& s);

// A record object a DNSZone's status lists as served (its apiVersion is always ours).
struct ServedRecord {
  std::string kind, name, ns, fqdn;
  friend bool operator==(const ServedRecord&, const ServedRecord&) = default;
};

// The records a DNSZone's status lists, shared by the report that made the list, the status sent
// and what the controller remembers (memory: one copy per zone, not one per holder), compared by
// value. Immutable: a new list is a new ServedList.
class ServedList {
 public:
  ServedList() = default;
  ServedList(std::initializer_list<ServedRecord> records)
      : ServedList(std::vector<ServedRecord>(records)) {}
  explicit ServedList(std::vector<ServedRecord> records)
      : list_(std::make_shared<const std::vector<ServedRecord>>(std::move(records))) {}
  const std::vector<ServedRecord>& get() const { return list_ ? *list_ : none(); }
  auto begin() const { return get().begin(); }
  auto end() const { return get().end(); }
  size_t size() const { return get().size(); }
  bool empty() const { return get().empty(); }
  const ServedRecord& operator[](size_t i) const { return get()[i]; }
  friend bool operator==(const ServedList& a, const ServedList& b) {
    return a.list_ == b.list_ || a.get() == b.get();
  }

 private:
  static const std::vector<ServedRecord>& none() {
    static const std::vector<ServedRecord> nothing;
    return nothing;
  }
  std::shared_ptr<const std::vector<ServedRecord>> list_;
};

struct ServerSerial {
  std::string name;
  std::string role;  // "Primary" | "Secondary"
  std::optional<uint32_t> serial;
  bool ready = false;
  friend bool operator==(const ServerSerial&, const ServerSerial&) = default;
};

inline constexpr size_t kMaxListedRecords = 1000;
inline constexpr size_t kMaxProviderResults = 100;  // status.providerStatus (the CRD's maxItems)

// status.dnssec of a DNSZone with spec.dnssec: what its Primary serves.
struct DnssecStatus {
  std::string zone;        // absolute, for the DS records' text
  bool is_signed = false;  // a DNSKEY with flags 257 is served
  std::vector<managed::DsRecord> ds;
  friend bool operator==(const DnssecStatus&, const DnssecStatus&) = default;
};

struct ZoneStatus {
  ObjectRef ref;
  ConditionSpec ready;
  std::optional<ConditionSpec> propagated;
  ServedList records;  // served, by kind and name; at most kMaxListedRecords
  size_t record_count = 0;
  std::vector<ServerSerial> servers;
  bool synced = false;  // the Primaries acknowledged changes of the declared state just now
  std::optional<DnssecStatus> dnssec;  // spec.dnssec: the DS records; absent otherwise
  // spec.dnssec.dsConfigMap: the ConfigMap that should hold the DS records ("": none, so one
  // made before goes); nullopt when the spec is not known (invalid): leave them as they are.
  std::optional<std::string> ds_config_map;
  friend bool operator==(const ZoneStatus&, const ZoneStatus&) = default;
};

// Whether two statuses of a DNSZone differ in more than the servers' serials, `synced`, and
// Secondaries catching up (Propagated InSync ↔ SecondaryBehind, a Secondary row's ready) — what
// every applied change moves: the controller writes those alone at most every
// ControllerOptions::zone_serial_refresh.
bool differs_beyond_serials(const ZoneStatus& a, const ZoneStatus& b);

struct ServerStatus {
  ObjectRef ref;
  ConditionSpec ready;
  std::vector<std::string> zones;  // sorted
  bool contacted = false;          // the server answered now
  friend bool operator==(const ServerStatus&, const ServerStatus&) = default;
};

// What one DNSServer made of a DNSEndpoint's data in one zone (status.providerStatus[]).
struct ProviderResult {
  std::string server;              // the DNSServer, "namespace/name"
  std::string zone;                // absolute, lowercase, no trailing dot: "example.test"
  std::string result;              // Programmed, Conflict or Failed
  std::string message;             // why, when not Programmed ("" when it is)
  std::optional<uint32_t> serial;  // the zone's serial on that server now, when known
  bool synced = false;  // the server acknowledged a change of this object's data just now
  friend bool operator==(const ProviderResult&, const ProviderResult&) = default;
};

// A DNSEndpoint's status (externaldns.k8s.io; our CRD adds conditions, lastSyncTime and
// providerStatus).
struct EndpointStatus {
  ObjectRef ref;
  ConditionSpec ready;
  bool synced = false;                    // the provider acknowledged this object's data just now
  std::vector<ProviderResult> providers;  // sorted by zone, then server; the first
                                          // kMaxProviderResults are written
  friend bool operator==(const EndpointStatus&, const EndpointStatus&) = default;
};

// Each returns the full new `status` object, or nullopt when it equals `current` (the
// object's status, null or an object). `now` is RFC 3339.
std::optional<boost::json::object> merge_record_status(const boost::json::value& current,
                                                       const RecordStatus& s,
                                                       const std::string& now);
std::optional<boost::json::object> merge_zone_status(const boost::json::value& current,
                                                     const ZoneStatus& s, const std::string& now,
                                                     int64_t now_seconds);
std::optional<boost::json::object> merge_server_status(const boost::json::value& current,
                                                       const ServerStatus& s,
                                                       const std::string& now, int64_t now_seconds);
// lastSyncTime moves when `synced`, or is set the first time Ready becomes True. Each
// providerStatus entry's serial and lastSyncTime do the same per server: they move when that
// server acknowledged this object's data (synced), are set the first time the entry is
// Programmed, and are otherwise kept, so other objects' writes to the zone rewrite nothing here.
std::optional<boost::json::object> merge_endpoint_status(const boost::json::value& current,
                                                         const EndpointStatus& s,
                                                         const std::string& now);

}  // namespace zk::controller
