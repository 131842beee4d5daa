#include "app/change_notifier.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "api/reasons.h"
#include "server/http_server.h"
#include "telemetry/metrics.h"

namespace zk::app {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

struct Recorder final : controller::StatusSink {
  std::vector<controller::RecordStatus> records;
  std::vector<std::pair<std::string, std::string>> events;  // reason, note
  std::vector<std::string> forgotten;
  void record_status(const controller::RecordStatus& s) override { records.push_back(s); }
  void zone_status(const controller::ZoneStatus&) override {}
  void server_status(const controller::ServerStatus&) override {}
  void event(const controller::ObjectRef&, bool, std::string_view reason,
             std::string note) override {
    events.emplace_back(reason, std::move(note));
  }
  void forget(const controller::ObjectRef& ref) override { forgotten.push_back(ref.key()); }
};

api::RecordObject record(std::string_view annotations, std::string_view served_hash = "") {
  auto r = api::decode_record(boost::json::parse(
      std::string(R"({"kind":"ARecord","metadata":{"name":"www","namespace":"web","uid":"u1",)") +
      R"("annotations":)" + std::string(annotations) +
      R"(},"spec":{"name":"www","ipv4Addresses":["192.0.2.1"]},"status":{"recordHash":")" +
      std::string(served_hash) + R"("}})"));
  EXPECT_TRUE(r) << r.error();
  return *r;
}

controller::RecordStatus served(const std::string& hash) {
  controller::RecordStatus s;
  s.ref = {"dns.zonekeeper.io/v1alpha1", "ARecord", "web", "www", "u1", 2};
  s.ready = {"Ready", "True", "Served", "every Primary serves it"};
  s.zone = "example.test.";
  s.fqdn = "www.example.test.";
  s.acknowledged_hash = hash;
  return s;
}

class ChangeNotifierTest : public testing::Test {
 protected:
  void SetUp() override {
    receiver_.route_async(
        "/hook", {"POST"}, [this](server::Request r) -> asio::awaitable<server::Response> {
          bodies_.push_back(r.body);
          queries_.push_back(r.query["token"]);
          int status = failures_left_ > 0 ? 500 : 204;
          if (failures_left_ > 0) --failures_left_;
          co_return server::Response{.status = static_cast<unsigned>(status), .body = ""};
        });
    ASSERT_TRUE(receiver_.start());
    url_ = "http://127.0.0.1:" + std::to_string(receiver_.port()) + "/hook?token=s3cret";
    notifier_.set_lookup([this](const std::string& key) -> const api::RecordObject* {
      return key == "ARecord/web/www" ? &rec_ : nullptr;
    });
  }
  void TearDown() override { receiver_.stop(); }
  // Runs the loop until `done` or 5 s.
  template <class F>
  bool run_until(F done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(10ms);
    return done();
  }
  void settle() { io_.run_for(200ms); }

  asio::io_context io_;
  server::HttpServer receiver_{io_.get_executor(), {.address = "127.0.0.1", .port = 0}};
  std::vector<std::string> bodies_, queries_;
  int failures_left_ = 0;
  std::string url_;
  Recorder next_;
  telemetry::Metrics metrics_;
  ChangeNotifier notifier_{io_.get_executor(),
                           next_,
                           metrics_,
                           {.timeout = 2s, .attempts = 3, .backoff = 10ms, .max_in_flight = 64}};
  api::RecordObject rec_;
};

TEST(ChangeMessage, NamesTheObjectItsNameAndItsNotes) {
  controller::ObjectRef ref{"dns.zonekeeper.io/v1alpha1", "ARecord", "web", "www", "u1", 3};
  auto doc =
      boost::json::parse(change_message("served", ref, "A", "example.test.", "www.example.test.",
                                        "h1", {"team-web", "front door", "https://x/y"}, 0));
  EXPECT_EQ(doc.at("event"), "served");
  EXPECT_EQ(doc.at("object").at("kind"), "ARecord");
  EXPECT_EQ(doc.at("object").at("namespace"), "web");
  EXPECT_EQ(doc.at("object").at("generation"), 3);
  EXPECT_EQ(doc.at("fqdn"), "www.example.test.");
  EXPECT_EQ(doc.at("type"), "A");
  EXPECT_EQ(doc.at("recordHash"), "h1");
  EXPECT_EQ(doc.at("owner"), "team-web");
  EXPECT_EQ(doc.at("description"), "front door");
  EXPECT_EQ(doc.at("time"), "1970-01-01T00:00:00Z");
  EXPECT_FALSE(doc.as_object().contains("url")) << "the URL (and its token) is not in the message";
}

