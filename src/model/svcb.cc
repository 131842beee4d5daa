#include "model/svcb.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "model/base64.h"
#include "model/rdata.h"

namespace zk::model {
namespace {

enum Key : uint16_t {
  kMandatory = 0,
  kAlpn = 1,
  kNoDefaultAlpn = 2,
  kPort = 3,
  kIpv4Hint = 4,
  kEch = 5,
  kIpv6Hint = 6,
  kDohPath = 7,
  kOhttp = 8,
  kReserved = 65535,
};

constexpr std::pair<std::string_view, uint16_t> kNames[] = {
    {"mandatory", kMandatory}, {"alpn", kAlpn},         {"no-default-alpn", kNoDefaultAlpn},
    {"port", kPort},           {"ipv4hint", kIpv4Hint}, {"ech", kEch},
    {"ipv6hint", kIpv6Hint},   {"dohpath", kDohPath},   {"ohttp", kOhttp},
};

std::string key_name(uint16_t key) {
  for (const auto& [name, k] : kNames) {
    if (k == key) return std::string(name);
  }
  return fmt::format("key{}", key);
}

Parsed<uint16_t> parse_key(std::string_view text) {
  for (const auto& [name, k] : kNames) {
    if (name == text) return k;
  }
  if (text.size() > 3 && text.substr(0, 3) == "key") {
    uint32_t v = 0;
    auto digits = text.substr(3);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc() && p == digits.data() + digits.size() && v <= 65535 &&
        (digits.size() == 1 || digits[0] != '0')) {
      if (v == kReserved) return invalid("SvcParam key65535 is reserved");
      return static_cast<uint16_t>(v);
    }
  }
  return invalid(fmt::format("unknown SvcParam key \"{}\"", text));
}

// Splits the text into "key" / "key=value" items; quotes (anywhere) group spaces, a backslash
// escapes the next character. Quotes are removed, escapes kept.
Parsed<std::vector<std::string>> split_items(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  bool in_item = false, quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return invalid("SvcParams: dangling backslash");
      cur.push_back(c);
      cur.push_back(text[++i]);
      in_item = true;
      continue;
    }
    if (c == '"') {
      quoted = !quoted;
      in_item = true;
      continue;
    }
    if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      if (in_item) out.push_back(std::move(cur));
      cur.clear();
      in_item = false;
      continue;
    }
    cur.push_back(c);
    in_item = true;
  }
  if (quoted) return invalid("SvcParams: unterminated quoted value");
  if (in_item) out.push_back(std::move(cur));
  return out;
}

// The items of a comma-separated value list (after char-string unescaping with `list`).
Parsed<std::vector<std::string>> split_list(std::string_view value, std::string_view key) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      out.back().push_back(value[++i]);
    } else if (value[i] == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(value[i]);
    }
  }
  for (const auto& item : out) {
    if (item.empty()) return invalid(fmt::format("SvcParam {}: an empty list item", key));
  }
  return out;
}

void put16(std::vector<uint8_t>& w, uint16_t v) {
  w.push_back(static_cast<uint8_t>(v >> 8));
  w.push_back(static_cast<uint8_t>(v));
}

uint16_t get16(std::span<const uint8_t> d, size_t at) {
  return static_cast<uint16_t>(d[at] << 8 | d[at + 1]);
}

