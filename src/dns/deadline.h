// Internal to src/dns's .cc files: runs one coroutine against a deadline (Client, ControlClient).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "dns/error.h"

namespace zk::dns::detail {

// Runs `op` against a deadline; the loser is cancelled. Timeout when the deadline wins,
// Cancelled when the caller cancels (asio::bind_cancellation_slot on co_spawn).
template <class T>
boost::asio::awaitable<Result<T>> with_deadline(boost::asio::awaitable<Result<T>> op,
                                                std::chrono::milliseconds timeout,
                                                std::string what) {
  namespace asio = boost::asio;
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  try {
    auto r = co_await (std::move(op) || timer.async_wait(asio::use_awaitable));
    if (r.index() == 0) co_return std::get<0>(std::move(r));
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) {
      co_return fail(ErrorCode::Cancelled, fmt::format("{}: cancelled", what));
    }
    co_return fail(ErrorCode::Network, fmt::format("{}: {}", what, e.what()));
  }
  co_return fail(ErrorCode::Timeout,
                 fmt::format("{}: no answer within {} ms", what, timeout.count()));
}

}  // namespace zk::dns::detail
