// The hosts-file backend: the A and AAAA records of every zone it serves, kept as the lines of
// one managed block of a hosts file (hosts_file.h) — dev mode against a cluster
// (`zonekeeper controller --hosts-file PATH`).
//
//   HostsFileProvider hosts("/etc/hosts", "zonekeeper controller --hosts-file");
//   auto want = hosts_records(desired, &left_out);  // A/AAAA only, with a hosts file's TTL
//   co_await hosts.load(zone);                      // the block's names at or under `zone`
//   co_await hosts.apply(changes);                  // one atomic rewrite of the block
//
// What a hosts file is not: it has no TTL (every RRset here has TTL kHostsTtl), no other types
// (hosts_records leaves them out; apply refuses them one by one), no serial (ServedZone.serial
// counts this process's writes of the block) and no owner marks (the whole block is
// zonekeeper's: the controller plans it like a DNSZone with driftPolicy Remediate). Hand edits
// inside the block are found by refresh() (the block is read again) and replaced; the rest of
// the file is never changed. Each zone has its own copy; the block is their union.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace zk::providers {

inline constexpr uint32_t kHostsTtl = 0;

// What a hosts file can hold of `desired`: its A and AAAA RRsets, TTL kHostsTtl. The keys of
// every other RRset are appended to `left_out`.
model::RRsetMap hosts_records(const model::RRsetMap& desired,
                              std::vector<model::RRsetKey>* left_out);

class HostsFileProvider : public Provider {
 public:
  // `writer`: the command named in the block's BEGIN line.
  HostsFileProvider(std::string path, std::string writer);

  std::string endpoint() const override { return path_; }
  const ServedZone* served(const model::Name& zone) const override;
  void forget(const model::Name& zone) override { zones_.erase(zone); }
  const Health& health() const override { return health_; }

  boost::asio::awaitable<Result<void>> load(const model::Name& zone) override;
  boost::asio::awaitable<Result<RefreshOutcome>> refresh(const model::Name& zone) override;
  boost::asio::awaitable<Result<ApplyOutcome>> apply(const model::ChangeSet& changes) override;
  // The file can be read, and written (or created in its folder).
  boost::asio::awaitable<Result<void>> check(const model::Name& zone) override;
  boost::asio::awaitable<Result<uint32_t>> soa_serial(const model::Name& zone) override;
  // From the file as it is now (its block).
  boost::asio::awaitable<Result<LookupAnswer>> lookup(const model::Name& name,
                                                      model::RRType type) override;
  boost::asio::awaitable<Result<void>> notify(const model::Name&,
                                              std::optional<uint32_t>) override {
    co_return Result<void>{};
  }

 private:
  // The block's records at or under `zone`, as RRsets.
  Result<model::RRsetMap> read(const model::Name& zone);
  Result<bool> write();  // the union of every copy into the block
  Failure failed(std::string message);

  std::string path_;
  std::string writer_;
  uint32_t writes_ = 0;
  std::map<model::Name, ServedZone> zones_;
  Health health_;
};

}  // namespace zk::providers
