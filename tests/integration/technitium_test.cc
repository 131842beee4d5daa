// The Technitium provider against the Technitium double (tests/support/technitium_double.py,
// written from Technitium's API documentation): every record type created, replaced and
// deleted; 1,000 records; a bad token; a missing zone; 5xx bursts; records it does not own;
// drift; a restart that writes nothing.
#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include "plan/zone_plan.h"
#include "providers/backend_factory.h"
#include "providers/technitium.h"
#include "support/technitium_double.h"
#include "telemetry/metrics.h"

namespace zk {
namespace {

namespace asio = boost::asio;
using model::ChangeSet;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetMap;
using model::RRType;

const Name kZone = Name::parse("example.test.").value();
Name N(const std::string& s) {
  return Name::parse(s + ".example.test.").value();
}

template <class F>
auto run(F&& op) {
  asio::io_context io;
  auto fut = asio::co_spawn(io, op(), asio::use_future);
  io.run();
  return fut.get();
}

class Technitium : public ::testing::Test {
 protected:
  Technitium() : dbl_({.zones = {"example.test"}}), io_() {}

  providers::ProviderSpec spec(const std::string& token = "") {
    providers::ProviderSpec s;
    s.label = "dns/technitium";
    s.address = "127.0.0.1";
    s.port = dbl_.dns_port();
    s.timeout_seconds = 5;
    s.owner_id = "it";
    providers::ProviderSpec::Technitium t;
    t.url = dbl_.url();
    t.token = token.empty() ? dbl_.token() : token;
    t.requests_per_second = 0;  // as fast as the double answers
    s.technitium = t;
    return s;
  }
  std::shared_ptr<providers::Provider> make(const providers::ProviderSpec& s,
                                            telemetry::Metrics* metrics = nullptr) {
    providers::BackendFactory f(io_.get_executor(), metrics);
    return f.make(s).value();
  }
  template <class T>
  T wait(asio::awaitable<T> a) {
    auto fut = asio::co_spawn(io_, std::move(a), asio::use_future);
    io_.restart();
    io_.run();
    return fut.get();
  }
  // The zone as a fresh provider reads it (what the server holds).
  RRsetMap fresh_copy() {
    auto p = make(spec());
    auto r = wait(p->load(kZone));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return p->served(kZone)->rrsets;
  }
  // Plans the desired RRsets as a DNSZone does and applies them.
  providers::ApplyOutcome converge(providers::Provider& p, const RRsetMap& desired,
                                   plan::ZoneOwnership own = {}) {
    if (!p.served(kZone)) {
      EXPECT_TRUE(wait(p.load(kZone)).has_value());
    }
    own.foreign = p.served(kZone)->foreign;
    auto plan = plan::plan_zone(kZone, desired, p.served(kZone)->rrsets, own);
    auto r = wait(p.apply(plan.changes));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : providers::ApplyOutcome{};
  }
  // As converge, with `notes` (owner, description) for the RRset `key`; the number of changes.
  size_t converge_with_notes(providers::Provider& p, const RRsetMap& want,
                             const model::RRsetKey& key, const model::RecordNotes& notes) {
    const providers::ServedZone& served = *p.served(kZone);
    plan::ZoneOwnership own;
    own.foreign = served.foreign;
    auto zp = plan::plan_zone(kZone, want, served.rrsets, own);
    plan::Plan plan{zp.changes, zp.diff, zp.notes};
    plan::plan_notes(plan, {{key, notes}}, want, served.rrsets, served.notes, own.foreign);
    auto r = wait(p.apply(plan.changes));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return plan.changes.changes.size();
  }
  // How often each endpoint was called (since the last reset_calls).
  boost::json::object calls_by_endpoint() {
    return boost::json::parse(dbl_.state()).as_object().at("calls").as_object();
  }
  size_t api_calls() {
    size_t n = 0;
    for (const auto& [k, v] : calls_by_endpoint()) n += size_t(v.as_int64());
    return n;
  }

