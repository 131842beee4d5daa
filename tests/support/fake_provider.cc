#include "support/fake_provider.h"

#include "api/reasons.h"
#include "model/base64.h"
#include "providers/zone_copy.h"  // the fake keeps its copy as a real provider does

namespace zk::testing {

namespace asio = boost::asio;
using model::Name;
using model::RRsetMap;
using providers::Failure;
using providers::Result;

using providers::differences;

void FakeProvider::add_zone(const Name& zone, RRsetMap rrsets, uint32_t serial) {
  truth_[zone] = providers::ServedZone{serial, std::move(rrsets), {}};
}

const providers::ServedZone* FakeProvider::truth(const Name& zone) const {
  auto it = truth_.find(zone);
  return it == truth_.end() ? nullptr : &it->second;
}

void FakeProvider::set_serial(const Name& zone, uint32_t serial) {
  truth_[zone].serial = serial;
}

const providers::ServedZone* FakeProvider::served(const Name& zone) const {
  auto it = copies_.find(zone);
  return it == copies_.end() ? nullptr : &it->second;
}

std::optional<Failure> FakeProvider::failing(const Name& zone) {
  if (fail_all) {
    health_ = {true, false, *fail_all};
    return fail_all;
  }
  if (!truth_.count(zone)) {
    // As BIND answers for a zone it does not serve: NOTAUTH, from a server that answers.
    Failure f{std::string(api::reasons::kZoneNotFound),
              std::string(api::reasons::kServerUnreachable),
              "NotAuth: not authoritative for " + zone.to_string(), true, false};
    health_ = {true, false, f};
    return f;
  }
  health_ = {true, true, {}};
  return std::nullopt;
}

asio::awaitable<Result<void>> FakeProvider::load(const Name& zone) {
  ++loads;
  if (auto f = failing(zone)) co_return tl::unexpected(*f);
  copies_[zone] = truth_[zone];
  co_return Result<void>{};
}

asio::awaitable<Result<providers::RefreshOutcome>> FakeProvider::refresh(const Name& zone) {
  if (auto f = failing(zone)) co_return tl::unexpected(*f);
  providers::RefreshOutcome out;
  auto it = copies_.find(zone);
  if (it == copies_.end() || it->second.serial != truth_[zone].serial) {
    out.moved = true;
    if (it != copies_.end()) out.changed = differences(it->second.rrsets, truth_[zone].rrsets);
    copies_[zone] = truth_[zone];
  }
  co_return out;
}

asio::awaitable<Result<providers::ApplyOutcome>> FakeProvider::apply(
    const model::ChangeSet& changes) {
  ++applies;
  if (auto f = failing(changes.zone)) co_return tl::unexpected(*f);
  providers::ApplyOutcome out;
  std::vector<model::Change> taken;
  for (const auto& c : changes.changes) {
    if (refuse.count(c.rrset.key())) {
      out.refused.push_back({c, "Refused: the fake server refuses " + c.rrset.owner().to_string()});
    } else {
      taken.push_back(c);
    }
  }
  providers::ServedZone& z = truth_[changes.zone];
  if (!taken.empty()) {
    providers::apply_changes(z.rrsets, taken);
    ++z.serial;
  }
  out.applied = taken.size();
  out.messages = taken.empty() ? 0 : 1;
  copies_[changes.zone] = z;
  co_return out;
}

asio::awaitable<Result<void>> FakeProvider::check(const Name& zone) {
  auto r = co_await soa_serial(zone);
  if (!r) co_return tl::unexpected(r.error());
  co_return Result<void>{};
}

asio::awaitable<Result<uint32_t>> FakeProvider::soa_serial(const Name& zone) {
  if (auto f = failing(zone)) co_return tl::unexpected(*f);
  co_return truth_[zone].serial;
}

asio::awaitable<Result<void>> FakeProvider::notify(const Name& zone, std::optional<uint32_t>) {
  ++notifies;
  if (auto f = failing(zone)) co_return tl::unexpected(*f);
  co_return Result<void>{};
}

asio::awaitable<Result<providers::LookupAnswer>> FakeProvider::lookup(const Name& name,
                                                                      model::RRType type) {
  const Name* best = nullptr;
  for (const auto& [zone, z] : truth_) {
    if (name.is_subdomain_of(zone) && (!best || zone.is_subdomain_of(*best))) best = &zone;
  }
  if (best) {
    if (auto f = failing(*best)) co_return tl::unexpected(*f);
    co_return providers::answer_from(truth_[*best].rrsets, name, type);
  }
  co_return providers::LookupAnswer{"NXDOMAIN", {}, 0};
}

FakeProvider& FakeProviderFactory::server(const std::string& label) {
  auto& p = servers_[label];
  if (!p) p = std::make_shared<FakeProvider>("fake:" + label);
  return *p;
}

Result<std::shared_ptr<providers::Provider>> FakeProviderFactory::make(
    const providers::ProviderSpec& spec) {
  made.push_back(spec);
  if (spec.key && !model::decode_base64(spec.key->secret)) {
    std::string reason(api::reasons::kSecretInvalid);
    return tl::unexpected(Failure{reason, reason, "the secret is not base64", false, false});
  }
  server(spec.label);
  return std::static_pointer_cast<providers::Provider>(servers_.at(spec.label));
}

}  // namespace zk::testing
