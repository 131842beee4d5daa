// Managed BIND 9's zone life cycle against real named (docs/architecture.md, "Managed BIND 9"):
// a Primary and a Secondary configured by src/managed/named_config, the catalog zone written as
// the controller will write it (RFC 2136, src/managed/catalog), and the agent that adds and
// deletes the member zones on the Primary (src/app/bind9_agent). Checked by asking both servers.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "app/bind9_agent.h"
#include "dns/client.h"
#include "dns/control_client.h"
#include "managed/catalog.h"
#include "managed/dnssec.h"
#include "managed/named_config.h"
#include "support/loopback_port.h"
#include "support/named_fixture.h"

namespace zk::app {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using model::ChangeSet;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRType;
using testbed::NamedOptions;
using testbed::NamedRole;
using testbed::NamedServer;
using namespace std::chrono_literals;

Name N(std::string_view text) {
  return Name::parse(text).value();
}

std::string key_name(const NamedServer& named) {
  return named.tsig_key().name;
}

dns::TsigKey tsig_of(const NamedServer& named) {
  const auto& k = named.tsig_key();
  return dns::TsigKey::from_base64(k.name, testbed::to_string(k.algorithm), k.secret).value();
}

managed::ServerSettings settings_for(const NamedServer& named, managed::Role role) {
  managed::ServerSettings s;
  s.role = role;
  s.port = named.port();
  s.control_port = named.control_port();
  s.listen_on = "127.0.0.1";
  s.listen_on_v6 = "none";
  s.control_on_every_address = false;
  s.tsig_key_name = key_name(named);
  s.rndc_key_name = named.rndc_key().name;
  const std::string dir = named.directory().string();
  s.paths = {dir, dir + "/tsig.key", dir + "/rndc.key", ""};
  return s;
}

template <class T>
T await(asio::io_context& io, asio::awaitable<T> op) {
  auto fut = asio::co_spawn(io, std::move(op), asio::use_future);
  io.restart();
  io.run();
  return fut.get();
}

class ManagedBind : public ::testing::Test {
 protected:
  void SetUp() override {
    NamedOptions p;
    p.label = "managed-primary";
    p.zones = {managed::catalog_zone().to_string()};
    p.start = false;
    p.config = [this](const NamedServer& n) {
      managed::ServerSettings s = settings_for(n, managed::Role::Primary);
      s.agent_notify_port = notify_port_.number();
      if (access_file_) s.paths.access_file = (n.directory() / "access.conf").string();
      return managed::named_conf(s);
    };
    primary_ = std::make_unique<NamedServer>(std::move(p));
    ASSERT_TRUE(seed_bind9_directory(primary_->directory()));
    primary_->start();

    NamedOptions s;
    s.label = "managed-secondary";
    s.role = NamedRole::secondary;
    s.zones = {managed::catalog_zone().to_string()};
    s.tsig_key = primary_->tsig_key();
    s.config = [this](const NamedServer& n) {
      managed::ServerSettings st = settings_for(n, managed::Role::Secondary);
      st.primary_addresses = {"127.0.0.1"};
      st.primary_port = primary_->port();
      return managed::named_conf(st);
    };
    secondary_ = std::make_unique<NamedServer>(std::move(s));
  }

  Bind9AgentOptions agent_options() const {
    Bind9AgentOptions o;
    o.server = {"127.0.0.1", primary_->port()};
    o.control = {"127.0.0.1", primary_->control_port()};
    o.tsig_key = tsig_of(*primary_);
    const auto& r = primary_->rndc_key();
    o.rndc_key =
        dns::ControlKey::from_base64(r.name, testbed::to_string(r.algorithm), r.secret).value();
    o.directory = primary_->directory();
    o.notify_port = notify_port_.number();
    o.poll_interval = 60s;  // a test that sees a change in less saw the NOTIFY
    o.timeout = 10s;
    o.delete_grace = 0ms;  // TheAgentWaitsBeforeItDeletes sets its own
    return o;
  }

  dns::ClientOptions client_options() const {
    dns::ClientOptions o;
    o.key = signing_key_ ? *signing_key_ : tsig_of(*primary_);
    o.timeout = 10s;
    return o;
  }

