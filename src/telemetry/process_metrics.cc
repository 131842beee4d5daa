#include "telemetry/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace zk::telemetry {

namespace {

void family(std::string& out, const char* name, const char* type, const char* help, double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

// /proc/stat's btime: the boot time, seconds since the epoch.
std::optional<double> boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

}  // namespace

std::string process_metrics() {
  std::string out;
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Field 2 (comm) is parenthesised and may hold spaces: the fields that follow start after
  // the last ')'. fields[0] is field 3 (state).
  auto close = stat.rfind(')');
  std::vector<std::string> fields;
  if (close != std::string::npos) {
    std::istringstream rest(stat.substr(close + 1));
    for (std::string f; rest >> f;) fields.push_back(f);
  }
  const double ticks = double(sysconf(_SC_CLK_TCK));
  const double page = double(sysconf(_SC_PAGESIZE));
  if (fields.size() > 21 && ticks > 0) {
    family(out, "process_cpu_seconds_total", "counter",
           "Total user and system CPU time spent in seconds.",
           (std::stod(fields[11]) + std::stod(fields[12])) / ticks);
    family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
           std::stod(fields[20]));
    family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
           std::stod(fields[21]) * page);
    if (auto boot = boot_time()) {
      family(out, "process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.",
             *boot + std::stod(fields[19]) / ticks);
    }
  }
  std::error_code ec;
  size_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    // The iterator's own descriptor is among those listed.
    family(out, "process_open_fds", "gauge", "Number of open file descriptors.",
           double(fds > 0 ? fds - 1 : 0));
  }
  struct rlimit lim {};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
           double(lim.rlim_cur));
  }
  return out;
}

}  // namespace zk::telemetry
