#include "app/local_mode.h"

#include <limits.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/kind.h"
#include "api/zone.h"
#include "app/local_catalog.h"
#include "app/local_status.h"
#include "app/manifest_folder.h"
#include "app/named_runner.h"
#include "app/status_api.h"
#include "app/ui_api.h"
#include "controller/controller.h"
#include "dns/client.h"
#include "files/atomic_write.h"
#include "model/ascii.h"
#include "providers/hosts_file.h"
#include "providers/rfc2136_factory.h"
#include "server/http_server.h"
#include "telemetry/log_feed.h"
#include "telemetry/logging.h"
#include "telemetry/metrics.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;
using controller::ObjectRef;
using controller::SecretState;

namespace {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string default_state_dir(const std::string& manifests) {
  std::string base;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) {
    base = x;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.local/state";
  } else {
    base = "/tmp";
  }
  return fmt::format("{}/zonekeeper/local-{:08x}", base, fnv1a(manifests) & 0xffffffffu);
}

bool make_dirs(const std::string& path) {
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    cur = path.substr(0, pos);
    if (cur.empty()) continue;
    if (mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

std::string absolute(const std::string& p) {
  char buf[PATH_MAX];
  if (realpath(p.c_str(), buf)) return buf;
  if (!p.empty() && p[0] == '/') return p;
  if (getcwd(buf, sizeof(buf))) return std::string(buf) + "/" + p;
  return p;
}

class Local {
 public:
  Local(asio::io_context& io, const LocalOptions& o, std::string manifests, std::string state,
        dns::ServerAddress listen, bool table)
      : io_(io),
        options_(o),
        manifests_(std::move(manifests)),
        listen_(std::move(listen)),
        table_(table),
        named_(NamedOptions{std::move(state), listen_.host, listen_.port}),
        status_(LocalStatusOptions{table}, [this](const ObjectRef& r) { return describe(r); }),
        controller_(io.get_executor(), controller_options(o), status_, metrics_, providers_),
        inotify_(io),
        redraw_(io) {
    status_.on_change([this] { schedule_output(); });
  }

  telemetry::Metrics& metrics() { return metrics_; }
  controller::Controller& controller() { return controller_; }
  NamedRunner& named() { return named_; }
  bool converged() const { return started_ && controller_.idle(); }

  // Reads the folder, starts named for its zones, feeds the controller. Blocking.
  tl::expected<void, std::string> start() {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return tl::unexpected(fmt::format("inotify: {}", std::strerror(errno)));
    inotify_.assign(fd);
    if (inotify_add_watch(fd, manifests_.c_str(),
                          IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
                              IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
      return tl::unexpected(fmt::format("cannot watch {}: {}", manifests_, std::strerror(errno)));
    }
    rescan_all();
    auto next = build();
    auto zones = zone_set(next);
    if (auto ok = named_.start(zones); !ok) return tl::unexpected(ok.error());
    spdlog::info("named (pid {}) serves {} zone(s) on {}; state in {}", named_.pid(), zones.size(),
                 listen_.to_string(), named_.options().state_dir);
    status_.set_header(fmt::format("zonekeeper local: {} -> named on {} (Ctrl-C stops)", manifests_,
                                   listen_.to_string()));
    apply(std::move(next), /*named_zones_done=*/true);
    controller_.start();
    started_ = true;
    asio::co_spawn(io_, watch(), asio::detached);
    asio::co_spawn(io_, watch_named(), asio::detached);
    return {};
  }

  void shutdown() {
    stopping_ = true;
    controller_.stop();
    boost::system::error_code ec;
    inotify_.close(ec);
    redraw_.cancel();
    named_.stop();
  }

  int exit_code() const { return exit_code_; }

 private:
  static controller::ControllerOptions controller_options(const LocalOptions& o) {
    controller::ControllerOptions c;
    c.drift_interval = o.drift_interval;
    return c;
  }

  // --------------------------------------------------------------- the folder

  void read_file(const std::string& path) {
    auto text = files::read_file(path);
    if (!text || !*text) {  // gone (or unreadable): its objects go
      if (!text) spdlog::warn("{}", text.error());
      files_.erase(path);
      return;
    }
    files_[path] = parse_manifests(**text, path);
  }

  void rescan_all() {
    std::string error;
    auto paths = list_manifest_files(manifests_, &error);
    if (!error.empty()) spdlog::error("{}", error);
    files_.clear();
    for (const auto& p : paths) read_file(p);
  }

  LocalCatalog build() const { return catalog_of(files_); }

  // The zones named serves: every DNSZone that decodes, by zone name.
  std::set<std::string> zone_set(LocalCatalog& c) const {
    std::set<std::string> zones;
    for (const auto& [key, d] : c.objects) {
      if (d.category != Declared::Category::Zone) continue;
      auto z = api::decode_zone(d.object);
      if (!z) continue;  // the controller reports it (InvalidSpec)
      std::string name = model::ascii_lower(z->zone_name.to_string());
      if (!NamedRunner::valid_zone_name(name)) {
        c.problems.push_back(
            fmt::format("{}: zone {}: local mode serves zone names of letters, "
                        "digits, '-' and '_' only",
                        d.location(), name));
        continue;
      }
      zones.insert(name);
    }
    return zones;
  }

  // Makes the controller's catalog (and named's zone set) what the folder declares now.
  void apply(LocalCatalog next, bool named_zones_done = false) {
    auto zones = zone_set(next);
    bump_generations(next, catalog_);
    // Gone first (records, then zones), so nothing reconciles a zone named no longer has.
    for (const auto& [key, d] : catalog_.objects) {
      if (next.objects.count(key) || d.category != Declared::Category::Record) continue;
      controller_.remove_record(d.kind, d.ns, d.name);
    }
    for (const auto& [key, d] : catalog_.objects) {
      if (next.objects.count(key) || d.category != Declared::Category::Zone) continue;
      controller_.remove_zone(d.ns, d.name);
    }
    if (!named_zones_done) {
      if (auto ok = named_.set_zones(zones); !ok) {
        next.problems.push_back("named: " + ok.error());
        spdlog::error("named: {}", ok.error());
      }
    }
    // The local DNSServer and its key, in every namespace with a DNSZone.
    std::set<std::string> namespaces;
    for (const auto& [key, d] : next.objects) {
      if (d.category == Declared::Category::Zone) namespaces.insert(d.ns);
    }
    for (const auto& ns : server_namespaces_) {
      if (!namespaces.count(ns)) controller_.remove_server(ns, kLocalServer);
    }
    for (const auto& ns : namespaces) {
      if (server_namespaces_.count(ns)) continue;
      SecretState st;
      st.kind = SecretState::Kind::Ok;
      st.key =
          api::TsigSecret{named_.key().name + ".", named_.key().algorithm, named_.key().secret};
      controller_.put_secret(ns, kLocalSecret, std::move(st));
      controller_.put_server(local_server(ns));
    }
    server_namespaces_ = namespaces;
    for (const auto& [key, d] : next.objects) {
      if (d.category == Declared::Category::Zone) controller_.put_zone(d.object);
    }
    for (const auto& [key, d] : next.objects) {
      if (d.category == Declared::Category::Record) controller_.put_record(d.object);
    }
    std::sort(next.ignored.begin(), next.ignored.end());
    if (next.ignored != catalog_.ignored && !next.ignored.empty()) {
      spdlog::info("not used in local mode (DNSServer and non-zonekeeper kinds): {}",
                   fmt::join(next.ignored, ", "));
    }
    status_.set_problems(next.problems);
    catalog_ = std::move(next);
    metrics_.set_zones(zones.size());
    metrics_.set_synced(true);  // the folder is read: the desired state is complete
    // zonekeeper_watched_objects: what the folder declares, every kind (0 when none).
    std::map<std::string, size_t> by_kind{{std::string(api::kDNSZone), 0}};
    for (api::Kind k : api::kAllKinds) by_kind[std::string(api::to_string(k))] = 0;
    for (const auto& [key, d] : catalog_.objects) ++by_kind[d.kind_name];
    for (const auto& [kind, n] : by_kind) metrics_.set_watched_objects(kind, n);
  }

  json::value local_server(const std::string& ns) const {
    return json::object{
        {"apiVersion", api::kApiVersion},
        {"kind", api::kDNSServer},
        {"metadata",
         json::object{{"name", kLocalServer}, {"namespace", ns}, {"uid", "local:server/" + ns}}},
        {"spec",
         json::object{{"role", "Primary"},
                      {"external", json::object{{"address", listen_.host}, {"port", listen_.port}}},
                      {"tsigKeySecretRef", json::object{{"name", kLocalSecret}}},
                      {"timeoutSeconds", 5}}}};
  }

  ObjectInfo describe(const ObjectRef& r) const {
    ObjectInfo info;
    auto it = catalog_.objects.find(r.key());
    if (it == catalog_.objects.end()) return info;
    const Declared& d = it->second;
    info.location = d.location();
    const json::value* spec = d.object.as_object().if_contains("spec");
    if (d.category == Declared::Category::Zone) {
      const json::value* zone =
          spec && spec->is_object() ? spec->as_object().if_contains("zoneName") : nullptr;
      info.value = zone && zone->is_string() ? std::string(zone->as_string()) : "";
    } else {
      info.type = record_type_text(d.kind);
      if (spec) info.value = value_text(*spec);
    }
    return info;
  }

  // --------------------------------------------------------------- events

  // Reads inotify events; a batch is everything that arrives within `coalesce` of the first.
  asio::awaitable<void> watch() {
    std::vector<char> buf(64 * 1024);
    asio::steady_timer quiet(io_);
    while (!stopping_) {
      boost::system::error_code ec;
      co_await inotify_.async_wait(asio::posix::descriptor_base::wait_read,
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec || stopping_) co_return;
      std::set<std::string> changed;
      bool all = false;
      auto drain = [&] {
        for (;;) {
          ssize_t n = read(inotify_.native_handle(), buf.data(), buf.size());
          if (n <= 0) return;
          for (ssize_t off = 0; off < n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buf.data() + off);
            off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
            if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
              all = true;
              if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                spdlog::error("the folder {} was removed or moved; watching stops", manifests_);
              }
              continue;
            }
            if (ev->len == 0) continue;
            std::string name(ev->name);
            if (is_manifest_file_name(name)) changed.insert(manifests_ + "/" + name);
          }
        }
      };
      drain();
      quiet.expires_after(options_.coalesce);
      co_await quiet.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping_) co_return;
      drain();
      if (!all && changed.empty()) continue;
      auto t0 = std::chrono::steady_clock::now();
      if (all) {
        rescan_all();
      } else {
        for (const auto& p : changed) read_file(p);
      }
      apply(build());
      spdlog::debug("folder change ({} files) applied to the catalog in {} us", changed.size(),
                    std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - t0)
                        .count());
    }
  }

  asio::awaitable<void> watch_named() {
    asio::steady_timer t(io_);
    while (!stopping_) {
      t.expires_after(std::chrono::milliseconds(500));
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping_) co_return;
      if (!named_.running()) {
        spdlog::error("named exited unexpectedly; see {}/named.log", named_.options().state_dir);
        exit_code_ = 1;
        shutdown();
        io_.stop();
        co_return;
      }
    }
  }

  // --------------------------------------------------------------- output

  void schedule_output() {
    if (output_pending_ || stopping_) return;
    output_pending_ = true;
    redraw_.expires_after(std::chrono::milliseconds(table_ ? 100 : 5));
    redraw_.async_wait([this](boost::system::error_code ec) {
      output_pending_ = false;
      if (ec || stopping_) return;
      write_output();
    });
  }

  void write_output() {
    metrics_.set_records_served(status_.records_served());
    if (table_) {
      winsize ws{};
      size_t width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
      std::string screen = "\x1b[H\x1b[2J" + status_.render_table(width);
      fmt::print("{}", screen);
      std::fflush(stdout);
    }
    if (!options_.hosts_file.empty()) write_hosts();
  }

  void write_hosts() {
    std::vector<providers::HostsEntry> entries;
    for (const auto& s : status_.served_records()) {
      if (s.fqdn.empty() || s.fqdn.find('*') != std::string::npos) continue;
      auto it = catalog_.objects.find(s.ref.key());
      if (it == catalog_.objects.end()) continue;
      const Declared& d = it->second;
      if (d.kind != api::Kind::A && d.kind != api::Kind::AAAA) continue;
      const json::value* spec = d.object.as_object().if_contains("spec");
      const json::value* addrs =
          spec && spec->is_object()
              ? spec->as_object().if_contains(d.kind == api::Kind::A ? "ipv4Addresses"
                                                                     : "ipv6Addresses")
              : nullptr;
      if (!addrs || !addrs->is_array()) continue;
      std::string name = s.fqdn;
      if (name.size() > 1 && name.back() == '.') name.pop_back();
      for (const auto& a : addrs->as_array()) {
        if (a.is_string()) entries.push_back({std::string(a.as_string()), name});
      }
    }
    auto r = providers::write_hosts_file(options_.hosts_file, entries);
    if (!r) {
      if (r.error() != hosts_error_) spdlog::error("hosts file: {}", r.error());
      hosts_error_ = r.error();
      return;
    }
    hosts_error_.clear();
    if (*r) spdlog::info("hosts file {}: {} entries", options_.hosts_file, entries.size());
  }

  asio::io_context& io_;
  LocalOptions options_;
  std::string manifests_;
  dns::ServerAddress listen_;
  bool table_;
  telemetry::Metrics metrics_;
  providers::Rfc2136Factory providers_{io_.get_executor(), &metrics_};
  NamedRunner named_;
  LocalStatus status_;
  controller::Controller controller_;
  asio::posix::stream_descriptor inotify_;
  asio::steady_timer redraw_;
  std::map<std::string, ParsedManifests> files_;
  LocalCatalog catalog_;
  std::set<std::string> server_namespaces_;
  std::string hosts_error_;
  bool output_pending_ = false;
  bool started_ = false;
  bool stopping_ = false;
  int exit_code_ = 0;
};

}  // namespace

