#include "kube/microtime.h"

#include <ctime>

#include <fmt/format.h>

namespace zk::kube {

namespace {

std::tm utc(std::time_t secs) {
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::tm utc(std::chrono::system_clock::time_point t) {
  return utc(std::chrono::system_clock::to_time_t(t));
}

}  // namespace

std::string format_micro_time(std::chrono::system_clock::time_point t) {
  std::tm tm = utc(t);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  if (micros < 0) micros += 1000000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

std::string format_time(std::chrono::system_clock::time_point t) {
  return format_time(std::chrono::system_clock::to_time_t(t));
}

std::string format_time(std::time_t seconds) {
  std::tm tm = utc(seconds);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace zk::kube
