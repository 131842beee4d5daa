#include "model/hex.h"

namespace zk::model {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex_text(std::span<const uint8_t> octets, HexCase letters) {
  const char* digits = letters == HexCase::Upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out(octets.size() * 2, '0');
  for (size_t i = 0; i < octets.size(); ++i) {
    out[2 * i] = digits[octets[i] >> 4];
    out[2 * i + 1] = digits[octets[i] & 0xf];
  }
  return out;
}

std::optional<std::vector<uint8_t>> hex_octets(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace zk::model
