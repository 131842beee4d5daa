// zonekeeper command line: `export`, `import`, `local`, `controller`, `bind9-agent`,
// `bind9-config`.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <spdlog/spdlog.h>
#include "api/certificate.h"
#include "api/label_selector.h"
#include "api/object_meta.h"
#include "app/bind9_agent.h"
#include "app/cluster_mode.h"
#include "app/local_mode.h"
#include "app/zone_document.h"
#include "dns/client.h"
#include "files/atomic_write.h"
#include "managed/named_config.h"
#include "plan/owned_plan.h"
#include "plan/zone_plan.h"
#include "telemetry/logging.h"

namespace {

using namespace zk;
namespace asio = boost::asio;

constexpr int kUsageError = 2;
constexpr int kRuntimeError = 1;

int die(int code, const std::string& message) {
  fmt::print(stderr, "zonekeeper: error: {}\n", message);
  return code;
}

// The cert-manager flags into cluster.certificates; a usage error's text, or nullopt.
std::optional<std::string> certificate_options(app::ClusterOptions& cluster,
                                               const std::vector<std::string>& wildcards,
                                               int64_t expiry_warning_days) {
  auto& c = cluster.certificates;
  c.warnings.expiry_window_seconds = expiry_warning_days * 86400;
  c.owner = cluster.sources.registry.owner_id;
  if (!wildcards.empty() && !api::k8s_label_value(c.owner)) {
    return fmt::format(
        "--wildcard-certificate: the --txt-owner-id \"{}\" labels the "
        "Certificates zonekeeper keeps and must be a label value (at most 63 "
        "letters, digits, '-', '_' or '.')",
        c.owner);
  }
  for (const std::string& flag : wildcards) {
    auto w = api::parse_wildcard_certificate(flag);
    if (!w) return w.error();
    auto zone = model::Name::parse(w->zone + ".");
    const auto& zones = cluster.sources.zones;
    if (!zone || cluster.hosts_only ||
        std::none_of(zones.begin(), zones.end(), [&](const auto& z) { return z.name == *zone; })) {
      return fmt::format(
          "--wildcard-certificate {}: {} is not a shared zone of this controller "
          "(a --zone)",
          flag, w->zone);
    }
    c.wildcards.push_back(std::move(*w));
  }
  if (!c.wildcards.empty()) cluster.watch_certificates = true;
  if (cluster.watch_certificates && (cluster.hosts_only || cluster.dry_run)) {
    return fmt::format(
        "--watch-certificates and --wildcard-certificate write Events and "
        "Certificates: not with {}",
        cluster.dry_run ? "--dry-run" : "--hosts-file without --zone (dev mode)");
  }
  // Empty: run_cluster's default, as for the Lease ($POD_NAMESPACE, else zonekeeper-system).
  if (!c.wildcard_namespace.empty() && !api::rfc1123_label(c.wildcard_namespace)) {
    return fmt::format("--certificate-namespace {}: not a namespace name", c.wildcard_namespace);
  }
  return std::nullopt;
}

struct ServerFlags {
  std::string server;
  std::string zone;
  std::string key_file;
  int timeout_ms = 10000;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--server", server, "DNS server HOST:PORT (port defaults to 53)")->required();
    cmd->add_option("--zone", zone, "zone name, e.g. example.test")->required();
    cmd->add_option("--tsig-key-file", key_file,
                    "BIND key file (key \"name\" { algorithm ...; secret \"...\"; };)");
    cmd->add_option("--timeout-ms", timeout_ms, "per-operation timeout")
        ->check(CLI::Range(1, 3600000));
  }

  // Resolves flags into a client configuration; nothing is sent.
  tl::expected<std::tuple<dns::ServerAddress, model::Name, dns::ClientOptions>, std::string>
  resolve() const {
    auto addr = dns::ServerAddress::parse(server);
    if (!addr) return tl::unexpected("--server: " + addr.error());
    auto z = model::Name::parse(zone.ends_with('.') ? zone : zone + ".");
    if (!z) return tl::unexpected("--zone: " + z.error());
    dns::ClientOptions opts;
    opts.timeout = std::chrono::milliseconds(timeout_ms);
    if (!key_file.empty()) {
      auto k = dns::TsigKey::load_bind_key_file(key_file);
      if (!k) return tl::unexpected("--tsig-key-file: " + k.error().message);
      opts.key = std::move(*k);
    }
    return std::make_tuple(*addr, *z, std::move(opts));
  }
};

