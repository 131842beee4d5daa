#include "plan/registry.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/ascii.h"
#include "model/hex.h"

namespace zk::plan {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

bool has_template(const RegistryConfig& cfg) {
  return cfg.prefix.find(kRecordTypeTemplate) != std::string::npos ||
         cfg.suffix.find(kRecordTypeTemplate) != std::string::npos;
}

// Lowercase presentation form without the trailing dot ("" for the root).
std::string plain(const Name& n) {
  std::string s = n.to_string();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return model::ascii_lower(s);
}

// Splits at the first '.' that is not escaped: {"www", "example.test"}.
std::pair<std::string, std::string> split_first(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '.') return {s.substr(0, i), s.substr(i + 1)};
  }
  return {s, ""};
}

std::optional<Name> to_name(const std::string& s) {
  auto n = Name::parse(s + ".");
  if (!n) return std::nullopt;
  return *n;
}

// The types a new-format name may carry (external-dns' list plus the ones we write).
const std::vector<std::string>& registry_types() {
  static const std::vector<std::string> types = {"a",     "aaaa",  "cname", "ns",   "mx",
                                                 "srv",   "naptr", "txt",   "ptr",  "caa",
                                                 "dname", "sshfp", "tlsa",  "svcb", "https"};
  return types;
}

std::string type_label(RRType t) {
  return model::ascii_lower(model::to_string(t));
}

// external-dns extractRecordTypeDefaultPosition: "a-www" → ("www", "a").
RegistryKey extract_default_type(const std::string& name) {
  auto dash = name.find('-');
  std::string first = name.substr(0, dash);
  if (dash != std::string::npos) {
    for (const auto& t : registry_types()) {
      if (first == t) return {name.substr(dash + 1), t};
    }
  }
  return {name, ""};
}

// external-dns dropAffixExtractType.
std::optional<RegistryKey> drop_affix(const std::string& name, const RegistryConfig& cfg) {
  std::string prefix = model::ascii_lower(cfg.prefix);
  std::string suffix = model::ascii_lower(cfg.suffix);
  bool is_prefix = suffix.empty();
  if (has_template(cfg)) {
    for (const auto& t : registry_types()) {
      std::string p = replace_all(prefix, kRecordTypeTemplate, t);
      std::string s = replace_all(suffix, kRecordTypeTemplate, t);
      if (is_prefix && starts_with(name, p)) return RegistryKey{name.substr(p.size()), t};
      if (!is_prefix && ends_with(name, s)) {
        return RegistryKey{name.substr(0, name.size() - s.size()), t};
      }
    }
    prefix = replace_all(prefix, kRecordTypeTemplate, "");
    suffix = replace_all(suffix, kRecordTypeTemplate, "");
  }
  if (is_prefix && starts_with(name, prefix)) {
    return extract_default_type(name.substr(prefix.size()));
  }
  if (!is_prefix && ends_with(name, suffix)) {
    return extract_default_type(name.substr(0, name.size() - suffix.size()));
  }
  return std::nullopt;
}

std::string affix_name(const Name& record, const std::string& type, const RegistryConfig& cfg) {
  auto [host, domain] = split_first(plain(record));
  if (!cfg.wildcard_replacement.empty() && host == "*")
    host = model::ascii_lower(cfg.wildcard_replacement);
  std::string prefix = model::ascii_lower(cfg.prefix);
  std::string suffix = model::ascii_lower(cfg.suffix);
  prefix = replace_all(prefix, kRecordTypeTemplate, type);
  suffix = replace_all(suffix, kRecordTypeTemplate, type);
  if (!type.empty() && !has_template(cfg)) host = type + "-" + host;
  std::string out = prefix + host + suffix;
  if (!domain.empty()) out += "." + domain;
  return out;
}

