#include "dns/tsig.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "model/ascii.h"
#include "model/base64.h"

namespace zk::dns {
namespace {

struct AlgoInfo {
  TsigAlgorithm algo;
  std::string_view name;
  const char* digest;
  size_t mac_size;
};

constexpr AlgoInfo kAlgos[] = {
    {TsigAlgorithm::HmacSha1, "hmac-sha1", "SHA1", 20},
    {TsigAlgorithm::HmacSha224, "hmac-sha224", "SHA224", 28},
    {TsigAlgorithm::HmacSha256, "hmac-sha256", "SHA256", 32},
    {TsigAlgorithm::HmacSha384, "hmac-sha384", "SHA384", 48},
    {TsigAlgorithm::HmacSha512, "hmac-sha512", "SHA512", 64},
};

const AlgoInfo& info(TsigAlgorithm a) {
  for (const auto& i : kAlgos) {
    if (i.algo == a) return i;
  }
  return kAlgos[2];
}

model::Name algorithm_name(TsigAlgorithm a) {
  return model::Name::parse(std::string(info(a).name) + ".").value();
}

struct MacDeleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

EVP_MAC* hmac() {
  static std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  return mac.get();
}

class Hmac {
 public:
  Hmac(const TsigKey& key) : ctx_(EVP_MAC_CTX_new(hmac())) {
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         const_cast<char*>(info(key.algorithm).digest), 0),
        OSSL_PARAM_construct_end()};
    EVP_MAC_init(ctx_.get(), key.secret.data(), key.secret.size(), params);
  }
  void update(std::span<const uint8_t> d) { EVP_MAC_update(ctx_.get(), d.data(), d.size()); }
  void update16(uint16_t v) {
    uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    update(b);
  }
  void update48(uint64_t v) {
    uint8_t b[6];
    for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(v >> (8 * (5 - i)));
    update(b);
  }
  std::vector<uint8_t> final() {
    std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
    size_t len = 0;
    EVP_MAC_final(ctx_.get(), out.data(), &len, out.size());
    out.resize(len);
    return out;
  }

 private:
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx_;
};

uint16_t rd16(std::span<const uint8_t> m, size_t p) {
  return static_cast<uint16_t>(m[p] << 8 | m[p + 1]);
}

// Skips a (possibly compressed) name; returns the offset after it or nullopt.
std::optional<size_t> skip_name(std::span<const uint8_t> m, size_t p) {
  for (int guard = 0; guard < 128; ++guard) {
    if (p >= m.size()) return std::nullopt;
    uint8_t len = m[p];
    if ((len & 0xC0) == 0xC0) {
      if (p + 2 > m.size()) return std::nullopt;
      return p + 2;
    }
    if (len & 0xC0) return std::nullopt;
    if (len == 0) return p + 1;
    p += 1 + len;
  }
  return std::nullopt;
}

// Parsed TSIG RR fields (RFC 8945 §4.2).
struct TsigRR {
  size_t offset = 0;               // start of the RR in the message
  std::vector<uint8_t> key_name;   // wire, as sent
  std::vector<uint8_t> algorithm;  // wire
  uint64_t time_signed = 0;
  uint16_t fudge = 0;
  std::vector<uint8_t> mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  std::vector<uint8_t> other;
};

