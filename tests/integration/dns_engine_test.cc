// The DNS engine against real BIND 9: every record type created, replaced and deleted (checked
// with dig, an independent client, and with our own AXFR), large batches, TSIG algorithms and
// failures, IXFR, NOTIFY to a secondary, timeouts, cancellation.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include <fmt/format.h>

#include "dns/client.h"
#include "support/named_fixture.h"

namespace zk::dns {
namespace {

namespace asio = boost::asio;
using model::ChangeSet;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRType;
using testbed::NamedServer;

const std::string kZoneText = "example.test.";
const Name kZone = Name::parse(kZoneText).value();
Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}

TsigKey key_of(const NamedServer& named) {
  const auto& k = named.tsig_key();
  return TsigKey::from_base64(k.name, testbed::to_string(k.algorithm), k.secret).value();
}

ClientOptions options_for(const NamedServer& named) {
  ClientOptions o;
  o.key = key_of(named);
  o.timeout = std::chrono::seconds(20);
  return o;
}

ServerAddress address_of(const NamedServer& named) {
  return {"127.0.0.1", named.port()};
}

Result<UpdateReport> apply(const NamedServer& named, const ChangeSet& cs, ClientOptions o) {
  return run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<UpdateReport>> {
    Client c(ex, address_of(named), o);
    co_return co_await c.apply(cs);
  });
}
Result<UpdateReport> apply(const NamedServer& named, const ChangeSet& cs) {
  return apply(named, cs, options_for(named));
}

Result<ZoneSnapshot> axfr(const NamedServer& named, const Name& zone = kZone) {
  return run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<ZoneSnapshot>> {
    Client c(ex, address_of(named), options_for(named));
    co_return co_await c.axfr(zone);
  });
}

std::string dig_short(const NamedServer& named, const std::string& name, const std::string& type) {
  return named.dig({"+short", name, type});
}

// The RDATA of `name`/`type` as dig prints it, from the answer or (for a delegation's NS) the
// authority section.
std::string dig_rdata(const NamedServer& named, const std::string& name, const std::string& type) {
  std::istringstream in(named.dig({"+noall", "+answer", "+authority", name, type}));
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string owner, ttl, cls, t;
    f >> owner >> ttl >> cls >> t;
    if (owner != name || t != type) continue;
    std::string rest;
    std::getline(f >> std::ws, rest);
    out += rest + "\n";
  }
  return out;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  std::sort(out.begin(), out.end());
  return out;
}

RRset rrset(std::string_view owner, RRType type, uint32_t ttl,
            const std::vector<std::string>& values) {
  RRset s(N(owner), type, ttl);
  for (const auto& v : values) s.add(Rdata::parse(type, v, kZone).value());
  return s;
}

class DnsEngine : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    named_ = new NamedServer({.zones = {kZoneText}, .label = "engine"});
  }
  static void TearDownTestSuite() {
    delete named_;
    named_ = nullptr;
  }
  static NamedServer* named_;
};
NamedServer* DnsEngine::named_ = nullptr;

struct TypeCase {
  RRType type;
  std::vector<std::string> first;       // created
  std::vector<std::string> second;      // replaced by
  std::vector<std::string> dig_second;  // what dig +short shows after the replace
};

// What the controller's reasons rest on (controller/dns_reasons.h): BIND 9 answers a transfer
// of a zone it does not have with NOTAUTH (ZoneNotFound) and one its allow-transfer denies with
// REFUSED (TransferRefused).
TEST_F(DnsEngine, TransferOfAMissingZoneIsNotAuthAndADeniedOneIsRefused) {
  auto missing = axfr(*named_, Name::parse("missing.test.").value());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotAuth) << missing.error().to_string();
  auto denied =
      run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<ZoneSnapshot>> {
        ClientOptions unsigned_options;  // no key: allow-transfer { key ...; } refuses it
        unsigned_options.timeout = std::chrono::seconds(20);
        Client c(ex, address_of(*named_), unsigned_options);
        co_return co_await c.axfr(kZone);
      });
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::Refused) << denied.error().to_string();
}

