// technitium_bench: zonekeeper's Technitium provider vs a plain HTTP client loop, both against
// the Technitium double (tests/support/technitium_double.py) at the same API rate limit.
//
//   build/bench/technitium_bench [--records N] [--rate R] [--quick]
//
// 1. zonekeeper: a fresh provider loads an empty zone (one listing), plans N A records as a
//    DNSZone does (plan_zone) and applies them — wall clock from the provider's creation to
//    the last acknowledged change, at R requests/s (the provider's own rate limit).
// 2. floor: the same N records as N records/add POSTs (token in the header) from one
//    keep-alive http::Client, paced at R/s by a sleep before each request, into another zone.
// 3. Both zones are checked through the double's state: exactly the N names, right addresses.
// 4. Idle: the provider converges again on the same declaration (an SOA query over DNS, a plan
//    with nothing to do): the API calls it made are `idle_calls` (target 0).
// Last stdout line: {"records","seconds","floor_seconds","ratio","calls_per_changed_rrset",
// "idle_calls","pass", …}. Exit 1 when a check failed (no JSON then), 2 on bad arguments.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include "http/client.h"
#include "plan/zone_plan.h"
#include "providers/backend_factory.h"
#include "support/technitium_double.h"

namespace {

namespace asio = boost::asio;
namespace model = zk::model;
namespace providers = zk::providers;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string address(int i) {
  return fmt::format("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
}

struct Calls {
  size_t total = 0;
};

size_t api_calls(zk::testbed::TechnitiumDouble& d) {
  auto st = boost::json::parse(d.state()).as_object();
  size_t n = 0;
  for (const auto& [k, v] : st.at("calls").as_object()) n += size_t(v.as_int64());
  return n;
}

// The zone's A records as the double holds them: name → address.
std::map<std::string, std::string> held(zk::testbed::TechnitiumDouble& d, const std::string& zone) {
  std::map<std::string, std::string> out;
  auto st = boost::json::parse(d.state()).as_object();
  for (const auto& r : st.at("zones").as_object().at(zone).as_object().at("records").as_array()) {
    const auto& o = r.as_object();
    if (o.at("type").as_string() != "A") continue;
    out[std::string(o.at("name").as_string())] =
        std::string(o.at("rData").as_object().at("ipAddress").as_string());
  }
  return out;
}

bool check(zk::testbed::TechnitiumDouble& d, const std::string& zone, int n) {
  auto h = held(d, zone);
  if (h.size() != size_t(n)) {
    std::fprintf(stderr, "CHECK FAILED: %s holds %zu A records, want %d\n", zone.c_str(), h.size(),
                 n);
    return false;
  }
  for (int i = 0; i < n; ++i) {
    auto it = h.find(fmt::format("host-{:06}.{}", i, zone));
    if (it == h.end() || it->second != address(i)) {
      std::fprintf(stderr, "CHECK FAILED: host-%06d.%s wrong or missing\n", i, zone.c_str());
      return false;
    }
  }
  return true;
}

template <class T>
T run(asio::io_context& io, asio::awaitable<T> a) {
  auto fut = asio::co_spawn(io, std::move(a), asio::use_future);
  io.restart();
  io.run();
  return fut.get();
}

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): a tool of the tests; std::terminate says what.
int main(int argc, char** argv) {
  int n = 1000;
  double rate = 10;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--records" && i + 1 < argc) {
      n = std::atoi(argv[++i]);
    } else if (a == "--rate" && i + 1 < argc) {
      rate = std::atof(argv[++i]);
    } else if (a == "--quick") {
      n = 100;
      rate = 50;
    } else {
      std::fprintf(stderr, "usage: technitium_bench [--records N] [--rate R] [--quick]\n");
      return 2;
    }
  }
  if (n < 1 || n > 1000000 || rate < 0) {
    std::fprintf(stderr, "technitium_bench: --records 1..1000000, --rate ≥ 0\n");
    return 2;
  }
  zk::testbed::TechnitiumDouble dbl({.zones = {"bench-zk.test", "bench-floor.test"}});
  const auto zone = model::Name::parse("bench-zk.test.").value();
  model::RRsetMap desired;
  for (int i = 0; i < n; ++i) {
    model::RRset s(model::Name::parse(fmt::format("host-{:06}.bench-zk.test.", i)).value(),
                   model::RRType::A, 300, {model::Rdata::a(address(i)).value()});
    desired.emplace(s.key(), std::move(s));
  }

  asio::io_context io;
  providers::ProviderSpec spec;
  spec.label = "bench/technitium";
  spec.address = "127.0.0.1";
  spec.port = dbl.dns_port();
  spec.owner_id = "bench";
  providers::ProviderSpec::Technitium t;
  t.url = dbl.url();
  t.token = dbl.token();
  t.requests_per_second = rate;
  spec.technitium = t;

  // 1. zonekeeper.
  dbl.reset_calls();
  auto t0 = Clock::now();
  providers::BackendFactory factory(io.get_executor(), nullptr);
  auto provider = factory.make(spec).value();
  auto converge = [&]() -> asio::awaitable<providers::Result<providers::ApplyOutcome>> {
    auto r = co_await provider->refresh(zone);
    if (!r) co_return tl::unexpected(r.error());
    const auto* served = provider->served(zone);
    zk::plan::ZoneOwnership own;
    own.foreign = served->foreign;
    model::RRsetMap want = desired;
    for (const auto& [k, v] : served->rrsets) {
      if (k.type == model::RRType::SOA || k.type == model::RRType::NS) want.emplace(k, v);
    }
    auto plan = zk::plan::plan_zone(zone, want, served->rrsets, own);
    co_return co_await provider->apply(plan.changes);
  };
  auto out = run(io, converge());
  double zk_s = seconds_since(t0);
  if (!out) {
    std::fprintf(stderr, "CHECK FAILED: zonekeeper: %s\n", out.error().message.c_str());
    return 1;
  }
  size_t zk_calls = api_calls(dbl);
  std::fprintf(stderr,
               "zonekeeper: %d records in %.3f s, %zu API calls (%zu changes acknowledged)\n", n,
               zk_s, zk_calls, out->applied);

  // 4. idle.
  dbl.reset_calls();
  auto idle = run(io, converge());
  size_t idle_calls = api_calls(dbl);
  if (!idle || idle->applied != 0) {
    std::fprintf(stderr, "CHECK FAILED: the second converge was not idle\n");
    return 1;
  }

  // 2. floor: a plain loop at the same rate.
  dbl.reset_calls();
  auto f0 = Clock::now();
  zk::http::Options ho;
  ho.url = dbl.url();
  auto client = zk::http::Client::make(io.get_executor(), ho).value();
  auto floor = [&]() -> asio::awaitable<bool> {
    auto next = Clock::now();
    const auto interval =
        rate > 0
            ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate))
            : Clock::duration(0);
    for (int i = 0; i < n; ++i) {
      if (rate > 0) {
        asio::steady_timer timer(io, next);
        co_await timer.async_wait(asio::use_awaitable);
        next = std::max(next + interval, Clock::now());
      }
      zk::http::Request req;
      req.method = "POST";
      req.target = "/api/zones/records/add";
      req.content_type = "application/x-www-form-urlencoded";
      req.authorization = "Bearer " + dbl.token();
      req.body = fmt::format(
          "zone=bench-floor.test&domain=host-{:06}.bench-floor.test&type=A&ttl=300&ipAddress={}", i,
          address(i));
      auto r = co_await client->send(req);
      if (!r || r->status != 200 || r->body.find("\"ok\"") == std::string::npos) co_return false;
    }
    co_return true;
  };
  if (!run(io, floor())) {
    std::fprintf(stderr, "CHECK FAILED: the floor loop got an error\n");
    return 1;
  }
  double floor_s = seconds_since(f0);
  std::fprintf(stderr, "floor: %d records in %.3f s (%zu API calls)\n", n, floor_s, api_calls(dbl));

  // 3. what the server holds.
  if (!check(dbl, "bench-zk.test", n) || !check(dbl, "bench-floor.test", n)) return 1;

  double ratio = zk_s / floor_s;
  // Changed RRsets: n; zonekeeper's calls beyond the one listing that read the empty zone.
  double per_rrset = double(zk_calls > 0 ? zk_calls - 1 : 0) / n;
  bool pass = ratio <= 1.1 && per_rrset <= 1.0 && idle_calls == 0;
  std::printf(
      "{\"records\":%d,\"seconds\":%.3f,\"floor_seconds\":%.3f,\"ratio\":%.3f,"
      "\"calls_per_changed_rrset\":%.3f,\"idle_calls\":%zu,\"pass\":%s,\"rate\":%.1f,"
      "\"api_calls\":%zu}\n",
      n, zk_s, floor_s, ratio, per_rrset, idle_calls, pass ? "true" : "false", rate, zk_calls);
  return 0;
}
