#include "providers/technitium_records.h"

#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <boost/json/value.hpp>

#include "model/ascii.h"
#include "model/hex.h"
#include "model/svcb.h"

namespace zk::providers::technitium {

using model::invalid;
using model::Parsed;
using model::RRType;

namespace {

constexpr std::array<std::pair<int, std::string_view>, 5> kSshfpAlgorithms = {
    {{1, "RSA"}, {2, "DSA"}, {3, "ECDSA"}, {4, "Ed25519"}, {6, "Ed448"}}};
constexpr std::array<std::pair<int, std::string_view>, 2> kSshfpTypes = {
    {{1, "SHA1"}, {2, "SHA256"}}};
constexpr std::array<std::pair<int, std::string_view>, 4> kTlsaUsages = {
    {{0, "PKIX-TA"}, {1, "PKIX-EE"}, {2, "DANE-TA"}, {3, "DANE-EE"}}};
constexpr std::array<std::pair<int, std::string_view>, 2> kTlsaSelectors = {
    {{0, "Cert"}, {1, "SPKI"}}};
constexpr std::array<std::pair<int, std::string_view>, 3> kTlsaMatching = {
    {{0, "Full"}, {1, "SHA2-256"}, {2, "SHA2-512"}}};

template <size_t N>
Parsed<std::string> mnemonic(const std::array<std::pair<int, std::string_view>, N>& table, int v,
                             std::string_view what) {
  for (const auto& [n, s] : table) {
    if (n == v) return std::string(s);
  }
  return invalid(fmt::format("{} {} has no name in Technitium's API", what, v));
}

template <size_t N>
Parsed<int> number(const std::array<std::pair<int, std::string_view>, N>& table, std::string_view s,
                   std::string_view what) {
  for (const auto& [n, name] : table) {
    if (name == s) return n;
  }
  return invalid(fmt::format("{} \"{}\" is not one Technitium documents", what, s));
}

// A reader over canonical wire RDATA.
struct Wire {
  std::span<const uint8_t> w;
  size_t at = 0;
  bool ok = true;
  uint32_t u(size_t n) {
    uint32_t v = 0;
    if (at + n > w.size()) {
      ok = false;
      return 0;
    }
    for (size_t i = 0; i < n; ++i) v = (v << 8) | w[at++];
    return v;
  }
  std::string chars() {
    size_t n = u(1);
    if (at + n > w.size()) {
      ok = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(w.data() + at), n);
    at += n;
    return s;
  }
  std::string name() {
    size_t start = at;
    while (at < w.size() && w[at] != 0) at += 1 + w[at];
    if (at >= w.size()) {
      ok = false;
      return {};
    }
    ++at;
    auto n = model::Name::from_wire(w.subspan(start, at - start));
    if (!n) {
      ok = false;
      return {};
    }
    return api_name(*n);
  }
  std::string rest_hex() {
    std::string out = model::hex_text(w.subspan(at), model::HexCase::Upper);
    at = w.size();
    return out;
  }
  std::string rest() {
    std::string s(reinterpret_cast<const char*>(w.data() + at), w.size() - at);
    at = w.size();
    return s;
  }
};

const boost::json::value* field(const boost::json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : &it->value();
}

Parsed<std::string> str(const boost::json::object& o, std::string_view k) {
  const auto* v = field(o, k);
  if (!v || !v->is_string()) return invalid(fmt::format("rData.{}: missing or not a string", k));
  return std::string(v->as_string());
}

Parsed<int64_t> num(const boost::json::object& o, std::string_view k, int64_t max) {
  const auto* v = field(o, k);
  int64_t n = 0;
  if (v && v->is_int64()) {
    n = v->as_int64();
  } else if (v && v->is_uint64()) {
    n = int64_t(v->as_uint64());
  } else if (v && v->is_string()) {
    const auto& s = v->as_string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size())
      return invalid(fmt::format("rData.{}: not a number", k));
  } else {
    return invalid(fmt::format("rData.{}: missing or not a number", k));
  }
  if (n < 0 || n > max) return invalid(fmt::format("rData.{}: {} is out of range", k, n));
  return n;
}

Parsed<model::Name> name_of(const boost::json::object& o, std::string_view k) {
  auto s = str(o, k);
  if (!s) return tl::unexpected(s.error());
  auto n = model::Name::parse(*s + ".");
  if (!n) return invalid(fmt::format("rData.{}: {}", k, n.error()));
  return n;
}

Parsed<std::vector<uint8_t>> unhex(std::string_view hex, std::string_view what) {
  std::string h;
  for (char c : hex) {
    if (c != ' ' && c != ':') h += c;
  }
  auto out = h.empty() ? std::nullopt : model::hex_octets(h);
  if (!out) return invalid(fmt::format("rData.{}: not hex", what));
  return std::move(*out);
}

// SvcParams (RFC 9460) in Technitium's form: "key|value|key|value", each value as the API
// prints it (alpn "h2,h3", hints comma-separated, ech base64, port a number, no-default-alpn
// ""); "false" when there are none. Each parameter is printed by the model
// (svc_params_to_text) and unquoted here, so only what the pipe form can carry is sent.
constexpr uint16_t kLastNamedSvcKey = 6;  // ipv6hint: the last key Technitium names

std::string api_svc_key(uint16_t key, std::string_view model_name) {
  return key <= kLastNamedSvcKey ? std::string(model_name) : fmt::format("key{}", key);
}

Parsed<std::string> api_svc_params(std::span<const uint8_t> wire) {
  std::string out;
  for (size_t i = 0; i < wire.size();) {
    if (i + 4 > wire.size()) return invalid("malformed SvcParams");
    uint16_t key = static_cast<uint16_t>(wire[i] << 8 | wire[i + 1]);
    size_t len = static_cast<size_t>(wire[i + 2] << 8 | wire[i + 3]);
    if (i + 4 + len > wire.size()) return invalid("malformed SvcParams");
    std::string text = model::svc_params_to_text(wire.subspan(i, 4 + len));
    i += 4 + len;
    size_t eq = text.find('=');
    std::string name = api_svc_key(key, std::string_view(text).substr(0, eq));
    std::string value;
    if (eq != std::string::npos) {
      std::string_view v = std::string_view(text).substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      auto raw = model::unescape_character_string(v);
      if (!raw) return invalid(fmt::format("SvcParam {}: {}", name, raw.error()));
      value = std::move(*raw);
    }
    for (unsigned char c : value) {
      if (c < 0x20 || c > 0x7e || c == '|') {
        return invalid(fmt::format(
            "SvcParam {}: a value holding '|' or a non-printable octet cannot be sent to "
            "Technitium (svcParams is a '|'-separated list)",
            name));
      }
      if (c == '\\' && key == 1) {
        return invalid(
            "SvcParam alpn: a protocol id holding a comma or a backslash cannot be sent to "
            "Technitium (it separates alpn ids with commas)");
      }
    }
    if (key == 0) {  // mandatory lists keys: by Technitium's names too
      std::string keys;
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string item = value.substr(start, comma - start);
        // The model names keys 7 and 8 (dohpath, ohttp); Technitium's names stop at ipv6hint.
        if (!keys.empty()) keys += ',';
        keys += item == "dohpath" ? "key7" : item == "ohttp" ? "key8" : item;
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      value = keys;
    }
    if (!out.empty()) out += '|';
    out += name + '|' + value;
  }
  return out.empty() ? std::string("false") : out;
}

// The SvcParams of a listed record: an object {"alpn": "h2,h3", …} (what records/get returns),
// or the pipe form; nothing (absent, null, "", "false", {}) means none. Parsed and made canonical
// by the model, so key order, address spelling and case never read as a difference.
Parsed<std::vector<uint8_t>> svc_params_from_api(const boost::json::value* v) {
  std::vector<std::pair<std::string, std::string>> pairs;
  auto text_of = [](const boost::json::value& x) -> std::optional<std::string> {
    if (x.is_string()) return std::string(x.as_string());
    if (x.is_int64()) return std::to_string(x.as_int64());
    if (x.is_uint64()) return std::to_string(x.as_uint64());
    return std::nullopt;
  };
  if (!v || v->is_null()) return std::vector<uint8_t>{};
  if (v->is_object()) {
    for (const auto& [k, x] : v->as_object()) {
      auto t = text_of(x);
      if (!t) return invalid(fmt::format("rData.svcParams.{}: not a string", std::string_view(k)));
      pairs.emplace_back(std::string(k), std::move(*t));
    }
  } else if (v->is_string()) {
    std::string_view s = v->as_string();
    if (s.empty() || s == "false") return std::vector<uint8_t>{};
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t bar = s.find('|', start);
      parts.emplace_back(s.substr(start, bar - start));
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    if (parts.size() % 2) return invalid("rData.svcParams: not a list of key|value pairs");
    for (size_t i = 0; i < parts.size(); i += 2) pairs.emplace_back(parts[i], parts[i + 1]);
  } else {
    return invalid("rData.svcParams: neither an object nor a string");
  }
  std::string text;
  for (auto& [key, value] : pairs) {
    key = model::ascii_lower(key);
    if (key.empty() || key.find_first_of(" \t\"=") != std::string::npos)
      return invalid(fmt::format("rData.svcParams: \"{}\" is not a SvcParam key", key));
    if (!text.empty()) text += ' ';
    text += key;
    if (!value.empty()) text += "=" + model::quote_character_string(value);
  }
  auto wire = model::svc_params_from_text(text);
  if (!wire) return invalid(fmt::format("rData.svcParams: {}", wire.error()));
  return wire;
}

}  // namespace

