#include "telemetry/log_feed.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "telemetry/logging.h"

namespace zk::telemetry {
namespace {

namespace json = boost::json;

TEST(LogFeed, KeepsTheNewestLinesAsTheJsonLogWritesThem) {
  std::ostringstream out;
  configure_logging(LogFormat::Text, spdlog::level::info,
                    std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  auto feed = std::make_shared<LogFeed>(3);
  int appended = 0;
  feed->on_append([&] { ++appended; });
  attach_log_feed(feed);

  log(spdlog::level::info, {{"zone", "example.test."}, {"object", "ARecord/ns/www"}},
      "changes applied");
  log(spdlog::level::debug, {{"zone", "example.test."}}, "+ www.example.test. 300 IN A 192.0.2.1");
  spdlog::warn("plain {}", 1);
  spdlog::trace("below debug: not kept");
  EXPECT_EQ(appended, 3);
  EXPECT_EQ(feed->last_seq(), 3u);

  // The other sink keeps its level: the debug line is in the feed only.
  EXPECT_NE(out.str().find("changes applied"), std::string::npos);
  EXPECT_EQ(out.str().find("IN A"), std::string::npos);

  auto lines = feed->since(0, 10);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].seq, 1u);
  json::object first = json::parse(lines[0].json).as_object();
  EXPECT_EQ(first.at("msg"), "changes applied");
  EXPECT_EQ(first.at("level"), "info");
  EXPECT_EQ(first.at("zone"), "example.test.");
  EXPECT_EQ(first.at("object"), "ARecord/ns/www");
  EXPECT_EQ(json::parse(lines[1].json).as_object().at("level"), "debug");
  EXPECT_EQ(json::parse(lines[2].json).as_object().at("msg"), "plain 1");

  // Past the capacity the oldest go; numbers stay.
  log(spdlog::level::err, {{"zone", "b.test."}, {"reason", "Refused"}}, "refused");
  lines = feed->since(0, 10);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines.front().seq, 2u);
  EXPECT_EQ(lines.back().seq, 4u);
  EXPECT_EQ(feed->since(3, 10).size(), 1u);
  EXPECT_EQ(feed->since(4, 10).size(), 0u);
  EXPECT_EQ(feed->since(99, 10).size(), 0u);  // a number from another run: nothing
  ASSERT_EQ(feed->since(0, 2).size(), 2u);    // the newest two
  EXPECT_EQ(feed->since(0, 2).front().seq, 3u);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("none"));
}

}  // namespace
}  // namespace zk::telemetry
