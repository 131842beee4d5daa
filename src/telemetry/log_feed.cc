#include "telemetry/log_feed.h"

#include <algorithm>

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include "telemetry/logging.h"

namespace zk::telemetry {

LogFeed::LogFeed(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {
  set_formatter(make_log_formatter(LogFormat::Json));
}

void LogFeed::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t buf;
  formatter_->format(msg, buf);
  std::string json(buf.data(), buf.size());
  while (!json.empty() && (json.back() == '\n' || json.back() == '\r')) json.pop_back();
  std::lock_guard lock(lines_mutex_);
  lines_.push_back({++last_, std::move(json)});
  if (lines_.size() > capacity_) lines_.pop_front();
  if (on_append_) on_append_();
}

std::vector<LogFeed::Line> LogFeed::since(uint64_t after, size_t most) const {
  std::lock_guard lock(lines_mutex_);
  std::vector<Line> out;
  // Numbers are consecutive: the first line above `after` is at a known offset.
  size_t first = 0;
  if (!lines_.empty() && after >= lines_.front().seq) {
    first = std::min<size_t>(lines_.size(), after - lines_.front().seq + 1);
  }
  size_t n = lines_.size() - first;
  if (n > most) first += n - most;
  out.assign(lines_.begin() + std::ptrdiff_t(first), lines_.end());
  return out;
}

uint64_t LogFeed::last_seq() const {
  std::lock_guard lock(lines_mutex_);
  return last_;
}

void LogFeed::on_append(std::function<void()> f) {
  std::lock_guard lock(lines_mutex_);
  on_append_ = std::move(f);
}

void attach_log_feed(std::shared_ptr<LogFeed> feed) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  spdlog::level::level_enum was = logger->level();
  for (auto& sink : logger->sinks()) {
    if (sink->level() < was) sink->set_level(was);  // the others keep what they showed
  }
  feed->set_level(spdlog::level::debug);
  logger->sinks().push_back(std::move(feed));
  if (was > spdlog::level::debug) logger->set_level(spdlog::level::debug);
}

}  // namespace zk::telemetry
