// TSIG is checked against ldns' independent implementation (hmac-sha256) in both directions,
// and against real BIND 9 in tests/integration.
#include "dns/tsig.h"

#include <ldns/ldns.h>
#include <stdbool.h>

#include <gtest/gtest.h>

#include <ctime>

#include "dns/message.h"

namespace zk::dns {
namespace {

constexpr const char* kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";
const model::Name kZone = model::Name::parse("example.test.").value();

TsigKey key(std::string_view alg = "hmac-sha256", std::string_view secret = kSecret) {
  return TsigKey::from_base64("zk-key", alg, secret).value();
}

std::vector<uint8_t> query() {
  MessageWriter w(0x1234, Opcode::Query);
  w.question(kZone, kTypeSOA);
  return w.finish();
}

uint64_t now() {
  return static_cast<uint64_t>(std::time(nullptr));
}

TEST(Tsig, SignedRequestVerifiesWithLdns) {
  // ldns implements neither hmac-sha224 nor (by a typo) hmac-sha384: those two are proven
  // against BIND 9 in tests/integration.
  for (auto alg : {"hmac-sha1", "hmac-sha256", "hmac-sha512"}) {
    auto k = key(alg);
    TsigSession s(k);
    auto wire = query();
    s.sign(wire, now());
    ASSERT_TRUE(find_tsig_rr(wire)) << alg;
    ldns_pkt* pkt = nullptr;
    ASSERT_EQ(ldns_wire2pkt(&pkt, wire.data(), wire.size()), LDNS_STATUS_OK);
    EXPECT_TRUE(ldns_pkt_tsig_verify(pkt, wire.data(), wire.size(), "zk-key.", kSecret, nullptr))
        << alg;
    ldns_pkt_free(pkt);
  }
}

// Signs `response` as a server would (ldns), chained to the request MAC.
std::vector<uint8_t> ldns_signed_response(const std::vector<uint8_t>& request,
                                          const std::vector<uint8_t>& response_unsigned) {
  ldns_pkt* req = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&req, request.data(), request.size()), LDNS_STATUS_OK);
  const ldns_rr* tsig = ldns_pkt_tsig(req);
  EXPECT_NE(tsig, nullptr);
  const ldns_rdf* mac = ldns_rr_rdf(tsig, 3);
  ldns_pkt* resp = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&resp, response_unsigned.data(), response_unsigned.size()),
            LDNS_STATUS_OK);
  EXPECT_EQ(ldns_pkt_tsig_sign(resp, "zk-key.", kSecret, 300, "hmac-sha256.", mac), LDNS_STATUS_OK);
  uint8_t* out = nullptr;
  size_t out_size = 0;
  EXPECT_EQ(ldns_pkt2wire(&out, resp, &out_size), LDNS_STATUS_OK);
  std::vector<uint8_t> v(out, out + out_size);
  free(out);
  ldns_pkt_free(req);
  ldns_pkt_free(resp);
  return v;
}

std::vector<uint8_t> response_to(const std::vector<uint8_t>& request) {
  uint16_t id = static_cast<uint16_t>(request[0] << 8 | request[1]);
  MessageWriter w(id, Opcode::Query, true);
  w.question(kZone, kTypeSOA);
  auto soa = model::Rdata::soa(kZone, kZone, 7, 1, 2, 3, 4);
  w.rr(Section::Answer, kZone, kTypeSOA, kClassIN, 60, soa.wire());
  auto wire = w.finish();
  wire[2] |= 0x80;  // QR
  return wire;
}

TEST(Tsig, VerifiesResponseSignedByLdns) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto resp = ldns_signed_response(req, response_to(req));
  auto ok = s.verify(resp, now());
  EXPECT_TRUE(ok) << ok.error().to_string();
}

TEST(Tsig, TamperedResponseIsBadSig) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto resp = ldns_signed_response(req, response_to(req));
  resp[*find_tsig_rr(resp) - 1] ^= 0x01;  // flip a bit of the SOA's minimum, just before TSIG
  auto r = s.verify(resp, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadSig);
}

TEST(Tsig, WrongSecretIsBadSig) {
  auto k = key("hmac-sha256", "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlcg==");
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  // The server (ldns) signs with its own secret, chained to our request MAC.
  auto resp = ldns_signed_response(req, response_to(req));
  auto r = s.verify(resp, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadSig);
}

TEST(Tsig, OutsideFudgeIsBadTime) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto resp = ldns_signed_response(req, response_to(req));
  auto r = s.verify(resp, now() + 3600);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadTime);
  EXPECT_EQ(r.error().reason(), "BadTime");
}

TEST(Tsig, UnsignedFirstResponseIsAnError) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto r = s.verify(response_to(req), now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Unsigned);
}

// A FORMERR without TSIG (the server could not parse the request) says FORMERR, not "unsigned".
TEST(Tsig, UnsignedFormErrIsReportedAsFormErr) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto resp = response_to(req);
  resp[3] = static_cast<uint8_t>((resp[3] & 0xf0) | 1);
  auto r = s.verify(resp, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::FormErr);
  EXPECT_NE(r.error().message.find("FORMERR"), std::string::npos);
}

