// Fuzzes the control channel's answer parser (what named sends rndc, dns/control_message.h):
// the input as a whole message, checked with an hmac-sha256 and an hmac-md5 key, and the input
// as the signed part of a message that carries its valid signature — so mutations also reach
// what lies behind the signature check (sections, nested values, numbers).
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "dns/control_message.h"

namespace {

using zk::dns::ControlKey;

constexpr const char* kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";

const ControlKey& sha256_key() {
  static const auto k = ControlKey::from_base64("k", "hmac-sha256", kSecret).value();
  return k;
}

const ControlKey& md5_key() {
  static const auto k = ControlKey::from_base64("k", "hmac-md5", kSecret).value();
  return k;
}

// version 1, _auth { hsha: 163 (hmac-sha256) + base64 of the HMAC zero-padded to 88 }, then
// `signed_part` — signed the way lib/isccc/cc.c does it, independently of the code under test.
std::vector<uint8_t> signed_message(std::span<const uint8_t> signed_part) {
  const auto& k = sha256_key();
  uint8_t mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, k.secret.data(), k.secret.size(),
            signed_part.data(), signed_part.size(), mac, sizeof mac, &mac_len);
  uint8_t b64[89] = {};
  EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  const uint8_t head[] = {0, 0,  0, 1,   5,   '_', 'a', 'u', 't', 'h', 2, 0,  0,
                          0, 99, 4, 'h', 's', 'h', 'a', 1,   0,   0,   0, 89, 163};
  std::vector<uint8_t> m(sizeof head + 88 + signed_part.size());
  auto at = std::copy(std::begin(head), std::end(head), m.begin());
  at = std::copy(b64, b64 + 88, at);
  std::copy(signed_part.begin(), signed_part.end(), at);
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  (void)zk::dns::parse_control_response(input, sha256_key());
  (void)zk::dns::parse_control_response(input, md5_key());
  auto resigned = signed_message(input);
  auto r = zk::dns::parse_control_response(resigned, sha256_key());
  if (r) (void)r->answer.ok();
  (void)zk::dns::parse_control_message(resigned, sha256_key());
  return 0;
}
