#include "providers/technitium.h"
#include "providers/dns_lookup.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/reasons.h"
#include "providers/rfc2136_reasons.h"
#include "providers/zone_copy.h"
#include "telemetry/metrics.h"

namespace zk::providers {

namespace asio = boost::asio;
namespace reasons = api::reasons;
using model::Change;
using model::Name;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;

namespace {

bool already_exists(const ApiFailure& f) {
  return f.kind == ApiFailure::Kind::Refused &&
         f.message.find("already exists") != std::string::npos;
}
bool does_not_exist(const ApiFailure& f) {
  return f.kind == ApiFailure::Kind::Refused &&
         (f.message.find("does not exist") != std::string::npos ||
          f.message.find("not found") != std::string::npos);
}

technitium::Params base(const Name& zone, const Name& owner, RRType type) {
  return {{"zone", technitium::api_name(zone)},
          {"domain", technitium::api_name(owner)},
          {"type", model::to_string(type)}};
}

// zonekeeper_dns_operations_total and its duration for one operation started at t0.
template <class T>
void meter(telemetry::Metrics* metrics, const std::string& server, std::string_view operation,
           std::chrono::steady_clock::time_point t0, const Result<T>& r) {
  if (!metrics) return;
  metrics->dns_operation(
      server, operation,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
      r ? std::string_view("success") : std::string_view(r.error().reason));
}

}  // namespace

TechnitiumServer::TechnitiumServer(asio::any_io_executor ex, std::unique_ptr<TechnitiumApi> api,
                                   dns::ServerAddress dns, std::string claim, Options options,
                                   telemetry::Metrics* metrics, std::string label)
    : api_(std::move(api)),
      dns_(std::make_unique<dns::Client>(ex, std::move(dns), dns::ClientOptions{})),
      claim_(std::move(claim)),
      options_(std::move(options)),
      metrics_(metrics),
      label_(std::move(label)) {}

TechnitiumServer::~TechnitiumServer() = default;

const ServedZone* TechnitiumServer::served(const Name& zone) const {
  auto it = zones_.find(zone);
  return it == zones_.end() ? nullptr : &it->second;
}

// `answers`: the server is usable, just not for this zone or change (the DNSServer stays Ready).
Failure TechnitiumServer::failure(const ApiFailure& f) const {
  Failure out;
  out.message = f.message;
  switch (f.kind) {
    case ApiFailure::Kind::Unreachable:
      out.reason = out.server_reason = std::string(reasons::kServerUnreachable);
      break;
    case ApiFailure::Kind::Auth:
      out.reason = out.server_reason = std::string(reasons::kAuthenticationFailed);
      break;
    case ApiFailure::Kind::ServerError:
      out.reason = std::string(reasons::kServerUnreachable);
      out.server_reason = std::string(reasons::kServerFailure);
      break;
    case ApiFailure::Kind::ZoneNotFound:
      out.reason = std::string(reasons::kZoneNotFound);
      out.server_reason = std::string(reasons::kReachable);
      out.answers = true;
      break;
    case ApiFailure::Kind::Refused:
      out.reason = std::string(reasons::kUpdateRefused);
      out.server_reason = std::string(reasons::kReachable);
      out.answers = true;
      break;
  }
  return out;
}

Failure TechnitiumServer::dns_failure(const dns::Error& e) const {
  return failure_of(e, Operation::Update);
}

asio::awaitable<Result<ServedZone>> TechnitiumServer::list(const Name& zone) {
  technitium::Params p;
  p.emplace_back("domain", technitium::api_name(zone));
  p.emplace_back("zone", technitium::api_name(zone));
  p.emplace_back("listZone", "true");
  auto r = co_await api_->call("/api/zones/records/get", p);
  if (!r && r.error().kind == ApiFailure::Kind::ZoneNotFound && options_.create_zones) {
    technitium::Params create;
    create.emplace_back("zone", technitium::api_name(zone));
    create.emplace_back("type", "Primary");
    auto made = co_await api_->call("/api/zones/create", create);
    if (!made) co_return note(Result<ServedZone>(tl::unexpected(failure(made.error()))));
    spdlog::info("technitium: created zone {} on {} ({})", zone.to_string(), label_, options_.url);
    r = co_await api_->call("/api/zones/records/get", p);
  }
  if (!r) co_return note(Result<ServedZone>(tl::unexpected(failure(r.error()))));
  ServedZone out;
  const boost::json::value* records = nullptr;
  if (auto it = r->find("response"); it != r->end() && it->value().is_object()) {
    const auto& resp = it->value().as_object();
    if (auto rit = resp.find("records"); rit != resp.end()) records = &rit->value();
  }
  if (!records || !records->is_array()) {
    Failure f{std::string(reasons::kServerUnreachable), std::string(reasons::kMalformedResponse),
              options_.url + ": records/get answered without a records list", true, false};
    co_return note(Result<ServedZone>(tl::unexpected(std::move(f))));
  }
  std::set<RRsetKey> claimed;
  out.keeps_notes = true;
  for (const auto& v : records->as_array()) {
    if (!v.is_object()) continue;
    auto rec = technitium::parse_record(v.as_object());
    if (!rec) {
      Failure f{std::string(reasons::kServerUnreachable), std::string(reasons::kMalformedResponse),
                options_.url + ": " + rec.error(), true, false};
      co_return note(Result<ServedZone>(tl::unexpected(std::move(f))));
    }
    if (!*rec || (*rec)->disabled) continue;  // a disabled record is not served
    auto& x = **rec;
    RRsetKey key{x.owner, x.type};
    auto [it, fresh] = out.rrsets.try_emplace(key, x.owner, x.type, x.ttl);
    it->second.add(x.rdata);
    auto comments = technitium::parse_comments(x.comments);
    if (comments.head.find(claim_) != std::string::npos) {
      // Records of one RRset with different notes: a value no annotation can have (they are
      // trimmed), so any wanted notes differ and the RRset is written again.
      auto [n, first] = out.notes.try_emplace(key, comments.notes);
      if (!first && n->second != comments.notes) {
        n->second.owner = "\n(records differ)";
        n->second.description.clear();
      }
      claimed.insert(key);
    }
    if (x.type == RRType::SOA) {
      if (auto s = x.rdata.soa_serial()) out.serial = *s;
    }
  }
  for (const auto& [key, set] : out.rrsets) {
    bool zone_data = key.type == RRType::SOA || (key.type == RRType::NS && key.owner == zone);
    if (!zone_data && !claimed.count(key)) out.foreign.insert(key);
  }
  co_return note(Result<ServedZone>(std::move(out)));
}

asio::awaitable<Result<void>> TechnitiumServer::load(const Name& zone) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await list(zone);
  meter(metrics_, label_, "listing", t0, r);
  if (!r) co_return tl::unexpected(r.error());
  zones_[zone] = std::move(*r);
  co_return Result<void>{};
}

