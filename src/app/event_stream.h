// GET /api/v1/events: the log's lines as Server-Sent Events (text/event-stream), live. Each event
// is `id: <line number>` and `data: <the JSON object of the log line>`; on connecting, the last
// `backlog` lines (default 200, at most 1000) come first, or those after Last-Event-ID when a
// client reconnects. A comment line every 15 s keeps proxies from closing an idle stream.
//
//   app::EventStreams streams(ex, feed);   // lives as long as the HTTP server's executor
//   http.route_async("/api/v1/events", streams.handler());
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "server/http_server.h"
#include "telemetry/log_feed.h"

namespace zk::app {

// Where a stream starts: after Last-Event-ID (when it is a number not above the feed's last), else
// `backlog` lines back. Unexpected: a bad backlog parameter (for the 400).
std::optional<uint64_t> event_stream_start(const server::Request& r, uint64_t last_seq,
                                           std::string* error);

class EventStreams {
 public:
  EventStreams(boost::asio::any_io_executor ex, std::shared_ptr<telemetry::LogFeed> feed);
  ~EventStreams();  // stops waking streams (the feed outlives us: it is the logger's)
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  // The stream itself; the caller checks access first.
  server::Response open(const server::Request& r);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace zk::app
