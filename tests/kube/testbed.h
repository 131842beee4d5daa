// The real control plane for kube integration tests, and helpers to drive the async client
// from a test thread.
//
// Testbed (a gtest global Environment) starts etcd + kube-apiserver with
// tools/testbed/controlplane.sh in a temp dir and stops it at the end — or, when
// ZK_KUBE_ENV=<path to an env file> is set, uses that already-running control plane.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/store.h"

namespace zk::kube::testing {

namespace asio = boost::asio;

class Testbed : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  static std::string var(const std::string& key);
  static std::filesystem::path dir() { return var("ZK_TESTBED_DIR"); }
  // Runs `controlplane.sh <verb> <dir>`; returns the exit status.
  static int script(const std::string& verb, const std::filesystem::path& dir = Testbed::dir(),
                    const std::string& env_prefix = {});
  static Config admin_config();
  // Reads a controlplane env file.
  static std::map<std::string, std::string> read_env(const std::filesystem::path& file);

 private:
  static std::map<std::string, std::string>& env();
  std::filesystem::path owned_dir_;
};

// A second, private control plane (e.g. with --watch-cache=false), stopped on destruction.
class PrivateControlPlane {
 public:
  explicit PrivateControlPlane(const std::string& apiserver_extra_args);
  ~PrivateControlPlane();
  bool ok() const { return ok_; }
  const std::filesystem::path& dir() const { return dir_; }
  Config admin_config() const;
  std::string var(const std::string& key) const { return env_.count(key) ? env_.at(key) : ""; }

 private:
  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
  bool ok_ = false;
};

// An io_context running on its own thread; the test thread waits on futures.
class IoThread {
 public:
  IoThread();
  ~IoThread();
  asio::io_context& io() { return io_; }
  asio::any_io_executor executor() { return io_.get_executor(); }

  template <class T>
  T sync(asio::awaitable<T> a, std::chrono::seconds timeout = std::chrono::seconds(180)) {
    auto f = asio::co_spawn(io_, std::move(a), asio::use_future);
    if (f.wait_for(timeout) != std::future_status::ready) {
      ADD_FAILURE() << "coroutine did not finish within " << timeout.count() << " s";
      std::abort();  // the coroutine still references the test's stack
    }
    return f.get();
  }
  std::future<void> spawn(asio::awaitable<void> a) {
    return asio::co_spawn(io_, std::move(a), asio::use_future);
  }
  // Runs f on the io thread and waits for it.
  void call(std::function<void()> f);

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

std::shared_ptr<Client> make_client(IoThread& io, const Config& cfg);
std::shared_ptr<Client> admin_client(IoThread& io);
// A fresh namespace with a unique name starting with `prefix`.
std::string create_namespace(IoThread& io, Client& c, const std::string& prefix);
std::string unique_suffix();

// Polls `done` from the test thread until true or timeout; returns done().
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Thread-safe log of informer deltas: "Added ns/name@rv".
class DeltaLog {
 public:
  void operator()(DeltaType t, const ObjectPtr& old_obj, const ObjectPtr& new_obj);
  std::vector<std::string> entries() const;
  size_t size() const;
  size_t count(const std::string& prefix) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> entries_;
};

}  // namespace zk::kube::testing
