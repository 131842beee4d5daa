// Ownership registry kept in DNS: TXT records in external-dns' TXT registry format, so a zone
// shared with (or migrated from) external-dns has one shared notion of who owns what.
//
//   RegistryConfig cfg{.owner_id = "zonekeeper"};
//   auto reg = Registry::read(zone, served, cfg);        // pure: served RRsets in, claims out
//   auto c = reg.claim({www, RRType::A});                // owner id, resource, raw labels
//   auto txt = registry_name(www, RRType::A, cfg);       // a-www.example.test.
//   auto rd = registry_rdata(cfg.owner_id, "ingress/web/www", {"team-web", "the shop"});
//
// Format (external-dns registry/txt, endpoint/labels.go; docs/architecture.md "Ownership
// registry (shared zones)"):
// - One TXT record whose text is `heritage=external-dns,external-dns/owner=<id>,
//   external-dns/resource=<kind>/<namespace>/<name>` (further `external-dns/<key>=<value>`
//   labels allowed, keys sorted). A TXT without `heritage=external-dns` is ordinary data.
// - zonekeeper adds `,zonekeeper/owner=<owner>,zonekeeper/description=<description>` (each
//   only when not empty): the dns.zonekeeper.io/owner and /description annotations of the
//   object that declares the record, percent-encoded (encode_note_value) so no value holds
//   ',', '=', '"', '\\', '%', control or non-ASCII octets, and cut to kMaxNoteValue octets.
//   external-dns and older zonekeeper versions skip these tokens (not external-dns/ keys);
//   a text without them reads as empty notes.
// - New format (external-dns ≥ 0.12, the only one written since 0.18): the TXT sits at
//   <prefix><type>-<first label><suffix>.<rest>, e.g. a-www.example.test. for the A RRset of
//   www.example.test.; `%{record_type}` in the prefix or suffix places the lowercase type
//   instead (then no `<type>-` is added).
// - Old format (before 0.12): the TXT sits at <prefix><first label><suffix>.<rest> (the
//   record's own name without an affix) and claims every type at that name except AAAA.
//   We read it for the types in `legacy_types` only (A, CNAME: what external-dns managed by
//   default), never for TXT, MX, …, which a user may have put beside it.
// - A CNAME forbids any other data at its name (RFC 1034 §3.6.2), so a registry TXT never
//   sits at a CNAME's name: the new format (or a prefix/suffix) is required there.
// - Encryption (`--txt-encrypt-enabled`, AES-GCM of the label text) is not supported: an
//   encrypted registry TXT does not parse as heritage=external-dns, so what it guards looks
//   unowned and is never touched.
// Pure: no I/O.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/error.h"
#include "model/record_notes.h"
#include "model/rrset.h"

namespace zk::plan {

inline constexpr std::string_view kHeritage = "external-dns";
inline constexpr std::string_view kRecordTypeTemplate = "%{record_type}";

struct RegistryConfig {
  std::string owner_id;              // --txt-owner-id: required, no ',' '=' '"'
  std::string prefix;                // --txt-prefix (may hold %{record_type})
  std::string suffix;                // --txt-suffix (exclusive with prefix)
  std::string wildcard_replacement;  // --txt-wildcard-replacement: stands for a leading '*'
  // Also write the old-format TXT (external-dns 0.12–0.17 wrote both, except for AAAA; 0.18+
  // writes only the new one). Where the new-format name falls outside the zone (the apex
  // without a prefix ending in '.'), the old format is used whatever this says.
  bool write_old_format = false;
  // Types an old-format TXT claims when read (and for which one is written).
  std::set<model::RRType> legacy_types = {model::RRType::A, model::RRType::CNAME};
  uint32_t ttl = 300;  // TTL of the registry TXT records we write