  testbed::TechnitiumDouble dbl_;
  asio::io_context io_;
};

// A zone as text, one record per line, so that a failed comparison says what differs.
std::string text(const RRsetMap& zone) {
  std::string out;
  for (const auto& [k, set] : zone) {
    for (const auto& rd : set.rdatas()) {
      out += fmt::format("{} {} {} {}\n", k.owner.to_string(), set.ttl(), model::to_string(k.type),
                         k.type == RRType::SOA ? "(soa)" : rd.to_text());
    }
  }
  return out;
}

RRsetMap with_zone_data(const RRsetMap& served, RRsetMap desired) {
  for (const auto& [k, v] : served) {
    if (k.type == RRType::SOA || (k.type == RRType::NS && k.owner == kZone)) desired.emplace(k, v);
  }
  return desired;
}

RRsetMap every_type() {
  RRsetMap d;
  auto put = [&](RRset s) { d.emplace(s.key(), std::move(s)); };
  put(RRset(N("a"), RRType::A, 300,
            {Rdata::a("192.0.2.1").value(), Rdata::a("192.0.2.2").value()}));
  put(RRset(N("a"), RRType::AAAA, 300, {Rdata::aaaa("2001:db8::1").value()}));
  put(RRset(N("alias"), RRType::CNAME, 300, {Rdata::name_target(RRType::CNAME, N("a"))}));
  put(RRset(N("sub"), RRType::NS, 300, {Rdata::name_target(RRType::NS, N("ns.sub"))}));
  put(RRset(N("1"), RRType::PTR, 300, {Rdata::name_target(RRType::PTR, N("a"))}));
  put(RRset(kZone, RRType::MX, 300, {Rdata::mx(10, N("mail"))}));
  put(RRset(kZone, RRType::TXT, 300,
            {Rdata::txt({"v=spf1 -all"}).value(), Rdata::txt({"two", "strings"}).value()}));
  put(RRset(N("_sip._tcp"), RRType::SRV, 300, {Rdata::srv(1, 2, 5060, N("sip"))}));
  put(RRset(kZone, RRType::CAA, 300, {Rdata::caa(0, "issue", "letsencrypt.org").value()}));
  put(RRset(N("old"), RRType::DNAME, 300, {Rdata::name_target(RRType::DNAME, N("new"))}));
  put(RRset(N("host"), RRType::SSHFP, 300,
            {Rdata::sshfp(4, 2, std::vector<uint8_t>(32, 0xab)).value()}));
  put(RRset(N("_443._tcp"), RRType::TLSA, 300, {Rdata::tlsa(3, 1, 1, {1, 2, 3}).value()}));
  put(RRset(N("enum"), RRType::NAPTR, 300,
            {Rdata::naptr(100, 10, "U", "E2U+sip", "!^.*$!sip:x@example.test!", Name()).value()}));
  put(RRset(
      N("_dns"), RRType::SVCB, 300,
      {Rdata::parse(RRType::SVCB, "1 dns mandatory=alpn alpn=dot,h2 port=853 ech=AEX+DQ==", kZone)
           .value()}));
  put(RRset(
      N("www"), RRType::HTTPS, 300,
      {Rdata::parse(RRType::HTTPS,
                    "1 . alpn=h2,h3 no-default-alpn ipv4hint=192.0.2.1,192.0.2.2 "
                    "ipv6hint=2001:db8::1 key65000=x",
                    kZone)
           .value(),
       Rdata::parse(RRType::HTTPS, "2 backup.example.net. dohpath=/q{?dns}", kZone).value()}));
  put(RRset(kZone, RRType::HTTPS, 300,
            {Rdata::parse(RRType::HTTPS, "0 cdn.example.net.", kZone).value()}));
  return d;
}

TEST_F(Technitium, EveryTypeIsCreatedReplacedAndDeleted) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  RRsetMap want = with_zone_data(p->served(kZone)->rrsets, every_type());
  auto out = converge(*p, want);
  EXPECT_TRUE(out.refused.empty()) << out.refused.front().message;
  EXPECT_EQ(text(fresh_copy()), text(want));
  EXPECT_EQ(text(p->served(kZone)->rrsets), text(want));  // the copy followed without a listing
  EXPECT_TRUE(wait(p->refresh(kZone)).value().changed.empty());
  // lookup() asks the server's DNS port: what it serves now.
  auto a = wait(p->lookup(N("a"), RRType::A));
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(a->rcode, "NOERROR");
  EXPECT_EQ(a->rdatas.size(), 2u);
  EXPECT_EQ(a->ttl, 300u);
  auto missing = wait(p->lookup(N("nothing-here"), RRType::A));
  ASSERT_TRUE(missing.has_value()) << missing.error().message;
  EXPECT_EQ(missing->rcode, "NXDOMAIN");

