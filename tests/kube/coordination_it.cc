// Leader election on a real Lease (in-process and as separate, killed processes) and the
// EventRecorder's aggregation and rate limiting against the real events.k8s.io API.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "kube/event_recorder.h"
#include "kube/leader_election.h"
#include "kube/shard_leases.h"
#include "testbed.h"

extern char** environ;

namespace zk::kube::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Candidate {
  Candidate(IoThread& io, std::shared_ptr<Client> c, const LeaderElectionConfig& cfg)
      : io(io), elector(std::make_unique<LeaderElector>(std::move(c), cfg)) {
    elector->on_started_leading([this] {
      leading = true;
      ++times_led;
      led_at = Clock::now();
    });
    elector->on_stopped_leading([this] { leading = false; });
  }
  ~Candidate() { stop(); }
  void start() { done = asio::co_spawn(io.io(), elector->run(), asio::use_future); }
  void stop() {
    if (!done.valid()) return;
    io.call([this] { elector->stop(); });
    EXPECT_EQ(done.wait_for(30s), std::future_status::ready);
    done = {};
  }
  IoThread& io;
  std::unique_ptr<LeaderElector> elector;
  std::atomic<bool> leading{false};
  std::atomic<int> times_led{0};
  Clock::time_point led_at{};
  std::future<Result<void>> done;
};

LeaderElectionConfig lease_config(const std::string& ns, const std::string& lease,
                                  const std::string& id, bool release) {
  LeaderElectionConfig c;
  c.lease_namespace = ns;
  c.lease_name = lease;
  c.identity = id;
  c.lease_duration = 4s;
  c.renew_deadline = 3s;
  c.retry_period = 500ms;
  c.release_on_stop = release;
  return c;
}

TEST(KubeLeaderElection, ExactlyOneLeaderAndHandoverWithinLeaseDurationAfterCrash) {
  IoThread io;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-lease");
  Candidate a(io, admin_client(io), lease_config(ns, "controller", "a", false));
  Candidate b(io, admin_client(io), lease_config(ns, "controller", "b", false));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] { return a.leading || b.leading; }, 10s));
  // Exactly one leader, continuously, for a few renewal periods.
  for (int i = 0; i < 100; ++i) {
    ASSERT_NE(a.leading.load(), b.leading.load()) << "sample " << i;
    std::this_thread::sleep_for(30ms);
  }
  Candidate& leader = a.leading ? a : b;
  Candidate& follower = a.leading ? b : a;
  auto lease = io.sync(admin->get(resources::kLeases, ns, "controller"));
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->at("spec").at("holderIdentity").as_string(), leader.elector->observed_leader());
  // "Crash" the leader: it stops without releasing; the follower must wait for expiry.
  auto crashed_at = Clock::now();
  leader.stop();
  ASSERT_TRUE(eventually([&] { return follower.leading.load(); }, 10s));
  auto handover = follower.led_at - crashed_at;
  EXPECT_LE(handover, 4s + 500ms * 1.2 + 1s) << "handover took too long";
  EXPECT_GE(handover, 2s) << "took over a lease that had not expired";
  auto after = io.sync(admin->get(resources::kLeases, ns, "controller"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->at("spec").at("holderIdentity").as_string(),
            follower.elector->observed_leader());
  EXPECT_GE(after->at("spec").at("leaseTransitions").as_int64(), 1);
}

TEST(KubeLeaderElection, CleanShutdownReleasesTheLeaseForAFastHandover) {
  IoThread io;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-release");
  Candidate a(io, admin_client(io), lease_config(ns, "controller", "a", true));
  a.start();
  ASSERT_TRUE(eventually([&] { return a.leading.load(); }, 10s));
  Candidate b(io, admin_client(io), lease_config(ns, "controller", "b", true));
  b.start();
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(b.leading.load());
  auto released_at = Clock::now();
  a.stop();
  EXPECT_FALSE(a.leading.load());
  ASSERT_TRUE(eventually([&] { return b.leading.load(); }, 10s));
  EXPECT_LT(b.led_at - released_at, 2s) << "release did not let the successor in early";
}

