// metav1.MicroTime / metav1.Time text forms ("2024-05-01T10:00:00.123456Z").
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace zk::kube {

std::string format_micro_time(std::chrono::system_clock::time_point t);
std::string format_time(std::chrono::system_clock::time_point t);
// The same of seconds since 1970 (any year to 9999; a time_point's nanoseconds end in 2262).
std::string format_time(std::time_t seconds);

}  // namespace zk::kube