std::optional<TsigRR> parse_tsig(std::span<const uint8_t> m, size_t off) {
  TsigRR t;
  t.offset = off;
  auto after_owner = skip_name(m, off);
  if (!after_owner) return std::nullopt;
  // The owner of a TSIG RR is never compressed by a conforming server, but accept a
  // pointer-free name only, since it goes into the digest.
  t.key_name.assign(m.begin() + static_cast<std::ptrdiff_t>(off),
                    m.begin() + static_cast<std::ptrdiff_t>(*after_owner));
  size_t p = *after_owner;
  if (p + 10 > m.size()) return std::nullopt;
  if (rd16(m, p) != kTypeTsig) return std::nullopt;
  uint16_t rdlen = rd16(m, p + 8);
  p += 10;
  size_t end = p + rdlen;
  if (end != m.size()) return std::nullopt;
  auto after_alg = skip_name(m, p);
  if (!after_alg) return std::nullopt;
  t.algorithm.assign(m.begin() + static_cast<std::ptrdiff_t>(p),
                     m.begin() + static_cast<std::ptrdiff_t>(*after_alg));
  p = *after_alg;
  if (p + 10 > end) return std::nullopt;
  for (int i = 0; i < 6; ++i) t.time_signed = t.time_signed << 8 | m[p + i];
  p += 6;
  t.fudge = rd16(m, p);
  uint16_t mac_size = rd16(m, p + 2);
  p += 4;
  if (p + mac_size + 6 > end) return std::nullopt;
  t.mac.assign(m.begin() + static_cast<std::ptrdiff_t>(p),
               m.begin() + static_cast<std::ptrdiff_t>(p + mac_size));
  p += mac_size;
  t.original_id = rd16(m, p);
  t.error = rd16(m, p + 2);
  uint16_t other_len = rd16(m, p + 4);
  p += 6;
  if (p + other_len != end) return std::nullopt;
  t.other.assign(m.begin() + static_cast<std::ptrdiff_t>(p),
                 m.begin() + static_cast<std::ptrdiff_t>(end));
  return t;
}

// Two names in wire form, equal ignoring ASCII case (length bytes are below 'A': never folded).
bool ieq_wire(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  auto text = [](std::span<const uint8_t> w) {
    return std::string_view(reinterpret_cast<const char*>(w.data()), w.size());
  };
  return model::ascii_iequals(text(a), text(b));
}

// The message as it was before the TSIG RR was added: without the RR, ARCOUNT - 1, and
// the original ID.
std::vector<uint8_t> strip_tsig(std::span<const uint8_t> m, const TsigRR& t) {
  std::vector<uint8_t> out(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(t.offset));
  out[0] = static_cast<uint8_t>(t.original_id >> 8);
  out[1] = static_cast<uint8_t>(t.original_id);
  uint16_t ar = rd16(out, 10) - 1;
  out[10] = static_cast<uint8_t>(ar >> 8);
  out[11] = static_cast<uint8_t>(ar);
  return out;
}

void append16(std::vector<uint8_t>& w, uint16_t v) {
  w.push_back(static_cast<uint8_t>(v >> 8));
  w.push_back(static_cast<uint8_t>(v));
}

}  // namespace

tl::expected<TsigAlgorithm, std::string> parse_tsig_algorithm(std::string_view text) {
  std::string s = model::ascii_lower(text);
  if (!s.empty() && s.back() == '.') s.pop_back();
  for (const auto& i : kAlgos) {
    if (s == i.name) return i.algo;
  }
  return tl::unexpected(
      fmt::format("unsupported TSIG algorithm \"{}\" (use hmac-sha1, hmac-sha224, hmac-sha256, "
                  "hmac-sha384 or hmac-sha512)",
                  text));
}

std::string_view to_string(TsigAlgorithm a) {
  return info(a).name;
}

Result<TsigKey> TsigKey::from_base64(std::string_view name, std::string_view algorithm,
                                     std::string_view secret_base64) {
  std::string n(name);
  if (n.empty() || n.back() != '.') n.push_back('.');
  auto kn = model::Name::parse(n);
  if (!kn) return fail(ErrorCode::InvalidArgument, "TSIG key name: " + kn.error());
  auto alg = parse_tsig_algorithm(algorithm);
  if (!alg) return fail(ErrorCode::InvalidArgument, alg.error());
  // BIND key files may wrap a long secret: whitespace inside it is not part of the base64.
  std::string compact;
  for (char c : secret_base64) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  auto secret = model::decode_base64(compact);
  if (!secret || secret->empty()) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("TSIG key \"{}\": the secret is not valid base64", name));
  }
  return TsigKey{*kn, *alg, std::move(*secret)};
}