TEST(KubeLeaderElection, LeaderStepsDownWhenItCannotRenew) {
  IoThread io;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-stepdown");
  LeaderElectionConfig cfg = lease_config(ns, "controller", "solo", false);
  cfg.lease_duration = 3s;
  cfg.renew_deadline = 2s;
  cfg.retry_period = 300ms;
  Candidate a(io, admin_client(io), cfg);
  a.start();
  ASSERT_TRUE(eventually([&] { return a.leading.load(); }, 10s));
  // The apiserver stops answering (SIGSTOP) for longer than the renew deadline.
  auto env = Testbed::read_env(Testbed::dir() / "env");
  pid_t apiserver = pid_t(std::stol(env.at("ZK_APISERVER_PID")));
  ASSERT_EQ(kill(apiserver, SIGSTOP), 0);
  auto frozen_at = Clock::now();
  bool stepped_down = eventually([&] { return !a.leading.load(); }, 10s);
  auto step_down_after = Clock::now() - frozen_at;
  ASSERT_EQ(kill(apiserver, SIGCONT), 0);
  ASSERT_TRUE(stepped_down) << "leader kept leading without renewing";
  EXPECT_LE(step_down_after, 2s + 2s + 1s) << "stepped down later than renew deadline + one try";
  ASSERT_EQ(a.done.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(a.done.get());  // run() returned normally after stepping down
  a.done = {};
}

// A child process whose stdout we read line by line.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    out_ = fds[0];
    fcntl(out_, F_SETFL, O_NONBLOCK);
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }
  bool running() const { return pid_ > 0; }
  void kill9() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Reads what is available; returns the accumulated output.
  const std::string& output() {
    char buf[512];
    while (true) {
      ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      out_text_.append(buf, size_t(n));
    }
    return out_text_;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string out_text_;
};

TEST(KubeLeaderElection, TwoProcessesKillingTheLeaderHandsOver) {
  IoThread io;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-proc");
  auto spawn = [&](const std::string& id) {
    return std::make_unique<Child>(
        std::vector<std::string>{ZK_LEASE_CANDIDATE, Testbed::var("KUBECONFIG"), ns, "controller",
                                 id, "4000", "3000", "500"});
  };
  auto p1 = spawn("proc-1");
  auto p2 = spawn("proc-2");
  ASSERT_TRUE(p1->running() && p2->running());
  auto leads = [](Child& c, const std::string& id) {
    return c.output().find("LEADING " + id) != std::string::npos;
  };
  ASSERT_TRUE(eventually([&] { return leads(*p1, "proc-1") || leads(*p2, "proc-2"); }, 15s));
  std::this_thread::sleep_for(2s);
  bool one = leads(*p1, "proc-1"), two = leads(*p2, "proc-2");
  ASSERT_NE(one, two) << "both or neither lead";
  Child& leader = one ? *p1 : *p2;
  Child& other = one ? *p2 : *p1;
  std::string other_id = one ? "proc-2" : "proc-1";
  auto killed_at = Clock::now();
  leader.kill9();
  ASSERT_TRUE(eventually([&] { return leads(other, other_id); }, 15s))
      << "no handover after SIGKILL";
  auto handover = Clock::now() - killed_at;
  EXPECT_LE(handover, 4s + 600ms + 1s) << "handover slower than the lease duration allows";
  auto lease = io.sync(admin->get(resources::kLeases, ns, "controller"));
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->at("spec").at("holderIdentity").as_string(), other_id);
}

TEST(KubeLeaderElection, BadTimingsAreRejected) {
  IoThread io;
  auto c = admin_client(io);
  LeaderElectionConfig cfg = lease_config("default", "x", "me", true);
  cfg.renew_deadline = cfg.lease_duration;
  LeaderElector e(c, cfg);
  auto r = io.sync(e.run());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadConfig);
}

size_t events_about(IoThread& io, Client& c, const std::string& ns, const std::string& name,
                    int64_t* series_count = nullptr) {
  ListOptions lo;
  lo.field_selector = "regarding.name=" + name;
  auto events = io.sync(c.list_all(resources::kEvents, ns, lo));
  EXPECT_TRUE(events) << events.error().to_string();
  if (!events) return 0;
  if (series_count && !events->items.empty()) {
    auto& e = events->items[0];
    auto s = e.find("series");
    *series_count = s == e.end() ? 1 : s->value().at("count").as_int64();
  }
  return events->items.size();
}

