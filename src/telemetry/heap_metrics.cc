#include "telemetry/heap_metrics.h"

#include <malloc.h>

#include <fmt/format.h>

namespace zk::telemetry {

std::string heap_metrics() {
  // In use: allocated chunks in every arena plus blocks mmapped on their own. Free: chunks freed
  // into the arenas (not given back to the kernel; a part of them may still be resident).
  const struct mallinfo2 m = mallinfo2();
  return fmt::format(
      "# HELP zonekeeper_heap_bytes Heap bytes by allocator state (glibc mallinfo2).\n"
      "# TYPE zonekeeper_heap_bytes gauge\n"
      "zonekeeper_heap_bytes{{state=\"in_use\"}} {}\n"
      "zonekeeper_heap_bytes{{state=\"free\"}} {}\n",
      m.uordblks + m.hblkhd, m.fordblks);
}

}  // namespace zk::telemetry
