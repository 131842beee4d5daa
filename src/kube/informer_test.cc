// Informer against a scripted fake Transport: paging, watch events, in-stream and HTTP 410
// with the exact re-list difference, bookmarks advancing the resume point.
#include "kube/informer.h"

#include <deque>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace zk::kube {
namespace {

using namespace std::chrono_literals;

std::string cm(std::string_view name, std::string_view rv) {
  return fmt::format(
      R"({{"metadata":{{"namespace":"n","name":"{}","resourceVersion":"{}","uid":"uid-{}"}}}})",
      name, rv, name);
}
std::string event(std::string_view type, std::string_view obj) {
  return fmt::format(R"({{"type":"{}","object":{}}})", type, obj) + "\n";
}
std::string page(const std::vector<std::string>& items, std::string_view rv,
                 std::string_view cont) {
  std::string joined;
  for (auto& i : items) joined += (joined.empty() ? "" : ",") + i;
  return fmt::format(
      R"({{"kind":"ConfigMapList","metadata":{{"resourceVersion":"{}","continue":"{}"}},"items":[{}]}})",
      rv, cont, joined);
}

struct Script {
  std::deque<HttpResponse> lists;  // consumed in order by GETs without watch=1
  // Per watch: either an open error or chunks; `hang` waits for cancel after the chunks.
  struct WatchScript {
    std::optional<Error> open_error;
    std::vector<std::string> chunks;
    bool hang = false;
  };
  std::deque<WatchScript> watches;
  std::vector<std::string> targets;
};

class FakeStream final : public ByteStream {
 public:
  FakeStream(asio::any_io_executor ex, std::vector<std::string> chunks, bool hang)
      : timer_(ex), chunks_(std::move(chunks)), hang_(hang) {}
  asio::awaitable<Result<std::string_view>> read_some() override {
    if (next_ < chunks_.size()) co_return std::string_view(chunks_[next_++]);
    if (!hang_) co_return std::string_view();
    timer_.expires_after(std::chrono::hours(1));
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return fail(ErrorCode::Cancelled, "cancelled");
  }
  void cancel() override { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
  std::vector<std::string> chunks_;
  size_t next_ = 0;
  bool hang_;
};

class FakeTransport final : public Transport {
 public:
  FakeTransport(asio::any_io_executor ex, Script* s) : ex_(ex), s_(s) {}
  asio::any_io_executor executor() const override { return ex_; }
  asio::awaitable<Result<HttpResponse>> send(HttpRequest r) override {
    s_->targets.push_back(r.target);
    if (s_->lists.empty()) co_return HttpResponse{500, "no more scripted lists", ""};
    HttpResponse out = s_->lists.front();
    s_->lists.pop_front();
    co_return out;
  }
  asio::awaitable<Result<std::unique_ptr<ByteStream>>> open_stream(
      HttpRequest r, std::chrono::milliseconds) override {
    s_->targets.push_back(r.target);
    if (s_->watches.empty())
      co_return std::unique_ptr<ByteStream>(
          std::make_unique<FakeStream>(ex_, std::vector<std::string>{}, true));
    auto w = s_->watches.front();
    s_->watches.pop_front();
    if (w.open_error) co_return tl::unexpected(*w.open_error);
    co_return std::unique_ptr<ByteStream>(std::make_unique<FakeStream>(ex_, w.chunks, w.hang));
  }

