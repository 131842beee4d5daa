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

}  // namespace

tl::expected<void, std::string> seed_bind9_directory(const fs::path& directory) {
  std::error_code ec;
  fs::create_directories(directory / "zones", ec);
  if (ec)
    return tl::unexpected(fmt::format("{}: {}", (directory / "zones").string(), ec.message()));
  const fs::path catalog = directory / "catalog.db";
  if (fs::exists(catalog, ec)) return {};
  return files::write_file_atomically(catalog.string(), managed::initial_catalog_file(now_serial()),
                                      0644);
}

struct Bind9Agent::Impl {
  asio::any_io_executor executor;
  Bind9AgentOptions options;
  managed::ServerSettings settings;
  std::set<Name> zones;
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
    settings.tsig_key_name = options.tsig_key.name.to_string();
    if (settings.tsig_key_name.size() > 1) settings.tsig_key_name.pop_back();  // the root dot
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

  dns::ControlClient control_client() const {
    dns::ControlClientOptions o;
    o.timeout = options.timeout;
    return dns::ControlClient(executor, options.control, options.rndc_key, o);
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
  asio::awaitable<std::optional<std::string>> add(const Name& zone, bool& existed) {
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
    const std::string config = managed::member_zone_options(zone, settings);
    dns::ControlClient rndc = control_client();
    auto answer = co_await rndc.addzone(zone, config);
    existed = !answer && answer.error().control_result == kResultExists;
    co_return failure(zone, "addzone", answer, kResultExists);
  }

  asio::awaitable<std::optional<std::string>> remove(const Name& zone) {
    dns::ControlClient rndc = control_client();
    auto answer = co_await rndc.delzone(zone, /*clean=*/true);
    if (auto f = failure(zone, "delzone", answer, kResultNotFound)) co_return f;
    if (!answer) {  // never added (a file left by a failed addzone): the file goes too
      std::error_code ec;
      if (auto file = managed::member_zone_file(zone)) fs::remove(options.directory / *file, ec);
    }
    co_return std::nullopt;
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
    for (const Name& zone : content.members) {
      if (zones.contains(zone)) continue;
      bool existed = false;
      if (auto failure = co_await add(zone, existed)) {
        out.failures.push_back(*failure);
        continue;
      }
      zones.insert(zone);
      if (existed) {
        log_zone(spdlog::level::info, zone, "already on named (kept from its volume)");
        continue;
      }
      out.added.push_back(zone);
      log_zone(spdlog::level::info, zone, "added (rndc addzone)");
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
      bool due = notified || !last_ok || !leaving.empty();
      notified = false;
      if (!due) {
        auto serial = co_await client.soa_serial(managed::catalog_zone());
        due = !serial || !last_serial || *serial != *last_serial;
      }
      if (due && !stopping) co_await pass();
    }
  }

  ~Impl() {
    *alive = false;
    stop();
  }
};

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
const std::set<Name>& Bind9Agent::zones() const {
  return impl_->zones;
}

}  // namespace zk::app