dns::Result<dns::ZoneSnapshot> fetch(const dns::ServerAddress& addr, const model::Name& zone,
                                     const dns::ClientOptions& opts) {
  return dns::run_blocking(
      [&](asio::any_io_executor ex) -> asio::awaitable<dns::Result<dns::ZoneSnapshot>> {
        dns::Client client(ex, addr, opts);
        co_return co_await client.axfr(zone);
      });
}

dns::Result<dns::UpdateReport> apply(const dns::ServerAddress& addr,
                                     const model::ChangeSet& changes,
                                     const dns::ClientOptions& opts) {
  return dns::run_blocking(
      [&](asio::any_io_executor ex) -> asio::awaitable<dns::Result<dns::UpdateReport>> {
        dns::Client client(ex, addr, opts);
        co_return co_await client.apply(changes);
      });
}

int run_export(const ServerFlags& f, const std::string& output) {
  auto cfg = f.resolve();
  if (!cfg) return die(kUsageError, cfg.error());
  auto& [addr, zone, opts] = *cfg;
  auto snap = fetch(addr, zone, opts);
  if (!snap) return die(kRuntimeError, snap.error().to_string());
  auto yaml = app::write_zone_document(zone, snap->serial, snap->rrsets);
  if (output.empty() || output == "-") {
    std::cout << yaml;
    return 0;
  }
  if (auto w = files::write_file_atomically(output, yaml); !w) return die(kRuntimeError, w.error());
  fmt::print(stderr, "exported {} records of {} (serial {}) to {}\n", snap->records,
             zone.to_string(), snap->serial, output);
  return 0;
}

int run_import(const ServerFlags& f, const std::string& file, bool dry_run) {
  auto cfg = f.resolve();
  if (!cfg) return die(kUsageError, cfg.error());
  auto& [addr, zone, opts] = *cfg;
  auto text = files::read_file(file);
  if (!text) return die(kUsageError, text.error());
  if (!*text) return die(kUsageError, fmt::format("cannot read {}: no such file", file));
  auto doc = app::parse_zone_document(**text, file, zone);
  if (!doc) return die(kUsageError, doc.error());

  auto snap = fetch(addr, zone, opts);
  if (!snap) return die(kRuntimeError, snap.error().to_string());
  auto plan = plan::plan_names(zone, doc->rrsets, snap->rrsets);
  for (const auto& note : plan.notes) fmt::print(stderr, "note: {}\n", note);
  for (const auto& line : plan.diff) fmt::print("{}\n", line.to_string());
  if (plan.empty()) {
    fmt::print(stderr, "{}: nothing to change\n", zone.to_string());
    return 0;
  }
  if (dry_run) {
    fmt::print(stderr, "dry run: {} change(s) not applied\n", plan.changes.changes.size());
    return 0;
  }
  auto report = apply(addr, plan.changes, opts);
  if (!report) {
    return die(kRuntimeError,
               fmt::format("{} ({} of {} changes applied)", report.error().to_string(),
                           report.error().changes_applied, plan.changes.changes.size()));
  }
  fmt::print(stderr, "applied {} change(s) in {} UPDATE message(s)\n", report->changes,
             report->messages);
  return 0;
}

struct AgentFlags {
  std::string server = "127.0.0.1:53";
  std::string control = "127.0.0.1:953";
  std::string tsig_key_file;
  std::string rndc_key_file;
  std::string directory;
  int notify_port = 5300;
  int poll_seconds = 5;
  int timeout_ms = 5000;
  int delete_grace_seconds = 5;
  bool seed_only = false;
  bool probe = false;
  std::string log_format = "json";
  std::string log_level = "info";
};

