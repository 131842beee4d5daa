// The control channel's wire format against what rndc and named 9.18 really sent (captured on
// loopback with the secret below): our requests are byte-identical to rndc's, named's answers
// verify and read back; every single-octet change, every truncation and random garbage is
// rejected. The exchange itself is proven against named in tests/integration.
#include "dns/control_message.h"

#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <random>

namespace zk::dns {
namespace {

constexpr const char* kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";
constexpr const char* kAddzone = "addzone x.test { type primary; file \"nofile.db\"; };";

ControlKey key(std::string_view alg = "hmac-sha256", std::string_view secret = kSecret) {
  return ControlKey::from_base64("k", alg, secret).value();
}

std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The message of a frame: without its 4-octet length.
std::span<const uint8_t> message_of(const std::vector<uint8_t>& frame) {
  return std::span<const uint8_t>(frame).subspan(4);
}

// rndc 9.18 (-k with an hmac-sha256 key): the second message of `rndc addzone x.test { type
// primary; file "nofile.db"; };`, carrying named's nonce, and named's answer to it.
const std::vector<uint8_t> kRndcSha256 = from_hex(
    "0000011700000001055f61757468020000006304687368610100000059a32f42745a6a5531724b4d6b4c3267"
    "6736794e426c49334375352b384436796b4f39477673656a6f4e4864303d0000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000055f6374726c0200000052045f73"
    "6572010000000a32383639383535323731045f74696d010000000a31373936353032393439045f6578700100"
    "00000a31373936353033303039065f6e6f6e6365010000000a31383836303638363634055f64617461020000"
    "003d047479706501000000336164647a6f6e6520782e74657374207b2074797065207072696d6172793b2066"
    "696c6520226e6f66696c652e6462223b207d3b");
const std::vector<uint8_t> kNamedSha256 = from_hex(
    "0000017800000001055f61757468020000006304687368610100000059a34e5675512f54676b5147425a727a"
    "594f52763539387871616b5646726b44636344505156636d7a644732673d0000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000055f6374726c020000005d045f73"
    "6572010000000a32383639383535323731045f74696d010000000a31373936353032393439045f6578700100"
    "00000a31373936353033303039045f72706c010000000131065f6e6f6e6365010000000a3138383630363836"
    "3634055f646174610200000093047479706501000000336164647a6f6e6520782e74657374207b2074797065"
    "207072696d6172793b2066696c6520226e6f66696c652e6462223b207d3b06726573756c7401000000023338"
    "03657272010000000e66696c65206e6f7420666f756e6404746578740100000027646e735f7a6f6e655f6c6f"
    "61646e6577206661696c65643a2066696c65206e6f7420666f756e64");
// The same exchange with an hmac-md5 key (_auth.hmd5).
const std::vector<uint8_t> kRndcMd5 = from_hex(
    "000000d300000001055f61757468020000002004686d643501000000166e653152736531724539653548707a"
    "31686379627767055f6374726c0200000051045f7365720100000009313233373337303433045f74696d0100"
    "00000a31373936353032393439045f657870010000000a31373936353033303039065f6e6f6e636501000000"
    "0a31373232373430303730055f64617461020000003d047479706501000000336164647a6f6e6520782e7465"
    "7374207b2074797065207072696d6172793b2066696c6520226e6f66696c652e6462223b207d3b");
const std::vector<uint8_t> kNamedMd5 = from_hex(
    "0000013400000001055f61757468020000002004686d64350100000016466845767663356a7949616f4c482b"
    "74516252714c41055f6374726c020000005c045f7365720100000009313233373337303433045f74696d0100"
    "00000a31373936353032393439045f657870010000000a31373936353033303039045f72706c010000000131"
    "065f6e6f6e6365010000000a31373232373430303730055f6461746102000000930474797065010000003361"
    "64647a6f6e6520782e74657374207b2074797065207072696d6172793b2066696c6520226e6f66696c652e64"
    "62223b207d3b06726573756c740100000002333803657272010000000e66696c65206e6f7420666f756e6404"
    "746578740100000027646e735f7a6f6e655f6c6f61646e6577206661696c65643a2066696c65206e6f742066"
    "6f756e64");

// An answer as named builds one (controlconf.c), signed with `k`.
std::vector<uint8_t> answer(const ControlKey& k, uint32_t serial, std::string result,
                            std::string text, std::string err = "") {
  ControlMessage m;
  m.ctrl = {{"_ser", std::to_string(serial)},
            {"_tim", "1796502949"},
            {"_exp", "1796503009"},
            {"_rpl", "1"},
            {"_nonce", "4242"}};
  m.data = {{"type", "status"}, {"result", std::move(result)}};
  if (!err.empty()) m.data.emplace_back("err", std::move(err));
  if (!text.empty()) m.data.emplace_back("text", std::move(text));
  return encode_control_message(m, k).value();
}

TEST(ControlMessage, RequestIsByteIdenticalToRndcs) {
  ControlRequest sha{2869855271u, 1796502949u, 1886068664u, kAddzone};
  auto wire = encode_control_request(sha, key());
  ASSERT_TRUE(wire) << wire.error().to_string();
  EXPECT_EQ(*wire, kRndcSha256);

  ControlRequest md5{123737043u, 1796502949u, 1722740070u, kAddzone};
  wire = encode_control_request(md5, key("hmac-md5"));
  ASSERT_TRUE(wire) << wire.error().to_string();
  EXPECT_EQ(*wire, kRndcMd5);
}

TEST(ControlMessage, NamedsAnswerVerifiesAndReads) {
  for (const auto& [alg, frame, serial, nonce] :
       {std::tuple{"hmac-sha256", &kNamedSha256, 2869855271u, 1886068664u},
        std::tuple{"hmac-md5", &kNamedMd5, 123737043u, 1722740070u}}) {
    SCOPED_TRACE(alg);
    auto r = parse_control_response(message_of(*frame), key(alg));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->serial, serial);
    EXPECT_EQ(r->nonce, nonce);
    EXPECT_EQ(r->answer.result, 38u);  // ISC_R_FILENOTFOUND
    EXPECT_FALSE(r->answer.ok());
    EXPECT_EQ(r->answer.err, "file not found");
    EXPECT_EQ(r->answer.text, "dns_zone_loadnew failed: file not found");
  }
}

TEST(ControlMessage, RoundTripWithEveryAlgorithm) {
  for (auto alg :
       {"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"}) {
    SCOPED_TRACE(alg);
    const auto k = key(alg);
    ControlRequest req{7, 1700000000, std::nullopt, "zonestatus example.test"};
    auto wire = encode_control_request(req, k);
    ASSERT_TRUE(wire) << wire.error().to_string();
    auto m = parse_control_message(message_of(*wire), k);
    ASSERT_TRUE(m) << m.error().to_string();
    ControlMessage::Fields ctrl = {{"_ser", "7"}, {"_tim", "1700000000"}, {"_exp", "1700000060"}};
    EXPECT_EQ(m->ctrl, ctrl);  // no _nonce without one
    ControlMessage::Fields data = {{"type", "zonestatus example.test"}};
    EXPECT_EQ(m->data, data);

    auto a = answer(k, 7, "0", "name: example.test\ntype: primary");
    auto r = parse_control_response(message_of(a), k);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->serial, 7u);
    EXPECT_EQ(r->nonce, 4242u);
    EXPECT_TRUE(r->answer.ok());
    EXPECT_EQ(r->answer.text, "name: example.test\ntype: primary");
    EXPECT_EQ(r->answer.err, "");
  }
}

