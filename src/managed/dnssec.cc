#include "managed/dnssec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>

#include <fmt/format.h>

#include "managed/digest.h"
#include "model/ascii.h"

namespace zk::managed {

using model::invalid;
using model::Name;

namespace {

constexpr uint16_t kTypeDnskey = 48;
constexpr uint64_t kDay = 86400;

std::string lifetime_text(const std::optional<uint64_t>& seconds) {
  return seconds ? std::to_string(*seconds) : "unlimited";
}

// BIND's keyword for an algorithm number of api::Dnssec.
std::string algorithm_keyword(uint8_t algorithm) {
  return model::ascii_lower(api::dnssec_algorithm_name(algorithm));
}

std::string lifetime_option(const std::optional<uint64_t>& seconds) {
  return seconds ? fmt::format("PT{}S", *seconds) : "unlimited";
}

}  // namespace

std::string policy_text(const api::Dnssec& d) {
  return fmt::format("zk1 alg={} ksk={} zsk={} denial={}", d.algorithm,
                     lifetime_text(d.ksk_lifetime), lifetime_text(d.zsk_lifetime),
                     d.nsec3 ? "nsec3" : "nsec");
}

model::Parsed<api::Dnssec> parse_policy_text(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return invalid(fmt::format("DNSSEC policy \"{}\": {}", text, why));
  };
  std::vector<std::string_view> words;
  for (size_t at = 0; at <= text.size();) {
    size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    words.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (words.size() != 5 || words[0] != "zk1") return bad("not a zk1 policy of five fields");
  auto value = [&](size_t i, std::string_view key) -> std::optional<std::string_view> {
    if (!words[i].starts_with(key) || words[i].size() <= key.size() ||
        words[i][key.size()] != '=') {
      return std::nullopt;
    }
    return words[i].substr(key.size() + 1);
  };
  auto number = [](std::string_view v, uint64_t& out) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && p == v.data() + v.size();
  };
  api::Dnssec d;
  auto alg = value(1, "alg");
  uint64_t n = 0;
  if (!alg || !number(*alg, n) || n > 255 ||
      api::dnssec_algorithm_name(static_cast<uint8_t>(n)).empty()) {
    return bad("alg is not an algorithm zonekeeper knows");
  }
  d.algorithm = static_cast<uint8_t>(n);
  for (auto [i, key, out] : {std::tuple{size_t{2}, "ksk", &d.ksk_lifetime},
                             std::tuple{size_t{3}, "zsk", &d.zsk_lifetime}}) {
    auto v = value(i, key);
    if (!v) return bad(fmt::format("{} is missing", key));
    if (*v == "unlimited") continue;
    if (!number(*v, n) || n < 30 * kDay || n > 100 * 365 * kDay) {
      return bad(fmt::format("{} is not unlimited or 30 days to 100 years in seconds", key));
    }
    *out = n;
  }
  auto denial = value(4, "denial");
  if (!denial || (*denial != "nsec" && *denial != "nsec3")) return bad("denial is not nsec/nsec3");
  d.nsec3 = *denial == "nsec3";
  return d;
}

std::string policy_name(const api::Dnssec& d) {
  return "zk-" + sha256_hex(policy_text(d)).substr(0, 16);
}

std::string policy_statement(const api::Dnssec& d) {
  const std::string alg = algorithm_keyword(d.algorithm);
  std::string keys;
  if (!d.ksk_lifetime && !d.zsk_lifetime) {
    keys = fmt::format("csk key-directory lifetime unlimited algorithm {};", alg);
  } else {
    keys = fmt::format(
        "ksk key-directory lifetime {} algorithm {}; zsk key-directory lifetime {} algorithm {};",
        lifetime_option(d.ksk_lifetime), alg, lifetime_option(d.zsk_lifetime), alg);
  }
  return fmt::format("dnssec-policy \"{}\" {{ keys {{ {} }};{} }};\n", policy_name(d), keys,
                     d.nsec3 ? " nsec3param iterations 0 optout no salt-length 0;" : "");
}

uint16_t key_tag(std::span<const uint8_t> rdata) {
  uint32_t ac = 0;
  for (size_t i = 0; i < rdata.size(); ++i) {
    ac += (i & 1) ? rdata[i] : static_cast<uint32_t>(rdata[i]) << 8;
  }
  ac += (ac >> 16) & 0xFFFF;
  return static_cast<uint16_t>(ac & 0xFFFF);
}

DsRecord ds_record(const Name& zone, std::span<const uint8_t> rdata) {
  DsRecord ds;
  ds.key_tag = key_tag(rdata);
  ds.algorithm = rdata.size() > 3 ? rdata[3] : 0;
  const Name owner = zone.canonical();
  std::string input(owner.wire().begin(), owner.wire().end());
  input.append(rdata.begin(), rdata.end());
  ds.digest = sha256_hex(input);
  std::transform(ds.digest.begin(), ds.digest.end(), ds.digest.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return ds;
}

std::string to_string(const Name& zone, const DsRecord& ds) {
  return fmt::format("{} IN DS {} {} {} {}", zone.to_string(), ds.key_tag, ds.algorithm,
                     ds.digest_type, ds.digest);
}

std::vector<DsRecord> ds_records(const Name& zone, const model::RRsetMap& rrsets) {
  std::vector<DsRecord> out;
  auto it = rrsets.find(model::RRsetKey{zone, static_cast<model::RRType>(kTypeDnskey)});
  if (it == rrsets.end()) return out;
  for (const model::Rdata& rd : it->second.rdatas()) {
    const auto w = rd.wire();
    // Flags 257: a zone key (bit 7) with the SEP bit (bit 15); protocol 3.
    if (w.size() < 4 || w[0] != 0x01 || w[1] != 0x01 || w[2] != 3) continue;
    out.push_back(ds_record(zone, w));
  }
  std::sort(out.begin(), out.end(), [](const DsRecord& a, const DsRecord& b) {
    return std::tie(a.key_tag, a.digest) < std::tie(b.key_tag, b.digest);
  });
  return out;
}

}  // namespace zk::managed
