#include "api/api_credentials.h"

#include <cctype>

#include "api/secret_data.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

namespace {

std::string trimmed(std::string s) {
  auto ws = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && ws(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && ws(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool printable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x21 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

Parsed<ApiCredentials> decode_api_credentials(const boost::json::value& secret) {
  if (!secret.is_object()) return invalid("the Secret is not a JSON object");
  ApiCredentials out;
  if (has_secret_key(secret, "token")) {
    auto t = secret_value(secret, "token");
    if (!t) return tl::unexpected(t.error());
    out.token = trimmed(std::move(*t));
    if (out.token.empty()) return invalid("token: empty");
    if (!printable(out.token)) return invalid("token: holds spaces or control characters");
    return out;
  }
  if (!has_secret_key(secret, "username")) {
    return invalid("neither `token` nor `username` and `password` are set");
  }
  auto u = secret_value(secret, "username");
  if (!u) return tl::unexpected(u.error());
  auto p = secret_value(secret, "password");
  if (!p) return tl::unexpected(p.error());
  out.username = trimmed(std::move(*u));
  out.password = trimmed(std::move(*p));
  if (out.username.empty()) return invalid("username: empty");
  if (out.password.empty()) return invalid("password: empty");
  return out;
}

}  // namespace zk::api
