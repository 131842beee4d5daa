// Domain names (RFC 1035 §2.3, §3.1; RFC 4343 case rules; RFC 4034 §6.1 canonical order).
//
//   auto zone = Name::parse("example.test.").value();
//   auto www  = Name::parse("www", &zone).value();   // relative → www.example.test.
//   auto apex = Name::parse("@", &zone).value();     // "@" → the origin itself
//   www.is_subdomain_of(zone);                        // true
//   www.relative_to(zone);                            // "www"
//
// A Name keeps the case it was given (DNS is case-preserving) but compares, hashes and
// orders case-insensitively. It is stored in uncompressed wire form.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "model/inline_bytes.h"

namespace zk::model {

class Name {
 public:
  static constexpr size_t kMaxLabel = 63;
  static constexpr size_t kMaxWire = 255;

  // The root name ".".
  Name();

  // Presentation form: "www.example.test." (absolute), "www" (relative to origin),
  // "@" (the origin), with \. \\ and \DDD escapes. Relative names need an origin.
  static Parsed<Name> parse(std::string_view text, const Name* origin = nullptr);

  // Uncompressed wire form that must span exactly `wire`.
  static Parsed<Name> from_wire(std::span<const uint8_t> wire);

  // Builds a name from raw label octets (no escapes). Fails on empty, long labels or names.
  static Parsed<Name> from_labels(const std::vector<std::string>& labels);

  // Absolute presentation form with trailing dot and escapes.
  std::string to_string() const;
  // "@" for origin itself, the relative part for names below it, else to_string().
  std::string relative_to(const Name& origin) const;

  bool is_root() const { return wire_.size() == 1; }
  // True when this name equals `ancestor` or lies below it.
  bool is_subdomain_of(const Name& ancestor) const;
  size_t label_count() const;
  std::vector<std::string> labels() const;  // raw label octets, leftmost first
  // The name with its leftmost label removed (the root stays root).
  Name parent() const;
  // `label` + this name.
  Parsed<Name> prepend(std::string_view label) const;

  std::span<const uint8_t> wire() const { return wire_.span(); }
  size_t wire_size() const { return wire_.size(); }
  // Lowercased copy (RFC 4034 §6.2 canonical form).
  Name canonical() const;

  friend bool operator==(const Name& a, const Name& b);
  // RFC 4034 §6.1 canonical ordering (labels compared from the right, case-insensitive).
  friend std::strong_ordering operator<=>(const Name& a, const Name& b);

  size_t hash() const;

 private:
  explicit Name(std::string_view wire) : wire_(wire) {}
  InlineBytes wire_;  // length-prefixed labels ending with the zero-length root label
};

struct NameHash {
  size_t operator()(const Name& n) const { return n.hash(); }
};

}  // namespace zk::model