 private:
  asio::any_io_executor ex_;
  Script* s_;
};

struct Recorded {
  std::vector<std::string> log;
  void operator()(DeltaType t, const ObjectPtr& o, const ObjectPtr& n) {
    const ObjectPtr& x = n ? n : o;
    log.push_back(fmt::format("{} {}@{}", to_string(t), x->name(), x->resource_version()));
  }
};

// Runs the informer until `done(script)` holds, then stops it.
void run_until(asio::io_context& io, Informer& inf, Script& script, std::function<bool()> done) {
  bool finished = false;
  asio::co_spawn(io, inf.run(), [&](std::exception_ptr) { finished = true; });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer t(io);
        for (int i = 0; i < 2000 && !done(); ++i) {
          t.expires_after(1ms);
          co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        inf.stop();
      },
      asio::detached);
  io.run_for(20s);
  EXPECT_TRUE(finished);
  (void)script;
}

TEST(InformerTest, ListPagesWatchThenInStreamGoneRelistsExactDifference) {
  asio::io_context io;
  Script s;
  s.lists.push_back({200, page({cm("a", "5"), cm("b", "6")}, "10", "c1"), ""});
  s.lists.push_back({200, page({cm("c", "7")}, "", ""), ""});
  s.watches.push_back(
      {std::nullopt,
       {event("ADDED", cm("d", "11")), event("MODIFIED", cm("a", "12")).substr(0, 20),
        event("MODIFIED", cm("a", "12")).substr(20),
        event("BOOKMARK", R"({"metadata":{"resourceVersion":"15"}})"),
        event("DELETED", cm("b", "16")),
        event(
            "ERROR",
            R"({"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 16 vs 29"})")},
       false});
  s.lists.push_back({200, page({cm("a", "12"), cm("c", "20"), cm("e", "25")}, "30", ""), ""});
  s.watches.push_back({std::nullopt, {}, true});
  auto client =
      std::make_shared<Client>(std::make_unique<FakeTransport>(io.get_executor(), &s), "default");
  Informer inf(client, resources::kConfigMaps, {.namespace_ = "n", .page_size = 2});
  Recorded rec;
  inf.on_event(std::ref(rec));
  int synced_calls = 0;
  inf.on_synced([&] { ++synced_calls; });
  run_until(io, inf, s, [&] { return s.watches.empty(); });

  EXPECT_EQ(rec.log, (std::vector<std::string>{
                         "Added a@5", "Added b@6", "Added c@7",         // initial list
                         "Added d@11", "Updated a@12", "Deleted b@16",  // watch
                         "Deleted d@11", "Updated c@20", "Added e@25",  // re-list after 410
                     }));
  EXPECT_EQ(synced_calls, 1);
  EXPECT_TRUE(inf.synced());
  auto st = inf.stats();
  EXPECT_EQ(st.lists, 2u);
  EXPECT_EQ(st.relists_after_gone, 1u);
  EXPECT_EQ(st.bookmarks, 1u);
  EXPECT_EQ(st.events, 3u);
  EXPECT_EQ(st.resource_version, "30");
  EXPECT_EQ(inf.store().size(), 3u);
  EXPECT_EQ(inf.store().get("n", "c")->resource_version(), "20");
  EXPECT_EQ(inf.store().get("n", "c")->parse().at("kind").as_string(), "ConfigMap");
  // Paging and the resume points the informer asked for.
  ASSERT_GE(s.targets.size(), 5u);
  EXPECT_NE(s.targets[0].find("limit=2"), std::string::npos);
  EXPECT_NE(s.targets[1].find("continue=c1"), std::string::npos);
  EXPECT_NE(s.targets[2].find("resourceVersion=10"), std::string::npos);
  EXPECT_NE(s.targets[2].find("allowWatchBookmarks=true"), std::string::npos);
  EXPECT_NE(s.targets[4].find("resourceVersion=30"), std::string::npos);
}

// `keep` trims what the store holds; the handlers get every object whole, from the list and
// from the watch, and a deleted object's final state whole too.
TEST(InformerTest, KeepTrimsTheStoreAndHandlersGetTheWholeObject) {
  auto with_data = [](std::string_view name, std::string_view rv) {
    std::string o = cm(name, rv);
    return o.substr(0, o.size() - 1) + R"(,"data":{"big":"value"}})";
  };
  asio::io_context io;
  Script s;
  s.lists.push_back({200, page({with_data("a", "5")}, "10", ""), ""});
  s.watches.push_back(
      {std::nullopt,
       {event("ADDED", with_data("b", "11")), event("MODIFIED", with_data("a", "12")),
        event("DELETED", with_data("b", "13"))},
       true});
  auto client =
      std::make_shared<Client>(std::make_unique<FakeTransport>(io.get_executor(), &s), "default");
  InformerOptions o{.namespace_ = "n"};
  o.keep = [](boost::json::object& object) { object.erase("data"); };
  Informer inf(client, resources::kConfigMaps, o);
  std::vector<std::string> seen;
  inf.on_event([&](DeltaType t, const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
    const ObjectPtr& x = new_obj ? new_obj : old_obj;
    bool whole = x->parse().as_object().contains("data");
    // In the handler the store already holds the trimmed object (or none, once deleted).
    ObjectPtr stored = inf.store().get("n", x->name());
    bool trimmed = stored ? !stored->parse().as_object().contains("data") : true;
    seen.push_back(fmt::format("{} {}@{} whole={} stored-trimmed={}", to_string(t), x->name(),
                               x->resource_version(), whole, trimmed));
  });
  run_until(io, inf, s, [&] { return seen.size() >= 4; });

  EXPECT_EQ(seen, (std::vector<std::string>{
                      "Added a@5 whole=true stored-trimmed=true",
                      "Added b@11 whole=true stored-trimmed=true",
                      "Updated a@12 whole=true stored-trimmed=true",
                      "Deleted b@13 whole=true stored-trimmed=true",
                  }));
  ASSERT_EQ(inf.store().size(), 1u);
  ObjectPtr a = inf.store().get("n", "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->resource_version(), "12");
  EXPECT_EQ(a->uid(), "uid-a");
  EXPECT_FALSE(a->parse().as_object().contains("data"));
}

// Later pages ask for as many items as make about page_bytes of JSON at the size of the items
// listed so far, between page_size and max_page_size.
TEST(InformerTest, LaterPagesAreSizedByTheirBytes) {
  const std::string first = page({cm("a", "5"), cm("b", "6")}, "10", "c1");
  const size_t per_item = first.size() / 2;
  auto second_limit = [&](size_t page_bytes) {
    asio::io_context io;
    Script s;
    s.lists.push_back({200, first, ""});
    s.lists.push_back({200, page({cm("c", "7")}, "", ""), ""});
    s.watches.push_back({std::nullopt, {}, true});
    auto client =
        std::make_shared<Client>(std::make_unique<FakeTransport>(io.get_executor(), &s), "d");
    Informer inf(
        client, resources::kConfigMaps,
        {.namespace_ = "n", .page_size = 2, .max_page_size = 100, .page_bytes = page_bytes});
    run_until(io, inf, s, [&] { return s.watches.empty(); });
    EXPECT_EQ(inf.store().size(), 3u);
    auto limit_of = [](const std::string& target) {
      auto at = target.find("limit=");
      if (at == std::string::npos) return std::string("none");
      auto end = target.find('&', at);
      return target.substr(at + 6, end == std::string::npos ? end : end - at - 6);
    };
    EXPECT_EQ(limit_of(s.targets.at(0)), "2");
    EXPECT_NE(s.targets.at(1).find("continue=c1"), std::string::npos) << s.targets[1];
    return limit_of(s.targets.at(1));
  };
  EXPECT_EQ(second_limit(10 * per_item), "10");     // small objects: a larger page
  EXPECT_EQ(second_limit(1000 * per_item), "100");  // never above max_page_size
  EXPECT_EQ(second_limit(1), "2");                  // large objects: never below page_size
}

TEST(InformerTest, HttpGoneOnWatchOpenRelists_BrokenStreamResumesFromLastEvent) {
  asio::io_context io;
  Script s;
  s.lists.push_back({200, page({cm("a", "5")}, "10", ""), ""});
  // Stream breaks mid-event (truncated): resume from the last complete event's RV.
  s.watches.push_back(
      {std::nullopt, {event("ADDED", cm("b", "11")), "{\"type\":\"ADDED\",\"obj"}, false});
  Error gone;
  gone.code = ErrorCode::Gone;
  gone.message = "too old";
  s.watches.push_back({gone, {}, false});
  s.lists.push_back({200, page({cm("b", "11")}, "40", ""), ""});
  s.watches.push_back({std::nullopt, {}, true});
  auto client =
      std::make_shared<Client>(std::make_unique<FakeTransport>(io.get_executor(), &s), "default");
  Informer inf(client, resources::kConfigMaps,
               {.namespace_ = "n", .backoff = {.initial = 1ms, .max = 5ms}});
  Recorded rec;
  inf.on_event(std::ref(rec));
  run_until(io, inf, s, [&] { return s.watches.empty(); });
  EXPECT_EQ(rec.log, (std::vector<std::string>{"Added a@5", "Added b@11", "Deleted a@5"}));
  ASSERT_GE(s.targets.size(), 5u);
  EXPECT_NE(s.targets[2].find("resourceVersion=11"), std::string::npos) << s.targets[2];
  EXPECT_EQ(inf.stats().relists_after_gone, 1u);
  EXPECT_EQ(inf.stats().watch_errors, 1u);
}

TEST(InformerTest, ListFailuresBackOffAndNeverCrash) {
  asio::io_context io;
  Script s;
  s.lists.push_back(
      {403,
       R"({"kind":"Status","code":403,"reason":"Forbidden","message":"configmaps is forbidden: User \"x\" cannot list resource \"configmaps\" in API group \"\" at the cluster scope"})",
       ""});
  s.lists.push_back({200, "this is not json", ""});
  s.lists.push_back({200, page({cm("a", "5"), R"({"metadata":{}})", "17"}, "10", ""), ""});
  s.watches.push_back({std::nullopt, {"{garbage}\n"}, false});
  s.watches.push_back({std::nullopt, {}, true});
  auto client =
      std::make_shared<Client>(std::make_unique<FakeTransport>(io.get_executor(), &s), "default");
  Informer inf(client, resources::kConfigMaps, {.backoff = {.initial = 1ms, .max = 5ms}});
  run_until(io, inf, s, [&] { return s.watches.empty(); });
  EXPECT_TRUE(inf.synced());
  EXPECT_EQ(inf.store().size(), 1u);  // the undecodable item was skipped
  EXPECT_EQ(inf.stats().watch_errors, 1u);
}

