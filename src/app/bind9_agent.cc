#include "app/bind9_agent.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "dns/control_client.h"
#include "dns/message.h"
#include "files/atomic_write.h"
#include "managed/catalog.h"
#include "managed/dnssec.h"
#include "managed/named_config.h"
#include "telemetry/logging.h"

namespace zk::app {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using model::Name;

namespace {

// named's isc_result_t values the agent expects as answers (lib/isc/include/isc/result.h).
constexpr uint32_t kResultExists = 18;    // ISC_R_EXISTS: addzone of a zone named has
constexpr uint32_t kResultNotFound = 23;  // ISC_R_NOTFOUND: delzone of a zone named lacks

uint32_t now_serial() {
  return static_cast<uint32_t>(std::time(nullptr));
}

void log_zone(spdlog::level::level_enum level, const Name& zone, std::string_view message) {
  telemetry::log(level, {{"zone", zone.to_string()}}, message);
}

// The DNSSEC policy a zone should have now. `wanted`: the catalog's ("" none; nullopt: its
// property unreadable, leave the zone as it is); `applied`: what named has. A policy taken
// away becomes "insecure" (named unpublishes the keys, then unsigns), never none at once: that
// would leave signatures to expire under the DS the parent still has.
std::string target_policy(const std::optional<std::string>& wanted, const std::string& applied) {
  if (!wanted) return applied;
  if (!wanted->empty()) return *wanted;
  return applied.empty() ? std::string() : std::string("insecure");
}

}  // namespace

std::string dnssec_policies_file(const std::map<std::string, std::string>& statements) {
  std::string out =
      "// The DNSSEC policies of the signed member zones, written by zonekeeper's agent; "
      "named.conf\n"
      "// includes this file. Policies are added, never removed: a zone's configuration in the\n"
      "// new-zone database may still name one, and named refuses a policy it does not know.\n";
  for (const auto& [name, statement] : statements) out += statement;
  return out;
}

std::map<std::string, std::string> parse_dnssec_policies_file(std::string_view text) {
  std::map<std::string, std::string> out;
  constexpr std::string_view kStart = "dnssec-policy \"";
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(kStart)) continue;
    const size_t quote = line.find('"', kStart.size());
    if (quote == std::string_view::npos) continue;
    out.emplace(std::string(line.substr(kStart.size(), quote - kStart.size())),
                std::string(line) + "\n");
  }
  return out;
}

tl::expected<void, std::string> seed_bind9_directory(const fs::path& directory) {
  std::error_code ec;
  fs::create_directories(directory / "zones", ec);
  if (ec)
    return tl::unexpected(fmt::format("{}: {}", (directory / "zones").string(), ec.message()));
  // named.conf includes the DNSSEC policies: an empty file until a zone is signed.
  const fs::path policies = directory / managed::kDnssecPoliciesFile;
  if (!fs::exists(policies, ec)) {
    if (auto w = files::write_file_atomically(policies.string(), dnssec_policies_file({}), 0644);
        !w) {
      return tl::unexpected(w.error());
    }
  }
  const fs::path catalog = directory / "catalog.db";
  if (fs::exists(catalog, ec)) return {};
  return files::write_file_atomically(catalog.string(), managed::initial_catalog_file(now_serial()),
                                      0644);
}

struct Bind9Agent::Impl {
  asio::any_io_executor executor;
  Bind9AgentOptions options;
  std::set<Name> zones;
  // The dnssec-policy named has for each zone of `zones` (absent: none); kept on the volume in
  // zones/NAME.db.dnssec, beside the zone's file.
  std::map<Name, std::string> applied;
  // The options named has for each zone (rndc addzone / modzone), kept in zones/NAME.db.conf:
  // a zone added by an agent that wrote other options (an older version's) is given today's.
  std::map<Name, std::string> configured;
  // The rndc keys of the key file, the one named takes first; the key files' text last acted on.
  std::vector<dns::ControlKey> rndc_keys;
  std::string keys_seen;
  // The statements of kDnssecPoliciesFile, by policy name.
  std::map<std::string, std::string> policies;
  bool policies_read = false;
  std::optional<uint32_t> last_serial;
  // Zones out of the catalog, and since when (delete_grace).
  std::map<Name, std::chrono::steady_clock::time_point> leaving;
  bool last_ok = false;
  bool notified = false;
  std::vector<std::string> last_problems;
  asio::steady_timer wake;
  bool stopping = false;
  std::shared_ptr<asio::ip::udp::socket> notify_socket;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  Impl(asio::any_io_executor ex, Bind9AgentOptions o)
      : executor(ex), options(std::move(o)), wake(ex) {
    rndc_keys.push_back(options.rndc_key);
    if (auto text = key_files_text()) keys_seen = std::move(*text);
  }