TEST_F(DnsEngine, EveryTypeCreateReplaceDelete) {
  // Address records that MX/NS/SRV targets need (BIND's update integrity checks).
  ChangeSet glue{kZone, {}};
  glue.replace(rrset("mail", RRType::A, 300, {"192.0.2.25"}));
  glue.replace(rrset("mail2", RRType::A, 300, {"192.0.2.26"}));
  glue.replace(rrset("ns.sub", RRType::A, 300, {"192.0.2.53"}));
  ASSERT_TRUE(apply(*named_, glue));

  const std::vector<std::pair<std::string, TypeCase>> cases = {
      {"a", {RRType::A, {"192.0.2.1"}, {"192.0.2.2", "192.0.2.3"}, {"192.0.2.2", "192.0.2.3"}}},
      {"aaaa", {RRType::AAAA, {"2001:db8::1"}, {"2001:db8::2"}, {"2001:db8::2"}}},
      {"cname", {RRType::CNAME, {"a"}, {"aaaa"}, {"aaaa.example.test."}}},
      {"txt",
       {RRType::TXT,
        {"\"one\""},
        {"\"two\" \"strings\"", "\"second\""},
        {"\"second\"", "\"two\" \"strings\""}}},
      {"mx",
       {RRType::MX,
        {"10 mail"},
        {"20 mail2", "30 mail"},
        {"20 mail2.example.test.", "30 mail.example.test."}}},
      {"sub",
       {RRType::NS,
        {"ns.sub"},
        {"ns.sub", "ns2.elsewhere.org."},
        {"ns.sub.example.test.", "ns2.elsewhere.org."}}},
      {"_sip._tcp",
       {RRType::SRV, {"0 5 5060 a"}, {"1 10 5061 aaaa"}, {"1 10 5061 aaaa.example.test."}}},
      {"caa",
       {RRType::CAA,
        {"0 issue \"ca.example\""},
        {"0 issuewild \";\"", "128 iodef \"mailto:x@y.z\""},
        {"0 issuewild \";\"", "128 iodef \"mailto:x@y.z\""}}},
      {"1.2", {RRType::PTR, {"host.example.org."}, {"other.example.org."}, {"other.example.org."}}},
  };
  for (const auto& [owner, c] : cases) {
    SCOPED_TRACE(owner + " " + model::to_string(c.type));
    const std::string fqdn = owner + "." + kZoneText;
    const std::string type = model::to_string(c.type);
    ChangeSet create{kZone, {}};
    create.replace(rrset(owner, c.type, 300, c.first));
    auto r = apply(*named_, create);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(lines(dig_rdata(*named_, fqdn, type)).size(), c.first.size());

    ChangeSet replace{kZone, {}};
    auto second = rrset(owner, c.type, 600, c.second);
    replace.replace(second);
    r = apply(*named_, replace);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->messages, 1u);
    auto want = c.dig_second;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(lines(dig_rdata(*named_, fqdn, type)), want);
    auto snap = axfr(*named_);
    ASSERT_TRUE(snap) << snap.error().to_string();
    auto it = snap->rrsets.find(second.key());
    ASSERT_NE(it, snap->rrsets.end());
    EXPECT_EQ(it->second, second);  // same records, same TTL

    ChangeSet del{kZone, {}};
    del.remove_rrset(second.key());
    r = apply(*named_, del);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(dig_rdata(*named_, fqdn, type), "");
    snap = axfr(*named_);
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->rrsets.count(second.key()), 0u);
  }
}

TEST_F(DnsEngine, LongTxtWithQuotesAndUtf8) {
  std::string text = "say \"hi\" \\ café ☃ ";
  while (text.size() < 300) text += "0123456789";
  RRset s(N("long"), RRType::TXT, 300, {Rdata::txt_from_text(text)});
  ChangeSet cs{kZone, {}};
  cs.replace(s);
  ASSERT_TRUE(apply(*named_, cs));
  auto snap = axfr(*named_);
  ASSERT_TRUE(snap);
  const auto& got = snap->rrsets.at(s.key());
  ASSERT_EQ(got.size(), 1u);
  auto strings = got.rdatas()[0].txt_strings();
  ASSERT_EQ(strings.size(), 2u);
  EXPECT_EQ(strings[0] + strings[1], text);
  // dig (an independent parser) sees two strings, the first 255-octet one intact.
  auto shown = dig_short(*named_, "long.example.test.", "TXT");
  EXPECT_NE(shown.find("\"say \\\"hi\\\" \\\\ caf\\195\\169 "), std::string::npos) << shown;
  EXPECT_NE(shown.find("\" \""), std::string::npos) << shown;  // two character-strings
}