  // Empty owner id, forbidden characters, prefix and suffix both set.
  model::Parsed<bool> validate() const;
};

// external-dns labels: the text without heritage, keys without "external-dns/".
using Labels = std::map<std::string, std::string>;

// Parses a registry text. nullopt when it carries no heritage=external-dns (ordinary TXT).
// Surrounding double quotes are dropped, as external-dns does.
std::optional<Labels> parse_labels(std::string_view text);
// heritage=external-dns first, then external-dns/<key>=<value> in key order.
std::string serialize_labels(const Labels& labels);

// The notes' tokens (zonekeeper/owner, zonekeeper/description) and the limit of one value
// once encoded.
inline constexpr std::string_view kNoteOwnerKey = "zonekeeper/owner";
inline constexpr std::string_view kNoteDescriptionKey = "zonekeeper/description";
inline constexpr size_t kMaxNoteValue = 255;

// Percent-encoding (%XX, uppercase hex) of '%', ',', '=', '"', '\\', octets below 0x20, 0x7F
// and every octet of 0x80 and above (so UTF-8 becomes %C3%A9); anything else, spaces
// included, stays as it is. Cut to at most `limit` octets between characters: never inside
// an escape nor inside a UTF-8 sequence.
std::string encode_note_value(std::string_view value, size_t limit = kMaxNoteValue);
// The inverse; a '%' not followed by two hex digits stays as it is.
std::string decode_note_value(std::string_view encoded);
// The notes a registry text carries (decoded); empty ones when it has none.
model::RecordNotes parse_notes(std::string_view text);

// The registry TXT record for a record we own (resource may be empty: then not written; so
// are empty notes).
model::Rdata registry_rdata(std::string_view owner_id, std::string_view resource,
                            const model::RecordNotes& notes = model::RecordNotes());

// Names (external-dns' affix name mapper, first-label split). nullopt when the result is not
// a valid name.
std::optional<model::Name> registry_name(const model::Name& record, model::RRType type,
                                         const RegistryConfig& cfg);
std::optional<model::Name> legacy_registry_name(const model::Name& record,
                                                const RegistryConfig& cfg);

// What a registry TXT's name refers to: the record name as the registry spells it (a
// leading '*' replaced by wildcard_replacement, lowercase, no trailing dot) and the type
// ("" for the old format). nullopt when the name does not fit the prefix/suffix.
struct RegistryKey {
  std::string name;
  std::string type;  // lowercase mnemonic ("a", "cname", …) or "" (old format)
  friend auto operator<=>(const RegistryKey&, const RegistryKey&) = default;
};
std::optional<RegistryKey> parse_registry_name(const model::Name& txt_name,
                                               const RegistryConfig& cfg);
// The key a record's ownership is looked up under (new format).
RegistryKey registry_key(const model::RRsetKey& key, const RegistryConfig& cfg);

// One registry TXT record found in the zone.
struct RegistryRecord {
  model::Name txt_name;
  model::Rdata rdata;
  Labels labels;
  model::RecordNotes notes;        // zonekeeper/owner, zonekeeper/description (decoded)
  std::optional<RegistryKey> key;  // nullopt: heritage TXT that fits no name of ours
  const std::string& owner() const;
  bool legacy() const { return key && key->type.empty(); }
};

// Ownership of one RRset as the registry states it.
struct Claim {
  std::string owner;     // owner id; empty when contested
  std::string resource;  // external-dns/resource, may be empty
  Labels labels;
  model::RecordNotes notes;
  bool legacy = false;     // from an old-format TXT
  bool contested = false;  // several owners claim it: nobody's
};

class Registry {
 public:
  static Registry read(const model::Name& zone, const model::RRsetMap& served,
                       const RegistryConfig& cfg);

  // Every heritage TXT record, in canonical order.
  const std::vector<RegistryRecord>& records() const { return records_; }
  // The served zone without registry TXT records (a TXT RRset left empty is dropped).
  const model::RRsetMap& data() const { return data_; }
  // Heritage TXT records at one TXT owner name.
  std::vector<const RegistryRecord*> at(const model::Name& txt_name) const;

  // New format first; the old format for legacy_types.
  std::optional<Claim> claim(const model::RRsetKey& key) const;
  // Every owner id that claims anything at this record name (any type, either format).
  std::set<std::string> owners_at(const model::Name& record) const;

 private:
  RegistryConfig cfg_;
  std::vector<RegistryRecord> records_;
  model::RRsetMap data_;
  std::map<RegistryKey, std::vector<size_t>> by_key_;  // indexes into records_
  std::map<std::string, std::vector<size_t>> by_name_;
};

}  // namespace zk::plan
