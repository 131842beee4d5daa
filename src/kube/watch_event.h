// Decoding of the watch stream: newline-delimited JSON, one {"type":..,"object":{..}} per line.
//
//   WatchEventDecoder d;
//   d.feed(bytes_from_network);
//   while (auto ev = d.next()) {              // std::optional<Result<WatchEvent>>
//     if (!*ev) { log(ev->error()); continue; }   // a malformed line is skipped, not fatal
//     handle((*ev)->type, (*ev)->object);
//   }
//   if (d.pending_bytes()) { /* stream ended mid-event: truncated */ }
//
// Pure: no I/O. This is the target of fuzz/kube_watch_event_fuzz.cc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "kube/error.h"

namespace zk::kube {

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };
std::string_view to_string(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  boost::json::object object;  // the object, or for Error a metav1.Status
};

// Decodes one line. Decode error on invalid JSON, an unknown type or a missing object.
Result<WatchEvent> decode_watch_event(std::string_view line);

class WatchEventDecoder {
 public:
  static constexpr size_t kDefaultMaxLine = 64u << 20;
  explicit WatchEventDecoder(size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

  void feed(std::string_view bytes);
  // nullopt: no complete line buffered. A line longer than max_line yields a Decode error and
  // is discarded up to its end.
  std::optional<Result<WatchEvent>> next();
  size_t pending_bytes() const { return buffer_.size() - consumed_; }

 private:
  std::string buffer_;
  size_t consumed_ = 0;
  size_t scan_from_ = 0;
  size_t max_line_;
  bool discarding_ = false;
};

}  // namespace zk::kube
