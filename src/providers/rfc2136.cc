#include "providers/rfc2136.h"
#include "providers/dns_lookup.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "providers/rfc2136_reasons.h"
#include "providers/zone_copy.h"
#include "telemetry/metrics.h"

namespace zk::providers {

namespace asio = boost::asio;
using dns::ErrorCode;
using model::Change;
using model::Name;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

namespace {

bool serial_gt(uint32_t a, uint32_t b) {
  return a != b && static_cast<int32_t>(a - b) > 0;  // RFC 1982
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

bool change_specific(const dns::Error& e) {
  switch (e.code) {
    case ErrorCode::Refused:
    case ErrorCode::ServFail:
    case ErrorCode::FormErr:
    case ErrorCode::NotImplemented:
    case ErrorCode::NotZone:
    case ErrorCode::MessageTooLarge:
      return true;
    default:
      return false;
  }
}

bool server_wide(const dns::Error& e) {
  switch (e.code) {
    case ErrorCode::Timeout:
    case ErrorCode::ConnectionRefused:
    case ErrorCode::Network:
    case ErrorCode::BadKey:
    case ErrorCode::BadSig:
    case ErrorCode::BadTime:
    case ErrorCode::Unsigned:
    case ErrorCode::MalformedResponse:
    case ErrorCode::InvalidArgument:
      return true;
    default:
      return false;
  }
}

Rfc2136Server::Rfc2136Server(asio::any_io_executor ex, dns::ServerAddress address,
                             std::optional<dns::TsigKey> key, std::chrono::milliseconds timeout,
                             telemetry::Metrics* metrics, std::string label)
    : address_(std::move(address)), metrics_(metrics), label_(std::move(label)) {
  dns::ClientOptions opts;
  opts.key = std::move(key);
  opts.timeout = timeout;
  client_ = std::make_unique<dns::Client>(ex, address_, opts);
}

Rfc2136Server::~Rfc2136Server() = default;

const ServedZone* Rfc2136Server::served(const Name& zone) const {
  auto it = zones_.find(zone);
  return it == zones_.end() ? nullptr : &it->second;
}

void Rfc2136Server::note(const dns::Result<void>& r, std::string_view operation,
                         std::chrono::steady_clock::time_point t0) {
  if (metrics_) {
    // The result as the records would say it (ServerUnreachable, TsigAuthFailed, ZoneNotFound,
    // UpdateRefused, TransferRefused), not the wire-level code.
    bool transfer = operation == "axfr" || operation == "ixfr";
    metrics_->dns_operation(
        label_, operation, seconds_since(t0),
        r ? std::string("success")
          : failure_of(r.error(), transfer ? Operation::Transfer : Operation::Update).reason);
  }
  if (r) {
    health_ = {true, true, {}};
  } else if (server_wide(r.error()) || r.error().code == ErrorCode::NotAuth) {
    health_ = {true, false, failure_of(r.error(), Operation::Update)};
  } else {
    health_.known = true;  // the server answered: it is reachable and the key works
    health_.ok = true;
  }
}

asio::awaitable<dns::Result<void>> Rfc2136Server::load_copy(const Name& zone) {
  auto t0 = std::chrono::steady_clock::now();
  auto snap = co_await client_->axfr(zone);
  note(snap, "axfr", t0);
  if (!snap) co_return tl::unexpected(snap.error());
  zones_[zone] = ServedZone{snap->serial, std::move(snap->rrsets), {}};
  co_return dns::Result<void>{};
}

asio::awaitable<Result<void>> Rfc2136Server::load(const Name& zone) {
  auto r = co_await load_copy(zone);
  if (!r) co_return tl::unexpected(failure_of(r.error(), Operation::Transfer));
  co_return Result<void>{};
}

asio::awaitable<Result<uint32_t>> Rfc2136Server::soa_serial(const Name& zone) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await client_->soa_serial(zone);
  note(r, "soa", t0);
  if (!r) co_return tl::unexpected(failure_of(r.error(), Operation::Update));
  co_return *r;
}

asio::awaitable<Result<void>> Rfc2136Server::check(const Name& zone) {
  auto r = co_await soa_serial(zone);
  if (!r) co_return tl::unexpected(r.error());
  co_return Result<void>{};
}

asio::awaitable<Result<void>> Rfc2136Server::notify(const Name& zone,
                                                    std::optional<uint32_t> serial) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await client_->notify(zone, serial);
  note(r, "notify", t0);
  if (!r) co_return tl::unexpected(failure_of(r.error(), Operation::Update));
  co_return Result<void>{};
}

asio::awaitable<Result<LookupAnswer>> Rfc2136Server::lookup(const Name& name, RRType type) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await client_->query(name, type);
  note(r, "query", t0);
  if (!r) co_return tl::unexpected(failure_of(r.error(), Operation::Update));
  co_return to_lookup(*r);
}

