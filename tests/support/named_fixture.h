// Real BIND 9 servers for integration tests and benchmarks: throw-away `named` processes on
// loopback ports, with a generated named.conf, TSIG key, rndc key and zone files in a temp dir.
//
//   zk::testbed::NamedServer named({.zones = {"example.test."}});   // started and answering
//   named.nsupdate("update add www.example.test. 300 A 10.0.0.1\nsend\n");
//   EXPECT_EQ(named.dig({"+short", "www.example.test.", "A"}), "10.0.0.1\n");
//   named.tsig_key().secret;                 // base64, for our own UPDATE/AXFR client
//
//   zk::testbed::NamedPair pair({"example.test."});   // primary + secondary (AXFR with TSIG)
//   pair.primary().nsupdate(...);
//   pair.wait_secondary_serial("example.test.", 2);
//
// Every server runs `named -g -n 1` as a child of the test process, logs to DIR/named.log,
// and is stopped (SIGTERM, then SIGKILL) and its directory removed when the object dies —
// also when the test failed. Set ZK_KEEP_TESTDIR=1 to keep the directory for a post-mortem.
// named dies with the thread that started it (child_process.h): create servers on a thread
// that outlives them, e.g. the test's own.
// Errors while setting up throw zk::testbed::FixtureError with the tail of named's log.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/child_process.h"
#include "support/loopback_port.h"

namespace zk::testbed {

enum class TsigAlgorithm { hmac_sha1, hmac_sha224, hmac_sha256, hmac_sha384, hmac_sha512 };

// BIND's spelling: "hmac-sha256".
[[nodiscard]] std::string_view to_string(TsigAlgorithm algorithm);

// A TSIG key and the file that holds it as a BIND `key` statement — the format that named.conf
// includes and that `nsupdate -k`, `dig -k` and `rndc -k` read.
struct TsigKey {
  std::string name;
  TsigAlgorithm algorithm = TsigAlgorithm::hmac_sha256;
  std::string secret;  // base64
  std::filesystem::path file;

  // Runs `tsig-keygen -a ALGORITHM NAME` and writes its output to `file`.
  [[nodiscard]] static TsigKey generate(std::string name, TsigAlgorithm algorithm,
                                        const std::filesystem::path& file);
  // A key with a chosen secret (a copy, or a deliberately wrong one), written to `file`.
  [[nodiscard]] static TsigKey write(std::string name, TsigAlgorithm algorithm, std::string secret,
                                     const std::filesystem::path& file);

  // key "NAME" { algorithm ALG; secret "SECRET"; };
  [[nodiscard]] std::string statement() const;
  // ALG:NAME:SECRET, the argument of `dig -y`.
  [[nodiscard]] std::string dig_argument() const;
};

// The text of a primary zone: SOA, NS ns1.<origin>, the glue A 127.0.0.1 that an in-zone NS
// needs for BIND to load the zone, and any extra records.
struct ZoneFile {
  std::string origin{};  // "example.test." (the trailing dot is added if missing)
  std::uint32_t serial = 1;
  std::uint32_t ttl = 300;
  std::vector<std::string> records{};  // zone-file lines, e.g. "www 300 IN A 10.0.0.1"

