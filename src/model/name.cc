#include "model/name.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace zk::model {
namespace {

inline uint8_t lower(uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

// Offsets of each label's length byte, leftmost first (root label excluded). A name has at
// most 127 labels, so a fixed array on the stack holds them: comparisons sit on hot paths
// (every map insert of a zone transfer) and must not allocate.
struct LabelOffsets {
  std::array<uint8_t, 128> at{};
  size_t count = 0;
  size_t size() const { return count; }
  size_t operator[](size_t i) const { return at[i]; }
  const uint8_t* begin() const { return at.data(); }
  const uint8_t* end() const { return at.data() + count; }
};

LabelOffsets label_offsets(std::string_view wire) {
  LabelOffsets out;
  size_t pos = 0;
  while (pos < wire.size() && wire[pos] != 0 && out.count < out.at.size()) {
    out.at[out.count++] = static_cast<uint8_t>(pos);
    pos += 1 + static_cast<uint8_t>(wire[pos]);
  }
  return out;
}

void append_label_text(std::string& out, std::string_view label) {
  for (unsigned char c : label) {
    if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
        c == '$') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c <= 0x20 || c >= 0x7f) {
      out += fmt::format("\\{:03d}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

}  // namespace

Name::Name() : wire_(std::string_view("\0", 1)) {}

Parsed<Name> Name::parse(std::string_view text, const Name* origin) {
  if (text.empty()) return invalid("empty domain name");
  if (text == "@") {
    if (!origin) return invalid("\"@\" used without a zone origin");
    return *origin;
  }
  if (text == ".") return Name();

  std::string wire;
  std::string label;
  bool absolute = false;
  auto close_label = [&](size_t at) -> Parsed<bool> {
    if (label.empty()) {
      return invalid(fmt::format("empty label at offset {} in \"{}\"", at, text));
    }
    if (label.size() > kMaxLabel) {
      return invalid(fmt::format("label \"{}\" is {} octets long; the limit is {}",
                                 label.substr(0, 20) + "...", label.size(), kMaxLabel));
    }
    wire.push_back(static_cast<char>(label.size()));
    wire += label;
    label.clear();
    return true;
  };

  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return invalid(fmt::format("dangling backslash in \"{}\"", text));
      char d = text[i + 1];
      if (std::isdigit(static_cast<unsigned char>(d))) {
        if (i + 3 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 2])) ||
            !std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
          return invalid(fmt::format("bad \\DDD escape in \"{}\"", text));
        }
        int v = (d - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return invalid(fmt::format("\\DDD escape over 255 in \"{}\"", text));
        label.push_back(static_cast<char>(v));
        i += 3;
      } else {
        label.push_back(d);
        i += 1;
      }
    } else if (c == '.') {
      if (i + 1 == text.size()) absolute = true;
      auto ok = close_label(i);
      if (!ok) return tl::unexpected(ok.error());
    } else {
      label.push_back(c);
    }
  }
  if (!absolute) {
    auto ok = close_label(text.size());
    if (!ok) return tl::unexpected(ok.error());
    if (!origin) {
      return invalid(fmt::format("relative name \"{}\" used without a zone origin", text));
    }
    wire.append(origin->wire_.data(), origin->wire_.size() - 1);
  }
  wire.push_back('\0');
  if (wire.size() > kMaxWire) {
    return invalid(fmt::format("name \"{}\" is {} octets in wire form; the limit is {}", text,
                               wire.size(), kMaxWire));
  }
  return Name(std::move(wire));
}

Parsed<Name> Name::from_wire(std::span<const uint8_t> wire) {
  if (wire.empty()) return invalid("empty wire name");
  if (wire.size() > kMaxWire) return invalid("wire name over 255 octets");
  size_t pos = 0;
  while (true) {
    if (pos >= wire.size()) return invalid("wire name runs past its data");
    uint8_t len = wire[pos];
    if (len == 0) break;
    if (len > kMaxLabel) return invalid("wire label over 63 octets (or compressed)");
    pos += 1 + len;
  }
  if (pos + 1 != wire.size()) return invalid("trailing octets after wire name");
  return Name(std::string(reinterpret_cast<const char*>(wire.data()), wire.size()));
}

Parsed<Name> Name::from_labels(const std::vector<std::string>& labels) {
  std::string wire;
  for (const auto& l : labels) {
    if (l.empty()) return invalid("empty label");
    if (l.size() > kMaxLabel) return invalid(fmt::format("label over {} octets", kMaxLabel));
    wire.push_back(static_cast<char>(l.size()));
    wire += l;
  }
  wire.push_back('\0');
  if (wire.size() > kMaxWire) return invalid("name over 255 octets");
  return Name(std::move(wire));
}

