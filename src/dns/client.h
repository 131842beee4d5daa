// The DNS engine's client for one authoritative server: UPDATE, AXFR, IXFR, SOA and NOTIFY,
// TSIG-signed and verified, each with a timeout, cancellable, over Asio C++20 coroutines.
//
//   asio::io_context io;
//   dns::Client client(io.get_executor(), {"127.0.0.1", 5353}, {.key = key});
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//     auto report = co_await client.apply(changeset);      // Result<UpdateReport>
//     auto zone   = co_await client.axfr(zone_name);        // Result<ZoneSnapshot>
//   }, asio::detached);
//   io.run();
//
// UPDATE batches share one TCP connection (kept in a small idle pool and reused by later
// calls); a Change never spans two messages. Transfers use a connection of their own.
// Cancel an operation with asio::bind_cancellation_slot on co_spawn; it then fails with
// ErrorCode::Cancelled.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "dns/error.h"
#include "dns/tsig.h"
#include "model/changeset.h"
#include "model/rrset.h"

namespace zk::dns {

namespace asio = boost::asio;

struct ServerAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 53;
  std::string to_string() const;
  // "127.0.0.1:5353", "[::1]:5353", "localhost" (port 53).
  static tl::expected<ServerAddress, std::string> parse(std::string_view text);
};

struct ClientOptions {
  std::optional<TsigKey> key;
  std::chrono::milliseconds timeout{5000};  // per operation (a whole transfer, a whole batch)
  size_t max_records_per_message = 0;       // 0: fill each UPDATE up to 64 KiB
};

struct UpdateReport {
  size_t messages = 0;
  size_t changes = 0;
  size_t records = 0;
};

// A zone as a transfer delivered it (SOA included).
struct ZoneSnapshot {
  model::Name zone;
  uint32_t serial = 0;
  model::RRsetMap rrsets;
  size_t messages = 0;
  size_t records = 0;
};

struct ZoneRecord {
  model::Name owner;
  model::RRType type;
  uint32_t ttl = 0;
  model::Rdata rdata;
};

struct IxfrDiff {
  uint32_t from_serial = 0, to_serial = 0;
  std::vector<ZoneRecord> deleted, added;
};

struct IxfrResult {
  uint32_t serial = 0;               // the server's current serial
  bool up_to_date = false;           // the server had nothing newer
  std::optional<ZoneSnapshot> full;  // the server answered in AXFR form
  std::vector<IxfrDiff> diffs;       // otherwise: the incremental differences, in order
};

// What a server answered to one query (NOERROR or NXDOMAIN; other RCODEs are errors).
struct QueryAnswer {
  std::string rcode;                // "NOERROR" | "NXDOMAIN"
  bool authoritative = false;       // AA
  std::vector<ZoneRecord> records;  // the answer section's records of the asked name and type
};

// Applies an IXFR result to a zone copy (replaces it when the answer was a full transfer).
void apply_ixfr(model::RRsetMap& zone, const IxfrResult& result);

class Client {
 public:
  Client(asio::any_io_executor executor, ServerAddress server, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ServerAddress& server() const;

  // Applies every change; stops at the first message the server rejects (the error says
  // how many changes were already acknowledged).
  asio::awaitable<Result<UpdateReport>> apply(const model::ChangeSet& changes);
  asio::awaitable<Result<ZoneSnapshot>> axfr(const model::Name& zone);
  asio::awaitable<Result<IxfrResult>> ixfr(const model::Name& zone, uint32_t since_serial);
  asio::awaitable<Result<uint32_t>> soa_serial(const model::Name& zone);
  // One query (TSIG-signed when the client has a key), as a resolver's test would ask it.
  asio::awaitable<Result<QueryAnswer>> query(const model::Name& name, model::RRType type);
  asio::awaitable<Result<void>> notify(const model::Name& zone,
                                       std::optional<uint32_t> serial = std::nullopt);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs one coroutine to completion on a private io_context (CLI, tests, benches):
//   auto r = run_blocking([&](asio::any_io_executor ex) -> asio::awaitable<Result<X>> {...});
template <class F>
auto run_blocking(F&& op) {
  asio::io_context io;
  auto fut = asio::co_spawn(io, op(io.get_executor()), asio::use_future);
  io.run();
  return fut.get();
}

}  // namespace zk::dns
