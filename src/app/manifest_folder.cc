#include "app/manifest_folder.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

namespace zk::app {

namespace json = boost::json;

std::string ManifestError::to_string() const {
  if (line <= 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}: {}", file, line, message);
}

bool is_manifest_file_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  auto ends = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  return ends(".yaml") || ends(".yml");
}

std::vector<std::string> list_manifest_files(const std::string& dir, std::string* error) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    if (error) *error = fmt::format("cannot read folder {}: {}", dir, std::strerror(errno));
    return out;
  }
  while (const dirent* e = readdir(d)) {
    std::string_view name(e->d_name);
    if (!is_manifest_file_name(name)) continue;
    if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
    out.push_back(dir + "/" + std::string(name));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

struct Chunk {
  std::string text;
  int first_line = 0;    // 0-based line of the chunk's first line in the file
  int content_line = 0;  // 1-based line of its first content line; 0 = no content
};

bool blank_or_comment(std::string_view line) {
  for (char c : line) {
    if (c == '#') return true;
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// A line "---" or "--- rest" (document start) or "..." (document end).
bool separator(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r';
}

std::vector<Chunk> split_documents(std::string_view text) {
  std::vector<Chunk> chunks(1);
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (separator(line, "---") || separator(line, "...")) {
      chunks.push_back(Chunk{"", line_no + 1, 0});
      if (line[0] == '-' && !blank_or_comment(line.substr(3))) {
        // "--- {a: 1}": the rest belongs to the new document, at its column.
        chunks.back().first_line = line_no;
        chunks.back().text = "   " + std::string(line.substr(3)) + "\n";
        chunks.back().content_line = line_no + 1;
      }
    } else {
      Chunk& c = chunks.back();
      if (c.content_line == 0 && !blank_or_comment(line)) c.content_line = line_no + 1;
      c.text.append(line);
      c.text.push_back('\n');
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    ++line_no;
  }
  return chunks;
}

bool all_of(std::string_view s, bool (*f)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), f);
}
bool dec(char c) {
  return (c >= '0' && c <= '9') || c == '_';
}
bool oct(char c) {
  return (c >= '0' && c <= '7') || c == '_';
}
bool bin(char c) {
  return c == '0' || c == '1' || c == '_';
}
bool hex(char c) {
  return dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::optional<json::value> integer(std::string_view s) {
  bool neg = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  int base = 10;
  std::string_view digits = body;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    base = 16;
    digits = body.substr(2);
    if (!all_of(digits, hex)) return std::nullopt;
  } else if (body.size() > 2 && body[0] == '0' && body[1] == 'b') {
    base = 2;
    digits = body.substr(2);
    if (!all_of(digits, bin)) return std::nullopt;
  } else if (body.size() > 1 && body[0] == '0') {
    base = 8;
    digits = body.substr(1);
    if (!all_of(digits, oct)) return std::nullopt;
  } else if (!all_of(body, dec) || body[0] == '_') {
    return std::nullopt;
  }
  std::string clean;
  for (char c : digits) {
    if (c != '_') clean.push_back(c);
  }
  if (clean.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(clean.c_str(), &end, base);
  if (errno == ERANGE || *end != '\0') return std::nullopt;
  if (!neg) {
    if (v <= static_cast<unsigned long long>(INT64_MAX))
      return json::value(static_cast<int64_t>(v));
    return json::value(static_cast<uint64_t>(v));
  }
  if (v <= static_cast<unsigned long long>(INT64_MAX)) return json::value(-static_cast<int64_t>(v));
  if (v == static_cast<unsigned long long>(INT64_MAX) + 1) return json::value(INT64_MIN);
  return std::nullopt;
}

std::optional<json::value> floating(std::string_view s) {
  // [-+]? digits? . digits? ([eE][-+]?digits)?  — at least one digit, a dot or an exponent.
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  bool dot = false, exp = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '_' && digits > 0) {
    } else if (c == '.' && !dot && !exp) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits > 0 && !exp) {
      exp = true;
      if (i + 1 < s.size() && (s[i + 1] == '-' || s[i + 1] == '+')) ++i;
      if (i + 1 >= s.size()) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0 || (!dot && !exp)) return std::nullopt;
  std::string clean;
  for (char c : s) {
    if (c != '_') clean.push_back(c);
  }
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return json::value(v);
}