  // Replace: new values in every RRset, a TTL change in one.
  RRsetMap next = want;
  next.at({N("a"), RRType::A}) = RRset(N("a"), RRType::A, 300, {Rdata::a("192.0.2.3").value()});
  next.at({N("alias"), RRType::CNAME}) =
      RRset(N("alias"), RRType::CNAME, 300, {Rdata::name_target(RRType::CNAME, N("b"))});
  next.at({kZone, RRType::MX}) = RRset(kZone, RRType::MX, 600, {Rdata::mx(20, N("mx2"))});
  next.at({kZone, RRType::TXT}) = RRset(kZone, RRType::TXT, 300, {Rdata::txt({"only"}).value()});
  next.at({kZone, RRType::HTTPS}) =  // AliasMode becomes ServiceMode
      RRset(kZone, RRType::HTTPS, 300, {Rdata::parse(RRType::HTTPS, "1 .", kZone).value()});
  next.at({N("_dns"), RRType::SVCB}) =
      RRset(N("_dns"), RRType::SVCB, 300,
            {Rdata::parse(RRType::SVCB, "1 dns alpn=dot port=8853", kZone).value()});
  out = converge(*p, next);
  EXPECT_TRUE(out.refused.empty());
  EXPECT_EQ(text(fresh_copy()), text(next));

  // Delete everything we wrote: only the zone's own SOA and NS stay.
  RRsetMap none = with_zone_data(p->served(kZone)->rrsets, {});
  out = converge(*p, none);
  EXPECT_TRUE(out.refused.empty());
  EXPECT_EQ(text(fresh_copy()), text(none));
}

TEST_F(Technitium, AThousandRecordsThenNothingToDoAndARestartWritesNothing) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  RRsetMap want;
  for (int i = 0; i < 1000; ++i) {
    RRset s(N(fmt::format("host{}", i)), RRType::A, 60,
            {Rdata::a(fmt::format("10.0.{}.{}", i / 250, i % 250 + 1)).value()});
    want.emplace(s.key(), s);
  }
  want = with_zone_data(p->served(kZone)->rrsets, want);
  dbl_.reset_calls();
  auto out = converge(*p, want);
  EXPECT_EQ(out.applied, 1000u);
  EXPECT_EQ(out.messages, 1000u);
  EXPECT_EQ(api_calls(), 1000u);  // one add per new RRset; the SOA check went over DNS
  EXPECT_EQ(text(fresh_copy()), text(want));

  dbl_.reset_calls();
  EXPECT_TRUE(converge(*p, want).applied == 0);
  EXPECT_EQ(api_calls(), 0u);  // converged: not one API call

  auto restarted = make(spec());
  dbl_.reset_calls();
  out = converge(*restarted, want);
  EXPECT_EQ(out.applied, 0u);
  EXPECT_EQ(api_calls(), 1u);  // the one listing; no write
}

TEST_F(Technitium, InvalidTokenIsAnAuthenticationFailureAndChangesNothing) {
  telemetry::Metrics metrics;
  auto p = make(spec("not-the-token"), &metrics);
  auto r = wait(p->load(kZone));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "AuthenticationFailed");
  EXPECT_EQ(r.error().server_reason, "AuthenticationFailed");
  EXPECT_EQ(r.error().message.find("not-the-token"), std::string::npos);
  ChangeSet cs{kZone, {}};
  cs.replace(RRset(N("www"), RRType::A, 60, {Rdata::a("192.0.2.1").value()}));
  EXPECT_FALSE(wait(p->apply(cs)).has_value());
  EXPECT_EQ(fresh_copy().count({N("www"), RRType::A}), 0u);
  // Each refused call is counted with its reason and timed.
  auto ops = [&](const char* op) {
    return metrics.value(
        "zonekeeper_dns_operations_total",
        {{"server", "dns/technitium"}, {"operation", op}, {"result", "AuthenticationFailed"}});
  };
  EXPECT_GE(ops("listing").value_or(0), 1);
  EXPECT_EQ(metrics.value(
                "zonekeeper_dns_operations_total",
                {{"server", "dns/technitium"}, {"operation", "listing"}, {"result", "success"}}),
            std::nullopt);
  EXPECT_GE(metrics
                .value("zonekeeper_dns_operation_duration_seconds",
                       {{"server", "dns/technitium"}, {"operation", "listing"}})
                .value_or(0),
            1);
}

TEST_F(Technitium, AMissingZoneIsZoneNotFoundUnlessCreationIsOn) {
  const Name other = Name::parse("other.test.").value();
  auto p = make(spec());
  auto r = wait(p->load(other));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "ZoneNotFound");
  auto s = spec();
  s.technitium->create_zones = true;
  auto creating = make(s);
  ASSERT_TRUE(wait(creating->load(other)).has_value());
  EXPECT_TRUE(creating->served(other)->rrsets.count({other, RRType::SOA}));
  EXPECT_NE(dbl_.state().find("other.test"), std::string::npos);
}

