// The web UI (/ui, embedded: no CDN) and the ops API behind it, the same in both modes:
//   GET  /api/v1/status /api/v1/zones /api/v1/records /api/v1/test-dns /api/v1/export
//        /api/v1/events (Server-Sent Events)                          read permission
//   POST /api/v1/resync {"zone": "ns/name"} (or {} for all)             update on DNSZones
//   POST /api/v1/records <a record object>                              create on its kind
//   DELETE /api/v1/records?kind=&namespace=&name=                       delete on its kind
// Every request but the page's own files is checked by the Gate with the caller's Authorization
// header (access_review.h); reads skip it with anonymous_read. Record objects are created and
// deleted as the caller (their token), so the API server decides and audits it as them; local
// mode has no API server and answers 501 there. JSON errors are {"error": "..."}; the token is
// never logged or echoed. No cookies are used (the token travels in a header the page sets), so a
// cross-site request cannot act with the user's rights.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "app/access_review.h"
#include "controller/controller.h"
#include "server/http_server.h"
#include "telemetry/log_feed.h"

namespace zk::app {

// May the caller (its Authorization header) do this? Cluster mode asks the API server.
using Gate = std::function<boost::asio::awaitable<Verdict>(std::string authorization, Permission)>;

// A record object created (method POST, `object` set) or deleted (DELETE) as the caller.
struct RecordWrite {
  std::string method;
  std::string plural, ns, name;
  boost::json::object object;
};
// status: 200/201 done, else the API server's status with `message`.
struct RecordWriteResult {
  unsigned status = 200;
  std::string message;
};
using RecordWriter =
    std::function<boost::asio::awaitable<RecordWriteResult>(std::string token, RecordWrite)>;

struct UiOptions {
  bool anonymous_read = false;
  Gate gate;
  RecordWriter write_record;  // unset: 501 (local mode)
  std::function<std::string()> status_document;
  std::shared_ptr<telemetry::LogFeed> feed;
};

class EventStreams;

// Registers every route above on `http`; keep the returned object as long as `http` serves.
class UiRoutes {
 public:
  UiRoutes(server::HttpServer& http, controller::Controller& controller, UiOptions options);
  ~UiRoutes();
  UiRoutes(const UiRoutes&) = delete;
  UiRoutes& operator=(const UiRoutes&) = delete;

 private:
  std::unique_ptr<EventStreams> streams_;
};

// Reads the POST /api/v1/records body: a record object of ours with metadata.name and
// .namespace. Unexpected: why not (for the 400).
tl::expected<RecordWrite, std::string> record_create_request(const std::string& body);

}  // namespace zk::app