// `bind9-agent --probe`: the agent container's readiness probe. Exit 0 when named's control
// channel answers `status` to a key of the rndc key file, 1 (and why, never a secret) if not;
// 2 for bad flags or an unreadable key file.
int probe_control_channel(const AgentFlags& f) {
  auto control = dns::ServerAddress::parse(f.control);
  if (!control) return die(kUsageError, "--control: " + control.error());
  if (f.rndc_key_file.empty()) return die(kUsageError, "--probe needs --rndc-key-file");
  auto text = files::read_file(f.rndc_key_file);
  if (!text || !*text) {
    return die(kUsageError, fmt::format("cannot read --rndc-key-file {}", f.rndc_key_file));
  }
  auto keys = dns::ControlKey::parse_bind_keys(**text, f.rndc_key_file);
  if (!keys) return die(kUsageError, "--rndc-key-file: " + keys.error().message);
  const std::string command = "status";
  const std::chrono::milliseconds timeout(f.timeout_ms);
  auto reply = dns::run_blocking(
      [&](asio::any_io_executor ex) -> asio::awaitable<dns::Result<app::ControlReply>> {
        co_return co_await app::control_command_with_keys(ex, *control, *keys, command, timeout);
      });
  if (!reply) {
    return die(kRuntimeError, fmt::format("named's control channel at {}: {}", f.control,
                                          reply.error().to_string()));
  }
  const std::string& status = reply->answer.text;
  fmt::print("named's control channel at {} answers to rndc key {}: {}\n", f.control,
             reply->key_name, status.substr(0, status.find('\n')));
  return 0;
}