// external-dns NewLabelsFromStringPlain: surrounding quotes dropped, tokens split at ',', a
// token with exactly one '=' is key=value; anything else is skipped.
template <class F>
void for_each_token(std::string_view text, F&& f) {
  while (!text.empty() && text.front() == '"') text.remove_prefix(1);
  while (!text.empty() && text.back() == '"') text.remove_suffix(1);
  while (true) {
    auto comma = text.find(',');
    std::string_view token = text.substr(0, comma);
    auto eq = token.find('=');
    if (eq != std::string_view::npos && token.find('=', eq + 1) == std::string_view::npos) {
      f(token.substr(0, eq), token.substr(eq + 1));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

std::string joined_text(const Rdata& rd) {
  std::string text;
  for (const auto& s : rd.txt_strings()) text += s;
  return text;
}

}  // namespace

model::Parsed<bool> RegistryConfig::validate() const {
  if (owner_id.empty()) return model::invalid("the registry owner id is empty");
  if (owner_id.find_first_of(",=\"") != std::string::npos) {
    return model::invalid(
        fmt::format("the registry owner id \"{}\" holds ',', '=' or '\"'", owner_id));
  }
  if (!prefix.empty() && !suffix.empty()) {
    return model::invalid("the registry prefix and suffix are mutually exclusive");
  }
  return true;
}

std::optional<Labels> parse_labels(std::string_view text) {
  Labels labels;
  bool heritage = false;
  bool foreign = false;
  for_each_token(text, [&](std::string_view key, std::string_view value) {
    if (key == "heritage") {
      foreign = foreign || value != kHeritage;
      heritage = true;
    } else if (starts_with(key, kHeritage)) {
      key.remove_prefix(kHeritage.size());
      if (!key.empty() && key.front() == '/') key.remove_prefix(1);
      labels[std::string(key)] = std::string(value);
    }
  });
  if (!heritage || foreign) return std::nullopt;
  return labels;
}

std::string serialize_labels(const Labels& labels) {
  std::string out = fmt::format("heritage={}", kHeritage);
  for (const auto& [k, v] : labels) out += fmt::format(",{}/{}={}", kHeritage, k, v);
  return out;
}

namespace {

std::string percent_escape(unsigned char c) {
  bool escaped = c < 0x20 || c >= 0x7f || c == '%' || c == ',' || c == '=' || c == '"' || c == '\\';
  return escaped ? fmt::format("%{:02X}", c) : std::string();
}

}  // namespace

std::string encode_note_value(std::string_view value, size_t limit) {
  return model::escape_and_cut(value, limit, percent_escape);
}

std::string decode_note_value(std::string_view encoded) {
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size() && model::hex_digit(encoded[i + 1]) >= 0 &&
        model::hex_digit(encoded[i + 2]) >= 0) {
      out += static_cast<char>(model::hex_digit(encoded[i + 1]) * 16 +
                               model::hex_digit(encoded[i + 2]));
      i += 2;
      continue;
    }
    out += encoded[i];
  }
  return out;
}

model::RecordNotes parse_notes(std::string_view text) {
  model::RecordNotes notes;
  for_each_token(text, [&](std::string_view key, std::string_view value) {
    if (key == kNoteOwnerKey) notes.owner = decode_note_value(value);
    if (key == kNoteDescriptionKey) notes.description = decode_note_value(value);
  });
  return notes;
}

Rdata registry_rdata(std::string_view owner_id, std::string_view resource,
                     const model::RecordNotes& notes) {
  Labels labels{{"owner", std::string(owner_id)}};
  if (!resource.empty()) labels["resource"] = std::string(resource);
  std::string text = serialize_labels(labels);
  std::string owner = encode_note_value(notes.owner);
  std::string description = encode_note_value(notes.description);
  if (!owner.empty()) text += fmt::format(",{}={}", kNoteOwnerKey, owner);
  if (!description.empty()) text += fmt::format(",{}={}", kNoteDescriptionKey, description);
  return Rdata::txt_from_text(text);
}

std::optional<Name> registry_name(const Name& record, RRType type, const RegistryConfig& cfg) {
  return to_name(affix_name(record, type_label(type), cfg));
}

std::optional<Name> legacy_registry_name(const Name& record, const RegistryConfig& cfg) {
  return to_name(affix_name(record, "", cfg));
}

