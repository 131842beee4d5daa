// EventRecorder's bounded flush against an API server that accepts connections and never
// answers (a listening socket nobody accepts from: the kernel completes the handshake).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include "kube/event_recorder.h"

namespace zk::kube {
namespace {

using namespace std::chrono_literals;

TEST(EventRecorderTest, FlushGivesUpAtItsDeadlineAndCountsWhatItDropped) {
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  Config cfg;
  cfg.server = fmt::format("http://127.0.0.1:{}", silent.local_endpoint().port());
  cfg.request_timeout = 60s;  // far beyond the flush deadline: no write can end before it
  auto client = Client::create(io.get_executor(), cfg, {}).value();
  EventRecorder rec(client);
  ObjectReference ref{"v1", "ConfigMap", "ns", "target", "uid-1", ""};
  for (int i = 0; i < 20; ++i) {
    rec.record(ref, EventSeverity::Warning, "ServerUnreachable", "Reconcile",
               fmt::format("attempt {}", i));
  }
  auto abandoned = asio::co_spawn(io, rec.flush(200ms), asio::use_future);
  while (abandoned.wait_for(0s) != std::future_status::ready) io.run_one();
  // The first Event is being written (its request hangs); the other 19 are dropped.
  EXPECT_EQ(abandoned.get(), 19u);
  EXPECT_EQ(rec.stats().abandoned, 19u);
  EXPECT_EQ(rec.stats().not_written(), 19u);
  EXPECT_EQ(rec.stats().created, 0u);
  // Nothing is left to write: a second flush returns at once with nothing dropped.
  auto again = asio::co_spawn(io, rec.flush(0ms), asio::use_future);
  while (again.wait_for(0s) != std::future_status::ready) io.run_one();
  EXPECT_EQ(again.get(), 0u);
}

}  // namespace
}  // namespace zk::kube
