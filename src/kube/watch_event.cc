#include "kube/watch_event.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace zk::kube {

std::string_view to_string(WatchEventType type) {
  switch (type) {
    case WatchEventType::Added:
      return "ADDED";
    case WatchEventType::Modified:
      return "MODIFIED";
    case WatchEventType::Deleted:
      return "DELETED";
    case WatchEventType::Bookmark:
      return "BOOKMARK";
    case WatchEventType::Error:
      return "ERROR";
  }
  return "UNKNOWN";
}

Result<WatchEvent> decode_watch_event(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec) return fail(ErrorCode::Decode, fmt::format("watch event is not JSON: {}", ec.message()));
  if (!v.is_object()) return fail(ErrorCode::Decode, "watch event is not a JSON object");
  boost::json::object& o = v.get_object();
  auto type = o.find("type");
  if (type == o.end() || !type->value().is_string()) {
    return fail(ErrorCode::Decode, "watch event has no \"type\"");
  }
  WatchEvent event;
  std::string_view t = type->value().get_string();
  if (t == "ADDED") {
    event.type = WatchEventType::Added;
  } else if (t == "MODIFIED") {
    event.type = WatchEventType::Modified;
  } else if (t == "DELETED") {
    event.type = WatchEventType::Deleted;
  } else if (t == "BOOKMARK") {
    event.type = WatchEventType::Bookmark;
  } else if (t == "ERROR") {
    event.type = WatchEventType::Error;
  } else {
    std::string shown(t.substr(0, 40));
    for (char& c : shown)
      if (c < 0x20 || c > 0x7e) c = '?';
    return fail(ErrorCode::Decode, fmt::format("unknown watch event type \"{}\"", shown));
  }
  auto obj = o.find("object");
  if (obj == o.end() || !obj->value().is_object()) {
    return fail(ErrorCode::Decode, fmt::format("{} watch event has no object", t));
  }
  event.object = std::move(obj->value().get_object());
  return event;
}

void WatchEventDecoder::feed(std::string_view bytes) {
  // Compact lazily: drop consumed bytes once they dominate the buffer.
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    scan_from_ -= consumed_;
    consumed_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
}

std::optional<Result<WatchEvent>> WatchEventDecoder::next() {
  while (true) {
    const char* base = buffer_.data();
    const void* nl = scan_from_ < buffer_.size()
                         // NOLINTNEXTLINE(bugprone-not-null-terminated-result): not a string copy
                         ? std::memchr(base + scan_from_, '\n', buffer_.size() - scan_from_)
                         : nullptr;
    if (nl == nullptr) {
      scan_from_ = buffer_.size();
      if (pending_bytes() > max_line_) {
        // Too long: report once, then discard through the end of this line.
        bool first = !discarding_;
        discarding_ = true;
        consumed_ = buffer_.size();
        scan_from_ = consumed_;
        if (first) {
          return Result<WatchEvent>(
              fail(ErrorCode::Decode, fmt::format("watch event longer than {} bytes", max_line_)));
        }
      }
      return std::nullopt;
    }
    size_t end = size_t(static_cast<const char*>(nl) - base);
    std::string_view line(base + consumed_, end - consumed_);
    consumed_ = end + 1;
    scan_from_ = consumed_;
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() > max_line_) {
      return Result<WatchEvent>(
          fail(ErrorCode::Decode, fmt::format("watch event longer than {} bytes", max_line_)));
    }
    return decode_watch_event(line);
  }
}

}  // namespace zk::kube
