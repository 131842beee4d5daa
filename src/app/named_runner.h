// The BIND 9 `named` that local mode runs: its configuration lives in a state folder, it
// listens only where --listen says, and one fresh TSIG key (written to STATE/tsig.key on every
// start) may change everything in its zones.
//
//   NamedRunner named({.state_dir = "/tmp/zk", .address = "127.0.0.1", .port = 5353});
//   if (auto ok = named.start({"example.test."}); !ok) fail(ok.error());
//   named.set_zones({"example.test.", "other.test."});   // zones.conf + `rndc reconfig`
//   named.key();                                          // the TSIG key, for the DNSServer
//   named.stop();                                         // SIGTERM, wait (SIGKILL after 5 s)
//
// STATE holds named.conf (options, the keys, a keyed rndc channel on a free loopback port),
// zones.conf (one `zone` statement per zone), zones/Z.db (SOA + `NS localhost.` when first
// created; kept with its .jnl journal afterwards, so a restart serves what was served) and
// named.log. Changing the zone set rewrites zones.conf and runs `rndc reconfig`: new zones are
// loaded and removed ones dropped while the others keep answering. Zone files of removed
// zones stay (re-adding the zone brings them back, and the controller removes what nothing
// declares). Blocking calls: used by local mode between its event batches.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include <tl/expected.hpp>

#include "files/file_descriptor.h"

namespace zk::app {

struct NamedOptions {
  std::string state_dir;  // absolute
  std::string address = "127.0.0.1";
  uint16_t port = 5353;
  std::chrono::milliseconds start_timeout{std::chrono::seconds(15)};
};

struct NamedKey {
  std::string name = "zonekeeper-local";
  std::string algorithm = "hmac-sha256";
  std::string secret;  // base64
};

class NamedRunner {
 public:
  explicit NamedRunner(NamedOptions options);
  ~NamedRunner();
  NamedRunner(const NamedRunner&) = delete;
  NamedRunner& operator=(const NamedRunner&) = delete;

  // The path of Debian's named and rndc, or one line saying how to install bind9.
  static tl::expected<std::string, std::string> find_tool(const std::string& name);

  // Zone names are absolute and lowercase ("example.test."), letters, digits, '-', '_' only
  // (check with valid_zone_name). Starts named and waits until every zone answers SOA.
  tl::expected<void, std::string> start(const std::set<std::string>& zones);
  // Reconfigures named for exactly `zones`; waits until the added ones answer SOA.
  tl::expected<void, std::string> set_zones(const std::set<std::string>& zones);
  // Idempotent.
  void stop();

  static bool valid_zone_name(const std::string& zone);

  const NamedKey& key() const { return key_; }
  const NamedOptions& options() const { return options_; }
  const std::set<std::string>& zones() const { return zones_; }
  pid_t pid() const { return pid_; }
  bool running() const;

 private:
  tl::expected<void, std::string> write_zones(const std::set<std::string>& zones);
  tl::expected<void, std::string> wait_serving(const std::set<std::string>& zones);
  std::string log_tail() const;

  NamedOptions options_;
  NamedKey key_;
  NamedKey rndc_key_;
  std::string named_, rndc_;
  uint16_t control_port_ = 0;
  std::set<std::string> zones_;
  pid_t pid_ = -1;
  files::FileDescriptor lock_;  // flock()ed: one zonekeeper per state folder
};

}  // namespace zk::app