asio::awaitable<Result<RefreshOutcome>> Rfc2136Server::refresh(const Name& zone) {
  auto r = co_await refresh_copy(zone);
  if (!r) co_return tl::unexpected(failure_of(r.error(), Operation::Update));
  co_return std::move(*r);
}

asio::awaitable<Result<ApplyOutcome>> Rfc2136Server::apply(const model::ChangeSet& changes) {
  auto r = co_await apply_changes_to(changes);
  if (!r) co_return tl::unexpected(failure_of(r.error(), Operation::Update));
  ApplyOutcome out{r->applied, r->messages, {}};
  for (auto& f : r->refused) out.refused.push_back({std::move(f.change), f.error.to_string()});
  co_return out;
}

asio::awaitable<dns::Result<RefreshOutcome>> Rfc2136Server::refresh_copy(const Name& zone) {
  RefreshOutcome out;
  auto it = zones_.find(zone);
  if (it == zones_.end()) {
    auto loaded = co_await load_copy(zone);
    if (!loaded) co_return tl::unexpected(loaded.error());
    out.moved = true;
    co_return out;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto serial = co_await client_->soa_serial(zone);
  note(serial, "soa", t0);
  if (!serial) co_return tl::unexpected(serial.error());
  it = zones_.find(zone);  // the map may have changed while we waited
  if (it == zones_.end() || *serial == it->second.serial) co_return out;
  out.moved = true;
  RRsetMap before = it->second.rrsets;
  uint32_t known = it->second.serial;
  if (serial_gt(*serial, known)) {
    t0 = std::chrono::steady_clock::now();
    auto ixfr = co_await client_->ixfr(zone, known);
    note(ixfr, ixfr && ixfr->full ? "axfr" : "ixfr", t0);
    it = zones_.find(zone);
    if (ixfr && !ixfr->up_to_date && it != zones_.end()) {
      dns::apply_ixfr(it->second.rrsets, *ixfr);
      it->second.serial = ixfr->serial;
      out.changed = differences(before, it->second.rrsets);
      co_return out;
    }
    if (!ixfr && server_wide(ixfr.error())) co_return tl::unexpected(ixfr.error());
  }
  // The server went backwards (restored, lost its journal) or IXFR could not say: AXFR.
  auto loaded = co_await load_copy(zone);
  if (!loaded) co_return tl::unexpected(loaded.error());
  if (const ServedZone* now = served(zone)) out.changed = differences(before, now->rrsets);
  co_return out;
}

asio::awaitable<dns::Result<size_t>> Rfc2136Server::send(const Name& zone,
                                                         const std::vector<Change>& part,
                                                         size_t* applied) {
  model::ChangeSet cs;
  cs.zone = zone;
  cs.changes = part;
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await client_->apply(cs);
  note(r, "update", t0);
  if (metrics_ && r) metrics_->dns_changes(label_, r->changes);
  if (!r) {
    *applied = r.error().changes_applied;
    co_return tl::unexpected(r.error());
  }
  *applied = part.size();
  co_return r->messages;
}

asio::awaitable<dns::Result<Rfc2136Server::Sent>> Rfc2136Server::apply_bisect(
    const Name& zone, std::vector<Change> part) {
  Sent out;
  size_t applied = 0;
  auto r = co_await send(zone, part, &applied);
  if (r) {
    out.applied = part.size();
    out.messages = *r;
    co_return out;
  }
  if (!change_specific(r.error())) co_return tl::unexpected(r.error());
  out.applied = applied;
  std::vector<Change> rest(part.begin() + static_cast<std::ptrdiff_t>(applied), part.end());
  if (rest.size() == 1) {
    out.refused.push_back({rest.front(), r.error()});
    co_return out;
  }
  size_t half = rest.size() / 2;
  for (auto piece :
       {std::vector<Change>(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(half)),
        std::vector<Change>(rest.begin() + static_cast<std::ptrdiff_t>(half), rest.end())}) {
    if (piece.empty()) continue;
    auto sub = co_await apply_bisect(zone, std::move(piece));
    if (!sub) co_return tl::unexpected(sub.error());
    out.applied += sub->applied;
    out.messages += sub->messages;
    for (auto& f : sub->refused) out.refused.push_back(std::move(f));
  }
  co_return out;
}

asio::awaitable<dns::Result<Rfc2136Server::Sent>> Rfc2136Server::apply_changes_to(
    const model::ChangeSet& changes) {
  const Name& zone = changes.zone;
  Sent out;
  if (changes.empty()) co_return out;
  uint32_t before = 0;
  if (const ServedZone* z = served(zone)) before = z->serial;
  size_t applied = 0;
  auto first = co_await send(zone, changes.changes, &applied);
  if (first) {
    out.applied = changes.changes.size();
    out.messages = *first;
    // Fast path: our copy stays exact when the serial moved by exactly our messages.
    auto serial = co_await client_->soa_serial(zone);
    auto it = zones_.find(zone);
    if (serial && it != zones_.end() && it->second.serial == before &&
        *serial == static_cast<uint32_t>(before + out.messages)) {
      apply_changes(it->second.rrsets, changes.changes);
      it->second.serial = *serial;
      if (auto soa = it->second.rrsets.find(RRsetKey{zone, RRType::SOA});
          soa != it->second.rrsets.end() && !soa->second.rdatas().empty()) {
        // Keep the SOA record itself in step with the serial (MNAME.. fields unchanged).
        if (auto fixed = soa->second.rdatas().front().with_soa_serial(*serial)) {
          soa->second = RRset(zone, RRType::SOA, soa->second.ttl(), {*fixed});
        }
      }
      co_return out;
    }
    auto refreshed = co_await refresh_copy(zone);
    if (!refreshed) forget(zone);
    co_return out;
  }
  const dns::Error& e = first.error();
  if (e.code == ErrorCode::PrerequisiteFailed || !change_specific(e)) {
    // A failed guard means our copy was stale: reload it so the next plan is right.
    if (e.code == ErrorCode::PrerequisiteFailed || applied > 0) {
      if (!co_await refresh_copy(zone)) forget(zone);
    }
    co_return tl::unexpected(e);
  }
  // Refused (or similar): find the culprits; everything else goes through.
  out.applied = applied;
  std::vector<Change> rest(changes.changes.begin() + static_cast<std::ptrdiff_t>(applied),
                           changes.changes.end());
  auto sub = co_await apply_bisect(zone, std::move(rest));
  if (!co_await refresh_copy(zone)) forget(zone);
  if (!sub) co_return tl::unexpected(sub.error());
  out.applied += sub->applied;
  out.messages += sub->messages;
  out.refused = std::move(sub->refused);
  co_return out;
}

}  // namespace zk::providers
