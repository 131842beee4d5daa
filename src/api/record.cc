#include "api/record.h"

#include <cctype>
#include <limits>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_fields.h"
#include "api/spec_name.h"
#include "model/hex.h"

namespace zk::api {

using model::invalid;
using model::Name;
using model::Parsed;
using model::Rdata;
using model::RRset;
using model::RRType;

std::string record_key(Kind kind, std::string_view ns, std::string_view name) {
  return fmt::format("{}/{}/{}", to_string(kind), ns, name);
}

RecordKeyParts split_record_key(std::string_view key) {
  const size_t a = key.find('/');
  const size_t b = a == std::string_view::npos ? a : key.find('/', a + 1);
  if (b == std::string_view::npos) return {key, {}, {}};
  return {key.substr(0, a), key.substr(a + 1, b - a - 1), key.substr(b + 1)};
}

std::string RecordObject::key() const {
  return record_key(kind, ns, name);
}

Parsed<RecordObject> decode_record(const boost::json::value& object) {
  if (!object.is_object()) return invalid("the object is not a JSON object");
  auto kind_text = json::req_string(json::member(&object, "kind"), "kind");
  if (!kind_text) return tl::unexpected(kind_text.error());
  auto kind = parse_kind(*kind_text);
  if (!kind) return invalid("kind: " + kind.error());
  auto meta = decode_object_meta(object, *kind_text);
  if (!meta) return tl::unexpected(meta.error());
  const auto* spec = json::member(&object, "spec");
  if (!spec) return invalid("spec: required");
  if (!spec->is_object()) {
    return invalid(fmt::format("spec: must be an object, got {}", json::describe(*spec)));
  }
  RecordObject rec;
  static_cast<ObjectMeta&>(rec) = std::move(*meta);
  rec.kind = *kind;
  rec.spec = boost::json::serialize(*spec);
  rec.notes = read_record_annotations(object);
  if (const auto* h = json::member(json::member(&object, "status"), "recordHash");
      h && h->is_string()) {
    rec.served_hash = model::RRsetDigest::from_hex(h->as_string()).value_or(model::RRsetDigest());
  }
  if (const auto* n = json::member(spec, "name"); n && n->is_string()) {
    rec.spec_name = std::string(n->as_string());
  }
  if (auto t = json::opt_int(json::member(spec, "ttl"), "spec.ttl", 0, kMaxTtl); t && *t) {
    rec.ttl = static_cast<uint32_t>(**t);
  }
  return rec;
}

namespace {

std::string at(std::string_view field, size_t i) {
  return fmt::format("spec.{}[{}]", field, i);
}

// A non-empty list field of the spec.
Parsed<const boost::json::array*> list_field(const boost::json::value& spec, std::string_view field,
                                             std::string_view what) {
  std::string path = fmt::format("spec.{}", field);
  auto arr = json::opt_array(json::member(&spec, field), path);
  if (!arr) return tl::unexpected(arr.error());
  if (!*arr) return invalid(fmt::format("{}: required (at least one {})", path, what));
  if ((*arr)->empty()) return invalid(fmt::format("{}: needs at least one {}", path, what));
  return *arr;
}

Parsed<Name> name_value(const boost::json::value* v, const std::string& path, const Name& zone,
                        NameRule rule) {
  auto text = json::req_string(v, path);
  if (!text) return tl::unexpected(text.error());
  auto n = parse_spec_name(*text, zone, rule);
  if (!n) return invalid(fmt::format("{}: {}", path, n.error()));
  return n;
}

// Adds each string of a list field, turned into an Rdata by `make`.
template <class Make>
Parsed<bool> add_strings(RRset& set, const boost::json::value& spec, std::string_view field,
                         std::string_view what, Make make) {
  auto arr = list_field(spec, field, what);
  if (!arr) return tl::unexpected(arr.error());
  for (size_t i = 0; i < (*arr)->size(); ++i) {
    std::string path = at(field, i);
    auto text = json::req_string(&(**arr)[i], path);
    if (!text) return tl::unexpected(text.error());
    Parsed<Rdata> rd = make(*text, path);
    if (!rd) return tl::unexpected(rd.error());
    set.add(std::move(*rd));
  }
  return true;
}

template <class Make>
Parsed<bool> add_objects(RRset& set, const boost::json::value& spec, std::string_view field,
                         std::string_view what, Make make) {
  auto arr = list_field(spec, field, what);
  if (!arr) return tl::unexpected(arr.error());
  for (size_t i = 0; i < (*arr)->size(); ++i) {
    std::string path = at(field, i);
    const auto& item = (**arr)[i];
    auto obj = json::opt_object(&item, path);
    if (!obj) return tl::unexpected(obj.error());
    Parsed<Rdata> rd = make(item, path);
    if (!rd) return tl::unexpected(rd.error());
    set.add(std::move(*rd));
  }
  return true;
}

// A required unsigned field of an item, in the range of T (uint8_t, uint16_t).
template <class T>
Parsed<T> unsigned_field(const boost::json::value& item, std::string_view key,
                         const std::string& path) {
  auto n = json::req_int(json::member(&item, key), path + "." + std::string(key), 0,
                         std::numeric_limits<T>::max());
  if (!n) return tl::unexpected(n.error());
  return static_cast<T>(*n);
}

Parsed<uint16_t> u16(const boost::json::value& item, std::string_view key,
                     const std::string& path) {
  return unsigned_field<uint16_t>(item, key, path);
}

// An optional string of an item ("" when absent).
Parsed<std::string> opt_text(const boost::json::value& item, std::string_view key,
                             const std::string& path) {
  auto v = json::opt_string(json::member(&item, key), path + "." + std::string(key));
  if (!v) return tl::unexpected(v.error());
  return v->value_or("");
}

Parsed<uint8_t> u8(const boost::json::value& item, std::string_view key, const std::string& path) {
  return unsigned_field<uint8_t>(item, key, path);
}

// The record data from its presentation form, built from typed fields by the caller (names
// absolute), so every type is checked by the one parser the DNSEndpoint targets use too.
Parsed<Rdata> presented(RRType type, const std::string& text, const std::string& path) {
  static const Name root;
  auto rd = Rdata::parse(type, text, root);
  if (!rd) return invalid(fmt::format("{}: {}", path, rd.error()));
  return rd;
}

// Hex digits (spaces allowed between them, as in zone files), at least one octet.
Parsed<std::string> hex_value(const boost::json::value& item, std::string_view key,
                              const std::string& path) {
  std::string field = path + "." + std::string(key);
  auto text = json::req_string(json::member(&item, key), field);
  if (!text) return tl::unexpected(text.error());
  std::string digits;
  for (char c : *text) {
    if (c == ' ') continue;
    if (model::hex_digit(c) < 0) {
      return invalid(fmt::format("{}: \"{}\" is not hexadecimal", field, *text));
    }
    digits.push_back(c);
  }
  if (digits.empty() || digits.size() % 2) {
    return invalid(fmt::format("{}: needs whole octets (an even number of hex digits), got {}",
                               field, digits.size()));
  }
  return digits;
}

Parsed<Rdata> naptr_rule(const boost::json::value& item, const std::string& path,
                         const Name& zone) {
  auto order = u16(item, "order", path);
  if (!order) return tl::unexpected(order.error());
  auto pref = u16(item, "preference", path);
  if (!pref) return tl::unexpected(pref.error());
  auto flags = opt_text(item, "flags", path);
  if (!flags) return tl::unexpected(flags.error());
  for (char c : *flags) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      return invalid(fmt::format(
          "{}.flags: \"{}\": flags are letters and digits (RFC 3403), e.g. S, A, U", path, *flags));
    }
  }
  auto services = opt_text(item, "services", path);
  if (!services) return tl::unexpected(services.error());
  auto regexp = opt_text(item, "regexp", path);
  if (!regexp) return tl::unexpected(regexp.error());
  Name replacement;  // the root: none
  if (const auto* r = json::member(&item, "replacement")) {
    auto text = json::req_string(r, path + ".replacement");
    if (!text) return tl::unexpected(text.error());
    if (*text != ".") {
      auto n = name_value(r, path + ".replacement", zone, NameRule::Domain);
      if (!n) return tl::unexpected(n.error());
      replacement = *n;
    }
  }
  if (!regexp->empty() && !replacement.is_root()) {
    return invalid(
        fmt::format("{}: regexp and replacement exclude each other (RFC 3403 §4.1); "
                    "give one of them",
                    path));
  }
  return presented(
      RRType::NAPTR,
      fmt::format("{} {} {} {} {} {}", *order, *pref, model::quote_character_string(*flags),
                  model::quote_character_string(*services), model::quote_character_string(*regexp),
                  replacement.to_string()),
      path);
}