  // What the controller will do: make the catalog's RRsets those of `zones`, then NOTIFY the
  // Secondary of the catalog.
  void write_catalog(const std::set<Name>& zones,
                     const std::map<Name, std::string>& dnssec_policies = {}) {
    asio::io_context io;
    dns::Client client(io.get_executor(), {"127.0.0.1", primary_->port()}, client_options());
    auto current = await(io, client.axfr(managed::catalog_zone())).value();
    ChangeSet cs{managed::catalog_zone(), {}};
    const model::RRsetMap want =
        managed::catalog_records(managed::catalog_zone(), zones, dnssec_policies);
    for (const auto& [key, rrset] : current.rrsets) {
      if (key.type != RRType::SOA && !want.contains(key)) cs.remove_rrset(key);
    }
    for (const auto& [key, rrset] : want) {
      auto it = current.rrsets.find(key);
      if (it == current.rrsets.end() || !(it->second == rrset)) cs.replace(rrset);
    }
    if (!cs.changes.empty()) {
      ASSERT_TRUE(await(io, client.apply(cs)));
    }
    dns::ClientOptions so = client_options();
    so.key = tsig_of(*primary_);  // the Secondary's key whatever the Primary's signs
    dns::Client to_secondary(io.get_executor(), {"127.0.0.1", secondary_->port()}, so);
    ASSERT_TRUE(await(io, to_secondary.notify(managed::catalog_zone())));
  }

  void add_record(const Name& zone, std::string_view owner, std::string_view address) {
    asio::io_context io;
    dns::Client client(io.get_executor(), {"127.0.0.1", primary_->port()}, client_options());
    RRset a(Name::parse(owner, &zone).value(), RRType::A, 300);
    a.add(Rdata::a(address).value());
    ChangeSet cs{zone, {}};
    cs.replace(a);
    ASSERT_TRUE(await(io, client.apply(cs)));
  }

  // What the controller does while a zone's Secondary is behind its Primary: NOTIFY it of the
  // zone at each look until it caught up (controller.cc: 200 ms, 400 ms, … apart; here every
  // 300 ms). One NOTIFY is not enough: the catalog may tell the Secondary of a member before
  // the agent added the zone on the Primary, and a NOTIFY that comes while that first refresh
  // is failing is queued and then dropped with the failure (BIND retries a minute later); one
  // that comes after it starts a refresh at once.
  bool secondary_catches_up(const Name& zone, const std::function<bool()>& check,
                            std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (check()) return true;
      asio::io_context io;
      dns::Client to_secondary(io.get_executor(), {"127.0.0.1", secondary_->port()},
                               client_options());
      (void)await(io, to_secondary.notify(zone));
      std::this_thread::sleep_for(300ms);
    }
    return check();
  }