std::string api_name(const model::Name& name) {
  std::string s = name.to_string();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

Parsed<Params> value_params(const model::Rdata& rd) {
  Wire w{rd.wire()};
  Params p;
  switch (rd.type()) {
    case RRType::A:
    case RRType::AAAA:
      p = {{"ipAddress", rd.to_text()}};
      break;
    case RRType::NS:
      p = {{"nameServer", w.name()}};
      break;
    case RRType::CNAME:
      p = {{"cname", w.name()}};
      break;
    case RRType::PTR:
      p = {{"ptrName", w.name()}};
      break;
    case RRType::DNAME:
      p = {{"dname", w.name()}};
      break;
    case RRType::MX: {
      auto pref = w.u(2);
      p = {{"preference", std::to_string(pref)}, {"exchange", w.name()}};
      break;
    }
    case RRType::TXT: {
      auto strings = rd.txt_strings();
      if (strings.size() == 1) {
        p = {{"text", strings[0]}, {"splitText", "false"}};
        break;
      }
      std::string joined;
      for (size_t i = 0; i < strings.size(); ++i) {
        if (strings[i].find('\n') != std::string::npos) {
          return invalid(
              "a TXT record of several strings, one holding a newline, cannot be "
              "sent to Technitium (splitText splits at newlines)");
        }
        if (i) joined += '\n';
        joined += strings[i];
      }
      p = {{"text", joined}, {"splitText", "true"}};
      break;
    }
    case RRType::SRV: {
      auto pri = w.u(2), weight = w.u(2), port = w.u(2);
      p = {{"priority", std::to_string(pri)},
           {"weight", std::to_string(weight)},
           {"port", std::to_string(port)},
           {"target", w.name()}};
      break;
    }
    case RRType::CAA: {
      auto flags = w.u(1);
      std::string tag = w.chars();
      p = {{"flags", std::to_string(flags)}, {"tag", tag}, {"value", w.rest()}};
      break;
    }
    case RRType::SSHFP: {
      auto alg = mnemonic(kSshfpAlgorithms, int(w.u(1)), "SSHFP algorithm");
      if (!alg) return tl::unexpected(alg.error());
      auto fp = mnemonic(kSshfpTypes, int(w.u(1)), "SSHFP fingerprint type");
      if (!fp) return tl::unexpected(fp.error());
      p = {{"sshfpAlgorithm", *alg},
           {"sshfpFingerprintType", *fp},
           {"sshfpFingerprint", w.rest_hex()}};
      break;
    }
    case RRType::TLSA: {
      auto u = mnemonic(kTlsaUsages, int(w.u(1)), "TLSA certificate usage");
      if (!u) return tl::unexpected(u.error());
      auto s = mnemonic(kTlsaSelectors, int(w.u(1)), "TLSA selector");
      if (!s) return tl::unexpected(s.error());
      auto m = mnemonic(kTlsaMatching, int(w.u(1)), "TLSA matching type");
      if (!m) return tl::unexpected(m.error());
      p = {{"tlsaCertificateUsage", *u},
           {"tlsaSelector", *s},
           {"tlsaMatchingType", *m},
           {"tlsaCertificateAssociationData", w.rest_hex()}};
      break;
    }
    case RRType::NAPTR: {
      auto order = w.u(2), pref = w.u(2);
      std::string flags = w.chars(), services = w.chars(), regexp = w.chars();
      p = {{"naptrOrder", std::to_string(order)},
           {"naptrPreference", std::to_string(pref)},
           {"naptrFlags", flags},
           {"naptrServices", services},
           {"naptrRegexp", regexp},
           {"naptrReplacement", w.name()}};
      break;
    }
    case RRType::SOA:
      return invalid("the SOA is written with records/update (soa_params)");
    case RRType::SVCB:
    case RRType::HTTPS: {
      auto priority = w.u(2);
      std::string target = w.name();
      if (!w.ok) break;
      auto params = api_svc_params(rd.wire().subspan(w.at));
      if (!params)
        return invalid(fmt::format("{}: {}", model::to_string(rd.type()), params.error()));
      // The root target goes as "." (an empty parameter is a missing one); hints are ours,
      // never Technitium's automatic ones (records/update resets what it is not sent).
      p = {{"svcPriority", std::to_string(priority)},
           {"svcTargetName", target.empty() ? std::string(".") : target},
           {"svcParams", *params},
           {"autoIpv4Hint", "false"},
           {"autoIpv6Hint", "false"}};
      break;
    }
  }
  if (!w.ok) return invalid(fmt::format("malformed {} record data", model::to_string(rd.type())));
  return p;
}

Parsed<Params> update_params(const model::Rdata& rd) {
  auto p = value_params(rd);
  if (!p || (rd.type() != RRType::SVCB && rd.type() != RRType::HTTPS)) return p;
  Params news;
  for (const auto& [k, v] : *p) {
    if (k.starts_with("svc")) news.emplace_back("newS" + k.substr(1), v);
  }
  p->insert(p->end(), news.begin(), news.end());
  return p;
}

Parsed<Params> soa_params(const model::Rdata& soa) {
  if (soa.type() != RRType::SOA) return invalid("not an SOA record");
  Wire w{soa.wire()};
  std::string mname = w.name(), rname = w.name();
  std::array<uint32_t, 5> v{};
  for (auto& x : v) x = w.u(4);
  if (!w.ok) return invalid("malformed SOA record data");
  return Params{{"primaryNameServer", mname},     {"responsiblePerson", rname},
                {"serial", std::to_string(v[0])}, {"refresh", std::to_string(v[1])},
                {"retry", std::to_string(v[2])},  {"expire", std::to_string(v[3])},
                {"minimum", std::to_string(v[4])}};
}

Parsed<std::optional<ListedRecord>> parse_record(const boost::json::object& rec) {
  auto type_text = str(rec, "type");
  if (!type_text) return invalid("record: type missing");
  auto type = model::parse_rrtype(*type_text);
  if (!type || !model::is_supported(*type) || type_text->starts_with("TYPE")) {
    return std::optional<ListedRecord>();
  }
  auto owner_text = str(rec, "name");
  if (!owner_text) return invalid("record: name missing");
  auto owner = model::Name::parse(*owner_text + ".");
  if (!owner) return invalid(fmt::format("record name \"{}\": {}", *owner_text, owner.error()));
  auto ttl = num(rec, "ttl", 0x7fffffff);
  if (!ttl) return invalid(fmt::format("{} {}: {}", *owner_text, *type_text, ttl.error()));
  const auto* rdv = field(rec, "rData");
  if (!rdv || !rdv->is_object())
    return invalid(fmt::format("{} {}: rData missing", *owner_text, *type_text));
  const auto& o = rdv->as_object();

  auto made = [&]() -> Parsed<model::Rdata> {
    switch (*type) {
      case RRType::A: {
        auto s = str(o, "ipAddress");
        if (!s) return tl::unexpected(s.error());
        return model::Rdata::a(*s);
      }
      case RRType::AAAA: {
        auto s = str(o, "ipAddress");
        if (!s) return tl::unexpected(s.error());
        return model::Rdata::aaaa(*s);
      }
      case RRType::NS:
      case RRType::CNAME:
      case RRType::PTR:
      case RRType::DNAME: {
        std::string_view k = *type == RRType::NS      ? "nameServer"
                             : *type == RRType::CNAME ? "cname"
                             : *type == RRType::PTR   ? "ptrName"
                                                      : "dname";
        auto n = name_of(o, k);
        if (!n) return tl::unexpected(n.error());
        return model::Rdata::name_target(*type, *n);
      }
      case RRType::MX: {
        auto pref = num(o, "preference", 65535);
        auto ex = name_of(o, "exchange");
        if (!pref) return tl::unexpected(pref.error());
        if (!ex) return tl::unexpected(ex.error());
        return model::Rdata::mx(uint16_t(*pref), *ex);
      }
      case RRType::TXT: {
        auto text = str(o, "text");
        if (!text) return tl::unexpected(text.error());
        const auto* split = field(o, "splitText");
        if (split && split->is_bool() && split->as_bool()) {
          std::vector<std::string> parts;
          size_t start = 0;
          while (true) {
            size_t nl = text->find('\n', start);
            parts.push_back(text->substr(start, nl - start));
            if (nl == std::string::npos) break;
            start = nl + 1;
          }
          return model::Rdata::txt(parts);
        }
        return model::Rdata::txt_from_text(*text);
      }
      case RRType::SRV: {
        auto pri = num(o, "priority", 65535), weight = num(o, "weight", 65535),
             port = num(o, "port", 65535);
        auto target = name_of(o, "target");
        for (auto* x : {&pri, &weight, &port}) {
          if (!*x) return tl::unexpected(x->error());
        }
        if (!target) return tl::unexpected(target.error());
        return model::Rdata::srv(uint16_t(*pri), uint16_t(*weight), uint16_t(*port), *target);
      }
      case RRType::CAA: {
        auto flags = num(o, "flags", 255);
        auto tag = str(o, "tag"), value = str(o, "value");
        if (!flags) return tl::unexpected(flags.error());
        if (!tag) return tl::unexpected(tag.error());
        if (!value) return tl::unexpected(value.error());
        return model::Rdata::caa(uint8_t(*flags), *tag, *value);
      }
      case RRType::SSHFP: {
        auto alg = str(o, "algorithm"), fpt = str(o, "fingerprintType"), fp = str(o, "fingerprint");
        if (!alg || !fpt || !fp)
          return invalid("SSHFP rData: algorithm, fingerprintType, fingerprint");
        auto a = number(kSshfpAlgorithms, *alg, "SSHFP algorithm");
        auto t = number(kSshfpTypes, *fpt, "SSHFP fingerprint type");
        auto bytes = unhex(*fp, "fingerprint");
        if (!a) return tl::unexpected(a.error());
        if (!t) return tl::unexpected(t.error());
        if (!bytes) return tl::unexpected(bytes.error());
        return model::Rdata::sshfp(uint8_t(*a), uint8_t(*t), std::move(*bytes));
      }
      case RRType::TLSA: {
        auto u = str(o, "certificateUsage"), s = str(o, "selector"), m = str(o, "matchingType"),
             d = str(o, "certificateAssociationData");
        if (!u || !s || !m || !d) {
          return invalid(
              "TLSA rData: certificateUsage, selector, matchingType, certificateAssociationData");
        }
        auto un = number(kTlsaUsages, *u, "TLSA certificate usage");
        auto sn = number(kTlsaSelectors, *s, "TLSA selector");
        auto mn = number(kTlsaMatching, *m, "TLSA matching type");
        auto bytes = unhex(*d, "certificateAssociationData");
        if (!un) return tl::unexpected(un.error());
        if (!sn) return tl::unexpected(sn.error());
        if (!mn) return tl::unexpected(mn.error());
        if (!bytes) return tl::unexpected(bytes.error());
        return model::Rdata::tlsa(uint8_t(*un), uint8_t(*sn), uint8_t(*mn), std::move(*bytes));
      }
      case RRType::NAPTR: {
        auto order = num(o, "order", 65535), pref = num(o, "preference", 65535);
        auto flags = str(o, "flags"), services = str(o, "services"), regexp = str(o, "regexp");
        auto repl = name_of(o, "replacement");
        if (!order || !pref || !flags || !services || !regexp) {
          return invalid("NAPTR rData: order, preference, flags, services, regexp");
        }
        if (!repl) return tl::unexpected(repl.error());
        return model::Rdata::naptr(uint16_t(*order), uint16_t(*pref), *flags, *services, *regexp,
                                   *repl);
      }
      case RRType::SOA: {
        auto mname = name_of(o, "primaryNameServer"), rname = name_of(o, "responsiblePerson");
        auto serial = num(o, "serial", 0xffffffff), refresh = num(o, "refresh", 0xffffffff),
             retry = num(o, "retry", 0xffffffff), expire = num(o, "expire", 0xffffffff),
             minimum = num(o, "minimum", 0xffffffff);
        if (!mname) return tl::unexpected(mname.error());
        if (!rname) return tl::unexpected(rname.error());
        for (auto* x : {&serial, &refresh, &retry, &expire, &minimum}) {
          if (!*x) return tl::unexpected(x->error());
        }
        return model::Rdata::soa(*mname, *rname, uint32_t(*serial), uint32_t(*refresh),
                                 uint32_t(*retry), uint32_t(*expire), uint32_t(*minimum));
      }
      case RRType::SVCB:
      case RRType::HTTPS: {
        auto priority = num(o, "svcPriority", 65535);
        if (!priority) return tl::unexpected(priority.error());
        auto target_text = str(o, "svcTargetName");
        if (!target_text) return tl::unexpected(target_text.error());
        // The root comes back as "" (Technitium's names have no trailing dot).
        std::string t = *target_text;
        if (!t.empty() && t.back() == '.') t.pop_back();
        auto target = model::Name::parse(t + ".");
        if (!target) return invalid(fmt::format("rData.svcTargetName: {}", target.error()));
        auto params = svc_params_from_api(field(o, "svcParams"));
        if (!params) return tl::unexpected(params.error());
        // AliasMode with SvcParams is refused here, with the model's message.
        return model::Rdata::svcb(*type, uint16_t(*priority), *target, *params);
      }
    }
    return invalid("unsupported type");
  }();
  if (!made) return invalid(fmt::format("{} {}: {}", *owner_text, *type_text, made.error()));
  ListedRecord out{*owner, *type, uint32_t(*ttl), std::move(*made), {}, false};
  if (const auto* c = field(rec, "comments"); c && c->is_string())
    out.comments = std::string(c->as_string());
  if (const auto* d = field(rec, "disabled"); d && d->is_bool()) out.disabled = d->as_bool();
  return std::optional<ListedRecord>(std::move(out));
}

std::string form_encode(const Params& params) {
  std::string out;
  auto enc = [&](std::string_view s) {
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += char(c);
      } else {
        out += fmt::format("%{:02X}", c);
      }
    }
  };
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    enc(k);
    out += '=';
    enc(v);
  }
  return out;
}

