#include "dns/control_message.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "model/ascii.h"
#include "model/base64.h"

namespace zk::dns {
namespace {

constexpr uint8_t kBinary = 1, kTable = 2, kList = 3;
constexpr int kMaxDepth = 8;
constexpr size_t kHmd5Length = 22;  // base64 of the 16-octet MD5 HMAC without its "=="
constexpr size_t kHshaLength = 88;  // base64 of a SHA-512 HMAC; shorter ones are zero-padded

struct AlgoInfo {
  ControlAlgorithm algo;
  std::string_view name;
  const char* digest;  // OpenSSL's name
  uint8_t number;      // ISCCC_ALG_*, the first octet of _auth.hsha (also DST's numbers)
};

constexpr AlgoInfo kAlgos[] = {
    {ControlAlgorithm::HmacMd5, "hmac-md5", "MD5", 157},
    {ControlAlgorithm::HmacSha1, "hmac-sha1", "SHA1", 161},
    {ControlAlgorithm::HmacSha224, "hmac-sha224", "SHA224", 162},
    {ControlAlgorithm::HmacSha256, "hmac-sha256", "SHA256", 163},
    {ControlAlgorithm::HmacSha384, "hmac-sha384", "SHA384", 164},
    {ControlAlgorithm::HmacSha512, "hmac-sha512", "SHA512", 165},
};

const AlgoInfo& info(ControlAlgorithm a) {
  for (const auto& i : kAlgos) {
    if (i.algo == a) return i;
  }
  return kAlgos[3];
}

// The value of _auth.hmd5 or _auth.hsha for `signed_part`, or nullopt when OpenSSL cannot
// compute the HMAC (hmac-md5 under a FIPS-only configuration).
std::optional<std::vector<uint8_t>> signature(const ControlKey& key,
                                              std::span<const uint8_t> signed_part) {
  const auto& alg = info(key.algorithm);
  uint8_t mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, alg.digest, nullptr, key.secret.data(), key.secret.size(),
                signed_part.data(), signed_part.size(), mac, sizeof mac, &mac_len) == nullptr) {
    return std::nullopt;
  }
  uint8_t b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  if (key.algorithm == ControlAlgorithm::HmacMd5) {
    return std::vector<uint8_t>(b64, b64 + kHmd5Length);
  }
  std::vector<uint8_t> out(1 + kHshaLength, 0);
  out[0] = alg.number;
  std::copy(b64, b64 + std::min<int>(n, kHshaLength), out.begin() + 1);
  return out;
}

std::string_view signature_field(ControlAlgorithm a) {
  return a == ControlAlgorithm::HmacMd5 ? "hmd5" : "hsha";
}

uint32_t rd32(std::span<const uint8_t> m, size_t p) {
  return static_cast<uint32_t>(m[p]) << 24 | static_cast<uint32_t>(m[p + 1]) << 16 |
         static_cast<uint32_t>(m[p + 2]) << 8 | m[p + 3];
}

void put32(std::vector<uint8_t>& w, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) w.push_back(static_cast<uint8_t>(v >> shift));
}

// keylen key type length — the value's octets follow.
void put_entry_header(std::vector<uint8_t>& w, std::string_view key, uint8_t type, size_t length) {
  w.push_back(static_cast<uint8_t>(key.size()));
  w.insert(w.end(), key.begin(), key.end());
  w.push_back(type);
  put32(w, static_cast<uint32_t>(length));
}

// A table entry whose value is a table of octet strings.
Result<void> put_fields(std::vector<uint8_t>& w, std::string_view key,
                        const ControlMessage::Fields& fields) {
  size_t length = 0;
  for (const auto& [k, v] : fields) {
    if (k.size() > 255) {
      return fail(
          ErrorCode::InvalidArgument,
          fmt::format("control message key \"{}…\" is longer than 255 octets", k.substr(0, 16)));
    }
    if (v.size() > kControlMaxRequest) {
      return fail(ErrorCode::InvalidArgument,
                  fmt::format("control message value of \"{}\" is larger than {} octets", k,
                              kControlMaxRequest));
    }
    length += 1 + k.size() + 5 + v.size();
  }
  put_entry_header(w, key, kTable, length);
  for (const auto& [k, v] : fields) {
    put_entry_header(w, k, kBinary, v.size());
    w.insert(w.end(), v.begin(), v.end());
  }
  return {};
}

