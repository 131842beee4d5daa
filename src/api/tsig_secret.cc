#include "api/tsig_secret.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "model/name.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

Parsed<std::vector<uint8_t>> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) {
    return invalid(fmt::format("not base64: {} characters is not a multiple of 4", text.size()));
  }
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    std::array<int, 4> v{};
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad > 0) return invalid(fmt::format("not base64: '=' inside the text"));
      v[j] = value(c);
      if (v[j] < 0)
        return invalid(fmt::format("not base64: invalid character at offset {}", i + j));
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(n >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(n));
  }
  return out;
}

namespace {

// The value of one Secret key: stringData (plain) wins over data (base64).
Parsed<std::string> secret_value(const boost::json::value& secret, std::string_view key) {
  const auto* sd = json::member(json::member(&secret, "stringData"), key);
  if (sd) {
    if (!sd->is_string()) return invalid(fmt::format("stringData.{}: must be a string", key));
    return std::string(sd->as_string());
  }
  const auto* d = json::member(json::member(&secret, "data"), key);
  if (!d) return invalid(fmt::format("data.{}: missing", key));
  if (!d->is_string()) return invalid(fmt::format("data.{}: must be a base64 string", key));
  auto bytes = decode_base64(d->as_string());
  if (!bytes) return invalid(fmt::format("data.{}: {}", key, bytes.error()));
  return std::string(bytes->begin(), bytes->end());
}

std::string trim(std::string s) {
  auto ws = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && ws(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && ws(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace

Parsed<TsigSecret> decode_tsig_secret(const boost::json::value& object) {
  if (!object.is_object()) return invalid("the Secret is not a JSON object");
  TsigSecret out;
  auto name = secret_value(object, "name");
  if (!name) return tl::unexpected(name.error());
  out.name = trim(std::move(*name));
  if (out.name.empty()) return invalid("name: the TSIG key name is empty");
  if (out.name.back() != '.') out.name += '.';
  if (auto n = model::Name::parse(out.name); !n) {
    return invalid(fmt::format("name: \"{}\" is not a valid key name: {}", out.name, n.error()));
  }

  auto alg = secret_value(object, "algorithm");
  if (!alg) return tl::unexpected(alg.error());
  std::string a = trim(std::move(*alg));
  std::transform(a.begin(), a.end(), a.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!a.empty() && a.back() == '.') a.pop_back();
  static constexpr std::array<std::string_view, 5> kAlgorithms = {
      "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"};
  if (std::find(kAlgorithms.begin(), kAlgorithms.end(), a) == kAlgorithms.end()) {
    return invalid(fmt::format(
        "algorithm: \"{}\" is not one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, "
        "hmac-sha512",
        a.size() > 40 ? a.substr(0, 40) + "..." : a));
  }
  out.algorithm = std::move(a);

  auto secret = secret_value(object, "secret");
  if (!secret) return tl::unexpected(secret.error());
  out.secret = trim(std::move(*secret));
  if (out.secret.empty()) return invalid("secret: the TSIG secret is empty");
  auto raw = decode_base64(out.secret);
  if (!raw) return invalid("secret: the TSIG secret is " + raw.error());
  if (raw->empty()) return invalid("secret: the TSIG secret decodes to zero octets");
  return out;
}

}  // namespace zk::api
