// Hex digests for names that must be stable across versions: a catalog member's label (SHA-1,
// RFC 9432's usual choice) and a configuration's fingerprint on a Pod template (SHA-256).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace zk::managed {

std::string sha1_hex(std::span<const uint8_t> data);
std::string sha256_hex(std::string_view text);

}  // namespace zk::managed