struct Entry {
  std::string_view key;
  uint8_t type = 0;
  std::span<const uint8_t> value;
  size_t end = 0;  // offset after the entry in its table
};

// The entries of a table's octets; nullopt when they do not add up exactly.
std::optional<std::vector<Entry>> entries(std::span<const uint8_t> table) {
  std::vector<Entry> out;
  size_t p = 0;
  while (p < table.size()) {
    const size_t key_len = table[p++];
    if (table.size() - p < key_len + 5) return std::nullopt;
    Entry e;
    e.key = std::string_view(reinterpret_cast<const char*>(table.data() + p), key_len);
    p += key_len;
    e.type = table[p];
    const size_t len = rd32(table, p + 1);
    p += 5;
    if (table.size() - p < len) return std::nullopt;
    e.value = table.subspan(p, len);
    p += len;
    e.end = p;
    out.push_back(e);
  }
  return out;
}

// Checks a value's layout, nested tables and lists included, to kMaxDepth.
bool well_formed(uint8_t type, std::span<const uint8_t> value, int depth) {
  if (type == kBinary) return true;
  if (depth >= kMaxDepth) return false;
  if (type == kTable) {
    auto es = entries(value);
    if (!es) return false;
    return std::all_of(es->begin(), es->end(),
                       [&](const Entry& e) { return well_formed(e.type, e.value, depth + 1); });
  }
  if (type == kList) {
    for (size_t p = 0; p < value.size();) {
      if (value.size() - p < 5) return false;
      const uint8_t t = value[p];
      const size_t len = rd32(value, p + 1);
      p += 5;
      if (value.size() - p < len || !well_formed(t, value.subspan(p, len), depth + 1)) {
        return false;
      }
      p += len;
    }
    return true;
  }
  return false;  // type 0 ("string") is a syntax error to BIND's parser too
}

// The octet-string values of a section's table (nested ones skipped); nullopt on a repeated
// key.
std::optional<ControlMessage::Fields> fields_of(const Entry& section) {
  ControlMessage::Fields out;
  auto es = entries(section.value);
  if (!es) return std::nullopt;
  for (const auto& e : *es) {
    if (e.type != kBinary) continue;
    std::string key(e.key);
    if (find_field(out, key)) return std::nullopt;
    out.emplace_back(std::move(key), std::string(e.value.begin(), e.value.end()));
  }
  return out;
}

std::optional<uint32_t> decimal(const std::string& text) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

tl::expected<ControlAlgorithm, std::string> parse_control_algorithm(std::string_view text) {
  std::string s = model::ascii_lower(text);
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "hmac-md5.sig-alg.reg.int") return ControlAlgorithm::HmacMd5;
  for (const auto& i : kAlgos) {
    if (s == i.name) return i.algo;
  }
  return tl::unexpected(fmt::format(
      "unsupported control channel algorithm \"{}\" (use hmac-md5, hmac-sha1, hmac-sha224, "
      "hmac-sha256, hmac-sha384 or hmac-sha512)",
      text));
}

std::string_view to_string(ControlAlgorithm a) {
  return info(a).name;
}

Result<ControlKey> ControlKey::from_base64(std::string_view name, std::string_view algorithm,
                                           std::string_view secret_base64) {
  auto alg = parse_control_algorithm(algorithm);
  if (!alg) return fail(ErrorCode::InvalidArgument, alg.error());
  // Key files may wrap a long secret: whitespace inside it is not part of the base64.
  std::string compact;
  for (char c : secret_base64) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  auto secret = model::decode_base64(compact);
  if (!secret || secret->empty()) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("control key \"{}\": the secret is not valid base64", name));
  }
  return ControlKey{std::string(name), *alg, std::move(*secret)};
}

