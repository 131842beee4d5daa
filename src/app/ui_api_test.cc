// The pure parts of the UI's API: reading a record create request and where an event stream
// starts. The routes themselves are driven over HTTP by the e2e suite (tests/e2e/test_17_ui.py,
// through a real browser) and by tests/integration/local_mode_test.py.
#include <gtest/gtest.h>

#include "app/event_stream.h"
#include "app/ui_api.h"

namespace zk::app {
namespace {

TEST(RecordCreateRequest, TakesARecordObjectOfOurs) {
  auto w = record_create_request(
      R"({"kind":"ARecord","metadata":{"name":"web","namespace":"dns","labels":{"zone":"x"}},)"
      R"("spec":{"name":"web","ipv4Addresses":["192.0.2.1"]}})");
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ(w->method, "POST");
  EXPECT_EQ(w->plural, "arecords");
  EXPECT_EQ(w->ns, "dns");
  EXPECT_EQ(w->name, "web");
  EXPECT_EQ(w->object.at("apiVersion"), "dns.zonekeeper.io/v1alpha1");  // filled in
}

TEST(RecordCreateRequest, RefusesWhatIsNotOne) {
  auto why = [](const std::string& body) {
    auto w = record_create_request(body);
    return w ? std::string("accepted") : w.error();
  };
  EXPECT_EQ(why("not json"), "expected a record object (JSON)");
  EXPECT_NE(why(R"({"kind":"Secret","metadata":{"name":"a","namespace":"b"},"spec":{}})")
                .find("kind: expected a record kind"),
            std::string::npos);
  EXPECT_EQ(why(R"({"apiVersion":"v1","kind":"ARecord","metadata":{"name":"a","namespace":"b"},)"
                R"("spec":{}})"),
            "apiVersion: expected dns.zonekeeper.io/v1alpha1");
  EXPECT_EQ(why(R"({"kind":"ARecord","metadata":{"name":"a"},"spec":{}})"),
            "metadata: expected a name and a namespace");
  EXPECT_EQ(why(R"({"kind":"ARecord","metadata":{"name":"a","namespace":"b"}})"),
            "spec: expected an object");
}

TEST(EventStreamStart, BacklogOrLastEventId) {
  std::string error;
  server::Request r;
  EXPECT_EQ(event_stream_start(r, 1000, &error), 800u);  // 200 lines back by default
  EXPECT_EQ(event_stream_start(r, 50, &error), 0u);
  r.query["backlog"] = "10";
  EXPECT_EQ(event_stream_start(r, 1000, &error), 990u);
  r.last_event_id = "995";  // a reconnect: what came after
  EXPECT_EQ(event_stream_start(r, 1000, &error), 995u);
  r.last_event_id = "5000";  // from before a restart: not ours, the backlog instead
  EXPECT_EQ(event_stream_start(r, 1000, &error), 990u);
  r.last_event_id = "";
  r.query["backlog"] = "5000";
  EXPECT_FALSE(event_stream_start(r, 1000, &error));
  EXPECT_EQ(error, "backlog: expected a number from 0 to 1000");
  r.query = {{"since", "1"}};
  EXPECT_FALSE(event_stream_start(r, 1000, &error));
  EXPECT_EQ(error, "unknown parameter \"since\" (expected backlog)");
}

}  // namespace
}  // namespace zk::app