Parsed<Rdata> service_binding(RRType type, const boost::json::value& item, const std::string& path,
                              const Name& zone) {
  auto prio = u16(item, "priority", path);
  if (!prio) return tl::unexpected(prio.error());
  auto target =
      name_value(json::member(&item, "target"), path + ".target", zone, NameRule::HostOrRoot);
  if (!target) return tl::unexpected(target.error());
  auto params = opt_text(item, "params", path);
  if (!params) return tl::unexpected(params.error());
  return presented(type, fmt::format("{} {} {}", *prio, target->to_string(), *params),
                   path + ".params");
}

Parsed<bool> add_data(RRset& set, const RecordObject& rec, const boost::json::value& spec,
                      const Name& zone) {
  switch (rec.kind) {
    case Kind::A:
      return add_strings(set, spec, "ipv4Addresses", "address",
                         [](const std::string& s, const std::string& path) -> Parsed<Rdata> {
                           auto rd = Rdata::a(s);
                           if (!rd) return invalid(path + ": " + rd.error());
                           return rd;
                         });
    case Kind::AAAA:
      return add_strings(set, spec, "ipv6Addresses", "address",
                         [](const std::string& s, const std::string& path) -> Parsed<Rdata> {
                           auto rd = Rdata::aaaa(s);
                           if (!rd) return invalid(path + ": " + rd.error());
                           return rd;
                         });
    case Kind::CNAME:
    case Kind::DNAME: {
      std::string_view type = rec.kind == Kind::CNAME ? "CNAME" : "DNAME";
      const auto* t = json::member(&spec, "target");
      if (t && t->is_array()) {
        return invalid(fmt::format(
            "spec.target: a name holds exactly one {}, so it takes one target, got a list "
            "of {}",
            type, t->as_array().size()));
      }
      auto target = name_value(t, "spec.target", zone, NameRule::Domain);
      if (!target) return tl::unexpected(target.error());
      set.add(Rdata::name_target(record_type(rec.kind), *target));
      return true;
    }
    case Kind::NAPTR:
      return add_objects(set, spec, "rules", "rule",
                         [&](const boost::json::value& item, const std::string& path) {
                           return naptr_rule(item, path, zone);
                         });
    case Kind::SSHFP:
      return add_objects(
          set, spec, "fingerprints", "fingerprint",
          [&](const boost::json::value& item, const std::string& path) -> Parsed<Rdata> {
            auto alg = u8(item, "algorithm", path);
            if (!alg) return tl::unexpected(alg.error());
            auto type = u8(item, "type", path);
            if (!type) return tl::unexpected(type.error());
            auto hex = hex_value(item, "fingerprint", path);
            if (!hex) return tl::unexpected(hex.error());
            return presented(RRType::SSHFP, fmt::format("{} {} {}", *alg, *type, *hex), path);
          });
    case Kind::TLSA:
      return add_objects(
          set, spec, "associations", "association",
          [&](const boost::json::value& item, const std::string& path) -> Parsed<Rdata> {
            auto usage = u8(item, "usage", path);
            if (!usage) return tl::unexpected(usage.error());
            auto selector = u8(item, "selector", path);
            if (!selector) return tl::unexpected(selector.error());
            auto matching = u8(item, "matchingType", path);
            if (!matching) return tl::unexpected(matching.error());
            auto hex = hex_value(item, "data", path);
            if (!hex) return tl::unexpected(hex.error());
            return presented(RRType::TLSA,
                             fmt::format("{} {} {} {}", *usage, *selector, *matching, *hex), path);
          });
    case Kind::SVCB:
    case Kind::HTTPS:
      return add_objects(set, spec, "bindings", "binding",
                         [&](const boost::json::value& item, const std::string& path) {
                           return service_binding(record_type(rec.kind), item, path, zone);
                         });
    case Kind::NS:
      return add_strings(set, spec, "nameServers", "name server",
                         [&](const std::string& s, const std::string& path) -> Parsed<Rdata> {
                           auto n = parse_spec_name(s, zone, NameRule::Host);
                           if (!n) return invalid(path + ": " + n.error());
                           return Rdata::name_target(RRType::NS, *n);
                         });
    case Kind::PTR:
      return add_strings(set, spec, "targets", "target",
                         [&](const std::string& s, const std::string& path) -> Parsed<Rdata> {
                           auto n = parse_spec_name(s, zone, NameRule::Domain);
                           if (!n) return invalid(path + ": " + n.error());
                           return Rdata::name_target(RRType::PTR, *n);
                         });
    case Kind::TXT:
      return add_strings(set, spec, "texts", "text",
                         [](const std::string& s, const std::string& path) -> Parsed<Rdata> {
                           Rdata rd = Rdata::txt_from_text(s);
                           if (rd.wire_size() > 65535) {
                             return invalid(fmt::format(
                                 "{}: {} octets of text make a TXT record of {} octets; the "
                                 "limit is 65535",
                                 path, s.size(), rd.wire_size()));
                           }
                           return rd;
                         });
    case Kind::MX: {
      size_t items = 0;
      bool null_mx = false, null_mx_preferred = true;
      auto ok = add_objects(
          set, spec, "mailExchangers", "mail exchanger",
          [&](const boost::json::value& item, const std::string& path) -> Parsed<Rdata> {
            ++items;
            auto pref = u16(item, "preference", path);
            if (!pref) return tl::unexpected(pref.error());
            auto ex = name_value(json::member(&item, "exchange"), path + ".exchange", zone,
                                 NameRule::HostOrRoot);
            if (!ex) return tl::unexpected(ex.error());
            if (ex->is_root()) {
              null_mx = true;
              null_mx_preferred = *pref == 0;
            }
            return Rdata::mx(*pref, *ex);
          });
      if (!ok) return ok;
      if (null_mx && (items != 1 || !null_mx_preferred)) {
        return invalid(
            "spec.mailExchangers: a null MX (exchange \".\") must be the only mail exchanger "
            "and have preference 0 (RFC 7505)");
      }
      return true;
    }
    case Kind::SRV:
      return add_objects(
          set, spec, "services", "service",
          [&](const boost::json::value& item, const std::string& path) -> Parsed<Rdata> {
            auto prio = u16(item, "priority", path);
            if (!prio) return tl::unexpected(prio.error());
            auto weight = u16(item, "weight", path);
            if (!weight) return tl::unexpected(weight.error());
            auto port = u16(item, "port", path);
            if (!port) return tl::unexpected(port.error());
            auto target = name_value(json::member(&item, "target"), path + ".target", zone,
                                     NameRule::HostOrRoot);
            if (!target) return tl::unexpected(target.error());
            return Rdata::srv(*prio, *weight, *port, *target);
          });
    case Kind::CAA:
      return add_objects(
          set, spec, "entries", "entry",
          [&](const boost::json::value& item, const std::string& path) -> Parsed<Rdata> {
            auto flags = json::opt_int(json::member(&item, "flags"), path + ".flags", 0, 255);
            if (!flags) return tl::unexpected(flags.error());
            auto tag = json::req_string(json::member(&item, "tag"), path + ".tag");
            if (!tag) return tl::unexpected(tag.error());
            auto value = json::req_string(json::member(&item, "value"), path + ".value");
            if (!value) return tl::unexpected(value.error());
            auto rd = Rdata::caa(static_cast<uint8_t>(flags->value_or(0)), *tag, *value);
            if (!rd) return invalid(path + ".tag: " + rd.error());
            return rd;
          });
  }
  return invalid("unknown record kind");
}

