// The status report of one DNSZone reconcile: what each Primary and Secondary did → the
// record statuses and the zone's summary (docs/api.md "Conditions and reasons"). Pure.
//
//   ZoneReport r = report_zone({zone, zref, desired, records, primaries, secondaries}, acks);
//   for (auto& s : r.records) sink.record_status(s);
//   sink.zone_status(r.zone);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/record.h"
#include "api/zone.h"
#include "controller/status.h"
#include "model/rrset.h"
#include "sources/zone_source.h"

namespace zk::controller {

// What one Primary did in this reconcile.
struct PrimaryOutcome {
  std::string server;         // the DNSServer's name
  bool ok = false;            // holds the declared state (modulo `refused`)
  std::string reason;         // record reason when !ok
  std::string server_reason;  // the server's own reason (SecretNotFound, …) when it differs
  std::string message;
  std::map<model::RRsetKey, std::string> refused;  // RRset → the server's message
  bool applied = false;                            // changes were acknowledged now
  std::optional<uint32_t> serial;
};

// The Primaries' outcomes together.
struct PrimariesSummary {
  size_t ok = 0;                   // Primaries holding the declared state
  bool any_applied = false;        // some acknowledged changes now
  std::optional<uint32_t> serial;  // the first ok Primary's serial
};
PrimariesSummary summarize(const std::vector<PrimaryOutcome>& primaries);

// What one Secondary serves.
struct SecondaryOutcome {
  std::string server;              // the DNSServer's name
  std::string key;                 // "ns/name", for messages
  std::optional<uint32_t> serial;  // none: it did not answer (`why`)
  std::optional<uint32_t> want;    // its primary's serial
  std::string why;
};

// A zone's records by standing: Ready=True, and by (kind, reason) (zonekeeper_records).
struct RecordCounts {
  size_t ready = 0;
  std::map<std::pair<std::string, std::string>, size_t> by_kind_reason;
};
RecordCounts count_records(const std::vector<RecordStatus>& records);

// How one record stood in the last report, for the zone's summary and the metrics (its kind is
// its key's).
struct RecordStanding {
  std::string reason;  // of its Ready condition
  bool ready = false;
  bool counted = false;    // among the zone's "records not ready"
  bool served = false;     // in the zone's list of served records (at its RecordAck's fqdn)
  bool zone_wide = false;  // its verdict was the zone's (RecordStatus::zone_wide)
  friend bool operator==(const RecordStanding&, const RecordStanding&) = default;
};

// What the controller remembers of one record of a zone between reconciles.
struct RecordAck {
  model::RRsetDigest hash;                 // acknowledged by every Primary (none: not yet)
  uint32_t serial = 0;                     // the primary's serial at that time
  std::optional<model::Name> fqdn;         // the name it is served at (none: not served)
  std::optional<RecordStanding> standing;  // as the last report left it
};

// What the controller remembers of a zone's records between reconciles.
struct ZoneAcks {
  // By record key, one entry per record (memory: each key is stored once).
  std::map<std::string, RecordAck> records;
  RecordCounts counts;                      // tallied over the standings
  std::map<std::string, size_t> not_ready;  // reason → records not ready, over the standings
  // The zone's list of served records as last reported (the first kMaxListedRecords by kind and
  // name) and their number: rebuilt only when some record's entry changed.
  ServedList listed;
  size_t served_count = 0;
  // The servers' side of the last report when every Primary held everything (else ""): a report
  // with the same servers' side may report only the records that changed (and the lagging).
  // Secondaries' serials are not part of it: a record's standing moves with them only while
  // it lags, or when a Secondary's serial goes back (`secondary_serials`).
  std::string clean_servers;
  std::map<std::string, uint32_t> secondary_serials;  // by DNSServer name, as last seen
  std::set<std::string> lagging;                      // records last reported with Propagated False
};

using RecordLookup = std::function<const api::RecordObject*(const std::string& key)>;
// A lookup in a map of objects by key.
RecordLookup lookup_in(const std::map<std::string, api::RecordObject>& records);

struct ZoneReportInput {
  const api::Zone& zone;
  const ObjectRef& ref;
  const sources::ZoneDesired& desired;
  // The desired outcomes' objects by key (nullptr: none, or changed since the desired state was
  // computed: its next reconcile reports it).
  RecordLookup records;
  const std::vector<PrimaryOutcome>& primaries;
  const std::vector<SecondaryOutcome>& secondaries;
  // The keys whose outcome may have changed since the last report
  // (sources::ZoneState::touched_records()); nullptr: any. Honoured only when the servers' side
  // is as the last report left it, every Primary holding everything and no Secondary's serial
  // gone back: then only these records, and those whose Propagated was False, get a status (the
  // others' would be what it already is). Else every record is reported.
  const std::set<std::string>* only = nullptr;
};

struct ZoneReport {
  std::vector<RecordStatus> records;
  RecordCounts counts;  // every record of the zone, reported now or before
  ZoneStatus zone;
  bool secondaries_behind = false;  // some Secondary is behind or unreachable
};

// RFC 1982: `have` is `want` or newer.
bool serial_at_least(uint32_t have, uint32_t want);

// A full reconcile's report; updates `acks` (acknowledged now, or forgotten: left the zone).
ZoneReport report_zone(const ZoneReportInput& in, ZoneAcks& acks);

// The zone cannot be served at all (`blocked`: Conflict, NoServers, NotReady): the zone says
// why; servable records are ZoneNotReady, the others keep their own reason.
ZoneReport report_blocked_zone(const ZoneReportInput& in, const ConditionSpec& blocked);

// Records that a zone, now InvalidSpec (`error`), served before: ZoneNotReady (their data stays
// on the servers). `zone_name` is the last valid generation's; `key` the DNSZone's "ns/name".
std::vector<RecordStatus> report_invalid_zone(
    const std::string& key, const std::string& error, const std::string& zone_name,
    const ZoneAcks& acks, const std::map<std::string, api::RecordObject>& records);

}  // namespace zk::controller