  // Both key files' text (nullopt: not followed, or unreadable).
  std::optional<std::string> key_files_text() const {
    if (options.tsig_key_file.empty() || options.rndc_key_file.empty()) return std::nullopt;
    std::string out;
    for (const fs::path& p : {options.tsig_key_file, options.rndc_key_file}) {
      auto text = files::read_file(p.string());
      if (!text || !*text) return std::nullopt;
      out += **text;
      out += '\0';
    }
    return out;
  }

  // The keys Secret changed (the kubelet rewrote the files, a key rotation): named re-reads
  // them (`rndc reconfig`, with the first rndc key that it takes: the new files' first, else
  // the one used so far), and the agent signs with the new files' first keys.
  asio::awaitable<void> follow_keys() {
    auto text = key_files_text();
    if (!text || *text == keys_seen) co_return;
    // key_files_text: the TSIG key file's text, NUL, the rndc key file's, NUL.
    const std::string_view both(*text);
    const size_t split = both.find('\0');
    auto tsig = dns::TsigKey::parse_bind_key(both.substr(0, split));
    auto rndc = dns::ControlKey::parse_bind_keys(both.substr(split + 1, both.size() - split - 2),
                                                 options.rndc_key_file.string());
    if (!tsig || !rndc) {
      spdlog::warn("agent: the key files changed but cannot be read: {} (named keeps its keys)",
                   !tsig ? tsig.error().message : rndc.error().message);
      keys_seen = std::move(*text);  // not again until they change
      co_return;
    }
    std::vector<dns::ControlKey> tries = *rndc;
    tries.push_back(rndc_keys.front());
    const std::string command = "reconfig";
    auto reply = co_await control_command_with_keys(executor, options.control, tries, command,
                                                    options.timeout);
    if (!reply) {
      spdlog::warn("agent: the key files changed: rndc reconfig: {} (tried again)",
                   reply.error().to_string());
      co_return;
    }
    options.tsig_key = std::move(*tsig);
    rndc_keys = std::move(*rndc);
    keys_seen = std::move(*text);
    spdlog::info(
        "agent: the key files changed: named re-read them (rndc reconfig); signing with "
        "TSIG key {} and rndc key {}",
        options.tsig_key.name.to_string(), rndc_keys.front().name);
  }

  dns::ClientOptions client_options() const {
    dns::ClientOptions o;
    o.key = options.tsig_key;
    o.timeout = options.timeout;
    return o;
  }

