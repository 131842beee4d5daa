#include "app/zone_document.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace zk::app {

using model::invalid;
using model::Name;
using model::Parsed;
using model::Rdata;
using model::RRset;
using model::RRType;

namespace {

constexpr uint32_t kDefaultTtl = 300;

std::string where(std::string_view file, const YAML::Node& n) {
  return fmt::format("{}:{}", file, n.Mark().line + 1);
}

Parsed<uint32_t> ttl_of(const YAML::Node& n, std::string_view file) {
  try {
    auto v = n.as<int64_t>();
    if (v < 0 || v > 0x7fffffff) {
      return invalid(fmt::format("{}: ttl {} is outside 0..2147483647", where(file, n), v));
    }
    return static_cast<uint32_t>(v);
  } catch (const YAML::Exception&) {
    return invalid(fmt::format("{}: ttl must be a whole number of seconds", where(file, n)));
  }
}

// YAML text is Unicode: octets that are not UTF-8 cannot travel as YAML strings.
bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    if (n == 2 && c < 0xC2) return false;  // overlong
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    // Unicode Table 3-7: no overlong 3/4-octet forms, no surrogates, nothing above U+10FFFF.
    auto c1 = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
        (c == 0xF4 && c1 > 0x8F) || c > 0xF4) {
      return false;
    }
    i += n;
  }
  return true;
}

// Octets above 0x7F as \DDD (zone-file escapes, valid wherever they appear in presentation
// form): what YAML must carry as ASCII when the data is not UTF-8 (YAML emitters replace it).
std::string ascii_octets(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += fmt::format("\\{:03d}", c);
    }
  }
  return out;
}

Parsed<Rdata> value_of(RRType type, const YAML::Node& v, const Name& zone, std::string_view file) {
  if (v.IsMap()) {
    // {rdata: "<zone-file presentation form>"}: any type, any octets (\DDD escapes).
    if (v.size() != 1 || !v["rdata"] || !v["rdata"].IsScalar()) {
      return invalid(fmt::format("{}: a value mapping holds exactly `rdata: <zone-file form>`",
                                 where(file, v)));
    }
    auto rd = Rdata::parse(type, v["rdata"].Scalar(), zone);
    if (!rd) return invalid(fmt::format("{}: {}", where(file, v), rd.error()));
    return rd;
  }
  if (type == RRType::TXT && v.IsSequence()) {
    std::vector<std::string> strings;
    for (const auto& s : v) {
      if (!s.IsScalar())
        return invalid(fmt::format("{}: TXT strings must be text", where(file, s)));
      strings.push_back(s.Scalar());
    }
    auto rd = Rdata::txt(strings);
    if (!rd) return invalid(fmt::format("{}: {}", where(file, v), rd.error()));
    return rd;
  }
  if (!v.IsScalar()) {
    return invalid(fmt::format("{}: a value must be text (the record data in zone-file form)",
                               where(file, v)));
  }
  if (type == RRType::TXT) return Rdata::txt_from_text(v.Scalar());
  auto rd = Rdata::parse(type, v.Scalar(), zone);
  if (!rd) return invalid(fmt::format("{}: {}", where(file, v), rd.error()));
  return rd;
}

// RFC 6895: types that exist only in messages (OPT, TKEY, TSIG) or queries (IXFR, AXFR, MAILB,
// MAILA, ANY), and 0.
bool is_meta_type(RRType t) {
  auto n = static_cast<uint16_t>(t);
  return n == 0 || n == 41 || (n >= 128 && n <= 255);
}

}  // namespace

