// Fuzzes everything that reads a DNS server's response: the ldns-backed message parser, the
// TSIG record finder/verifier (our own RFC 8945 code) and every RDATA wire parser.
#include <cstdint>
#include <span>

#include "dns/message.h"
#include "dns/tsig.h"
#include "model/rdata.h"

namespace {

const zk::dns::TsigKey& key() {
  static const auto k = zk::dns::TsigKey::from_base64(
                            "zk-key", "hmac-sha256", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=")
                            .value();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> wire(data, size);
  auto m = zk::dns::parse_message(wire);
  if (m) {
    for (const auto* section : {&m->answer, &m->authority}) {
      for (const auto& r : *section) {
        auto rd = zk::model::Rdata::from_wire(static_cast<zk::model::RRType>(r.type), r.rdata);
        if (rd) (void)rd->to_text();
      }
    }
  }
  (void)zk::dns::find_tsig_rr(wire);
  // A verifier that signed a request and now sees this as its first, then second response.
  zk::dns::TsigSession session(key());
  std::vector<uint8_t> request = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  session.sign(request, 1700000000);
  (void)session.verify(wire, 1700000000);
  (void)session.verify(wire, 1700000000);
  // Every RDATA parser on the raw bytes.
  for (uint16_t t : {1, 2, 5, 6, 12, 15, 16, 28, 33, 257}) {
    auto rd = zk::model::Rdata::from_wire(static_cast<zk::model::RRType>(t), wire);
    if (rd) (void)rd->to_text();
  }
  return 0;
}
