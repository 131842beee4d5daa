// Fuzzes the label selector decoder (matchLabels / matchExpressions as JSON) and matching
// against labels decoded from the same input's "labels" member; and the string form
// (--label-filter, --annotation-filter): what parses prints and parses back the same.
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>

#include "api/label_selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parsed = zk::api::LabelSelector::parse(text)) {
    auto again = zk::api::LabelSelector::parse(parsed->to_string());
    if (!again || !(*again == *parsed)) __builtin_trap();
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return 0;
  const boost::json::value* sel = v.as_object().if_contains("selector");
  auto selector = zk::api::LabelSelector::decode(sel, "selector");
  auto labels = zk::api::decode_labels(&v);
  if (selector && labels) {
    bool m = selector->matches(*labels);
    // The empty selector matches everything; the null one nothing.
    if (selector->is_null && m) __builtin_trap();
  }
  return 0;
}
