#include "controller/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace zk::controller {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(WorkQueue, DeduplicatesWaitingKeys) {
  asio::io_context io;
  WorkQueue q(io.get_executor());
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.depth(), 2u);
  std::vector<std::string> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 2; ++i) {
          auto k = co_await q.next();
          got.push_back(*k);
          q.done(*k);
        }
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b"}));
}

TEST(WorkQueue, KeyAddedWhileProcessingRunsAgainAfterDone) {
  asio::io_context io;
  WorkQueue q(io.get_executor());
  q.add("z");
  std::vector<std::string> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto k = co_await q.next();
        got.push_back(*k);
        q.add("z");                // an event arrives while "z" is being reconciled
        EXPECT_EQ(q.depth(), 0u);  // not handed to a second worker meanwhile
        q.done(*k);
        EXPECT_EQ(q.depth(), 1u);
        auto again = co_await q.next();
        got.push_back(*again);
        q.done(*again);
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got, (std::vector<std::string>{"z", "z"}));
}

TEST(WorkQueue, SaysHowLongAKeyWaited) {
  asio::io_context io;
  WorkQueue q(io.get_executor());
  q.add("a");
  std::this_thread::sleep_for(20ms);
  std::chrono::steady_clock::duration first{}, again{};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto k = co_await q.next();
        first = q.waited(*k);
        q.add("a");  // while processing: it waits from now, through the rest of this run
        std::this_thread::sleep_for(10ms);
        q.done(*k);
        EXPECT_EQ(q.waited(*k), std::chrono::steady_clock::duration::zero());
        auto k2 = co_await q.next();
        again = q.waited(*k2);
        q.done(*k2);
      },
      asio::detached);
  io.run();
  EXPECT_GE(first, 20ms);
  EXPECT_GE(again, 10ms);
}

TEST(WorkQueue, RetryBacksOffExponentiallyWithCapAndJitter) {
  asio::io_context io;
  WorkQueue q(io.get_executor(), {.initial = 100ms, .max = 1000ms, .jitter = 0.2});
  std::vector<std::chrono::milliseconds> delays;
  delays.reserve(6);
  for (int i = 0; i < 6; ++i) delays.push_back(q.retry("k"));
  EXPECT_GE(delays[0], 80ms);
  EXPECT_LE(delays[0], 100ms);
  EXPECT_GE(delays[1], 160ms);
  EXPECT_LE(delays[1], 200ms);
  EXPECT_GE(delays[5], 800ms);  // capped at 1000 ms
  EXPECT_LE(delays[5], 1000ms);
  EXPECT_EQ(q.failures("k"), 6);
  q.forget("k");
  EXPECT_EQ(q.failures("k"), 0);
  EXPECT_EQ(q.delayed(), 1u);  // one pending delayed add for "k", the earliest
}

TEST(WorkQueue, DelayedAddArrives) {
  asio::io_context io;
  WorkQueue q(io.get_executor());
  q.add_after("later", 20ms);
  EXPECT_EQ(q.depth(), 0u);
  std::optional<std::string> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        got = co_await q.next();
        q.done(*got);
        q.shutdown();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got, "later");
}

TEST(WorkQueue, ShutdownWakesWaiters) {
  asio::io_context io;
  WorkQueue q(io.get_executor());
  int ended = 0;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto k = co_await q.next();
          EXPECT_FALSE(k.has_value());
          ++ended;
        },
        asio::detached);
  }
  asio::post(io, [&] { q.shutdown(); });
  io.run();
  EXPECT_EQ(ended, 3);
}

}  // namespace
}  // namespace zk::controller
