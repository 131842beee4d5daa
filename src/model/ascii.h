// ASCII case folding for protocol text (DNS names, schemes, keywords), locale-independent.
#pragma once

#include <string>
#include <string_view>

namespace zk::model {

// `s` with A–Z turned into a–z; every other byte (digits, punctuation, UTF-8) unchanged.
std::string ascii_lower(std::string_view s);

// Whether `a` and `b` are equal ignoring ASCII case (same length, bytes equal after folding).
bool ascii_iequals(std::string_view a, std::string_view b);

}  // namespace zk::model
