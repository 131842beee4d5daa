// TSIG (RFC 8945) over OpenSSL EVP_MAC: sign requests, verify responses, including every
// message of a multi-message zone transfer.
//
//   auto key = TsigKey::load_bind_key_file("/etc/bind/zonekeeper.key");   // key "n" {...};
//   TsigSession s(*key);
//   std::vector<uint8_t> wire = ...;                  // a complete DNS message
//   s.sign(wire, now);                                // appends the TSIG RR, bumps ARCOUNT
//   auto ok = s.verify(response, now);               // first response; later ones chain
//
// Written here rather than taken from ldns: ldns 1.8.3 rejects hmac-sha384, does not check
// time-signed against the fudge, exposes no TSIG error field, cannot verify unsigned
// messages in between (RFC 8945 §5.3.1) and aborts on messages over 64 KiB.
// The secret never appears in any string this code produces.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/error.h"
#include "model/name.h"

namespace zk::dns {

enum class TsigAlgorithm { HmacSha1, HmacSha224, HmacSha256, HmacSha384, HmacSha512 };

// "hmac-sha256" (any case, trailing dot allowed).
tl::expected<TsigAlgorithm, std::string> parse_tsig_algorithm(std::string_view text);
std::string_view to_string(TsigAlgorithm a);  // "hmac-sha256"

// The fields of BIND's `key "name" { algorithm ...; secret "..."; };` statement, as tsig-keygen
// and rndc-confgen write it, unchecked: TsigKey and ControlKey (control_message.h) read it.
// `what` names the file in messages ("TSIG key file"); the secret never appears in them.
struct BindKeyStatement {
  std::string name;
  std::string algorithm;
  std::string secret;  // base64, as written
};
Result<BindKeyStatement> parse_bind_key_statement(std::string_view text, std::string_view what);
// Every `key` statement at the start of a file (a managed server's key files hold only such
// statements, the signing key first), in order; what follows the last one is not read.
Result<std::vector<BindKeyStatement>> parse_bind_key_statements(std::string_view text,
                                                                std::string_view what);

struct TsigKey {
  model::Name name;
  TsigAlgorithm algorithm = TsigAlgorithm::HmacSha256;
  std::vector<uint8_t> secret;

  static Result<TsigKey> from_base64(std::string_view name, std::string_view algorithm,
                                     std::string_view secret_base64);
  // BIND's `key "name" { algorithm hmac-sha256; secret "..."; };` (as tsig-keygen writes it).
  static Result<TsigKey> parse_bind_key(std::string_view text);
  static Result<TsigKey> load_bind_key_file(const std::string& path);

  // Wire size of the TSIG RR this key appends to a request (for message budgets).
  size_t tsig_rr_size() const;
};

inline constexpr uint16_t kTsigFudge = 300;
inline constexpr uint16_t kTypeTsig = 250;

// Signs one request and verifies the responses that belong to it.
class TsigSession {
 public:
  explicit TsigSession(const TsigKey& key) : key_(&key) {}

  // Appends a TSIG RR to `message` (a complete DNS message) and increments ARCOUNT.
  void sign(std::vector<uint8_t>& message, uint64_t now);

  // Verifies the next response to the signed request. For zone transfers call it for every
  // message in order; unsigned messages in between are accepted and folded into the next
  // signed one's digest (RFC 8945 §5.3.1, at most 99 in a row); call finish() after the last.
  // Returns the TSIG error as BadKey/BadSig/BadTime, or Unsigned when the first response
  // carries no TSIG.
  Result<void> verify(std::span<const uint8_t> response, uint64_t now);
  // Fails if the last message(s) of a transfer were unsigned.
  Result<void> finish() const;

 private:
  const TsigKey* key_;
  std::vector<uint8_t> request_mac_;
  std::vector<uint8_t> prior_mac_;
  std::vector<uint8_t> unsigned_;  // unsigned messages since the last signed one
  int unsigned_count_ = 0;
  bool first_ = true;
};

// Offset of the last RR of the additional section when it is a TSIG RR (the message must be
// well-formed up to there); used by the signer/verifier and tests.
std::optional<size_t> find_tsig_rr(std::span<const uint8_t> message);

// Why a response must not reach ldns: a TSIG record that is not the last record (RFC 8945
// §5.1; two TSIG records included), more than one OPT record (RFC 6891 §6.1.1), or a record
// layout that does not add up exactly (names, RDLENGTHs, message length). ldns accepts the
// first two and leaks the records it drops, and on broken layouts it may see records (and
// leak them) where this walk cannot: fuzz/dns_message_fuzz found both. nullopt when fine.
std::optional<std::string> meta_record_problem(std::span<const uint8_t> message);

}  // namespace zk::dns
