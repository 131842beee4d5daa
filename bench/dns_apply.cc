// dns_apply: zonekeeper's DNS engine against BIND's own tools, on one real named.
//
//   build/bench/dns_apply [--records N] [--repeat R] [--axfr-runs K] [--quick]
//
// Per repetition, on two fresh, equally empty zones of one named (bench-zk-R.test. and
// bench-ns-R.test.):
//   1. zonekeeper: one Client::apply of N Replace changes (host-000001 … A 10.x.y.z), which
//      the engine packs into M UPDATE messages ≤ 64 KiB over one TCP connection, TSIG-signed
//      and verified. Wall clock, from the io_context's creation to the last verified answer.
//   2. floor: the same N records as `nsupdate -v -k KEYFILE` in the same M batches
//      (`update delete NAME A` + `update add NAME TTL A IP` per record, `send` per batch),
//      ONE nsupdate process, wall clock including process start.
//   3. Both zones are checked with dig (an independent client): AXFR holds exactly the N
//      records with the right addresses, and the SOA serial rose by exactly M (named bumps it
//      once per UPDATE message), which proves the floor used the same batches.
//   4. AXFR of the zonekeeper zone: Client::axfr against `dig -y … AXFR`, best of K each,
//      interleaved; zonekeeper's record count must equal dig's.
// The two tools go first in turn across repetitions. Reported values are medians over the
// repetitions. Human lines go to stderr; the last stdout line is one JSON object:
//   {"records":N,"messages":M,"zonekeeper_s":…,"nsupdate_s":…,"ratio":…,
//    "axfr_zonekeeper_s":…,"axfr_dig_s":…,"axfr_ratio":…, …diagnostics}
// Exit status: 0 when every check passed (targets missed or not), 1 when a check failed,
// 2 on bad arguments.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include "dns/client.h"
#include "dns/tsig.h"
#include "dns/update.h"
#include "model/changeset.h"
#include "support/named_fixture.h"

namespace {

namespace asio = boost::asio;
namespace dns = zk::dns;
namespace model = zk::model;
namespace testbed = zk::testbed;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kTtl = 300;
constexpr size_t kMaxMessage = 65535;

// A check of the benchmark's own results failed: the numbers must not be reported.
class CheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Options {
  size_t records = 10000;
  int repeat = 1;
  int axfr_runs = 3;
};

void usage(FILE* to) {
  std::fputs(
      "usage: dns_apply [--records N] [--repeat R] [--axfr-runs K] [--quick]\n"
      "  --records N    A records to apply (default 10000)\n"
      "  --repeat R     repetitions on fresh zones; medians are reported (default 1)\n"
      "  --axfr-runs K  AXFR timings per tool and repetition, best kept (default 3)\n"
      "  --quick        N=1000, for CI smoke runs\n",
      to);
}

std::optional<long> parse_positive(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return v;
}

std::optional<Options> parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      usage(stdout);
      std::exit(0);
    }
    if (a == "--quick") {
      o.records = 1000;
      continue;
    }
    std::string_view value;
    std::string_view flag = a;
    if (auto eq = a.find('='); eq != std::string_view::npos && a.starts_with("--")) {
      flag = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (a == "--records" || a == "--repeat" || a == "--axfr-runs") {
      if (i + 1 >= argc) {
        fmt::print(stderr, "dns_apply: {} needs a value\n", a);
        return std::nullopt;
      }
      value = argv[++i];
    } else {
      fmt::print(stderr, "dns_apply: unknown argument \"{}\" (try --help)\n", a);
      return std::nullopt;
    }
    auto v = parse_positive(value);
    if (!v) {
      fmt::print(stderr, "dns_apply: {} wants a positive integer, got \"{}\"\n", flag, value);
      return std::nullopt;
    }
    if (flag == "--records") {
      if (*v > 999999) {
        fmt::print(stderr, "dns_apply: --records is at most 999999 (names are host-NNNNNN)\n");
        return std::nullopt;
      }
      o.records = static_cast<size_t>(*v);
    } else if (flag == "--repeat") {
      o.repeat = static_cast<int>(*v);
    } else if (flag == "--axfr-runs") {
      o.axfr_runs = static_cast<int>(*v);
    } else {
      fmt::print(stderr, "dns_apply: unknown argument \"{}\" (try --help)\n", flag);
      return std::nullopt;
    }
  }
  return o;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// CPU seconds spent so far by this process, by its reaped children (nsupdate, dig) and by
// named (all threads; /proc resolution, 1/CLK_TCK), to tell where a wall-clock second went.
struct Cpu {
  double self = 0, children = 0, named = 0;
  Cpu operator-(const Cpu& o) const {
    return {self - o.self, children - o.children, named - o.named};
  }
};

