// LogFeed: the last lines of the log, kept for the UI's live event stream (/api/v1/events): an
// spdlog sink holding each line as the JSON object --log-format json writes, numbered from 1.
//
//   auto feed = std::make_shared<zk::telemetry::LogFeed>(2000);
//   zk::telemetry::attach_log_feed(feed);   // after configure_logging()
//   feed->on_append([&] { /* from the logging thread: wake the streams */ });
//   for (auto& line : feed->since(last_seen, 500)) send(line.seq, line.json);
//
// attach_log_feed() adds the feed to the default logger at debug level: the stream carries the
// per-change lines ("+ www.example.test. 300 IN A 192.0.2.1") whatever --log-level says, while
// the other sinks keep the level they had. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>

namespace zk::telemetry {

class LogFeed final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LogFeed(size_t capacity = 2000);

  struct Line {
    uint64_t seq = 0;  // 1, 2, ...: a line's number never changes
    std::string json;  // one JSON object, no newline
  };
  // The lines numbered above `after`, oldest first; at most the newest `most` of them.
  std::vector<Line> since(uint64_t after, size_t most) const;
  uint64_t last_seq() const;
  // Called after every line, on the logging thread, with the feed's lock held: keep it short
  // (e.g. post to an executor) and do not log from it.
  void on_append(std::function<void()> f);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  const size_t capacity_;
  mutable std::mutex lines_mutex_;  // lines_, last_, on_append_ (base_sink's is for the sink)
  std::deque<Line> lines_;
  uint64_t last_ = 0;
  std::function<void()> on_append_;
};

// Adds `feed` to spdlog's default logger (see above).
void attach_log_feed(std::shared_ptr<LogFeed> feed);

}  // namespace zk::telemetry
