#include "controller/zone_report.h"

#include <algorithm>
#include <functional>
#include <tuple>

#include <fmt/format.h>

#include "api/kind.h"
#include "api/reasons.h"

namespace zk::controller {

namespace reasons = api::reasons;
using model::Name;
using model::RRsetKey;

namespace {

// Servable: to be served by this zone (Pending), or MultipleZones where this zone is the oldest.
bool servable(const sources::RecordOutcome& o) {
  return o.reason == reasons::kPending || (o.reason == reasons::kMultipleZones && !o.hash.empty());
}

// One status per desired outcome whose object we hold (of those in `only`, when given); `f`
// says its conditions.
std::vector<RecordStatus> each_record(
    const ZoneReportInput& in, const std::set<std::string>* only,
    const std::function<RecordStatus(const std::string&, const api::RecordObject&,
                                     const sources::RecordOutcome&)>& f) {
  std::vector<RecordStatus> out;
  std::string zone_text = in.zone.zone_name.to_string();
  auto one = [&](const std::string& rkey, const sources::RecordOutcome& o) {
    const api::RecordObject* r = in.records(rkey);
    if (!r) return;
    RecordStatus st = f(rkey, *r, o);
    st.ref = object_ref(*r, api::to_string(r->kind));
    if (o.reason != reasons::kNotSelected) {
      st.zone = zone_text;
      st.fqdn = o.fqdn_text();
    }
    out.push_back(std::move(st));
  };
  if (only) {
    for (const std::string& rkey : *only) {
      if (auto o = in.desired.outcomes.find(rkey); o != in.desired.outcomes.end()) {
        one(rkey, o->second);
      }
    }
  } else {
    for (const auto& [rkey, o] : in.desired.outcomes) one(rkey, o);
  }
  return out;
}

// The servers' side of a report, as far as the statuses of records that do not lag depend on
// it: a Secondary's serial moving on changes nothing for them.
std::string servers_side(const std::vector<PrimaryOutcome>& primaries,
                         const std::vector<SecondaryOutcome>& secondaries) {
  std::string out;
  for (const auto& p : primaries) {
    out += fmt::format("P {} {} {};", p.server, p.ok, p.refused.size());
  }
  for (const auto& s : secondaries) {
    out += fmt::format("S {} {} {};", s.server, s.serial.has_value(), s.serial ? "" : s.why);
  }
  return out;
}

std::string secondaries_text(size_t n) {
  return fmt::format("{} Secondar{}", n, n == 1 ? "y" : "ies");
}

std::string primaries_text(size_t n) {
  return fmt::format("{} Primar{}", n, n == 1 ? "y" : "ies");
}

}  // namespace

RecordLookup lookup_in(const std::map<std::string, api::RecordObject>& records) {
  return [&records](const std::string& key) -> const api::RecordObject* {
    auto it = records.find(key);
    return it == records.end() ? nullptr : &it->second;
  };
}

RecordCounts count_records(const std::vector<RecordStatus>& records) {
  RecordCounts c;
  for (const RecordStatus& r : records) {
    if (r.ready.status == api::kTrue) ++c.ready;
    ++c.by_kind_reason[{r.ref.kind, r.ready.reason}];
  }
  return c;
}

bool serial_at_least(uint32_t have, uint32_t want) {
  return have == want || static_cast<int32_t>(have - want) > 0;
}

PrimariesSummary summarize(const std::vector<PrimaryOutcome>& primaries) {
  PrimariesSummary sum;
  for (const auto& r : primaries) {
    if (r.ok) {
      ++sum.ok;
      if (!sum.serial) sum.serial = r.serial;
    }
    sum.any_applied = sum.any_applied || r.applied;
  }
  return sum;
}

ZoneReport report_blocked_zone(const ZoneReportInput& in, const ConditionSpec& blocked) {
  ZoneReport rep;
  rep.zone.ref = in.ref;
  rep.zone.ready = blocked;
  rep.records = each_record(
      in, nullptr,
      [&](const std::string&, const api::RecordObject&, const sources::RecordOutcome& o) {
        RecordStatus st;
        st.ready = servable(o) ? ready_condition(
                                     api::kFalse, reasons::kZoneNotReady,
                                     fmt::format("DNSZone {} is not ready: {}: {}", in.zone.key(),
                                                 blocked.reason, blocked.message))
                               : ready_condition(api::kFalse, o.reason, o.message);
        st.zone_wide = servable(o);
        return st;
      });
  rep.counts = count_records(rep.records);
  return rep;
}

std::vector<RecordStatus> report_invalid_zone(
    const std::string& key, const std::string& error, const std::string& zone_name,
    const ZoneAcks& acks, const std::map<std::string, api::RecordObject>& records) {
  std::vector<RecordStatus> out;
  for (const auto& [rkey, ack] : acks.records) {
    auto r = records.find(rkey);
    if (!ack.fqdn || r == records.end()) continue;
    RecordStatus rs;
    rs.ref = object_ref(r->second, api::to_string(r->second.kind));
    rs.zone = zone_name;
    rs.fqdn = ack.fqdn->to_string();
    rs.ready = ready_condition(
        api::kFalse, reasons::kZoneNotReady,
        fmt::format("DNSZone {} is not ready: {}: {}", key, reasons::kInvalidSpec, error));
    rs.zone_wide = true;
    out.push_back(std::move(rs));
  }
  return out;
}

ZoneReport report_zone(const ZoneReportInput& in, ZoneAcks& acks) {
  ZoneReport rep;
  const auto& results = in.primaries;
  const PrimariesSummary sum = summarize(results);
  const size_t ok_count = sum.ok;
  const bool any_applied = sum.any_applied;
  const std::optional<uint32_t> primary_serial = sum.serial;

  // Servers: the Primaries, then whether each Secondary caught up with its primary.
  std::vector<ServerSerial> server_rows;
  server_rows.reserve(results.size() + in.secondaries.size());
  for (const auto& r : results) {
    server_rows.push_back({r.server, "Primary", r.serial, r.ok && r.refused.empty()});
  }
  std::string behind_reason, behind_message;
  for (const auto& s : in.secondaries) {
    bool caught_up = s.serial && s.want && serial_at_least(*s.serial, *s.want);
    server_rows.push_back({s.server, "Secondary", s.serial, caught_up});
    if (!s.serial) {
      behind_reason = std::string(reasons::kSecondaryUnreachable);
      behind_message = fmt::format("{}: {}", s.key, s.why);
    } else if (!caught_up && behind_reason.empty()) {
      behind_reason = std::string(reasons::kSecondaryBehind);
      behind_message = fmt::format("{} serves serial {}, its primary {}", s.key, *s.serial,
                                   s.want ? std::to_string(*s.want) : std::string("unknown"));
    }
  }
  rep.secondaries_behind = !behind_reason.empty();
  ConditionSpec zone_propagated =
      behind_reason.empty()
          ? ConditionSpec{std::string(api::kPropagated), std::string(api::kTrue),
                          std::string(reasons::kInSync),
                          in.secondaries.empty()
                              ? "the zone has no Secondary"
                              : fmt::format("{} Secondaries serve the primary's serial",
                                            in.secondaries.size())}
          : ConditionSpec{std::string(api::kPropagated), std::string(api::kFalse), behind_reason,
                          behind_message};

  // Only the records that changed, when the servers' side is as the last clean report left it.
  const std::string side = servers_side(results, in.secondaries);
  const bool clean =
      ok_count == results.size() &&
      std::all_of(results.begin(), results.end(), [](const auto& r) { return r.refused.empty(); });
  bool went_back = false;  // a Secondary serves an older serial than before (wiped, restored)
  std::map<std::string, uint32_t> serials_now;
  for (const auto& s : in.secondaries) {
    if (!s.serial) continue;
    auto seen = acks.secondary_serials.find(s.server);
    if (seen != acks.secondary_serials.end() && !serial_at_least(*s.serial, seen->second)) {
      went_back = true;
    }
    serials_now[s.server] = *s.serial;
  }
  acks.secondary_serials = std::move(serials_now);
  std::set<std::string> touched_or_lagging;
  const std::set<std::string>* only = nullptr;
  if (in.only && clean && side == acks.clean_servers && !went_back) {
    only = in.only;
    if (!acks.lagging.empty()) {
      touched_or_lagging = acks.lagging;
      touched_or_lagging.insert(in.only->begin(), in.only->end());
      only = &touched_or_lagging;
    }
  }
  acks.clean_servers = clean ? side : "";
  if (!only) acks.lagging.clear();

  // Record statuses; each one's standing is kept for the summary.
  std::map<std::string, RecordStanding> now;
  std::string first_failure_reason, first_failure_message;
  std::vector<std::string> failures;  // "Reason: message" per failed Primary, for the zone
  bool moved = false;                 // a served record's fqdn changed
  for (const auto& r : results) {
    if (r.ok) continue;
    if (first_failure_reason.empty()) {
      first_failure_reason = r.reason;
      first_failure_message = r.message;
    }
    failures.push_back(
        fmt::format("{}: {}", r.server_reason.empty() ? r.reason : r.server_reason, r.message));
  }
  rep.records = each_record(
      in, only,
      [&](const std::string& rkey, const api::RecordObject& rec, const sources::RecordOutcome& o) {
        RecordStatus st;
        RecordStanding& standing = now[rkey];
        // Propagated is reported (and lagging remembered) only for what every Primary serves.
        acks.lagging.erase(rkey);
        if (!servable(o)) {
          standing.counted = o.reason != reasons::kNotSelected;
          st.ready = ready_condition(api::kFalse, o.reason, o.message);
          return st;
        }
        RRsetKey rrkey{o.fqdn.value_or(in.zone.zone_name), api::record_type(rec.kind)};
        std::string refused;
        for (const auto& r : results) {
          if (auto f = r.refused.find(rrkey); f != r.refused.end()) refused = f->second;
        }
        if (!first_failure_reason.empty()) {
          standing.counted = true;
          standing.zone_wide = st.zone_wide = true;
          st.ready = ready_condition(api::kFalse, first_failure_reason, first_failure_message);
          return st;
        }
        if (!refused.empty()) {
          standing.counted = true;
          st.ready = ready_condition(api::kFalse, reasons::kUpdateRefused, refused);
          return st;
        }
        // Served by every Primary.
        st.acknowledged_hash = o.hash.hex();
        RecordAck& ack = acks.records[rkey];
        if (ack.hash != o.hash) {
          ack.hash = o.hash;
          ack.serial = primary_serial.value_or(0);
        }
        if (ack.fqdn != o.fqdn) {
          moved = true;
          ack.fqdn = o.fqdn;
        }
        if (o.reason == reasons::kMultipleZones) {
          standing.counted = true;
          st.ready = ready_condition(api::kFalse, o.reason, o.message);
        } else {
          st.ready = ready_condition(
              api::kTrue, reasons::kServed,
              fmt::format("served at {} by {}", o.fqdn_text(), primaries_text(results.size())));
          // Back from the zone's failure: the zone's recovery is the Event, not this record's.
          st.zone_wide = ack.standing && !ack.standing->ready && ack.standing->zone_wide;
        }
        standing.served = true;
        // Propagated: every Secondary serves a serial at least the one this data was acked at.
        // The message is the record's own (the zone's would change with every serial, and with
        // it every record's status).
        const uint32_t at = ack.serial;
        std::string behind, message;
        for (const auto& s : in.secondaries) {
          if (!s.serial) {
            behind = std::string(reasons::kSecondaryUnreachable);
            message = fmt::format("{}: {}", s.key, s.why);
            break;
          }
          if (behind.empty() && !serial_at_least(*s.serial, at)) {
            behind = std::string(reasons::kSecondaryBehind);
            message = fmt::format("{} serves serial {}, older than {} at which this was served",
                                  s.key, *s.serial, at);
          }
        }
        if (behind.empty()) {
          st.propagated = ConditionSpec{
              std::string(api::kPropagated), std::string(api::kTrue), std::string(reasons::kInSync),
              in.secondaries.empty()
                  ? std::string("the zone has no Secondary")
                  : fmt::format("{} serve{} serial {} or later, at which this was served",
                                secondaries_text(in.secondaries.size()),
                                in.secondaries.size() == 1 ? "s" : "", at)};
        } else {
          st.propagated = ConditionSpec{std::string(api::kPropagated), std::string(api::kFalse),
                                        behind, message};
          acks.lagging.insert(rkey);
        }
        return st;
      });
  for (const RecordStatus& st : rep.records) {
    RecordStanding& standing = now[st.ref.key()];
    standing.ready = st.ready.status == api::kTrue;
    standing.reason = st.ready.reason;
  }
  // Forget the acknowledgements and standing of records that left the zone.
  auto forget = [&](const std::string& rkey) {
    acks.records.erase(rkey);
    acks.lagging.erase(rkey);
  };
  // The standing of every record, and its tallies, follow the records reported.
  auto tally = [&](const std::string& rkey, const RecordStanding& st, int delta) {
    auto bump = [delta](auto& map, const auto& key) {
      if ((map[key] += static_cast<size_t>(delta)) == 0) map.erase(key);
    };
    if (st.counted) bump(acks.not_ready, st.reason);
    if (st.ready) acks.counts.ready += static_cast<size_t>(delta);
    bump(acks.counts.by_kind_reason,
         std::make_pair(std::string(api::split_record_key(rkey).kind), st.reason));
  };
  bool list_changed = !only || moved;  // the zone's list of served records
  if (only) {
    for (const std::string& rkey : *only) {
      auto ack = acks.records.find(rkey);
      const RecordStanding* was =
          ack != acks.records.end() && ack->second.standing ? &*ack->second.standing : nullptr;
      auto is = now.find(rkey);
      if (is == now.end() && in.desired.outcomes.count(rkey)) continue;  // changed meanwhile
      if (was) {
        list_changed =
            list_changed || (is == now.end() ? was->served : was->served != is->second.served);
        tally(rkey, *was, -1);
      } else {
        list_changed = list_changed || (is != now.end() && is->second.served);
      }
      if (is == now.end()) {
        forget(rkey);
        continue;
      }
      tally(rkey, is->second, +1);
      acks.records[rkey].standing = std::move(is->second);
    }
  } else {
    // Every standing is the one just reported; what left the zone is forgotten.
    // One changed since the desired state was computed (not reported now) keeps its standing:
    // the reconcile its change queued reports it.
    for (auto& [rkey, standing] : now) acks.records[rkey].standing = std::move(standing);
    for (auto it = acks.records.begin(); it != acks.records.end();) {
      const bool gone = !in.desired.outcomes.count(it->first) ||
                        (it->second.hash.empty() && !it->second.standing);
      if (gone) acks.lagging.erase(it->first);
      it = gone ? acks.records.erase(it) : std::next(it);
    }
    acks.counts = {};
    acks.not_ready.clear();
    for (const auto& [rkey, ack] : acks.records) {
      if (ack.standing) tally(rkey, *ack.standing, +1);
    }
  }
  rep.counts = acks.counts;
  const std::map<std::string, size_t>& not_ready_by_reason = acks.not_ready;
  if (list_changed) {  // the first kMaxListedRecords by kind and name are listed
    struct Served {
      api::RecordKeyParts key;
      const Name* fqdn;
    };
    std::vector<Served> served;
    for (const auto& [rkey, ack] : acks.records) {
      if (ack.standing && ack.standing->served && ack.fqdn)
        served.push_back({api::split_record_key(rkey), &*ack.fqdn});
    }
    acks.served_count = served.size();
    auto listed_end = served.begin() + std::min(served.size(), kMaxListedRecords);
    std::partial_sort(served.begin(), listed_end, served.end(),
                      [](const Served& a, const Served& b) {
                        return std::tie(a.key.kind, a.key.name, a.key.ns) <
                               std::tie(b.key.kind, b.key.name, b.key.ns);
                      });
    std::vector<ServedRecord> listed;
    listed.reserve(static_cast<size_t>(listed_end - served.begin()));
    for (auto it = served.begin(); it != listed_end; ++it) {
      listed.push_back({std::string(it->key.kind), std::string(it->key.name),
                        std::string(it->key.ns), it->fqdn->to_string()});
    }
    acks.listed = ServedList(std::move(listed));
  }

  // The zone's summary.
  ZoneStatus& zs = rep.zone;
  zs.ref = in.ref;
  zs.record_count = acks.served_count;
  zs.records = acks.listed;
  zs.servers = std::move(server_rows);
  zs.propagated = zone_propagated;
  zs.synced = any_applied && ok_count == results.size();
  size_t not_ready = 0;
  std::vector<std::string> counts;
  for (const auto& [r, n] : not_ready_by_reason) {
    not_ready += n;
    counts.push_back(fmt::format("{} {}", n, r));
  }
  if (ok_count == 0) {
    zs.ready = ready_condition(api::kFalse, reasons::kNotReady,
                               fmt::format("{}", fmt::join(failures, "; ")));
  } else if (ok_count < results.size() || not_ready > 0) {
    std::string msg = not_ready > 0
                          ? fmt::format("{} of {} records not ready: {}", not_ready,
                                        zs.record_count + not_ready, fmt::join(counts, ", "))
                          : std::string();
    if (ok_count < results.size()) {
      msg += (msg.empty() ? "" : "; ") + fmt::format("{} of {} Primaries failed: {}",
                                                     results.size() - ok_count, results.size(),
                                                     fmt::join(failures, "; "));
    }
    zs.ready = ready_condition(api::kFalse, reasons::kPartiallyReady, msg);
  } else {
    zs.ready = ready_condition(
        api::kTrue, reasons::kAllReady,
        fmt::format("{} records served by {}", zs.record_count, primaries_text(results.size())));
  }
  return rep;
}

}  // namespace zk::controller