asio::awaitable<Result<uint32_t>> TechnitiumServer::soa_serial(const Name& zone) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await dns_->soa_serial(zone);
  Result<uint32_t> out = r ? Result<uint32_t>(*r) : tl::unexpected(dns_failure(r.error()));
  meter(metrics_, label_, "soa", t0, out);
  co_return note(std::move(out));
}

asio::awaitable<Result<LookupAnswer>> TechnitiumServer::lookup(const Name& name, RRType type) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await dns_->query(name, type);
  Result<LookupAnswer> out = r ? Result<LookupAnswer>(to_lookup(*r))
                               : Result<LookupAnswer>(tl::unexpected(dns_failure(r.error())));
  meter(metrics_, label_, "query", t0, out);
  co_return out;
}

asio::awaitable<Result<void>> TechnitiumServer::check(const Name&) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = co_await api_->call("/api/user/session/get", {});
  Result<void> out = r ? Result<void>{} : tl::unexpected(failure(r.error()));
  meter(metrics_, label_, "session", t0, out);
  co_return note(std::move(out));
}

asio::awaitable<Result<void>> TechnitiumServer::notify(const Name&, std::optional<uint32_t>) {
  co_return Result<void>{};
}

asio::awaitable<Result<RefreshOutcome>> TechnitiumServer::refresh(const Name& zone) {
  RefreshOutcome out;
  if (!zones_.count(zone)) {
    auto loaded = co_await load(zone);
    if (!loaded) co_return tl::unexpected(loaded.error());
    out.moved = true;
    co_return out;
  }
  auto serial = co_await soa_serial(zone);
  if (!serial) co_return tl::unexpected(serial.error());
  auto it = zones_.find(zone);
  if (it == zones_.end() || *serial == it->second.serial) co_return out;
  out.moved = true;
  RRsetMap before = it->second.rrsets;
  auto t0 = std::chrono::steady_clock::now();
  auto listed = co_await list(zone);
  meter(metrics_, label_, "listing", t0, listed);
  if (!listed) co_return tl::unexpected(listed.error());
  out.changed = differences(before, listed->rrsets);
  zones_[zone] = std::move(*listed);
  co_return out;
}