  static bool eventually(const std::function<bool()>& check, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (check()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return check();
  }

  // A managed Pod's key files: every key of `tsig` and `rndc` in the Primary's tsig.key and
  // rndc.key (the signing one first) and access.conf saying named accepts them all.
  struct Key {
    std::string name, secret;
  };
  void write_keys(const std::vector<Key>& tsig, const std::vector<Key>& rndc) {
    auto file = [](const std::vector<Key>& keys) {
      std::string out;
      for (const Key& k : keys) {
        out += fmt::format("key \"{}\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{}\";\n}};\n",
                           k.name, k.secret);
      }
      return out;
    };
    auto names = [](const std::vector<Key>& keys) {
      std::vector<std::string> out;
      out.reserve(keys.size());
      for (const Key& k : keys) out.push_back(k.name);
      return out;
    };
    managed::ServerSettings s = settings_for(*primary_, managed::Role::Primary);
    const fs::path dir = primary_->directory();
    std::ofstream(dir / "tsig.key") << file(tsig);
    std::ofstream(dir / "rndc.key") << file(rndc);
    std::ofstream(dir / "access.conf") << managed::key_access(names(tsig), names(rndc), s);
  }

  testbed::LoopbackPort notify_port_ = testbed::LoopbackPort::reserve();
  bool access_file_ = false;                 // named.conf includes access.conf
  std::optional<dns::TsigKey> signing_key_;  // what write_catalog signs with, if not the first
  std::unique_ptr<NamedServer> primary_;
  std::unique_ptr<NamedServer> secondary_;
};

TEST_F(ManagedBind, CatalogMembersBecomeZonesOnBothServersAndGoAway) {
  asio::io_context io;
  Bind9Agent agent(io.get_executor(), agent_options());
  write_catalog({N("a.test."), N("b.test.")});
  Bind9AgentPass pass = await(io, agent.pass());
  ASSERT_TRUE(pass.ok()) << fmt::format("{}", fmt::join(pass.failures, "; "));
  EXPECT_EQ(pass.added.size(), 2u);
  EXPECT_EQ(agent.zones(), (std::set<Name>{N("a.test."), N("b.test.")}));
  ASSERT_TRUE(primary_->soa_serial("a.test.").has_value()) << primary_->log_tail();
  EXPECT_TRUE(fs::exists(primary_->directory() / "zones/a.test.db"));

  // The zone takes UPDATEs with the key (and only with it), and the Secondary serves it.
  add_record(N("a.test."), "www", "192.0.2.10");
  EXPECT_EQ(primary_->dig({"+short", "www.a.test.", "A"}), "192.0.2.10\n");
  ASSERT_TRUE(secondary_catches_up(
      N("a.test."),
      [&] {
        return secondary_->dig({"+short", "www.a.test.", "A"}) == "192.0.2.10\n";
      },
      15s))
      << secondary_->log_tail();
  const testbed::CommandResult unsigned_update = primary_->nsupdate(
      "server 127.0.0.1 " + std::to_string(primary_->port()) +
          "\nzone a.test.\nupdate add evil.a.test. 300 A 192.0.2.66\nsend\n",
      testbed::TsigKey::write(
          "other-key", testbed::TsigAlgorithm::hmac_sha256,
          "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=", primary_->directory() / "other.key"));
  EXPECT_NE(unsigned_update.exit_code, 0);
  EXPECT_EQ(primary_->dig({"+short", "evil.a.test.", "A"}), "");

  // A second pass with nothing new does nothing.
  pass = await(io, agent.pass());
  EXPECT_TRUE(pass.ok() && pass.added.empty() && pass.deleted.empty());

  // Out of the catalog: gone from both, the file too.
  write_catalog({N("b.test.")});
  pass = await(io, agent.pass());
  ASSERT_TRUE(pass.ok()) << fmt::format("{}", fmt::join(pass.failures, "; "));
  EXPECT_EQ(pass.deleted, std::vector<Name>{N("a.test.")});
  EXPECT_FALSE(primary_->soa_serial("a.test.").has_value());
  EXPECT_FALSE(fs::exists(primary_->directory() / "zones/a.test.db"));
  EXPECT_TRUE(eventually([&] { return !secondary_->soa_serial("a.test.").has_value(); }, 15s))
      << secondary_->log_tail();
  // b.test was never written: the controller NOTIFYs each zone's Secondaries after its first
  // reconcile too.
  EXPECT_TRUE(secondary_catches_up(
      N("b.test."), [&] { return secondary_->soa_serial("b.test.").has_value(); }, 15s))
      << secondary_->log_tail();
}

// DNSSEC (DNSZone spec.dnssec): the member's policy reaches the agent as a catalog property;
// the agent writes the policy, has named read it and adds the zone signed; every UPDATE is
// signed as it is applied, the Secondary (which ignores the property) serves the signed zone;
// the policy taken away makes the zone "insecure", and a restarted Primary keeps it all.
TEST_F(ManagedBind, ASignedMemberIsSignedOnThePrimaryAndServedSignedByTheSecondary) {
  asio::io_context io;
  Bind9Agent agent(io.get_executor(), agent_options());
  const api::Dnssec policy{.algorithm = 13,
                           .ksk_lifetime = std::nullopt,
                           .zsk_lifetime = std::nullopt,
                           .nsec3 = true,
                           .ds_config_map = ""};
  write_catalog({N("s.test."), N("plain.test.")}, {{N("s.test."), managed::policy_text(policy)}});
  Bind9AgentPass pass = await(io, agent.pass());
  ASSERT_TRUE(pass.ok()) << fmt::format("{}", fmt::join(pass.failures, "; "));
  EXPECT_EQ(pass.added.size(), 2u);
  std::ifstream policies(primary_->directory() / managed::kDnssecPoliciesFile);
  std::stringstream text;
  text << policies.rdbuf();
  EXPECT_NE(text.str().find(managed::policy_statement(policy)), std::string::npos) << text.str();

  // named makes a CSK (flags 257) and signs; the plain zone stays unsigned.
  ASSERT_TRUE(eventually(
      [&] {
        return primary_->dig({"+short", "s.test.", "DNSKEY"}).starts_with("257 3 13 ");
      },
      20s))
      << primary_->log_tail();
  EXPECT_EQ(primary_->dig({"+short", "plain.test.", "DNSKEY"}), "");
  add_record(N("s.test."), "www", "192.0.2.30");
  const std::string signed_answer =
      primary_->dig({"+dnssec", "+noall", "+answer", "www.s.test.", "A"});
  EXPECT_NE(signed_answer.find("RRSIG\tA 13 3 300"), std::string::npos) << signed_answer;
  EXPECT_NE(primary_->dig({"+short", "s.test.", "NSEC3PARAM"}), "");
  ASSERT_TRUE(secondary_catches_up(
      N("s.test."),
      [&] {
        return secondary_->dig({"+dnssec", "+noall", "+answer", "www.s.test.", "A"})
                   .find("RRSIG\tA 13 3 300") != std::string::npos;
      },
      15s))
      << secondary_->log_tail();
  pass = await(io, agent.pass());  // nothing new
  EXPECT_TRUE(pass.ok() && pass.added.empty() && pass.dnssec_changed.empty());

  // The policy taken away: rndc modzone to "insecure", written down beside the zone.
  write_catalog({N("s.test."), N("plain.test.")});
  pass = await(io, agent.pass());
  ASSERT_TRUE(pass.ok()) << fmt::format("{}", fmt::join(pass.failures, "; "));
  EXPECT_EQ(pass.dnssec_changed, std::vector<Name>{N("s.test.")});
  std::ifstream marker(primary_->directory() / "zones/s.test.db.dnssec");
  std::string applied;
  marker >> applied;
  EXPECT_EQ(applied, "insecure");
  pass = await(io, agent.pass());
  EXPECT_TRUE(pass.ok() && pass.dnssec_changed.empty());

  // Signed again, then a restart: named reads its policies from the volume.
  write_catalog({N("s.test."), N("plain.test.")}, {{N("s.test."), managed::policy_text(policy)}});
  pass = await(io, agent.pass());
  ASSERT_TRUE(pass.ok()) << fmt::format("{}", fmt::join(pass.failures, "; "));
  EXPECT_EQ(pass.dnssec_changed, std::vector<Name>{N("s.test.")});
  primary_->restart();
  EXPECT_TRUE(primary_->dig({"+short", "s.test.", "DNSKEY"}).starts_with("257 3 13 "))
      << primary_->log_tail();
  Bind9Agent again(io.get_executor(), agent_options());
  await(io, again.recover());
  pass = await(io, again.pass());
  EXPECT_TRUE(pass.ok() && pass.added.empty() && pass.dnssec_changed.empty())
      << fmt::format("{}", fmt::join(pass.failures, "; "));
}

TEST_F(ManagedBind, ARestartedPrimaryServesItsZonesFromTheVolume) {
  asio::io_context io;
  {
    Bind9Agent agent(io.get_executor(), agent_options());
    write_catalog({N("a.test.")});
    ASSERT_TRUE(await(io, agent.pass()).ok());
  }
  add_record(N("a.test."), "www", "192.0.2.20");
  const uint32_t serial = primary_->soa_serial("a.test.").value();
  primary_->restart();  // named alone: no agent has run yet
  EXPECT_EQ(primary_->soa_serial("a.test."), serial);
  EXPECT_EQ(primary_->dig({"+short", "www.a.test.", "A"}), "192.0.2.20\n");

  // A new agent knows the zone from the volume and adds nothing.
  Bind9Agent agent(io.get_executor(), agent_options());
  await(io, agent.recover());
  EXPECT_EQ(agent.zones(), std::set<Name>{N("a.test.")});
  Bind9AgentPass pass = await(io, agent.pass());
  EXPECT_TRUE(pass.ok() && pass.added.empty() && pass.deleted.empty());
  EXPECT_EQ(primary_->soa_serial("a.test."), serial);
}

TEST_F(ManagedBind, ALostVolumeIsRebuiltFromTheCatalog) {
  asio::io_context io;
  {
    Bind9Agent agent(io.get_executor(), agent_options());
    write_catalog({N("a.test.")});
    ASSERT_TRUE(await(io, agent.pass()).ok());
  }
  const uint32_t before = primary_->soa_serial("a.test.").value();
  primary_->stop();
  for (const auto& entry : fs::directory_iterator(primary_->directory())) {
    const std::string f = entry.path().filename().string();
    if (f == "zones" || f.starts_with("catalog.db") || f.ends_with(".nzd") ||
        f.ends_with(".nzd-lock")) {
      fs::remove_all(entry.path());
    }
  }
  ASSERT_TRUE(seed_bind9_directory(primary_->directory()));
  primary_->start();
  EXPECT_FALSE(primary_->soa_serial("a.test.").has_value());

  Bind9Agent agent(io.get_executor(), agent_options());
  await(io, agent.recover());
  EXPECT_TRUE(agent.zones().empty());
  write_catalog({N("a.test.")});  // the controller puts its catalog back (drift)
  Bind9AgentPass pass = await(io, agent.pass());
  ASSERT_TRUE(pass.ok()) << fmt::format("{}", fmt::join(pass.failures, "; "));
  // The new zone's serial is the agent's clock: not below what the Secondary holds.
  EXPECT_GE(primary_->soa_serial("a.test.").value(), before);
}

TEST_F(ManagedBind, TheAgentHearsNamedsNotifyAndStops) {
  asio::io_context io;
  Bind9Agent agent(io.get_executor(), agent_options());
  auto done = asio::co_spawn(io, agent.run(), asio::use_future);
  std::thread runner([&] { io.run(); });
  // poll_interval is 60 s: only named's NOTIFY of the catalog can make this fast.
  write_catalog({N("n.test.")});
  const bool added = eventually([&] { return primary_->soa_serial("n.test.").has_value(); }, 20s);
  write_catalog({});
  const bool deleted =
      eventually([&] { return !primary_->soa_serial("n.test.").has_value(); }, 20s);
  asio::post(io, [&] { agent.stop(); });
  EXPECT_EQ(done.wait_for(20s), std::future_status::ready);
  runner.join();
  EXPECT_TRUE(added) << primary_->log_tail();
  EXPECT_TRUE(deleted) << primary_->log_tail();
}

TEST_F(ManagedBind, TheAgentWaitsBeforeItDeletes) {
  asio::io_context io;
  Bind9AgentOptions o = agent_options();
  o.delete_grace = 400ms;
  Bind9Agent agent(io.get_executor(), o);
  write_catalog({N("a.test.")});
  ASSERT_TRUE(await(io, agent.pass()).ok());
  // Out of the catalog for a moment (a hand edit, put back): nothing is deleted.
  write_catalog({});
  Bind9AgentPass pass = await(io, agent.pass());
  EXPECT_TRUE(pass.deleted.empty());
  EXPECT_EQ(pass.leaving, std::vector<Name>{N("a.test.")});
  EXPECT_TRUE(primary_->soa_serial("a.test.").has_value());
  write_catalog({N("a.test.")});
  std::this_thread::sleep_for(500ms);
  pass = await(io, agent.pass());
  EXPECT_TRUE(pass.deleted.empty() && pass.leaving.empty());
  // Out for longer than the grace: deleted at the first pass after it.
  write_catalog({});
  pass = await(io, agent.pass());
  EXPECT_TRUE(pass.deleted.empty());
  std::this_thread::sleep_for(500ms);
  pass = await(io, agent.pass());
  EXPECT_EQ(pass.deleted, std::vector<Name>{N("a.test.")});
  EXPECT_FALSE(primary_->soa_serial("a.test.").has_value());
}

// A key rotation as the keys Secret's files go through it (managed/key_ring: Adding, Switching,
// Dropping): named re-reads the files at the agent's `rndc reconfig`, never restarts, and at
// every step the key that signs is accepted, so no UPDATE fails; at the end the old TSIG key
// and the old rndc key are refused.
TEST_F(ManagedBind, KeysRotateOnALivePrimaryWithoutARestartOrAFailedUpdate) {
  const Key k0{primary_->tsig_key().name, primary_->tsig_key().secret};
  const Key r0{primary_->rndc_key().name, primary_->rndc_key().secret};
  const Key k1{"zonekeeper-primary-1", "qvGfp690xLAM5jAdsNQ+2h3UangIsL/gtO2cfPC3o6k="};
  const Key r1{"rndc-key-1", "Z9GktHri95TdRBM1IA04OUfavlBjCdeBrSAZgJBhdYE="};
  access_file_ = true;
  write_keys({k0}, {r0});
  primary_->restart();  // now configured as a managed Pod is: keys only in included files
  const pid_t pid = primary_->pid().value();

  asio::io_context io;
  Bind9AgentOptions o = agent_options();
  o.tsig_key_file = primary_->directory() / "tsig.key";
  o.rndc_key_file = primary_->directory() / "rndc.key";
  Bind9Agent agent(io.get_executor(), o);
  write_catalog({N("a.test.")});
  ASSERT_TRUE(await(io, agent.pass()).ok());

  const Name zone = N("a.test.");
  int n = 0;
  auto update_with = [&](const Key& key) {
    dns::ClientOptions co;
    co.key = dns::TsigKey::from_base64(key.name, "hmac-sha256", key.secret).value();
    co.timeout = 10s;
    dns::Client client(io.get_executor(), {"127.0.0.1", primary_->port()}, co);
    RRset a(Name::parse(fmt::format("host{}", n++), &zone).value(), RRType::A, 300);
    a.add(Rdata::a("192.0.2.1").value());
    ChangeSet cs{zone, {}};
    cs.replace(a);
    return await(io, client.apply(cs));
  };
  auto control_with = [&](const Key& key) {
    dns::ControlClient rndc(
        io.get_executor(), {"127.0.0.1", primary_->control_port()},
        dns::ControlKey::from_base64(key.name, "hmac-sha256", key.secret).value());
    return await(io, rndc.command("status"));
  };
  ASSERT_TRUE(update_with(k0));
  // The agent's readiness probe (`bind9-agent --probe`): `status` with the first key of the
  // file that named takes.
  auto probe = [&](const std::vector<Key>& keys) {
    std::vector<dns::ControlKey> control;
    control.reserve(keys.size());
    for (const Key& k : keys) {
      control.push_back(dns::ControlKey::from_base64(k.name, "hmac-sha256", k.secret).value());
    }
    return await(
        io, control_command_with_keys(io.get_executor(), {"127.0.0.1", primary_->control_port()},
                                      control, "status", 5s));
  };

  // Adding: the new keys are accepted, the old ones still sign.
  write_keys({k0, k1}, {r0, r1});
  EXPECT_FALSE(update_with(k1)) << "named has not read the files yet";
  auto before_reconfig = probe({r1, r0});  // the new key first, as the file has it in Switching
  ASSERT_TRUE(before_reconfig) << before_reconfig.error().to_string();
  EXPECT_EQ(before_reconfig->key_name, r0.name);
  EXPECT_NE(before_reconfig->answer.text.find("server is up and running"), std::string::npos)
      << before_reconfig->answer.text;
  await(io, agent.follow_keys());
  EXPECT_TRUE(update_with(k0));
  EXPECT_TRUE(update_with(k1));
  EXPECT_TRUE(control_with(r1));

  // Switching: the new keys sign; the agent transfers the catalog with them.
  write_keys({k1, k0}, {r1, r0});
  await(io, agent.follow_keys());
  signing_key_ = dns::TsigKey::from_base64(k1.name, "hmac-sha256", k1.secret).value();
  write_catalog({N("a.test."), N("b.test.")});
  Bind9AgentPass pass = await(io, agent.pass());
  EXPECT_TRUE(pass.ok());
  EXPECT_EQ(pass.added, std::vector<Name>{N("b.test.")});
  EXPECT_TRUE(update_with(k0));  // still accepted: someone may not have switched yet

  // Dropping: the old keys are refused, the new ones still work (the agent adds with rndc-key-1).
  write_keys({k1}, {r1});
  await(io, agent.follow_keys());
  auto refused = update_with(k0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, dns::ErrorCode::BadKey) << refused.error().to_string();
  auto control_refused = control_with(r0);
  ASSERT_FALSE(control_refused);
  EXPECT_EQ(control_refused.error().code, dns::ErrorCode::ControlAuthFailed);
  auto probe_refused = probe({r0});
  ASSERT_FALSE(probe_refused);
  EXPECT_EQ(probe_refused.error().code, dns::ErrorCode::ControlAuthFailed);
  EXPECT_EQ(probe({r0, r1}).value().key_name, r1.name);
  EXPECT_TRUE(update_with(k1));
  write_catalog({N("a.test."), N("b.test."), N("c.test.")});
  pass = await(io, agent.pass());
  EXPECT_TRUE(pass.ok());
  EXPECT_EQ(pass.added, std::vector<Name>{N("c.test.")});

  EXPECT_EQ(primary_->pid(), pid);  // never restarted
  // What was accepted is served, what was refused is not: host1 (the new key before named read
  // the files) and host5 (the old key once dropped).
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(primary_->dig({"+short", fmt::format("host{}.a.test.", i), "A"}),
              i == 1 || i == 5 ? "" : "192.0.2.1\n")
        << i;
  }
}

