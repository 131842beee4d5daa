// A Technitium DNS Server as a Provider (provider.h), through its HTTP API (technitium_api.h)
// for reading and writing and its DNS port for the one SOA query that detects change.
//
//   TechnitiumServer t(ex, std::move(api), {"127.0.0.1", 53}, "zonekeeper:default", opts,
//                      &metrics, "dns/technitium");
//   co_await t.load(zone);                 // records/get listZone=true, once
//   auto out = co_await t.apply(changes);  // the fewest API calls per RRset, see below
//
// Owner and description (ChangeSet::notes) follow the claim in the comments
// (technitium::render_comments) and are read back into ServedZone::notes; a change of them
// alone rewrites the comments with records/update.
// Ownership: every record it writes carries `claim` in Technitium's comments; an RRset none of
// whose records carries it is foreign (ServedZone::foreign) — never deleted or replaced (a
// change touching it comes back refused). The SOA and the apex NS belong to the zone.
// Writing an RRset (docs/architecture.md "Technitium"): new → one add per record; replaced
// with the same TTL → adds of the new records first, then deletes of the old ones (the name
// never goes empty); otherwise the first record is added with overwrite=true (which replaces
// the RRset in one call) and the rest are added after it. An "already exists" answer to an add
// and a "does not exist" answer to a delete mean the server already holds what we want.
// Guards (Change::expect) are checked against the copy after one SOA query proved it current.
// Each successful change raises the zone's serial by one; the copy follows, so the next SOA
// query finds it current and no listing is needed.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "dns/client.h"
#include "providers/provider.h"
#include "providers/technitium_api.h"

namespace zk::telemetry {
class Metrics;
}

namespace zk::providers {

class TechnitiumServer final : public Provider {
 public:
  struct Options {
    std::string url;            // for messages (never with credentials)
    bool create_zones = false;  // zones/create a zone the server lacks (else ZoneNotFound)
  };
  TechnitiumServer(boost::asio::any_io_executor ex, std::unique_ptr<TechnitiumApi> api,
                   dns::ServerAddress dns, std::string claim, Options options,
                   telemetry::Metrics* metrics, std::string label);
  ~TechnitiumServer() override;

  std::string endpoint() const override { return options_.url; }
  const ServedZone* served(const model::Name& zone) const override;
  void forget(const model::Name& zone) override { zones_.erase(zone); }
  const Health& health() const override { return health_; }

  boost::asio::awaitable<Result<void>> load(const model::Name& zone) override;
  boost::asio::awaitable<Result<RefreshOutcome>> refresh(const model::Name& zone) override;
  boost::asio::awaitable<Result<ApplyOutcome>> apply(const model::ChangeSet& changes) override;
  boost::asio::awaitable<Result<uint32_t>> soa_serial(const model::Name& zone) override;
  // One API call (user/session/get): the token works and the API answers.
  boost::asio::awaitable<Result<void>> check(const model::Name& zone) override;
  // Technitium notifies its own secondaries: nothing to do.
  boost::asio::awaitable<Result<LookupAnswer>> lookup(const model::Name& name,
                                                      model::RRType type) override;
  boost::asio::awaitable<Result<void>> notify(const model::Name& zone,
                                              std::optional<uint32_t> serial) override;

  size_t api_calls() const { return api_->calls(); }

 private:
  struct Listed {
    ServedZone zone;
  };
  boost::asio::awaitable<Result<ServedZone>> list(const model::Name& zone);
  // One change; `calls` counts the successful mutations (each raised the serial by one).
  boost::asio::awaitable<ApiResult<void>> write(const model::Name& zone, const model::Change& c,
                                                const ServedZone& copy,
                                                const model::RecordNotes& notes, size_t* calls);
  boost::asio::awaitable<ApiResult<void>> add(const model::Name& zone, const model::RRset& set,
                                              const model::Rdata& rd, bool overwrite,
                                              const model::RecordNotes& notes, size_t* calls);
  // records/update of one record the server has: the same value, the set's TTL, our comments.
  boost::asio::awaitable<ApiResult<void>> rewrite(const model::Name& zone, const model::RRset& set,
                                                  const model::Rdata& rd,
                                                  const model::RecordNotes& notes, size_t* calls);
  boost::asio::awaitable<ApiResult<void>> remove(const model::Name& zone,
                                                 const model::RRsetKey& key, const model::Rdata& rd,
                                                 size_t* calls);
  Failure failure(const ApiFailure& f) const;
  Failure dns_failure(const dns::Error& e) const;
  template <class T>
  T note(T r) {
    health_.known = true;
    health_.ok = bool(r);
    if (!r) health_.failure = r.error();
    return r;
  }

  std::unique_ptr<TechnitiumApi> api_;
  std::unique_ptr<dns::Client> dns_;
  std::string claim_;
  Options options_;
  telemetry::Metrics* metrics_;
  std::string label_;
  std::map<model::Name, ServedZone> zones_;
  Health health_;
};

}  // namespace zk::providers