TEST_F(Technitium, ServerErrorBurstsAreRetriedWithBackoffThenConverge) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  RRsetMap want = with_zone_data(p->served(kZone)->rrsets, every_type());
  dbl_.fail_next(3, 503);
  auto out = converge(*p, want);
  EXPECT_TRUE(out.refused.empty());
  EXPECT_EQ(text(fresh_copy()), text(want));
  // A burst longer than the retries fails the call with the server's reason, nothing exits.
  dbl_.fail_next(50, 500);
  ChangeSet cs{kZone, {}};
  cs.replace(RRset(N("late"), RRType::A, 60, {Rdata::a("192.0.2.9").value()}));
  auto r = wait(p->apply(cs));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().server_reason, "ServerFailure");
  EXPECT_NE(r.error().message.find("HTTP 500"), std::string::npos);
}

TEST_F(Technitium, RecordsWithoutOurClaimAreNeverTouched) {
  // Someone's record, added by hand (no comments), at a name we will want, and one elsewhere.
  dbl_.call("/api/zones/records/add", {{"zone", "example.test"},
                                       {"domain", "www.example.test"},
                                       {"type", "A"},
                                       {"ttl", "300"},
                                       {"ipAddress", "198.51.100.7"}});
  dbl_.call("/api/zones/records/add", {{"zone", "example.test"},
                                       {"domain", "nas.example.test"},
                                       {"type", "A"},
                                       {"ttl", "300"},
                                       {"ipAddress", "198.51.100.8"}});
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  EXPECT_EQ(p->served(kZone)->foreign.size(), 2u);
  RRsetMap want = with_zone_data(p->served(kZone)->rrsets, {});
  RRset www(N("www"), RRType::A, 60, {Rdata::a("192.0.2.1").value()});
  want.emplace(www.key(), www);
  auto out = converge(*p, want);  // driftPolicy Remediate: would delete nas if it were ours
  ASSERT_EQ(out.refused.size(), 1u);
  EXPECT_EQ(out.refused[0].change.rrset.key(), www.key());
  EXPECT_NE(out.refused[0].message.find("not zonekeeper's"), std::string::npos);
  auto held = fresh_copy();
  EXPECT_EQ(held.at({N("www"), RRType::A}).rdatas()[0].to_text(), "198.51.100.7");
  EXPECT_EQ(held.count({N("nas"), RRType::A}), 1u);
}

TEST_F(Technitium, DriftThroughTheApiIsDetectedAndRemediated) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  RRsetMap want = with_zone_data(p->served(kZone)->rrsets, {});
  RRset api(N("api"), RRType::A, 120, {Rdata::a("192.0.2.10").value()});
  want.emplace(api.key(), api);
  converge(*p, want);
  // Edited by hand as the web console does it (comments sent back, so our claim stays).
  dbl_.call("/api/zones/records/update", {{"zone", "example.test"},
                                          {"domain", "api.example.test"},
                                          {"type", "A"},
                                          {"ipAddress", "192.0.2.10"},
                                          {"newIpAddress", "203.0.113.5"},
                                          {"ttl", "120"},
                                          {"comments", "zonekeeper:it"}});
  auto moved = wait(p->refresh(kZone));
  ASSERT_TRUE(moved.has_value());
  EXPECT_TRUE(moved->moved);
  ASSERT_EQ(moved->changed.size(), 1u);
  EXPECT_EQ(moved->changed[0], api.key());
  auto out = converge(*p, want);
  EXPECT_EQ(out.applied, 1u);
  EXPECT_EQ(fresh_copy().at(api.key()), api);

  // Edited through the API without comments: Technitium empties them, the claim is gone and
  // the record is the editor's now — left alone, the change refused with why.
  dbl_.call("/api/zones/records/update", {{"zone", "example.test"},
                                          {"domain", "api.example.test"},
                                          {"type", "A"},
                                          {"ipAddress", "192.0.2.10"},
                                          {"newIpAddress", "203.0.113.6"},
                                          {"ttl", "120"}});
  ASSERT_TRUE(wait(p->refresh(kZone)).has_value());
  out = converge(*p, want);
  ASSERT_EQ(out.refused.size(), 1u);
  EXPECT_EQ(fresh_copy().at(api.key()).rdatas()[0].to_text(), "203.0.113.6");
}

