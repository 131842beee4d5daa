#include "managed/zone_load.h"

#include <charconv>
#include <iterator>

#include <fmt/format.h>

namespace zk::managed {

namespace {

constexpr size_t kNamed = 5;  // zones named in a message; the rest are counted

}  // namespace

std::string ZoneLoadWatch::observe(const std::string& key, const std::string& uid,
                                   std::string_view pod_name,
                                   const std::vector<UnservedZone>& failing, size_t asked,
                                   Clock::time_point now) {
  PodWatch& w = pods_[key];
  if (w.uid != uid) w = PodWatch{uid, {}, ""};
  std::map<std::string, Failing> zones;
  for (const UnservedZone& z : failing) {
    auto it = w.zones.find(z.zone);
    zones[z.zone] = Failing{it == w.zones.end() ? now : it->second.since, z.why};
  }
  w.zones = std::move(zones);
  std::vector<std::string> named;
  size_t failed = 0;
  for (const auto& [zone, f] : w.zones) {
    if (now - f.since < grace_) continue;
    ++failed;
    if (named.size() < kNamed) named.push_back(fmt::format("{} ({})", zone, f.why));
  }
  if (failed == 0) {
    w.verdict.clear();
  } else {
    w.verdict = fmt::format(
        "Pod {} does not serve {} of its {} zones: {}{}", pod_name, failed, asked,
        fmt::join(named, ", "),
        failed > named.size() ? fmt::format(" and {} more", failed - named.size()) : std::string());
  }
  return w.verdict;
}

std::string ZoneLoadWatch::verdict(const std::string& key) const {
  auto it = pods_.find(key);
  return it == pods_.end() ? std::string() : it->second.verdict;
}

void ZoneLoadWatch::forget(const std::string& key) {
  pods_.erase(key);
}

void ZoneLoadWatch::forget_instance(std::string_view ns, std::string_view instance, size_t kept) {
  const std::string prefix = fmt::format("{}/{}-", ns, instance);
  for (auto it = pods_.lower_bound(prefix);
       it != pods_.end() && std::string_view(it->first).starts_with(prefix);) {
    // "ns/a-1-0" is Pod 0 of instance a-1, not Pod "1-0" of a: only digits are an index.
    const std::string_view index = std::string_view(it->first).substr(prefix.size());
    size_t n = 0;
    const auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), n);
    const bool ours = ec == std::errc() && end == index.data() + index.size();
    it = ours && n >= kept ? pods_.erase(it) : std::next(it);
  }
}

}  // namespace zk::managed
