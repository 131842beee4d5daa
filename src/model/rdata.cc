#include "model/rdata.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "model/hex.h"
#include "model/svcb.h"

namespace zk::model {
namespace {

struct Token {
  std::string raw;  // escapes kept; quotes removed
  bool quoted = false;
};

Parsed<std::vector<Token>> tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    Token t;
    if (c == '"') {
      t.quoted = true;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char d = text[i];
        if (d == '\\' && i + 1 < text.size()) {
          t.raw.push_back(d);
          t.raw.push_back(text[i + 1]);
          i += 2;
          continue;
        }
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        t.raw.push_back(d);
        ++i;
      }
      if (!closed) return invalid(fmt::format("unterminated quoted string in \"{}\"", text));
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          t.raw.push_back(text[i]);
          t.raw.push_back(text[i + 1]);
          i += 2;
          continue;
        }
        t.raw.push_back(text[i]);
        ++i;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

template <class T>
Parsed<T> parse_uint(std::string_view s, std::string_view what) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
    return invalid(fmt::format("{} \"{}\" is not a number in range 0..{}", what, s,
                               std::numeric_limits<T>::max()));
  }
  return v;
}

void put16(std::vector<uint8_t>& w, uint16_t v) {
  w.push_back(static_cast<uint8_t>(v >> 8));
  w.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& w, uint32_t v) {
  put16(w, static_cast<uint16_t>(v >> 16));
  put16(w, static_cast<uint16_t>(v));
}
void put_name(std::vector<uint8_t>& w, const Name& n) {
  auto c = n.canonical();
  w.insert(w.end(), c.wire().begin(), c.wire().end());
}

// Reads RDATA fields in order; every getter fails rather than reading past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> d) : d_(d) {}
  bool done() const { return pos_ == d_.size(); }
  size_t pos() const { return pos_; }
  std::optional<uint8_t> u8() {
    if (pos_ + 1 > d_.size()) return std::nullopt;
    return d_[pos_++];
  }
  std::optional<uint16_t> u16() {
    if (pos_ + 2 > d_.size()) return std::nullopt;
    uint16_t v = static_cast<uint16_t>(d_[pos_] << 8 | d_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<uint32_t> u32() {
    auto hi = u16();
    auto lo = u16();
    if (!hi || !lo) return std::nullopt;
    return static_cast<uint32_t>(*hi) << 16 | *lo;
  }
  std::optional<Name> name() {
    size_t p = pos_;
    while (p < d_.size() && d_[p] != 0) {
      if (d_[p] > Name::kMaxLabel) return std::nullopt;
      p += 1 + d_[p];
    }
    if (p >= d_.size()) return std::nullopt;
    auto n = Name::from_wire(d_.subspan(pos_, p + 1 - pos_));
    if (!n) return std::nullopt;
    pos_ = p + 1;
    return *n;
  }
  std::optional<std::string> character_string() {
    auto len = u8();
    if (!len || pos_ + *len > d_.size()) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(d_.data() + pos_), *len);
    pos_ += *len;
    return s;
  }
  std::string rest() {
    std::string s(reinterpret_cast<const char*>(d_.data() + pos_), d_.size() - pos_);
    pos_ = d_.size();
    return s;
  }

 private:
  std::span<const uint8_t> d_;
  size_t pos_ = 0;
};

bool valid_caa_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 15) return false;
  return std::all_of(tag.begin(), tag.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

Parsed<Name> parse_name_token(const Token& t, const Name& origin, std::string_view what) {
  auto n = Name::parse(t.raw, &origin);
  if (!n) return invalid(fmt::format("{}: {}", what, n.error()));
  return n;
}

Parsed<size_t> expect_tokens(const std::vector<Token>& toks, size_t n, RRType type,
                             std::string_view format) {
  if (toks.size() != n) {
    return invalid(fmt::format("{} data needs {} field(s) \"{}\", got {}", to_string(type), n,
                               format, toks.size()));
  }
  return n;
}

}  // namespace

