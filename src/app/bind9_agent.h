// The agent beside named in a managed Primary's Pod (`zonekeeper bind9-agent`; docs/
// architecture.md, "Managed BIND 9"): keeps named's zones equal to the members of the catalog
// zone — a new member gets its first file and `rndc addzone`, a removed one `rndc delzone
// -clean` — woken by named's NOTIFY of the catalog on loopback and by a periodic SOA check. A
// member's DNSSEC policy (catalog property, managed/dnssec.h) becomes a `dnssec-policy`
// statement in the directory's dnssec-policies.conf (`rndc reconfig` when it grows) and the
// zone's `dnssec-policy` (addzone, or `rndc modzone` when it changes; "insecure" when taken
// away), remembered in zones/NAME.db.dnssec; the options each zone was given are kept in
// zones/NAME.db.conf, and a zone whose options differ from today's gets them (modzone). When
// the key files change (a key rotation), named re-reads them (`rndc reconfig`).
//
//   Bind9Agent agent(io.get_executor(), options);
//   co_await agent.run();                       // until agent.stop()
//   Bind9AgentPass p = co_await agent.pass();   // one pass (tests)
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "dns/client.h"
#include "dns/control_message.h"
#include "dns/tsig.h"
#include "model/name.h"

namespace zk::app {

struct Bind9AgentOptions {
  dns::ServerAddress server{"127.0.0.1", 53};    // named's DNS port
  dns::ServerAddress control{"127.0.0.1", 953};  // named's control channel
  dns::TsigKey tsig_key;                         // transfers the catalog; granted in new zones
  dns::ControlKey rndc_key;                      // addzone, delzone
  // The key files named includes (the keys Secret's tsig.conf and rndc.conf), followed: when
  // their text changes, named re-reads them and the agent signs with their first keys. Empty:
  // the keys above stay.
  std::filesystem::path tsig_key_file, rndc_key_file;
  std::filesystem::path directory;                // named's `directory` (the volume)
  uint16_t notify_port = 5300;                    // 127.0.0.1; 0: no listener (poll only)
  std::chrono::milliseconds poll_interval{5000};  // SOA check of the catalog, NOTIFY or not
  std::chrono::milliseconds timeout{5000};        // per DNS or control operation
  // A zone leaves named only when its member has been out of the catalog this long (seen so
  // by two passes): a member removed by hand, or a catalog being rewritten, does not cost a
  // zone that zonekeeper puts back meanwhile.
  std::chrono::milliseconds delete_grace{5000};
};

// What one pass did.
struct Bind9AgentPass {
  uint32_t catalog_serial = 0;
  std::vector<model::Name> added, deleted;
  std::vector<model::Name> leaving;         // out of the catalog, deleted once delete_grace passed
  std::vector<model::Name> dnssec_changed;  // another dnssec-policy (rndc modzone)
  // One line per zone that could not be added or deleted, or why the catalog was not read.
  std::vector<std::string> failures;
  bool ok() const { return failures.empty(); }
};

// The agent's file of DNSSEC policies (managed::kDnssecPoliciesFile): a comment, then the
// statements (managed::policy_statement, one line each) in name order; and the statements of
// such a file by policy name.
std::string dnssec_policies_file(const std::map<std::string, std::string>& statements);
std::map<std::string, std::string> parse_dnssec_policies_file(std::string_view text);

// What named's control channel answered, and to which key.
struct ControlReply {
  std::string key_name;
  dns::ControlAnswer answer;
};
// Sends `command` with each of `keys` in turn until named takes one: an answer, or an error
// other than ControlAuthFailed, ends it (the last error when named takes none). The agent's
// reconfig after a key change, and its readiness probe (`bind9-agent --probe`: `status`).
boost::asio::awaitable<dns::Result<ControlReply>> control_command_with_keys(
    boost::asio::any_io_executor executor, dns::ServerAddress control,
    std::vector<dns::ControlKey> keys, std::string command, std::chrono::milliseconds timeout);

// Makes `zones/` and the empty DNSSEC policies file, and writes the catalog's first file when
// they are missing; never overwrites
// (the init container's job: named does not start without its catalog's file).
tl::expected<void, std::string> seed_bind9_directory(const std::filesystem::path& directory);

class Bind9Agent {
 public:
  Bind9Agent(boost::asio::any_io_executor executor, Bind9AgentOptions options);
  ~Bind9Agent();
  Bind9Agent(const Bind9Agent&) = delete;
  Bind9Agent& operator=(const Bind9Agent&) = delete;

  // Waits until named answers for the catalog, forgets zones of zones/ that it does not answer
  // for (their files stay: the next pass adds them back from their files if they are members),
  // then passes: at once, on each NOTIFY
  // of the catalog, and every poll_interval when the catalog's serial moved or the last pass
  // failed. Until stop(). The agent must outlive run().
  boost::asio::awaitable<void> run();
  // Ends run() at its next step (a pass in progress finishes first) and closes the listener.
  void stop();
  // Reads zones/ and keeps those named answers for: what start-up knows.
  boost::asio::awaitable<void> recover();
  boost::asio::awaitable<Bind9AgentPass> pass();
  // When the key files' text changed since last acted on: named re-reads them and the agent
  // signs with their first keys (run() does this at each poll; tests call it).
  boost::asio::awaitable<void> follow_keys();
  // The member zones named has, as far as this agent knows.
  const std::set<model::Name>& zones() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zk::app
