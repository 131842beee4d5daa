#include "testbed.h"

#include <sys/wait.h>
#include <cstdlib>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <boost/asio/detached.hpp>

#include "kube/store.h"

namespace zk::kube::testing {

namespace fs = std::filesystem;

namespace {

fs::path make_temp_dir(const char* prefix) {
  std::string tmpl = fmt::format("/tmp/{}-XXXXXX", prefix);
  char* d = mkdtemp(tmpl.data());
  if (d == nullptr) return {};
  return fs::path(d);
}

int run_shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  if (rc == -1) return -1;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + (WIFSIGNALED(rc) ? WTERMSIG(rc) : 0);
}

std::string controlplane_sh() {
  return std::string(ZK_SOURCE_DIR) + "/tools/testbed/controlplane.sh";
}

}  // namespace

std::map<std::string, std::string>& Testbed::env() {
  static std::map<std::string, std::string> e;
  return e;
}

std::map<std::string, std::string> Testbed::read_env(const fs::path& file) {
  std::map<std::string, std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || line.starts_with('#')) continue;
    out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

void Testbed::SetUp() {
  fs::path env_file;
  if (const char* e = std::getenv("ZK_KUBE_ENV"); e != nullptr && *e != '\0') {
    env_file = e;
  } else {
    owned_dir_ = make_temp_dir("zk-kube-it");
    ASSERT_FALSE(owned_dir_.empty()) << "cannot create a temp dir";
    int rc = script("start", owned_dir_);
    ASSERT_EQ(rc, 0) << "controlplane.sh start failed; see " << owned_dir_ / "controlplane.log";
    env_file = owned_dir_ / "env";
  }
  env() = read_env(env_file);
  ASSERT_FALSE(var("KUBECONFIG").empty()) << "no KUBECONFIG in " << env_file;
}

void Testbed::TearDown() {
  if (owned_dir_.empty()) return;
  script("stop", owned_dir_);
  std::error_code ec;
  fs::remove_all(owned_dir_, ec);
}

std::string Testbed::var(const std::string& key) {
  auto it = env().find(key);
  return it == env().end() ? std::string() : it->second;
}

int Testbed::script(const std::string& verb, const fs::path& dir, const std::string& env_prefix) {
  // Output goes to a log next to the control plane, not into the test output.
  std::string cmd = fmt::format("{} bash '{}' {} '{}' >>'{}/controlplane.log' 2>&1", env_prefix,
                                controlplane_sh(), verb, dir.string(), dir.string());
  if (verb == "start") {
    fs::create_directories(dir);
  }
  return run_shell(cmd);
}

Config Testbed::admin_config() {
  auto cfg = load_kubeconfig(var("KUBECONFIG"));
  EXPECT_TRUE(cfg) << cfg.error().to_string();
  return cfg.value_or(Config{});
}

PrivateControlPlane::PrivateControlPlane(const std::string& extra) {
  dir_ = make_temp_dir("zk-kube-private");
  if (dir_.empty()) return;
  int rc = Testbed::script("start", dir_, fmt::format("ZK_APISERVER_EXTRA_ARGS='{}'", extra));
  if (rc != 0) return;
  env_ = Testbed::read_env(dir_ / "env");
  ok_ = !env_["KUBECONFIG"].empty();
}

PrivateControlPlane::~PrivateControlPlane() {
  if (dir_.empty()) return;
  Testbed::script("stop", dir_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Config PrivateControlPlane::admin_config() const {
  auto cfg = load_kubeconfig(env_.at("KUBECONFIG"));
  EXPECT_TRUE(cfg) << cfg.error().to_string();
  return cfg.value_or(Config{});
}

IoThread::IoThread() : guard_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

IoThread::~IoThread() {
  guard_.reset();
  io_.stop();
  thread_.join();
}

void IoThread::call(std::function<void()> f) {
  std::promise<void> done;
  asio::post(io_, [&] {
    f();
    done.set_value();
  });
  done.get_future().wait();
}

std::shared_ptr<Client> make_client(IoThread& io, const Config& cfg) {
  TransportOptions opts;
  opts.max_idle_connections = 64;
  auto c = Client::create(io.executor(), cfg, opts);
  EXPECT_TRUE(c) << c.error().to_string();
  return c.value_or(nullptr);
}

std::shared_ptr<Client> admin_client(IoThread& io) {
  return make_client(io, Testbed::admin_config());
}

std::string unique_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:08x}", uint32_t(rng()));
}

std::string create_namespace(IoThread& io, Client& c, const std::string& prefix) {
  std::string name = fmt::format("{}-{}", prefix, unique_suffix());
  boost::json::object ns{{"apiVersion", "v1"},
                         {"kind", "Namespace"},
                         {"metadata", boost::json::object{{"name", name}}}};
  auto r = io.sync(c.create(resources::kNamespaces, "", ns));
  EXPECT_TRUE(r) << r.error().to_string();
  return name;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

void DeltaLog::operator()(DeltaType t, const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
  const ObjectPtr& o = new_obj ? new_obj : old_obj;
  std::lock_guard lock(mu_);
  entries_.push_back(fmt::format("{} {}@{}", to_string(t), o->key(), o->resource_version()));
}

std::vector<std::string> DeltaLog::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

size_t DeltaLog::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t DeltaLog::count(const std::string& prefix) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& e : entries_) n += e.starts_with(prefix) ? 1 : 0;
  return n;
}

}  // namespace zk::kube::testing
