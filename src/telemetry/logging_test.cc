#include "telemetry/logging.h"

#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

namespace zk::telemetry {
namespace {

namespace json = boost::json;
using ::testing::MatchesRegex;

class LoggingTest : public ::testing::Test {
 protected:
  void use(LogFormat format, spdlog::level::level_enum level = spdlog::level::trace) {
    out_.str("");
    configure_logging(format, level, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }

  // Every line must be exactly one JSON object.
  std::vector<json::object> objects() const {
    std::vector<json::object> result;
    for (const std::string& line : lines()) {
      boost::system::error_code ec;
      json::value v = json::parse(line, ec);
      EXPECT_FALSE(ec) << ec.message() << ": " << line;
      EXPECT_TRUE(v.is_object()) << line;
      if (!ec && v.is_object()) result.push_back(v.as_object());
    }
    return result;
  }

  static std::string str(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_string()) return "<missing>";
    return std::string(v->as_string());
  }

  std::ostringstream out_;
};

const char* const kTimePattern =
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z";

TEST(LogFormat, Parses) {
  EXPECT_EQ(parse_log_format("json"), LogFormat::Json);
  EXPECT_EQ(parse_log_format("text"), LogFormat::Text);
  EXPECT_EQ(parse_log_format("JSON"), std::nullopt);
  EXPECT_EQ(parse_log_format(""), std::nullopt);
}

TEST_F(LoggingTest, JsonLineWithFields) {
  use(LogFormat::Json);
  log(spdlog::level::info, {{"zone", "example.test."}, {"object", "ARecord/ns/www"}},
      "applied 3 changes");
  auto objs = objects();
  ASSERT_EQ(objs.size(), 1u);
  const json::object& o = objs[0];
  EXPECT_THAT(str(o, "time"), MatchesRegex(kTimePattern));
  EXPECT_EQ(str(o, "level"), "info");
  EXPECT_EQ(str(o, "msg"), "applied 3 changes");
  EXPECT_EQ(str(o, "zone"), "example.test.");
  EXPECT_EQ(str(o, "object"), "ARecord/ns/www");
  EXPECT_EQ(o.size(), 5u);
  // Key order: time, level, msg, then the fields as given.
  EXPECT_THAT(lines()[0],
              MatchesRegex("\\{\"time\":\"[^\"]+\",\"level\":\"info\",\"msg\":\"applied "
                           "3 changes\",\"zone\":\"example.test.\",\"object\":"
                           "\"ARecord/ns/www\"\\}"));
}

TEST_F(LoggingTest, JsonEscapesQuotesControlCharactersAndInvalidUtf8) {
  use(LogFormat::Json);
  std::string nasty = "a\"b\\c\nd\re\tf\x01g\x1f h\x7f";
  std::string utf8 = "ü € 😀";
  std::string invalid = "x\xffy\xc3(z\xed\xa0\x80w\xf0\x9f\x98";  // bad byte, truncated, surrogate
  log(spdlog::level::warn, {{"nasty", nasty}, {"utf8", utf8}, {"invalid", invalid}, {"k\"ey", "v"}},
      nasty + invalid);
  auto objs = objects();
  ASSERT_EQ(objs.size(), 1u);
  const json::object& o = objs[0];
  EXPECT_EQ(str(o, "level"), "warn");
  EXPECT_EQ(str(o, "nasty"), nasty);
  EXPECT_EQ(str(o, "utf8"), utf8);
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(str(o, "invalid"), "x" + r + "y" + r + "(z" + r + r + r + "w" + r + r + r);
  EXPECT_EQ(str(o, "msg"), nasty + str(o, "invalid"));
  EXPECT_EQ(str(o, "k\"ey"), "v");
  // The line itself is ASCII-safe for control characters: no raw ones inside.
  const std::string line = lines()[0];
  for (char c : line) EXPECT_FALSE(uint8_t(c) < 0x20) << int(c);
}

TEST_F(LoggingTest, PlainSpdlogCallsAreJsonToo) {
  use(LogFormat::Json);
  spdlog::info("kube: watch {} restarted after {} ms", "dnszones", 250);
  spdlog::error("quote \" and {}", "brace {}");
  spdlog::debug("multi\nline");
  auto objs = objects();
  ASSERT_EQ(objs.size(), 3u);
  EXPECT_EQ(str(objs[0], "msg"), "kube: watch dnszones restarted after 250 ms");
  EXPECT_EQ(str(objs[0], "level"), "info");
  EXPECT_EQ(objs[0].size(), 3u);
  EXPECT_EQ(str(objs[1], "msg"), "quote \" and brace {}");
  EXPECT_EQ(str(objs[1], "level"), "error");
  EXPECT_EQ(str(objs[2], "msg"), "multi\nline");
  EXPECT_EQ(str(objs[2], "level"), "debug");
}

TEST_F(LoggingTest, MessageIsLiteralAndReservedKeysAreRenamed) {
  use(LogFormat::Json);
  log(spdlog::level::info, {{"msg", "field"}, {"level", "x"}}, "100% {} literal");
  auto objs = objects();
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(str(objs[0], "msg"), "100% {} literal");
  EXPECT_EQ(str(objs[0], "level"), "info");
  EXPECT_EQ(str(objs[0], "_msg"), "field");
  EXPECT_EQ(str(objs[0], "_level"), "x");
}

TEST_F(LoggingTest, LevelFilters) {
  use(LogFormat::Json, spdlog::level::info);
  spdlog::debug("hidden");
  log(spdlog::level::debug, {{"a", "b"}}, "hidden too");
  log(spdlog::level::critical, {}, "shown");
  auto objs = objects();
  ASSERT_EQ(objs.size(), 1u);
  EXPECT_EQ(str(objs[0], "level"), "critical");
  EXPECT_EQ(objs[0].size(), 3u);
}

TEST_F(LoggingTest, FieldsDoNotLeakIntoLaterLines) {
  use(LogFormat::Json);
  log(spdlog::level::info, {{"zone", "a."}}, "first");
  spdlog::info("second");
  auto objs = objects();
  ASSERT_EQ(objs.size(), 2u);
  EXPECT_FALSE(objs[1].contains("zone"));
}

TEST_F(LoggingTest, TextIsOneReadableLine) {
  use(LogFormat::Text);
  log(spdlog::level::info, {{"zone", "example.test."}, {"object", "ARecord/ns/www"}},
      "applied 3 changes");
  log(spdlog::level::err,
      {{"error", "connection refused: 127.0.0.1:53"}, {"empty", ""}, {"q", "a\"b"}}, "two\nlines");
  spdlog::warn("plain {}", 1);
  auto l = lines();
  ASSERT_EQ(l.size(), 3u) << out_.str();
  EXPECT_THAT(
      l[0], MatchesRegex(std::string(kTimePattern) + " info  applied 3 changes zone=example.test. "
                                                     "object=ARecord/ns/www"));
  EXPECT_THAT(l[1], MatchesRegex(std::string(kTimePattern) +
                                 " error two\\\\nlines error=\"connection refused: "
                                 "127.0.0.1:53\" empty=\"\" q=\"a\\\\\"b\""));
  EXPECT_THAT(l[2], MatchesRegex(std::string(kTimePattern) + " warn  plain 1"));
}

TEST_F(LoggingTest, ConcurrentLinesStayWholeAndKeepTheirOwnFields) {
  use(LogFormat::Json);
  constexpr int kThreads = 4, kLines = 300;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) {
        if (i % 2) {
          spdlog::info("plain from {}", t);
        } else {
          log(spdlog::level::info, {{"thread", std::to_string(t)}}, "from " + std::to_string(t));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  auto objs = objects();
  ASSERT_EQ(objs.size(), size_t(kThreads * kLines));
  for (const json::object& o : objs) {
    std::string msg = str(o, "msg");
    if (msg.starts_with("from ")) {
      EXPECT_EQ(str(o, "thread"), msg.substr(5));
    } else {
      EXPECT_FALSE(o.contains("thread")) << msg;
    }
  }
}

}  // namespace
}  // namespace zk::telemetry