// The client tells its observer of every request: verb (LIST, not GET, for a collection read;
// WATCH for a stream) and status code, "error" when no response came
// (zonekeeper_kube_requests_total).
TEST(InformerTest, ClientObserverSeesEveryRequestWithVerbAndCode) {
  asio::io_context io;
  Script s;
  s.lists.push_back(
      {403, R"({"kind":"Status","code":403,"reason":"Forbidden","message":"no"})", ""});
  s.lists.push_back({200, page({cm("a", "5")}, "10", ""), ""});
  Error refused;
  refused.code = ErrorCode::Network;
  refused.message = "connection refused";
  s.watches.push_back({refused, {}, false});
  s.watches.push_back({std::nullopt, {}, true});
  auto client =
      std::make_shared<Client>(std::make_unique<FakeTransport>(io.get_executor(), &s), "default");
  std::vector<std::string> seen;
  client->observe_requests([&](std::string_view verb, std::string_view code) {
    seen.push_back(fmt::format("{} {}", verb, code));
  });
  Informer inf(client, resources::kConfigMaps, {.backoff = {.initial = 1ms, .max = 5ms}});
  run_until(io, inf, s, [&] { return s.watches.empty(); });
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen[0], "LIST 403");
  EXPECT_EQ(seen[1], "LIST 200");
  EXPECT_EQ(seen[2], "WATCH error");
  EXPECT_EQ(seen[3], "WATCH 200");
}

}  // namespace
}  // namespace zk::kube