ControlKey ControlKey::from_tsig_key(const TsigKey& key) {
  // The TSIG algorithms are the control channel's SHA family, spelled alike.
  return ControlKey{key.name.to_string(), parse_control_algorithm(to_string(key.algorithm)).value(),
                    key.secret};
}

Result<ControlKey> ControlKey::parse_bind_key(std::string_view text) {
  auto statement = parse_bind_key_statement(text, "control key file");
  if (!statement) return tl::unexpected(statement.error());
  return from_base64(statement->name, statement->algorithm, statement->secret);
}

Result<ControlKey> ControlKey::load_bind_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return fail(ErrorCode::InvalidArgument, fmt::format("cannot read control key file {}", path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto k = parse_bind_key(ss.str());
  if (!k) k.error().message = path + ": " + k.error().message;
  return k;
}

Result<std::vector<ControlKey>> ControlKey::parse_bind_keys(std::string_view text,
                                                            std::string_view what) {
  auto statements = parse_bind_key_statements(text, what);
  if (!statements) return tl::unexpected(statements.error());
  std::vector<ControlKey> out;
  for (const BindKeyStatement& s : *statements) {
    auto key = from_base64(s.name, s.algorithm, s.secret);
    if (!key) return tl::unexpected(key.error());
    out.push_back(std::move(*key));
  }
  return out;
}

const std::string* find_field(const ControlMessage::Fields& fields, std::string_view key) {
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<std::vector<uint8_t>> encode_control_message(const ControlMessage& message,
                                                    const ControlKey& key) {
  std::vector<uint8_t> signed_part;
  if (auto r = put_fields(signed_part, "_ctrl", message.ctrl); !r) return tl::unexpected(r.error());
  if (auto r = put_fields(signed_part, "_data", message.data); !r) return tl::unexpected(r.error());
  auto sig = signature(key, signed_part);
  if (!sig) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("{} is not available in this OpenSSL", to_string(key.algorithm)));
  }
  const std::string_view field = signature_field(key.algorithm);
  const size_t auth_length = 1 + field.size() + 5 + sig->size();
  const size_t message_length = 4 + 1 + 5 + 5 + auth_length + signed_part.size();
  if (message_length > kControlMaxRequest) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("the control message is {} octets; named reads at most {}",
                            message_length, kControlMaxRequest));
  }
  std::vector<uint8_t> frame;
  frame.reserve(4 + message_length);
  put32(frame, static_cast<uint32_t>(message_length));
  put32(frame, 1);  // version
  put_entry_header(frame, "_auth", kTable, auth_length);
  put_entry_header(frame, field, kBinary, sig->size());
  frame.insert(frame.end(), sig->begin(), sig->end());
  frame.insert(frame.end(), signed_part.begin(), signed_part.end());
  return frame;
}

