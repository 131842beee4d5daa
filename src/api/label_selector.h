// Kubernetes label selectors (metav1.LabelSelector) with the API server's semantics.
//
//   auto sel = LabelSelector::decode(member(&spec, "selector"), "spec.selector").value();
//   sel.matches({{"app", "web"}, {"tier", "front"}});
//
// Semantics (as k8s.io/apimachinery LabelSelectorAsSelector):
//   - matchLabels and matchExpressions are ANDed; every entry must hold.
//   - In: the key is present with one of `values`. NotIn: the key is absent, or its value is
//     not in `values`. Exists / DoesNotExist: the key is present / absent.
//   - An EMPTY selector ({}) matches every object.
//   - A NULL or ABSENT selector matches NOTHING (`is_null`). We chose this (as Kubernetes
//     does for e.g. NetworkPolicy peers) so that forgetting a selector never silently
//     captures every record of a namespace.
// Decoding refuses what the API server refuses: an unknown operator, In/NotIn without
// values, Exists/DoesNotExist with values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "model/error.h"

namespace zk::api {

using Labels = std::map<std::string, std::string>;

struct LabelRequirement {
  enum class Op { In, NotIn, Exists, DoesNotExist };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;
  bool matches(const Labels& labels) const;
  friend bool operator==(const LabelRequirement&, const LabelRequirement&) = default;
};

struct LabelSelector {
  bool is_null = false;  // absent/null: matches nothing
  std::map<std::string, std::string> match_labels;
  std::vector<LabelRequirement> match_expressions;

  static LabelSelector nothing() { return LabelSelector{true, {}, {}}; }
  static LabelSelector everything() { return LabelSelector{}; }

  // `v` nullptr (absent) or JSON null → nothing(). `path` prefixes error messages.
  static model::Parsed<LabelSelector> decode(const boost::json::value* v, std::string_view path);
  // The string form of kubectl -l and external-dns --label-filter / --annotation-filter:
  // comma-separated requirements `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`,
  // `!k`; "" selects everything. Keys are qualified names (optional DNS-subdomain prefix and
  // '/', a name of at most 63 characters); values at most 63 characters of [A-Za-z0-9-_.],
  // starting and ending alphanumeric. `k!=v` holds when k is absent too (as in Kubernetes).
  static model::Parsed<LabelSelector> parse(std::string_view text);

  bool matches(const Labels& labels) const;
  // "app=web,tier in (a,b)" (kubectl's form); "<none>" for a null selector, "" for empty.
  std::string to_string() const;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

// An optional selector field whose absence means something else than "nothing" (a DNSServer's
// allowedNamespaces: only its own namespace): absent or null → nullopt.
model::Parsed<std::optional<LabelSelector>> opt_label_selector(const boost::json::value* v,
                                                               std::string_view path);

// metadata.labels of an object (absent → empty). Non-string values are an error.
model::Parsed<Labels> decode_labels(const boost::json::value* metadata);

}  // namespace zk::api