std::string to_string(RRType t) {
  switch (t) {
    case RRType::A:
      return "A";
    case RRType::NS:
      return "NS";
    case RRType::CNAME:
      return "CNAME";
    case RRType::SOA:
      return "SOA";
    case RRType::PTR:
      return "PTR";
    case RRType::MX:
      return "MX";
    case RRType::TXT:
      return "TXT";
    case RRType::AAAA:
      return "AAAA";
    case RRType::SRV:
      return "SRV";
    case RRType::NAPTR:
      return "NAPTR";
    case RRType::DNAME:
      return "DNAME";
    case RRType::SSHFP:
      return "SSHFP";
    case RRType::TLSA:
      return "TLSA";
    case RRType::SVCB:
      return "SVCB";
    case RRType::HTTPS:
      return "HTTPS";
    case RRType::CAA:
      return "CAA";
  }
  return fmt::format("TYPE{}", static_cast<uint16_t>(t));
}

Parsed<RRType> parse_rrtype(std::string_view text) {
  std::string up(text);
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (RRType t : {RRType::A, RRType::NS, RRType::CNAME, RRType::SOA, RRType::PTR, RRType::MX,
                   RRType::TXT, RRType::AAAA, RRType::SRV, RRType::NAPTR, RRType::DNAME,
                   RRType::SSHFP, RRType::TLSA, RRType::SVCB, RRType::HTTPS, RRType::CAA}) {
    if (up == to_string(t)) return t;
  }
  if (up.rfind("TYPE", 0) == 0) {
    auto n = parse_uint<uint16_t>(std::string_view(up).substr(4), "type number");
    if (n) return static_cast<RRType>(*n);
  }
  return invalid(fmt::format("unknown record type \"{}\"", text));
}

bool is_supported(RRType t) {
  return to_string(t).rfind("TYPE", 0) != 0;
}
bool is_singleton(RRType t) {
  return t == RRType::CNAME || t == RRType::DNAME || t == RRType::SOA;
}

Parsed<std::string> unescape_character_string(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.push_back(raw[i]);
      continue;
    }
    if (i + 1 >= raw.size()) return invalid("dangling backslash");
    char d = raw[i + 1];
    if (std::isdigit(static_cast<unsigned char>(d))) {
      if (i + 3 >= raw.size() || !std::isdigit(static_cast<unsigned char>(raw[i + 2])) ||
          !std::isdigit(static_cast<unsigned char>(raw[i + 3]))) {
        return invalid("bad \\DDD escape");
      }
      int v = (d - '0') * 100 + (raw[i + 2] - '0') * 10 + (raw[i + 3] - '0');
      if (v > 255) return invalid("\\DDD escape over 255");
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(d);
      i += 1;
    }
  }
  return out;
}

