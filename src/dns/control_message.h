// BIND 9's control channel, the protocol rndc speaks to named (`controls`, port 953): ISCCC
// messages signed with HMAC. Pure wire — encoding, signing, parsing, verification; no sockets
// (control_client.h sends them).
//
//   auto key = ControlKey::load_bind_key_file("/etc/bind/rndc.key");
//   ControlRequest request{.serial = s, .now = t, .nonce = nonce, .command = "status"};
//   auto frame = encode_control_request(request, *key);     // Result<std::vector<uint8_t>>
//   // send *frame; read a 4-octet length and that many octets into `message`
//   auto response = parse_control_response(message, *key);  // verified, Result<ControlResponse>
//
// The format (BIND 9.18 lib/isccc/cc.c and ccmsg.c; checked byte for byte against rndc 9.18):
//   frame   = length:u32 message                     (big-endian; named reads at most 32 KiB)
//   message = version:u32 (1) table
//   table   = { keylen:u8 key value }                (entries up to the end of the value)
//   value   = type:u8 length:u32 octets              (1 binary, 2 table, 3 list)
// A message's table is `_auth` (first), `_ctrl` and `_data`; their values are octet strings
// and numbers travel as decimal text. The signature covers every octet after the `_auth`
// entry: HMAC in base64 with padding; hmac-md5 puts the first 22 characters in `_auth.hmd5`,
// the SHA family puts the algorithm number (161 sha1 … 165 sha512) and the base64 padded with
// zero octets to 88 in `_auth.hsha`. The wire carries no key name: named tries every key of
// its `controls` statement. Requests and answers are signed alike; only `_ctrl._rpl` tells an
// answer, so a request reflected back never passes for one. The secret never appears in any
// string this code produces.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/error.h"
#include "dns/tsig.h"

namespace zk::dns {

enum class ControlAlgorithm { HmacMd5, HmacSha1, HmacSha224, HmacSha256, HmacSha384, HmacSha512 };

// "hmac-sha256" (any case, trailing dot allowed; "hmac-md5.sig-alg.reg.int" too).
tl::expected<ControlAlgorithm, std::string> parse_control_algorithm(std::string_view text);
std::string_view to_string(ControlAlgorithm a);  // "hmac-sha256"

// A key of named's `controls` statement (rndc-confgen -a writes one to rndc.key).
struct ControlKey {
  std::string name;  // for messages only: the wire carries no key name
  ControlAlgorithm algorithm = ControlAlgorithm::HmacSha256;
  std::vector<uint8_t> secret;

  static Result<ControlKey> from_base64(std::string_view name, std::string_view algorithm,
                                        std::string_view secret_base64);
  // A TSIG key used for the control channel as well (same secret and algorithm).
  static ControlKey from_tsig_key(const TsigKey& key);
  // BIND's `key "name" { algorithm hmac-sha256; secret "..."; };` (rndc.key).
  static Result<ControlKey> parse_bind_key(std::string_view text);
  static Result<ControlKey> load_bind_key_file(const std::string& path);
  // Every key statement of such a file, in order (a managed server's rndc.conf holds one per
  // accepted key, the one to sign with first); an error if there is none
  // (parse_bind_key_statements).
  static Result<std::vector<ControlKey>> parse_bind_keys(std::string_view text,
                                                         std::string_view what);
};

// named reads requests of at most this size (message without its length; controlconf.c) and
// closes the connection on a larger one; rndc reads answers of at most 1 MiB.
inline constexpr size_t kControlMaxRequest = 32 * 1024;
inline constexpr size_t kControlMaxAnswer = 1024 * 1024;

// A message's `_ctrl` and `_data` sections: octet strings, in wire order. named and rndc put
// nothing else there; nested values, which the format allows, are checked and skipped.
struct ControlMessage {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  Fields ctrl;  // _ser, _tim, _exp, _nonce; _rpl in answers
  Fields data;  // type; result, err, text in answers
};

// The value of `key`, if present.
const std::string* find_field(const ControlMessage::Fields& fields, std::string_view key);

// The signed frame (length included). Fails (InvalidArgument) on a key longer than 255
// octets or a message over kControlMaxRequest.
Result<std::vector<uint8_t>> encode_control_message(const ControlMessage& message,
                                                    const ControlKey& key);
// Parses one message (without its 4-octet length) and verifies its signature with `key`:
// ControlAuthFailed when it is unsigned, signed with another algorithm or does not verify;
// MalformedResponse when the layout does not add up (nested values are checked to a depth
// of 8), a key repeats in a section, or the version is not 1.
Result<ControlMessage> parse_control_message(std::span<const uint8_t> message,
                                             const ControlKey& key);

// One command, as rndc sends it.
struct ControlRequest {
  uint32_t serial = 0;            // _ser; the answer carries it back
  uint32_t now = 0;               // _tim, seconds since the epoch; _exp is now + 60, as rndc
  std::optional<uint32_t> nonce;  // _nonce: named's, from the answer to the connection's first
  std::string command;            // _data.type: the command line, e.g. "zonestatus example.test"
};
Result<std::vector<uint8_t>> encode_control_request(const ControlRequest& request,
                                                    const ControlKey& key);

// What named answered to a command (what rndc prints).
struct ControlAnswer {
  uint32_t result = 0;  // named's isc_result_t: 0 success, 18 already exists, 38 file not found…
  std::string text;     // _data.text: the command's output or named's explanation
  std::string err;      // _data.err: the result's name when it failed ("file not found")
  bool ok() const { return result == 0; }
};

struct ControlResponse {
  uint32_t serial = 0;            // the _ser of the request it answers
  std::optional<uint32_t> nonce;  // named's nonce for this connection (absent or 0: none)
  ControlAnswer answer;
};

// parse_control_message, then the answer's fields: it must be an answer (_rpl), with a decimal
// _ser, _nonce and result. A missing result (older servers send only `err`) counts as 0
// without `err` and as 25 (ISC_R_FAILURE) with it.
Result<ControlResponse> parse_control_response(std::span<const uint8_t> message,
                                               const ControlKey& key);

}  // namespace zk::dns