Result<std::vector<BindKeyStatement>> parse_bind_key_statements(std::string_view text,
                                                                std::string_view what) {
  // Tokens: words, quoted strings, and the punctuation { } ;  — comments removed.
  std::vector<std::string> toks;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      auto e = text.find("*/", i + 2);
      i = e == std::string_view::npos ? text.size() : e + 2;
    } else if (c == '{' || c == '}' || c == ';') {
      toks.emplace_back(1, c);
      ++i;
    } else if (c == '"') {
      auto e = text.find('"', i + 1);
      if (e == std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: unterminated quoted string", what));
      }
      toks.emplace_back(text.substr(i + 1, e - i - 1));
      i = e + 1;
    } else {
      size_t s = i;
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) &&
             text[i] != ';' && text[i] != '{' && text[i] != '}') {
        ++i;
      }
      toks.emplace_back(text.substr(s, i - s));
    }
  }
  std::vector<BindKeyStatement> out;
  for (size_t at = 0; at < toks.size();) {
    // What follows the keys (rndc-confgen's `options { … }`) is not ours to read.
    if (!out.empty() && toks[at] != "key") break;
    if (at + 3 > toks.size() || toks[at] != "key" || toks[at + 2] != "{") {
      return fail(
          ErrorCode::InvalidArgument,
          fmt::format("{}: expected `key \"name\" {{ algorithm ...; secret \"...\"; }};`", what));
    }
    std::string name = toks[at + 1], algorithm, secret;
    size_t i = at + 3;
    for (; i < toks.size() && toks[i] != "}"; ++i) {
      if (toks[i] == "algorithm" && i + 1 < toks.size())
        algorithm = toks[++i];
      else if (toks[i] == "secret" && i + 1 < toks.size())
        secret = toks[++i];
    }
    if (algorithm.empty())
      return fail(ErrorCode::InvalidArgument, fmt::format("{}: no algorithm", what));
    if (secret.empty()) return fail(ErrorCode::InvalidArgument, fmt::format("{}: no secret", what));
    out.push_back(BindKeyStatement{std::move(name), std::move(algorithm), std::move(secret)});
    at = i + 1;                                     // past "}"
    if (at < toks.size() && toks[at] == ";") ++at;  // and its ";"
  }
  if (out.empty()) {
    return fail(
        ErrorCode::InvalidArgument,
        fmt::format("{}: expected `key \"name\" {{ algorithm ...; secret \"...\"; }};`", what));
  }
  return out;
}

Result<BindKeyStatement> parse_bind_key_statement(std::string_view text, std::string_view what) {
  auto all = parse_bind_key_statements(text, what);
  if (!all) return tl::unexpected(all.error());
  return std::move(all->front());
}

Result<TsigKey> TsigKey::parse_bind_key(std::string_view text) {
  auto statement = parse_bind_key_statement(text, "TSIG key file");
  if (!statement) return tl::unexpected(statement.error());
  return from_base64(statement->name, statement->algorithm, statement->secret);
}

