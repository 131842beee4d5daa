#include "sources/traefik_rule.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>

#include <fmt/format.h>

#include "model/ascii.h"
#include "model/hex.h"

namespace zk::sources {
namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view rule) : s_(rule) {}

  tl::expected<std::vector<std::string>, TraefikRuleError> run() {
    if (s_.size() > kTraefikRuleMaxSize) {
      return tl::unexpected(
          TraefikRuleError{0, fmt::format("a rule of at most {} bytes", kTraefikRuleMaxSize),
                           fmt::format("{} bytes", s_.size())});
    }
    skip_ws();
    if (at_end()) return fail("a matcher such as Host(`example.com`)");
    if (!parse_or(0, false)) return tl::unexpected(error_);
    skip_ws();
    if (!at_end()) return fail("'&&', '||' or end of rule");
    return std::move(hosts_);
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }

  void skip_ws() {
    while (!at_end() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  std::string describe_here() const {
    if (at_end()) return "end of rule";
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c < 0x20 || c >= 0x7F) return fmt::format("byte 0x{:02x}", c);
    return fmt::format("'{}'", static_cast<char>(c));
  }

  tl::unexpected<TraefikRuleError> fail(std::string expected) {
    if (!failed_) {
      error_ = TraefikRuleError{pos_, std::move(expected), describe_here()};
      failed_ = true;
    }
    return tl::unexpected(error_);
  }

  // Each parse_* returns false after recording the first error.
  bool parse_or(size_t depth, bool negated) {
    if (!parse_and(depth, negated)) return false;
    for (;;) {
      skip_ws();
      if (s_.substr(pos_, 2) != "||") return true;
      pos_ += 2;
      skip_ws();
      if (!parse_and(depth, negated)) return false;
    }
  }

  bool parse_and(size_t depth, bool negated) {
    if (!parse_unary(depth, negated)) return false;
    for (;;) {
      skip_ws();
      if (s_.substr(pos_, 2) != "&&") return true;
      pos_ += 2;
      skip_ws();
      if (!parse_unary(depth, negated)) return false;
    }
  }

  bool parse_unary(size_t depth, bool negated) {
    skip_ws();
    if (at_end()) {
      fail("a matcher, '!' or '('");
      return false;
    }
    char c = s_[pos_];
    if (c == '!' || c == '(') {
      if (depth >= kTraefikRuleMaxDepth) {
        fail(fmt::format("at most {} nested '(' or '!'", kTraefikRuleMaxDepth));
        return false;
      }
      ++pos_;
      if (c == '!') return parse_unary(depth + 1, true);
      if (!parse_or(depth + 1, negated)) return false;
      skip_ws();
      if (at_end() || s_[pos_] != ')') {
        fail("')'");
        return false;
      }
      ++pos_;
      return true;
    }
    return parse_matcher(negated);
  }

  bool parse_matcher(bool negated) {
    if (!is_ident_start(s_[pos_])) {
      fail("a matcher, '!' or '('");
      return false;
    }
    size_t start = pos_;
    while (!at_end() && is_ident_char(s_[pos_])) ++pos_;
    std::string_view name = s_.substr(start, pos_ - start);
    skip_ws();
    if (at_end() || s_[pos_] != '(') {
      fail(fmt::format("'(' after {}", name));
      return false;
    }
    ++pos_;
    std::vector<std::string> args;
    skip_ws();
    if (!at_end() && s_[pos_] == ')') {
      ++pos_;
    } else {
      for (;;) {
        skip_ws();
        std::string arg;
        if (!parse_string(arg)) return false;
        args.push_back(std::move(arg));
        skip_ws();
        if (at_end() || (s_[pos_] != ',' && s_[pos_] != ')')) {
          fail("',' or ')'");
          return false;
        }
        if (s_[pos_++] == ')') break;
      }
    }
    bool host = model::ascii_iequals(name, "Host") || model::ascii_iequals(name, "HostHeader");
    bool sni = model::ascii_iequals(name, "HostSNI");
    if (negated || (!host && !sni)) return true;
    for (auto& a : args) {
      if (a.empty() || (sni && a == "*")) continue;
      std::string key = model::ascii_lower(a);
      if (seen_.insert(std::move(key)).second) hosts_.push_back(std::move(a));
    }
    return true;
  }

  bool parse_string(std::string& out) {
    if (at_end() || (s_[pos_] != '`' && s_[pos_] != '"')) {
      fail("a string in backticks or double quotes");
      return false;
    }
    size_t open = pos_;
    char q = s_[pos_++];
    if (q == '`') {
      size_t close = s_.find('`', pos_);
      if (close == std::string_view::npos) {
        pos_ = s_.size();
        fail(fmt::format("'`' closing the string opened at {}", open));
        return false;
      }
      out.assign(s_.substr(pos_, close - pos_));
      pos_ = close + 1;
      return true;
    }
    for (;;) {
      if (at_end() || s_[pos_] == '\n') {
        fail(fmt::format("'\"' closing the string opened at {}", open));
        return false;
      }
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (!parse_escape(out)) return false;
    }
  }

  // Go string escapes: \a \b \f \n \r \t \v \\ \" \xHH \ooo \uHHHH \UHHHHHHHH.
  bool parse_escape(std::string& out) {
    ++pos_;  // the backslash
    if (at_end()) {
      fail("an escape sequence after '\\'");
      return false;
    }
    char e = s_[pos_];
    static constexpr std::string_view kSimple = "abfnrtv\\\"";
    static constexpr std::string_view kValues = "\a\b\f\n\r\t\v\\\"";
    if (auto i = kSimple.find(e); i != std::string_view::npos) {
      out += kValues[i];
      ++pos_;
      return true;
    }
    if (e >= '0' && e <= '7') {
      unsigned v = 0;
      for (int i = 0; i < 3; ++i) {
        if (at_end() || s_[pos_] < '0' || s_[pos_] > '7') {
          fail("three octal digits");
          return false;
        }
        v = v * 8 + static_cast<unsigned>(s_[pos_++] - '0');
      }
      if (v > 255) {
        --pos_;
        fail("an octal escape of at most \\377");
        return false;
      }
      out += static_cast<char>(v);
      return true;
    }
    int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits == 0) {
      fail("a valid escape (\\n \\t \\\\ \\\" \\xHH \\uHHHH …)");
      return false;
    }
    ++pos_;
    uint32_t v = 0;
    for (int i = 0; i < digits; ++i) {
      int h = at_end() ? -1 : model::hex_digit(s_[pos_]);
      if (h < 0) {
        fail(fmt::format("{} hexadecimal digits", digits));
        return false;
      }
      v = v * 16 + static_cast<uint32_t>(h);
      ++pos_;
    }
    if (e == 'x') {
      out += static_cast<char>(v);
    } else {
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        fail("a Unicode code point");
        return false;
      }
      append_utf8(out, v);
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::vector<std::string> hosts_;
  std::set<std::string> seen_;  // lowercased hosts_
  bool failed_ = false;
  TraefikRuleError error_;
};

}  // namespace

std::string TraefikRuleError::message() const {
  return fmt::format("at {}: expected {}, found {}", offset, expected, found);
}

tl::expected<std::vector<std::string>, TraefikRuleError> traefik_rule_hosts(std::string_view rule) {
  return Parser(rule).run();
}

}  // namespace zk::sources