TEST_F(DnsEngine, PrerequisiteGuardsAgainstConcurrentChange) {
  ChangeSet cs{kZone, {}};
  cs.replace(rrset("guarded", RRType::A, 300, {"192.0.2.1"}));
  ASSERT_TRUE(apply(*named_, cs));
  ChangeSet stale{kZone, {}};
  stale.replace(rrset("guarded", RRType::A, 300, {"192.0.2.9"}),
                rrset("guarded", RRType::A, 300, {"192.0.2.77"}));  // not what the server has
  auto r = apply(*named_, stale);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::PrerequisiteFailed) << r.error().to_string();
  EXPECT_EQ(r.error().changes_applied, 0u);
  EXPECT_EQ(dig_short(*named_, "guarded.example.test.", "A"), "192.0.2.1\n");
  ChangeSet good{kZone, {}};
  good.replace(rrset("guarded", RRType::A, 300, {"192.0.2.9"}),
               rrset("guarded", RRType::A, 300, {"192.0.2.1"}));
  ASSERT_TRUE(apply(*named_, good));
  EXPECT_EQ(dig_short(*named_, "guarded.example.test.", "A"), "192.0.2.9\n");
}

TEST_F(DnsEngine, TenThousandRecordsInBatchesAndMultiMessageAxfr) {
  const Name zone = Name::parse("bulk.test.").value();
  named_->add_zone("bulk.test.");
  ChangeSet cs{zone, {}};
  for (int i = 0; i < 10000; ++i) {
    RRset s(zone.prepend(fmt::format("host-{:05d}", i)).value(), RRType::A, 300);
    s.add(Rdata::a(fmt::format("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)).value());
    cs.replace(std::move(s));
  }
  auto r = apply(*named_, cs);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->changes, 10000u);
  EXPECT_GT(r->messages, 1u);
  EXPECT_EQ(r->records, 10000u);
  auto snap = axfr(*named_, zone);
  ASSERT_TRUE(snap) << snap.error().to_string();
  EXPECT_GT(snap->messages, 1u);                // TSIG verified on each of them
  EXPECT_EQ(snap->rrsets.size(), 10000u + 3u);  // + SOA, NS, ns1 A
  EXPECT_EQ(dig_short(*named_, "host-09999.bulk.test.", "A"), "10.0.39.15\n");
  EXPECT_EQ(named_->soa_serial("bulk.test."), snap->serial);
}

TEST_F(DnsEngine, IxfrDeltasMatchAFreshAxfr) {
  const Name zone = Name::parse("ixfr.test.").value();
  named_->add_zone("ixfr.test.");
  auto base = axfr(*named_, zone);
  ASSERT_TRUE(base);
  for (int round = 0; round < 3; ++round) {
    ChangeSet cs{zone, {}};
    cs.replace(RRset(zone.prepend("r" + std::to_string(round)).value(), RRType::A, 60,
                     {Rdata::a("192.0.2." + std::to_string(round + 1)).value()}));
    if (round == 2) cs.remove_rrset({zone.prepend("r0").value(), RRType::A});
    ASSERT_TRUE(apply(*named_, cs));
  }
  auto ix = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<IxfrResult>> {
    Client c(ex, address_of(*named_), options_for(*named_));
    co_return co_await c.ixfr(zone, base->serial);
  });
  ASSERT_TRUE(ix) << ix.error().to_string();
  EXPECT_FALSE(ix->up_to_date);
  auto copy = base->rrsets;
  apply_ixfr(copy, *ix);
  auto now = axfr(*named_, zone);
  ASSERT_TRUE(now);
  EXPECT_EQ(ix->serial, now->serial);
  EXPECT_EQ(model::canonical_hash(copy), model::canonical_hash(now->rrsets));
  if (!ix->full) {
    EXPECT_EQ(ix->diffs.size(), 3u);
  }

  auto same = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<IxfrResult>> {
    Client c(ex, address_of(*named_), options_for(*named_));
    co_return co_await c.ixfr(zone, now->serial);
  });
  ASSERT_TRUE(same) << same.error().to_string();
  EXPECT_TRUE(same->up_to_date);
}

