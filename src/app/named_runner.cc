#include "app/named_runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "app/random_secret.h"
#include "dns/client.h"
#include "files/atomic_write.h"
#include "model/name.h"

namespace zk::app {

namespace {

namespace asio = boost::asio;

std::string key_statement(const NamedKey& k) {
  return fmt::format("key \"{}\" {{\n\talgorithm {};\n\tsecret \"{}\";\n}};\n", k.name, k.algorithm,
                     k.secret);
}

tl::expected<void, std::string> write_file(const std::string& path, const std::string& text,
                                           mode_t mode = 0644) {
  return files::write_file_atomically(path, text, mode);
}

std::string bare(const std::string& zone) {
  return zone.size() > 1 && zone.back() == '.' ? zone.substr(0, zone.size() - 1) : zone;
}

// A free loopback TCP port (the kernel's choice), for the rndc channel.
tl::expected<uint16_t, std::string> free_port() {
  files::FileDescriptor s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return tl::unexpected(std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return tl::unexpected(std::string("cannot find a free loopback port: ") + std::strerror(errno));
  }
  return ntohs(a.sin_port);
}

// named 9.18 binds with SO_REUSEPORT: a second server on the same port would start and split
// the queries. Binding without it here fails when anything holds the port.
tl::expected<void, std::string> port_free(const std::string& address, uint16_t port) {
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    bool v6 = address.find(':') != std::string::npos;
    files::FileDescriptor s(socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0));
    if (!s) return tl::unexpected(std::string("socket: ") + std::strerror(errno));
    int rc;
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      inet_pton(AF_INET6, address.c_str(), &a.sin6_addr);
      rc = bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      inet_pton(AF_INET, address.c_str(), &a.sin_addr);
      rc = bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
    }
    int err = errno;
    s.reset();
    if (rc != 0) {
      return tl::unexpected(fmt::format("cannot listen on {}:{} ({}): {}", address, port,
                                        type == SOCK_DGRAM ? "udp" : "tcp", std::strerror(err)));
    }
  }
  return {};
}

bool executable(const std::string& p) {
  return access(p.c_str(), X_OK) == 0;
}

// Runs argv, waits; returns its exit status and output.
int run_command(const std::vector<std::string>& argv, std::string* output) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  files::FileDescriptor from_child(pipefd[0]), to_parent(pipefd[1]);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(to_parent.get(), 1);
    dup2(to_parent.get(), 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  to_parent.reset();
  char buf[4096];
  for (;;) {
    ssize_t n = read(from_child.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output) output->append(buf, static_cast<size_t>(n));
  }
  from_child.reset();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

NamedRunner::NamedRunner(NamedOptions options) : options_(std::move(options)) {}

NamedRunner::~NamedRunner() {
  stop();
}

tl::expected<std::string, std::string> NamedRunner::find_tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin"}) {
    std::string p = std::string(dir) + "/" + name;
    if (executable(p)) return p;
  }
  return tl::unexpected(
      fmt::format("{} (BIND 9) is not installed: install it with `sudo apt-get install bind9 "
                  "bind9-dnsutils`",
                  name));
}