  // The zones the agent added earlier: a file zones/NAME.db for each.
  std::vector<Name> zones_on_disk() const {
    std::vector<Name> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options.directory / "zones", ec)) {
      const std::string file = entry.path().filename().string();
      if (!file.ends_with(".db")) continue;
      auto name = Name::parse(file.substr(0, file.size() - 3) + ".");
      if (name && managed::member_zone_file(*name)) out.push_back(*name);
    }
    return out;
  }

  fs::path policies_path() const { return options.directory / managed::kDnssecPoliciesFile; }

  std::optional<fs::path> marker_path(const Name& zone) const {
    auto file = managed::member_zone_file(zone);
    if (!file) return std::nullopt;
    return options.directory / (*file + ".dnssec");
  }

  std::optional<fs::path> options_path(const Name& zone) const {
    auto file = managed::member_zone_file(zone);
    if (!file) return std::nullopt;
    return options.directory / (*file + ".conf");
  }

  void read_marker(const Name& zone) {
    if (auto conf = options_path(zone)) {
      auto text = files::read_file(conf->string());
      if (text && *text) configured[zone] = std::move(**text);
    }
    auto path = marker_path(zone);
    if (!path) return;
    auto text = files::read_file(path->string());
    if (!text) {
      spdlog::warn("agent: {}", text.error());
      return;
    }
    if (!*text) return;
    std::string policy = std::move(**text);
    while (!policy.empty() && (policy.back() == '\n' || policy.back() == ' ')) policy.pop_back();
    if (!policy.empty()) applied[zone] = policy;
  }

  // What named now has for the zone: its policy and options (`config`; "" when it was deleted).
  std::optional<std::string> write_marker(const Name& zone, const std::string& policy,
                                          const std::string& config) {
    auto path = marker_path(zone);
    auto conf = options_path(zone);
    if (!path || !conf) return std::nullopt;
    std::error_code ec;
    if (config.empty()) {
      fs::remove(*conf, ec);
      configured.erase(zone);
    } else if (auto w = files::write_file_atomically(conf->string(), config, 0644); !w) {
      return fmt::format("{}: {}", zone.to_string(), w.error());
    } else {
      configured[zone] = config;
    }
    if (policy.empty()) {
      fs::remove(*path, ec);
      applied.erase(zone);
      return std::nullopt;
    }
    applied[zone] = policy;
    if (auto w = files::write_file_atomically(path->string(), policy + "\n", 0644); !w) {
      return fmt::format("{}: {}", zone.to_string(), w.error());
    }
    return std::nullopt;
  }

  std::string applied_policy(const Name& zone) const {
    auto it = applied.find(zone);
    return it == applied.end() ? std::string() : it->second;
  }

  // Adds the policies `wanted` names that the file lacks, and has named read them.
  asio::awaitable<std::optional<std::string>> ensure_policies(
      const std::map<std::string, std::string>& wanted) {
    if (!policies_read) {
      // Never rewrite a file that could not be read: it may name policies zones still use.
      auto text = files::read_file(policies_path().string());
      if (!text) co_return text.error();
      policies = parse_dnssec_policies_file(text->value_or(""));
      policies_read = true;
    }
    bool added = false;
    for (const auto& [name, statement] : wanted) added |= policies.emplace(name, statement).second;
    if (!added) co_return std::nullopt;
    if (auto w = files::write_file_atomically(policies_path().string(),
                                              dnssec_policies_file(policies), 0644);
        !w) {
      policies_read = false;  // read again next time
      co_return fmt::format("DNSSEC policies: {}", w.error());
    }
    dns::ControlClient rndc = control_client();
    auto answer = co_await rndc.command("reconfig");
    if (!answer) {
      policies_read = false;
      co_return fmt::format("DNSSEC policies: rndc reconfig: {}", answer.error().to_string());
    }
    spdlog::info("agent: {} DNSSEC polic{} in {} (rndc reconfig)", policies.size(),
                 policies.size() == 1 ? "y" : "ies", policies_path().string());
    co_return std::nullopt;
  }

  // Does named have the options the agent gives the zone today, with `policy`?
  bool configured_as(const Name& zone, const std::string& policy) const {
    auto it = configured.find(zone);
    return policy == applied_policy(zone) && it != configured.end() &&
           it->second == managed::member_zone_options(zone, policy);
  }

  // A zone named has whose policy or options are not the ones wanted: `rndc modzone` with the
  // whole configuration (named keeps the keys of a policy it leaves and rolls to the new one's).
  asio::awaitable<std::optional<std::string>> configure(const Name& zone,
                                                        const std::string& policy) {
    const std::string config = managed::member_zone_options(zone, policy);
    dns::ControlClient rndc = control_client();
    auto answer = co_await rndc.command(fmt::format("modzone {} {}", zone.to_string(), config));
    if (auto f = failure(zone, "modzone", answer, 0)) co_return f;
    co_return write_marker(zone, policy, config);
  }

  // Logs what configure() changed: the policy, or only the options.
  void log_configured(const Name& zone, const std::string& before, const std::string& policy) {
    log_zone(spdlog::level::info, zone,
             policy != before
                 ? fmt::format("dnssec-policy {} (rndc modzone)", policy.empty() ? "none" : policy)
                 : std::string("options brought up to date (rndc modzone)"));
  }

  dns::ControlClient control_client() const {
    return dns::ControlClient(executor, options.control, rndc_keys.front(),
                              dns::ControlClientOptions{.timeout = options.timeout});
  }

  // Failures say the zone and named's words; "already exists" / "not found" are what was wanted.
  static std::optional<std::string> failure(const Name& zone, std::string_view what,
                                            const dns::Result<dns::ControlAnswer>& answer,
                                            uint32_t fine) {
    if (answer) return std::nullopt;
    if (answer.error().code == dns::ErrorCode::ControlCommandFailed &&
        answer.error().control_result == fine) {
      return std::nullopt;
    }
    return fmt::format("{}: {}: {}", zone.to_string(), what, answer.error().to_string());
  }

  // `existed`: named had the zone already (from its volume's new-zone database).
  asio::awaitable<std::optional<std::string>> add(const Name& zone, const std::string& policy,
                                                  bool& existed) {
    const auto file = managed::member_zone_file(zone);
    if (!file) {
      co_return fmt::format(
          "{}: not a name a zone file can be made for (letters, digits, '-' "
          "and '_' only)",
          zone.to_string());
    }
    const fs::path path = options.directory / *file;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (auto w = files::write_file_atomically(path.string(),
                                                managed::initial_zone_file(now_serial()), 0644);
          !w) {
        co_return fmt::format("{}: {}", zone.to_string(), w.error());
      }
    }
    const std::string config = managed::member_zone_options(zone, policy);
    dns::ControlClient rndc = control_client();
    auto answer = co_await rndc.addzone(zone, config);
    existed = !answer && answer.error().control_result == kResultExists;
    if (auto f = failure(zone, "addzone", answer, kResultExists)) co_return f;
    if (existed) co_return std::nullopt;  // named keeps its own configuration: see pass()
    co_return write_marker(zone, policy, config);
  }

  asio::awaitable<std::optional<std::string>> remove(const Name& zone) {
    dns::ControlClient rndc = control_client();
    auto answer = co_await rndc.delzone(zone, /*clean=*/true);
    if (auto f = failure(zone, "delzone", answer, kResultNotFound)) co_return f;
    if (!answer) {  // never added (a file left by a failed addzone): the file goes too
      std::error_code ec;
      if (auto file = managed::member_zone_file(zone)) fs::remove(options.directory / *file, ec);
    }
    // The keys stay in the directory (named's key-directory): a zone added again is signed
    // with them, so the DS at the parent still matches.
    co_return write_marker(zone, "", "");
  }

  asio::awaitable<Bind9AgentPass> pass() {
    Bind9AgentPass out;
    dns::Client client(executor, options.server, client_options());
    auto snapshot = co_await client.axfr(managed::catalog_zone());
    if (!snapshot) {
      out.failures.push_back(fmt::format("transfer of the catalog {} from {}: {}",
                                         managed::catalog_zone().to_string(),
                                         options.server.to_string(), snapshot.error().to_string()));
      co_return out;
    }
    out.catalog_serial = snapshot->serial;
    const managed::CatalogContent content =
        managed::catalog_members(managed::catalog_zone(), snapshot->rrsets);
    if (content.problems != last_problems) {
      for (const auto& p : content.problems) spdlog::warn("catalog: {}", p);
      last_problems = content.problems;
    }
    // A catalog whose format we do not know deletes nothing.
    if (!content.known_version) {
      out.failures.push_back(content.problems.front());
      co_return out;
    }
    // Each member's DNSSEC policy ("" none; nullopt: leave it as it is), and the policies
    // named must know before a zone may name one.
    std::map<Name, std::optional<std::string>> wanted;
    std::map<std::string, std::string> statements;
    for (const Name& zone : content.members) {
      auto text = content.dnssec_policies.find(zone);
      if (content.dnssec_unknown.contains(zone)) {
        wanted.emplace(zone, std::nullopt);
      } else if (text == content.dnssec_policies.end()) {
        wanted.emplace(zone, std::string());
      } else if (auto policy = managed::parse_policy_text(text->second); !policy) {
        out.failures.push_back(fmt::format("{}: {}", zone.to_string(), policy.error()));
        wanted.emplace(zone, std::nullopt);
      } else {
        statements.emplace(managed::policy_name(*policy), managed::policy_statement(*policy));
        wanted.emplace(zone, managed::policy_name(*policy));
      }
    }
    if (auto failure = co_await ensure_policies(statements)) {
      // No zone may name a policy named does not have: the signed ones wait for the next pass.
      out.failures.push_back(*failure);
      for (auto& [zone, w] : wanted) {
        if (w && !w->empty() && !policies.contains(*w)) w = std::nullopt;
      }
    }
    for (const Name& zone : content.members) {
      const std::string policy = target_policy(wanted.at(zone), applied_policy(zone));
      if (zones.contains(zone)) {
        if (configured_as(zone, policy)) continue;
        const std::string before = applied_policy(zone);
        if (auto failure = co_await configure(zone, policy)) {
          out.failures.push_back(*failure);
          continue;
        }
        if (policy != before) out.dnssec_changed.push_back(zone);
        log_configured(zone, before, policy);
        continue;
      }
      bool existed = false;
      if (auto failure = co_await add(zone, policy, existed)) {
        out.failures.push_back(*failure);
        continue;
      }
      zones.insert(zone);
      if (existed) {
        log_zone(spdlog::level::info, zone, "already on named (kept from its volume)");
        read_marker(zone);
        if (!configured_as(zone, policy)) {
          const std::string before = applied_policy(zone);
          if (auto failure = co_await configure(zone, policy)) {
            out.failures.push_back(*failure);
          } else {
            if (policy != before) out.dnssec_changed.push_back(zone);
            log_configured(zone, before, policy);
          }
        }
        continue;
      }
      out.added.push_back(zone);
      log_zone(spdlog::level::info, zone,
               policy.empty() ? "added (rndc addzone)"
                              : fmt::format("added (rndc addzone), dnssec-policy {}", policy));
    }
    const auto now = std::chrono::steady_clock::now();
    for (auto it = zones.begin(); it != zones.end();) {
      if (content.members.contains(*it) || content.ambiguous.contains(*it)) {
        leaving.erase(*it);
        ++it;
        continue;
      }
      const auto since = leaving.emplace(*it, now).first->second;
      if (now - since < options.delete_grace) {
        out.leaving.push_back(*it);
        ++it;
        continue;
      }
      if (auto failure = co_await remove(*it)) {
        out.failures.push_back(*failure);
        ++it;
        continue;
      }
      out.deleted.push_back(*it);
      log_zone(spdlog::level::info, *it, "deleted (rndc delzone -clean)");
      leaving.erase(*it);
      it = zones.erase(it);
    }
    for (auto it = leaving.begin(); it != leaving.end();) {  // gone or back meanwhile
      it = zones.contains(it->first) ? std::next(it) : leaving.erase(it);
    }
    for (const auto& f : out.failures) spdlog::warn("agent: {}", f);
    last_serial = out.catalog_serial;
    last_ok = out.ok();
    co_return out;
  }

  asio::awaitable<void> recover() {
    dns::Client client(executor, options.server, client_options());
    for (const Name& zone : zones_on_disk()) {
      auto serial = co_await client.soa_serial(zone);
      if (serial) {
        zones.insert(zone);
        read_marker(zone);
      } else {
        log_zone(spdlog::level::warn, zone,
                 "has a file but named does not answer for it: added again if it is a member");
      }
    }
  }

  // Answers NOTIFYs of the catalog on 127.0.0.1 and wakes the loop. It may outlive the Impl
  // by one completion (a datagram already queued when stop() closed the socket): it touches
  // `self` only while `alive` says so.
  static asio::awaitable<void> listen(Impl* self, std::shared_ptr<asio::ip::udp::socket> socket,
                                      std::shared_ptr<bool> alive) {
    using asio::ip::udp;
    std::vector<uint8_t> buf(dns::kMaxMessage);
    for (;;) {
      udp::endpoint from;
      boost::system::error_code ec;
      const size_t n = co_await socket->async_receive_from(
          asio::buffer(buf), from, asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive || !socket->is_open()) co_return;
      if (ec) continue;
      auto msg = dns::parse_message(std::span<const uint8_t>(buf.data(), n));
      if (!msg || msg->opcode != dns::Opcode::Notify || msg->qr || !msg->qname) continue;
      dns::MessageWriter reply(msg->id, dns::Opcode::Notify, /*authoritative=*/true);
      reply.question(*msg->qname, dns::kTypeSOA);
      std::vector<uint8_t> wire = reply.finish();
      wire[2] |= 0x80;  // QR: a response
      co_await socket->async_send_to(asio::buffer(wire), from,
                                     asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive) co_return;
      if (*msg->qname == managed::catalog_zone()) {
        self->notified = true;
        self->wake.cancel();
      }
    }
  }

  void open_listener() {
    using asio::ip::udp;
    notify_socket = std::make_shared<udp::socket>(executor);
    boost::system::error_code ec;
    notify_socket->open(udp::v4(), ec);
    if (!ec) {
      notify_socket->bind(
          udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), options.notify_port), ec);
    }
    if (ec) {
      spdlog::error("agent: cannot listen for NOTIFY on 127.0.0.1:{}: {} (polling only)",
                    options.notify_port, ec.message());
      notify_socket.reset();
      return;
    }
    asio::co_spawn(executor, listen(this, notify_socket, alive), asio::detached);
  }

  void stop() {
    stopping = true;
    wake.cancel();
    if (notify_socket) {
      boost::system::error_code ec;
      notify_socket->close(ec);
    }
  }

  // named starts beside the agent: until it answers for the catalog, the zones of the volume
  // cannot be told apart from zones it lost.
  asio::awaitable<void> wait_for_named() {
    dns::Client client(executor, options.server, client_options());
    bool told = false;
    while (!stopping) {
      if (auto serial = co_await client.soa_serial(managed::catalog_zone())) co_return;
      if (!std::exchange(told, true)) {
        spdlog::info("agent: waiting for named at {} to answer for {}", options.server.to_string(),
                     managed::catalog_zone().to_string());
      }
      wake.expires_after(std::chrono::milliseconds(250));
      boost::system::error_code ec;
      co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::awaitable<void> run() {
    co_await wait_for_named();
    if (stopping) co_return;
    co_await recover();
    if (options.notify_port != 0 && !stopping) open_listener();
    if (!stopping) co_await pass();
    dns::Client client(executor, options.server, client_options());
    while (!stopping) {
      if (!notified) {
        wake.expires_after(leaving.empty()
                               ? options.poll_interval
                               : std::min(options.poll_interval,
                                          options.delete_grace + std::chrono::milliseconds(50)));
        boost::system::error_code ec;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping) break;
      }
      co_await follow_keys();
      bool due = notified || !last_ok || !leaving.empty();
      notified = false;
      if (!due) {
        auto serial = co_await client.soa_serial(managed::catalog_zone());
        due = !serial || !last_serial || *serial != *last_serial;
      }
      if (due && !stopping) co_await pass();
    }
  }

  // NOLINTNEXTLINE(bugprone-exception-escape): a timer's cancel() cannot fail on Linux.
  ~Impl() {
    *alive = false;
    stop();
  }
};

