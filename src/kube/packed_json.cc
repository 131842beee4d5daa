#include "kube/packed_json.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <vector>

#include "kube/microtime.h"

namespace zk::kube {

namespace {

// The stored JSON is packed: each of these fragments, where it occurs, is one byte, its index + 1
// (1 … 31). Serialized JSON never holds those bytes raw (a control character in a string is
// written as an escape), so the text reads back unambiguously. They are the keys and constant
// values that make up half of a record's text once it carries a status (bench/README.md:
// informer objects 1.2 KB → 0.6 KB at 10,000 records). The API server writes keys in sorted
// order, which the fragments spanning two keys follow, and a few follow the order of the status
// bodies the controller writes (api::conditions_to_json); where they do not occur, nothing
// changes.
constexpr std::array<std::string_view, 31> kFragments = {
    R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":")",
    R"(","metadata":{"annotations":{)",
    R"(","metadata":{)",
    R"("dns.zonekeeper.io/zone":")",
    R"("creationTimestamp":")",
    R"(","generation":)",
    R"("labels":{)",
    R"("name":")",
    R"("namespace":")",
    R"("resourceVersion":")",
    R"(","uid":")",
    R"("spec":{)",
    R"("status":{"conditions":[{"lastTransitionTime":")",
    R"({"lastTransitionTime":")",
    R"(","message":")",
    R"("observedGeneration":)",
    R"(","reason":")",
    R"(","status":"True","type":")",
    R"(","status":"False","type":")",
    R"("fqdn":")",
    R"("lastUpdated":")",
    R"("recordHash":")",
    R"("zone":")",
    R"("ipv4Addresses":[")",
    R"("ipv6Addresses":[")",
    R"(Ready"},)",
    R"(Propagated"}],)",
    R"({"conditions":[{"type":"Ready","status":")",
    R"(","lastTransitionTime":")",
    R"({"type":"Propagated","status":")",
    R"(","observedGeneration":)",
};

// For each first byte, the fragments that start with it, longest first.
const std::array<std::vector<uint8_t>, 256>& fragments_by_first_byte() {
  static const auto table = [] {
    std::array<std::vector<uint8_t>, 256> t;
    for (size_t i = 0; i < kFragments.size(); ++i) {
      t[static_cast<unsigned char>(kFragments[i][0])].push_back(uint8_t(i));
    }
    for (auto& v : t) {
      std::stable_sort(v.begin(), v.end(), [](uint8_t a, uint8_t b) {
        return kFragments[a].size() > kFragments[b].size();
      });
    }
    return t;
  }();
  return table;
}

// Values kept in binary (memory: a record with its status holds four timestamps, a hash and a
// UUID: 180 octets as text, 80 so): a NUL (never raw in serialized JSON either), a tag, then a
// fixed number of octets. Only a value the packing gives back byte for byte is taken,
// and only where it starts a JSON string (after a '"') and ends at its closing '"'.
enum Binary : uint8_t {
  kTimestamp = 1,  // "YYYY-MM-DDTHH:MM:SSZ", 1970 … 9999: 5 octets, seconds since 1970
  kUuid = 2,       // 8-4-4-4-12 lowercase hex digits: 16 octets
  kHash = 3,       // 64 lowercase hex digits (recordHash): 32 octets
};
constexpr size_t kTimestampText = 20, kTimestampOctets = 5;
constexpr size_t kUuidText = 36, kUuidOctets = 16;
constexpr size_t kHashText = 64, kHashOctets = 32;

bool digits(std::string_view s, size_t at, size_t n, unsigned& out) {
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + unsigned(s[i] - '0');
  }
  return true;
}

// The seconds of `t` (kTimestampText long), when it is a timestamp the packing gives back
// exactly; -1 otherwise.
int64_t timestamp_seconds(std::string_view t) {
  unsigned y, mo, d, h, mi, s;
  if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z' ||
      !digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) ||
      !digits(t, 14, 2, mi) || !digits(t, 17, 2, s) || y < 1970 || mo < 1 || mo > 12 || d < 1 ||
      d > 31 || h > 23 || mi > 59 || s > 59) {
    return -1;
  }
  std::tm tm{};
  tm.tm_year = int(y) - 1900;
  tm.tm_mon = int(mo) - 1;
  tm.tm_mday = int(d);
  tm.tm_hour = int(h);
  tm.tm_min = int(mi);
  tm.tm_sec = int(s);
  const int64_t seconds = timegm(&tm);  // normalizes Feb 30 and the like: then the text differs
  return seconds >= 0 && format_time(std::time_t(seconds)) == t ? seconds : -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase too: it would come back lowercase
}