TEST_F(ChangeNotifierTest, NewServedDataIsPostedOnceAndStatusesPassOn) {
  rec_ = record(R"({"dns.zonekeeper.io/notify-url":")" + url_ +
                R"(","dns.zonekeeper.io/owner":"team-web"})");
  notifier_.record_status(served("h1"));
  ASSERT_TRUE(run_until([&] { return bodies_.size() == 1; }));
  auto doc = boost::json::parse(bodies_[0]);
  EXPECT_EQ(doc.at("event"), "served");
  EXPECT_EQ(doc.at("recordHash"), "h1");
  EXPECT_EQ(doc.at("owner"), "team-web");
  EXPECT_EQ(queries_[0], "s3cret");       // the query reaches the receiver
  notifier_.record_status(served("h1"));  // re-reported, same data
  settle();
  EXPECT_EQ(bodies_.size(), 1u);
  notifier_.record_status(served("h2"));
  ASSERT_TRUE(run_until([&] { return bodies_.size() == 2; }));
  EXPECT_EQ(next_.records.size(), 3u) << "every status is passed on";
  notifier_.forget(served("h2").ref);
  ASSERT_TRUE(run_until([&] { return bodies_.size() == 3; }));
  EXPECT_EQ(boost::json::parse(bodies_[2]).at("event"), "deleted");
  EXPECT_EQ(next_.forgotten, (std::vector<std::string>{"ARecord/web/www"}));
  EXPECT_TRUE(next_.events.empty());
}

TEST_F(ChangeNotifierTest, AWebhookRemovedHearsNothingMore) {
  rec_ = record(R"({"dns.zonekeeper.io/notify-url":")" + url_ + R"("})");
  notifier_.record_status(served("h1"));
  ASSERT_TRUE(run_until([&] { return bodies_.size() == 1; }));
  rec_ = record(R"({})");  // the annotation removed
  notifier_.record_status(served("h2"));
  notifier_.forget(served("h2").ref);
  settle();
  EXPECT_EQ(bodies_.size(), 1u);
}

TEST_F(ChangeNotifierTest, DataServedBeforeARestartIsNotSentAgain) {
  const std::string h1(64, 'a'), h2(64, 'b');  // hashes as status.recordHash holds them
  rec_ = record(R"({"dns.zonekeeper.io/notify-url":")" + url_ + R"("})", h1);
  notifier_.record_status(served(h1));  // status.recordHash already says h1
  settle();
  EXPECT_TRUE(bodies_.empty());
  notifier_.record_status(served(h2));
  ASSERT_TRUE(run_until([&] { return bodies_.size() == 1; }));
}

TEST_F(ChangeNotifierTest, NotServedOrNoUrlSendsNothing) {
  rec_ = record(R"({"dns.zonekeeper.io/notify-url":")" + url_ + R"("})");
  auto failed = served("");
  failed.ready = {"Ready", "False", "Conflict", "x"};
  notifier_.record_status(failed);
  rec_ = record(R"({})");
  notifier_.record_status(served("h1"));
  settle();
  EXPECT_TRUE(bodies_.empty());
  EXPECT_EQ(next_.records.size(), 2u);
}

TEST_F(ChangeNotifierTest, ServerErrorsAreRetried) {
  rec_ = record(R"({"dns.zonekeeper.io/notify-url":")" + url_ + R"("})");
  failures_left_ = 2;
  notifier_.record_status(served("h1"));
  ASSERT_TRUE(run_until([&] { return bodies_.size() == 3; }));
  settle();
  EXPECT_EQ(bodies_.size(), 3u);
  EXPECT_TRUE(next_.events.empty());
  EXPECT_NE(metrics_.render().find(R"(zonekeeper_notifications_total{result="sent"} 1)"),
            std::string::npos);
}

TEST_F(ChangeNotifierTest, EveryAttemptFailedIsAWarningWithoutTheToken) {
  rec_ = record(R"({"dns.zonekeeper.io/notify-url":")" + url_ + R"("})");
  failures_left_ = 10;
  notifier_.record_status(served("h1"));
  ASSERT_TRUE(run_until([&] { return !next_.events.empty(); }));
  EXPECT_EQ(bodies_.size(), 3u);
  EXPECT_EQ(next_.events[0].first, api::reasons::kNotifyFailed);
  EXPECT_NE(next_.events[0].second.find("failed after 3 attempt(s): HTTP 500"), std::string::npos)
      << next_.events[0].second;
  EXPECT_EQ(next_.events[0].second.find("s3cret"), std::string::npos);
}

TEST_F(ChangeNotifierTest, AnInvalidUrlIsOneWarningAndNoCall) {
  rec_ = record(R"({"dns.zonekeeper.io/notify-url":"http://hooks.example/x?token=s3cret"})");
  notifier_.record_status(served("h1"));
  notifier_.record_status(served("h2"));
  settle();
  EXPECT_TRUE(bodies_.empty());
  ASSERT_EQ(next_.events.size(), 1u);
  EXPECT_EQ(next_.events[0].first, api::reasons::kInvalidNotifyUrl);
  EXPECT_NE(next_.events[0].second.find("not loopback"), std::string::npos);
  EXPECT_EQ(next_.events[0].second.find("s3cret"), std::string::npos);
  // Deleted and created again with the same URL: told again (nothing kept of the old one).
  notifier_.forget(served("h2").ref);
  notifier_.record_status(served("h3"));
  EXPECT_EQ(next_.events.size(), 2u);
}

}  // namespace
}  // namespace zk::app