// The owner starts with two underscore labels below the zone (_sip._tcp, _443._tcp).
bool underscore_pair(const Name& owner, const Name& zone) {
  auto labels = owner.labels();
  return owner.label_count() >= zone.label_count() + 2 && labels[0].size() > 1 &&
         labels[0][0] == '_' && labels[1].size() > 1 && labels[1][0] == '_';
}

NameRule owner_rule(Kind k) {
  return k == Kind::A || k == Kind::AAAA || k == Kind::SSHFP ? NameRule::HostOwner
                                                             : NameRule::Owner;
}

}  // namespace

Parsed<RRset> record_rrset(const RecordObject& rec, const Name& zone, uint32_t zone_default_ttl) {
  boost::system::error_code ec;
  const boost::json::value spec = boost::json::parse(rec.spec, ec);
  if (ec || !spec.is_object()) return invalid("spec: must be an object");
  // spec.name
  if (rec.spec_name.empty()) {
    const auto* n = json::member(&spec, "name");
    if (n && !n->is_string()) {
      return invalid(fmt::format("spec.name: must be a string, got {}", json::describe(*n)));
    }
    return invalid("spec.name: required (a name relative to the zone, or \"@\" for the apex)");
  }
  // spec.ttl (decode_record leaves ttl empty when the field is malformed)
  uint32_t ttl = zone_default_ttl;
  if (rec.ttl) {
    ttl = *rec.ttl;
  } else if (const auto* t = json::member(&spec, "ttl")) {
    auto bad = json::opt_int(t, "spec.ttl", 0, kMaxTtl);
    return invalid(bad ? "spec.ttl: out of range" : bad.error());
  }
  if (ttl > kMaxTtl) return invalid(fmt::format("spec.ttl: {} exceeds {}", ttl, kMaxTtl));

  auto owner = parse_spec_name(rec.spec_name, zone, owner_rule(rec.kind));
  if (!owner) return invalid("spec.name: " + owner.error());
  if (!owner->is_subdomain_of(zone)) {
    return invalid(
        fmt::format("spec.name: \"{}\" is outside the zone {}", rec.spec_name, zone.to_string()));
  }
  if (rec.kind == Kind::TLSA) {
    if (!underscore_pair(*owner, zone)) {
      return invalid(fmt::format(
          "spec.name: \"{}\" must start with _port._protocol labels (RFC 6698), e.g. _443._tcp",
          rec.spec_name));
    }
  }
  if (rec.kind == Kind::CNAME && *owner == zone) {
    return invalid(fmt::format(
        "spec.name: a CNAME cannot be at the zone apex {}, which holds the SOA and NS records",
        zone.to_string()));
  }
  if (rec.kind == Kind::NS && *owner == zone) {
    return invalid(fmt::format(
        "spec.name: the apex NS records of {} come from the DNSZone's spec.nameServers; an "
        "NSRecord delegates a name below the apex",
        zone.to_string()));
  }
  if (rec.kind == Kind::SRV) {
    if (!underscore_pair(*owner, zone)) {
      return invalid(
          fmt::format("spec.name: \"{}\" must start with _service._proto labels (RFC 2782), e.g. "
                      "_sip._tcp",
                      rec.spec_name));
    }
  }

  RRset set(*owner, record_type(rec.kind), ttl);
  auto ok = add_data(set, rec, spec, zone);
  if (!ok) return tl::unexpected(ok.error());
  if (set.wire_size() > kMaxRRsetWire) {
    return invalid(fmt::format(
        "spec: the records add up to {} octets; one RRset may hold at most {} so that its "
        "replacement fits one UPDATE message",
        set.wire_size(), kMaxRRsetWire));
  }
  auto valid = set.validate();
  if (!valid) return invalid("spec: " + valid.error());
  return set;
}

}  // namespace zk::api
