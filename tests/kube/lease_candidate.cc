// A leader-election candidate process for the kube integration tests:
//   kube_lease_candidate KUBECONFIG NAMESPACE LEASE IDENTITY LEASE_MS RENEW_MS RETRY_MS
// Prints "LEADING <identity>" / "STOPPED <identity>" lines on stdout (flushed) and runs until
// killed, or until SIGTERM (clean shutdown: releases the lease).
#include <csignal>
#include <cstdio>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "kube/client.h"
#include "kube/leader_election.h"

// NOLINTNEXTLINE(bugprone-exception-escape): a tool of the tests; std::terminate says what.
int main(int argc, char** argv) {
  using namespace zk::kube;
  namespace asio = boost::asio;
  if (argc != 8) {
    std::fprintf(stderr,
                 "usage: %s KUBECONFIG NAMESPACE LEASE IDENTITY LEASE_MS RENEW_MS RETRY_MS\n",
                 argv[0]);
    return 2;
  }
  auto cfg = load_kubeconfig(argv[1]);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", cfg.error().to_string().c_str());
    return 1;
  }
  asio::io_context io;
  auto client = Client::create(io.get_executor(), *cfg);
  if (!client) {
    std::fprintf(stderr, "%s\n", client.error().to_string().c_str());
    return 1;
  }
  LeaderElectionConfig lc;
  lc.lease_namespace = argv[2];
  lc.lease_name = argv[3];
  lc.identity = argv[4];
  lc.lease_duration = std::chrono::milliseconds(std::stoi(argv[5]));
  lc.renew_deadline = std::chrono::milliseconds(std::stoi(argv[6]));
  lc.retry_period = std::chrono::milliseconds(std::stoi(argv[7]));
  LeaderElector elector(*client, lc);
  std::string id = lc.identity;
  elector.on_started_leading([&] {
    std::printf("LEADING %s\n", id.c_str());
    std::fflush(stdout);
  });
  elector.on_stopped_leading([&] {
    std::printf("STOPPED %s\n", id.c_str());
    std::fflush(stdout);
  });
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) { elector.stop(); });
  int rc = 0;
  asio::co_spawn(io, elector.run(), [&](std::exception_ptr, Result<void> r) {
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
      rc = 1;
    }
    signals.cancel();
  });
  io.run();
  return rc;
}
