#include "dns/control_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <random>

#include <fmt/format.h>

#include "dns/deadline.h"

namespace zk::dns {

using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

uint32_t now_seconds() {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// named drops a message whose (_ser, _tim) it saw in the last 15 minutes (isccc_cc_checkdup,
// closing the connection), from any client: rndc starts at a random serial, and so do we,
// once per process, so no two of our messages ever share one.
uint32_t next_serial() {
  static std::atomic<uint32_t> serial{std::random_device{}()};
  return serial.fetch_add(1) + 1;
}

// The words of a command line that errors name: up to three, none from a `{ ... }` block
// ("addzone example.test." of "addzone example.test. { type primary; ... };").
std::string command_words(std::string_view text) {
  std::string out;
  size_t p = 0;
  for (int words = 0; words < 3; ++words) {
    p = text.find_first_not_of(' ', p);
    if (p == std::string_view::npos || text[p] == '{') break;
    const size_t end = std::min(text.find(' ', p), text.size());
    if (!out.empty()) out += ' ';
    out.append(text.substr(p, end - p));
    p = end;
  }
  return out;
}

}  // namespace

struct ControlClient::Impl {
  asio::any_io_executor ex;
  ServerAddress server;
  ControlKey key;
  ControlClientOptions opts;

  Error network_error(const error_code& ec, std::string_view what) const {
    if (ec == asio::error::operation_aborted) {
      return Error{ErrorCode::Cancelled, fmt::format("{}: cancelled", what)};
    }
    return Error{ErrorCode::Network, fmt::format("{}: {}", what, ec.message())};
  }

  asio::awaitable<Result<tcp::socket>> connect(std::string_view what) {
    std::vector<tcp::endpoint> eps;
    error_code ec;
    auto addr = asio::ip::make_address(server.host, ec);
    if (!ec) {
      eps.emplace_back(addr, server.port);
    } else {
      tcp::resolver resolver(ex);
      auto [rec, results] =
          co_await resolver.async_resolve(server.host, std::to_string(server.port), use_tuple);
      if (rec == asio::error::operation_aborted) co_return tl::unexpected(network_error(rec, what));
      if (rec) {
        co_return fail(ErrorCode::ControlUnreachable,
                       fmt::format("{}: cannot resolve {}: {}", what, server.host, rec.message()));
      }
      for (const auto& r : results) eps.push_back(r.endpoint());
    }
    tcp::socket s(ex);
    auto [cec, ep] = co_await asio::async_connect(s, eps, use_tuple);
    if (cec == asio::error::operation_aborted) co_return tl::unexpected(network_error(cec, what));
    if (cec) {
      co_return fail(ErrorCode::ControlUnreachable,
                     fmt::format("{}: cannot connect: {}", what, cec.message()));
    }
    s.set_option(tcp::no_delay(true), ec);
    co_return std::move(s);
  }

  // named closing the connection, seen while writing or reading.
  static bool closed(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe;
  }

  // Sends one request and reads its answer. `first`: the connection's first message, whose
  // rejection means named did not accept our key.
  asio::awaitable<Result<ControlResponse>> round_trip(tcp::socket& s, const ControlRequest& request,
                                                      bool first, std::string_view what) {
    auto frame = encode_control_request(request, key);
    if (!frame) {
      frame.error().message = fmt::format("{}: {}", what, frame.error().message);
      co_return tl::unexpected(frame.error());
    }
    auto [wec, written] = co_await asio::async_write(s, asio::buffer(*frame), use_tuple);
    if (wec && !closed(wec)) co_return tl::unexpected(network_error(wec, what));

    std::array<uint8_t, 4> length{};
    error_code rec = wec;
    if (!rec) {
      auto [ec, got] = co_await asio::async_read(s, asio::buffer(length), use_tuple);
      rec = ec;
    }
    if (closed(rec)) {
      if (first) {
        co_return fail(
            ErrorCode::ControlAuthFailed,
            fmt::format("{}: named closed the control connection without answering: a wrong key "
                        "or algorithm (ours: \"{}\", {}), an address outside the `controls` "
                        "allow list, or clocks more than 300 s apart",
                        what, key.name, to_string(key.algorithm)));
      }
      co_return fail(ErrorCode::Network,
                     fmt::format("{}: named closed the control connection without answering the "
                                 "command",
                                 what));
    }
    if (rec) co_return tl::unexpected(network_error(rec, what));
    const size_t size = static_cast<size_t>(length[0]) << 24 |
                        static_cast<size_t>(length[1]) << 16 | static_cast<size_t>(length[2]) << 8 |
                        length[3];
    if (size == 0 || size > kControlMaxAnswer) {
      co_return fail(
          ErrorCode::MalformedResponse,
          fmt::format("{}: an answer of {} octets (at most {})", what, size, kControlMaxAnswer));
    }
    std::vector<uint8_t> message(size);
    auto [mec, n] = co_await asio::async_read(s, asio::buffer(message), use_tuple);
    if (mec == asio::error::eof) {
      co_return fail(ErrorCode::MalformedResponse,
                     fmt::format("{}: the answer ended after {} of {} octets", what, n, size));
    }
    if (mec) co_return tl::unexpected(network_error(mec, what));

    auto response = parse_control_response(message, key);
    if (!response) {
      response.error().message = fmt::format("{}: {}", what, response.error().message);
      co_return tl::unexpected(response.error());
    }
    if (response->serial != request.serial) {
      co_return fail(ErrorCode::MalformedResponse,
                     fmt::format("{}: the answer is for message {}, not ours ({})", what,
                                 response->serial, request.serial));
    }
    co_return std::move(*response);
  }

