#include "controller/converge.h"

#include <spdlog/spdlog.h>

namespace zk::controller {

namespace asio = boost::asio;

namespace {

ConvergeStep abandoned() {
  ConvergeStep step;
  step.abandoned = true;
  return step;
}

}  // namespace

asio::awaitable<ConvergeStep> converge(providers::Provider& p, const model::Name& zone,
                                       ConvergeOptions options,
                                       std::vector<telemetry::LogField> fields, Planner plan,
                                       std::shared_ptr<bool> alive) {
  ConvergeStep step;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool checked = false;
    if (!p.served(zone)) {
      auto loaded = co_await p.load(zone);
      if (!*alive) co_return abandoned();
      if (!loaded) {
        step.failure = loaded.error();
        step.loading = true;
        co_return step;
      }
    } else if (options.check_first) {
      auto r = co_await p.refresh(zone);  // one SOA query; a transfer only if it moved
      if (!*alive) co_return abandoned();
      if (!r) {
        step.failure = r.error();
        co_return step;
      }
      checked = true;
    }
    const providers::ServedZone* served = p.served(zone);
    if (!served) co_return step;
    plan::Plan changes = plan(*served);
    if (changes.empty()) {
      if (!checked && !p.health().ok) {
        // Nothing to send, but the backend failed us before: is it back?
        auto r = co_await p.refresh(zone);
        if (!*alive) co_return abandoned();
        if (!r) {
          step.failure = r.error();
          co_return step;
        }
        if (r->moved && attempt == 0) continue;  // it changed meanwhile: plan again
      }
      co_return step;
    }
    if (options.dry_run) {
      for (const auto& line : changes.diff) {
        telemetry::log(spdlog::level::info, fields, "dry-run: " + line.to_string());
      }
      co_return step;
    }
    if (spdlog::should_log(spdlog::level::debug)) {
      for (const auto& line : changes.diff) {
        telemetry::log(spdlog::level::debug, fields, line.to_string());
      }
    }
    auto out = co_await p.apply(changes.changes);
    if (!*alive) co_return abandoned();
    if (!out) {
      if (out.error().stale_copy && attempt == 0) continue;  // refreshed: plan again
      step.failure = out.error();
      co_return step;
    }
    std::vector<telemetry::LogField> line = fields;
    line.push_back({"changes", std::to_string(out->applied)});
    line.push_back({"messages", std::to_string(out->messages)});
    line.push_back({"refused", std::to_string(out->refused.size())});
    telemetry::log(spdlog::level::info, line, "changes applied");
    step.outcome = std::move(*out);
    step.applied = std::move(changes.changes);
    co_return step;
  }
  co_return step;
}

}  // namespace zk::controller
