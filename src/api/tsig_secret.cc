#include "api/tsig_secret.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "api/json_fields.h"
#include "api/secret_data.h"
#include "model/ascii.h"
#include "model/base64.h"
#include "model/name.h"

namespace zk::api {

using model::decode_base64;
using model::invalid;
using model::Parsed;

namespace {

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
  std::string a = model::ascii_lower(trim(std::move(*alg)));
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
