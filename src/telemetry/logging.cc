// One spdlog formatter for both formats. Structured fields reach it through a thread_local set
// by log() around the (synchronous) spdlog call: spdlog formats on the calling thread, under
// the sink's mutex, so the formatter sees exactly the fields of the line it is formatting.
#include "telemetry/logging.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace zk::telemetry {

namespace {

thread_local const std::span<const LogField>* t_fields = nullptr;
std::atomic<bool> g_configured{false};

void append(spdlog::memory_buf_t& out, std::string_view s) {
  out.append(s.data(), s.data() + s.size());
}

// Length of the valid UTF-8 sequence starting at s[i] (Unicode Table 3-7: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when the byte there does not start one.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) -> unsigned { return i + k < s.size() ? uint8_t(s[i + k]) : 0x100; };
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    unsigned b = byte(k);
    return b >= lo && b <= hi;
  };
  unsigned c = byte(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

void append_json_string(spdlog::memory_buf_t& out, std::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence(s, i);
      if (n == 0) {
        append(out, "\\ufffd");
        ++i;
      } else {
        append(out, s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        append(out, "\\\"");
        break;
      case '\\':
        append(out, "\\\\");
        break;
      case '\n':
        append(out, "\\n");
        break;
      case '\r':
        append(out, "\\r");
        break;
      case '\t':
        append(out, "\\t");
        break;
      case '\b':
        append(out, "\\b");
        break;
      case '\f':
        append(out, "\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          fmt::format_to(fmt::appender(out), "\\u{:04x}", c);
        } else {
          out.push_back(char(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

// Text: printable as is, control characters escaped, invalid UTF-8 as U+FFFD.
void append_text(spdlog::memory_buf_t& out, std::string_view s, bool quoted) {
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence(s, i);
      append(out, n == 0 ? std::string_view("\xEF\xBF\xBD") : s.substr(i, n));
      i += n == 0 ? 1 : n;
      continue;
    }
    switch (c) {
      case '\n':
        append(out, "\\n");
        break;
      case '\r':
        append(out, "\\r");
        break;
      case '\t':
        append(out, "\\t");
        break;
      case '"':
        append(out, quoted ? "\\\"" : "\"");
        break;
      case '\\':
        append(out, quoted ? "\\\\" : "\\");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          fmt::format_to(fmt::appender(out), "\\x{:02x}", c);
        } else {
          out.push_back(char(c));
        }
    }
    ++i;
  }
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char ch : v) {
    auto c = uint8_t(ch);
    if (c <= 0x20 || c == 0x7F || ch == '"' || ch == '=' || ch == '\\') return true;
  }
  return false;
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

// 2026-11-23T19:30:00.123Z
void append_time(spdlog::memory_buf_t& out, spdlog::log_clock::time_point t) {
  auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t).time_since_epoch().count();
  auto secs = ms / 1000;
  auto milli = ms % 1000;
  if (milli < 0) {
    milli += 1000;
    secs -= 1;
  }
  std::time_t tt = std::time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  fmt::format_to(fmt::appender(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 milli);
}

bool reserved_key(std::string_view key) {
  return key == "time" || key == "level" || key == "msg" || key == "logger";
}

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    if (format_ == LogFormat::Json) {
      append(dest, "{\"time\":\"");
      append_time(dest, msg.time);
      append(dest, "\",\"level\":\"");
      append(dest, level_name(msg.level));
      append(dest, "\",\"msg\":");
      append_json_string(dest, text);
      if (!logger.empty()) {
        append(dest, ",\"logger\":");
        append_json_string(dest, logger);
      }
      if (t_fields) {
        for (const LogField& f : *t_fields) {
          dest.push_back(',');
          if (reserved_key(f.key)) {
            std::string key = "_";  // not "_" + key: g++-12 -O3 warns -Wrestrict (false)
            key.append(f.key);
            append_json_string(dest, key);
          } else {
            append_json_string(dest, f.key);
          }
          dest.push_back(':');
          append_json_string(dest, f.value);
        }
      }
      append(dest, "}\n");
      return;
    }
    append_time(dest, msg.time);
    fmt::format_to(fmt::appender(dest), " {:<5} ", level_name(msg.level));
    if (!logger.empty()) {
      append_text(dest, logger, false);
      append(dest, ": ");
    }
    append_text(dest, text, false);
    if (t_fields) {
      for (const LogField& f : *t_fields) {
        dest.push_back(' ');
        for (char ch : f.key) {  // keys are identifiers; keep the line parseable
          auto c = uint8_t(ch);
          dest.push_back(c <= 0x20 || c >= 0x7F || ch == '=' || ch == '"' ? '_' : ch);
        }
        dest.push_back('=');
        bool quote = needs_quotes(f.value);
        if (quote) dest.push_back('"');
        append_text(dest, f.value, quote);
        if (quote) dest.push_back('"');
      }
    }
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  LogFormat format_;
};

class FieldsScope {
 public:
  explicit FieldsScope(const std::span<const LogField>& fields) : previous_(t_fields) {
    t_fields = &fields;
  }
  ~FieldsScope() { t_fields = previous_; }
  FieldsScope(const FieldsScope&) = delete;
  FieldsScope& operator=(const FieldsScope&) = delete;

 private:
  const std::span<const LogField>* previous_;
};

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "json") return LogFormat::Json;
  if (text == "text") return LogFormat::Text;
  return std::nullopt;
}

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
  return std::make_unique<LineFormatter>(format);
}

void configure_logging(LogFormat format, spdlog::level::level_enum level) {
  configure_logging(format, level, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

void configure_logging(LogFormat format, spdlog::level::level_enum level, spdlog::sink_ptr sink) {
  sink->set_formatter(make_log_formatter(format));
  auto logger = std::make_shared<spdlog::logger>("", std::move(sink));
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
  g_configured = true;
}

void log(spdlog::level::level_enum level, std::initializer_list<LogField> fields,
         std::string_view message) {
  log(level, std::span<const LogField>(fields.begin(), fields.size()), message);
}

void log(spdlog::level::level_enum level, std::span<const LogField> fields,
         std::string_view message) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  if (!g_configured) {
    std::string line(message);
    for (const LogField& f : fields)
      fmt::format_to(std::back_inserter(line), " {}={}", f.key, f.value);
    logger->log(level, spdlog::string_view_t(line.data(), line.size()));
    return;
  }
  FieldsScope scope(fields);
  logger->log(level, spdlog::string_view_t(message.data(), message.size()));
}

}  // namespace zk::telemetry