Result<TsigKey> TsigKey::load_bind_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return fail(ErrorCode::InvalidArgument, fmt::format("cannot read TSIG key file {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto k = parse_bind_key(ss.str());
  if (!k) k.error().message = path + ": " + k.error().message;
  return k;
}

size_t TsigKey::tsig_rr_size() const {
  // owner + type/class/ttl/rdlen + alg + time(6) fudge(2) macsize(2) mac id(2) err(2) olen(2)
  // + room for 6 octets of other data.
  return name.wire_size() + 10 + algorithm_name(algorithm).wire_size() + 16 +
         info(algorithm).mac_size + 6;
}

namespace {

// Calls f(index, offset of the owner, type) for each RR after the question section, in order,
// while f returns true. False when the layout is broken (or the message has trailing bytes).
template <class F>
bool for_each_rr(std::span<const uint8_t> m, F&& f) {
  if (m.size() < 12) return false;
  uint16_t qd = rd16(m, 4), an = rd16(m, 6), ns = rd16(m, 8), ar = rd16(m, 10);
  size_t p = 12;
  for (uint16_t i = 0; i < qd; ++i) {
    auto q = skip_name(m, p);
    if (!q || *q + 4 > m.size()) return false;
    p = *q + 4;
  }
  size_t total = size_t{an} + ns + ar;
  for (size_t i = 0; i < total; ++i) {
    auto q = skip_name(m, p);
    if (!q || *q + 10 > m.size()) return false;
    if (!f(i, total, p, rd16(m, *q))) return true;
    p = *q + 10 + rd16(m, *q + 8);
    if (p > m.size()) return false;
  }
  return p == m.size();
}

}  // namespace

std::optional<size_t> find_tsig_rr(std::span<const uint8_t> m) {
  if (m.size() < 12 || rd16(m, 10) == 0) return std::nullopt;
  std::optional<size_t> last;
  uint16_t last_type = 0;
  bool whole = for_each_rr(m, [&](size_t, size_t, size_t offset, uint16_t type) {
    last = offset;
    last_type = type;
    return true;
  });
  if (!whole || !last || last_type != kTypeTsig) return std::nullopt;
  return last;
}

std::optional<std::string> meta_record_problem(std::span<const uint8_t> m) {
  constexpr uint16_t kTypeOpt = 41;
  std::optional<std::string> problem;
  size_t opt = 0;
  bool whole = for_each_rr(m, [&](size_t i, size_t total, size_t, uint16_t type) {
    // Two TSIG records: the first is not the last record.
    if (type == kTypeTsig && i + 1 != total) {
      problem = "a TSIG record that is not the last record (RFC 8945 5.1)";
    } else if (type == kTypeOpt && ++opt > 1) {
      problem = "more than one OPT record (RFC 6891 6.1.1)";
    }
    return !problem;
  });
  if (!problem && !whole) {
    problem = "the record layout does not add up (a name, an RDLENGTH or the message length)";
  }
  return problem;
}

void TsigSession::sign(std::vector<uint8_t>& message, uint64_t now) {
  const auto key_name = key_->name.canonical();
  const auto alg = algorithm_name(key_->algorithm);
  const uint16_t id = rd16(message, 0);

  Hmac h(*key_);
  h.update(message);
  h.update(key_name.wire());
  h.update16(255);  // class ANY
  h.update16(0);    // TTL
  h.update16(0);
  h.update(alg.wire());
  h.update48(now);
  h.update16(kTsigFudge);
  h.update16(0);  // error
  h.update16(0);  // other len
  request_mac_ = h.final();
  prior_mac_.clear();
  first_ = true;
  unsigned_.clear();
  unsigned_count_ = 0;

  std::vector<uint8_t> rdata(alg.wire().begin(), alg.wire().end());
  for (int i = 0; i < 6; ++i) rdata.push_back(static_cast<uint8_t>(now >> (8 * (5 - i))));
  append16(rdata, kTsigFudge);
  append16(rdata, static_cast<uint16_t>(request_mac_.size()));
  rdata.insert(rdata.end(), request_mac_.begin(), request_mac_.end());
  append16(rdata, id);
  append16(rdata, 0);
  append16(rdata, 0);

  message.insert(message.end(), key_name.wire().begin(), key_name.wire().end());
  append16(message, kTypeTsig);
  append16(message, 255);
  append16(message, 0);
  append16(message, 0);
  append16(message, static_cast<uint16_t>(rdata.size()));
  message.insert(message.end(), rdata.begin(), rdata.end());
  uint16_t ar = rd16(message, 10) + 1;
  message[10] = static_cast<uint8_t>(ar >> 8);
  message[11] = static_cast<uint8_t>(ar);
}

Result<void> TsigSession::verify(std::span<const uint8_t> response, uint64_t now) {
  auto off = find_tsig_rr(response);
  if (!off) {
    if (first_ && response.size() >= 4 && (response[3] & 0x0f) == 1) {
      // RFC 8945 §5.3: a server that cannot parse the request answers FORMERR without a TSIG.
      // Nothing is accepted from it; the error says what the server said.
      return fail(ErrorCode::FormErr,
                  "the server answered FORMERR (unsigned): it could not parse the request");
    }
    if (first_) {
      return fail(
          ErrorCode::Unsigned,
          fmt::format("the response is not signed, but key {} was used", key_->name.to_string()));
    }
    if (++unsigned_count_ > 99) {
      return fail(ErrorCode::Unsigned, "more than 99 unsigned messages in a row (RFC 8945)");
    }
    unsigned_.insert(unsigned_.end(), response.begin(), response.end());
    return {};
  }
  auto t = parse_tsig(response, *off);
  if (!t) return fail(ErrorCode::MalformedResponse, "the response's TSIG record is malformed");
  if (!ieq_wire(t->key_name, key_->name.wire())) {
    return fail(ErrorCode::BadKey, "the response is signed with another key");
  }
  if (!ieq_wire(t->algorithm, algorithm_name(key_->algorithm).wire())) {
    return fail(ErrorCode::BadKey, "the response is signed with another algorithm");
  }
  if (t->error != 0) {
    Error e;
    e.tsig_error = t->error;
    switch (t->error) {
      case 16:
        e.code = ErrorCode::BadSig;
        e.message = "the server rejected our signature (BADSIG): wrong secret?";
        break;
      case 17:
        e.code = ErrorCode::BadKey;
        e.message = fmt::format("the server does not know key {} with {} (BADKEY)",
                                key_->name.to_string(), to_string(key_->algorithm));
        break;
      case 18:
        e.code = ErrorCode::BadTime;
        e.message = "the server rejected our time (BADTIME): clocks differ by more than the fudge";
        break;
      default:
        e.code = ErrorCode::BadSig;
        e.message = fmt::format("TSIG error {}", t->error);
        break;
    }
    return tl::unexpected(std::move(e));
  }

  Hmac h(*key_);
  const auto& prev = first_ ? request_mac_ : prior_mac_;
  h.update16(static_cast<uint16_t>(prev.size()));
  h.update(prev);
  if (!first_) h.update(unsigned_);
  h.update(strip_tsig(response, *t));
  if (first_) {
    h.update(key_->name.canonical().wire());
    h.update16(255);
    h.update16(0);
    h.update16(0);
    h.update(algorithm_name(key_->algorithm).wire());
    h.update48(t->time_signed);
    h.update16(t->fudge);
    h.update16(t->error);
    h.update16(static_cast<uint16_t>(t->other.size()));
    h.update(t->other);
  } else {
    h.update48(t->time_signed);
    h.update16(t->fudge);
  }
  auto mac = h.final();
  // RFC 8945 §5.2.2.1 allows truncated MACs down to max(10, half); we accept full ones only.
  if (mac.size() != t->mac.size() || CRYPTO_memcmp(mac.data(), t->mac.data(), mac.size()) != 0) {
    Error e{ErrorCode::BadSig, "the response's TSIG signature does not verify"};
    return tl::unexpected(std::move(e));
  }
  uint64_t lo = t->time_signed > t->fudge ? t->time_signed - t->fudge : 0;
  if (now < lo || now > t->time_signed + t->fudge) {
    Error e{ErrorCode::BadTime,
            fmt::format("the response was signed at {} which is outside {}±{} s", t->time_signed,
                        now, t->fudge)};
    return tl::unexpected(std::move(e));
  }
  prior_mac_ = std::move(mac);
  first_ = false;
  unsigned_.clear();
  unsigned_count_ = 0;
  return {};
}

Result<void> TsigSession::finish() const {
  if (unsigned_count_ > 0) {
    return fail(ErrorCode::Unsigned, "the transfer ended with unsigned messages");
  }
  return {};
}

}  // namespace zk::dns