TEST_F(DnsEngine, WrongSecretIsBadSigAndChangesNothing) {
  auto o = options_for(*named_);
  o.key->secret[0] ^= 0xff;
  ChangeSet cs{kZone, {}};
  cs.replace(rrset("forged", RRType::A, 300, {"192.0.2.66"}));
  auto before = axfr(*named_);
  auto r = apply(*named_, cs, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadSig) << r.error().to_string();
  EXPECT_EQ(r.error().tsig_error, 16);
  auto after = axfr(*named_);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->serial, after->serial);
  EXPECT_EQ(model::canonical_hash(before->rrsets), model::canonical_hash(after->rrsets));
  EXPECT_EQ(dig_short(*named_, "forged.example.test.", "A"), "");
}

TEST_F(DnsEngine, UnknownKeyIsBadKey) {
  auto o = options_for(*named_);
  o.key->name = Name::parse("nobody-knows-me.").value();
  ChangeSet cs{kZone, {}};
  cs.replace(rrset("forged", RRType::A, 300, {"192.0.2.66"}));
  auto r = apply(*named_, cs, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadKey) << r.error().to_string();
  EXPECT_EQ(r.error().reason(), "BadKey");
  EXPECT_EQ(dig_short(*named_, "forged.example.test.", "A"), "");
}

TEST_F(DnsEngine, ZoneNotOnServerIsNotAuth) {
  ChangeSet cs{Name::parse("absent.test.").value(), {}};
  cs.replace(RRset(Name::parse("www.absent.test.").value(), RRType::A, 60,
                   {Rdata::a("192.0.2.1").value()}));
  auto r = apply(*named_, cs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::NotAuth) << r.error().to_string();
  auto s = axfr(*named_, Name::parse("absent.test.").value());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::NotAuth) << s.error().to_string();
}

TEST_F(DnsEngine, SoaSerialMatchesDig) {
  auto serial = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<uint32_t>> {
    Client c(ex, address_of(*named_), options_for(*named_));
    co_return co_await c.soa_serial(kZone);
  });
  ASSERT_TRUE(serial) << serial.error().to_string();
  EXPECT_EQ(named_->soa_serial(kZoneText), *serial);
}

TEST(DnsEngineTsig, EveryAlgorithmAgainstBind) {
  for (auto alg : {testbed::TsigAlgorithm::hmac_sha1, testbed::TsigAlgorithm::hmac_sha224,
                   testbed::TsigAlgorithm::hmac_sha256, testbed::TsigAlgorithm::hmac_sha384,
                   testbed::TsigAlgorithm::hmac_sha512}) {
    SCOPED_TRACE(std::string(testbed::to_string(alg)));
    NamedServer named({.zones = {kZoneText}, .tsig_algorithm = alg, .label = "tsig"});
    ChangeSet cs{kZone, {}};
    cs.replace(rrset("alg", RRType::TXT, 60, {"\"" + std::string(testbed::to_string(alg)) + "\""}));
    auto r = apply(named, cs);
    ASSERT_TRUE(r) << r.error().to_string();
    auto snap = axfr(named);
    ASSERT_TRUE(snap) << snap.error().to_string();
    EXPECT_EQ(snap->rrsets.count({N("alg"), RRType::TXT}), 1u);
  }
}

TEST(DnsEngineNotify, SecondaryCatchesUpAfterOurNotify) {
  // A primary that does not notify on its own, and a secondary that would otherwise wait an
  // hour (SOA refresh) before it looks again: only our NOTIFY can bring it up to date.
  NamedServer primary({.zones = {kZoneText}, .label = "notify-primary"});
  NamedServer secondary({.zones = {kZoneText},
                         .role = testbed::NamedRole::secondary,
                         .tsig_key = primary.tsig_key(),
                         .primary_port = primary.port(),
                         .label = "notify-secondary"});
  ASSERT_TRUE(secondary.wait_for_serial(kZoneText, 1));
  ChangeSet cs{kZone, {}};
  cs.replace(rrset("www", RRType::A, 60, {"192.0.2.80"}));
  ASSERT_TRUE(apply(primary, cs));
  auto serial = primary.soa_serial(kZoneText);
  ASSERT_TRUE(serial);
  ASSERT_GT(*serial, 1u);
  EXPECT_EQ(secondary.soa_serial(kZoneText), 1u);

  auto n = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<void>> {
    Client c(ex, address_of(secondary), options_for(primary));
    co_return co_await c.notify(kZone, *serial);
  });
  ASSERT_TRUE(n) << n.error().to_string();
  EXPECT_TRUE(secondary.wait_for_serial(kZoneText, *serial, std::chrono::seconds(10)));
  EXPECT_EQ(secondary.dig({"+short", "www.example.test.", "A"}), "192.0.2.80\n");
}

