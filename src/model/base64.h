// Standard base64 (RFC 4648 §4, with padding), strict: one decoder for every secret we read
// (TSIG keys from BIND key files and from Kubernetes Secrets).
//
//   auto bytes = decode_base64("Zm9v");   // Parsed<std::vector<uint8_t>>{'f','o','o'}
//
// No whitespace, no URL-safe alphabet, no missing padding. The error never quotes the input,
// which is usually a secret.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/error.h"

namespace zk::model {

Parsed<std::vector<uint8_t>> decode_base64(std::string_view text);

}  // namespace zk::model
