#include "kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

extern char** environ;

namespace zk::kube {

namespace json = boost::json;

namespace {

std::string str(const json::object* o, std::string_view key) {
  if (!o) return {};
  const json::value* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// "2026-12-04T06:00:00Z", "…05.123Z", "…+02:00".
std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view s) {
  std::tm tm{};
  std::string text(s);
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return std::nullopt;
  std::string_view rest(end);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  }
  long offset = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int h = std::atoi(std::string(rest.substr(1, 2)).c_str());
    int m = std::atoi(std::string(rest.substr(4, 2)).c_str());
    offset = (rest[0] == '+' ? 1 : -1) * (h * 3600 + m * 60);
  } else {
    return std::nullopt;
  }
  time_t t = timegm(&tm);
  if (t == -1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t - offset);
}

std::string capped(std::string s, size_t max = 512) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() > max) s = s.substr(0, max) + "…";
  return s;
}

}  // namespace

Result<ExecCredential> parse_exec_credential(std::string_view text, std::string_view api_version) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return fail(ErrorCode::BadConfig, "the exec plugin's output is not a JSON ExecCredential");
  }
  const json::object& o = v.as_object();
  if (str(&o, "kind") != "ExecCredential") {
    return fail(ErrorCode::BadConfig, "the exec plugin's output is not of kind ExecCredential");
  }
  if (str(&o, "apiVersion") != api_version) {
    return fail(ErrorCode::BadConfig,
                fmt::format("the exec plugin answered with apiVersion \"{}\", not the \"{}\" the "
                            "kubeconfig asks for",
                            str(&o, "apiVersion"), api_version));
  }
  const json::value* st = o.if_contains("status");
  const json::object* status = st && st->is_object() ? &st->as_object() : nullptr;
  ExecCredential out;
  out.token = str(status, "token");
  if (out.token.empty()) {
    if (!str(status, "clientCertificateData").empty()) {
      return fail(ErrorCode::BadConfig,
                  "the exec plugin returned a client certificate; only bearer tokens from exec "
                  "plugins are supported");
    }
    return fail(ErrorCode::BadConfig, "the exec plugin's ExecCredential has no status.token");
  }
  if (std::string exp = str(status, "expirationTimestamp"); !exp.empty()) {
    out.expiry = parse_time(exp);
    if (!out.expiry) {
      return fail(
          ErrorCode::BadConfig,
          fmt::format("the exec plugin's status.expirationTimestamp \"{}\" is not RFC 3339", exp));
    }
  }
  return out;
}

std::string exec_info(const ExecConfig& config, const ExecClusterInfo& cluster) {
  json::object spec{{"interactive", false}};
  if (config.provide_cluster_info) {
    json::object c{{"server", cluster.server}};
    if (!cluster.tls_server_name.empty()) c["tls-server-name"] = cluster.tls_server_name;
    if (cluster.insecure_skip_tls_verify) c["insecure-skip-tls-verify"] = true;
    if (!cluster.ca_pem.empty()) {
      std::string b64(4 * ((cluster.ca_pem.size() + 2) / 3) + 1, '\0');
      int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                              reinterpret_cast<const unsigned char*>(cluster.ca_pem.data()),
                              static_cast<int>(cluster.ca_pem.size()));
      b64.resize(static_cast<size_t>(n));
      c["certificate-authority-data"] = b64;
    }
    spec["cluster"] = std::move(c);
  }
  json::object info{
      {"apiVersion", config.api_version}, {"kind", "ExecCredential"}, {"spec", std::move(spec)}};
  return json::serialize(info);
}

Result<ExecCredential> run_exec_plugin(const ExecConfig& config, const ExecClusterInfo& cluster,
                                       std::chrono::milliseconds timeout) {
  if (config.interactive_mode == "Always") {
    return fail(ErrorCode::BadConfig,
                fmt::format("the exec plugin \"{}\" has interactiveMode Always, but zonekeeper "
                            "never runs it at a terminal",
                            config.command));
  }
  std::vector<std::string> env_store;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool overridden = name == "KUBERNETES_EXEC_INFO";
    for (const auto& [k, v] : config.env) overridden = overridden || name == k;
    if (!overridden) env_store.emplace_back(entry);
  }
  for (const auto& [k, v] : config.env) env_store.push_back(k + "=" + v);
  env_store.push_back("KUBERNETES_EXEC_INFO=" + exec_info(config, cluster));
  std::vector<char*> envp, argv;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args{config.command};
  args.insert(args.end(), config.args.begin(), config.args.end());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return fail(ErrorCode::BadConfig, "pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return fail(ErrorCode::BadConfig, "pipe failed");
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execvpe(argv[0], argv.data(), envp.data());
    // Only async-signal-safe calls between fork and exec: the parent may have threads.
    static constexpr char kMsg[] = "cannot run it (not found or not executable)\n";
    ssize_t ignored = write(2, kMsg, sizeof(kMsg) - 1);
    (void)ignored;
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return fail(ErrorCode::BadConfig, "fork failed");
  }
  std::string out, err;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  bool timed_out = false;
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int n = poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t r = read(fds[i].fd, buf, sizeof(buf));
      if (r > 0) {
        (i == 0 ? out : err).append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string hint = config.install_hint.empty() ? "" : "; " + capped(config.install_hint);
  if (timed_out) {
    return fail(ErrorCode::BadConfig,
                fmt::format("the exec plugin \"{}\" did not finish within {} s", config.command,
                            timeout.count() / 1000));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return fail(ErrorCode::BadConfig,
                fmt::format("the exec plugin \"{}\" failed (exit {}): {}{}", config.command, code,
                            err.empty() ? "no message" : capped(err), code == 127 ? hint : ""));
  }
  return parse_exec_credential(out, config.api_version);
}

}  // namespace zk::kube
