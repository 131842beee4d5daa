#include "support/named_fixture.h"

#include "support/soa_probe.h"

#include <stdlib.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <system_error>
#include <thread>

namespace zk::testbed {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr auto kPollInterval = std::chrono::milliseconds(5);

// "Example.Test" and "example.test." both become "example.test.".
std::string absolute_zone(std::string_view zone) {
  std::string name(zone);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.empty() || name == ".") {
    throw FixtureError("zone name must not be empty or the root");
  }
  if (name.back() != '.') {
    name += '.';
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      throw FixtureError(fmt::format("zone name not supported by the fixture: {}", zone));
    }
  }
  return name;
}

// "example.test." -> "example.test", the spelling of named.conf and rndc.
std::string conf_zone(std::string_view zone) {
  std::string name = absolute_zone(zone);
  name.pop_back();
  return name;
}

void write_text(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      throw FixtureError(fmt::format("cannot write {}", tmp.string()));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);  // readers (named, rndc) never see half a file
  if (ec) {
    throw FixtureError(fmt::format("cannot rename {}: {}", tmp.string(), ec.message()));
  }
}

// The value between `prefix` and `terminator` on the first line that has it.
std::optional<std::string> find_field(const std::string& text, std::string_view prefix,
                                      char terminator) {
  const auto at = text.find(prefix);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  const auto start = at + prefix.size();
  const auto end = text.find(terminator, start);
  if (end == std::string::npos) {
    return std::nullopt;
  }
  return text.substr(start, end - start);
}

// 32 random octets in base64: a secret for a key that needs no tsig-keygen run (rndc's).
std::string random_base64_secret() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::random_device random;
  std::array<std::uint8_t, 33> raw{};  // 32 octets used, padded to a multiple of 3
  for (std::size_t i = 0; i < 32; ++i) {
    raw[i] = static_cast<std::uint8_t>(random());
  }
  std::string out;
  for (std::size_t i = 0; i < raw.size(); i += 3) {
    const std::uint32_t v =
        (std::uint32_t{raw[i]} << 16) | (std::uint32_t{raw[i + 1]} << 8) | raw[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  out.back() = '=';  // 32 octets = 10 groups of 3 + 2 octets: one '=' of padding
  return out;
}

void remove_if_exists(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// TsigKey

std::string_view to_string(TsigAlgorithm algorithm) {
  switch (algorithm) {
    case TsigAlgorithm::hmac_sha1:
      return "hmac-sha1";
    case TsigAlgorithm::hmac_sha224:
      return "hmac-sha224";
    case TsigAlgorithm::hmac_sha256:
      return "hmac-sha256";
    case TsigAlgorithm::hmac_sha384:
      return "hmac-sha384";
    case TsigAlgorithm::hmac_sha512:
      return "hmac-sha512";
  }
  return "hmac-sha256";
}

TsigKey TsigKey::generate(std::string name, TsigAlgorithm algorithm, const fs::path& file) {
  const CommandResult r =
      run_command({"tsig-keygen", "-a", std::string(to_string(algorithm)), name});
  if (!r.ok()) {
    throw FixtureError(fmt::format("tsig-keygen -a {} {} failed ({}): {}", to_string(algorithm),
                                   name, r.exit_code, r.output()));
  }
  auto secret = find_field(r.out, "secret \"", '"');
  auto written_algorithm = find_field(r.out, "algorithm ", ';');
  if (!secret || !written_algorithm || *written_algorithm != to_string(algorithm)) {
    throw FixtureError(fmt::format("unexpected tsig-keygen output: {}", r.out));
  }
  write_text(file, r.out);
  return TsigKey{std::move(name), algorithm, std::move(*secret), file};
}

TsigKey TsigKey::write(std::string name, TsigAlgorithm algorithm, std::string secret,
                       const fs::path& file) {
  TsigKey key{std::move(name), algorithm, std::move(secret), file};
  write_text(file, key.statement());
  return key;
}

std::string TsigKey::statement() const {
  return fmt::format("key \"{}\" {{\n\talgorithm {};\n\tsecret \"{}\";\n}};\n", name,
                     to_string(algorithm), secret);
}

std::string TsigKey::dig_argument() const {
  return fmt::format("{}:{}:{}", to_string(algorithm), name, secret);
}

// ---------------------------------------------------------------------------------------
// ZoneFile

std::string ZoneFile::text() const {
  const std::string o = absolute_zone(origin);
  std::string t = fmt::format(
      "$ORIGIN {o}\n"
      "$TTL {ttl}\n"
      "@\tIN\tSOA\tns1.{o} hostmaster.{o} {serial} 3600 600 86400 {ttl}\n"
      "@\tIN\tNS\tns1.{o}\n"
      "ns1\tIN\tA\t127.0.0.1\n",
      fmt::arg("o", o), fmt::arg("ttl", ttl), fmt::arg("serial", serial));
  for (const auto& record : records) {
    t += record;
    t += '\n';
  }
  return t;
}

void ZoneFile::write(const fs::path& path) const {
  write_text(path, text());
}

// ---------------------------------------------------------------------------------------
// TestDirectory

namespace {

constexpr const char* kOwnerFile = ".zk-owner";

// Removes directories that a killed test process (SIGKILL, crash: no destructor ran) left
// behind: ours by name and owner file, the owner pid gone, untouched for an hour (a test never
// runs that long; the hour also protects a live owner in another pid namespace sharing /tmp).
void sweep_abandoned_directories(const fs::path& base) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("zk-", 0) != 0 || !it->is_directory(ec)) {
      continue;
    }
    std::ifstream owner(it->path() / kOwnerFile);
    long pid = 0;
    if (!(owner >> pid) || pid <= 0) {
      continue;
    }
    if (fs::exists(fs::path("/proc") / std::to_string(pid), ec)) {
      continue;
    }
    const auto modified = fs::last_write_time(it->path(), ec);
    if (ec || now - modified < std::chrono::hours(1)) {
      continue;
    }
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

bool keep_test_directories() {
  const char* keep = std::getenv("ZK_KEEP_TESTDIR");
  return keep != nullptr && std::string_view(keep) == "1";
}

}  // namespace

TestDirectory::TestDirectory(std::string_view label) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) {
    base = "/tmp";
  }
  sweep_abandoned_directories(base);
  std::string pattern = (base / fmt::format("zk-{}-XXXXXX", label)).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw FixtureError(fmt::format("mkdtemp {}: {}", pattern, std::strerror(errno)));
  }
  path_ = pattern;
  std::ofstream(path_ / kOwnerFile) << ::getpid() << '\n';
}

