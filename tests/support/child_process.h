// Child processes for test fixtures: a one-shot command with captured output, and a
// long-lived child (a server) that is always stopped and reaped.
//
//   auto r = zk::testbed::run_command({"dig", "@127.0.0.1", "-p", "5300", "SOA", "example.test"});
//   if (r.exit_code == 0) use(r.out);
//
//   zk::testbed::ChildProcess named({"/usr/sbin/named", "-g", ...}, "/tmp/dir/named.log");
//   named.stop(std::chrono::seconds(10));   // SIGTERM, then SIGKILL; the destructor does the same
//
// Children are started with fork+exec: every descriptor above 2 is closed in the child, stdin
// is /dev/null unless given, and the child gets SIGKILL when the thread that started it exits
// (PR_SET_PDEATHSIG), so a crashed or killed test leaves no server behind. Consequence: start
// a server on a thread that outlives it (the test's main thread is right; a short-lived worker
// thread is not). Not thread-safe per object; const members may be called concurrently.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zk::testbed {

// A fixture could not do what it was asked (start a server, run a tool, write a file).
class FixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandResult {
  int exit_code = -1;      // exit status, or 128 + signal number if killed by a signal
  bool timed_out = false;  // killed by run_command because the timeout expired
  std::string out;         // everything the command wrote to stdout
  std::string err;         // everything the command wrote to stderr

  [[nodiscard]] bool ok() const { return exit_code == 0 && !timed_out; }
  // out and err together, for assertion messages.
  [[nodiscard]] std::string output() const { return out + err; }
};

// Runs argv[0] (looked up in PATH) with `input` on stdin, waits at most `timeout` (then
// SIGKILL), and returns what it printed. Throws FixtureError only if the process could not be
// started at all (e.g. the program does not exist).
[[nodiscard]] CommandResult run_command(
    const std::vector<std::string>& argv, const std::string& input = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A long-running child whose stdout and stderr are appended to a log file.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&&) = delete;
  ChildProcess& operator=(ChildProcess&&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  // True while the child has not exited (reaps it if it has).
  [[nodiscard]] bool running();
  // Exit status once the child has been reaped (same encoding as CommandResult::exit_code).
  [[nodiscard]] std::optional<int> exit_code() const { return exit_code_; }
  // SIGTERM, wait up to `grace`, then SIGKILL; always reaps. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace zk::testbed
