// Record types and their data (RDATA), validated, in canonical wire form.
//
//   auto zone = Name::parse("example.test.").value();
//   auto mx   = Rdata::parse(RRType::MX, "10 mail", zone);          // presentation form
//   auto txt  = Rdata::txt_from_text(std::string(300, 'x'));         // split at 255 octets
//   mx->to_text();                                                   // "10 mail.example.test."
//
// Rdata holds one record's data for one type in uncompressed canonical wire form (embedded
// names lowercased, RFC 4034 §6.2), so two Rdata are equal exactly when DNS servers treat
// them as the same record. Every constructor validates and returns a specific message.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "model/inline_bytes.h"
#include "model/name.h"

namespace zk::model {

enum class RRType : uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  SRV = 33,
  NAPTR = 35,
  DNAME = 39,
  SSHFP = 44,
  TLSA = 52,
  SVCB = 64,
  HTTPS = 65,
  CAA = 257,
};

// "A", "AAAA", ... for the types above; "TYPE<n>" for any other number (RFC 3597).
std::string to_string(RRType t);
// Accepts the mnemonics above (any case) and "TYPE<n>".
Parsed<RRType> parse_rrtype(std::string_view text);
// The types zonekeeper manages (everything in the enum).
bool is_supported(RRType t);
// Types of which a name may hold at most one record (CNAME, DNAME, SOA).
bool is_singleton(RRType t);

class Rdata {
 public:
  // Presentation (zone file) form; relative names resolve against `origin`.
  static Parsed<Rdata> parse(RRType type, std::string_view text, const Name& origin);
  // Wire form (uncompressed), as found in a DNS message after decompression.
  static Parsed<Rdata> from_wire(RRType type, std::span<const uint8_t> wire);

  // Typed constructors.
  static Parsed<Rdata> a(std::string_view ipv4);
  static Parsed<Rdata> aaaa(std::string_view ipv6);
  static Rdata name_target(RRType type, const Name& target);  // CNAME, NS, PTR, DNAME
  static Rdata mx(uint16_t preference, const Name& exchange);
  static Rdata srv(uint16_t priority, uint16_t weight, uint16_t port, const Name& target);
  static Parsed<Rdata> caa(uint8_t flags, std::string_view tag, std::string_view value);
  // RFC 3403: flags, services and regexp are character-strings (at most 255 octets each).
  // RFC 4255 / RFC 6698: fingerprint and certificate association data as octets (non-empty).
  static Parsed<Rdata> sshfp(uint8_t algorithm, uint8_t fp_type, std::vector<uint8_t> fingerprint);
  static Parsed<Rdata> tlsa(uint8_t usage, uint8_t selector, uint8_t matching_type,
                            std::vector<uint8_t> data);
  // RFC 9460: `params` the SvcParams in wire form (svcb.h); priority 0 (AliasMode) takes none.
  static Parsed<Rdata> svcb(RRType type, uint16_t priority, const Name& target,
                            std::span<const uint8_t> params);
  static Parsed<Rdata> naptr(uint16_t order, uint16_t preference, std::string_view flags,
                             std::string_view services, std::string_view regexp,
                             const Name& replacement);
  // TXT from explicit character-strings (each ≤ 255 octets).
  static Parsed<Rdata> txt(const std::vector<std::string>& strings);
  // TXT from one text: split into 255-octet strings, never inside a UTF-8 sequence.
  static Rdata txt_from_text(std::string_view text);
  static Rdata soa(const Name& mname, const Name& rname, uint32_t serial, uint32_t refresh,
                   uint32_t retry, uint32_t expire, uint32_t minimum);

  RRType type() const { return type_; }
  std::span<const uint8_t> wire() const { return wire_.span(); }
  size_t wire_size() const { return wire_.size(); }

  // Presentation form with absolute names ("10 mail.example.test.").
  std::string to_text() const;
  // TXT only: the character-strings, unescaped.
  std::vector<std::string> txt_strings() const;
  // CNAME/NS/PTR/MX/SRV: the target name.
  std::optional<Name> target() const;
  // SOA only: the serial.
  std::optional<uint32_t> soa_serial() const;
  // SOA only: the same record with another serial (nullopt for other types).
  std::optional<Rdata> with_soa_serial(uint32_t serial) const;

  friend bool operator==(const Rdata& a, const Rdata& b) = default;
  friend auto operator<=>(const Rdata& a, const Rdata& b) = default;

 private:
  static Parsed<Rdata> parse_svcb(RRType type, std::string_view text, const Name& origin);
  Rdata(RRType type, std::span<const uint8_t> wire) : type_(type), wire_(wire) {}
  RRType type_ = RRType::A;
  InlineBytes wire_;
};

// Quotes a character-string for presentation: "a \"b\" \\c \200".
std::string quote_character_string(std::string_view raw);
// The octets of a character-string's presentation form (quotes removed): \DDD and \X escapes.
Parsed<std::string> unescape_character_string(std::string_view raw);

}  // namespace zk::model