// Agents before key rotations added zones that named the key (update-policy, allow-transfer):
// such a zone is given today's options, which name only the ACL of accepted keys, once.
TEST_F(ManagedBind, AZoneAnOlderAgentAddedIsGivenTodaysOptions) {
  const Name zone = N("old.test.");
  const fs::path file = primary_->directory() / managed::member_zone_file(zone).value();
  std::ofstream(file) << managed::initial_zone_file(1);
  const std::string key = primary_->tsig_key().name;
  ASSERT_EQ(primary_
                ->rndc({"addzone", "old.test",
                        fmt::format("{{ type primary; file \"zones/old.test.db\"; update-policy "
                                    "{{ grant \"{}\" zonesub ANY; }}; allow-transfer {{ key "
                                    "\"{}\"; }}; notify explicit; }};",
                                    key, key)})
                .exit_code,
            0);
  write_catalog({zone});
  asio::io_context io;
  Bind9Agent agent(io.get_executor(), agent_options());
  await(io, agent.recover());
  Bind9AgentPass pass = await(io, agent.pass());
  EXPECT_TRUE(pass.ok());
  EXPECT_TRUE(pass.added.empty());
  const std::string shown = primary_->rndc({"showzone", "old.test"}).out;
  EXPECT_NE(shown.find("zonekeeper-keys"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("update-policy"), std::string::npos) << shown;
  std::ifstream marker(file.string() + ".conf");
  std::stringstream text;
  text << marker.rdbuf();
  EXPECT_EQ(text.str(), managed::member_zone_options(zone));
  // Still writable with the key, and left alone from now on.
  add_record(zone, "www", "192.0.2.7");
  EXPECT_TRUE(await(io, agent.pass()).ok());
  EXPECT_EQ(primary_->rndc({"showzone", "old.test"}).out, shown);
}

TEST_F(ManagedBind, BadMembersAndFailuresAreReportedWithoutStoppingTheOthers) {
  asio::io_context io;
  // A member whose name cannot be a file name, beside a good one.
  write_catalog({N("good.test."), N("bad/name.test.")});
  Bind9Agent agent(io.get_executor(), agent_options());
  Bind9AgentPass pass = await(io, agent.pass());
  EXPECT_EQ(pass.added, std::vector<Name>{N("good.test.")});
  ASSERT_EQ(pass.failures.size(), 1u);
  EXPECT_NE(pass.failures[0].find("bad/name.test."), std::string::npos) << pass.failures[0];

  // A wrong control key: the failure says so, without the secret; nothing is forgotten.
  write_catalog({N("good.test."), N("other.test.")});
  Bind9AgentOptions wrong = agent_options();
  const std::string secret = "d3JvbmdzZWNyZXR3cm9uZ3NlY3JldHdyb25nc2VjcmU=";
  wrong.rndc_key = dns::ControlKey::from_base64("rndc-key", "hmac-sha256", secret).value();
  Bind9Agent refused(io.get_executor(), wrong);
  pass = await(io, refused.pass());
  ASSERT_FALSE(pass.ok());
  EXPECT_NE(pass.failures[0].find("ControlAuthFailed"), std::string::npos) << pass.failures[0];
  EXPECT_EQ(pass.failures[0].find(secret), std::string::npos);
  EXPECT_FALSE(primary_->soa_serial("other.test.").has_value());

  // A catalog without its version: nothing is deleted.
  asio::io_context io2;
  dns::Client client(io2.get_executor(), {"127.0.0.1", primary_->port()}, client_options());
  ChangeSet cs{managed::catalog_zone(), {}};
  cs.remove_rrset({N("version.catalog.zonekeeper.invalid."), RRType::TXT});
  ASSERT_TRUE(await(io2, client.apply(cs)));
  pass = await(io, agent.pass());
  EXPECT_FALSE(pass.ok());
  EXPECT_TRUE(pass.deleted.empty());
  EXPECT_TRUE(primary_->soa_serial("good.test.").has_value());
}

}  // namespace
}  // namespace zk::app