namespace {

constexpr std::string_view kSeparator = " | ";
constexpr std::string_view kOwnerPart = "owner: ";
constexpr std::string_view kDescriptionPart = "description: ";

std::string backslash_escape(unsigned char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '|':
      return "\\|";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      break;
  }
  return c < 0x20 || c == 0x7f ? fmt::format("\\x{:02X}", c) : std::string();
}

std::string backslash_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    if (n == 'n') {
      out += '\n';
    } else if (n == 'r') {
      out += '\r';
    } else if (n == 't') {
      out += '\t';
    } else if (n == 'x' && i + 2 < s.size() && model::hex_digit(s[i + 1]) >= 0 &&
               model::hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(model::hex_digit(s[i + 1]) * 16 + model::hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += n;  // \\, \| and anything else: the octet itself
    }
  }
  return out;
}

// Splits at " | " not preceded by an escaping backslash.
std::vector<std::string_view> split_parts(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s.substr(i, kSeparator.size()) == kSeparator) {
      out.push_back(s.substr(start, i - start));
      start = i + kSeparator.size();
      i = start - 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

}  // namespace

std::string render_comments(std::string_view claim, const model::RecordNotes& notes) {
  std::string out(claim);
  std::string owner = model::escape_and_cut(notes.owner, kMaxCommentNote, backslash_escape);
  std::string description =
      model::escape_and_cut(notes.description, kMaxCommentNote, backslash_escape);
  if (!owner.empty()) out += fmt::format("{}{}{}", kSeparator, kOwnerPart, owner);
  if (!description.empty()) out += fmt::format("{}{}{}", kSeparator, kDescriptionPart, description);
  return out;
}

Comments parse_comments(std::string_view comments) {
  Comments out;
  auto parts = split_parts(comments);
  out.head = std::string(parts.front());
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (part.starts_with(kOwnerPart)) {
      out.notes.owner = backslash_unescape(part.substr(kOwnerPart.size()));
    } else if (part.starts_with(kDescriptionPart)) {
      out.notes.description = backslash_unescape(part.substr(kDescriptionPart.size()));
    }
  }
  return out;
}

}  // namespace zk::providers::technitium
