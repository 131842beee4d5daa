#include "model/rrset.h"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "model/hex.h"

namespace zk::model {

RRset::RRset(Name owner, RRType type, uint32_t ttl, std::vector<Rdata> rdatas)
    : owner_(std::move(owner)), type_(type), ttl_(ttl) {
  for (auto& rd : rdatas) add(std::move(rd));
}

bool RRset::add(Rdata rd) {
  if (rd.type() != type_) return false;
  auto it = std::lower_bound(rdatas_.begin(), rdatas_.end(), rd);
  if (it != rdatas_.end() && *it == rd) return false;
  rdatas_.insert(it, std::move(rd));
  return true;
}

bool RRset::contains(const Rdata& rd) const {
  return std::binary_search(rdatas_.begin(), rdatas_.end(), rd);
}

Parsed<bool> RRset::validate() const {
  for (const auto& rd : rdatas_) {
    if (rd.type() != type_) {
      return invalid(fmt::format("{} {}: holds {} data", owner_.to_string(), to_string(type_),
                                 to_string(rd.type())));
    }
  }
  if (is_singleton(type_) && rdatas_.size() > 1) {
    return invalid(fmt::format("{} {}: a name holds at most one {} record, got {}",
                               owner_.to_string(), to_string(type_), to_string(type_),
                               rdatas_.size()));
  }
  if (ttl_ > 0x7fffffffu) {
    return invalid(fmt::format("{} {}: TTL {} exceeds 2147483647", owner_.to_string(),
                               to_string(type_), ttl_));
  }
  return true;
}

size_t RRset::wire_size() const {
  size_t n = 0;
  for (const auto& rd : rdatas_) n += owner_.wire_size() + 10 + rd.wire_size();
  return n;
}

namespace {

void hash_rrsets(EVP_MD_CTX* ctx, std::vector<const RRset*> sets) {
  std::sort(sets.begin(), sets.end(),
            [](const RRset* a, const RRset* b) { return a->key() < b->key(); });
  for (const RRset* s : sets) {
    auto owner = s->owner().canonical();
    uint8_t fixed[8] = {static_cast<uint8_t>(static_cast<uint16_t>(s->type()) >> 8),
                        static_cast<uint8_t>(static_cast<uint16_t>(s->type())),
                        0,
                        1,  // class IN
                        static_cast<uint8_t>(s->ttl() >> 24),
                        static_cast<uint8_t>(s->ttl() >> 16),
                        static_cast<uint8_t>(s->ttl() >> 8),
                        static_cast<uint8_t>(s->ttl())};
    for (const auto& rd : s->rdatas()) {
      EVP_DigestUpdate(ctx, owner.wire().data(), owner.wire().size());
      EVP_DigestUpdate(ctx, fixed, sizeof fixed);
      uint8_t len[2] = {static_cast<uint8_t>(rd.wire_size() >> 8),
                        static_cast<uint8_t>(rd.wire_size())};
      EVP_DigestUpdate(ctx, len, 2);
      EVP_DigestUpdate(ctx, rd.wire().data(), rd.wire().size());
    }
  }
}

RRsetDigest::Octets sha256(std::vector<const RRset*> sets) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  hash_rrsets(ctx.get(), std::move(sets));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  RRsetDigest::Octets out{};
  std::copy(md, md + std::min<size_t>(len, out.size()), out.begin());
  return out;
}

}  // namespace

std::string RRsetDigest::hex() const {
  return set_ ? hex_text(octets_) : "";
}

std::optional<RRsetDigest> RRsetDigest::from_hex(std::string_view text) {
  Octets octets{};
  auto read = hex_octets(text);
  if (!read || read->size() != octets.size()) return std::nullopt;
  std::copy(read->begin(), read->end(), octets.begin());
  return RRsetDigest(octets);
}

RRsetDigest canonical_digest(const std::vector<RRset>& rrsets) {
  std::vector<const RRset*> p;
  p.reserve(rrsets.size());
  for (const auto& s : rrsets) p.push_back(&s);
  return RRsetDigest(sha256(std::move(p)));
}

std::string canonical_hash(const std::vector<RRset>& rrsets) {
  return canonical_digest(rrsets).hex();
}

RRsetDigest canonical_digest(const RRsetMap& rrsets) {
  std::vector<const RRset*> p;
  for (const auto& [k, s] : rrsets) p.push_back(&s);
  return RRsetDigest(sha256(std::move(p)));
}

std::string canonical_hash(const RRsetMap& rrsets) {
  return canonical_digest(rrsets).hex();
}

RRsetMap at_owners(const RRsetMap& rrsets, const std::set<Name>& owners) {
  RRsetMap out;
  for (const Name& owner : owners) {
    auto [lo, hi] = at_owner(rrsets, owner);
    out.insert(lo, hi);
  }
  return out;
}

std::vector<std::string> validate_zone_data(const Name& zone, const RRsetMap& rrsets) {
  std::vector<std::string> problems;
  std::map<Name, std::vector<RRType>> by_owner;
  for (const auto& [key, set] : rrsets) {
    if (!key.owner.is_subdomain_of(zone)) {
      problems.push_back(
          fmt::format("{} is outside zone {}", key.owner.to_string(), zone.to_string()));
      continue;
    }
    by_owner[key.owner].push_back(key.type);
  }
  for (const auto& [owner, types] : by_owner) {
    bool has_cname = std::find(types.begin(), types.end(), RRType::CNAME) != types.end();
    if (!has_cname) continue;
    if (owner == zone) {
      problems.push_back(
          fmt::format("CNAME at the zone apex {} is not allowed", owner.to_string()));
    } else if (types.size() > 1) {
      problems.push_back(
          fmt::format("CNAME at {} cannot coexist with other data", owner.to_string()));
    }
  }
  return problems;
}

}  // namespace zk::model