TEST(ControlMessage, EveryChangedOctetIsRejected) {
  for (const auto* frame : {&kNamedSha256, &kNamedMd5}) {
    const auto k = frame == &kNamedMd5 ? key("hmac-md5") : key();
    auto message = std::vector<uint8_t>(frame->begin() + 4, frame->end());
    ASSERT_TRUE(parse_control_response(message, k));
    for (size_t i = 0; i < message.size(); ++i) {
      auto changed = message;
      changed[i] ^= 0x01;
      auto r = parse_control_response(changed, k);
      EXPECT_FALSE(r) << "octet " << i << " changed and still accepted";
    }
  }
  // A change inside the signed text keeps the layout: the signature is what catches it.
  auto message = std::vector<uint8_t>(kNamedSha256.begin() + 4, kNamedSha256.end());
  message[message.size() - 3] ^= 0x20;  // "found" → "foUnd"
  auto r = parse_control_response(message, key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::ControlAuthFailed) << r.error().to_string();
}

TEST(ControlMessage, WrongKeyWrongAlgorithmAndUnsignedAreAuthFailures) {
  auto wrong = parse_control_response(message_of(kNamedSha256),
                                      key("hmac-sha256", "d3JvbmctZDNKdmJtY3RkM0p2Ym1jdGQzSnZi"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::ControlAuthFailed);
  EXPECT_EQ(wrong.error().reason(), "ControlAuthFailed");
  EXPECT_EQ(wrong.error().message.find(kSecret), std::string::npos);

  // An answer signed with hmac-sha256 checked with a hmac-sha512 key of the same secret: the
  // algorithm octet differs.
  auto other_sha = parse_control_response(message_of(kNamedSha256), key("hmac-sha512"));
  ASSERT_FALSE(other_sha);
  EXPECT_EQ(other_sha.error().code, ErrorCode::ControlAuthFailed);
  auto md5_for_sha = parse_control_response(message_of(kNamedSha256), key("hmac-md5"));
  ASSERT_FALSE(md5_for_sha);
  EXPECT_EQ(md5_for_sha.error().code, ErrorCode::ControlAuthFailed);
  EXPECT_NE(md5_for_sha.error().message.find("hmd5"), std::string::npos);

  // The same answer without _auth (the signed part is the rest of the message).
  std::vector<uint8_t> unsigned_message = {0, 0, 0, 1};
  const size_t auth_entry = 1 + 5 + 5 + 99;
  unsigned_message.insert(unsigned_message.end(), kNamedSha256.begin() + 8 + auth_entry,
                          kNamedSha256.end());
  auto u = parse_control_response(unsigned_message, key());
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, ErrorCode::ControlAuthFailed) << u.error().to_string();
}