// A zone transfer's later messages (RFC 8945 §5.3.1): each signed one is chained to the MAC
// of the previous signed message and covers only the TSIG timers, not the whole TSIG RR.
// ldns_signed_next: a server's next message, signed by ldns in that form.
std::vector<uint8_t> ldns_signed_next(const std::vector<uint8_t>& prior_signed,
                                      const std::vector<uint8_t>& message_unsigned) {
  ldns_pkt* prior = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&prior, prior_signed.data(), prior_signed.size()), LDNS_STATUS_OK);
  const ldns_rdf* mac = ldns_rr_rdf(ldns_pkt_tsig(prior), 3);
  ldns_pkt* next = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&next, message_unsigned.data(), message_unsigned.size()), LDNS_STATUS_OK);
  EXPECT_EQ(ldns_pkt_tsig_sign_next(next, "zk-key.", kSecret, 300, "hmac-sha256.", mac, 1),
            LDNS_STATUS_OK);
  uint8_t* out = nullptr;
  size_t out_size = 0;
  EXPECT_EQ(ldns_pkt2wire(&out, next, &out_size), LDNS_STATUS_OK);
  std::vector<uint8_t> v(out, out + out_size);
  free(out);
  ldns_pkt_free(prior);
  ldns_pkt_free(next);
  return v;
}

TEST(Tsig, ASignedLaterMessageOfATransferVerifies) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto first = ldns_signed_response(req, response_to(req));
  ASSERT_TRUE(s.verify(first, now()));
  auto second = ldns_signed_next(first, response_to(req));
  auto r = s.verify(second, now());
  EXPECT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(s.finish());
}

TEST(Tsig, ATamperedLaterMessageIsBadSig) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto first = ldns_signed_response(req, response_to(req));
  ASSERT_TRUE(s.verify(first, now()));
  auto second = ldns_signed_next(first, response_to(req));
  second[*find_tsig_rr(second) - 1] ^= 0x01;  // the SOA's minimum, after signing
  auto r = s.verify(second, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadSig);
}

TEST(Tsig, ATransferEndingOnUnsignedMessagesIsRefused) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  auto first = ldns_signed_response(req, response_to(req));
  ASSERT_TRUE(s.verify(first, now()));
  // An unsigned message in between is accepted for now (it is folded into the next signed
  // one's digest)...
  ASSERT_TRUE(s.verify(response_to(req), now()));
  // ...but the transfer may not end on it: its data was never authenticated.
  auto end = s.finish();
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, ErrorCode::Unsigned);
}

TEST(Tsig, MoreThan99UnsignedMessagesInARowAreRefused) {
  auto k = key();
  TsigSession s(k);
  auto req = query();
  s.sign(req, now());
  ASSERT_TRUE(s.verify(ldns_signed_response(req, response_to(req)), now()));
  auto unsigned_message = response_to(req);
  for (int i = 1; i <= 99; ++i) ASSERT_TRUE(s.verify(unsigned_message, now())) << i;
  auto r = s.verify(unsigned_message, now());  // the 100th in a row
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Unsigned);
}

TEST(Tsig, ParsesBindKeyFiles) {
  auto k = TsigKey::parse_bind_key(
      "# made by tsig-keygen\nkey \"zk-key\" {\n\talgorithm hmac-sha384;\n\tsecret \"" +
      std::string(kSecret) + "\";\n};\n");
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->name.to_string(), "zk-key.");
  EXPECT_EQ(k->algorithm, TsigAlgorithm::HmacSha384);
  EXPECT_EQ(k->secret.size(), 32u);
  auto bad = TsigKey::parse_bind_key("key \"x\" { algorithm hmac-md5; secret \"AAAA\"; };");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unsupported TSIG algorithm"), std::string::npos);
  auto nosecret = TsigKey::parse_bind_key("key \"x\" { algorithm hmac-sha256; };");
  ASSERT_FALSE(nosecret);
  EXPECT_NE(nosecret.error().message.find("no secret"), std::string::npos);
  auto garbage = TsigKey::parse_bind_key("hello");
  EXPECT_FALSE(garbage);
  // A file of several keys (a managed server's during a rotation): each, in order; what follows
  // them (rndc-confgen's options) is not read. A broken second key is an error.
  auto two = parse_bind_key_statements(
      "key \"a\" { algorithm hmac-sha256; secret \"QQ==\"; };\n"
      "key \"b\" {\n algorithm hmac-sha512;\n secret \"Qg==\";\n};\noptions { default-key \"a\"; "
      "};",
      "f");
  ASSERT_TRUE(two) << two.error().message;
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].name, "a");
  EXPECT_EQ((*two)[1].name, "b");
  EXPECT_EQ((*two)[1].algorithm, "hmac-sha512");
  EXPECT_EQ((*two)[1].secret, "Qg==");
  auto broken = parse_bind_key_statements(
      "key \"a\" { algorithm hmac-sha256; secret \"QQ==\"; };\nkey \"b\" { algorithm hmac-sha256; "
      "};",
      "f");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message, "f: no secret");
  auto badb64 = TsigKey::from_base64("k", "hmac-sha256", "not base64!");
  ASSERT_FALSE(badb64);
  EXPECT_EQ(badb64.error().message.find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace zk::dns