Parsed<ZoneDocument> parse_zone_document(std::string_view text, std::string_view file,
                                         const Name& expected_zone) {
  // YAML is Unicode: a reader would replace octets that are not UTF-8, silently changing data.
  if (!valid_utf8(text)) {
    return invalid(
        fmt::format("{}: not UTF-8 text (write other octets as \\DDD in an `rdata:` "
                    "value)",
                    file));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return invalid(fmt::format("{}:{}: not valid YAML: {}", file, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) return invalid(fmt::format("{}: expected a mapping with `records:`", file));
  ZoneDocument doc;
  try {
    for (const auto& kv : root) {
      auto key = kv.first.Scalar();
      if (key != "zone" && key != "serial" && key != "records" && key != "defaultTtl") {
        return invalid(fmt::format("{}: unknown field \"{}\" (expected zone, defaultTtl, records)",
                                   where(file, kv.first), key));
      }
    }
    if (root["zone"]) {
      auto z =
          Name::parse(root["zone"].Scalar() + (root["zone"].Scalar().ends_with('.') ? "" : "."));
      if (!z) return invalid(fmt::format("{}: zone: {}", where(file, root["zone"]), z.error()));
      if (*z != expected_zone) {
        return invalid(fmt::format("{}: the document is for zone {}, not {}",
                                   where(file, root["zone"]), z->to_string(),
                                   expected_zone.to_string()));
      }
      doc.zone = *z;
    }
    uint32_t default_ttl = kDefaultTtl;
    if (root["defaultTtl"]) {
      auto t = ttl_of(root["defaultTtl"], file);
      if (!t) return tl::unexpected(t.error());
      default_ttl = *t;
    }
    auto records = root["records"];
    if (!records || !records.IsSequence()) {
      return invalid(fmt::format("{}: `records:` must be a list", file));
    }
    for (const auto& r : records) {
      if (!r.IsMap()) return invalid(fmt::format("{}: each record is a mapping", where(file, r)));
      for (const auto& kv : r) {
        auto key = kv.first.Scalar();
        if (key != "name" && key != "type" && key != "ttl" && key != "values") {
          return invalid(
              fmt::format("{}: unknown record field \"{}\" (expected name, type, ttl, values)",
                          where(file, kv.first), key));
        }
      }
      if (!r["name"] || !r["name"].IsScalar()) {
        return invalid(fmt::format("{}: record needs `name:`", where(file, r)));
      }
      if (!r["type"] || !r["type"].IsScalar()) {
        return invalid(fmt::format("{}: record needs `type:`", where(file, r)));
      }
      auto owner = Name::parse(r["name"].Scalar(), &expected_zone);
      if (!owner)
        return invalid(fmt::format("{}: name: {}", where(file, r["name"]), owner.error()));
      if (!owner->is_subdomain_of(expected_zone)) {
        return invalid(fmt::format("{}: {} is outside zone {}", where(file, r["name"]),
                                   owner->to_string(), expected_zone.to_string()));
      }
      auto type = model::parse_rrtype(r["type"].Scalar());
      if (!type) {
        return invalid(
            fmt::format("{}: unsupported record type \"{}\" (a known mnemonic, or "
                        "TYPE<n> with values in the RFC 3597 \\# form)",
                        where(file, r["type"]), r["type"].Scalar()));
      }
      if (is_meta_type(*type)) {
        return invalid(fmt::format("{}: {} is a query or meta type, not zone data",
                                   where(file, r["type"]), model::to_string(*type)));
      }
      uint32_t ttl = default_ttl;
      if (r["ttl"]) {
        auto t = ttl_of(r["ttl"], file);
        if (!t) return tl::unexpected(t.error());
        ttl = *t;
      }
      auto values = r["values"];
      if (!values || !values.IsSequence() || values.size() == 0) {
        return invalid(fmt::format("{}: record needs a non-empty `values:` list", where(file, r)));
      }
      model::RRsetKey key{*owner, *type};
      auto it = doc.rrsets.find(key);
      if (it == doc.rrsets.end()) {
        it = doc.rrsets.emplace(key, RRset(*owner, *type, ttl)).first;
      } else if (it->second.ttl() != ttl) {
        return invalid(fmt::format("{}: {} {} appears twice with different TTLs ({} and {})",
                                   where(file, r), owner->to_string(), model::to_string(*type),
                                   it->second.ttl(), ttl));
      }
      for (const auto& v : values) {
        auto rd = value_of(*type, v, expected_zone, file);
        if (!rd) return tl::unexpected(rd.error());
        it->second.add(std::move(*rd));
      }
      if (auto ok = it->second.validate(); !ok) {
        return invalid(fmt::format("{}: {}", where(file, r), ok.error()));
      }
    }
  } catch (const YAML::Exception& e) {
    return invalid(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
  auto problems = model::validate_zone_data(expected_zone, doc.rrsets);
  if (!problems.empty()) return invalid(fmt::format("{}: {}", file, problems.front()));
  return doc;
}

std::string write_zone_document(const Name& zone, std::optional<uint32_t> serial,
                                const model::RRsetMap& rrsets) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "zone" << YAML::Value << zone.to_string();
  if (serial) out << YAML::Key << "serial" << YAML::Value << *serial;
  out << YAML::Key << "records" << YAML::Value << YAML::BeginSeq;
  for (const auto& [key, set] : rrsets) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << key.owner.relative_to(zone);
    out << YAML::Key << "type" << YAML::Value << model::to_string(key.type);
    out << YAML::Key << "ttl" << YAML::Value << set.ttl();
    out << YAML::Key << "values" << YAML::Value << YAML::BeginSeq;
    for (const auto& rd : set.rdatas()) {
      if (key.type == RRType::TXT) {
        auto strings = rd.txt_strings();
        std::string joined;
        for (const auto& s : strings) joined += s;
        if (!valid_utf8(joined)) {
          out << YAML::BeginMap << YAML::Key << "rdata" << YAML::Value << ascii_octets(rd.to_text())
              << YAML::EndMap;
        } else if (Rdata::txt_from_text(joined) == rd) {
          out << YAML::DoubleQuoted << joined;
        } else {
          out << YAML::Flow << YAML::BeginSeq;
          for (const auto& s : strings) out << YAML::DoubleQuoted << s;
          out << YAML::EndSeq;
        }
      } else if (std::string text = rd.to_text(); !valid_utf8(text)) {
        out << YAML::BeginMap << YAML::Key << "rdata" << YAML::Value << ascii_octets(text)
            << YAML::EndMap;
      } else {
        out << text;
      }
    }
    out << YAML::EndSeq;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace zk::app