// A port that accepts TCP connections (the kernel does, via the backlog) and UDP datagrams
// but never answers.
struct SilentServer {
  int tcp = -1, udp = -1;
  uint16_t port = 0;
  SilentServer() {
    tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
    socklen_t len = sizeof a;
    ::getsockname(tcp, reinterpret_cast<sockaddr*>(&a), &len);
    ::listen(tcp, 16);
    port = ntohs(a.sin_port);
    udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    EXPECT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  }
  ~SilentServer() {
    ::close(tcp);
    ::close(udp);
  }
};

TEST(DnsEngineFaults, NothingListeningIsConnectionRefused) {
  SilentServer reserve;  // a port we know is free again once closed
  uint16_t port = reserve.port;
  ::close(reserve.tcp);
  ::close(reserve.udp);
  reserve.tcp = reserve.udp = -1;
  ClientOptions o;
  o.timeout = std::chrono::seconds(2);
  auto started = std::chrono::steady_clock::now();
  auto r = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<ZoneSnapshot>> {
    Client c(ex, {"127.0.0.1", port}, o);
    co_return co_await c.axfr(kZone);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::ConnectionRefused) << r.error().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  auto s = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<uint32_t>> {
    Client c(ex, {"127.0.0.1", port}, o);
    co_return co_await c.soa_serial(kZone);
  });
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().code == ErrorCode::ConnectionRefused ||
              s.error().code == ErrorCode::Timeout)
      << s.error().to_string();
}

TEST(DnsEngineFaults, SilentServerTimesOutWithinTheConfiguredTime) {
  SilentServer silent;
  ClientOptions o;
  o.timeout = std::chrono::milliseconds(300);
  for (int op = 0; op < 3; ++op) {
    auto started = std::chrono::steady_clock::now();
    Error e;
    if (op == 0) {
      ChangeSet cs{kZone, {}};
      cs.replace(rrset("x", RRType::A, 60, {"192.0.2.1"}));
      auto r = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<UpdateReport>> {
        Client c(ex, {"127.0.0.1", silent.port}, o);
        co_return co_await c.apply(cs);
      });
      ASSERT_FALSE(r);
      e = r.error();
    } else if (op == 1) {
      auto r = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<ZoneSnapshot>> {
        Client c(ex, {"127.0.0.1", silent.port}, o);
        co_return co_await c.axfr(kZone);
      });
      ASSERT_FALSE(r);
      e = r.error();
    } else {
      auto r = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<uint32_t>> {
        Client c(ex, {"127.0.0.1", silent.port}, o);
        co_return co_await c.soa_serial(kZone);
      });
      ASSERT_FALSE(r);
      e = r.error();
    }
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(e.code, ErrorCode::Timeout) << op << ": " << e.to_string();
    // Correctness bound, not a benchmark: the operation must end at its deadline, not hang.
    EXPECT_LT(took, std::chrono::seconds(5)) << op;
  }
}

TEST(DnsEngineFaults, CallerCanCancel) {
  SilentServer silent;
  ClientOptions o;
  o.timeout = std::chrono::seconds(30);
  asio::io_context io;
  asio::cancellation_signal cancel;
  std::optional<Result<ZoneSnapshot>> result;
  Client c(io.get_executor(), {"127.0.0.1", silent.port}, o);
  asio::co_spawn(io, c.axfr(kZone),
                 asio::bind_cancellation_slot(cancel.slot(),
                                              [&](std::exception_ptr ep, Result<ZoneSnapshot> r) {
                                                if (!ep) result = std::move(r);
                                              }));
  asio::steady_timer t(io, std::chrono::milliseconds(100));
  t.async_wait([&](auto) { cancel.emit(asio::cancellation_type::terminal); });
  auto started = std::chrono::steady_clock::now();
  io.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, ErrorCode::Cancelled) << result->error().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace zk::dns
