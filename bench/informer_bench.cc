// bench/informer: zonekeeper's initial LIST+decode of N record-sized custom objects into the
// informer store, against `kubectl get <crd> -A -o json` of the same objects in the same run,
// plus resident memory per cached object.
//
//   informer_bench [--objects N] [--rounds R] [--page-sizes auto,500,5000,0,…]
//                  (needs KUBECONFIG and ZK_KUBECTL; the bench/informer wrapper provides them)
// Each round LISTs once per page size — `auto`: the informer's own paging (pages sized by
// their bytes), a number: every page that LIST limit, 0: unpaged — the first reported as
// zonekeeper_s. Human lines go to stderr; the last stdout line is one JSON object:
//   {"objects":…,"zonekeeper_s":…,"kubectl_s":…,"ratio":…,"bytes_per_object":…,
//    "seconds_by_page_size":{"auto":…}}
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "kube/client.h"
#include "kube/informer.h"
#include "record_crd.h"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace zk::kube;
using Clock = std::chrono::steady_clock;

namespace {

size_t resident_bytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * size_t(sysconf(_SC_PAGESIZE));
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "informer_bench: %s\n", msg.c_str());
  std::exit(1);
}

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): a tool of the tests; std::terminate says what.
int main(int argc, char** argv) {
  int objects = 10000;
  int rounds = 2;
  // LIST paging to compare ("auto": the informer's own; N: pages of N; 0: one unpaged LIST);
  // the first is the one reported as zonekeeper_s.
  std::vector<std::string> page_sizes{"auto"};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--objects" && i + 1 < argc) {
      objects = std::stoi(argv[++i]);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::stoi(argv[++i]));
    } else if (a == "--page-sizes" && i + 1 < argc) {
      page_sizes.clear();
      std::string list = argv[++i];
      for (size_t at = 0; at <= list.size();) {
        size_t comma = std::min(list.find(',', at), list.size());
        std::string size = list.substr(at, comma - at);
        if (size != "auto" && (size.empty() || size.size() > 9 ||
                               size.find_first_not_of("0123456789") != size.npos)) {
          die("--page-sizes: each is auto or a number of objects (0: unpaged)");
        }
        page_sizes.push_back(size);
        at = comma + 1;
      }
    } else {
      die("usage: informer_bench [--objects N] [--rounds R] [--page-sizes auto,N,M,...]");
    }
  }
  const char* kubectl = std::getenv("ZK_KUBECTL");
  if (std::getenv("KUBECONFIG") == nullptr || kubectl == nullptr) {
    die("KUBECONFIG and ZK_KUBECTL must be set (run through bench/informer)");
  }
  auto cfg = load_default_config();
  if (!cfg) die(cfg.error().to_string());

  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  auto sync = [&](auto awaitable) {
    return asio::co_spawn(io, std::move(awaitable), asio::use_future).get();
  };

  TransportOptions topts;
  topts.max_idle_connections = 64;
  auto client_r = Client::create(io.get_executor(), *cfg, topts);
  if (!client_r) die(client_r.error().to_string());
  std::shared_ptr<Client> client = *client_r;

  // The CRD, served.
  ApplyOptions force;
  force.force = true;
  auto crd =
      sync(client->apply(resources::kCustomResourceDefinitions, "", "arecords.dns.zonekeeper.test",
                         zk::kube::testing::arecord_crd(), force));
  if (!crd) die(crd.error().to_string());
  for (int i = 0;; ++i) {
    if (sync(client->resolve(zk::kube::testing::kARecords))) break;
    if (i > 300) die("the ARecord CRD never became served");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const Resource& records = zk::kube::testing::kARecords;

  // N objects in a fresh namespace, created concurrently (64 in flight).
  std::string ns = fmt::format("bench-informer-{}", ::getpid());
  json::object ns_obj{
      {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", ns}}}};
  if (auto r = sync(client->create(resources::kNamespaces, "", ns_obj)); !r)
    die(r.error().to_string());
  auto t_create = Clock::now();
  constexpr int kWorkers = 64;
  std::vector<std::future<int>> workers;
  workers.reserve(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    workers.push_back(asio::co_spawn(
        io,
        [&, w]() -> asio::awaitable<int> {
          int failed = 0;
          for (int i = w; i < objects; i += kWorkers) {
            json::object o = zk::kube::testing::arecord(ns, fmt::format("host-{:06}", i), i);
            auto r = co_await client->create(records, ns, o);
            if (!r) {
              if (++failed == 1)
                std::fprintf(stderr, "create failed: %s\n", r.error().to_string().c_str());
            }
          }
          co_return failed;
        },
        asio::use_future));
  }
  int failed = 0;
  for (auto& f : workers) failed += f.get();
  if (failed > 0) die(fmt::format("{} creates failed", failed));
  std::fprintf(stderr, "created %d ARecords in %.2f s\n", objects, seconds_since(t_create));

  std::vector<double> best(page_sizes.size(), 1e9);
  double best_kubectl = 1e9;
  double bytes_per_object = 0;
  std::string kubectl_cmd =
      fmt::format("'{}' get arecords.dns.zonekeeper.test -A -o json > /dev/null", kubectl);
  for (int round = 0; round < rounds; ++round) {
    // kubectl: its own process, same objects, same run.
    auto t_k = Clock::now();
    if (std::system(kubectl_cmd.c_str()) != 0) die("kubectl get failed");
    double kubectl_s = seconds_since(t_k);

    for (size_t p = 0; p < page_sizes.size(); ++p) {
      size_t rss_before = resident_bytes();
      InformerOptions o;  // all namespaces
      if (page_sizes[p] != "auto") {
        o.page_size = o.max_page_size = static_cast<uint32_t>(std::stoul(page_sizes[p]));
      }
      auto informer = std::make_unique<Informer>(client, records, o);
      auto t_zk = Clock::now();
      auto done = asio::co_spawn(io, informer->run(), asio::use_future);
      while (!informer->synced()) std::this_thread::sleep_for(std::chrono::microseconds(200));
      double zk_s = seconds_since(t_zk);
      asio::post(io, [&] { informer->stop(); });
      done.get();
      if (informer->store().size() < size_t(objects)) {
        die(fmt::format("store has {} objects, expected {}", informer->store().size(), objects));
      }
      size_t rss_after = resident_bytes();
      double per_object = double(rss_after > rss_before ? rss_after - rss_before : 0) /
                          double(informer->store().size());
      std::fprintf(stderr,
                   "round %d, pages of %s: zonekeeper %.3f s (%zu cached, %.0f B/object RSS), "
                   "kubectl %.3f s\n",
                   round + 1, page_sizes[p].c_str(), zk_s, informer->store().size(), per_object,
                   kubectl_s);
      best[p] = std::min(best[p], zk_s);
      if (round == 0 && p == 0) bytes_per_object = per_object;  // first, cold measurement
      informer.reset();
    }
    best_kubectl = std::min(best_kubectl, kubectl_s);
  }
  const double best_zk = best[0];
  std::string by_page;
  for (size_t p = 0; p < page_sizes.size(); ++p) {
    by_page += fmt::format("{}\"{}\":{:.4f}", p ? "," : "", page_sizes[p], best[p]);
  }

  // The objects stay: the control plane of bench/informer is thrown away afterwards.
  work.reset();
  io.stop();
  io_thread.join();
  std::printf(
      "{\"objects\":%d,\"zonekeeper_s\":%.4f,\"kubectl_s\":%.4f,\"ratio\":%.4f,\"bytes_per_"
      "object\":%.0f,\"seconds_by_page_size\":{%s}}\n",
      objects, best_zk, best_kubectl, best_zk / best_kubectl, bytes_per_object, by_page.c_str());
  return 0;
}