// A DNSZone's apex NS at another TTL than the server's own (Technitium makes it at 3600): the
// plan adds the records again with the new TTL, as RFC 2136 changes a TTL; Technitium refuses
// to add a record it has, so the provider writes it again in place. Once: the zone then holds
// the new TTL and nothing more is written (before, "already exists" counted as done, the TTL
// stayed and every listing found the same drift).
TEST_F(Technitium, AnApexNsTtlIsChangedOnceAndThenLeftAlone) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  RRsetMap want = with_zone_data(p->served(kZone)->rrsets, {});
  const model::RRsetKey ns{kZone, RRType::NS};
  ASSERT_EQ(want.at(ns).ttl(), 3600u);
  const RRset apex(kZone, RRType::NS, 300, want.at(ns).rdatas());
  want.erase(ns);
  want.emplace(ns, apex);
  auto out = converge(*p, want);
  EXPECT_TRUE(out.refused.empty());
  const RRsetMap held = fresh_copy();
  EXPECT_EQ(held.at(ns), apex) << text(held);
  EXPECT_TRUE(plan::plan_zone(kZone, want, held, plan::ZoneOwnership{}).changes.empty())
      << text(held);
  const size_t calls = api_calls();
  out = converge(*p, want);
  EXPECT_EQ(out.applied, 0u);
  EXPECT_EQ(api_calls(), calls);
}

