// DNSSEC of the zones on managed BIND 9 servers (DNSZone spec.dnssec; docs/architecture.md
// "Managed BIND 9", DNSSEC): the policy as one canonical line of text (what the controller
// puts in the catalog for the agent), BIND's `dnssec-policy` statement for it, and the DS
// records of a served DNSKEY RRset (what the parent needs).
//
//   std::string text = managed::policy_text(*zone.dnssec);      // "zk1 alg=13 ksk=unlimited ..."
//   auto back = managed::parse_policy_text(text);                // the same policy
//   std::string stanza = managed::policy_statement(*back);       // dnssec-policy "zk-…" { … };
//   auto ds = managed::ds_records(zone_name, served.rrsets);     // one per KSK (flags 257)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/zone.h"
#include "model/error.h"
#include "model/name.h"
#include "model/rrset.h"

namespace zk::managed {

// "zk1 alg=13 ksk=unlimited zsk=7776000 denial=nsec3": every field, always in this order, so
// two DNSZones with the same policy share one text (and one BIND policy).
std::string policy_text(const api::Dnssec& dnssec);
// The inverse; refuses anything policy_text does not write (another version, a field
// missing, out of range), with why.
model::Parsed<api::Dnssec> parse_policy_text(std::string_view text);
// "zk-" and the first 16 hex digits of the SHA-256 of policy_text: the policy's name in BIND.
std::string policy_name(const api::Dnssec& dnssec);
// `dnssec-policy "zk-…" { keys { … }; [nsec3param …;] };` plus a newline. Both lifetimes
// unlimited: one CSK; otherwise a KSK and a ZSK. Everything else is BIND's default policy.
std::string policy_statement(const api::Dnssec& dnssec);

// RFC 4034 Appendix B: the key tag of a DNSKEY RDATA (wire form).
uint16_t key_tag(std::span<const uint8_t> dnskey_rdata);

struct DsRecord {
  uint16_t key_tag = 0;
  uint8_t algorithm = 0;
  uint8_t digest_type = 2;  // SHA-256
  std::string digest;       // upper-case hex, as dnssec-dsfromkey prints it
  friend bool operator==(const DsRecord&, const DsRecord&) = default;
};

// RFC 4509: the SHA-256 DS of one DNSKEY RDATA at `zone`.
DsRecord ds_record(const model::Name& zone, std::span<const uint8_t> dnskey_rdata);
// "example.test. IN DS 12345 13 2 ABCD…": the line for the parent zone.
std::string to_string(const model::Name& zone, const DsRecord& ds);
// The DS of every DNSKEY at the apex of `rrsets` whose flags are 257 (zone key, SEP: the
// key-signing keys), sorted by key tag; empty when the zone has none (not signed yet).
std::vector<DsRecord> ds_records(const model::Name& zone, const model::RRsetMap& rrsets);

}  // namespace zk::managed