TEST(ControlMessage, OurOwnRequestReflectedIsNotAnAnswer) {
  // Requests and answers are signed with the same key: only _rpl tells them apart.
  auto r = parse_control_response(message_of(kRndcSha256), key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::MalformedResponse) << r.error().to_string();
  EXPECT_TRUE(parse_control_message(message_of(kRndcSha256), key()));
}

TEST(ControlMessage, TruncationsAndGarbageAreRejectedWithoutCrash) {
  const auto message = std::vector<uint8_t>(kNamedSha256.begin() + 4, kNamedSha256.end());
  for (size_t n = 0; n < message.size(); ++n) {
    auto r = parse_control_response(std::span<const uint8_t>(message.data(), n), key());
    EXPECT_FALSE(r) << "prefix of " << n << " octets accepted";
  }
  std::mt19937 random(20261205);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> garbage(random() % 600);
    for (auto& b : garbage) b = static_cast<uint8_t>(random());
    if (garbage.size() >= 4 && i % 2 == 0) garbage[0] = garbage[1] = garbage[2] = 0, garbage[3] = 1;
    EXPECT_FALSE(parse_control_response(garbage, key()));
  }
  // A length that points past the end.
  std::vector<uint8_t> huge = {0, 0, 0, 1, 5, '_', 'a', 'u', 't', 'h', 2, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(parse_control_response(huge, key()).error().code, ErrorCode::MalformedResponse);
}

// `entries` (table octets after _auth) signed with hmac-sha256 directly through OpenSSL, as
// cc.c does it: base64 of the HMAC, zero-padded to 88, after the algorithm octet 163.
std::vector<uint8_t> signed_by_hand(const std::vector<uint8_t>& entries) {
  const auto k = key();
  uint8_t mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  EXPECT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, k.secret.data(), k.secret.size(),
                      entries.data(), entries.size(), mac, sizeof mac, &mac_len),
            nullptr);
  uint8_t b64[89] = {};
  EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  const uint8_t head[] = {0, 0,  0, 1,   5,   '_', 'a', 'u', 't', 'h', 2, 0,  0,
                          0, 99, 4, 'h', 's', 'h', 'a', 1,   0,   0,   0, 89, 163};
  std::vector<uint8_t> m(sizeof head + 88 + entries.size());
  auto at = std::copy(std::begin(head), std::end(head), m.begin());
  at = std::copy(b64, b64 + 88, at);
  std::copy(entries.begin(), entries.end(), at);
  return m;
}

void put32(std::vector<uint8_t>& w, size_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) w.push_back(static_cast<uint8_t>(v >> shift));
}

// An entry `key` whose value is a table nested `levels` deep: {x: {x: ... {} ...}}.
std::vector<uint8_t> nested(std::string_view key, size_t levels) {
  constexpr size_t kLevel = 1 + 1 + 5;  // keylen 'x' type length
  std::vector<uint8_t> e;
  e.reserve(1 + key.size() + 5 + kLevel * levels);
  e.push_back(static_cast<uint8_t>(key.size()));
  e.insert(e.end(), key.begin(), key.end());
  e.push_back(2);
  put32(e, kLevel * levels);
  for (size_t i = 1; i <= levels; ++i) {
    e.push_back(1);
    e.push_back('x');
    e.push_back(2);
    put32(e, kLevel * (levels - i));
  }
  return e;
}

TEST(ControlMessage, NestedValuesAreCheckedToADepthAndSkipped) {
  // The sections of a real answer (after its _auth entry), plus one more entry.
  const size_t auth_entry = 1 + 5 + 5 + 99;
  const std::vector<uint8_t> sections(kNamedSha256.begin() + 8 + auth_entry, kNamedSha256.end());
  ASSERT_TRUE(parse_control_response(signed_by_hand(sections), key()));

  auto shallow = sections;
  auto extra = nested("_extra", 5);
  shallow.insert(shallow.end(), extra.begin(), extra.end());
  auto r = parse_control_response(signed_by_hand(shallow), key());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->answer.err, "file not found");

  auto deep = sections;
  extra = nested("_extra", 100000);  // a stack's worth of recursion if it were followed
  deep.insert(deep.end(), extra.begin(), extra.end());
  r = parse_control_response(signed_by_hand(deep), key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::MalformedResponse) << r.error().to_string();
}