TestDirectory::~TestDirectory() {
  if (path_.empty()) {
    return;
  }
  std::error_code ec;
  if (keep_test_directories()) {
    fs::remove(path_ / kOwnerFile, ec);  // kept on purpose: never swept
    std::cerr << "ZK_KEEP_TESTDIR=1: kept " << path_.string() << '\n';
    return;
  }
  fs::remove_all(path_, ec);
}

// ---------------------------------------------------------------------------------------
// NamedServer

NamedServer::NamedServer(NamedOptions options)
    : options_(std::move(options)),
      directory_(options_.label),
      port_(LoopbackPort::reserve()),
      control_port_(LoopbackPort::reserve()) {
  if (options_.role == NamedRole::secondary && !options_.primary_port && !options_.config) {
    throw FixtureError("a secondary NamedServer needs options.primary_port");
  }
  const fs::path key_file = directory() / "tsig.key";
  tsig_key_ = options_.tsig_key
                  ? TsigKey::write(options_.tsig_key->name, options_.tsig_key->algorithm,
                                   options_.tsig_key->secret, key_file)
                  : TsigKey::generate(options_.tsig_key_name, options_.tsig_algorithm, key_file);
  rndc_key_ = TsigKey::write("zk-rndc-key", TsigAlgorithm::hmac_sha256, random_base64_secret(),
                             directory() / "rndc.key");
  for (const auto& zone : options_.zones) {
    const std::string z = absolute_zone(zone);
    if (std::find(config_zones_.begin(), config_zones_.end(), z) == config_zones_.end()) {
      config_zones_.push_back(z);
    }
  }
  if (options_.start) {
    start();
  }
}

NamedServer::~NamedServer() {
  try {
    stop();
  } catch (...) {  // never throw from a destructor; ChildProcess still kills and reaps
  }
}

std::string NamedServer::address() const {
  return fmt::format("127.0.0.1:{}", port());
}
fs::path NamedServer::config_file() const {
  return directory() / "named.conf";
}
fs::path NamedServer::log_file() const {
  return directory() / "named.log";
}
fs::path NamedServer::zone_file(std::string_view zone) const {
  return directory() / (conf_zone(zone) + ".db");
}
fs::path NamedServer::journal_file(std::string_view zone) const {
  return zone_file(zone).string() + ".jnl";
}

