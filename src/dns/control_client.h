// A client for BIND 9's control channel — what `rndc` speaks to named's `controls` (port 953)
// — over Asio C++20 coroutines, for servers zonekeeper manages (its image has no rndc).
//
//   asio::io_context io;
//   auto key = dns::ControlKey::load_bind_key_file("/etc/bind/rndc.key");
//   dns::ControlClient rndc(io.get_executor(), {"127.0.0.1", dns::kControlPort}, *key);
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//     auto added = co_await rndc.addzone(zone, R"({ type primary; file "example.test.db"; };)");
//     if (!added) log(added.error().to_string());  // "ControlCommandFailed: ... already exists"
//   }, asio::detached);
//   io.run();
//
// Every call is one TCP connection, as rndc makes it: a `null` message for named's nonce, then
// the command carrying the nonce; both answers are verified with the key (control_message.h).
// Each call runs against the timeout and fails with a typed Error:
//   ControlUnreachable    no connection (refused, unreachable, the name does not resolve)
//   ControlAuthFailed     named closed the connection at the first message — what it does on a
//                         wrong key or algorithm (it logs "invalid command from …: bad auth"),
//                         an address outside `allow`, clocks more than 300 s apart — or an
//                         answer is unsigned or does not verify
//   ControlCommandFailed  named ran the command and it failed; the message keeps named's words
//                         ("already exists", "file not found", …), control_result its number
//   Timeout, Cancelled (asio::bind_cancellation_slot on co_spawn), Network, MalformedResponse.
// The secret never appears in an error.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "dns/client.h"
#include "dns/control_message.h"
#include "dns/error.h"
#include "model/name.h"

namespace zk::dns {

namespace asio = boost::asio;

inline constexpr uint16_t kControlPort = 953;

struct ControlClientOptions {
  std::chrono::milliseconds timeout{5000};  // per call: connect, both messages, both answers
};

class ControlClient {
 public:
  ControlClient(asio::any_io_executor executor, ServerAddress server, ControlKey key,
                ControlClientOptions options = {});
  ~ControlClient();
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;

  const ServerAddress& server() const;

  // One command line as rndc sends it ("status", "reload example.test"). The text is copied
  // before the call returns. A non-zero result is a ControlCommandFailed error.
  asio::awaitable<Result<ControlAnswer>> command(std::string_view text);

  // `addzone ZONE CONFIG`, CONFIG as rndc takes it: `{ type primary; file "zone.db"; };`.
  asio::awaitable<Result<ControlAnswer>> addzone(const model::Name& zone, std::string_view config);
  // `delzone [-clean] ZONE`; clean also removes the zone's file and journal.
  asio::awaitable<Result<ControlAnswer>> delzone(const model::Name& zone, bool clean);
  // `zonestatus ZONE`: the answer's text is named's report ("name: …", "serial: …", …).
  asio::awaitable<Result<ControlAnswer>> zonestatus(const model::Name& zone);
  // `status`: "version: …", "server is up and running".
  asio::awaitable<Result<ControlAnswer>> status();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zk::dns