// Presentation of a char-string value: quoted, with '"', '\' and non-printables escaped;
// `list_item`: commas and backslashes inside an item are escaped for the list level first.
std::string quote(std::string_view raw, bool list_item = false) {
  std::string out;
  for (unsigned char c : raw) {
    if (list_item && (c == ',' || c == '\\')) {
      out += c == ',' ? "\\\\," : "\\\\\\\\";  // list escape, then char-string escape
      continue;
    }
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7e) {
      out += fmt::format("\\{:03d}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Checks one value in wire form; the message names the key.
Parsed<bool> check_value(uint16_t key, std::span<const uint8_t> v) {
  std::string name = key_name(key);
  auto bad = [&](std::string_view why) {
    return invalid(fmt::format("SvcParam {}: {}", name, why));
  };
  switch (key) {
    case kMandatory:
      if (v.empty() || v.size() % 2) return bad("not a list of keys");
      for (size_t i = 0; i < v.size(); i += 2) {
        uint16_t k = get16(v, i);
        if (k == kMandatory) return bad("lists mandatory itself");
        if (i > 0 && k <= get16(v, i - 2)) return bad("keys not strictly ascending");
      }
      return true;
    case kAlpn:
      if (v.empty()) return bad("no protocol");
      for (size_t i = 0; i < v.size();) {
        size_t len = v[i];
        if (len == 0) return bad("an empty protocol id");
        if (i + 1 + len > v.size()) return bad("a protocol id runs past the value");
        i += 1 + len;
      }
      return true;
    case kNoDefaultAlpn:
    case kOhttp:
      if (!v.empty()) return bad("takes no value");
      return true;
    case kPort:
      if (v.size() != 2) return bad("not a 16-bit port");
      return true;
    case kIpv4Hint:
      if (v.empty() || v.size() % 4) return bad("not a list of IPv4 addresses");
      return true;
    case kIpv6Hint:
      if (v.empty() || v.size() % 16) return bad("not a list of IPv6 addresses");
      return true;
    case kEch:
    case kDohPath:
      if (v.empty()) return bad("empty");
      return true;
    case kReserved:
      return bad("key65535 is reserved");
    default:
      return true;
  }
}

// Whole-set rules over (key → value), then the wire form.
Parsed<std::vector<uint8_t>> assemble(const std::map<uint16_t, std::vector<uint8_t>>& params) {
  for (const auto& [key, value] : params) {
    auto ok = check_value(key, value);
    if (!ok) return tl::unexpected(ok.error());
  }
  if (auto m = params.find(kMandatory); m != params.end()) {
    for (size_t i = 0; i < m->second.size(); i += 2) {
      uint16_t k = get16(m->second, i);
      if (!params.count(k)) {
        return invalid(fmt::format("SvcParam mandatory lists {}, which is absent", key_name(k)));
      }
    }
  }
  if (params.count(kNoDefaultAlpn) && !params.count(kAlpn)) {
    return invalid("SvcParam no-default-alpn needs alpn");
  }
  std::vector<uint8_t> w;
  for (const auto& [key, value] : params) {
    if (value.size() > 65535) return invalid(fmt::format("SvcParam {}: too long", key_name(key)));
    put16(w, key);
    put16(w, static_cast<uint16_t>(value.size()));
    w.insert(w.end(), value.begin(), value.end());
  }
  return w;
}

Parsed<std::vector<uint8_t>> value_from_text(uint16_t key, const std::optional<std::string>& raw) {
  std::string name = key_name(key);
  bool takes_none = key == kNoDefaultAlpn || key == kOhttp;
  if (takes_none) {
    if (raw && !raw->empty()) return invalid(fmt::format("SvcParam {} takes no value", name));
    return std::vector<uint8_t>{};
  }
  bool list = key == kMandatory || key == kAlpn || key == kIpv4Hint || key == kIpv6Hint;
  if (!raw || raw->empty()) {
    if (key > kOhttp) return std::vector<uint8_t>{};  // keyNNNNN: an empty value is allowed
    return invalid(fmt::format("SvcParam {} needs a value", name));
  }
  // Char-string escapes first; a list is split afterwards on the unescaped text, where \, and
  // \\ are the list level's escapes (RFC 9460 A.1).
  auto text = unescape_character_string(*raw);
  if (!text) return invalid(fmt::format("SvcParam {}: {}", name, text.error()));
  std::vector<uint8_t> w;
  if (!list) {
    if (key == kPort) {
      uint32_t port = 0;
      auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), port);
      if (ec != std::errc() || p != text->data() + text->size() || port > 65535) {
        return invalid(
            fmt::format("SvcParam port \"{}\" is not a number in range 0..65535", *text));
      }
      put16(w, static_cast<uint16_t>(port));
      return w;
    }
    if (key == kEch) {
      auto octets = decode_base64(*text);
      if (!octets) return invalid(fmt::format("SvcParam ech: {}", octets.error()));
      return *octets;
    }
    return std::vector<uint8_t>(text->begin(), text->end());
  }
  auto items = split_list(*text, name);
  if (!items) return tl::unexpected(items.error());
  if (key == kMandatory) {
    std::vector<uint16_t> keys;
    for (const auto& item : *items) {
      auto k = parse_key(item);
      if (!k) return invalid(fmt::format("SvcParam mandatory: {}", k.error()));
      if (std::find(keys.begin(), keys.end(), *k) != keys.end()) {
        return invalid(fmt::format("SvcParam mandatory lists {} twice", item));
      }
      keys.push_back(*k);
    }
    std::sort(keys.begin(), keys.end());
    for (uint16_t k : keys) put16(w, k);
    return w;
  }
  for (const auto& item : *items) {
    if (key == kAlpn) {
      if (item.size() > 255) return invalid("SvcParam alpn: a protocol id over 255 octets");
      w.push_back(static_cast<uint8_t>(item.size()));
      w.insert(w.end(), item.begin(), item.end());
      continue;
    }
    bool v6 = key == kIpv6Hint;
    uint8_t addr[16];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, item.c_str(), addr) != 1) {
      return invalid(
          fmt::format("SvcParam {}: \"{}\" is not an IPv{} address", name, item, v6 ? 6 : 4));
    }
    w.insert(w.end(), addr, addr + (v6 ? 16 : 4));
  }
  return w;
}

