// Which zones a managed Pod has failed to serve for long enough to say so (`Pod-N`
// ZoneLoadFailed): zone names with why each failed (its SOA query's answer), each remembered
// from the check it first failed in. A zone fails for a moment as a matter of course (a new
// zone before the agent adds it, a Secondary before its first transfer), so only a failure
// that lasted `grace` counts. Pure: the time is an argument.
//
//   ZoneLoadWatch watch(std::chrono::seconds(60));
//   watch.observe("ns/p-0", "uid-1", "p-0", {{"a.test.", "SERVFAIL"}}, 1, now);  // "": not yet
//   watch.observe("ns/p-0", "uid-1", "p-0", {{"a.test.", "SERVFAIL"}}, 1, now + 61s);
//     // "Pod p-0 does not serve 1 of its 1 zones: a.test. (SERVFAIL)"
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zk::managed {

// A zone a server did not serve when asked, and why ("SERVFAIL", "REFUSED", "no SOA", …).
struct UnservedZone {
  std::string zone;
  std::string why;
  friend bool operator==(const UnservedZone&, const UnservedZone&) = default;
};

// What one server said when asked for each of its zones.
struct ServedZones {
  size_t asked = 0;                   // zones it should serve
  std::vector<UnservedZone> failing;  // those it did not answer for
};

class ZoneLoadWatch {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ZoneLoadWatch(Clock::duration grace) : grace_(grace) {}

  // The zones the Pod `key` ("ns/name"; of uid `uid`: a new Pod starts afresh) did not serve in
  // the check made at `now`, of `asked` zones. Returns the ZoneLoadFailed message when some of
  // them have failed since at least `grace` ago ("" when none has), naming at most five.
  std::string observe(const std::string& key, const std::string& uid, std::string_view pod_name,
                      const std::vector<UnservedZone>& failing, size_t asked,
                      Clock::time_point now);
  // The last message observe() returned for `key` ("" when none).
  std::string verdict(const std::string& key) const;
  // The Pod is gone (or not checked any more: not Ready).
  void forget(const std::string& key);
  // The Pods `ns/instance-N` with N >= `kept`: the instance scaled down to `kept` replicas, or
  // (kept 0) is gone.
  void forget_instance(std::string_view ns, std::string_view instance, size_t kept);
  // How many Pods it remembers (for tests).
  size_t pods() const { return pods_.size(); }

 private:
  struct Failing {
    Clock::time_point since;
    std::string why;
  };
  struct PodWatch {
    std::string uid;
    std::map<std::string, Failing> zones;  // by zone name
    std::string verdict;
  };
  Clock::duration grace_;
  std::map<std::string, PodWatch> pods_;
};

}  // namespace zk::managed
