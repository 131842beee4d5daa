// Record objects (ARecord … HTTPSRecord) and the RRset each one declares.
//
//   auto rec = decode_record(object->parse());            // metadata + spec.name/ttl + spec text
//   auto set = record_rrset(*rec, zone_name, /*zone_default_ttl=*/300);
//   if (!set) status.reason = reasons::kInvalidSpec, status.message = set.error();
//   // set.error(): "spec.ipv4Addresses[1]: \"10.0.0.256\" is not an IPv4 address"
//
// decode_record fails only when the object cannot be identified (no metadata.name, not one
// of the fifteen kinds, no spec object). Every problem inside the spec — including a missing
// or mistyped spec.name / spec.ttl — surfaces from record_rrset, with the field named, so
// the controller can report it as InvalidSpec on that very object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "api/kind.h"
#include "api/object_meta.h"
#include "api/record_annotations.h"
#include "model/error.h"
#include "model/rrset.h"

namespace zk::api {

// Largest uncompressed wire size of one RRset we accept: a guarded Replace carries the old
// and the new RRset in one UPDATE, and both must fit 64 KiB with room for TSIG.
inline constexpr size_t kMaxRRsetWire = 32000;
inline constexpr int64_t kMaxTtl = 2147483647;  // RFC 2181 §8

struct RecordObject : ObjectMeta {
  Kind kind = Kind::A;
  std::string spec_name;        // spec.name ("" when absent or not a string)
  std::optional<uint32_t> ttl;  // spec.ttl (nullopt when absent or invalid)
  // The whole spec as compact JSON text, for the kind's data fields (memory: ≈ 60 octets for an
  // ARecord, where the parsed tree took ≈ 150 in the catalog; record_rrset parses it).
  std::string spec;
  HeldAnnotations notes;  // owner, description, notify-url
  // status.recordHash as read: the data last acknowledged (none when absent or not 64 hex digits).
  model::RRsetDigest served_hash;
  // Stamped by the catalog that holds it, anew on every change of what it declares (0: not
  // stamped): equal revisions mean equal data (sources::ZoneState looks only at moved ones).
  uint64_t revision = 0;

  // "ARecord/ns/name": the key of this object in outcomes and logs.
  std::string key() const;
};

model::Parsed<RecordObject> decode_record(const boost::json::value& object);

// "Kind/ns/name".
std::string record_key(Kind kind, std::string_view ns, std::string_view name);
// The parts of a record_key (views into `key`; neither a namespace nor a name holds a '/').
struct RecordKeyParts {
  std::string_view kind, ns, name;
};
RecordKeyParts split_record_key(std::string_view key);

// The RRset the record declares in `zone`: owner = spec.name resolved against the zone ("@" =
// apex; absolute names must lie inside the zone), TTL = spec.ttl or `zone_default_ttl`.
// Checks every DNS rule the schema cannot: addresses, name syntax and lengths, host names
// where BIND requires them, CAA tags, TXT/RRset sizes, null MX (RFC 7505), SRV owner
// (_service._proto), no CNAME or NS at the apex, exactly one CNAME or DNAME target, NAPTR
// flags and replacement-or-regexp, SSHFP/TLSA hex, SVCB/HTTPS parameters (model/svcb).
model::Parsed<model::RRset> record_rrset(const RecordObject& record, const model::Name& zone,
                                         uint32_t zone_default_ttl);

}  // namespace zk::api
