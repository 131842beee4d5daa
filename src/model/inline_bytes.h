// Immutable bytes kept inline when short (up to 28), else on the heap; 32 bytes, as a
// std::string, but with nearly twice its inline room: most names' and RDATAs' wire forms fit, so
// copying them into every map that keys by them does not allocate.
//
//   InlineBytes b(std::string_view("\3www\0", 5));
//   b.size();    // 5
//   b.view();    // the bytes as chars; b.span() as octets
//
// (boost::container::string keeps only 22 inline, small_vector takes 48 bytes for 24.)
#pragma once

#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace zk::model {

class InlineBytes {
 public:
  InlineBytes() = default;
  explicit InlineBytes(std::string_view bytes) { assign(bytes); }
  explicit InlineBytes(std::span<const uint8_t> bytes)
      : InlineBytes(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())) {}
  InlineBytes(const InlineBytes& o) { assign(o.view()); }
  InlineBytes(InlineBytes&& o) noexcept { take(o); }
  InlineBytes& operator=(const InlineBytes& o) {
    if (this != &o) {
      release();
      assign(o.view());
    }
    return *this;
  }
  InlineBytes& operator=(InlineBytes&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~InlineBytes() { release(); }

  const char* data() const { return size_ <= kInline ? buf_ : heap(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t operator[](size_t i) const { return static_cast<uint8_t>(data()[i]); }
  std::string_view view() const { return {data(), size_}; }
  std::span<const uint8_t> span() const {
    return {reinterpret_cast<const uint8_t*>(data()), size_};
  }

  // Octet by octet (unsigned), as a std::vector<uint8_t> would compare.
  friend bool operator==(const InlineBytes& a, const InlineBytes& b) {
    return a.size_ == b.size_ && std::memcmp(a.data(), b.data(), a.size_) == 0;
  }
  friend std::strong_ordering operator<=>(const InlineBytes& a, const InlineBytes& b) {
    const size_t n = a.size_ < b.size_ ? a.size_ : b.size_;
    if (int c = n ? std::memcmp(a.data(), b.data(), n) : 0; c != 0) {
      return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    return a.size_ <=> b.size_;
  }

 private:
  static constexpr size_t kInline = 28;
  char* heap() const {
    char* p = nullptr;
    std::memcpy(&p, buf_, sizeof p);
    return p;
  }
  void assign(std::string_view bytes) {
    size_ = static_cast<uint32_t>(bytes.size());
    if (bytes.size() <= kInline) {
      if (!bytes.empty()) std::memcpy(buf_, bytes.data(), bytes.size());
      return;
    }
    char* p = new char[bytes.size()];
    std::memcpy(p, bytes.data(), bytes.size());
    std::memcpy(buf_, &p, sizeof p);
  }
  void take(InlineBytes& o) noexcept {
    std::memcpy(buf_, o.buf_, sizeof buf_);
    size_ = o.size_;
    o.size_ = 0;
  }
  void release() {
    if (size_ > kInline) delete[] heap();
    size_ = 0;
  }

  char buf_[kInline] = {};
  uint32_t size_ = 0;  // an RDATA being built may exceed 64 KiB before a size check refuses it
};
static_assert(sizeof(InlineBytes) == 32);

}  // namespace zk::model