asio::awaitable<ApiResult<void>> TechnitiumServer::add(const Name& zone, const RRset& set,
                                                       const model::Rdata& rd, bool overwrite,
                                                       const model::RecordNotes& notes,
                                                       size_t* calls) {
  auto value = technitium::value_params(rd);
  if (!value) co_return tl::unexpected(ApiFailure{ApiFailure::Kind::Refused, value.error()});
  auto p = base(zone, set.owner(), set.type());
  p.emplace_back("ttl", std::to_string(set.ttl()));
  if (overwrite) p.emplace_back("overwrite", "true");
  p.emplace_back("comments", technitium::render_comments(claim_, notes));
  p.insert(p.end(), value->begin(), value->end());
  auto r = co_await api_->call("/api/zones/records/add", std::move(p));
  if (r) {
    ++*calls;
    co_return ApiResult<void>{};
  }
  // Someone added the same record since our copy was proven current: it is there. Never for
  // singletons, whose "already exists" means another value holds the name.
  if (!overwrite && !model::is_singleton(set.type()) && already_exists(r.error())) {
    co_return ApiResult<void>{};
  }
  co_return tl::unexpected(r.error());
}

asio::awaitable<ApiResult<void>> TechnitiumServer::remove(const Name& zone, const RRsetKey& key,
                                                          const model::Rdata& rd, size_t* calls) {
  auto value = technitium::value_params(rd);
  if (!value) co_return tl::unexpected(ApiFailure{ApiFailure::Kind::Refused, value.error()});
  auto p = base(zone, key.owner, key.type);
  p.insert(p.end(), value->begin(), value->end());
  auto r = co_await api_->call("/api/zones/records/delete", std::move(p));
  if (r) {
    ++*calls;
    co_return ApiResult<void>{};
  }
  if (does_not_exist(r.error())) co_return ApiResult<void>{};  // already gone
  co_return tl::unexpected(r.error());
}