std::vector<std::string> NamedServer::zones() const {
  std::vector<std::string> all = config_zones_;
  all.insert(all.end(), added_zones_.begin(), added_zones_.end());
  return all;
}

std::optional<pid_t> NamedServer::pid() const {
  if (process_ && !process_->exit_code()) {
    return process_->pid();
  }
  return std::nullopt;
}

bool NamedServer::running() {
  return process_ && process_->running();
}

std::string NamedServer::zone_statement_body(std::string_view zone) const {
  const std::string file = zone_file(zone).filename().string();
  const std::string& key = tsig_key_.name;
  if (options_.role == NamedRole::secondary) {
    return fmt::format(
        "{{ type secondary; file \"{file}\"; masterfile-format text; "
        "primaries {{ 127.0.0.1 port {primary} key \"{key}\"; }}; "
        "allow-notify {{ key \"{key}\"; }}; allow-transfer {{ key \"{key}\"; }}; notify no; }};",
        fmt::arg("file", file), fmt::arg("primary", *options_.primary_port), fmt::arg("key", key));
  }
  std::string notify;
  for (std::uint16_t p : notify_ports_) {
    notify += fmt::format("127.0.0.1 port {} key \"{}\"; ", p, key);
  }
  return fmt::format(
      "{{ type primary; file \"{file}\"; "
      "update-policy {{ grant \"{key}\" zonesub ANY; }}; allow-transfer {{ key \"{key}\"; }}; "
      "notify explicit; also-notify {{ {notify}}}; "
      "ixfr-from-differences yes; max-journal-size unlimited; }};",
      fmt::arg("file", file), fmt::arg("key", key), fmt::arg("notify", notify));
}

void NamedServer::write_config() const {
  if (options_.config) {
    write_text(config_file(), options_.config(*this));
    return;
  }
  const std::string dir = directory().string();
  std::string conf = fmt::format(
      "# Written by zk::testbed::NamedServer ({label}, {role}). Throw-away test server.\n"
      "include \"{dir}/tsig.key\";\n"
      "include \"{dir}/rndc.key\";\n"
      "\n"
      "options {{\n"
      "\tdirectory \"{dir}\";\n"
      "\tpid-file \"{dir}/named.pid\";\n"
      "\tsession-keyfile \"{dir}/session.key\";\n"
      "\tmanaged-keys-directory \"{dir}\";\n"
      "\tdump-file \"{dir}/named_dump.db\";\n"
      "\tstatistics-file \"{dir}/named.stats\";\n"
      "\tlisten-on port {port} {{ 127.0.0.1; }};\n"
      "\tlisten-on-v6 {{ none; }};\n"
      "\trecursion no;\n"
      "\tallow-new-zones yes;\n"
      "\tdnssec-validation no;\n"
      "\tnotify explicit;\n"
      "\tnotify-delay 0;\n"
      // BIND rate-limits SOA queries and NOTIFYs with a timer that ticks every 10/rate s
      // once rate > 10: the default 20 gives 500 ms ticks, which a secondary's catch-up
      // waits for. 1000 makes the tick 10 ms.
      "\tserial-query-rate 1000;\n"
      "\tnotify-rate 1000;\n"
      "\tstartup-notify-rate 1000;\n"
      "\tmax-journal-size unlimited;\n"
      "\tautomatic-interface-scan no;\n"
      "}};\n"
      "\n"
      "controls {{\n"
      "\tinet 127.0.0.1 port {control} allow {{ 127.0.0.1; }} keys {{ \"{rndc}\"; }};\n"
      "}};\n",
      fmt::arg("label", options_.label),
      fmt::arg("role", options_.role == NamedRole::primary ? "primary" : "secondary"),
      fmt::arg("dir", dir), fmt::arg("port", port()), fmt::arg("control", control_port()),
      fmt::arg("rndc", rndc_key_.name));
  if (!options_.log_updates) {
    conf += fmt::format(
        "\n"
        "logging {{\n"
        "\tchannel zk_log {{ file \"{}\"; print-time yes; print-category yes; severity info; }};\n"
        "\tcategory default {{ zk_log; }};\n"
        "\tcategory update {{ null; }};\n"
        "}};\n",
        log_file().string());
  }
  for (const auto& zone : config_zones_) {
    conf += fmt::format("\nzone \"{}\" {}\n", conf_zone(zone), zone_statement_body(zone));
  }
  write_text(config_file(), conf);
}

