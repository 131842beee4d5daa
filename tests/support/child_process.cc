#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace zk::testbed {
namespace {

using Clock = std::chrono::steady_clock;

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);  // never retried on EINTR: on Linux the descriptor is gone either way
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void throw_errno(const std::string& what, int err = errno) {
  throw FixtureError(fmt::format("{}: {}", what, std::strerror(err)));
}

int decode_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

// Finds `program` in PATH, then in the sbin directories that a non-root PATH may lack
// (named, rndc and tsig-keygen live in /usr/sbin on Debian).
std::string resolve_program(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return program;
  }
  std::string dirs;
  if (const char* path = std::getenv("PATH")) {
    dirs = path;
  }
  dirs += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) {
      continue;
    }
    std::string candidate = dir;
    candidate += '/';
    candidate += program;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  throw FixtureError(fmt::format("program not found in PATH or sbin: {}", program));
}

Fd open_checked(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    throw_errno(fmt::format("open {}", path));
  }
  return Fd(fd);
}

Fd make_memfd(const char* name) {
  const int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) {
    throw_errno("memfd_create");
  }
  return Fd(fd);
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("write");
    }
    done += static_cast<std::size_t>(n);
  }
}

std::string read_all_from_start(int fd) {
  std::string data;
  char buf[65536];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("pread");
    }
    if (n == 0) {
      break;
    }
    data.append(buf, static_cast<std::size_t>(n));
    offset += n;
  }
  return data;
}

// Starts argv with the given descriptors as 0, 1, 2. Throws if exec fails.
pid_t spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
  if (argv.empty()) {
    throw FixtureError("spawn: empty argv");
  }
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed (the parent may have other threads).
  const std::string program = resolve_program(argv[0]);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);

  int exec_error_pipe[2];
  if (::pipe2(exec_error_pipe, O_CLOEXEC) != 0) {
    throw_errno("pipe2");
  }
  Fd error_read(exec_error_pipe[0]);
  Fd error_write(exec_error_pipe[1]);

  const pid_t parent = ::getpid();
  rlimit files{};
  const int max_fd = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY
                         ? static_cast<int>(std::min<rlim_t>(files.rlim_cur, 1 << 20))
                         : 65536;
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw_errno("fork");
  }
  if (pid == 0) {
    const int targets[3] = {in_fd, out_fd, err_fd};
    for (int target = 0; target < 3; ++target) {
      const int fd = targets[target];
      if (fd == target) {
        ::fcntl(fd, F_SETFD, 0);  // keep it across exec
      } else if (::dup2(fd, target) < 0) {
        const int e = errno;
        (void)!::write(exec_error_pipe[1], &e, sizeof e);
        ::_exit(127);
      }
    }
    // Nothing else leaks into the child: every descriptor above 2 closes on exec, including
    // ones that another thread of the parent opened without O_CLOEXEC.
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {  // kernels < 5.11
      for (int fd = 3; fd < max_fd; ++fd) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
      }
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);  // the parent died before prctl
    }
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(program.c_str(), args.data());
    const int e = errno;
    (void)!::write(exec_error_pipe[1], &e, sizeof e);
    ::_exit(127);
  }

  error_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw FixtureError(fmt::format("cannot exec {}: {}", program, std::strerror(child_errno)));
  }
  return pid;
}

// Waits until `pid` exits or `timeout` passes; returns its raw status if it exited.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  Fd owned_pidfd(pidfd);
  auto sleep_step = std::chrono::milliseconds(1);
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      return status;
    }
    if (r < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno(fmt::format("waitpid {}", pid));
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      return std::nullopt;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (owned_pidfd.valid()) {
      pollfd p{owned_pidfd.get(), POLLIN, 0};
      const int wait_ms = static_cast<int>(std::min<std::int64_t>(left.count() + 1, 60'000));
      if (::poll(&p, 1, wait_ms) < 0 && errno != EINTR) {
        throw_errno("poll pidfd");
      }
    } else {  // kernels before 5.3: poll waitpid with a growing sleep
      std::this_thread::sleep_for(std::min(sleep_step, left));
      sleep_step = std::min(sleep_step * 2, std::chrono::milliseconds(20));
    }
  }
}

int wait_blocking(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw_errno(fmt::format("waitpid {}", pid));
    }
  }
  return status;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds timeout) {
  // memfds instead of pipes: the child can write any amount without a reader draining it,
  // stdin needs no writer thread, and no SIGPIPE can hit the test process.
  Fd in = make_memfd("zk-stdin");
  write_all(in.get(), input);
  if (::lseek(in.get(), 0, SEEK_SET) != 0) {
    throw_errno("lseek");
  }
  Fd out = make_memfd("zk-stdout");
  Fd err = make_memfd("zk-stderr");

  const pid_t pid = spawn(argv, in.get(), out.get(), err.get());
  CommandResult result;
  std::optional<int> status = wait_for_exit(pid, timeout);
  if (!status) {
    ::kill(pid, SIGKILL);
    status = wait_blocking(pid);
    result.timed_out = true;
  }
  result.exit_code = decode_status(*status);
  result.out = read_all_from_start(out.get());
  result.err = read_all_from_start(err.get());
  return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::filesystem::path& log_file) {
  Fd in = open_checked("/dev/null", O_RDONLY);
  Fd log = open_checked(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_ = spawn(argv, in.get(), log.get(), log.get());
}

ChildProcess::~ChildProcess() {
  try {
    stop();
  } catch (...) {  // a destructor must not throw; stop() only throws on a broken waitpid
  }
}

bool ChildProcess::running() {
  if (exit_code_) {
    return false;
  }
  if (auto status = wait_for_exit(pid_, std::chrono::milliseconds(0))) {
    exit_code_ = decode_status(*status);
    return false;
  }
  return true;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ < 0 || exit_code_) {
    return;
  }
  ::kill(pid_, SIGTERM);
  std::optional<int> status = wait_for_exit(pid_, grace);
  if (!status) {
    ::kill(pid_, SIGKILL);
    status = wait_blocking(pid_);
  }
  exit_code_ = decode_status(*status);
}

}  // namespace zk::testbed