asio::awaitable<ApiResult<void>> TechnitiumServer::rewrite(const Name& zone, const RRset& set,
                                                           const model::Rdata& rd,
                                                           const model::RecordNotes& notes,
                                                           size_t* calls) {
  auto value = technitium::update_params(rd);
  if (!value) co_return tl::unexpected(ApiFailure{ApiFailure::Kind::Refused, value.error()});
  auto p = base(zone, set.owner(), set.type());
  p.emplace_back("ttl", std::to_string(set.ttl()));  // records/update resets what is not sent
  p.emplace_back("comments", technitium::render_comments(claim_, notes));
  p.insert(p.end(), value->begin(), value->end());
  auto r = co_await api_->call("/api/zones/records/update", std::move(p));
  if (!r) co_return tl::unexpected(r.error());
  ++*calls;
  co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> TechnitiumServer::write(const Name& zone, const Change& c,
                                                         const ServedZone& copy,
                                                         const model::RecordNotes& notes,
                                                         size_t* calls) {
  const RRsetKey key = c.rrset.key();
  auto it = copy.rrsets.find(key);
  const RRset* have = it == copy.rrsets.end() ? nullptr : &it->second;
  auto served_notes = copy.notes.find(key);
  bool notes_differ =
      (served_notes == copy.notes.end() ? model::RecordNotes() : served_notes->second) != notes;
  if (key.type == RRType::SOA) {
    if (c.op != Change::Op::Add && c.op != Change::Op::Replace) {
      co_return tl::unexpected(ApiFailure{ApiFailure::Kind::Refused, "the SOA is never deleted"});
    }
    if (c.rrset.empty())
      co_return tl::unexpected(ApiFailure{ApiFailure::Kind::Refused, "empty SOA"});
    auto p = technitium::soa_params(c.rrset.rdatas().front());
    if (!p) co_return tl::unexpected(ApiFailure{ApiFailure::Kind::Refused, p.error()});
    auto q = base(zone, key.owner, key.type);
    q.emplace_back("ttl", std::to_string(c.rrset.ttl()));
    q.insert(q.end(), p->begin(), p->end());
    auto r = co_await api_->call("/api/zones/records/update", std::move(q));
    if (!r) co_return tl::unexpected(r.error());
    ++*calls;
    co_return ApiResult<void>{};
  }
  switch (c.op) {
    case Change::Op::Add:
      for (const auto& rd : c.rrset.rdatas()) {
        if (have && have->contains(rd)) {
          if (have->ttl() == c.rrset.ttl()) continue;
          // RFC 2136 adds a record the zone has to give its RRset another TTL (the plan does
          // so for the apex NS); Technitium refuses to add a record it has ("already exists"),
          // so the record is written again in place with the new TTL.
          auto r = co_await rewrite(zone, c.rrset, rd, notes, calls);
          if (!r) co_return r;
          continue;
        }
        auto r = co_await add(zone, c.rrset, rd, false, notes, calls);
        if (!r) co_return r;
      }
      co_return ApiResult<void>{};
    case Change::Op::Remove:
    case Change::Op::DeleteRRset: {
      const RRset& gone = c.op == Change::Op::Remove ? c.rrset : (have ? *have : c.rrset);
      for (const auto& rd : gone.rdatas()) {
        if (c.op == Change::Op::Remove && have && !have->contains(rd)) continue;
        auto r = co_await remove(zone, key, rd, calls);
        if (!r) co_return r;
      }
      co_return ApiResult<void>{};
    }
    case Change::Op::Replace: {
      if (c.rrset.empty()) {
        for (const auto& rd : have ? have->rdatas() : std::vector<model::Rdata>{}) {
          auto r = co_await remove(zone, key, rd, calls);
          if (!r) co_return r;
        }
        co_return ApiResult<void>{};
      }
      if (have && have->ttl() == c.rrset.ttl() && !model::is_singleton(key.type)) {
        // Same TTL: add what is new, then delete what went (the name never goes empty).
        for (const auto& rd : c.rrset.rdatas()) {
          if (have->contains(rd)) continue;
          auto r = co_await add(zone, c.rrset, rd, false, notes, calls);
          if (!r) co_return r;
        }
        for (const auto& rd : have->rdatas()) {
          if (c.rrset.contains(rd)) continue;
          auto r = co_await remove(zone, key, rd, calls);
          if (!r) co_return r;
        }
        // Records kept: their comments carry the new owner and description.
        for (const auto& rd : c.rrset.rdatas()) {
          if (!notes_differ || !have->contains(rd)) continue;
          auto r = co_await rewrite(zone, c.rrset, rd, notes, calls);
          if (!r) co_return r;
        }
        co_return ApiResult<void>{};
      }
      // New RRset, a singleton (CNAME, DNAME) or a TTL change: overwrite with the first record
      // (one call replaces the RRset), then add the others.
      bool first = true;
      for (const auto& rd : c.rrset.rdatas()) {
        bool overwrite = first && have != nullptr;
        auto r = co_await add(zone, c.rrset, rd, overwrite, notes, calls);
        if (!r) co_return r;
        first = false;
      }
      co_return ApiResult<void>{};
    }
  }
  co_return ApiResult<void>{};
}

asio::awaitable<Result<ApplyOutcome>> TechnitiumServer::apply(const model::ChangeSet& changes) {
  ApplyOutcome out;
  if (changes.empty()) co_return out;
  const Name zone = changes.zone;
  if (!zones_.count(zone)) {
    auto loaded = co_await load(zone);
    if (!loaded) co_return tl::unexpected(loaded.error());
  }
  // One SOA query proves the copy current; if someone else wrote, re-read it and plan again.
  auto serial = co_await soa_serial(zone);
  if (!serial) co_return tl::unexpected(serial.error());
  if (auto it = zones_.find(zone); it == zones_.end() || it->second.serial != *serial) {
    auto r = co_await refresh(zone);
    if (!r) co_return tl::unexpected(r.error());
    Failure f{std::string(reasons::kUpdateRefused), std::string(reasons::kReachable),
              "the zone changed since it was read; read again", true, true};
    co_return tl::unexpected(std::move(f));
  }
  auto t0 = std::chrono::steady_clock::now();
  for (const Change& c : changes.changes) {
    auto it = zones_.find(zone);
    if (it == zones_.end()) break;
    ServedZone& copy = it->second;
    const RRsetKey key = c.rrset.key();
    if (c.expect) {
      auto h = copy.rrsets.find(key);
      bool matches = c.expect->empty() ? h == copy.rrsets.end()
                                       : h != copy.rrsets.end() && h->second == *c.expect;
      if (!matches) {
        out.refused.push_back({c, "the RRset is not what the plan was made against"});
        continue;
      }
    }
    if (copy.foreign.count(key)) {
      out.refused.push_back(
          {c, fmt::format("{} {} is not zonekeeper's: none of its records carries the claim "
                          "\"{}\" in its comments",
                          key.owner.to_string(), model::to_string(key.type), claim_)});
      continue;
    }
    size_t calls = 0;
    auto n = changes.notes.find(key);
    const model::RecordNotes notes = n == changes.notes.end() ? model::RecordNotes() : n->second;
    auto r = co_await write(zone, c, copy, notes, &calls);
    out.messages += calls;
    it = zones_.find(zone);
    if (it == zones_.end()) break;
    it->second.serial += uint32_t(calls);
    if (r) {
      apply_changes(it->second.rrsets, {c});
      if (!it->second.rrsets.count(key)) {
        it->second.notes.erase(key);
      } else if (c.op == Change::Op::Replace || c.op == Change::Op::Add) {
        it->second.notes[key] = notes;
      }
      ++out.applied;
      continue;
    }
    if (r.error().kind == ApiFailure::Kind::Refused) {
      out.refused.push_back({c, r.error().message});
      if (calls > 0) {  // half done: the copy no longer says what the server holds
        zones_.erase(zone);
        break;
      }
      continue;
    }
    zones_.erase(zone);  // the server failed us midway: read it again next time
    Result<ApplyOutcome> failed = tl::unexpected(failure(r.error()));
    meter(metrics_, label_, "update", t0, failed);
    co_return note(std::move(failed));
  }
  Result<ApplyOutcome> done(std::move(out));
  meter(metrics_, label_, "update", t0, done);
  if (metrics_) metrics_->dns_changes(label_, done->applied);
  co_return note(std::move(done));
}

}  // namespace zk::providers