int run_local(const LocalOptions& o) {
  struct stat st {};
  if (o.manifests.empty() || stat(o.manifests.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    fmt::print(stderr, "zonekeeper: error: --manifests {}: not a folder\n", o.manifests);
    return 2;
  }
  auto listen = dns::ServerAddress::parse(o.listen);
  if (!listen) {
    fmt::print(stderr, "zonekeeper: error: --listen {}: {}\n", o.listen, listen.error());
    return 2;
  }
  std::optional<dns::ServerAddress> http_addr;
  if (!o.http.empty()) {
    // Port 0: any free port (logged).
    bool any_port = o.http.size() > 2 && o.http.ends_with(":0");
    auto h =
        dns::ServerAddress::parse(any_port ? o.http.substr(0, o.http.size() - 1) + "1" : o.http);
    if (h && any_port) h->port = 0;
    if (!h) {
      fmt::print(stderr, "zonekeeper: error: --http {}: {}\n", o.http, h.error());
      return 2;
    }
    http_addr = *h;
  }
  if (auto named = NamedRunner::find_tool("named"); !named) {
    fmt::print(stderr, "zonekeeper: error: {}\n", named.error());
    return 1;
  }
  std::string manifests = absolute(o.manifests);
  std::string state = o.state_dir.empty() ? default_state_dir(manifests) : absolute(o.state_dir);
  if (!make_dirs(state)) {
    fmt::print(stderr, "zonekeeper: error: cannot create --state-dir {}: {}\n", state,
               std::strerror(errno));
    return 1;
  }
  state = absolute(state);
  bool table = o.table.value_or(isatty(STDOUT_FILENO) == 1);

  asio::io_context io(1);
  auto local = std::make_unique<Local>(io, o, manifests, state, *listen, table);
  Local* l = local.get();

  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<app::UiRoutes> ui;  // after http: gone before it
  if (http_addr) {
    server::HttpServerOptions hopts;
    hopts.address = http_addr->host;
    hopts.port = http_addr->port;
    http = std::make_unique<server::HttpServer>(io.get_executor(), hopts);
    http->route("/healthz", [l] {
      if (l->named().running()) return server::Response{200, "text/plain; charset=utf-8", "ok\n"};
      return server::Response{503, "text/plain; charset=utf-8", "named is not running\n"};
    });
    http->route("/readyz", [l] {
      if (l->converged()) return server::Response{200, "text/plain; charset=utf-8", "ok\n"};
      return server::Response{503, "text/plain; charset=utf-8", "converging\n"};
    });
    auto feed = std::make_shared<telemetry::LogFeed>();
    telemetry::attach_log_feed(feed);
    // No API server to ask: whoever reaches --http may read and resync (keep it on loopback).
    app::Gate anyone = [](std::string, app::Permission) -> asio::awaitable<app::Verdict> {
      co_return app::Verdict{};
    };
    ui = std::make_unique<app::UiRoutes>(
        *http, l->controller(),
        app::UiOptions{
            .anonymous_read = true,
            .gate = std::move(anyone),
            .write_record = nullptr,
            .status_document =
                [l] {
                  return app::status_document(app::status_inputs(
                      l->controller(), "local", "local",
                      l->converged() ? std::nullopt : std::optional<std::string>("converging")));
                },
            .feed = feed});
    http->route("/metrics", [l] {
      l->metrics().set_queue_depth(l->controller().queue_depth());
      return server::Response{200, std::string(telemetry::Metrics::kContentType),
                              l->metrics().render()};
    });
    if (auto started = http->start(); !started) {
      fmt::print(stderr, "zonekeeper: error: --http: {}\n", started.error());
      return 1;
    }
  }

  // Signals are caught from here on: Ctrl-C while named starts still stops it.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  if (auto started = local->start(); !started) {
    fmt::print(stderr, "zonekeeper: error: {}\n", started.error());
    local->shutdown();
    return 1;
  }
  if (http) {
    spdlog::info("serving /healthz /readyz /metrics on {}:{}", http_addr->host, http->port());
  }
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping named and exiting", sig);
    local->shutdown();
    if (http) http->stop();
    io.stop();
  });
  io.run();
  local->shutdown();
  int code = local->exit_code();
  local.reset();
  spdlog::info("stopped");
  return code;
}

}  // namespace zk::app