std::optional<RegistryKey> parse_registry_name(const Name& txt_name, const RegistryConfig& cfg) {
  std::string name = plain(txt_name);
  if (cfg.suffix.empty()) return drop_affix(name, cfg);
  // external-dns ToEndpointName, suffix: the suffix spans the first 1 + dots(suffix) labels.
  std::string suffix = model::ascii_lower(cfg.suffix);
  size_t dots = static_cast<size_t>(std::count(suffix.begin(), suffix.end(), '.'));
  std::vector<std::string> parts;
  std::string rest = name;
  while (parts.size() < dots + 1) {
    auto dot = rest.find('.');
    if (dot == std::string::npos) break;
    parts.push_back(rest.substr(0, dot));
    rest = rest.substr(dot + 1);
  }
  parts.push_back(rest);
  if (parts.size() <= dots) return std::nullopt;
  std::string head;
  for (size_t i = 0; i < std::min(parts.size(), dots + 1); ++i) {
    head += (i ? "." : "") + parts[i];
  }
  auto key = drop_affix(head, cfg);
  if (!key) return std::nullopt;
  if (parts.size() > dots + 1) key->name += "." + parts[dots + 1];
  return key;
}

RegistryKey registry_key(const RRsetKey& key, const RegistryConfig& cfg) {
  auto [host, domain] = split_first(plain(key.owner));
  if (!cfg.wildcard_replacement.empty() && host == "*")
    host = model::ascii_lower(cfg.wildcard_replacement);
  std::string name = domain.empty() ? host : host + "." + domain;
  return {name, type_label(key.type)};
}

const std::string& RegistryRecord::owner() const {
  static const std::string none;
  auto it = labels.find("owner");
  return it == labels.end() ? none : it->second;
}

Registry Registry::read(const Name& zone, const RRsetMap& served, const RegistryConfig& cfg) {
  (void)zone;
  Registry r;
  r.cfg_ = cfg;
  for (const auto& [key, set] : served) {
    if (key.type != RRType::TXT) {
      r.data_.emplace(key, set);
      continue;
    }
    RRset rest(set.owner(), set.type(), set.ttl());
    for (const auto& rd : set.rdatas()) {
      std::string text = joined_text(rd);
      auto labels = parse_labels(text);
      if (!labels) {
        rest.add(rd);
        continue;
      }
      size_t index = r.records_.size();
      auto rk = parse_registry_name(key.owner, cfg);
      r.records_.push_back({key.owner, rd, std::move(*labels), parse_notes(text), rk});
      if (rk) {
        r.by_key_[*rk].push_back(index);
        r.by_name_[rk->name].push_back(index);
      }
    }
    if (!rest.empty()) r.data_.emplace(key, std::move(rest));
  }
  return r;
}

std::vector<const RegistryRecord*> Registry::at(const Name& txt_name) const {
  std::vector<const RegistryRecord*> out;
  for (const auto& rec : records_) {
    if (rec.txt_name == txt_name) out.push_back(&rec);
  }
  return out;
}

std::optional<Claim> Registry::claim(const RRsetKey& key) const {
  RegistryKey k = registry_key(key, cfg_);
  auto it = by_key_.find(k);
  bool legacy = false;
  if (it == by_key_.end()) {
    if (!cfg_.legacy_types.count(key.type)) return std::nullopt;
    it = by_key_.find(RegistryKey{k.name, ""});
    if (it == by_key_.end()) return std::nullopt;
    legacy = true;
  }
  Claim c;
  c.legacy = legacy;
  std::set<std::string> owners;
  for (size_t i : it->second) owners.insert(records_[i].owner());
  if (owners.size() != 1) {
    c.contested = true;
    return c;
  }
  const auto& rec = records_[it->second.front()];
  c.owner = rec.owner();
  c.labels = rec.labels;
  c.notes = rec.notes;
  if (auto res = rec.labels.find("resource"); res != rec.labels.end()) c.resource = res->second;
  return c;
}

std::set<std::string> Registry::owners_at(const Name& record) const {
  std::set<std::string> out;
  auto it = by_name_.find(registry_key({record, RRType::A}, cfg_).name);
  if (it == by_name_.end()) return out;
  for (size_t i : it->second) out.insert(records_[i].owner());
  return out;
}

}  // namespace zk::plan