std::string value_to_text(uint16_t key, std::span<const uint8_t> v) {
  switch (key) {
    case kMandatory: {
      std::string out;
      for (size_t i = 0; i < v.size(); i += 2) {
        if (!out.empty()) out.push_back(',');
        out += key_name(get16(v, i));
      }
      return out;
    }
    case kAlpn: {
      std::string out = "\"";
      for (size_t i = 0; i < v.size(); i += 1 + v[i]) {
        if (i > 0) out.push_back(',');
        out += quote(std::string_view(reinterpret_cast<const char*>(v.data() + i + 1), v[i]), true);
      }
      return out + "\"";
    }
    case kPort:
      return std::to_string(get16(v, 0));
    case kIpv4Hint:
    case kIpv6Hint: {
      bool v6 = key == kIpv6Hint;
      size_t step = v6 ? 16 : 4;
      std::string out;
      for (size_t i = 0; i < v.size(); i += step) {
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(v6 ? AF_INET6 : AF_INET, v.data() + i, buf, sizeof buf);
        if (!out.empty()) out.push_back(',');
        out += buf;
      }
      return out;
    }
    case kEch: {
      static constexpr char kAlphabet[] =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      std::string out;
      for (size_t i = 0; i < v.size(); i += 3) {
        uint32_t n = static_cast<uint32_t>(v[i]) << 16;
        if (i + 1 < v.size()) n |= static_cast<uint32_t>(v[i + 1]) << 8;
        if (i + 2 < v.size()) n |= v[i + 2];
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(i + 1 < v.size() ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back(i + 2 < v.size() ? kAlphabet[n & 63] : '=');
      }
      return out;
    }
    default:
      return "\"" + quote(std::string_view(reinterpret_cast<const char*>(v.data()), v.size())) +
             "\"";
  }
}

}  // namespace

Parsed<std::vector<uint8_t>> svc_params_from_text(std::string_view text) {
  auto items = split_items(text);
  if (!items) return tl::unexpected(items.error());
  std::map<uint16_t, std::vector<uint8_t>> params;
  for (const auto& item : *items) {
    size_t eq = item.find('=');
    std::string key_text = item.substr(0, eq);
    auto key = parse_key(key_text);
    if (!key) return tl::unexpected(key.error());
    if (params.count(*key)) return invalid(fmt::format("SvcParam {} given twice", key_name(*key)));
    std::optional<std::string> raw;
    if (eq != std::string::npos) raw = item.substr(eq + 1);
    auto value = value_from_text(*key, raw);
    if (!value) return tl::unexpected(value.error());
    params.emplace(*key, std::move(*value));
  }
  return assemble(params);
}

Parsed<std::vector<uint8_t>> svc_params_from_wire(std::span<const uint8_t> wire) {
  std::map<uint16_t, std::vector<uint8_t>> params;
  std::optional<uint16_t> last;
  for (size_t i = 0; i < wire.size();) {
    if (i + 4 > wire.size()) return invalid("SvcParams: a key without its length");
    uint16_t key = get16(wire, i), len = get16(wire, i + 2);
    if (i + 4 + len > wire.size()) return invalid("SvcParams: a value runs past the data");
    if (last && key <= *last) return invalid("SvcParams: keys not strictly ascending");
    last = key;
    params.emplace(key,
                   std::vector<uint8_t>(wire.begin() + static_cast<std::ptrdiff_t>(i + 4),
                                        wire.begin() + static_cast<std::ptrdiff_t>(i + 4 + len)));
    i += 4 + len;
  }
  return assemble(params);
}

std::string svc_params_to_text(std::span<const uint8_t> wire) {
  std::string out;
  for (size_t i = 0; i + 4 <= wire.size();) {
    uint16_t key = get16(wire, i), len = get16(wire, i + 2);
    auto value = wire.subspan(i + 4, std::min<size_t>(len, wire.size() - i - 4));
    if (!out.empty()) out.push_back(' ');
    out += key_name(key);
    if (key != kNoDefaultAlpn && key != kOhttp && !(key > kOhttp && value.empty())) {
      out += "=" + value_to_text(key, value);
    }
    i += 4 + len;
  }
  return out;
}

}  // namespace zk::model