double named_cpu(std::optional<pid_t> pid) {
  if (!pid) return 0;
  std::ifstream in(fmt::format("/proc/{}/stat", *pid));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream f(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int k = 3; k <= 15 && f >> field; ++k) {  // field 3 is the state
    if (k == 14) utime = std::stoull(field);
    if (k == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

Cpu cpu_now(const testbed::NamedServer& named) {
  Cpu c;
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  c.self = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  rusage ru{};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  c.children = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
  c.named = named_cpu(named.pid());
  return c;
}

std::string host_label(size_t i) {
  return fmt::format("host-{:06}", i);
}

std::string host_ip(size_t i) {
  return fmt::format("10.{}.{}.{}", (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF);
}

model::ChangeSet make_changeset(const std::string& zone_text, size_t n) {
  auto zone = model::Name::parse(zone_text);
  if (!zone) throw CheckFailed(fmt::format("zone {}: {}", zone_text, zone.error()));
  model::ChangeSet cs{*zone, {}};
  cs.changes.reserve(n);
  for (size_t i = 1; i <= n; ++i) {
    auto owner = zone->prepend(host_label(i));
    auto rd = model::Rdata::a(host_ip(i));
    if (!owner || !rd) throw CheckFailed("building the change set failed");
    cs.replace(model::RRset(*owner, model::RRType::A, kTtl, {*rd}));
  }
  return cs;
}

// The nsupdate script for the same records in exactly the given batches (records per message).
std::string make_nsupdate_script(uint16_t port, const std::string& zone,
                                 const std::vector<size_t>& batches) {
  std::string s = fmt::format("server 127.0.0.1 {}\n", port);
  size_t total = 0;
  for (size_t b : batches) total += b;
  s.reserve(total * 110 + batches.size() * 40);
  size_t i = 1;
  for (size_t batch : batches) {
    s += fmt::format("zone {}\n", zone);
    for (size_t k = 0; k < batch; ++k, ++i) {
      const std::string owner = host_label(i) + "." + zone;
      s += fmt::format("update delete {} A\nupdate add {} {} A {}\n", owner, owner, kTtl,
                       host_ip(i));
    }
    s += "send\n";
  }
  return s;
}

dns::TsigKey engine_key(const testbed::TsigKey& k) {
  auto key = dns::TsigKey::from_base64(k.name, testbed::to_string(k.algorithm), k.secret);
  if (!key) throw CheckFailed("TSIG key: " + key.error().to_string());
  return *key;
}

dns::ClientOptions client_options(const dns::TsigKey& key) {
  dns::ClientOptions o;
  o.key = key;
  o.timeout = std::chrono::minutes(10);  // per operation: the whole batch, the whole transfer
  return o;
}

// The answer records of a `dig AXFR` (TSIG records and comments left out), closing SOA included.
struct DigZone {
  size_t records = 0;                        // answer RRs except TSIG, both SOAs counted
  std::map<std::string, std::string> hosts;  // "host-000001" -> "10.0.0.1" (A records)
  std::optional<uint32_t> serial;
};

DigZone parse_dig_axfr(const std::string& out, const std::string& zone) {
  DigZone z;
  const std::string suffix = "." + zone;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    std::istringstream f(line);
    std::string owner, ttl, cls, type, rdata;
    if (!(f >> owner >> ttl >> cls >> type)) continue;
    if (type == "TSIG") continue;
    ++z.records;
    if (type == "SOA" && !z.serial) {
      std::string mname, rname;
      uint32_t serial = 0;
      if (f >> mname >> rname >> serial) z.serial = serial;
    }
    if (type == "A" && owner.size() > suffix.size() && owner.ends_with(suffix) &&
        owner.starts_with("host-")) {
      f >> rdata;
      z.hosts[owner.substr(0, owner.size() - suffix.size())] = rdata;
    }
  }
  return z;
}

struct DigRun {
  double seconds = 0;
  Cpu cpu;
  DigZone zone;
};

DigRun dig_axfr(const testbed::NamedServer& named, const std::string& zone) {
  const std::vector<std::string> argv{"dig",  "@127.0.0.1",
                                      "-p",   std::to_string(named.port()),
                                      "-y",   named.tsig_key().dig_argument(),
                                      "AXFR", zone};
  const Cpu c0 = cpu_now(named);
  const auto t0 = Clock::now();
  auto r = testbed::run_command(argv, {}, std::chrono::minutes(5));
  DigRun run{seconds_since(t0), cpu_now(named) - c0, {}};
  if (!r.ok() || r.out.find("Transfer failed") != std::string::npos) {
    throw CheckFailed(fmt::format("dig AXFR {} failed (exit {}): {}", zone, r.exit_code,
                                  r.output().substr(0, 2000)));
  }
  run.zone = parse_dig_axfr(r.out, zone);
  return run;
}

// Independent proof that `zone` now holds host-000001 … host-N with their addresses and that
// named applied exactly `messages` UPDATE messages to it (serial 1 + messages).
void verify_zone(const testbed::NamedServer& named, const std::string& zone, size_t n,
                 size_t messages, std::string_view who) {
  DigZone z = dig_axfr(named, zone).zone;
  if (z.hosts.size() != n) {
    throw CheckFailed(fmt::format("{}: dig AXFR {} shows {} host records, expected {}", who, zone,
                                  z.hosts.size(), n));
  }
  for (size_t i = 1; i <= n; ++i) {
    auto it = z.hosts.find(host_label(i));
    if (it == z.hosts.end() || it->second != host_ip(i)) {
      throw CheckFailed(fmt::format("{}: {}.{} is {} in dig AXFR, expected {}", who, host_label(i),
                                    zone, it == z.hosts.end() ? "missing" : it->second,
                                    host_ip(i)));
    }
  }
  // SOA, the zone's own records (NS, glue), N hosts, closing SOA.
  if (z.records < n + 3) {
    throw CheckFailed(fmt::format("{}: dig AXFR {} has {} records, expected at least {}", who, zone,
                                  z.records, n + 3));
  }
  if (!z.serial || *z.serial != 1 + messages) {
    throw CheckFailed(fmt::format("{}: {} serial is {}, expected {} (1 + one per UPDATE message)",
                                  who, zone, z.serial ? std::to_string(*z.serial) : "unknown",
                                  1 + messages));
  }
  // And one name by an ordinary query (not a transfer).
  const std::string probe = host_label(n) + "." + zone;
  auto answer = named.dig({"+short", probe, "A"});
  if (answer != host_ip(n) + "\n") {
    throw CheckFailed(
        fmt::format("{}: dig {} A answered \"{}\", expected {}", who, probe, answer, host_ip(n)));
  }
}

struct Timed {
  double seconds = 0;
  Cpu cpu;
};

struct ZkApply : Timed {
  dns::UpdateReport report;
};

ZkApply zonekeeper_apply(const testbed::NamedServer& named, const dns::TsigKey& key,
                         const model::ChangeSet& cs) {
  const Cpu c0 = cpu_now(named);
  const auto t0 = Clock::now();
  auto r = dns::run_blocking(
      [&](asio::any_io_executor ex) -> asio::awaitable<dns::Result<dns::UpdateReport>> {
        dns::Client client(ex, {"127.0.0.1", named.port()}, client_options(key));
        co_return co_await client.apply(cs);
      });
  ZkApply out;
  out.seconds = seconds_since(t0);
  out.cpu = cpu_now(named) - c0;
  if (!r) throw CheckFailed("zonekeeper apply failed: " + r.error().to_string());
  out.report = *r;
  return out;
}

Timed nsupdate_apply(const testbed::NamedServer& named, const std::string& script) {
  const std::vector<std::string> argv{"nsupdate", "-v", "-k", named.tsig_key().file.string()};
  const Cpu c0 = cpu_now(named);
  const auto t0 = Clock::now();
  auto r = testbed::run_command(argv, script, std::chrono::minutes(10));
  const Timed t{seconds_since(t0), cpu_now(named) - c0};
  if (!r.ok()) {
    throw CheckFailed(fmt::format("nsupdate failed (exit {}{}): {}", r.exit_code,
                                  r.timed_out ? ", timed out" : "", r.output().substr(0, 2000)));
  }
  return t;
}

struct ZkAxfr : Timed {
  size_t records = 0;
  size_t messages = 0;
};

ZkAxfr zonekeeper_axfr(const testbed::NamedServer& named, const dns::TsigKey& key,
                       const model::Name& zone) {
  const Cpu c0 = cpu_now(named);
  const auto t0 = Clock::now();
  auto r = dns::run_blocking(
      [&](asio::any_io_executor ex) -> asio::awaitable<dns::Result<dns::ZoneSnapshot>> {
        dns::Client client(ex, {"127.0.0.1", named.port()}, client_options(key));
        co_return co_await client.axfr(zone);
      });
  ZkAxfr out;
  out.seconds = seconds_since(t0);
  out.cpu = cpu_now(named) - c0;
  if (!r) throw CheckFailed("zonekeeper AXFR failed: " + r.error().to_string());
  out.records = r->records;
  out.messages = r->messages;
  return out;
}

struct Repetition {
  double zk_s = 0, ns_s = 0, axfr_zk_s = 0, axfr_dig_s = 0;
  Cpu zk_cpu, ns_cpu, axfr_zk_cpu, axfr_dig_cpu;  // of the runs above (the best AXFR runs)
  double build_s = 0, pack_s = 0;
  size_t messages = 0, axfr_records = 0, axfr_messages = 0;
  size_t min_batch = 0, max_batch = 0, max_wire = 0;
};

Repetition run_once(testbed::NamedServer& named, const dns::TsigKey& key, const Options& o,
                    int rep) {
  Repetition out;
  const std::string zone_zk = fmt::format("bench-zk-{}.test.", rep);
  const std::string zone_ns =
      fmt::format("bench-ns-{}.test.", rep);  // same length: same wire sizes
  named.add_zone(zone_zk);
  named.add_zone(zone_ns);

  auto t0 = Clock::now();
  const model::ChangeSet cs = make_changeset(zone_zk, o.records);
  out.build_s = seconds_since(t0);

  // How the engine will split the change set: the floor gets exactly these batches. The same
  // call with the same budget as Client::apply (pure; timed here only as a breakdown).
  t0 = Clock::now();
  auto packed = dns::pack_update(cs, {kMaxMessage - key.tsig_rr_size(), 0});
  out.pack_s = seconds_since(t0);
  if (!packed) throw CheckFailed("pack_update: " + packed.error().to_string());
  std::vector<size_t> batches;
  for (const auto& m : *packed) {
    batches.push_back(m.change_count);
    out.max_wire = std::max(out.max_wire, m.wire.size());
  }
  out.messages = batches.size();
  out.min_batch = *std::min_element(batches.begin(), batches.end());
  out.max_batch = *std::max_element(batches.begin(), batches.end());
  const std::string script = make_nsupdate_script(named.port(), zone_ns, batches);

  auto run_zk = [&] {
    auto r = zonekeeper_apply(named, key, cs);
    if (r.report.messages != out.messages || r.report.records != o.records ||
        r.report.changes != o.records) {
      throw CheckFailed(
          fmt::format("zonekeeper reported {} messages / {} changes / {} records, "
                      "expected {} / {} / {}",
                      r.report.messages, r.report.changes, r.report.records, out.messages,
                      o.records, o.records));
    }
    out.zk_s = r.seconds;
    out.zk_cpu = r.cpu;
  };
  auto run_ns = [&] {
    auto r = nsupdate_apply(named, script);
    out.ns_s = r.seconds;
    out.ns_cpu = r.cpu;
  };
  if (rep % 2 == 1) {
    run_zk();
    run_ns();
  } else {
    run_ns();
    run_zk();
  }
  verify_zone(named, zone_zk, o.records, out.messages, "zonekeeper");
  verify_zone(named, zone_ns, o.records, out.messages, "nsupdate");

  // AXFR of the zonekeeper zone, best of K, the two clients interleaved.
  const model::Name zone_name = cs.zone;
  out.axfr_zk_s = out.axfr_dig_s = 1e9;
  for (int k = 0; k < o.axfr_runs; ++k) {
    auto z = zonekeeper_axfr(named, key, zone_name);
    auto d = dig_axfr(named, zone_zk);
    // zonekeeper's count leaves out the closing SOA; dig prints it.
    if (z.records + 1 != d.zone.records || d.zone.hosts.size() != o.records) {
      throw CheckFailed(
          fmt::format("AXFR {}: zonekeeper got {} records, dig {} (closing SOA "
                      "included) with {} of the {} hosts",
                      zone_zk, z.records, d.zone.records, d.zone.hosts.size(), o.records));
    }
    out.axfr_records = z.records;
    out.axfr_messages = z.messages;
    if (z.seconds < out.axfr_zk_s) {
      out.axfr_zk_s = z.seconds;
      out.axfr_zk_cpu = z.cpu;
    }
    if (d.seconds < out.axfr_dig_s) {
      out.axfr_dig_s = d.seconds;
      out.axfr_dig_cpu = d.cpu;
    }
  }

  named.delete_zone(zone_zk);
  named.delete_zone(zone_ns);
  return out;
}

// A few records through both paths on a throw-away zone, so that neither tool pays for
// first-use costs (named's first UPDATE, cold binaries and libraries) in the measured runs.
void warm_up(testbed::NamedServer& named, const dns::TsigKey& key) {
  const std::string zone = "bench-warm.test.";
  named.add_zone(zone);
  auto cs = make_changeset(zone, 20);
  zonekeeper_apply(named, key, cs);
  nsupdate_apply(named, make_nsupdate_script(named.port(), zone, {20}));
  (void)dig_axfr(named, zone);
  (void)zonekeeper_axfr(named, key, cs.zone);
  named.delete_zone(zone);
}

int run(const Options& o) {
  testbed::NamedServer named({.label = "bench-dns-apply"});
  const dns::TsigKey key = engine_key(named.tsig_key());
  fmt::print(stderr, "dns_apply: named on 127.0.0.1:{} ({} records, {} repetition(s), TSIG {})\n",
             named.port(), o.records, o.repeat, testbed::to_string(named.tsig_key().algorithm));
  warm_up(named, key);

  std::vector<Repetition> reps;
  for (int rep = 1; rep <= o.repeat; ++rep) {
    Repetition r = run_once(named, key, o, rep);
    fmt::print(
        stderr,
        "rep {}: apply {} records in {} UPDATE messages ({}..{} changes of 2 RRs each, largest {} "
        "octets): zonekeeper {:.3f} s, nsupdate {:.3f} s, ratio {:.2f} "
        "[{} first; engine: change set built in {:.3f} s (untimed), packing {:.3f} s]\n",
        rep, o.records, r.messages, r.min_batch, r.max_batch, r.max_wire, r.zk_s, r.ns_s,
        r.zk_s / r.ns_s, rep % 2 == 1 ? "zonekeeper" : "nsupdate", r.build_s, r.pack_s);
    fmt::print(stderr,
               "rep {}: AXFR {} records in {} messages, best of {}: zonekeeper {:.4f} s, dig "
               "{:.4f} s, ratio {:.2f}\n",
               rep, r.axfr_records, r.axfr_messages, o.axfr_runs, r.axfr_zk_s, r.axfr_dig_s,
               r.axfr_zk_s / r.axfr_dig_s);
    fmt::print(stderr,
               "rep {}: CPU seconds (client / named): apply zonekeeper {:.3f} / {:.2f}, nsupdate "
               "{:.3f} / {:.2f}; AXFR zonekeeper {:.3f} / {:.2f}, dig {:.3f} / {:.2f}\n",
               rep, r.zk_cpu.self, r.zk_cpu.named, r.ns_cpu.children, r.ns_cpu.named,
               r.axfr_zk_cpu.self, r.axfr_zk_cpu.named, r.axfr_dig_cpu.children,
               r.axfr_dig_cpu.named);
    reps.push_back(r);
  }

  auto med = [&](double Repetition::*field) {
    std::vector<double> v;
    v.reserve(reps.size());
    for (const auto& r : reps) v.push_back(r.*field);
    return median(v);
  };
  const double zk = med(&Repetition::zk_s), ns = med(&Repetition::ns_s);
  const double azk = med(&Repetition::axfr_zk_s), adig = med(&Repetition::axfr_dig_s);
  const double pack = med(&Repetition::pack_s);
  const double ratio = zk / ns, axfr_ratio = azk / adig;
  fmt::print(stderr,
             "median of {}: zonekeeper {:.3f} s vs nsupdate {:.3f} s → ratio {:.2f} (target ≤ "
             "1.0: {}); AXFR {:.4f} s vs dig {:.4f} s → ratio {:.2f} (target ≤ 1.5: {})\n",
             reps.size(), zk, ns, ratio, ratio <= 1.0 ? "met" : "MISSED", azk, adig, axfr_ratio,
             axfr_ratio <= 1.5 ? "met" : "MISSED");
  fmt::print(
      "{{\"records\":{},\"messages\":{},\"zonekeeper_s\":{:.4f},\"nsupdate_s\":{:.4f},"
      "\"ratio\":{:.3f},\"axfr_zonekeeper_s\":{:.4f},\"axfr_dig_s\":{:.4f},\"axfr_ratio\":{:.3f},"
      "\"repeat\":{},\"axfr_records\":{},\"axfr_messages\":{},\"pack_s\":{:.4f}}}\n",
      o.records, reps.front().messages, zk, ns, ratio, azk, adig, axfr_ratio, reps.size(),
      reps.front().axfr_records, reps.front().axfr_messages, pack);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto o = parse_args(argc, argv);
  if (!o) {
    usage(stderr);
    return 2;
  }
  try {
    return run(*o);
  } catch (const CheckFailed& e) {
    fmt::print(stderr, "dns_apply: CHECK FAILED: {}\n", e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "dns_apply: {}\n", e.what());
  }
  return 1;
}
