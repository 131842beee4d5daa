// Octets as hex text and back: digests and hashes, SSHFP and TLSA data, RFC 3597's generic
// RDATA (\# 4 0a000001).
//
//   hex_text(octets)                  // "0a1b…"
//   hex_text(octets, HexCase::Upper)  // "0A1B…", as BIND prints SSHFP and TLSA data
//   hex_octets("0A1b")                // {0x0a, 0x1b}; nullopt unless pairs of hex digits
//   hex_digit('B')                    // 11; -1 for anything but a hex digit
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zk::model {

enum class HexCase { Lower, Upper };

// The value of one hex digit (either case), or -1.
int hex_digit(char c);

std::string hex_text(std::span<const uint8_t> octets, HexCase letters = HexCase::Lower);

// Two hex digits (either case) per octet, nothing else: no sign, prefix or white space. An empty
// text is no octets.
std::optional<std::vector<uint8_t>> hex_octets(std::string_view text);

}  // namespace zk::model