// A replica of a sharded controller: what it holds, as its on_held callback last said.
struct ShardReplica {
  ShardReplica(IoThread& io, std::shared_ptr<Client> c, const std::string& ns, std::string id,
               bool release)
      : io(io), id(id) {
    ShardLeaseConfig cfg;
    cfg.lease_namespace = ns;
    cfg.prefix = "controller";
    cfg.identity = std::move(id);
    cfg.shards = 6;
    cfg.lease_duration = 4s;
    cfg.renew_deadline = 3s;
    cfg.retry_period = 500ms;
    cfg.release_on_stop = release;
    leases = std::make_unique<ShardLeases>(std::move(c), cfg);
    leases->on_held([this](const std::set<uint32_t>& h) {
      std::lock_guard lock(mu);
      held = h;
    });
    leases->on_handover([this](uint32_t) -> asio::awaitable<void> {
      ++handovers;
      co_return;
    });
  }
  ~ShardReplica() { stop(); }
  void start() { done = asio::co_spawn(io.io(), leases->run(), asio::use_future); }
  void stop() {
    if (!done.valid()) return;
    io.call([this] { leases->stop(); });
    EXPECT_EQ(done.wait_for(30s), std::future_status::ready);
    done = {};
    std::lock_guard lock(mu);
    held.clear();
  }
  std::set<uint32_t> holds() const {
    std::lock_guard lock(mu);
    return held;
  }
  std::vector<std::string> members() {
    std::vector<std::string> out;
    io.call([&] { out = leases->members(); });
    return out;
  }
  IoThread& io;
  std::string id;
  std::unique_ptr<ShardLeases> leases;
  mutable std::mutex mu;
  std::set<uint32_t> held;
  std::atomic<int> handovers{0};
  std::future<Result<void>> done;
};

// Every shard held by exactly one of `replicas` (none twice) and each holding `each`.
bool split(const std::vector<ShardReplica*>& replicas, size_t each) {
  std::set<uint32_t> all;
  for (auto* r : replicas) {
    auto h = r->holds();
    if (h.size() != each) return false;
    all.insert(h.begin(), h.end());
  }
  return all.size() == 6;
}

// No shard held by two replicas at once, sampled every 20 ms for `d`.
void never_two_holders(const std::vector<ShardReplica*>& replicas, std::chrono::milliseconds d) {
  for (auto end = Clock::now() + d; Clock::now() < end;) {
    std::map<uint32_t, int> holders;
    for (auto* r : replicas) {
      for (uint32_t s : r->holds()) ASSERT_EQ(++holders[s], 1) << "shard " << s;
    }
    std::this_thread::sleep_for(20ms);
  }
}

TEST(KubeShardLeases, ReplicasSplitTheShardsEvenlyAndANewOneTakesItsShareByHandover) {
  IoThread io;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-shards");
  ShardReplica a(io, admin_client(io), ns, "a", true);
  ShardReplica b(io, admin_client(io), ns, "b", true);
  a.start();
  b.start();
  ASSERT_TRUE(eventually(
      [&] {
        return split({&a, &b}, 3);
      },
      20s))
      << a.holds().size() << " + " << b.holds().size();
  never_two_holders({&a, &b}, 1500ms);
  // The Leases say the same as the replicas.
  for (auto* r : {&a, &b}) {
    for (uint32_t s : r->holds()) {
      auto lease =
          io.sync(admin->get(resources::kLeases, ns, fmt::format("controller-shard-{}", s)));
      ASSERT_TRUE(lease);
      EXPECT_EQ(lease->at("spec").at("holderIdentity").as_string(), r->id) << "shard " << s;
    }
  }
  ShardReplica c(io, admin_client(io), ns, "c", true);
  c.start();
  // The others hand two shards over (released, not left to expire), never two holders at once.
  std::thread watch([&] { never_two_holders({&a, &b, &c}, 8s); });
  bool rebalanced = eventually([&] { return split({&a, &b, &c}, 2); }, 20s);
  watch.join();
  ASSERT_TRUE(rebalanced) << a.holds().size() << " + " << b.holds().size() << " + "
                          << c.holds().size();
  // At least c's two (the bounded load may also move one between a and b).
  EXPECT_GE(a.handovers + b.handovers, 2);
  EXPECT_EQ(c.handovers, 0);
}

TEST(KubeShardLeases, ACrashedReplicasShardsAreTakenOverAfterTheirLeasesExpire) {
  IoThread io;
  auto admin = admin_client(io);
  std::string ns = create_namespace(io, *admin, "zk-shards");
  ShardReplica a(io, admin_client(io), ns, "a", false);
  ShardReplica b(io, admin_client(io), ns, "b", false);
  ShardReplica c(io, admin_client(io), ns, "c", false);
  a.start();
  b.start();
  c.start();
  ASSERT_TRUE(eventually([&] { return split({&a, &b, &c}, 2); }, 20s));
  auto lost = b.holds();
  b.stop();  // without releasing anything: its Leases expire
  // Nobody takes b's shards before they expire…
  never_two_holders({&a, &c}, 2s);
  for (uint32_t s : lost) {
    EXPECT_FALSE(a.holds().count(s) || c.holds().count(s)) << "shard " << s << " taken early";
  }
  // …then the two left share all six.
  ASSERT_TRUE(eventually(
      [&] {
        return split({&a, &c}, 3);
      },
      20s))
      << a.holds().size() << " + " << c.holds().size();
  EXPECT_EQ(a.members(), (std::vector<std::string>{"a", "c"}));
}