std::string quote_character_string(std::string_view raw) {
  std::string out = "\"";
  for (unsigned char c : raw) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\{:03d}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

Parsed<Rdata> Rdata::a(std::string_view ipv4) {
  std::string s(ipv4);
  uint8_t buf[4];
  if (inet_pton(AF_INET, s.c_str(), buf) != 1) {
    return invalid(fmt::format("\"{}\" is not an IPv4 address", ipv4));
  }
  return Rdata(RRType::A, std::vector<uint8_t>(buf, buf + 4));
}

Parsed<Rdata> Rdata::aaaa(std::string_view ipv6) {
  std::string s(ipv6);
  uint8_t buf[16];
  if (inet_pton(AF_INET6, s.c_str(), buf) != 1) {
    return invalid(fmt::format("\"{}\" is not an IPv6 address", ipv6));
  }
  return Rdata(RRType::AAAA, std::vector<uint8_t>(buf, buf + 16));
}

Rdata Rdata::name_target(RRType type, const Name& target) {
  std::vector<uint8_t> w;
  put_name(w, target);
  return Rdata(type, w);
}

Rdata Rdata::mx(uint16_t preference, const Name& exchange) {
  std::vector<uint8_t> w;
  put16(w, preference);
  put_name(w, exchange);
  return Rdata(RRType::MX, w);
}

Rdata Rdata::srv(uint16_t priority, uint16_t weight, uint16_t port, const Name& target) {
  std::vector<uint8_t> w;
  put16(w, priority);
  put16(w, weight);
  put16(w, port);
  put_name(w, target);
  return Rdata(RRType::SRV, w);
}

namespace {

// Hex as zone files write it: may be split by white space into several tokens.
Parsed<std::vector<uint8_t>> hex_tokens(const std::vector<Token>& toks, size_t from,
                                        std::string_view what) {
  std::string hex;
  for (size_t i = from; i < toks.size(); ++i) hex += toks[i].raw;
  if (hex.empty() || hex.size() % 2 != 0) {
    return invalid(fmt::format("{}: an even, non-zero number of hex digits", what));
  }
  auto out = hex_octets(hex);
  if (!out) return invalid(fmt::format("{}: \"{}\" is not hex", what, hex));
  return std::move(*out);
}

}  // namespace

Parsed<Rdata> Rdata::sshfp(uint8_t algorithm, uint8_t fp_type, std::vector<uint8_t> fingerprint) {
  if (fingerprint.empty()) return invalid("SSHFP fingerprint is empty");
  // RFC 4255 / RFC 6594: SHA-1 and SHA-256 fingerprints have fixed sizes (BIND refuses others).
  if ((fp_type == 1 && fingerprint.size() != 20) || (fp_type == 2 && fingerprint.size() != 32)) {
    return invalid(fmt::format("SSHFP fingerprint type {} ({}) needs {} octets, not {}", fp_type,
                               fp_type == 1 ? "SHA-1" : "SHA-256", fp_type == 1 ? 20 : 32,
                               fingerprint.size()));
  }
  std::vector<uint8_t> w{algorithm, fp_type};
  w.insert(w.end(), fingerprint.begin(), fingerprint.end());
  return Rdata(RRType::SSHFP, w);
}

Parsed<Rdata> Rdata::tlsa(uint8_t usage, uint8_t selector, uint8_t matching_type,
                          std::vector<uint8_t> data) {
  if (data.empty()) return invalid("TLSA certificate association data is empty");
  std::vector<uint8_t> w{usage, selector, matching_type};
  w.insert(w.end(), data.begin(), data.end());
  return Rdata(RRType::TLSA, w);
}

Parsed<Rdata> Rdata::naptr(uint16_t order, uint16_t preference, std::string_view flags,
                           std::string_view services, std::string_view regexp,
                           const Name& replacement) {
  std::vector<uint8_t> w;
  put16(w, order);
  put16(w, preference);
  for (auto [what, text] :
       {std::pair{"flags", flags}, std::pair{"services", services}, std::pair{"regexp", regexp}}) {
    if (text.size() > 255) {
      return invalid(fmt::format("NAPTR {} is longer than 255 octets", what));
    }
    w.push_back(static_cast<uint8_t>(text.size()));
    w.insert(w.end(), text.begin(), text.end());
  }
  put_name(w, replacement);
  return Rdata(RRType::NAPTR, w);
}

Parsed<Rdata> Rdata::caa(uint8_t flags, std::string_view tag, std::string_view value) {
  if (!valid_caa_tag(tag)) {
    return invalid(fmt::format("CAA tag \"{}\" must be 1 to 15 letters or digits", tag));
  }
  std::vector<uint8_t> w;
  w.push_back(flags);
  w.push_back(static_cast<uint8_t>(tag.size()));
  w.insert(w.end(), tag.begin(), tag.end());
  w.insert(w.end(), value.begin(), value.end());
  return Rdata(RRType::CAA, w);
}

Parsed<Rdata> Rdata::svcb(RRType type, uint16_t priority, const Name& target,
                          std::span<const uint8_t> params) {
  std::string what = to_string(type);
  if (type != RRType::SVCB && type != RRType::HTTPS) return invalid(what + " is not SVCB or HTTPS");
  if (priority == 0 && !params.empty()) {
    return invalid(what + " AliasMode (priority 0) takes no SvcParams");
  }
  auto checked = svc_params_from_wire(params);
  if (!checked) return invalid(fmt::format("{}: {}", what, checked.error()));
  std::vector<uint8_t> w;
  put16(w, priority);
  put_name(w, target);
  w.insert(w.end(), checked->begin(), checked->end());
  if (w.size() > 65535) return invalid(what + " data over 65535 octets");
  return Rdata(type, w);
}

Parsed<Rdata> Rdata::txt(const std::vector<std::string>& strings) {
  if (strings.empty()) return invalid("TXT data needs at least one string");
  std::vector<uint8_t> w;
  for (const auto& s : strings) {
    if (s.size() > 255) {
      return invalid(fmt::format("TXT string of {} octets; each string is at most 255", s.size()));
    }
    w.push_back(static_cast<uint8_t>(s.size()));
    w.insert(w.end(), s.begin(), s.end());
  }
  if (w.size() > 65535) return invalid("TXT data over 65535 octets");
  return Rdata(RRType::TXT, w);
}

Rdata Rdata::txt_from_text(std::string_view text) {
  std::vector<uint8_t> w;
  do {
    size_t n = std::min<size_t>(255, text.size());
    if (n < text.size()) {
      // Do not cut a UTF-8 sequence: back off while the next octet is a continuation byte.
      size_t m = n;
      while (m > 0 && (static_cast<unsigned char>(text[m]) & 0xC0) == 0x80) --m;
      if (m > 0) n = m;
    }
    w.push_back(static_cast<uint8_t>(n));
    w.insert(w.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
    text.remove_prefix(n);
  } while (!text.empty());
  return Rdata(RRType::TXT, w);
}

Rdata Rdata::soa(const Name& mname, const Name& rname, uint32_t serial, uint32_t refresh,
                 uint32_t retry, uint32_t expire, uint32_t minimum) {
  std::vector<uint8_t> w;
  put_name(w, mname);
  put_name(w, rname);
  for (uint32_t v : {serial, refresh, retry, expire, minimum}) put32(w, v);
  return Rdata(RRType::SOA, w);
}

// SVCB and HTTPS: priority, target, then SvcParams, whose quoted values may hold spaces and
// quotes anywhere in a field ("key=\"a b\""): split here, not by the generic tokenizer.
Parsed<Rdata> Rdata::parse_svcb(RRType type, std::string_view text, const Name& origin) {
  std::string what = to_string(type);
  std::string_view fields[2];
  std::string_view rest = text;
  for (auto& field : fields) {
    size_t start = rest.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) {
      return invalid(fmt::format("{} data needs \"priority target [params…]\"", what));
    }
    size_t stop = std::min(rest.find_first_of(" \t\r\n", start), rest.size());
    field = rest.substr(start, stop - start);
    rest = rest.substr(stop);
  }
  auto pr = parse_uint<uint16_t>(fields[0], what + " priority");
  if (!pr) return tl::unexpected(pr.error());
  auto tg = parse_name_token(Token{std::string(fields[1]), false}, origin, what + " target");
  if (!tg) return tl::unexpected(tg.error());
  auto params = svc_params_from_text(rest);
  if (!params) return invalid(fmt::format("{}: {}", what, params.error()));
  return svcb(type, *pr, *tg, *params);
}

Parsed<Rdata> Rdata::parse(RRType type, std::string_view text, const Name& origin) {
  if ((type == RRType::SVCB || type == RRType::HTTPS) &&
      text.substr(std::min(text.find_first_not_of(" \t\r\n"), text.size())).substr(0, 2) != "\\#") {
    return parse_svcb(type, text, origin);
  }
  auto toks_or = tokenize(text);
  if (!toks_or) return tl::unexpected(toks_or.error());
  const auto& toks = *toks_or;
  if (toks.empty()) return invalid(fmt::format("empty {} data", to_string(type)));
  auto fail = [&](const std::string& m) { return invalid(m); };

  // RFC 3597 generic form for any type: \# <len> <hex>
  if (toks[0].raw == "\\#") {
    if (toks.size() < 2) return fail("\\# form needs a length");
    auto len = parse_uint<uint16_t>(toks[1].raw, "\\# length");
    if (!len) return tl::unexpected(len.error());
    std::string hex;
    for (size_t i = 2; i < toks.size(); ++i) hex += toks[i].raw;
    if (hex.size() != static_cast<size_t>(*len) * 2) return fail("\\# length and hex disagree");
    auto w = hex_octets(hex);
    if (!w) return fail("bad hex in \\# form");
    return from_wire(type, *w);
  }

  switch (type) {
    case RRType::A:
    case RRType::AAAA: {
      auto n = expect_tokens(toks, 1, type, "address");
      if (!n) return tl::unexpected(n.error());
      return type == RRType::A ? a(toks[0].raw) : aaaa(toks[0].raw);
    }
    case RRType::CNAME:
    case RRType::NS:
    case RRType::PTR:
    case RRType::DNAME: {
      auto n = expect_tokens(toks, 1, type, "target");
      if (!n) return tl::unexpected(n.error());
      auto t = parse_name_token(toks[0], origin, to_string(type) + " target");
      if (!t) return tl::unexpected(t.error());
      return name_target(type, *t);
    }
    case RRType::MX: {
      auto n = expect_tokens(toks, 2, type, "preference exchange");
      if (!n) return tl::unexpected(n.error());
      auto pref = parse_uint<uint16_t>(toks[0].raw, "MX preference");
      if (!pref) return tl::unexpected(pref.error());
      auto ex = parse_name_token(toks[1], origin, "MX exchange");
      if (!ex) return tl::unexpected(ex.error());
      return mx(*pref, *ex);
    }
    case RRType::SRV: {
      auto n = expect_tokens(toks, 4, type, "priority weight port target");
      if (!n) return tl::unexpected(n.error());
      auto pr = parse_uint<uint16_t>(toks[0].raw, "SRV priority");
      if (!pr) return tl::unexpected(pr.error());
      auto we = parse_uint<uint16_t>(toks[1].raw, "SRV weight");
      if (!we) return tl::unexpected(we.error());
      auto po = parse_uint<uint16_t>(toks[2].raw, "SRV port");
      if (!po) return tl::unexpected(po.error());
      auto tg = parse_name_token(toks[3], origin, "SRV target");
      if (!tg) return tl::unexpected(tg.error());
      return srv(*pr, *we, *po, *tg);
    }
    case RRType::SSHFP: {
      if (toks.size() < 3) return fail("SSHFP data needs \"algorithm fp-type fingerprint\"");
      auto alg = parse_uint<uint8_t>(toks[0].raw, "SSHFP algorithm");
      if (!alg) return tl::unexpected(alg.error());
      auto fpt = parse_uint<uint8_t>(toks[1].raw, "SSHFP fingerprint type");
      if (!fpt) return tl::unexpected(fpt.error());
      auto fp = hex_tokens(toks, 2, "SSHFP fingerprint");
      if (!fp) return tl::unexpected(fp.error());
      return sshfp(*alg, *fpt, std::move(*fp));
    }
    case RRType::TLSA: {
      if (toks.size() < 4) {
        return fail("TLSA data needs \"usage selector matching-type certificate-data\"");
      }
      uint8_t v[3];
      const char* what[3] = {"TLSA usage", "TLSA selector", "TLSA matching type"};
      for (int i = 0; i < 3; ++i) {
        auto x = parse_uint<uint8_t>(toks[static_cast<size_t>(i)].raw, what[i]);
        if (!x) return tl::unexpected(x.error());
        v[i] = *x;
      }
      auto data = hex_tokens(toks, 3, "TLSA certificate data");
      if (!data) return tl::unexpected(data.error());
      return tlsa(v[0], v[1], v[2], std::move(*data));
    }
    case RRType::SVCB:
    case RRType::HTTPS:
      return parse_svcb(type, text, origin);  // reached only when tokenizing succeeded
    case RRType::NAPTR: {
      auto n = expect_tokens(toks, 6, type, "order preference flags services regexp replacement");
      if (!n) return tl::unexpected(n.error());
      auto order = parse_uint<uint16_t>(toks[0].raw, "NAPTR order");
      if (!order) return tl::unexpected(order.error());
      auto pref = parse_uint<uint16_t>(toks[1].raw, "NAPTR preference");
      if (!pref) return tl::unexpected(pref.error());
      std::string strings[3];
      const char* what[3] = {"flags", "services", "regexp"};
      for (int i = 0; i < 3; ++i) {
        auto sv = unescape_character_string(toks[2 + i].raw);
        if (!sv) return fail(fmt::format("NAPTR {}: {}", what[i], sv.error()));
        strings[i] = std::move(*sv);
      }
      auto rep = parse_name_token(toks[5], origin, "NAPTR replacement");
      if (!rep) return tl::unexpected(rep.error());
      return naptr(*order, *pref, strings[0], strings[1], strings[2], *rep);
    }
    case RRType::CAA: {
      auto n = expect_tokens(toks, 3, type, "flags tag value");
      if (!n) return tl::unexpected(n.error());
      auto fl = parse_uint<uint8_t>(toks[0].raw, "CAA flags");
      if (!fl) return tl::unexpected(fl.error());
      auto val = unescape_character_string(toks[2].raw);
      if (!val) return fail("CAA value: " + val.error());
      return caa(*fl, toks[1].raw, *val);
    }
    case RRType::TXT: {
      std::vector<std::string> strings;
      for (const auto& t : toks) {
        auto s = unescape_character_string(t.raw);
        if (!s) return fail("TXT: " + s.error());
        strings.push_back(std::move(*s));
      }
      return txt(strings);
    }
    case RRType::SOA: {
      auto n = expect_tokens(toks, 7, type, "mname rname serial refresh retry expire minimum");
      if (!n) return tl::unexpected(n.error());
      auto mn = parse_name_token(toks[0], origin, "SOA mname");
      if (!mn) return tl::unexpected(mn.error());
      auto rn = parse_name_token(toks[1], origin, "SOA rname");
      if (!rn) return tl::unexpected(rn.error());
      uint32_t v[5];
      const char* what[5] = {"SOA serial", "SOA refresh", "SOA retry", "SOA expire", "SOA minimum"};
      for (int i = 0; i < 5; ++i) {
        auto x = parse_uint<uint32_t>(toks[2 + i].raw, what[i]);
        if (!x) return tl::unexpected(x.error());
        v[i] = *x;
      }
      return soa(*mn, *rn, v[0], v[1], v[2], v[3], v[4]);
    }
  }
  return fail(fmt::format("type {} has no presentation parser; use the \\# form", to_string(type)));
}

Parsed<Rdata> Rdata::from_wire(RRType type, std::span<const uint8_t> wire) {
  Reader r(wire);
  auto bad = [&](std::string_view why) {
    return invalid(fmt::format("malformed {} data: {}", to_string(type), why));
  };
  switch (type) {
    case RRType::A:
      if (wire.size() != 4) return bad("length is not 4");
      return Rdata(type, wire);
    case RRType::AAAA:
      if (wire.size() != 16) return bad("length is not 16");
      return Rdata(type, wire);
    case RRType::CNAME:
    case RRType::NS:
    case RRType::PTR:
    case RRType::DNAME: {
      auto n = r.name();
      if (!n || !r.done()) return bad("bad target name");
      return name_target(type, *n);
    }
    case RRType::MX: {
      auto p = r.u16();
      auto n = r.name();
      if (!p || !n || !r.done()) return bad("bad preference or exchange");
      return mx(*p, *n);
    }
    case RRType::SRV: {
      auto p = r.u16(), w = r.u16(), po = r.u16();
      auto n = r.name();
      if (!p || !w || !po || !n || !r.done()) return bad("bad fields");
      return srv(*p, *w, *po, *n);
    }
    case RRType::SSHFP: {
      if (wire.size() < 3) return bad("shorter than algorithm, type and a fingerprint");
      // The same rules as the presentation form (fingerprint sizes), so what is read prints
      // and parses back (the presentation fuzzer holds us to it).
      auto rd = sshfp(wire[0], wire[1], {wire.begin() + 2, wire.end()});
      if (!rd) return bad(rd.error());
      return rd;
    }
    case RRType::TLSA:
      if (wire.size() < 4) return bad("shorter than usage, selector, matching type and data");
      return Rdata(type, wire);
    case RRType::SVCB:
    case RRType::HTTPS: {
      auto p = r.u16();
      auto n = r.name();
      if (!p || !n) return bad("bad priority or target");
      auto params = wire.subspan(r.pos());
      return svcb(type, *p, *n, params);
    }
    case RRType::NAPTR: {
      auto o = r.u16(), p = r.u16();
      auto fl = r.character_string(), sv = r.character_string(), re = r.character_string();
      auto n = r.name();
      if (!o || !p || !fl || !sv || !re || !n || !r.done()) return bad("bad fields");
      return naptr(*o, *p, *fl, *sv, *re, *n);
    }
    case RRType::CAA: {
      auto fl = r.u8();
      auto tag = r.character_string();
      if (!fl || !tag) return bad("bad flags or tag");
      std::string value = r.rest();
      return caa(*fl, *tag, value);
    }
    case RRType::TXT: {
      std::vector<std::string> strings;
      while (!r.done()) {
        auto s = r.character_string();
        if (!s) return bad("string runs past the data");
        strings.push_back(std::move(*s));
      }
      return txt(strings);
    }
    case RRType::SOA: {
      auto mn = r.name();
      auto rn = r.name();
      if (!mn || !rn) return bad("bad names");
      uint32_t v[5];
      for (auto& x : v) {
        auto y = r.u32();
        if (!y) return bad("short timers");
        x = *y;
      }
      if (!r.done()) return bad("trailing octets");
      return soa(*mn, *rn, v[0], v[1], v[2], v[3], v[4]);
    }
  }
  // Unknown types stay opaque (RFC 3597).
  return Rdata(type, wire);
}

std::string Rdata::to_text() const {
  Reader r(wire_.span());
  switch (type_) {
    case RRType::A: {
      char buf[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, wire_.data(), buf, sizeof buf);
      return buf;
    }
    case RRType::AAAA: {
      char buf[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, wire_.data(), buf, sizeof buf);
      return buf;
    }
    case RRType::CNAME:
    case RRType::NS:
    case RRType::PTR:
    case RRType::DNAME:
      return r.name()->to_string();
    case RRType::SSHFP:
      return fmt::format("{} {} {}", wire_[0], wire_[1],
                         hex_text(wire_.span().subspan(2), HexCase::Upper));
    case RRType::TLSA:
      return fmt::format("{} {} {} {}", wire_[0], wire_[1], wire_[2],
                         hex_text(wire_.span().subspan(3), HexCase::Upper));
    case RRType::MX: {
      auto p = r.u16();
      return fmt::format("{} {}", *p, r.name()->to_string());
    }
    case RRType::SRV: {
      auto p = r.u16(), w = r.u16(), po = r.u16();
      return fmt::format("{} {} {} {}", *p, *w, *po, r.name()->to_string());
    }
    case RRType::SVCB:
    case RRType::HTTPS: {
      auto p = r.u16();
      std::string out = fmt::format("{} {}", *p, r.name()->to_string());
      std::string params = svc_params_to_text(wire_.span().subspan(r.pos()));
      return params.empty() ? out : out + " " + params;
    }
    case RRType::NAPTR: {
      auto o = r.u16(), p = r.u16();
      auto fl = r.character_string(), sv = r.character_string(), re = r.character_string();
      return fmt::format("{} {} {} {} {} {}", *o, *p, quote_character_string(*fl),
                         quote_character_string(*sv), quote_character_string(*re),
                         r.name()->to_string());
    }
    case RRType::CAA: {
      auto fl = r.u8();
      auto tag = r.character_string();
      return fmt::format("{} {} {}", *fl, *tag, quote_character_string(r.rest()));
    }
    case RRType::TXT: {
      std::string out;
      for (const auto& s : txt_strings()) {
        if (!out.empty()) out.push_back(' ');
        out += quote_character_string(s);
      }
      return out;
    }
    case RRType::SOA: {
      auto mn = r.name();
      auto rn = r.name();
      std::string out = mn->to_string() + " " + rn->to_string();
      for (int i = 0; i < 5; ++i) out += fmt::format(" {}", *r.u32());
      return out;
    }
  }
  std::string out = fmt::format("\\# {}", wire_.size());
  if (!wire_.empty()) out.push_back(' ');
  out += hex_text(wire_.span());
  return out;
}

std::vector<std::string> Rdata::txt_strings() const {
  std::vector<std::string> out;
  if (type_ != RRType::TXT) return out;
  Reader r(wire_.span());
  while (!r.done()) out.push_back(*r.character_string());
  return out;
}

std::optional<Name> Rdata::target() const {
  Reader r(wire_.span());
  switch (type_) {
    case RRType::CNAME:
    case RRType::NS:
    case RRType::PTR:
      return r.name();
    case RRType::MX:
      r.u16();
      return r.name();
    case RRType::SRV:
      r.u16();
      r.u16();
      r.u16();
      return r.name();
    default:
      return std::nullopt;
  }
}

std::optional<uint32_t> Rdata::soa_serial() const {
  if (type_ != RRType::SOA) return std::nullopt;
  Reader r(wire_.span());
  r.name();
  r.name();
  return r.u32();
}

std::optional<Rdata> Rdata::with_soa_serial(uint32_t serial) const {
  if (type_ != RRType::SOA || wire_.size() < 20) return std::nullopt;
  // MNAME and RNAME, then serial, refresh, retry, expire, minimum (5 x 32 bits).
  std::vector<uint8_t> wire(wire_.span().begin(), wire_.span().end());
  size_t at = wire.size() - 20;
  for (int i = 0; i < 4; ++i) wire[at + i] = static_cast<uint8_t>(serial >> (24 - 8 * i));
  return Rdata(type_, wire);
}

}  // namespace zk::model