asio::awaitable<dns::Result<ControlReply>> control_command_with_keys(
    asio::any_io_executor executor, dns::ServerAddress control, std::vector<dns::ControlKey> keys,
    std::string command, std::chrono::milliseconds timeout) {
  dns::Result<ControlReply> out =
      tl::unexpected(dns::Error{dns::ErrorCode::InvalidArgument, "no control key"});
  for (const dns::ControlKey& key : keys) {
    dns::ControlClient client(executor, control, key,
                              dns::ControlClientOptions{.timeout = timeout});
    auto answer = co_await client.command(command);
    if (answer) co_return ControlReply{key.name, std::move(*answer)};
    out = tl::unexpected(std::move(answer.error()));
    if (out.error().code != dns::ErrorCode::ControlAuthFailed) break;
  }
  co_return out;
}

Bind9Agent::Bind9Agent(asio::any_io_executor executor, Bind9AgentOptions options)
    : impl_(std::make_unique<Impl>(executor, std::move(options))) {}
Bind9Agent::~Bind9Agent() = default;

asio::awaitable<void> Bind9Agent::run() {
  return impl_->run();
}
void Bind9Agent::stop() {
  impl_->stop();
}
asio::awaitable<void> Bind9Agent::recover() {
  return impl_->recover();
}
asio::awaitable<Bind9AgentPass> Bind9Agent::pass() {
  return impl_->pass();
}
asio::awaitable<void> Bind9Agent::follow_keys() {
  return impl_->follow_keys();
}
const std::set<Name>& Bind9Agent::zones() const {
  return impl_->zones;
}

}  // namespace zk::app