  [[nodiscard]] std::string text() const;
  void write(const std::filesystem::path& path) const;
};

// A directory under $TMPDIR (or /tmp), removed with everything in it on destruction unless
// the environment has ZK_KEEP_TESTDIR=1. Directories of test processes that were killed
// before their destructors ran are swept by the next TestDirectory after an hour.
class TestDirectory {
 public:
  explicit TestDirectory(std::string_view label);
  ~TestDirectory();
  TestDirectory(const TestDirectory&) = delete;
  TestDirectory& operator=(const TestDirectory&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

enum class NamedRole { primary, secondary };

class NamedServer;

struct NamedOptions {
  // Zones the server has from its start ("example.test." or "example.test").
  std::vector<std::string> zones{};
  NamedRole role = NamedRole::primary;
  TsigAlgorithm tsig_algorithm = TsigAlgorithm::hmac_sha256;
  std::string tsig_key_name = "zk-test-key";
  // Use this key instead of generating one (a pair shares one key). Copied into the directory.
  std::optional<TsigKey> tsig_key{};
  // Secondary only: the primary's port on 127.0.0.1 (zones are transferred with the TSIG key).
  std::optional<std::uint16_t> primary_port{};
  // Bound on start(), add_zone() and the other waits for named.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(15);
  // false: the constructor only prepares (directory, keys, ports); call start() yourself.
  bool start = true;
  // Names the temp dir (zk-LABEL-XXXXXX) and prefixes error messages.
  std::string label = "named";
  // true: `named -g`, everything named says goes to named.log, one line per updated RR.
  // false (benchmarks): `named -f` with a logging statement that drops the `update` category
  // (10,000 log lines cost ~20% of an UPDATE-heavy run here). Caveat, checked on 9.18: with -f,
  // failures before the config is read (syntax, a taken port) go to syslog, not named.log.
  bool log_updates = true;
  // The whole named.conf instead of the generated one (zonekeeper's managed configuration, in
  // tests/integration/managed_bind_test.cc), written at each start(); it reads the server's
  // ports, keys (tsig.key, rndc.key) and directory. `zones` should then name only the zones
  // that configuration has, so that start() knows what to wait for.
  std::function<std::string(const NamedServer&)> config{};
};

// One `named` process, primary or secondary for its zones.
class NamedServer {
 public:
  explicit NamedServer(NamedOptions options);
  ~NamedServer();
  NamedServer(const NamedServer&) = delete;
  NamedServer& operator=(const NamedServer&) = delete;
  NamedServer(NamedServer&&) = delete;
  NamedServer& operator=(NamedServer&&) = delete;

  // --- identity -------------------------------------------------------------------------
  [[nodiscard]] NamedRole role() const { return options_.role; }
  [[nodiscard]] std::uint16_t port() const { return port_.number(); }
  [[nodiscard]] std::uint16_t control_port() const { return control_port_.number(); }
  // "127.0.0.1:PORT", the form of ZK_DNS_SERVER and of zonekeeper's --server.
  [[nodiscard]] std::string address() const;
  [[nodiscard]] const TsigKey& tsig_key() const { return tsig_key_; }
  [[nodiscard]] const TsigKey& rndc_key() const { return rndc_key_; }
  [[nodiscard]] const std::filesystem::path& directory() const { return directory_.path(); }
  [[nodiscard]] std::filesystem::path config_file() const;
  [[nodiscard]] std::filesystem::path log_file() const;
  [[nodiscard]] std::filesystem::path zone_file(std::string_view zone) const;
  [[nodiscard]] std::filesystem::path journal_file(std::string_view zone) const;
  // Zones served now (from named.conf and added at run time), absolute, lower case.
  [[nodiscard]] std::vector<std::string> zones() const;
  // The pid of the running named, if any.
  [[nodiscard]] std::optional<pid_t> pid() const;
  [[nodiscard]] bool running();

  // --- life cycle -----------------------------------------------------------------------
  // Writes named.conf, starts named and waits until every zone answers SOA (a secondary:
  // once transferred). Fails fast, with the log tail, if named exits or a zone does not load.
  void start();
  // SIGTERM, then SIGKILL after `grace`; reaps the process. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // stop() + start() with the same config and ports; zone files, journals (.jnl) and zones
  // added at run time (_default.nzd) survive.
  void restart();
  // `rndc reload`: re-reads named.conf and the zone files.
  void reload();
  // stop(), replace the zone's file by SOA+NS(+glue) only with `serial`, delete its journal,
  // start(): the server came back empty.
  void wipe_zone_and_restart(std::string_view zone, std::uint32_t serial = 1);
  // Primary only, before start(): also NOTIFY 127.0.0.1#port (signed with the TSIG key).
  void add_notify_target(std::uint16_t port);

  // --- zones at run time (rndc addzone / delzone) ---------------------------------------
  // Primary: writes ZoneFile{zone} first. Secondary: transfers it from the primary. Waits
  // until the zone answers SOA.
  void add_zone(std::string_view zone);
  void add_zone(const ZoneFile& zone);  // primary only: with this content
  // `rndc delzone -clean`: the zone, its file and its journal are gone.
  void delete_zone(std::string_view zone);

  // --- clients (the real BIND tools) ----------------------------------------------------
  // `dig @127.0.0.1 -p PORT +tcp +time=5 +tries=1 ARGS...`; the overload with a key signs
  // the query (-y ALG:NAME:SECRET). Returns stdout (where dig also prints its own errors,
  // e.g. ";; communications error"; use dig_command() for the exit code).
  [[nodiscard]] std::string dig(const std::vector<std::string>& args) const;
  [[nodiscard]] std::string dig(const std::vector<std::string>& args, const TsigKey& key) const;
  [[nodiscard]] CommandResult dig_command(const std::vector<std::string>& args,
                                          const TsigKey* key = nullptr) const;
  // The zone's SOA serial as this server answers it now (authoritatively), if it answers.
  // One UDP query (soa_probe.h), not a dig process: cheap enough to poll every few ms.
  [[nodiscard]] std::optional<std::uint32_t> soa_serial(std::string_view zone) const;
  // Waits until soa_serial(zone) >= serial. False on timeout.
  [[nodiscard]] bool wait_for_serial(
      std::string_view zone, std::uint32_t serial,
      std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
  // `nsupdate -k KEYFILE` with "server 127.0.0.1 PORT" and then `script` on stdin.
  [[nodiscard]] CommandResult nsupdate(std::string_view script) const;
  [[nodiscard]] CommandResult nsupdate(std::string_view script, const TsigKey& key) const;
  // `rndc -k RNDCKEY -s 127.0.0.1 -p CONTROLPORT ARGS...`
  [[nodiscard]] CommandResult rndc(const std::vector<std::string>& args) const;
  // The last `lines` lines of named's log, for failure messages.
  [[nodiscard]] std::string log_tail(std::size_t lines = 40) const;

 private:
  void write_config() const;
  [[nodiscard]] std::string zone_statement_body(std::string_view zone) const;
  void wait_until_serving(const std::vector<std::string>& zones);
  void rndc_or_throw(const std::vector<std::string>& args) const;
  [[nodiscard]] std::string log_since_start() const;
  [[noreturn]] void fail(std::string_view what) const;

  NamedOptions options_;
  TestDirectory directory_;
  LoopbackPort port_;
  LoopbackPort control_port_;
  TsigKey tsig_key_;
  TsigKey rndc_key_;
  std::vector<std::string> config_zones_;  // declared in named.conf
  std::vector<std::string> added_zones_;   // added with rndc addzone (kept in _default.nzd)
  std::vector<std::uint16_t> notify_ports_;
  std::uintmax_t log_offset_ = 0;          // where the current start's part of named.log begins
  std::unique_ptr<ChildProcess> process_;  // destroyed before directory_
};

// A primary and a secondary for the same zones. The primary NOTIFYs the secondary (signed),
// the secondary transfers with TSIG (IXFR, or AXFR at first).
class NamedPair {
 public:
  explicit NamedPair(const std::vector<std::string>& zones,
                     TsigAlgorithm algorithm = TsigAlgorithm::hmac_sha256);

  [[nodiscard]] NamedServer& primary() { return primary_; }
  [[nodiscard]] NamedServer& secondary() { return secondary_; }
  [[nodiscard]] const NamedServer& primary() const { return primary_; }
  [[nodiscard]] const NamedServer& secondary() const { return secondary_; }

  // On both servers; returns once the secondary serves the zone.
  void add_zone(std::string_view zone);
  void delete_zone(std::string_view zone);
  // Waits until the secondary answers the zone's SOA with a serial >= `serial`.
  [[nodiscard]] bool wait_secondary_serial(
      std::string_view zone, std::uint32_t serial,
      std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

 private:
  NamedServer primary_;
  NamedServer secondary_;
};

}  // namespace zk::testbed
