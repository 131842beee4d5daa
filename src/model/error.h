// Errors as values for the pure layers.
//
//   model::Parsed<Name> n = Name::parse("www", &zone);
//   if (!n) return tl::unexpected(n.error());   // n.error() is a human-readable sentence
//
// The model never throws across its boundary: every parser and validator returns a
// Parsed<T> whose error says exactly what is wrong with the input.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace zk::model {

template <class T>
using Parsed = tl::expected<T, std::string>;

inline tl::unexpected<std::string> invalid(std::string message) {
  return tl::unexpected<std::string>(std::move(message));
}

}  // namespace zk::model
