// zonekeeper_heap_bytes{state}: the C library allocator's own count (glibc mallinfo2) of heap
// bytes in use and of bytes freed but still held, rendered in the text exposition format, so
// resident memory can be told apart into live data and what the allocator keeps.
#pragma once

#include <string>

namespace zk::telemetry {

std::string heap_metrics();

}  // namespace zk::telemetry