TEST(ControlMessage, MalformedNumbersAndRepeatedKeysAreRejected) {
  const auto k = key();
  auto bad_result = answer(k, 1, "thirty-eight", "");
  EXPECT_EQ(parse_control_response(message_of(bad_result), k).error().code,
            ErrorCode::MalformedResponse);
  ControlMessage twice;
  twice.ctrl = {{"_ser", "1"}, {"_rpl", "1"}, {"_ser", "2"}};
  twice.data = {{"result", "0"}};
  auto wire = encode_control_message(twice, k).value();
  EXPECT_EQ(parse_control_response(message_of(wire), k).error().code, ErrorCode::MalformedResponse);
  // No result but an err: a failure all the same.
  ControlMessage old_server;
  old_server.ctrl = {{"_ser", "1"}, {"_rpl", "1"}};
  old_server.data = {{"err", "not found"}};
  wire = encode_control_message(old_server, k).value();
  auto r = parse_control_response(message_of(wire), k);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->answer.ok());
}

TEST(ControlMessage, CommandsNamedWouldRefuseAreNotEncoded) {
  ControlRequest big{1, 1700000000, 5, "addzone x.test { " + std::string(40000, ' ') + "};"};
  auto r = encode_control_request(big, key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("32768"), std::string::npos) << r.error().message;
}

TEST(ControlKey, ReadsRndcKeyFilesAndTsigKeys) {
  auto md5 = ControlKey::parse_bind_key(
      "key \"rndc-key\" {\n\talgorithm hmac-md5;\n\tsecret "
      "\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\";\n};\n");
  ASSERT_TRUE(md5) << md5.error().to_string();
  EXPECT_EQ(md5->name, "rndc-key");
  EXPECT_EQ(md5->algorithm, ControlAlgorithm::HmacMd5);
  EXPECT_EQ(md5->secret, key().secret);

  auto tsig = TsigKey::from_base64("zk-key", "hmac-sha384", kSecret).value();
  auto from_tsig = ControlKey::from_tsig_key(tsig);
  EXPECT_EQ(from_tsig.algorithm, ControlAlgorithm::HmacSha384);
  EXPECT_EQ(from_tsig.secret, tsig.secret);

  EXPECT_EQ(parse_control_algorithm("HMAC-MD5.SIG-ALG.REG.INT."), ControlAlgorithm::HmacMd5);
  auto bad_alg = ControlKey::from_base64("k", "hmac-sha3", kSecret);
  ASSERT_FALSE(bad_alg);
  EXPECT_EQ(bad_alg.error().code, ErrorCode::InvalidArgument);
  auto bad_secret = ControlKey::from_base64("k", "hmac-sha256", "not base64!");
  ASSERT_FALSE(bad_secret);
  EXPECT_EQ(bad_secret.error().message.find("not base64!"), std::string::npos);
  auto no_secret = ControlKey::parse_bind_key("key \"k\" { algorithm hmac-sha256; };");
  ASSERT_FALSE(no_secret);
  EXPECT_NE(no_secret.error().message.find("control key file: no secret"), std::string::npos);
}

TEST(ControlKey, ReadsEveryKeyOfAFileInOrder) {
  auto keys = ControlKey::parse_bind_keys(
      "key \"rndc-key-1\" { algorithm hmac-sha256; secret "
      "\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\"; };\n"
      "key \"rndc-key\" { algorithm hmac-sha384; secret "
      "\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\"; };\n",
      "rndc.conf");
  ASSERT_TRUE(keys) << keys.error().to_string();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].name, "rndc-key-1");
  EXPECT_EQ((*keys)[1].name, "rndc-key");
  EXPECT_EQ((*keys)[1].algorithm, ControlAlgorithm::HmacSha384);
  EXPECT_EQ((*keys)[0].secret, key().secret);

  auto none = ControlKey::parse_bind_keys("# nothing here\n", "rndc.conf");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::InvalidArgument);
  EXPECT_TRUE(none.error().message.starts_with("rndc.conf: ")) << none.error().message;
  auto bad = ControlKey::parse_bind_keys(
      "key \"k\" { algorithm hmac-sha3; secret \"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=\"; "
      "};",
      "rndc.conf");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(bad.error().message.find("c2VjcmV0"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace zk::dns
