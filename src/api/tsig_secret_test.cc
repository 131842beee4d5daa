#include "api/tsig_secret.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::api {
namespace {

std::string b64(std::string_view raw) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    uint32_t n = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8) | uint8_t(raw[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(n >> s) & 63];
  }
  if (raw.size() - i == 1) {
    uint32_t n = uint8_t(raw[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (raw.size() - i == 2) {
    uint32_t n = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8);
    for (int s : {18, 12, 6}) out += kAlphabet[(n >> s) & 63];
    out += "=";
  }
  return out;
}

// A tsig-keygen secret (base64 of 32 random octets).
constexpr std::string_view kSecret = "2vgKc6QRz0PIEf0MwJqg6gn0kl2EvmnqNsGNrSoi6vE=";

boost::json::value secret_with(std::string_view name, std::string_view alg,
                               std::string_view secret) {
  boost::json::object data;
  data["name"] = b64(name);
  data["algorithm"] = b64(alg);
  data["secret"] = b64(secret);
  boost::json::object o;
  o["apiVersion"] = "v1";
  o["kind"] = "Secret";
  o["metadata"] = boost::json::parse(R"({"name":"tsig","namespace":"dns"})");
  o["data"] = std::move(data);
  return o;
}

TEST(DecodeTsigSecret, DecodesDataValues) {
  auto k = decode_tsig_secret(secret_with("zonekeeper", "HMAC-SHA256.", kSecret));
  ASSERT_TRUE(k) << k.error();
  EXPECT_EQ(k->name, "zonekeeper.");
  EXPECT_EQ(k->algorithm, "hmac-sha256");
  EXPECT_EQ(k->secret, kSecret);
}

TEST(DecodeTsigSecret, TrimsTrailingNewlines) {
  // `kubectl create secret --from-file` keeps the file's final newline.
  auto k = decode_tsig_secret(
      secret_with("zonekeeper.\n", "hmac-sha512\n", std::string(kSecret) + "\n"));
  ASSERT_TRUE(k) << k.error();
  EXPECT_EQ(k->name, "zonekeeper.");
  EXPECT_EQ(k->algorithm, "hmac-sha512");
  EXPECT_EQ(k->secret, kSecret);
}

TEST(DecodeTsigSecret, StringDataWinsOverData) {
  auto v = secret_with("old", "hmac-sha1", kSecret);
  v.as_object()["stringData"] =
      boost::json::parse(R"({"name":"new-key","algorithm":"hmac-sha384"})");
  auto k = decode_tsig_secret(v);
  ASSERT_TRUE(k) << k.error();
  EXPECT_EQ(k->name, "new-key.");
  EXPECT_EQ(k->algorithm, "hmac-sha384");
}

TEST(DecodeTsigSecret, ErrorsNeverContainTheSecret) {
  const std::string almost = "c2VjcmV0LXZhbHVl!";  // base64 text with a bad character
  struct Case {
    boost::json::value secret;
    std::string error;
  };
  auto missing = secret_with("k", "hmac-sha256", kSecret);
  missing.as_object()["data"].as_object().erase("secret");
  auto not_b64 = secret_with("k", "hmac-sha256", kSecret);
  not_b64.as_object()["data"].as_object()["secret"] = "!!" + std::string(kSecret);
  std::vector<Case> cases;
  cases.push_back({missing, "data.secret: missing"});
  cases.push_back({not_b64, "data.secret: not base64"});
  cases.push_back(
      {secret_with("k", "hmac-sha256", almost), "secret: the TSIG secret is not base64"});
  cases.push_back({secret_with("k", "hmac-sha256", ""), "secret: the TSIG secret is empty"});
  cases.push_back(
      {secret_with("k", "hmac-md5", kSecret), "algorithm: \"hmac-md5\" is not one of hmac-sha1"});
  cases.push_back({secret_with("", "hmac-sha256", kSecret), "name: the TSIG key name is empty"});
  cases.push_back({secret_with("a..b", "hmac-sha256", kSecret), "name: \"a..b.\" is not a valid"});
  cases.push_back({boost::json::parse(R"({"data":{"name":1}})"), "data.name: must be a base64"});
  cases.push_back({boost::json::parse(R"({"kind":"Secret"})"), "data.name: missing"});
  for (const auto& c : cases) {
    auto k = decode_tsig_secret(c.secret);
    ASSERT_FALSE(k) << c.error;
    EXPECT_EQ(k.error().find(c.error), 0u) << k.error();
    EXPECT_EQ(k.error().find(kSecret), std::string::npos) << k.error();
    EXPECT_EQ(k.error().find(b64(kSecret)), std::string::npos) << k.error();
    EXPECT_EQ(k.error().find("c2VjcmV0"), std::string::npos) << k.error();
  }
}

}  // namespace
}  // namespace zk::api
