// The SOA serial of a zone as a server on 127.0.0.1 answers it, asked with one UDP query.
//
//   std::optional<std::uint32_t> serial = zk::testbed::probe_soa_serial(5300, "example.test.");
//
// The fixture polls this while named starts and while a secondary catches up: a dig process
// costs ~10–50 ms per question on a busy 2-core machine, this costs well under 1 ms, so waits
// end within milliseconds of the moment the server is ready. Independent of src/dns on
// purpose: the fixture must not trust the code it is used to test.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace zk::testbed {

// nullopt unless the server answered NOERROR, authoritatively, with an SOA for `zone` within
// `timeout` (refused, SERVFAIL, no listener, malformed answer: all nullopt).
[[nodiscard]] std::optional<std::uint32_t> probe_soa_serial(
    std::uint16_t port, std::string_view zone,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

}  // namespace zk::testbed