json::value plain_scalar(const std::string& s) {
  static constexpr std::string_view kNull[] = {"", "~", "null", "Null", "NULL"};
  static constexpr std::string_view kTrue[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                               "True", "TRUE", "on",  "On",  "ON"};
  static constexpr std::string_view kFalse[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                                "False", "FALSE", "off", "Off", "OFF"};
  for (auto v : kNull) {
    if (s == v) return json::value(nullptr);
  }
  for (auto v : kTrue) {
    if (s == v) return json::value(true);
  }
  for (auto v : kFalse) {
    if (s == v) return json::value(false);
  }
  if (auto i = integer(s)) return *i;
  if (auto f = floating(s)) return *f;
  return json::value(json::string(s));
}

struct ConvertError {
  int line = 0;  // 0-based within the chunk
  std::string message;
};

// YAML node → JSON; throws ConvertError.
json::value to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json::value(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& tag = n.Tag();
      if (tag == "?") return plain_scalar(n.Scalar());
      if (tag == "!" || tag == "tag:yaml.org,2002:str")
        return json::value(json::string(n.Scalar()));
      if (tag == "tag:yaml.org,2002:int") {
        if (auto i = integer(n.Scalar())) return *i;
      } else if (tag == "tag:yaml.org,2002:float") {
        if (auto i = integer(n.Scalar())) return *i;
        if (auto f = floating(n.Scalar())) return *f;
      } else if (tag == "tag:yaml.org,2002:bool") {
        json::value v = plain_scalar(n.Scalar());
        if (v.is_bool()) return v;
      } else if (tag == "tag:yaml.org,2002:null") {
        json::value v = plain_scalar(n.Scalar());
        if (v.is_null()) return v;
      }
      throw ConvertError{n.Mark().line, fmt::format("cannot read \"{}\" as {}", n.Scalar(), tag)};
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      a.reserve(n.size());
      for (const auto& item : n) a.push_back(to_json(item));
      return json::value(std::move(a));
    }
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) {
          throw ConvertError{kv.first.Mark().line, "a mapping key must be a plain value"};
        }
        const std::string& key = kv.first.Scalar();
        if (o.contains(key)) {
          throw ConvertError{kv.first.Mark().line, fmt::format("duplicate key \"{}\"", key)};
        }
        o[key] = to_json(kv.second);
      }
      return json::value(std::move(o));
    }
  }
  return json::value(nullptr);
}

std::string_view describe(const json::value& v) {
  switch (v.kind()) {
    case json::kind::array:
      return "a list";
    case json::kind::string:
      return "a string";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::null:
      return "empty";
    default:
      return "a number";
  }
}

}  // namespace

ParsedManifests parse_manifests(std::string_view text, std::string_view file) {
  ParsedManifests out;
  const std::string name(file);
  for (const Chunk& c : split_documents(text)) {
    if (c.content_line == 0) continue;
    json::value v;
    try {
      YAML::Node node = YAML::Load(c.text);
      v = to_json(node);
    } catch (const YAML::Exception& e) {
      int line = c.first_line + (e.mark.is_null() ? 0 : e.mark.line) + 1;
      out.errors.push_back({name, line, "YAML: " + e.msg});
      continue;
    } catch (const ConvertError& e) {
      out.errors.push_back({name, c.first_line + e.line + 1, e.message});
      continue;
    }
    if (v.is_null()) continue;  // a document of comments only
    if (!v.is_object()) {
      out.errors.push_back({name, c.content_line,
                            fmt::format("a manifest must be a mapping (apiVersion, kind, "
                                        "metadata, spec), not {}",
                                        describe(v))});
      continue;
    }
    const json::value* kind = v.as_object().if_contains("kind");
    if (kind && kind->is_string() && kind->as_string().ends_with("List")) {
      const json::value* items = v.as_object().if_contains("items");
      if (items && items->is_array()) {
        for (const auto& item : items->as_array()) {
          if (!item.is_object()) {
            out.errors.push_back({name, c.content_line, "an item of the List is not a mapping"});
            continue;
          }
          out.objects.push_back({name, c.content_line, item});
        }
        continue;
      }
    }
    out.objects.push_back({name, c.content_line, std::move(v)});
  }
  return out;
}

}  // namespace zk::app
