#include "app/local_status.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "telemetry/logging.h"

namespace zk::app {

using controller::ObjectRef;
using controller::RecordStatus;
using controller::ServerStatus;
using controller::ZoneStatus;

namespace {

std::string status_text(const controller::ConditionSpec& c) {
  if (c.status == "True") return c.reason.empty() ? "Ready" : c.reason;
  if (c.message.empty()) return c.reason;
  return fmt::format("{}: {}", c.reason, c.message);
}

std::string clip(std::string s, size_t width) {
  if (width == 0 || s.size() <= width) return s;
  if (width <= 1) return s.substr(0, width);
  s.resize(width - 1);
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
  return s + "~";
}

}  // namespace

LocalStatus::LocalStatus(LocalStatusOptions options, Describe describe)
    : options_(options), describe_(std::move(describe)) {}

void LocalStatus::changed() {
  if (on_change_) on_change_();
}

void LocalStatus::record_status(const RecordStatus& s) {
  auto key = s.ref.key();
  auto it = records_.find(key);
  bool same = it != records_.end() && it->second.ready == s.ready && it->second.zone == s.zone &&
              it->second.fqdn == s.fqdn;
  RecordStatus next = s;
  if (it != records_.end() && next.acknowledged_hash.empty()) {
    next.acknowledged_hash = it->second.acknowledged_hash;
  }
  records_[key] = next;
  if (same) return;
  if (!options_.table) {
    ObjectInfo info = describe_ ? describe_(s.ref) : ObjectInfo{};
    bool ok = s.ready.status == "True";
    telemetry::log(is_failure(s.ready) ? spdlog::level::warn : spdlog::level::info,
                   {{"object", key},
                    {"zone", s.zone},
                    {"name", s.fqdn},
                    {"type", info.type},
                    {"value", info.value},
                    {"reason", s.ready.reason},
                    {"at", info.location}},
                   ok ? "served" : "not served: " + s.ready.message);
  }
  changed();
}

void LocalStatus::zone_status(const ZoneStatus& s) {
  auto key = s.ref.key();
  auto it = zones_.find(key);
  bool same = it != zones_.end() && it->second.ready == s.ready;
  zones_[key] = s;
  if (same) return;
  if (!options_.table) {
    ObjectInfo info = describe_ ? describe_(s.ref) : ObjectInfo{};
    bool ok = s.ready.status == "True";
    telemetry::log(is_failure(s.ready) ? spdlog::level::warn : spdlog::level::info,
                   {{"object", key},
                    {"records", std::to_string(s.record_count)},
                    {"reason", s.ready.reason},
                    {"at", info.location}},
                   ok ? "zone served" : "zone not served: " + s.ready.message);
  }
  changed();
}

void LocalStatus::server_status(const ServerStatus& s) {
  auto key = s.ref.key();
  auto it = servers_.find(key);
  bool same = it != servers_.end() && it->second.ready == s.ready;
  servers_[key] = s;
  if (same) return;
  if (!options_.table || s.ready.status != "True") {
    telemetry::log(is_failure(s.ready) ? spdlog::level::warn : spdlog::level::info,
                   {{"object", key}, {"reason", s.ready.reason}}, s.ready.message);
  }
  changed();
}

void LocalStatus::event(const ObjectRef& ref, bool warning, std::string_view reason,
                        std::string note) {
  if (options_.table && !warning) return;
  telemetry::log(warning ? spdlog::level::warn : spdlog::level::info,
                 {{"object", ref.key()}, {"reason", std::string(reason)}}, note);
}

void LocalStatus::forget(const ObjectRef& ref) {
  auto key = ref.key();
  size_t n = records_.erase(key) + zones_.erase(key) + servers_.erase(key);
  if (n) changed();
}

void LocalStatus::set_problems(std::vector<std::string> problems) {
  if (problems == problems_) return;
  for (const auto& p : problems) {
    if (std::find(problems_.begin(), problems_.end(), p) == problems_.end()) {
      telemetry::log(spdlog::level::warn, {}, "skipped: " + p);
    }
  }
  problems_ = std::move(problems);
  changed();
}

std::vector<RecordStatus> LocalStatus::served_records() const {
  std::vector<RecordStatus> out;
  for (const auto& [k, s] : records_) {
    if (s.ready.status == "True") out.push_back(s);
  }
  return out;
}

size_t LocalStatus::records_served() const {
  return served_records().size();
}

size_t LocalStatus::records_not_served() const {
  return records_.size() - records_served();
}

std::string LocalStatus::render_table(size_t width) const {
  struct Row {
    std::string zone, name, type, value, status;
  };
  std::vector<Row> rows;
  for (const auto& [key, s] : records_) {
    ObjectInfo info = describe_ ? describe_(s.ref) : ObjectInfo{};
    std::string status = status_text(s.ready);
    if (s.ready.status != "True" && !info.location.empty()) status += " (" + info.location + ")";
    rows.push_back({s.zone.empty() ? "-" : s.zone, s.fqdn.empty() ? s.ref.key() : s.fqdn, info.type,
                    info.value, status});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.zone, a.name, a.type) < std::tie(b.zone, b.name, b.type);
  });
  size_t wz = 4, wn = 4, wt = 4, wv = 5;
  for (const auto& r : rows) {
    wz = std::max(wz, r.zone.size());
    wn = std::max(wn, r.name.size());
    wt = std::max(wt, r.type.size());
    wv = std::max<size_t>(wv, std::min<size_t>(r.value.size(), 40));
  }
  std::string out;
  auto line = [&](std::string l) {
    out += clip(std::move(l), width);
    out += '\n';
  };
  if (!header_.empty()) line(header_);
  line(fmt::format("{} records served, {} not served", records_served(), records_not_served()));
  line("");
  line(fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}", "ZONE", wz, "NAME", wn, "TYPE", wt,
                   "VALUE", wv, "STATUS"));
  for (const auto& r : rows) {
    line(fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}", r.zone, wz, r.name, wn, r.type, wt,
                     clip(r.value, 40), wv, r.status));
  }
  if (!zones_.empty()) {
    line("");
    for (const auto& [key, z] : zones_) {
      ObjectInfo info = describe_ ? describe_(z.ref) : ObjectInfo{};
      line(fmt::format("zone {} ({}): {}, {} records", info.value.empty() ? key : info.value, key,
                       status_text(z.ready), z.record_count));
    }
  }
  if (!problems_.empty()) {
    line("");
    line("skipped:");
    for (const auto& p : problems_) line("  " + p);
  }
  return out;
}

}  // namespace zk::app
