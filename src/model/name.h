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
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"

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

  std::span<const uint8_t> wire() const {
    return {reinterpret_cast<const uint8_t*>(wire_.data()), wire_.size()};
  }
  size_t wire_size() const { return wire_.size(); }
  // Lowercased copy (RFC 4034 §6.2 canonical form).
  Name canonical() const;

  friend bool operator==(const Name& a, const Name& b);
  // RFC 4034 §6.1 canonical ordering (labels compared from the right, case-insensitive).
  friend std::strong_ordering operator<=>(const Name& a, const Name& b);

  size_t hash() const;

 private:
  // The wire form, inline when short (most names, so copying one does not allocate: a record's
  // owner name is copied into every map that keys by it), else on the heap. 32 bytes.
  class Wire {
   public:
    Wire() = default;
    explicit Wire(std::string_view w) { assign(w); }
    Wire(const Wire& o) { assign(o.view()); }
    Wire(Wire&& o) noexcept { take(o); }
    Wire& operator=(const Wire& o) {
      if (this != &o) {
        release();
        assign(o.view());
      }
      return *this;
    }
    Wire& operator=(Wire&& o) noexcept {
      if (this != &o) {
        release();
        take(o);
      }
      return *this;
    }
    ~Wire() { release(); }
    const char* data() const { return size_ <= kInline ? buf_ : heap(); }
    size_t size() const { return size_; }
    char operator[](size_t i) const { return data()[i]; }
    std::string_view view() const { return {data(), size_}; }

   private:
    static constexpr size_t kInline = 30;
    char* heap() const {
      char* p = nullptr;
      std::memcpy(&p, buf_, sizeof p);
      return p;
    }
    void assign(std::string_view w) {
      size_ = static_cast<uint16_t>(w.size());  // at most kMaxWire: every constructor checks
      if (w.size() <= kInline) {
        std::memcpy(buf_, w.data(), w.size());
        return;
      }
      char* p = new char[w.size()];
      std::memcpy(p, w.data(), w.size());
      std::memcpy(buf_, &p, sizeof p);
    }
    void take(Wire& o) noexcept {
      std::memcpy(buf_, o.buf_, sizeof buf_);
      size_ = o.size_;
      o.size_ = 0;
    }
    void release() {
      if (size_ > kInline) delete[] heap();
      size_ = 0;
    }
    char buf_[kInline] = {};
    uint16_t size_ = 0;
  };

  explicit Name(std::string_view wire) : wire_(wire) {}
  Wire wire_;  // length-prefixed labels ending with the zero-length root label
};

struct NameHash {
  size_t operator()(const Name& n) const { return n.hash(); }
};

}  // namespace zk::model
