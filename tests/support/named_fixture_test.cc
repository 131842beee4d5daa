// Proves the named fixture against the real BIND 9 (label "integration").
#include "support/named_fixture.h"
#include "support/soa_probe.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

namespace zk::testbed {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

bool process_alive(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

// The records of an AXFR as "owner TYPE" lines (dig +nocmd +nostats +noall +answer).
std::multiset<std::string> axfr_owner_types(const NamedServer& named, std::string_view zone) {
  const std::string out =
      named.dig({"+noall", "+answer", "AXFR", std::string(zone)}, named.tsig_key());
  std::multiset<std::string> rrs;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string owner, ttl, klass, type;
    if (fields >> owner >> ttl >> klass >> type) {
      owner += ' ';
      owner += type;
      rrs.insert(owner);
    }
  }
  return rrs;
}

// ---- ChildProcess and run_command --------------------------------------------------------

TEST(RunCommand, CapturesStdoutStderrAndExitCode) {
  const CommandResult r = run_command({"sh", "-c", "cat; echo oops >&2; exit 3"}, "hello\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "hello\n");
  EXPECT_EQ(r.err, "oops\n");
}

TEST(RunCommand, KillsACommandThatOutlivesItsTimeout) {
  const auto t0 = std::chrono::steady_clock::now();
  const CommandResult r = run_command({"sleep", "30"}, {}, milliseconds(200));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(RunCommand, UnknownProgramThrows) {
  EXPECT_THROW((void)run_command({"zk-no-such-program-here"}), FixtureError);
}

TEST(RunCommand, LeaksNoDescriptorIntoTheChild) {
  // A descriptor opened without O_CLOEXEC must still not reach the child.
  const int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 3);
  const CommandResult r = run_command({"sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '"});
  ::close(fd);
  EXPECT_EQ(r.out, "0 1 2 3 ") << "3 is ls' own directory handle";
}

TEST(ChildProcess, StopTerminatesAndReaps) {
  const fs::path log = fs::temp_directory_path() / ("zk-child-" + std::to_string(::getpid()));
  pid_t pid = 0;
  {
    ChildProcess child({"sleep", "30"}, log);
    pid = child.pid();
    EXPECT_TRUE(child.running());
    child.stop(milliseconds(2000));
    EXPECT_FALSE(child.running());
    EXPECT_EQ(child.exit_code(), 128 + SIGTERM);
  }
  EXPECT_FALSE(process_alive(pid));
  fs::remove(log);
}

// ---- LoopbackPort ------------------------------------------------------------------------

TEST(LoopbackPort, ReservationsAreDistinctAndLocked) {
  LoopbackPort a = LoopbackPort::reserve();
  LoopbackPort b = LoopbackPort::reserve();
  EXPECT_NE(a.number(), b.number());
  EXPECT_NE(a.number(), 53);
  const fs::path lock = LoopbackPort::lock_directory() / (std::to_string(a.number()) + ".lock");
  const int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0) << "another process could take the same port";
  ::close(fd);
}

// ---- TestDirectory -----------------------------------------------------------------------

TEST(TestDirectory, SweepsOnlyAbandonedOldDirectoriesOfOurs) {
  const fs::path base = fs::temp_directory_path();
  auto make = [&](const std::string& name, std::optional<long> owner, bool old) {
    fs::path dir = base / name;
    fs::create_directories(dir);
    if (owner) {
      std::ofstream(dir / ".zk-owner") << *owner << '\n';
    }
    if (old) {
      fs::last_write_time(dir, fs::file_time_type::clock::now() - std::chrono::hours(2));
    }
    return dir;
  };
  const std::string tag = std::to_string(::getpid());
  const long dead_pid = 0x3ffffff;  // above pid_max: never a live process
  const fs::path abandoned = make("zk-sweeptest-a" + tag, dead_pid, true);
  const fs::path recent = make("zk-sweeptest-b" + tag, dead_pid, false);
  const fs::path alive = make("zk-sweeptest-c" + tag, ::getpid(), true);
  const fs::path kept = make("zk-sweeptest-d" + tag, std::nullopt, true);
  { TestDirectory trigger("sweeptest"); }
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_TRUE(fs::exists(recent));
  EXPECT_TRUE(fs::exists(alive));
  EXPECT_TRUE(fs::exists(kept));
  for (const auto& d : {recent, alive, kept}) {
    fs::remove_all(d);
  }
}

// ---- NamedServer -------------------------------------------------------------------------

TEST(NamedServer, PrimaryAnswersSoaAndNs) {
  NamedServer named({.zones = {"example.test."}});
  EXPECT_EQ(named.soa_serial("example.test."), 1u);
  EXPECT_EQ(named.dig({"+short", "example.test.", "NS"}), "ns1.example.test.\n");
  EXPECT_EQ(named.dig({"+short", "ns1.example.test.", "A"}), "127.0.0.1\n");
  EXPECT_EQ(named.address(), "127.0.0.1:" + std::to_string(named.port()));
  EXPECT_NE(named.port(), named.control_port());
  // An unsigned AXFR is refused: transfers need the key.
  EXPECT_NE(named.dig({"AXFR", "example.test."}).find("Transfer failed"), std::string::npos);
  EXPECT_EQ(axfr_owner_types(named, "example.test."),
            (std::multiset<std::string>{"example.test. SOA", "example.test. NS",
                                        "ns1.example.test. A", "example.test. SOA"}));
}

TEST(SoaProbe, AgreesWithDigAndSaysNothingForUnservedZones) {
  NamedServer named({.zones = {"example.test."}});
  ASSERT_TRUE(named.nsupdate("update add a.example.test. 60 A 10.0.0.1\nsend\n").ok());
  const std::string soa = named.dig({"+short", "example.test.", "SOA"});
  EXPECT_NE(soa.find(" 2 3600 600 86400 300"), std::string::npos) << soa;
  EXPECT_EQ(probe_soa_serial(named.port(), "example.test."), 2u);
  EXPECT_EQ(probe_soa_serial(named.port(), "EXAMPLE.test"), 2u);
  EXPECT_EQ(probe_soa_serial(named.port(), "other.test."), std::nullopt) << "REFUSED";
  EXPECT_EQ(probe_soa_serial(named.port(), "a.example.test."), std::nullopt) << "no SOA there";
  LoopbackPort unused = LoopbackPort::reserve();
  EXPECT_EQ(probe_soa_serial(unused.number(), "example.test."), std::nullopt) << "no listener";
}

TEST(NamedServer, KeyFileHasBindKeyStatementFormat) {
  NamedServer named({.zones = {"example.test."}, .tsig_key_name = "zk-key"});
  const TsigKey& key = named.tsig_key();
  EXPECT_EQ(key.name, "zk-key");
  EXPECT_EQ(key.algorithm, TsigAlgorithm::hmac_sha256);
  EXPECT_EQ(key.secret.size(), 44u) << "base64 of 32 octets";
  std::ifstream in(key.file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("key \"zk-key\" {"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("secret \"" + key.secret + "\";"), std::string::npos);
  EXPECT_EQ(key.dig_argument(), "hmac-sha256:zk-key:" + key.secret);
}

TEST(NamedServer, NsupdateWithTheKeyAddsARecordThatDigSees) {
  NamedServer named({.zones = {"example.test."}});
  const CommandResult r = named.nsupdate(
      "update add www.example.test. 300 A 10.0.0.1\n"
      "update add www.example.test. 300 A 10.0.0.2\n"
      "send\n");
  ASSERT_TRUE(r.ok()) << r.output();
  EXPECT_EQ(named.dig({"+short", "www.example.test.", "A"}).size(),
            std::string("10.0.0.1\n10.0.0.2\n").size());
  EXPECT_NE(named.log_tail().find("adding an RR at 'www.example.test' A 10.0.0.2"),
            std::string::npos)
      << "named -g logs every updated RR";
  EXPECT_EQ(named.soa_serial("example.test."), 2u) << "one UPDATE message, one serial step";
}

TEST(NamedServer, WrongSecretIsBadsigAndWrongNameIsBadkeyAndTheZoneIsUnchanged) {
  NamedServer named({.zones = {"example.test."}});
  const TsigKey& good = named.tsig_key();
  const TsigKey wrong_secret = TsigKey::write(
      good.name, good.algorithm,
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", named.directory() / "wrong-secret.key");
  const TsigKey wrong_name = TsigKey::write("zk-unknown-key", good.algorithm, good.secret,
                                            named.directory() / "wrong-name.key");
  const std::string script = "update add evil.example.test. 300 A 10.6.6.6\nsend\n";

  const CommandResult badsig = named.nsupdate(script, wrong_secret);
  EXPECT_FALSE(badsig.ok());
  EXPECT_NE(badsig.output().find("BADSIG"), std::string::npos) << badsig.output();

  const CommandResult badkey = named.nsupdate(script, wrong_name);
  EXPECT_FALSE(badkey.ok());
  EXPECT_NE(badkey.output().find("BADKEY"), std::string::npos) << badkey.output();

  EXPECT_EQ(named.soa_serial("example.test."), 1u);
  EXPECT_EQ(named.dig({"+short", "evil.example.test.", "A"}), "");
  EXPECT_EQ(axfr_owner_types(named, "example.test.").size(), 4u);
}

class NamedServerAlgorithm : public ::testing::TestWithParam<TsigAlgorithm> {};

TEST_P(NamedServerAlgorithm, UpdateAndAxfrWorkWithEveryHmac) {
  NamedServer named({.zones = {"example.test."}, .tsig_algorithm = GetParam()});
  EXPECT_EQ(named.tsig_key().algorithm, GetParam());
  const CommandResult r = named.nsupdate("update add txt.example.test. 60 TXT \"hi\"\nsend\n");
  ASSERT_TRUE(r.ok()) << r.output();
  EXPECT_EQ(axfr_owner_types(named, "example.test.").count("txt.example.test. TXT"), 1u);
}

INSTANTIATE_TEST_SUITE_P(AllTsigAlgorithms, NamedServerAlgorithm,
                         ::testing::Values(TsigAlgorithm::hmac_sha1, TsigAlgorithm::hmac_sha224,
                                           TsigAlgorithm::hmac_sha256, TsigAlgorithm::hmac_sha384,
                                           TsigAlgorithm::hmac_sha512),
                         [](const auto& info) {
                           std::string name(to_string(info.param));
                           std::erase(name, '-');
                           return name;
                         });

TEST(NamedServer, QuietModeLogsNoUpdatedRecords) {
  NamedServer named({.zones = {"example.test."}, .log_updates = false});
  ASSERT_TRUE(named.nsupdate("update add q.example.test. 60 A 10.0.0.3\nsend\n").ok());
  EXPECT_EQ(named.dig({"+short", "q.example.test.", "A"}), "10.0.0.3\n");
  named.restart();
  EXPECT_EQ(named.dig({"+short", "q.example.test.", "A"}), "10.0.0.3\n");
  const std::string log = named.log_tail(1000);
  EXPECT_NE(log.find("running"), std::string::npos) << log;
  EXPECT_EQ(log.find("adding an RR"), std::string::npos) << log;
}

TEST(NamedServer, ZonesAreAddedAndDeletedAtRunTime) {
  NamedServer named({.zones = {"example.test."}});
  named.add_zone("added.test");
  EXPECT_EQ(named.soa_serial("added.test."), 1u);
  EXPECT_TRUE(named.nsupdate("update add a.added.test. 60 A 10.1.1.1\nsend\n").ok());
  EXPECT_EQ(named.dig({"+short", "a.added.test.", "A"}), "10.1.1.1\n");
  EXPECT_EQ(named.zones(), (std::vector<std::string>{"example.test.", "added.test."}));

  named.add_zone(ZoneFile{.origin = "seeded.test.", .serial = 7, .records = {"www IN A 10.7.7.7"}});
  EXPECT_EQ(named.soa_serial("seeded.test."), 7u);
  EXPECT_EQ(named.dig({"+short", "www.seeded.test.", "A"}), "10.7.7.7\n");

  named.delete_zone("added.test.");
  EXPECT_NE(named.dig({"added.test.", "SOA"}).find("status: REFUSED"), std::string::npos);
  EXPECT_FALSE(fs::exists(named.zone_file("added.test.")));
  // A zone from named.conf can be deleted too, and stays deleted after a restart.
  named.delete_zone("example.test.");
  named.restart();
  EXPECT_EQ(named.soa_serial("example.test."), std::nullopt);
  EXPECT_EQ(named.soa_serial("seeded.test."), 7u);
  // Deleted and added again: a fresh zone, no stale journal.
  named.add_zone("added.test.");
  EXPECT_EQ(named.soa_serial("added.test."), 1u);
  EXPECT_EQ(named.dig({"+short", "a.added.test.", "A"}), "");
}

TEST(NamedServer, StartsWithoutZones) {
  NamedServer named({});
  EXPECT_TRUE(named.rndc({"status"}).ok());
  named.add_zone("late.test.");
  EXPECT_EQ(named.soa_serial("late.test."), 1u);
}

TEST(NamedServer, RestartKeepsPortsDynamicRecordsAndAddedZones) {
  NamedServer named({.zones = {"example.test."}});
  const auto port = named.port();
  ASSERT_TRUE(named.nsupdate("update add keep.example.test. 60 A 10.2.2.2\nsend\n").ok());
  named.add_zone("added.test.");
  ASSERT_TRUE(named.nsupdate("update add keep.added.test. 60 A 10.3.3.3\nsend\n").ok());
  const auto old_pid = named.pid();

  named.restart();
  EXPECT_NE(named.pid(), old_pid);
  EXPECT_EQ(named.port(), port);
  EXPECT_EQ(named.dig({"+short", "keep.example.test.", "A"}), "10.2.2.2\n");
  EXPECT_EQ(named.dig({"+short", "keep.added.test.", "A"}), "10.3.3.3\n");
  EXPECT_EQ(named.soa_serial("example.test."), 2u);
  EXPECT_TRUE(fs::exists(named.directory() / "_default.nzd"));
  named.reload();
  EXPECT_EQ(named.dig({"+short", "keep.example.test.", "A"}), "10.2.2.2\n");
}

TEST(NamedServer, WipeZoneAndRestartLeavesOnlySoaAndNs) {
  NamedServer named({.zones = {"example.test.", "other.test."}});
  ASSERT_TRUE(named
                  .nsupdate("update add gone.example.test. 60 A 10.4.4.4\n"
                            "update add gone.example.test. 60 TXT \"x\"\nsend\n")
                  .ok());
  ASSERT_TRUE(named.nsupdate("update add kept.other.test. 60 A 10.5.5.5\nsend\n").ok());
  ASSERT_EQ(named.soa_serial("example.test."), 2u);

  named.wipe_zone_and_restart("example.test.");
  EXPECT_EQ(named.soa_serial("example.test."), 1u);
  EXPECT_EQ(axfr_owner_types(named, "example.test."),
            (std::multiset<std::string>{"example.test. SOA", "example.test. NS",
                                        "ns1.example.test. A", "example.test. SOA"}));
  EXPECT_FALSE(fs::exists(named.journal_file("example.test.")));
  EXPECT_EQ(named.dig({"+short", "kept.other.test.", "A"}), "10.5.5.5\n")
      << "other zones keep their data";
}

TEST(NamedServer, DestructorLeavesNoProcessAndNoDirectory) {
  pid_t pid = 0;
  fs::path dir;
  {
    NamedServer named({.zones = {"example.test."}});
    pid = named.pid().value();
    dir = named.directory();
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    comm >> name;
    EXPECT_EQ(name, "named");
  }
  EXPECT_FALSE(process_alive(pid));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(NamedServer, AFailedStartThrowsWithTheLogTailAndCleansUp) {
  const auto t0 = std::chrono::steady_clock::now();
  fs::path dir;
  try {
    NamedServer named(
        {.zones = {"broken.test."}, .start_timeout = milliseconds(10000), .start = false});
    dir = named.directory();
    std::ofstream(named.zone_file("broken.test.")) << "this is not a zone file\n";
    named.start();
    ADD_FAILURE() << "start() should have thrown";
  } catch (const FixtureError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("zone broken.test. did not load"), std::string::npos) << what;
    EXPECT_NE(what.find("last lines of"), std::string::npos) << what;
    EXPECT_NE(what.find("unknown RR type 'is'"), std::string::npos) << "the log tail: " << what;
  }
  EXPECT_FALSE(dir.empty());
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "fails fast";
}

TEST(NamedServer, ServersStartedTogetherNeverShareAPort) {
  std::vector<std::future<std::pair<std::uint16_t, std::uint16_t>>> starts;
  starts.reserve(3);
  for (int i = 0; i < 3; ++i) {
    starts.push_back(std::async(std::launch::async, [] {
      NamedServer named({.zones = {"example.test."}});
      EXPECT_EQ(named.soa_serial("example.test."), 1u);
      // Hold the server until the others are up too.
      std::this_thread::sleep_for(milliseconds(300));
      return std::pair{named.port(), named.control_port()};
    }));
  }
  std::set<std::uint16_t> ports;
  for (auto& s : starts) {
    auto [port, control] = s.get();
    ports.insert(port);
    ports.insert(control);
  }
  EXPECT_EQ(ports.size(), 6u);
}

TEST(NamedServer, StartsQuickly) {
  using std::chrono::duration_cast;
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return duration_cast<milliseconds>(d).count(); };
  const auto t0 = Clock::now();
  std::int64_t server_start = 0, server_stop = 0, pair_start = 0;
  {
    NamedServer named({.zones = {"example.test."}});
    const auto t1 = Clock::now();
    named.stop();
    server_start = ms(t1 - t0);
    server_stop = ms(Clock::now() - t1);
  }
  const auto t2 = Clock::now();
  {
    NamedPair pair({"example.test."});
    pair_start = ms(Clock::now() - t2);
  }
  std::cout << "[ timing   ] NamedServer start " << server_start << " ms, stop " << server_stop
            << " ms; NamedPair start " << pair_start << " ms\n";
  RecordProperty("named_server_start_ms", static_cast<int>(server_start));
  RecordProperty("named_pair_start_ms", static_cast<int>(pair_start));
  EXPECT_LT(server_start, 5000);
  EXPECT_LT(pair_start, 10000);
}

// ---- NamedPair ---------------------------------------------------------------------------

TEST(NamedPair, SecondaryTransfersWithTsigAndFollowsNotify) {
  NamedPair pair({"example.test."});
  NamedServer& primary = pair.primary();
  NamedServer& secondary = pair.secondary();
  EXPECT_EQ(secondary.soa_serial("example.test."), 1u);
  EXPECT_EQ(secondary.tsig_key().secret, primary.tsig_key().secret);
  EXPECT_NE(secondary.directory(), primary.directory());

  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(primary.nsupdate("update add www.example.test. 60 A 10.9.9.9\nsend\n").ok());
  ASSERT_EQ(primary.soa_serial("example.test."), 2u);
  ASSERT_TRUE(pair.wait_secondary_serial("example.test.", 2, std::chrono::seconds(10)))
      << secondary.log_tail();
  // NOTIFY (notify-delay 0), not the refresh timer of one hour.
  const auto catch_up = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(catch_up, std::chrono::seconds(5));
  std::cout << "[ timing   ] secondary caught up "
            << std::chrono::duration_cast<milliseconds>(catch_up).count()
            << " ms after nsupdate started\n";
  EXPECT_EQ(secondary.dig({"+short", "www.example.test.", "A"}), "10.9.9.9\n");
  // The secondary serves transfers with the key only, and accepts no updates.
  EXPECT_EQ(axfr_owner_types(secondary, "example.test.").count("www.example.test. A"), 1u);
  EXPECT_NE(secondary.dig({"AXFR", "example.test."}).find("Transfer failed"), std::string::npos);
}

TEST(NamedPair, ZonesAddedAtRunTimeReachTheSecondary) {
  NamedPair pair({"example.test."}, TsigAlgorithm::hmac_sha512);
  pair.add_zone("added.test.");
  EXPECT_EQ(pair.secondary().soa_serial("added.test."), 1u);
  ASSERT_TRUE(pair.primary().nsupdate("update add x.added.test. 60 A 10.8.8.8\nsend\n").ok());
  ASSERT_TRUE(pair.wait_secondary_serial("added.test.", 2)) << pair.secondary().log_tail();
  EXPECT_EQ(pair.secondary().dig({"+short", "x.added.test.", "A"}), "10.8.8.8\n");

  pair.delete_zone("added.test.");
  EXPECT_EQ(pair.primary().soa_serial("added.test."), std::nullopt);
  EXPECT_EQ(pair.secondary().soa_serial("added.test."), std::nullopt);
}

}  // namespace
}  // namespace zk::testbed
