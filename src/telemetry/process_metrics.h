// The standard process_* families of the Prometheus client libraries (CPU seconds, resident and
// virtual memory, open and max file descriptors, start time), read from /proc/self now and
// rendered in the text exposition format; the families whose source cannot be read are left out.
#pragma once

#include <string>

namespace zk::telemetry {

std::string process_metrics();

}  // namespace zk::telemetry
