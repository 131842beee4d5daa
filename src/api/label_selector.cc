#include "api/label_selector.h"

#include <algorithm>

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