int run_bind9_agent(const AgentFlags& f) {
  if (f.probe) return probe_control_channel(f);
  if (f.directory.empty()) return die(kUsageError, "bind9-agent: --directory is required");
  telemetry::configure_logging(*telemetry::parse_log_format(f.log_format),
                               spdlog::level::from_str(f.log_level));
  if (auto seeded = app::seed_bind9_directory(f.directory); !seeded) {
    return die(kRuntimeError, seeded.error());
  }
  if (f.seed_only) {
    spdlog::info("agent: {} is ready for named (zones/, catalog.db)", f.directory);
    return 0;
  }
  app::Bind9AgentOptions o;
  auto server = dns::ServerAddress::parse(f.server);
  if (!server) return die(kUsageError, "--server: " + server.error());
  auto control = dns::ServerAddress::parse(f.control);
  if (!control) return die(kUsageError, "--control: " + control.error());
  if (f.tsig_key_file.empty() || f.rndc_key_file.empty()) {
    return die(kUsageError,
               "--tsig-key-file and --rndc-key-file are required (but with "
               "--seed-only)");
  }
  auto tsig = dns::TsigKey::load_bind_key_file(f.tsig_key_file);
  if (!tsig) return die(kUsageError, "--tsig-key-file: " + tsig.error().message);
  auto rndc = dns::ControlKey::load_bind_key_file(f.rndc_key_file);
  if (!rndc) return die(kUsageError, "--rndc-key-file: " + rndc.error().message);
  o.server = *server;
  o.control = *control;
  o.tsig_key = std::move(*tsig);
  o.rndc_key = std::move(*rndc);
  o.tsig_key_file = f.tsig_key_file;
  o.rndc_key_file = f.rndc_key_file;
  o.directory = f.directory;
  o.notify_port = static_cast<uint16_t>(f.notify_port);
  o.poll_interval = std::chrono::seconds(f.poll_seconds);
  o.timeout = std::chrono::milliseconds(f.timeout_ms);
  o.delete_grace = std::chrono::seconds(f.delete_grace_seconds);
  asio::io_context io;
  app::Bind9Agent agent(io.get_executor(), std::move(o));
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) agent.stop();
  });
  asio::co_spawn(io, agent.run(), [&](std::exception_ptr e) {
    signals.cancel();
    if (e) std::rethrow_exception(e);
  });
  io.run();
  spdlog::info("agent: stopped");
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"zonekeeper: DNS that follows your cluster"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "zonekeeper " ZK_VERSION);

  ServerFlags export_flags, import_flags;
  std::string output, file;
  bool dry_run = false;

  auto* exp = app.add_subcommand("export", "write a zone's records as YAML (AXFR)");
  export_flags.add_to(exp);
  exp->add_option("-o,--output", output, "file to write (default: standard output)");

  auto* imp =
      app.add_subcommand("import", "make the server's RRsets for the names in FILE equal FILE");
  imp->add_option("FILE", file, "zone document (YAML)")->required();
  import_flags.add_to(imp);
  imp->add_flag("--dry-run", dry_run, "print the diff only; change nothing");

  app::ClusterOptions cluster;
  int64_t drift_seconds = 60;
  bool no_leader_election = false;
  std::string log_format = "json", log_level = "info";
  auto* ctl = app.add_subcommand(
      "controller", "cluster mode: serve DNSZone and record objects through BIND 9 (RFC 2136)");
  std::vector<std::string> shared_zones, source_kinds;
  std::string policy = "sync";
  auto& so = cluster.sources;
  ctl->add_option("--zone", shared_zones,
                  "NAME=NAMESPACE/DNSSERVER: a zone shared with others that the Ingress, "
                  "IngressRoute, HTTPRoute and DNSEndpoint sources write into (records owned "
                  "through the TXT registry); repeat for more zones or servers");
  ctl->add_option("--source", source_kinds,
                  "ingress, ingressroute, httproute, grpcroute, tlsroute, dnsendpoint (comma "
                  "list or repeated; default: all, when a --zone or --hosts-file is given)")
      ->delimiter(',');
  ctl->add_option("--txt-owner-id", so.registry.owner_id,
                  "owner id in the TXT registry (external-dns --txt-owner-id)")
      ->capture_default_str();
  ctl->add_option("--txt-prefix", so.registry.prefix,
                  "prefix of registry TXT names (may hold %{record_type})");
  ctl->add_option("--txt-suffix", so.registry.suffix, "suffix of registry TXT names");
  ctl->add_option("--txt-wildcard-replacement", so.registry.wildcard_replacement,
                  "stands for a leading '*' in registry TXT names");
  ctl->add_option("--policy", policy, "sync, upsert-only or create-only")
      ->check(CLI::IsMember({"sync", "upsert-only", "create-only"}))
      ->capture_default_str();
  ctl->add_option("--domain-filter", so.filter.include,
                  "serve only names in these domains (repeatable)");
  ctl->add_option("--exclude-domains", so.filter.exclude, "never serve names in these domains");
  std::string label_filter, annotation_filter;
  ctl->add_option("--namespace", so.only_namespace,
                  "read source objects of this namespace only (default: all; external-dns "
                  "--namespace)");
  ctl->add_option("--label-filter", label_filter,
                  "read only source objects whose labels match this selector (kubectl -l form, "
                  "e.g. \"env=prod,team in (a,b)\"; external-dns --label-filter)");
  ctl->add_option("--annotation-filter", annotation_filter,
                  "read only source objects whose annotations match this selector (same form; "
                  "external-dns --annotation-filter)");
  std::vector<std::string> ingress_classes;
  ctl->add_option("--ingress-class", ingress_classes, "serve only Ingresses of these classes");
  ctl->add_option("--default-target", so.ingress.default_targets,
                  "targets for Ingresses and IngressRoutes (instead of their status addresses)");
  ctl->add_flag("--traefik-legacy-group", so.ingressroute.legacy_group,
                "also read traefik.containo.us/v1alpha1 IngressRoutes (Traefik v2)");
  ctl->add_option("--hosts-file", cluster.hosts_file,
                  "also keep the sources' A/AAAA records in a managed block of this hosts file; "
                  "without --zone: dev mode, the hosts file is the only backend (every name, no "
                  "Lease, no zonekeeper CRDs needed, nothing written to the cluster)");
  ctl->add_flag("--sources-only", cluster.sources_only,
                "reconcile only the --zone shared zones; leave DNSZones, records and DNSServer "
                "statuses to another instance (e.g. one instance per zone set)");
  ctl->add_flag("--dry-run", cluster.dry_run,
                "log the planned changes (\"dry-run: ...\"); send no UPDATE, write no status; "
                "contend for the Lease <lease-name>-dry-run, never the production one");
  ctl->add_option("--kubeconfig", cluster.kubeconfig,
                  "kubeconfig file (default: $KUBECONFIG, else in-cluster)");
  ctl->add_option("--listen", cluster.listen,
                  "address:port for /healthz, /readyz, /metrics, the web UI (/ui) and /api/v1")
      ->capture_default_str();
  ctl->add_flag("--ui-anonymous-read", cluster.ui_anonymous_read,
                "let the web UI and the /api/v1 reads answer without a bearer token (actions "
                "still need one): anyone reaching --listen sees every record (docs/ui.md)");
  ctl->add_option("--bind9-image", cluster.bind9_image,
                  "image of the BIND 9 servers Bind9Instances deploy (unless spec.image)")
      ->capture_default_str();
  ctl->add_option("--agent-image", cluster.agent_image,
                  "image of the agent beside a managed Primary's named: zonekeeper's own")
      ->capture_default_str();
  ctl->add_flag("--watch-certificates", cluster.watch_certificates,
                "watch cert-manager Certificates: their readiness and expiry as metrics, and "
                "Warning Events when one is not Ready or expires soon (docs/api.md "
                "\"Certificates\")");
  std::vector<std::string> wildcard_certificates;
  ctl->add_option("--wildcard-certificate", wildcard_certificates,
                  "ZONE=KIND/NAME: keep a cert-manager Certificate for *.ZONE and ZONE, issued by "
                  "the Issuer or ClusterIssuer NAME (KIND.GROUP for an external issuer), in "
                  "--certificate-namespace; ZONE must be a --zone; implies --watch-certificates; "
                  "repeatable");
  ctl->add_option("--certificate-namespace", cluster.certificates.wildcard_namespace,
                  "namespace of the wildcard Certificates (default: $POD_NAMESPACE, else "
                  "zonekeeper-system)");
  int64_t expiry_warning_days = 14;
  ctl->add_option("--certificate-expiry-warning-days", expiry_warning_days,
                  "a Certificate that expires within this many days gets a Warning Event")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  ctl->add_option("--certificate-not-ready-seconds",
                  cluster.certificates.warnings.not_ready_seconds,
                  "a Certificate not Ready this long (since its Ready condition changed, or its "
                  "creation) gets a Warning Event")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  ctl->add_flag("--no-leader-election", no_leader_election,
                "reconcile without taking the Lease (one replica only)");
  ctl->add_option("--lease-namespace", cluster.lease_namespace,
                  "namespace of the Lease (default: $POD_NAMESPACE, else zonekeeper-system)");
  ctl->add_option("--lease-name", cluster.lease_name,
                  "name of the Lease (with --dry-run: NAME-dry-run)")
      ->capture_default_str();
  ctl->add_option("--identity", cluster.identity,
                  "leader election identity (default: $POD_NAME, else the host name)");
  ctl->add_option("--shards", cluster.shards,
                  "divide the DNSZones, DNSServers and namespaces among the live replicas in N "
                  "shards, each guarded by its own Lease <lease-name>-shard-<i>; a replica "
                  "reconciles those of the shards it holds (0: one leader does everything)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  ctl->add_option("--drift-interval", drift_seconds,
                  "seconds between SOA drift checks of each zone's servers")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  int64_t discovery_seconds = 30;
  ctl->add_option("--source-discovery-interval", discovery_seconds,
                  "seconds between lookups of a source's API that was not served at start (its "
                  "CRD installed later is watched without a restart)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  ctl->add_option("--workers", cluster.workers, "zones reconciled in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  ctl->add_option("--status-writers", cluster.status_writers,
                  "status and annotation PATCHes in flight at once (each on its own keep-alive "
                  "connection)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  ctl->add_option("--log-format", log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  ctl->add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();

  app::LocalOptions local;
  std::string local_log_format = "text";
  std::string local_log_level = "info";
  auto* loc = app.add_subcommand(
      "local", "local mode: serve the manifests of a folder through a BIND 9 named it runs");
  loc->add_option("--manifests", local.manifests, "folder of *.yaml manifests (watched)")
      ->required();
  loc->add_option("--listen", local.listen, "address:port named answers on")->capture_default_str();
  loc->add_option("--state-dir", local.state_dir,
                  "named's configuration and zone files (default: "
                  "~/.local/state/zonekeeper/local-HASH)");
  loc->add_option("--hosts-file", local.hosts_file,
                  "also write served A/AAAA records into a managed block of this hosts file");
  loc->add_option("--http", local.http,
                  "address:port for /healthz, /readyz, /metrics, the web UI (/ui) and /api/v1 "
                  "(no access control: keep it on loopback)");
  loc->add_option("--log-format", local_log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  loc->add_option("--log-level", local_log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();

  AgentFlags agent;
  auto* agt = app.add_subcommand(
      "bind9-agent",
      "beside named in a managed Primary's Pod: add and delete the catalog zone's member zones "
      "(rndc addzone/delzone; their options take updates and transfers from the ACL "
      "zonekeeper-keys, which named's configuration defines, as bind9-config's does), and have "
      "named re-read the key files when they change");
  agt->add_option("--directory", agent.directory,
                  "named's directory (the volume); required but with --probe");
  agt->add_option("--server", agent.server, "named's DNS address HOST:PORT")->capture_default_str();
  agt->add_option("--control", agent.control, "named's control channel HOST:PORT")
      ->capture_default_str();
  agt->add_option("--tsig-key-file", agent.tsig_key_file,
                  "BIND key file of the TSIG key (reads the catalog; granted in new zones)");
  agt->add_option("--rndc-key-file", agent.rndc_key_file, "BIND key file of the control key");
  agt->add_option("--notify-port", agent.notify_port,
                  "UDP port on 127.0.0.1 where named NOTIFYs catalog changes (0: poll only)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  agt->add_option("--poll-seconds", agent.poll_seconds, "catalog SOA check interval")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  agt->add_option("--timeout-ms", agent.timeout_ms, "per DNS or control operation")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  agt->add_option("--delete-grace-seconds", agent.delete_grace_seconds,
                  "a zone leaves named only when out of the catalog this long")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  agt->add_flag("--probe", agent.probe,
                "check that named's control channel answers `status` to a key of "
                "--rndc-key-file, say so and exit 0, else say why and exit 1 (the agent "
                "container's readiness probe)");
  agt->add_flag("--seed-only", agent.seed_only,
                "make zones/, the catalog's first file and the (empty) DNSSEC policies file if "
                "missing, then exit (init container)");
  agt->add_option("--log-format", agent.log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  agt->add_option("--log-level", agent.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();

  managed::ServerSettings config;
  std::string config_role = "primary";
  auto* cfg = app.add_subcommand(
      "bind9-config",
      "print the named.conf zonekeeper gives a BIND 9 server it runs (for a named of your own "
      "beside `zonekeeper bind9-agent`, and to see what the managed servers get)");
  cfg->add_option("--role", config_role, "primary or secondary")
      ->check(CLI::IsMember({"primary", "secondary"}))
      ->capture_default_str();
  cfg->add_option("--tsig-key-name", config.tsig_key_name,
                  "the TSIG key's name (updates, transfers, the catalog)")
      ->required();
  cfg->add_option("--rndc-key-name", config.rndc_key_name, "the control channel key's name")
      ->capture_default_str();
  cfg->add_option("--port", config.port, "DNS port")->capture_default_str();
  cfg->add_option("--control-port", config.control_port, "control channel port")
      ->capture_default_str();
  cfg->add_option("--directory", config.paths.directory, "named's directory (the volume)")
      ->capture_default_str();
  cfg->add_option("--tsig-key-file", config.paths.tsig_key_file, "file named includes for it")
      ->capture_default_str();
  cfg->add_option("--rndc-key-file", config.paths.rndc_key_file, "file named includes for it")
      ->capture_default_str();
  cfg->add_option("--agent-notify-port", config.agent_notify_port,
                  "primary: where named NOTIFYs the agent of catalog changes (127.0.0.1)")
      ->capture_default_str();
  cfg->add_option("--primary", config.primary_addresses,
                  "secondary: the primary's IP address (repeatable)");
  cfg->add_option("--primary-port", config.primary_port, "secondary: the primary's DNS port")
      ->capture_default_str();
  cfg->add_option("--allow-query", config.allow_query, "allow-query elements (repeatable)");
  cfg->add_option("--responses-per-second", config.responses_per_second,
                  "response rate limit per client");
  cfg->add_flag("--log-queries", config.log_queries, "querylog yes");

  auto known = [&](const char* name) {
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == name) return true;
    }
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    return die(kUsageError, fmt::format("unknown command \"{}\" (expected controller, local, "
                                        "bind9-agent, export or import; see --help)",
                                        argv[1]));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One clear line, not the whole help text.
    return die(kUsageError, fmt::format("{} (see --help)", e.what()));
  }
  if (*ctl) {
    telemetry::configure_logging(*telemetry::parse_log_format(log_format),
                                 spdlog::level::from_str(log_level));
    cluster.leader_election = !no_leader_election;
    cluster.drift_interval = std::chrono::seconds(drift_seconds);
    cluster.discovery_interval = std::chrono::seconds(discovery_seconds);
    auto absolute = [](std::string n) { return n.empty() || n.back() == '.' ? n : n + "."; };
    for (const auto& z : shared_zones) {
      auto eq = z.find('=');
      auto slash = z.find('/', eq == std::string::npos ? 0 : eq);
      auto name = eq == std::string::npos ? model::Parsed<model::Name>(model::invalid("no '='"))
                                          : model::Name::parse(absolute(z.substr(0, eq)));
      if (!name || slash == std::string::npos || slash == eq + 1 || slash + 1 == z.size()) {
        return die(kUsageError, fmt::format("--zone {}: expected NAME=NAMESPACE/DNSSERVER, e.g. "
                                            "example.test=dns/primary",
                                            z));
      }
      std::string server = z.substr(eq + 1);
      auto it = std::find_if(so.zones.begin(), so.zones.end(),
                             [&](const auto& s) { return s.name == *name; });
      if (it == so.zones.end()) {
        so.zones.push_back({*name, {server}});
      } else {
        it->servers.push_back(server);
      }
    }
    if (!cluster.hosts_file.empty() && so.zones.empty()) {
      cluster.hosts_only = true;        // dev mode: one zone, the root, that the hosts file serves
      cluster.leader_election = false;  // every laptop writes its own hosts file
      so.zones.push_back({model::Name(), {}});
    }
    for (const auto& k : source_kinds) {
      auto kind = controller::parse_source_kind(k);
      if (!kind) {
        return die(kUsageError,
                   fmt::format("--source {}: expected ingress, ingressroute, httproute, "
                               "grpcroute, tlsroute or dnsendpoint",
                               k));
      }
      so.kinds.insert(*kind);
    }
    if (source_kinds.empty()) {
      so.kinds.insert(std::begin(controller::kAllSourceKinds),
                      std::end(controller::kAllSourceKinds));
    }
    for (auto [flag, text, into] :
         {std::tuple{"--label-filter", &label_filter, &so.label_filter},
          std::tuple{"--annotation-filter", &annotation_filter, &so.annotation_filter}}) {
      auto sel = api::LabelSelector::parse(*text);
      if (!sel) return die(kUsageError, fmt::format("{} {}: {}", flag, *text, sel.error()));
      *into = std::move(*sel);
    }
    if (auto ok = so.registry.validate(); !ok) {
      return die(kUsageError, fmt::format("TXT registry: {}", ok.error()));
    }
    so.policy = *plan::parse_policy(policy);
    if (auto why = certificate_options(cluster, wildcard_certificates, expiry_warning_days)) {
      return die(kUsageError, *why);
    }
    so.ingress.ingress_classes.insert(ingress_classes.begin(), ingress_classes.end());
    so.ingressroute.default_targets = so.ingress.default_targets;
    return app::run_cluster(cluster);
  }
  if (*loc) {
    telemetry::configure_logging(*telemetry::parse_log_format(local_log_format),
                                 spdlog::level::from_str(local_log_level));
    return app::run_local(local);
  }
  if (*agt) return run_bind9_agent(agent);
  if (*cfg) {
    config.role = config_role == "primary" ? managed::Role::Primary : managed::Role::Secondary;
    if (config.role == managed::Role::Secondary && config.primary_addresses.empty()) {
      return die(kUsageError, "--primary: required for a secondary");
    }
    fmt::print("{}", managed::named_conf(config));
    return 0;
  }
  if (*exp) return run_export(export_flags, output);
  if (*imp) return run_import(import_flags, file, dry_run);
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  // What escapes is a bug; it still ends as an error message and exit code 1, not an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zonekeeper: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "zonekeeper: error: unknown exception\n");
  }
  return kRuntimeError;
}
