#include "api/label_selector.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "api/json_fields.h"

namespace zk::api {

using model::invalid;
using model::Parsed;

bool LabelRequirement::matches(const Labels& labels) const {
  auto it = labels.find(key);
  bool present = it != labels.end();
  auto listed = [&] {
    return present && std::find(values.begin(), values.end(), it->second) != values.end();
  };
  switch (op) {
    case Op::In:
      return listed();
    case Op::NotIn:
      return !listed();
    case Op::Exists:
      return present;
    case Op::DoesNotExist:
      return !present;
  }
  return false;
}

bool LabelSelector::matches(const Labels& labels) const {
  if (is_null) return false;
  for (const auto& [k, v] : match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return std::all_of(match_expressions.begin(), match_expressions.end(),
                     [&](const LabelRequirement& r) { return r.matches(labels); });
}

std::string LabelSelector::to_string() const {
  if (is_null) return "<none>";
  std::vector<std::string> parts;
  for (const auto& [k, v] : match_labels) parts.push_back(k + "=" + v);
  for (const auto& r : match_expressions) {
    switch (r.op) {
      case LabelRequirement::Op::In:
        parts.push_back(fmt::format("{} in ({})", r.key, fmt::join(r.values, ",")));
        break;
      case LabelRequirement::Op::NotIn:
        parts.push_back(fmt::format("{} notin ({})", r.key, fmt::join(r.values, ",")));
        break;
      case LabelRequirement::Op::Exists:
        parts.push_back(r.key);
        break;
      case LabelRequirement::Op::DoesNotExist:
        parts.push_back("!" + r.key);
        break;
    }
  }
  return fmt::format("{}", fmt::join(parts, ","));
}

Parsed<std::optional<LabelSelector>> opt_label_selector(const boost::json::value* v,
                                                        std::string_view path) {
  if (!v || v->is_null()) return std::nullopt;
  auto sel = LabelSelector::decode(v, path);
  if (!sel) return tl::unexpected(sel.error());
  return std::optional<LabelSelector>(std::move(*sel));
}

Parsed<LabelSelector> LabelSelector::decode(const boost::json::value* v, std::string_view path) {
  if (!v) return LabelSelector::nothing();
  auto obj = json::opt_object(v, path);
  if (!obj) return tl::unexpected(obj.error());
  LabelSelector sel;
  const auto* ml = json::member(v, "matchLabels");
  auto mlo = json::opt_object(ml, fmt::format("{}.matchLabels", path));
  if (!mlo) return tl::unexpected(mlo.error());
  if (*mlo) {
    for (const auto& [k, val] : **mlo) {
      auto s = json::req_string(&val, fmt::format("{}.matchLabels.{}", path, std::string_view(k)));
      if (!s) return tl::unexpected(s.error());
      sel.match_labels.emplace(std::string(k), std::move(*s));
    }
  }
  auto exprs = json::opt_array(json::member(v, "matchExpressions"),
                               fmt::format("{}.matchExpressions", path));
  if (!exprs) return tl::unexpected(exprs.error());
  if (*exprs) {
    for (size_t i = 0; i < (*exprs)->size(); ++i) {
      const auto& e = (**exprs)[i];
      std::string ep = fmt::format("{}.matchExpressions[{}]", path, i);
      auto eo = json::opt_object(&e, ep);
      if (!eo) return tl::unexpected(eo.error());
      LabelRequirement r;
      auto key = json::req_string(json::member(&e, "key"), ep + ".key");
      if (!key) return tl::unexpected(key.error());
      if (key->empty()) return invalid(ep + ".key: must not be empty");
      r.key = std::move(*key);
      auto op = json::req_string(json::member(&e, "operator"), ep + ".operator");
      if (!op) return tl::unexpected(op.error());
      if (*op == "In") {
        r.op = LabelRequirement::Op::In;
      } else if (*op == "NotIn") {
        r.op = LabelRequirement::Op::NotIn;
      } else if (*op == "Exists") {
        r.op = LabelRequirement::Op::Exists;
      } else if (*op == "DoesNotExist") {
        r.op = LabelRequirement::Op::DoesNotExist;
      } else {
        return invalid(
            fmt::format("{}.operator: \"{}\" is not In, NotIn, Exists or DoesNotExist", ep, *op));
      }
      auto values = json::opt_array(json::member(&e, "values"), ep + ".values");
      if (!values) return tl::unexpected(values.error());
      if (*values) {
        for (size_t j = 0; j < (*values)->size(); ++j) {
          auto s = json::req_string(&(**values)[j], fmt::format("{}.values[{}]", ep, j));
          if (!s) return tl::unexpected(s.error());
          r.values.push_back(std::move(*s));
        }
      }
      bool set_op = r.op == LabelRequirement::Op::In || r.op == LabelRequirement::Op::NotIn;
      if (set_op && r.values.empty()) {
        return invalid(fmt::format("{}.values: must be non-empty for operator {}", ep, *op));
      }
      if (!set_op && !r.values.empty()) {
        return invalid(fmt::format("{}.values: must be empty for operator {}", ep, *op));
      }
      sel.match_expressions.push_back(std::move(r));
    }
  }
  return sel;
}

namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// A label name or value: at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.
bool label_word(std::string_view s) {
  if (s.size() > 63) return false;
  if (s.empty()) return true;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  return alnum(s.front()) && alnum(s.back()) && std::all_of(s.begin(), s.end(), name_char);
}

// A qualified key: [prefix/]name, the prefix a DNS subdomain of at most 253 characters.
std::optional<std::string> key_problem(std::string_view key) {
  auto slash = key.find('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  if (name.empty() || !label_word(name)) {
    return fmt::format(
        "\"{}\": a key's name is 1 to 63 characters of letters, digits, '-', "
        "'_' and '.', starting and ending with a letter or digit",
        key);
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    bool ok = !prefix.empty() && prefix.size() <= 253;
    for (size_t i = 0; ok && i < prefix.size(); ++i) {
      char c = prefix[i];
      ok = std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    }
    ok = ok && prefix.front() != '.' && prefix.front() != '-' && prefix.back() != '.' &&
         prefix.back() != '-';
    if (!ok) return fmt::format("\"{}\": a key's prefix is a DNS subdomain (lower case)", key);
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Parsed<LabelSelector> LabelSelector::parse(std::string_view text) {
  LabelSelector sel;
  // Split at the commas outside parentheses.
  std::vector<std::string_view> parts;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    } else if (text[i] == '(') {
      if (++depth > 1) return invalid(fmt::format("\"{}\": nested parentheses", text));
    } else if (text[i] == ')') {
      if (--depth < 0) return invalid(fmt::format("\"{}\": ')' without '('", text));
    }
  }
  if (depth != 0) return invalid(fmt::format("\"{}\": '(' without ')'", text));
  if (parts.size() == 1 && trim(parts[0]).empty()) return sel;  // "" selects everything
  for (std::string_view raw : parts) {
    std::string_view part = trim(raw);
    if (part.empty()) return invalid(fmt::format("\"{}\": an empty requirement", text));
    LabelRequirement r;
    auto check_key = [&](std::string_view key) -> std::optional<std::string> {
      if (auto p = key_problem(key)) return p;
      r.key = std::string(key);
      return std::nullopt;
    };
    auto check_value = [&](std::string_view v) -> std::optional<std::string> {
      if (!label_word(v)) {
        return fmt::format(
            "\"{}\": a value is at most 63 characters of letters, digits, '-', "
            "'_' and '.', starting and ending with a letter or digit",
            v);
      }
      r.values.emplace_back(v);
      return std::nullopt;
    };
    std::optional<std::string> problem;
    if (part.front() == '!') {
      r.op = LabelRequirement::Op::DoesNotExist;
      problem = check_key(trim(part.substr(1)));
    } else if (auto ne = part.find("!="); ne != std::string_view::npos) {
      r.op = LabelRequirement::Op::NotIn;
      problem = check_key(trim(part.substr(0, ne)));
      if (!problem) problem = check_value(trim(part.substr(ne + 2)));
    } else if (auto eq = part.find('='); eq != std::string_view::npos) {
      r.op = LabelRequirement::Op::In;
      size_t skip = part.substr(eq).starts_with("==") ? 2 : 1;
      problem = check_key(trim(part.substr(0, eq)));
      if (!problem) problem = check_value(trim(part.substr(eq + skip)));
    } else if (auto open = part.find('('); open != std::string_view::npos) {
      // "key in (a,b)" / "key notin (a,b)"
      std::string_view head = trim(part.substr(0, open));
      auto space = head.find_last_of(" \t");
      std::string_view word = space == std::string_view::npos ? "" : head.substr(space + 1);
      if (word == "in") {
        r.op = LabelRequirement::Op::In;
      } else if (word == "notin") {
        r.op = LabelRequirement::Op::NotIn;
      } else {
        return invalid(fmt::format("\"{}\": expected \"in\" or \"notin\" before '('", part));
      }
      if (part.back() != ')') return invalid(fmt::format("\"{}\": text after ')'", part));
      problem = check_key(trim(head.substr(0, space)));
      std::string_view list = part.substr(open + 1, part.size() - open - 2);
      size_t from = 0;
      for (size_t i = 0; !problem && i <= list.size(); ++i) {
        if (i == list.size() || list[i] == ',') {
          problem = check_value(trim(list.substr(from, i - from)));
          from = i + 1;
        }
      }
    } else {
      r.op = LabelRequirement::Op::Exists;
      problem = check_key(part);
    }
    if (problem) return invalid(*problem);
    sel.match_expressions.push_back(std::move(r));
  }
  return sel;
}

Parsed<Labels> decode_labels(const boost::json::value* metadata) {
  Labels out;
  auto labels = json::opt_object(json::member(metadata, "labels"), "metadata.labels");
  if (!labels) return tl::unexpected(labels.error());
  if (!*labels) return out;
  for (const auto& [k, v] : **labels) {
    auto s = json::req_string(&v, fmt::format("metadata.labels.{}", std::string_view(k)));
    if (!s) return tl::unexpected(s.error());
    out.emplace(std::string(k), std::move(*s));
  }
  return out;
}

}  // namespace zk::api
