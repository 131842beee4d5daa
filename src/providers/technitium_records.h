// Technitium's record vocabulary ↔ the model (pure): the per-type parameters records/add and
// records/delete take for one record, and the records records/get returns, read back into
// model Rdata. Written from APIDOCS.md (docs/architecture.md "Technitium provider" says which
// version).
//
//   auto p = technitium::value_params(Rdata::mx(10, mail));  // {preference=10, exchange=mail.x}
//   auto r = technitium::parse_record(json_record);          // nullopt: a type we do not manage
//
// Names go without their trailing dot, as Technitium writes them. TXT: one string ≤ 255
// octets is sent as `text`; several strings are joined by "\n" with splitText=true (a string
// holding "\n" cannot be sent that way and is refused). SSHFP and TLSA numbers are sent as
// the mnemonics the API accepts (a number it has no name for is refused).
// SVCB / HTTPS: svcPriority, svcTargetName ("." for the root), svcParams as "key|value|…"
// ("false" for none; keys after ipv6hint as keyNNNNN; a value holding '|' or a non-printable
// octet, or an alpn id holding ',' or '\\', is refused), autoIpv4Hint/autoIpv6Hint false.
// Read back from records/get's svcParams object through the model's SvcParams parser, so a
// record compares by meaning (key order, address spelling); AliasMode with params is an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "model/error.h"
#include "model/name.h"
#include "model/rdata.h"
#include "model/record_notes.h"

namespace zk::providers::technitium {

using Params = std::vector<std::pair<std::string, std::string>>;

// "www.example.test" (no trailing dot; "" for the root).
std::string api_name(const model::Name& name);

// The type-specific parameters that identify `rdata` in records/add and records/delete.
model::Parsed<Params> value_params(const model::Rdata& rdata);
// records/update of one record: value_params plus, for SVCB and HTTPS, the same values under
// their new… names (newSvcPriority, newSvcTargetName, newSvcParams), so nothing changes.
model::Parsed<Params> update_params(const model::Rdata& rdata);
// records/update of the SOA: every field of `soa` (an SOA Rdata).
model::Parsed<Params> soa_params(const model::Rdata& soa);

struct ListedRecord {
  model::Name owner;
  model::RRType type = model::RRType::A;
  uint32_t ttl = 0;
  model::Rdata rdata;
  std::string comments;
  bool disabled = false;
};
// One element of records/get's "records"; nullopt for a type zonekeeper does not manage
// (RRSIG, DNSKEY, ANAME, FWD, APP, …); an error when a managed type's rData is malformed.
model::Parsed<std::optional<ListedRecord>> parse_record(const boost::json::object& record);

// The comments zonekeeper writes on a record: the claim, then the owner and description (each
// only when not empty), on one line:
//   zonekeeper:default | owner: team-web | description: the shop's front door
// In a value '\\' and '|' are escaped with a backslash, a newline as \n, a carriage return as
// \r, a tab as \t, other control octets as \xHH; UTF-8 stays as it is. Each value is cut to
// kMaxCommentNote octets once escaped, between characters.
inline constexpr size_t kMaxCommentNote = 255;
std::string render_comments(std::string_view claim, const model::RecordNotes& notes);
// What comments hold: the text before the first " | " (where a claim is looked for; a value
// cannot fake it) and the notes after it ("owner: …", "description: …"; other parts ignored).
struct Comments {
  std::string head;
  model::RecordNotes notes;
};
Comments parse_comments(std::string_view comments);

// application/x-www-form-urlencoded.
std::string form_encode(const Params& params);

}  // namespace zk::providers::technitium