bool NamedRunner::valid_zone_name(const std::string& zone) {
  if (zone.size() < 2 || zone.back() != '.' || zone.front() == '.') return false;
  for (size_t i = 0; i + 1 < zone.size(); ++i) {
    char c = zone[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              (c == '.' && zone[i + 1] != '.');
    if (!ok) return false;
  }
  return true;
}

bool NamedRunner::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

std::string NamedRunner::log_tail() const {
  std::ifstream in(options_.state_dir + "/named.log");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::string out;
  size_t from = lines.size() > 8 ? lines.size() - 8 : 0;
  for (size_t i = from; i < lines.size(); ++i) out += "\n  " + lines[i];
  return out;
}

tl::expected<void, std::string> NamedRunner::write_zones(const std::set<std::string>& zones) {
  std::string conf = "# Written by zonekeeper local: the zones of the DNSZones in the folder.\n";
  for (const auto& z : zones) {
    if (!valid_zone_name(z)) return tl::unexpected("unsupported zone name for local mode: " + z);
    std::string file = fmt::format("{}/zones/{}.db", options_.state_dir, bare(z));
    if (access(file.c_str(), F_OK) != 0) {
      std::string text = fmt::format(
          "$ORIGIN {0}\n$TTL 300\n@\tIN\tSOA\tlocalhost. hostmaster.localhost. 1 3600 600 86400 "
          "300\n@\tIN\tNS\tlocalhost.\n",
          z);
      if (auto w = write_file(file, text); !w) return w;
    }
    conf += fmt::format(
        "zone \"{0}\" {{ type primary; file \"zones/{0}.db\"; update-policy {{ grant \"{1}\" "
        "zonesub ANY; }}; allow-transfer {{ key \"{1}\"; }}; notify no; }};\n",
        bare(z), key_.name);
  }
  return write_file(options_.state_dir + "/zones.conf", conf);
}

tl::expected<void, std::string> NamedRunner::wait_serving(const std::set<std::string>& zones) {
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  dns::ServerAddress addr{options_.address, options_.port};
  for (const auto& z : zones) {
    auto name = model::Name::parse(z);
    if (!name) return tl::unexpected(fmt::format("zone {}: {}", z, name.error()));
    for (;;) {
      dns::ClientOptions o;
      o.timeout = std::chrono::milliseconds(300);
      auto r = dns::run_blocking(
          [&](asio::any_io_executor ex) -> asio::awaitable<dns::Result<uint32_t>> {
            dns::Client c(ex, addr, std::move(o));
            co_return co_await c.soa_serial(*name);
          });
      if (r) break;
      if (pid_ > 0 && !running()) {
        pid_ = -1;
        return tl::unexpected(fmt::format("named exited (its log, {}/named.log, ends with:){}",
                                          options_.state_dir, log_tail()));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return tl::unexpected(
            fmt::format("named does not answer for {} on {}:{} ({}); its log "
                        "ends with:{}",
                        z, options_.address, options_.port, r.error().to_string(), log_tail()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return {};
}

tl::expected<void, std::string> NamedRunner::start(const std::set<std::string>& zones) {
  auto named = find_tool("named");
  if (!named) return tl::unexpected(named.error());
  auto rndc = find_tool("rndc");
  if (!rndc) return tl::unexpected(rndc.error());
  named_ = *named;
  rndc_ = *rndc;

  const std::string& dir = options_.state_dir;
  if (dir.find_first_of(" \"\t\n;") != std::string::npos) {
    return tl::unexpected("--state-dir must not contain spaces, quotes or ';': " + dir);
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return tl::unexpected(fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
  }
  std::string zdir = dir + "/zones";
  if (mkdir(zdir.c_str(), 0700) != 0 && errno != EEXIST) {
    return tl::unexpected(fmt::format("cannot create {}: {}", zdir, std::strerror(errno)));
  }
  lock_.reset(open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock_ || flock(lock_.get(), LOCK_EX | LOCK_NB) != 0) {
    return tl::unexpected(fmt::format(
        "another zonekeeper local uses the state folder {} (give another --state-dir)", dir));
  }
  if (auto free = port_free(options_.address, options_.port); !free) {
    return tl::unexpected(free.error() + " (give another --listen)");
  }
  auto cport = free_port();
  if (!cport) return tl::unexpected(cport.error());
  control_port_ = *cport;

  key_.secret = random_key_secret();
  rndc_key_.name = "zonekeeper-rndc";
  rndc_key_.secret = random_key_secret();
  if (auto w = write_file(dir + "/tsig.key", key_statement(key_), 0600); !w) return w;
  if (auto w = write_file(dir + "/rndc.key", key_statement(rndc_key_), 0600); !w) return w;
  if (auto w = write_zones(zones); !w) return w;
  bool v6 = options_.address.find(':') != std::string::npos;
  std::string listen = v6 ? fmt::format("listen-on {{ none; }};\n\tlisten-on-v6 port {} {{ {}; }};",
                                        options_.port, options_.address)
                          : fmt::format("listen-on port {} {{ {}; }};\n\tlisten-on-v6 {{ none; }};",
                                        options_.port, options_.address);
  std::string conf = fmt::format(
      R"(# Written by zonekeeper local (rewritten at every start). Zones: zones.conf.
include "{0}/tsig.key";
include "{0}/rndc.key";

options {{
	directory "{0}";
	pid-file none;
	session-keyfile none;
	managed-keys-directory "{0}";
	dump-file "{0}/named_dump.db";
	statistics-file "{0}/named.stats";
	{1}
	recursion no;
	dnssec-validation no;
	notify no;
	max-journal-size 16m;
	automatic-interface-scan no;
}};

controls {{
	inet 127.0.0.1 port {2} allow {{ 127.0.0.1; }} keys {{ "zonekeeper-rndc"; }};
}};

include "{0}/zones.conf";
)",
      dir, listen, control_port_);
  if (auto w = write_file(dir + "/named.conf", conf); !w) return w;

  std::string log = dir + "/named.log";
  pid_t pid = fork();
  if (pid < 0) return tl::unexpected(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    setpgid(0, 0);                     // Ctrl-C reaches zonekeeper, which stops named itself
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // and named never outlives zonekeeper
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0) dup2(in, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    std::string conf_path = dir + "/named.conf";
    execl(named_.c_str(), "named", "-g", "-c", conf_path.c_str(), "-n", "1",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  zones_ = zones;
  // The zones answer; with no zone at all, the control channel answers.
  if (zones.empty()) {
    auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    for (;;) {
      std::string out;
      if (run_command({rndc_, "-k", dir + "/rndc.key", "-s", "127.0.0.1", "-p",
                       std::to_string(control_port_), "status"},
                      &out) == 0) {
        break;
      }
      if (!running() || std::chrono::steady_clock::now() > deadline) {
        stop();
        return tl::unexpected(fmt::format("named did not start; its log ends with:{}", log_tail()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
  }
  if (auto ok = wait_serving(zones); !ok) {
    stop();
    return ok;
  }
  return {};
}

tl::expected<void, std::string> NamedRunner::set_zones(const std::set<std::string>& zones) {
  if (zones == zones_) return {};
  if (auto w = write_zones(zones); !w) return w;
  std::string out;
  int rc = run_command({rndc_, "-k", options_.state_dir + "/rndc.key", "-s", "127.0.0.1", "-p",
                        std::to_string(control_port_), "reconfig"},
                       &out);
  if (rc != 0) {
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return tl::unexpected(fmt::format("rndc reconfig failed ({}): {}", rc, out));
  }
  std::set<std::string> added;
  for (const auto& z : zones) {
    if (!zones_.count(z)) added.insert(z);
  }
  zones_ = zones;
  return wait_serving(added);
}

void NamedRunner::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

}  // namespace zk::app
