#include "app/event_stream.h"

#include <charconv>
#include <set>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "app/dns_check_api.h"

namespace zk::app {

namespace asio = boost::asio;

namespace {
constexpr uint64_t kDefaultBacklog = 200;
constexpr uint64_t kMaxBacklog = 1000;
constexpr size_t kMostPerWrite = 500;
constexpr auto kKeepAlive = std::chrono::seconds(15);

std::optional<uint64_t> number(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}
}  // namespace

struct EventStreams::Shared {
  asio::any_io_executor ex;
  std::shared_ptr<telemetry::LogFeed> feed;
  std::set<server::StreamWriter*> writers;  // executor only
  std::atomic<bool> wake_posted{false};
};

std::optional<uint64_t> event_stream_start(const server::Request& r, uint64_t last_seq,
                                           std::string* error) {
  if (auto id = number(r.last_event_id); id && *id <= last_seq) return *id;
  uint64_t backlog = kDefaultBacklog;
  for (const auto& [k, v] : r.query) {
    if (k != "backlog") {
      *error = fmt::format("unknown parameter \"{}\" (expected backlog)", k);
      return std::nullopt;
    }
    auto n = number(v);
    if (!n || *n > kMaxBacklog) {
      *error = fmt::format("backlog: expected a number from 0 to {}", kMaxBacklog);
      return std::nullopt;
    }
    backlog = *n;
  }
  return last_seq > backlog ? last_seq - backlog : 0;
}

EventStreams::EventStreams(asio::any_io_executor ex, std::shared_ptr<telemetry::LogFeed> feed)
    : shared_(std::make_shared<Shared>()) {
  shared_->ex = std::move(ex);
  shared_->feed = std::move(feed);
  // From the logging thread: one post at a time wakes every stream.
  shared_->feed->on_append([weak = std::weak_ptr<Shared>(shared_)] {
    auto s = weak.lock();
    if (!s || s->wake_posted.exchange(true)) return;
    asio::post(s->ex, [s] {
      s->wake_posted = false;
      for (server::StreamWriter* w : s->writers) w->wake();
    });
  });
}

EventStreams::~EventStreams() {
  shared_->feed->on_append(nullptr);
}

server::Response EventStreams::open(const server::Request& r) {
  std::string error;
  auto start = event_stream_start(r, shared_->feed->last_seq(), &error);
  if (!start) return server::Response{400, "application/json", json_error(error)};
  server::Response res{.content_type = "text/event-stream; charset=utf-8",
                       .headers = {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}}};
  res.stream = [s = shared_,
                seq = *start](server::StreamWriter& w) mutable -> asio::awaitable<void> {
    s->writers.insert(&w);
    struct Forget {
      Shared& s;
      server::StreamWriter* w;
      ~Forget() { s.writers.erase(w); }
    } forget{*s, &w};
    if (!co_await w.write("retry: 2000\n\n")) co_return;
    while (w.open()) {
      auto lines = s->feed->since(seq, kMostPerWrite);
      if (lines.empty()) {
        co_await w.wait(kKeepAlive);
        if (s->feed->last_seq() != seq) continue;  // woken by a line
        // No co_await inside && (g++-12 mishandles some coroutine expressions).
        bool sent = co_await w.write(": keep-alive\n\n");
        if (!sent) co_return;
        continue;
      }
      std::string out;
      for (const auto& l : lines) {
        out += fmt::format("id: {}\ndata: {}\n\n", l.seq, l.json);
        seq = l.seq;
      }
      if (!co_await w.write(std::move(out))) co_return;
    }
  };
  return res;
}

}  // namespace zk::app
