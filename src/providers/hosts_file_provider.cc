#include "providers/hosts_file_provider.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "api/reasons.h"
#include "providers/hosts_file.h"
#include "providers/zone_copy.h"

namespace zk::providers {

namespace asio = boost::asio;
namespace reasons = api::reasons;
using model::Name;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

namespace {

bool in_hosts_file(RRType t) {
  return t == RRType::A || t == RRType::AAAA;
}

std::string without_dot(const Name& n) {
  std::string s = n.to_string();
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

RRsetMap hosts_records(const RRsetMap& desired, std::vector<RRsetKey>* left_out) {
  RRsetMap out;
  for (const auto& [key, rrset] : desired) {
    if (!in_hosts_file(key.type)) {
      if (left_out) left_out->push_back(key);
      continue;
    }
    model::RRset copy = rrset;
    copy.set_ttl(kHostsTtl);
    out.emplace(key, std::move(copy));
  }
  return out;
}

HostsFileProvider::HostsFileProvider(std::string path, std::string writer)
    : path_(std::move(path)), writer_(std::move(writer)) {}

const ServedZone* HostsFileProvider::served(const Name& zone) const {
  auto it = zones_.find(zone);
  return it == zones_.end() ? nullptr : &it->second;
}

Failure HostsFileProvider::failed(std::string message) {
  Failure f{std::string(reasons::kUpdateRefused), std::string(reasons::kServerRefused),
            std::move(message), false, false};
  health_ = {true, false, f};
  return f;
}

Result<RRsetMap> HostsFileProvider::read(const Name& zone) {
  auto entries = read_hosts_file(path_);
  if (!entries) return tl::unexpected(failed(entries.error()));
  RRsetMap out;
  for (const auto& e : *entries) {
    auto name = Name::parse(e.name + ".");
    if (!name || !name->is_subdomain_of(zone)) continue;  // not this zone's (or not a name)
    bool v6 = e.address.find(':') != std::string::npos;
    auto rd = v6 ? model::Rdata::aaaa(e.address) : model::Rdata::a(e.address);
    if (!rd) continue;  // a line we did not write: replaced at the next write
    RRsetKey key{*name, v6 ? RRType::AAAA : RRType::A};
    auto [it, fresh] = out.try_emplace(key, *name, key.type, kHostsTtl);
    it->second.add(*rd);
  }
  health_ = {true, true, {}};
  return out;
}

Result<bool> HostsFileProvider::write() {
  std::vector<HostsEntry> entries;
  for (const auto& [zone, copy] : zones_) {
    for (const auto& [key, rrset] : copy.rrsets) {
      if (!in_hosts_file(key.type)) continue;
      for (const auto& rd : rrset.rdatas())
        entries.push_back({rd.to_text(), without_dot(key.owner)});
    }
  }
  auto w = write_hosts_file(path_, entries, writer_);
  if (!w) return tl::unexpected(failed(w.error()));
  health_ = {true, true, {}};
  if (*w) ++writes_;
  return *w;
}

asio::awaitable<Result<void>> HostsFileProvider::load(const Name& zone) {
  auto records = read(zone);
  if (!records) co_return tl::unexpected(records.error());
  zones_[zone] = ServedZone{writes_, std::move(*records), {}};
  co_return Result<void>{};
}

asio::awaitable<Result<RefreshOutcome>> HostsFileProvider::refresh(const Name& zone) {
  auto it = zones_.find(zone);
  auto records = read(zone);
  if (!records) co_return tl::unexpected(records.error());
  RefreshOutcome out;
  if (it == zones_.end()) {
    zones_[zone] = ServedZone{writes_, std::move(*records), {}};
    out.moved = true;
    co_return out;
  }
  out.changed = differences(it->second.rrsets, *records);
  out.moved = !out.changed.empty();  // edited by hand (or by another writer)
  it->second.rrsets = std::move(*records);
  it->second.serial = writes_;
  co_return out;
}

asio::awaitable<Result<ApplyOutcome>> HostsFileProvider::apply(const model::ChangeSet& changes) {
  ApplyOutcome out;
  auto it = zones_.find(changes.zone);
  if (it == zones_.end()) {
    co_return tl::unexpected(
        failed(fmt::format("{}: zone {} was not loaded", path_, changes.zone.to_string())));
  }
  std::vector<model::Change> taken;
  for (const auto& c : changes.changes) {
    if (!in_hosts_file(c.rrset.type())) {
      out.refused.push_back({c, fmt::format("a hosts file holds only A and AAAA records, not {}",
                                            model::to_string(c.rrset.type()))});
      continue;
    }
    model::Change normal = c;
    normal.rrset.set_ttl(kHostsTtl);
    taken.push_back(std::move(normal));
  }
  if (taken.empty()) co_return out;
  ServedZone before = it->second;
  apply_changes(it->second.rrsets, taken);
  auto w = write();
  if (!w) {
    it->second = std::move(before);  // the file was left as it was
    co_return tl::unexpected(w.error());
  }
  it->second.serial = writes_;
  out.applied = taken.size();
  out.messages = *w ? 1 : 0;
  co_return out;
}

asio::awaitable<Result<void>> HostsFileProvider::check(const Name&) {
  std::string dir = path_.substr(0, path_.rfind('/') == std::string::npos ? 0 : path_.rfind('/'));
  if (dir.empty()) dir = path_.starts_with('/') ? "/" : ".";
  bool exists = access(path_.c_str(), F_OK) == 0;
  int r = exists ? access(path_.c_str(), R_OK | W_OK) : access(dir.c_str(), W_OK);
  if (r != 0) {
    co_return tl::unexpected(
        failed(fmt::format("{}: {}", exists ? path_ : dir, std::strerror(errno))));
  }
  health_ = {true, true, {}};
  co_return Result<void>{};
}

asio::awaitable<Result<LookupAnswer>> HostsFileProvider::lookup(const Name& name, RRType type) {
  auto block = read(Name());
  if (!block) co_return tl::unexpected(block.error());
  co_return answer_from(*block, name, type);
}

asio::awaitable<Result<uint32_t>> HostsFileProvider::soa_serial(const Name&) {
  co_return writes_;
}

}  // namespace zk::providers