// Where a UUID's text has its dashes.
bool uuid_dash(size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

// Appends the octets of the lowercase hex digits of `t` (a UUID's dashes skipped when `uuid`);
// false, and nothing appended, unless every other character is one.
bool append_hex(std::string_view t, bool uuid, std::string& out) {
  std::string octets;
  int high = -1;
  for (size_t i = 0; i < t.size(); ++i) {
    if (uuid && uuid_dash(i)) {
      if (t[i] != '-') return false;
      continue;
    }
    const int v = hex_value(t[i]);
    if (v < 0) return false;
    if (high < 0) {
      high = v;
    } else {
      octets.push_back(char(high << 4 | v));
      high = -1;
    }
  }
  out += octets;
  return true;
}

// Packs the value starting at `text[i]` in binary when it is one; the text it stood for.
size_t pack_binary(std::string_view text, size_t i, std::string& out) {
  if (i == 0 || text[i - 1] != '"') return 0;
  const std::string_view rest = text.substr(i);
  auto closed = [&](size_t n) { return rest.size() > n && rest[n] == '"'; };
  if (closed(kTimestampText)) {
    if (int64_t s = timestamp_seconds(rest.substr(0, kTimestampText)); s >= 0) {
      out.push_back('\0');
      out.push_back(char(kTimestamp));
      for (int shift = 32; shift >= 0; shift -= 8) out.push_back(char(uint8_t(s >> shift)));
      return kTimestampText;
    }
  }
  const size_t mark = out.size();
  out.push_back('\0');
  if (closed(kUuidText)) {
    out.push_back(char(kUuid));
    if (append_hex(rest.substr(0, kUuidText), true, out)) return kUuidText;
    out.pop_back();
  }
  if (closed(kHashText)) {
    out.push_back(char(kHash));
    if (append_hex(rest.substr(0, kHashText), false, out)) return kHashText;
  }
  out.resize(mark);
  return 0;
}

// The text of append_hex's octets, appended.
void unpack_hex(std::string_view octets, bool uuid, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  size_t at = 0;  // into the value's text
  for (unsigned char c : octets) {
    for (int v : {c >> 4, c & 15}) {
      if (uuid && uuid_dash(at)) {
        out.push_back('-');
        ++at;
      }
      out.push_back(kDigits[v]);
      ++at;
    }
  }
}

}  // namespace

std::string pack_json(std::string_view text) {
  const auto& table = fragments_by_first_byte();
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (size_t n = pack_binary(text, i, out)) {
      i += n;
      continue;
    }
    const auto& candidates = table[static_cast<unsigned char>(text[i])];
    bool matched = false;
    for (uint8_t f : candidates) {
      if (text.substr(i, kFragments[f].size()) == kFragments[f]) {
        out.push_back(char(f + 1));
        i += kFragments[f].size();
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back(text[i++]);
  }
  out.shrink_to_fit();
  return out;
}

void unpack_json(std::string_view packed, std::string& out) {
  out.clear();
  out.reserve(packed.size() * 2);
  for (size_t i = 0; i < packed.size();) {
    auto b = static_cast<unsigned char>(packed[i++]);
    if (b == 0 && i < packed.size()) {
      const auto tag = static_cast<uint8_t>(packed[i++]);
      if (tag == kTimestamp && packed.size() - i >= kTimestampOctets) {
        int64_t s = 0;
        for (size_t k = 0; k < kTimestampOctets; ++k) s = s << 8 | uint8_t(packed[i + k]);
        out += format_time(std::time_t(s));
        i += kTimestampOctets;
      } else if (tag == kUuid && packed.size() - i >= kUuidOctets) {
        unpack_hex(packed.substr(i, kUuidOctets), true, out);
        i += kUuidOctets;
      } else if (tag == kHash && packed.size() - i >= kHashOctets) {
        unpack_hex(packed.substr(i, kHashOctets), false, out);
        i += kHashOctets;
      }
    } else if (b >= 1 && b <= kFragments.size()) {
      out.append(kFragments[b - 1]);
    } else {
      out.push_back(char(b));
    }
  }
}

}  // namespace zk::kube