void NamedServer::start() {
  if (process_ && process_->running()) {
    return;
  }
  if (options_.role == NamedRole::primary && !options_.config) {
    for (const auto& zone : config_zones_) {
      if (!fs::exists(zone_file(zone))) {
        ZoneFile{zone}.write(zone_file(zone));
      }
    }
  }
  write_config();
  const std::string foreground = options_.log_updates ? "-g" : "-f";
  // Marks where this start's part of the (appended) log begins.
  {
    std::error_code ec;
    const auto size = fs::file_size(log_file(), ec);
    log_offset_ = ec ? 0 : size;
    std::ofstream log(log_file(), std::ios::app);
    log << "---- zk::testbed::NamedServer start: named " << foreground << " -c "
        << config_file().string() << " -n 1 ----\n";
  }
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"named", foreground, "-c", config_file().string(), "-n", "1"},
      log_file());
  wait_until_serving(zones());
}

void NamedServer::wait_until_serving(const std::vector<std::string>& zones) {
  const auto deadline = Clock::now() + options_.start_timeout;
  std::vector<std::string> waiting = zones;
  bool control_ready = false;
  if (!process_) {
    fail("named is not running: call start() first");
  }
  for (;;) {
    if (!process_->running()) {
      std::string hint;
      if (!options_.log_updates) {  // named -f logs early failures to syslog: ask checkconf
        const CommandResult check = run_command({"named-checkconf", config_file().string()});
        hint = fmt::format("; named-checkconf says ({}): {}", check.exit_code, check.output());
      }
      fail(fmt::format("named exited with status {}{}", process_->exit_code().value_or(-1), hint));
    }
    waiting.erase(std::remove_if(waiting.begin(), waiting.end(),
                                 [&](const std::string& z) { return soa_serial(z).has_value(); }),
                  waiting.end());
    // A primary zone that failed to load stays failed: say so now, not at the deadline.
    if (options_.role == NamedRole::primary && !waiting.empty()) {
      const std::string log = log_since_start();
      for (const auto& z : waiting) {
        if (log.find(fmt::format("zone {}/IN: not loaded due to errors", conf_zone(z))) !=
            std::string::npos) {
          fail(fmt::format("zone {} did not load (see {})", z, zone_file(z).string()));
        }
      }
    }
    // With no zone to ask, the control channel tells that named is up.
    if (waiting.empty() &&
        (!zones.empty() || control_ready || (control_ready = rndc({"status"}).ok()))) {
      return;
    }
    if (Clock::now() >= deadline) {
      fail(fmt::format("named did not serve {} within {} ms",
                       waiting.empty() ? std::string("its control channel") : waiting.front(),
                       options_.start_timeout.count()));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void NamedServer::stop(std::chrono::milliseconds grace) {
  if (process_) {
    process_->stop(grace);
  }
}

void NamedServer::restart() {
  stop();
  start();
}

void NamedServer::reload() {
  rndc_or_throw({"reload"});
}

void NamedServer::wipe_zone_and_restart(std::string_view zone, std::uint32_t serial) {
  if (options_.role != NamedRole::primary) {
    throw FixtureError("wipe_zone_and_restart: only a primary has zone files to wipe");
  }
  stop();
  ZoneFile{absolute_zone(zone), serial}.write(zone_file(zone));
  remove_if_exists(journal_file(zone));
  start();
}

void NamedServer::add_notify_target(std::uint16_t port) {
  if (options_.role != NamedRole::primary) {
    throw FixtureError("add_notify_target: only a primary sends NOTIFY");
  }
  notify_ports_.push_back(port);
}

void NamedServer::add_zone(std::string_view zone) {
  if (options_.role == NamedRole::primary) {
    add_zone(ZoneFile{std::string(zone)});
    return;
  }
  const std::string z = absolute_zone(zone);
  rndc_or_throw({"addzone", conf_zone(z), zone_statement_body(z)});
  added_zones_.push_back(z);
  wait_until_serving({z});
}

void NamedServer::add_zone(const ZoneFile& zone) {
  if (options_.role != NamedRole::primary) {
    throw FixtureError("add_zone(ZoneFile): a secondary transfers its zones; use add_zone(name)");
  }
  const std::string z = absolute_zone(zone.origin);
  zone.write(zone_file(z));
  remove_if_exists(journal_file(z));  // a journal left from an earlier zone would not match
  rndc_or_throw({"addzone", conf_zone(z), zone_statement_body(z)});
  added_zones_.push_back(z);
  wait_until_serving({z});
}

void NamedServer::delete_zone(std::string_view zone) {
  const std::string z = absolute_zone(zone);
  rndc_or_throw({"delzone", "-clean", conf_zone(z)});
  std::erase(added_zones_, z);
  const auto configured = std::erase(config_zones_, z);
  // A zone from named.conf would come back on the next reload or restart: drop it there too.
  if (configured > 0) {
    write_config();
  }
}

CommandResult NamedServer::dig_command(const std::vector<std::string>& args,
                                       const TsigKey* key) const {
  std::vector<std::string> argv{"dig",  "@127.0.0.1", "-p",      std::to_string(port()),
                                "+tcp", "+time=5",    "+tries=1"};
  if (key != nullptr) {
    argv.push_back("-y");
    argv.push_back(key->dig_argument());
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

std::string NamedServer::dig(const std::vector<std::string>& args) const {
  return dig_command(args).out;
}

std::string NamedServer::dig(const std::vector<std::string>& args, const TsigKey& key) const {
  return dig_command(args, &key).out;
}

std::optional<std::uint32_t> NamedServer::soa_serial(std::string_view zone) const {
  return probe_soa_serial(port(), absolute_zone(zone));
}

bool NamedServer::wait_for_serial(std::string_view zone, std::uint32_t serial,
                                  std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto s = soa_serial(zone); s && *s >= serial) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

CommandResult NamedServer::nsupdate(std::string_view script) const {
  return nsupdate(script, tsig_key_);
}

CommandResult NamedServer::nsupdate(std::string_view script, const TsigKey& key) const {
  std::string input = fmt::format("server 127.0.0.1 {}\n", port());
  input += script;
  if (!input.empty() && input.back() != '\n') {
    input += '\n';
  }
  return run_command({"nsupdate", "-k", key.file.string()}, input, std::chrono::minutes(5));
}

CommandResult NamedServer::rndc(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"rndc",      "-k", rndc_key_.file.string(),       "-s",
                                "127.0.0.1", "-p", std::to_string(control_port())};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

void NamedServer::rndc_or_throw(const std::vector<std::string>& args) const {
  const CommandResult r = rndc(args);
  if (!r.ok()) {
    std::string joined;
    for (const auto& a : args) {
      joined += " " + a;
    }
    fail(fmt::format("rndc{} failed ({}): {}", joined, r.exit_code, r.output()));
  }
}

std::string NamedServer::log_tail(std::size_t lines) const {
  std::ifstream in(log_file());
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) {
      tail.pop_front();
    }
  }
  std::string text;
  for (const auto& l : tail) {
    text += l + '\n';
  }
  return text;
}

std::string NamedServer::log_since_start() const {
  std::ifstream in(log_file(), std::ios::binary);
  in.seekg(static_cast<std::streamoff>(log_offset_));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void NamedServer::fail(std::string_view what) const {
  throw FixtureError(fmt::format("{} ({}, {}): {}\n--- last lines of {} ---\n{}", options_.label,
                                 address(), directory().string(), what, log_file().string(),
                                 log_tail()));
}

// ---------------------------------------------------------------------------------------
// NamedPair

namespace {

NamedOptions pair_options(std::vector<std::string> zones, TsigAlgorithm algorithm) {
  NamedOptions o;
  o.zones = std::move(zones);
  o.tsig_algorithm = algorithm;
  o.start = false;
  o.label = "primary";
  return o;
}

NamedOptions secondary_options(const NamedServer& primary, std::vector<std::string> zones) {
  NamedOptions o;
  o.zones = std::move(zones);
  o.role = NamedRole::secondary;
  o.tsig_key = primary.tsig_key();
  o.primary_port = primary.port();
  o.start = false;
  o.label = "secondary";
  return o;
}

}  // namespace

NamedPair::NamedPair(const std::vector<std::string>& zones, TsigAlgorithm algorithm)
    : primary_(pair_options(zones, algorithm)), secondary_(secondary_options(primary_, zones)) {
  primary_.add_notify_target(secondary_.port());
  primary_.start();
  secondary_.start();
}

void NamedPair::add_zone(std::string_view zone) {
  primary_.add_zone(zone);
  secondary_.add_zone(zone);
}

void NamedPair::delete_zone(std::string_view zone) {
  secondary_.delete_zone(zone);
  primary_.delete_zone(zone);
}

bool NamedPair::wait_secondary_serial(std::string_view zone, std::uint32_t serial,
                                      std::chrono::milliseconds timeout) const {
  return secondary_.wait_for_serial(zone, serial, timeout);
}

}  // namespace zk::testbed