  asio::awaitable<Result<ControlAnswer>> exchange(std::string command, std::string what) {
    auto s = co_await connect(what);
    if (!s) co_return tl::unexpected(s.error());

    ControlRequest hello;
    hello.serial = next_serial();
    hello.now = now_seconds();
    hello.command = "null";
    auto greeting = co_await round_trip(*s, hello, /*first=*/true, what);
    if (!greeting) co_return tl::unexpected(greeting.error());

    ControlRequest request;
    request.serial = next_serial();
    request.now = now_seconds();
    request.nonce = greeting->nonce;
    request.command = std::move(command);
    auto response = co_await round_trip(*s, request, /*first=*/false, what);
    if (!response) co_return tl::unexpected(response.error());

    const ControlAnswer& answer = response->answer;
    if (!answer.ok()) {
      Error e;
      e.code = ErrorCode::ControlCommandFailed;
      e.control_result = answer.result;
      const std::string& err =
          answer.err.empty() ? fmt::format("result {}", answer.result) : answer.err;
      e.message = answer.text.empty() ? fmt::format("{}: {}", what, err)
                                      : fmt::format("{}: {}: {}", what, err, answer.text);
      co_return tl::unexpected(std::move(e));
    }
    co_return std::move(response->answer);
  }

  asio::awaitable<Result<ControlAnswer>> run(std::string command) {
    std::string what = fmt::format("{} at {}", command_words(command), server.to_string());
    auto op = exchange(std::move(command), what);
    co_return co_await detail::with_deadline(std::move(op), opts.timeout, std::move(what));
  }
};

ControlClient::ControlClient(asio::any_io_executor executor, ServerAddress server, ControlKey key,
                             ControlClientOptions options)
    : impl_(std::make_unique<Impl>(
          Impl{std::move(executor), std::move(server), std::move(key), options})) {}

ControlClient::~ControlClient() = default;

const ServerAddress& ControlClient::server() const {
  return impl_->server;
}

// Not coroutines themselves: each builds its command text now, so nothing the caller passed
// needs to outlive the call.
asio::awaitable<Result<ControlAnswer>> ControlClient::command(std::string_view text) {
  return impl_->run(std::string(text));
}

asio::awaitable<Result<ControlAnswer>> ControlClient::addzone(const model::Name& zone,
                                                              std::string_view config) {
  return impl_->run(fmt::format("addzone {} {}", zone.to_string(), config));
}

asio::awaitable<Result<ControlAnswer>> ControlClient::delzone(const model::Name& zone, bool clean) {
  return impl_->run(fmt::format("delzone {}{}", clean ? "-clean " : "", zone.to_string()));
}

asio::awaitable<Result<ControlAnswer>> ControlClient::zonestatus(const model::Name& zone) {
  return impl_->run(fmt::format("zonestatus {}", zone.to_string()));
}

asio::awaitable<Result<ControlAnswer>> ControlClient::status() {
  return impl_->run("status");
}

}  // namespace zk::dns