std::string Name::to_string() const {
  if (is_root()) return ".";
  std::string out;
  size_t pos = 0;
  while (wire_[pos] != 0) {
    size_t len = static_cast<uint8_t>(wire_[pos]);
    append_label_text(out, wire_.view().substr(pos + 1, len));
    out.push_back('.');
    pos += 1 + len;
  }
  return out;
}

std::string Name::relative_to(const Name& origin) const {
  if (*this == origin) return "@";
  if (!is_subdomain_of(origin)) return to_string();
  std::string out;
  size_t keep = label_count() - origin.label_count();
  size_t pos = 0;
  for (size_t i = 0; i < keep; ++i) {
    size_t len = static_cast<uint8_t>(wire_[pos]);
    if (i) out.push_back('.');
    append_label_text(out, wire_.view().substr(pos + 1, len));
    pos += 1 + len;
  }
  return out;
}

bool Name::is_subdomain_of(const Name& ancestor) const {
  if (ancestor.wire_.size() > wire_.size()) return false;
  size_t start = wire_.size() - ancestor.wire_.size();
  // The suffix must begin on a label boundary.
  bool boundary = false;
  for (size_t off : label_offsets(wire_.view())) {
    if (off == start) boundary = true;
  }
  if (start == wire_.size() - 1) boundary = true;  // ancestor is root
  if (!boundary) return false;
  for (size_t i = 0; i < ancestor.wire_.size(); ++i) {
    if (lower(static_cast<uint8_t>(wire_[start + i])) !=
        lower(static_cast<uint8_t>(ancestor.wire_[i]))) {
      return false;
    }
  }
  return true;
}

size_t Name::label_count() const {
  return label_offsets(wire_.view()).size();
}

std::vector<std::string> Name::labels() const {
  std::vector<std::string> out;
  for (size_t off : label_offsets(wire_.view())) {
    out.emplace_back(wire_.view().substr(off + 1, static_cast<uint8_t>(wire_[off])));
  }
  return out;
}

Name Name::parent() const {
  if (is_root()) return *this;
  size_t len = static_cast<uint8_t>(wire_[0]);
  return Name(wire_.view().substr(1 + len));
}

Parsed<Name> Name::prepend(std::string_view label) const {
  if (label.empty()) return invalid("empty label");
  if (label.size() > kMaxLabel) return invalid("label over 63 octets");
  std::string wire;
  wire.push_back(static_cast<char>(label.size()));
  wire += label;
  wire += wire_.view();
  if (wire.size() > kMaxWire) return invalid("name over 255 octets");
  return Name(std::move(wire));
}

Name Name::canonical() const {
  std::string w(wire_.view());
  for (auto& c : w) c = static_cast<char>(lower(static_cast<uint8_t>(c)));
  return Name(std::move(w));
}

bool operator==(const Name& a, const Name& b) {
  if (a.wire_.size() != b.wire_.size()) return false;
  for (size_t i = 0; i < a.wire_.size(); ++i) {
    if (lower(static_cast<uint8_t>(a.wire_[i])) != lower(static_cast<uint8_t>(b.wire_[i]))) {
      return false;
    }
  }
  return true;
}

std::strong_ordering operator<=>(const Name& a, const Name& b) {
  auto la = label_offsets(a.wire_.view());
  auto lb = label_offsets(b.wire_.view());
  size_t n = std::min(la.size(), lb.size());
  for (size_t i = 1; i <= n; ++i) {
    size_t oa = la[la.size() - i], ob = lb[lb.size() - i];
    size_t lena = static_cast<uint8_t>(a.wire_[oa]), lenb = static_cast<uint8_t>(b.wire_[ob]);
    size_t m = std::min(lena, lenb);
    for (size_t k = 0; k < m; ++k) {
      uint8_t ca = lower(static_cast<uint8_t>(a.wire_[oa + 1 + k]));
      uint8_t cb = lower(static_cast<uint8_t>(b.wire_[ob + 1 + k]));
      if (ca != cb) return ca <=> cb;
    }
    if (lena != lenb) return lena <=> lenb;
  }
  return la.size() <=> lb.size();
}

size_t Name::hash() const {
  // FNV-1a over the lowercased wire form.
  uint64_t h = 1469598103934665603ULL;
  for (char c : wire_.view()) {
    h ^= lower(static_cast<uint8_t>(c));
    h *= 1099511628211ULL;
  }
  return static_cast<size_t>(h);
}

}  // namespace zk::model