Result<ControlMessage> parse_control_message(std::span<const uint8_t> message,
                                             const ControlKey& key) {
  if (message.size() < 4) {
    return fail(ErrorCode::MalformedResponse, "control message shorter than its version");
  }
  if (const uint32_t version = rd32(message, 0); version != 1) {
    return fail(ErrorCode::MalformedResponse,
                fmt::format("control message of unknown version {}", version));
  }
  const auto table = message.subspan(4);
  auto top = entries(table);
  if (!top) {
    return fail(ErrorCode::MalformedResponse, "the control message's layout does not add up");
  }
  // Authenticate before reading anything else: _auth must come first and covers the rest.
  if (top->empty() || top->front().key != "_auth" || top->front().type != kTable) {
    return fail(ErrorCode::ControlAuthFailed, "the control message is not signed");
  }
  auto auth = entries(top->front().value);
  if (!auth) return fail(ErrorCode::MalformedResponse, "the control message's _auth is malformed");
  const std::string_view field = signature_field(key.algorithm);
  auto sig = std::find_if(auth->begin(), auth->end(),
                          [&](const Entry& e) { return e.key == field && e.type == kBinary; });
  if (sig == auth->end()) {
    return fail(ErrorCode::ControlAuthFailed,
                fmt::format("the control message is not signed with {} (no _auth.{})",
                            to_string(key.algorithm), field));
  }
  auto expected = signature(key, table.subspan(top->front().end));
  if (!expected || expected->size() != sig->value.size() ||
      CRYPTO_memcmp(expected->data(), sig->value.data(), expected->size()) != 0) {
    return fail(ErrorCode::ControlAuthFailed,
                fmt::format("the control message's signature does not verify with key \"{}\" ({})",
                            key.name, to_string(key.algorithm)));
  }

  ControlMessage out;
  bool have_ctrl = false, have_data = false;
  for (size_t i = 1; i < top->size(); ++i) {
    const Entry& e = (*top)[i];
    if (!well_formed(e.type, e.value, 0)) {
      return fail(ErrorCode::MalformedResponse,
                  fmt::format("the control message's {} is malformed (or nested too deep)",
                              e.key.substr(0, 32)));
    }
    if (e.type != kTable || (e.key != "_ctrl" && e.key != "_data")) continue;
    bool& seen = e.key == "_ctrl" ? have_ctrl : have_data;
    auto fields = fields_of(e);
    if (seen || !fields) {
      return fail(ErrorCode::MalformedResponse,
                  fmt::format("the control message repeats a key in {}", e.key));
    }
    seen = true;
    (e.key == "_ctrl" ? out.ctrl : out.data) = std::move(*fields);
  }
  if (!have_ctrl || !have_data) {
    return fail(ErrorCode::MalformedResponse, "the control message lacks _ctrl or _data");
  }
  return out;
}

Result<std::vector<uint8_t>> encode_control_request(const ControlRequest& request,
                                                    const ControlKey& key) {
  ControlMessage m;
  m.ctrl.emplace_back("_ser", std::to_string(request.serial));
  m.ctrl.emplace_back("_tim", std::to_string(request.now));
  m.ctrl.emplace_back("_exp", std::to_string(request.now + 60u));
  if (request.nonce && *request.nonce != 0) {
    m.ctrl.emplace_back("_nonce", std::to_string(*request.nonce));
  }
  m.data.emplace_back("type", request.command);
  return encode_control_message(m, key);
}

Result<ControlResponse> parse_control_response(std::span<const uint8_t> message,
                                               const ControlKey& key) {
  auto m = parse_control_message(message, key);
  if (!m) return tl::unexpected(m.error());
  const std::string* reply = find_field(m->ctrl, "_rpl");
  if (!reply || *reply != "1") {
    return fail(ErrorCode::MalformedResponse, "the control message is not an answer (no _rpl)");
  }
  ControlResponse out;
  const std::string* serial = find_field(m->ctrl, "_ser");
  auto ser = serial ? decimal(*serial) : std::nullopt;
  if (!ser) return fail(ErrorCode::MalformedResponse, "the control answer has no valid _ser");
  out.serial = *ser;
  if (const std::string* nonce = find_field(m->ctrl, "_nonce")) {
    auto n = decimal(*nonce);
    if (!n)
      return fail(ErrorCode::MalformedResponse, "the control answer's _nonce is not a number");
    if (*n != 0) out.nonce = *n;
  }
  if (const std::string* text = find_field(m->data, "text")) out.answer.text = *text;
  if (const std::string* err = find_field(m->data, "err")) out.answer.err = *err;
  if (const std::string* result = find_field(m->data, "result")) {
    auto r = decimal(*result);
    if (!r)
      return fail(ErrorCode::MalformedResponse, "the control answer's result is not a number");
    out.answer.result = *r;
  } else if (find_field(m->data, "err")) {
    out.answer.result = 25;  // ISC_R_FAILURE
  }
  return out;
}

}  // namespace zk::dns
