// Log lines: JSON lines (default) or readable text, to stderr, through spdlog's default logger.
//
//   zk::telemetry::configure_logging(zk::telemetry::LogFormat::Json, spdlog::level::info);
//   zk::telemetry::log(spdlog::level::info, {{"zone", "example.test."}, {"object",
//   "ARecord/ns/www"}},
//                "applied 3 changes");
//   spdlog::warn("kube: {} retries", n);   // plain spdlog calls come out in the same format
//
// Json: one JSON object per line,
//   {"time":"2026-11-23T19:30:00.123Z","level":"info","msg":"applied 3 changes",
//    "zone":"example.test.","object":"ARecord/ns/www"}
// time is UTC with milliseconds; level is trace|debug|info|warn|error|critical; fields are
// top-level keys after msg (a field named time, level, msg or logger is written as _time, ...).
// Strings are escaped (control characters as \n, \u0001, ...; invalid UTF-8 as \ufffd).
// Text: 2026-11-23T19:30:00.123Z info  applied 3 changes zone=example.test. object=ARecord/ns/www
// (control characters escaped so a record stays one line; values with spaces, quotes or = are
// quoted).
//
// Thread-safe: the sink serialises lines; fields travel with the calling thread.
// configure_logging() itself is meant to be called once at startup, before other threads log.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <spdlog/common.h>
#include <spdlog/formatter.h>

namespace zk::telemetry {

enum class LogFormat { Json, Text };

// "json" or "text" (the --log-format flag); nullopt otherwise.
std::optional<LogFormat> parse_log_format(std::string_view text);

// Installs spdlog's default logger: stderr, `format`, lines below `level` dropped.
void configure_logging(LogFormat format, spdlog::level::level_enum level);
// The same, writing to `sink` (tests; another destination).
void configure_logging(LogFormat format, spdlog::level::level_enum level, spdlog::sink_ptr sink);

// The formatter configure_logging() gives its sink, for loggers built elsewhere.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

struct LogField {
  std::string_view key;
  std::string value;
};

// One line through the default logger with structured fields. `message` is taken literally
// (no fmt braces). Before configure_logging(), the fields are appended to the message as
// key=value.
void log(spdlog::level::level_enum level, std::initializer_list<LogField> fields,
         std::string_view message);
void log(spdlog::level::level_enum level, std::span<const LogField> fields,
         std::string_view message);

}  // namespace zk::telemetry
