#include "model/record_notes.h"

namespace zk::model {

namespace {

// Octets of the character starting at `at`: a UTF-8 lead octet and its continuation octets
// (at most 4 in all), otherwise one.
size_t char_length(std::string_view s, size_t at) {
  auto c = static_cast<unsigned char>(s[at]);
  size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  size_t n = 1;
  while (n < want && at + n < s.size() && (static_cast<unsigned char>(s[at + n]) & 0xC0) == 0x80) {
    ++n;
  }
  return n;
}

}  // namespace

std::string escape_and_cut(std::string_view value, size_t limit,
                           std::string (*escape)(unsigned char)) {
  std::string out;
  for (size_t at = 0; at < value.size();) {
    size_t n = char_length(value, at);
    std::string piece;
    for (size_t i = at; i < at + n; ++i) {
      auto c = static_cast<unsigned char>(value[i]);
      std::string e = escape(c);
      if (e.empty()) {
        piece += static_cast<char>(c);
      } else {
        piece += e;
      }
    }
    if (out.size() + piece.size() > limit) break;
    out += piece;
    at += n;
  }
  return out;
}

}  // namespace zk::model