TEST(KubeEvents, SameEventAggregatesIntoOneSeries) {
  IoThread io;
  auto c = admin_client(io);
  std::string ns = create_namespace(io, *c, "zk-events");
  json::object cm{{"apiVersion", "v1"},
                  {"kind", "ConfigMap"},
                  {"metadata", json::object{{"name", "target"}, {"namespace", ns}}}};
  auto created = io.sync(c->create(resources::kConfigMaps, ns, cm));
  ASSERT_TRUE(created);
  ObjectReference ref = ObjectReference::of(*created);
  ref.api_version = "v1";
  ref.kind = "ConfigMap";
  EventRecorder rec(c, {.reporting_instance = "it-test"});
  std::vector<EventOutcome> outcomes;
  outcomes.reserve(5);
  for (int i = 0; i < 5; ++i) {
    outcomes.push_back(io.sync(rec.emit(ref, EventSeverity::Warning, "UpdateRejected", "Reconcile",
                                        "BIND refused the UPDATE: REFUSED")));
  }
  EXPECT_EQ(outcomes, (std::vector<EventOutcome>{EventOutcome::Created, EventOutcome::Aggregated,
                                                 EventOutcome::Aggregated, EventOutcome::Aggregated,
                                                 EventOutcome::Aggregated}));
  int64_t count = 0;
  EXPECT_EQ(events_about(io, *c, ns, "target", &count), 1u);
  EXPECT_EQ(count, 5);
  // A different note is a different event.
  EXPECT_EQ(io.sync(rec.emit(ref, EventSeverity::Normal, "Synced", "Reconcile", "zone served")),
            EventOutcome::Created);
  EXPECT_EQ(events_about(io, *c, ns, "target"), 2u);
  // Fire-and-forget path.
  io.call([&] { rec.record(ref, EventSeverity::Normal, "Synced", "Reconcile", "zone served"); });
  EXPECT_EQ(io.sync(rec.flush(std::chrono::seconds(30))), 0u);
  EXPECT_EQ(events_about(io, *c, ns, "target"), 2u);
  EXPECT_EQ(rec.stats().aggregated, 5u);
}

TEST(KubeEvents, AFailingObjectCannotFlood) {
  IoThread io;
  auto c = admin_client(io);
  std::string ns = create_namespace(io, *c, "zk-flood");
  ObjectReference noisy{"v1", "ConfigMap", ns, "noisy", "uid-noisy", ""};
  ObjectReference calm{"v1", "ConfigMap", ns, "calm", "uid-calm", ""};
  EventRecorderOptions opts;
  opts.burst = 5;
  opts.refill_interval = 1h;
  EventRecorder rec(c, opts);
  int created = 0, limited = 0;
  for (int i = 0; i < 40; ++i) {
    auto o = io.sync(rec.emit(noisy, EventSeverity::Warning, "Failed", "Reconcile",
                              fmt::format("attempt {} failed", i)));
    created += o == EventOutcome::Created;
    limited += o == EventOutcome::RateLimited;
  }
  EXPECT_EQ(created, 5);
  EXPECT_EQ(limited, 35);
  EXPECT_EQ(events_about(io, *c, ns, "noisy"), 5u);
  // Another object is not affected by the noisy one's bucket.
  EXPECT_EQ(io.sync(rec.emit(calm, EventSeverity::Normal, "Synced", "Reconcile", "ok")),
            EventOutcome::Created);
  EXPECT_EQ(rec.stats().not_written(), 35u);
}

TEST(KubeEvents, AWriteTheApiServerRefusesCountsAsNotWritten) {
  IoThread io;
  auto c = admin_client(io);
  // The namespace does not exist: the API server refuses to create the Event there.
  ObjectReference lost{"v1", "ConfigMap", "zk-no-such-namespace", "lost", "uid-lost", ""};
  EventRecorder rec(c, {});
  EXPECT_EQ(io.sync(rec.emit(lost, EventSeverity::Warning, "Failed", "Reconcile", "not written")),
            EventOutcome::Failed);
  EXPECT_EQ(rec.stats().failed, 1u);
  EXPECT_EQ(rec.stats().rate_limited, 0u);
  // What zonekeeper_events_dropped_total reports (cluster mode's /metrics).
  EXPECT_EQ(rec.stats().not_written(), 1u);
}

}  // namespace
}  // namespace zk::kube::testing