// The comments of every record of one RRset, as the server holds them.
std::vector<std::string> comments_of(testbed::TechnitiumDouble& dbl, const std::string& domain,
                                     std::string_view type) {
  auto r = boost::json::parse(
               dbl.call("/api/zones/records/get", {{"zone", "example.test"}, {"domain", domain}}))
               .as_object();
  std::vector<std::string> out;
  for (const auto& v : r.at("response").at("records").as_array()) {
    const auto& rec = v.as_object();
    if (rec.at("type").as_string() == type) out.emplace_back(rec.at("comments").as_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Owner and description ride in each record's comments after the claim: written with the
// records, read back, rewritten (records/update, the data untouched) when only they change,
// and not written at all when they are the same. Older comments (the claim alone) stay ours.
TEST_F(Technitium, OwnerAndDescriptionLiveInTheComments) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  RRsetMap want = with_zone_data(p->served(kZone)->rrsets, {});
  RRset www(N("www"), RRType::A, 300,
            {Rdata::a("192.0.2.1").value(), Rdata::a("192.0.2.2").value()});
  want.emplace(www.key(), www);
  auto apply_with = [&](const model::RecordNotes& notes) {
    return converge_with_notes(*p, want, www.key(), notes);
  };
  model::RecordNotes notes{"team-web", "the shop | front \\ door\nsecond line caf\xc3\xa9"};
  EXPECT_EQ(apply_with(notes), 1u);
  const std::string written =
      "zonekeeper:it | owner: team-web | description: the shop \\| front \\\\ door\\nsecond "
      "line caf\xc3\xa9";
  EXPECT_EQ(comments_of(dbl_, "www.example.test", "A"),
            (std::vector<std::string>{written, written}));
  {
    auto fresh = make(spec());
    ASSERT_TRUE(wait(fresh->load(kZone)).has_value());
    EXPECT_EQ(fresh->served(kZone)->notes.at(www.key()), notes);
    EXPECT_FALSE(fresh->served(kZone)->foreign.count(www.key()));
  }

  // The same notes: nothing to do, no API call.
  dbl_.reset_calls();
  EXPECT_EQ(apply_with(notes), 0u);
  EXPECT_EQ(api_calls(), 0u);

  // Only the description changes: one records/update per record, the data as it was.
  dbl_.reset_calls();
  model::RecordNotes moved{"team-web", "moved"};
  EXPECT_EQ(apply_with(moved), 1u);
  const boost::json::object calls = calls_by_endpoint();
  EXPECT_EQ(calls.at("/api/zones/records/update").as_int64(), 2);
  EXPECT_FALSE(calls.contains("/api/zones/records/add"));
  EXPECT_FALSE(calls.contains("/api/zones/records/delete"));
  EXPECT_EQ(fresh_copy().at(www.key()), www);
  EXPECT_EQ(comments_of(dbl_, "www.example.test", "A")[0],
            "zonekeeper:it | owner: team-web | description: moved");
  EXPECT_EQ(apply_with(moved), 0u);

  // Annotations removed: the claim alone, as older versions wrote it — still ours.
  EXPECT_EQ(apply_with({}), 1u);
  EXPECT_EQ(comments_of(dbl_, "www.example.test", "A"),
            (std::vector<std::string>{"zonekeeper:it", "zonekeeper:it"}));
  {
    auto fresh = make(spec());
    ASSERT_TRUE(wait(fresh->load(kZone)).has_value());
    EXPECT_FALSE(fresh->served(kZone)->foreign.count(www.key()));
    EXPECT_EQ(fresh->served(kZone)->notes.at(www.key()), model::RecordNotes{});
  }

  // Someone's record whose description spells our claim is not ours.
  dbl_.call("/api/zones/records/add", {{"zone", "example.test"},
                                       {"domain", "nas.example.test"},
                                       {"type", "A"},
                                       {"ttl", "300"},
                                       {"comments", "bob | description: zonekeeper:it"},
                                       {"ipAddress", "198.51.100.8"}});
  auto fresh = make(spec());
  ASSERT_TRUE(wait(fresh->load(kZone)).has_value());
  EXPECT_TRUE(fresh->served(kZone)->foreign.count({N("nas"), RRType::A}));
}

TEST_F(Technitium, SvcbCommentsAreRewrittenWithTheSameData) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  RRsetMap want = with_zone_data(p->served(kZone)->rrsets, {});
  RRset https(N("www"), RRType::HTTPS, 300,
              {Rdata::parse(RRType::HTTPS, "1 . alpn=h2,h3 port=8443", kZone).value(),
               Rdata::parse(RRType::HTTPS, "2 cdn.example.net.", kZone).value()});
  want.emplace(https.key(), https);
  auto apply_with = [&](const model::RecordNotes& notes) {
    return converge_with_notes(*p, want, https.key(), notes);
  };
  EXPECT_EQ(apply_with({"team-web", ""}), 1u);
  // Only the owner changes: records/update per record (newSvc… values the same), no add or
  // delete, the data read back equal.
  dbl_.reset_calls();
  EXPECT_EQ(apply_with({"team-shop", ""}), 1u);
  const boost::json::object calls = calls_by_endpoint();
  EXPECT_EQ(calls.at("/api/zones/records/update").as_int64(), 2);
  EXPECT_FALSE(calls.contains("/api/zones/records/add"));
  EXPECT_FALSE(calls.contains("/api/zones/records/delete"));
  EXPECT_EQ(fresh_copy().at(https.key()), https);
  EXPECT_EQ(comments_of(dbl_, "www.example.test", "HTTPS"),
            (std::vector<std::string>{"zonekeeper:it | owner: team-shop",
                                      "zonekeeper:it | owner: team-shop"}));
  EXPECT_EQ(apply_with({"team-shop", ""}), 0u);
}

TEST_F(Technitium, AStaleCopyIsReadAgainBeforeWriting) {
  auto p = make(spec());
  ASSERT_TRUE(wait(p->load(kZone)).has_value());
  // Someone writes after our read: our next apply sees the serial moved and asks to re-plan.
  dbl_.call("/api/zones/records/add", {{"zone", "example.test"},
                                       {"domain", "x.example.test"},
                                       {"type", "A"},
                                       {"ttl", "60"},
                                       {"ipAddress", "192.0.2.77"}});
  ChangeSet cs{kZone, {}};
  cs.replace(RRset(N("y"), RRType::A, 60, {Rdata::a("192.0.2.1").value()}),
             RRset(N("y"), RRType::A, 0));
  auto r = wait(p->apply(cs));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().stale_copy);
  EXPECT_EQ(p->served(kZone)->rrsets.count({N("x"), RRType::A}), 1u);  // read again
  auto again = wait(p->apply(cs));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->applied, 1u);
}

TEST_F(Technitium, UserAndPasswordMintASessionToken) {
  testbed::TechnitiumDouble users(
      {.zones = {"example.test"}, .token = "", .user = "zk", .password = "pw"});
  providers::ProviderSpec s = spec();
  s.port = users.dns_port();
  s.technitium->url = users.url();
  s.technitium->token.clear();
  s.technitium->username = "zk";
  s.technitium->password = "pw";
  auto p = make(s);
  EXPECT_TRUE(wait(p->load(kZone)).has_value());
  s.technitium->password = "wrong";
  auto bad = make(s);
  auto r = wait(bad->load(kZone));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "AuthenticationFailed");
  EXPECT_EQ(r.error().message.find("wrong"), std::string::npos);
}

}  // namespace
}  // namespace zk
