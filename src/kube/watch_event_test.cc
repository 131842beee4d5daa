#include "kube/watch_event.h"

#include <gtest/gtest.h>

namespace zk::kube {
namespace {

TEST(WatchEventTest, DecodesAllTypes) {
  auto a = decode_watch_event(
      R"({"type":"ADDED","object":{"metadata":{"name":"x","resourceVersion":"5"}}})");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->type, WatchEventType::Added);
  EXPECT_EQ(a->object.at("metadata").at("name").as_string(), "x");
  EXPECT_EQ(decode_watch_event(R"({"type":"MODIFIED","object":{}})")->type,
            WatchEventType::Modified);
  EXPECT_EQ(decode_watch_event(R"({"type":"DELETED","object":{}})")->type, WatchEventType::Deleted);
  EXPECT_EQ(
      decode_watch_event(R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})")
          ->type,
      WatchEventType::Bookmark);
  auto e = decode_watch_event(
      R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 vs 5"}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, WatchEventType::Error);
  Error err = error_from_status(e->object);
  EXPECT_EQ(err.code, ErrorCode::Gone);
  EXPECT_EQ(err.http_status, 410);
}

TEST(WatchEventTest, RejectsMalformedLines) {
  for (const char* bad :
       {"", "{", "[]", "42", R"({"object":{}})", R"({"type":7,"object":{}})", R"({"type":"ADDED"})",
        R"({"type":"ADDED","object":[]})", R"({"type":"EXPLODED","object":{}})",
        "{\"type\":\"ADDED\",\"object\":{}}garbage"}) {
    auto r = decode_watch_event(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::Decode) << bad;
  }
}

TEST(WatchEventTest, DecoderReassemblesLinesSplitAnywhere) {
  std::string stream =
      "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
      "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"b\"}}}\r\n"
      "\n"
      "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"c\"}}}\n";
  for (size_t piece = 1; piece <= stream.size(); ++piece) {
    WatchEventDecoder d;
    std::vector<std::string> names;
    for (size_t i = 0; i < stream.size(); i += piece) {
      d.feed(std::string_view(stream).substr(i, piece));
      while (auto ev = d.next()) {
        ASSERT_TRUE(*ev) << (*ev).error().to_string();
        names.emplace_back((*ev)->object.at("metadata").at("name").as_string());
      }
    }
    EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"})) << "piece " << piece;
    EXPECT_EQ(d.pending_bytes(), 0u);
  }
}

TEST(WatchEventTest, InvalidLineIsReportedAndDecodingContinues) {
  WatchEventDecoder d;
  d.feed(
      "{\"type\":\"ADDED\",\"object\":{}}\n{not "
      "json}\n{\"type\":\"DELETED\",\"object\":{}}\n{\"type\":\"ADD");
  auto first = d.next();
  ASSERT_TRUE(first && *first);
  auto second = d.next();
  ASSERT_TRUE(second);
  ASSERT_FALSE(*second);
  EXPECT_EQ(second->error().code, ErrorCode::Decode);
  auto third = d.next();
  ASSERT_TRUE(third && *third);
  EXPECT_EQ((*third)->type, WatchEventType::Deleted);
  EXPECT_FALSE(d.next());
  EXPECT_GT(d.pending_bytes(), 0u);  // a truncated trailing event stays pending
}

TEST(WatchEventTest, OverlongLineIsRejectedOnceAndSkipped) {
  WatchEventDecoder d(64);
  d.feed(std::string(100, 'x'));
  auto e = d.next();
  ASSERT_TRUE(e);
  ASSERT_FALSE(*e);
  EXPECT_FALSE(d.next());
  d.feed(std::string(100, 'y') + "\n{\"type\":\"ADDED\",\"object\":{}}\n");
  auto ok = d.next();
  ASSERT_TRUE(ok && *ok);
  EXPECT_EQ((*ok)->type, WatchEventType::Added);
}

}  // namespace
}  // namespace zk::kube
