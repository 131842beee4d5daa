// Fuzzes the reading of Technitium's records/get answers (untrusted server JSON) into model
// records, and the way back: every record read (but a TXT whose one long text holds a
// newline, which splitText cannot carry) must be writable as records/add parameters.
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>

#include "providers/technitium_records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return 0;
  const auto* records = v.as_object().if_contains("records");
  if (!records || !records->is_array()) return 0;
  for (const auto& r : records->as_array()) {
    if (!r.is_object()) continue;
    auto rec = zk::providers::technitium::parse_record(r.as_object());
    if (!rec || !*rec) continue;
    const auto& x = **rec;
    if (x.type == zk::model::RRType::SOA) {
      if (!zk::providers::technitium::soa_params(x.rdata)) __builtin_trap();
      continue;
    }
    auto p = zk::providers::technitium::value_params(x.rdata);
    if (!p && x.type != zk::model::RRType::TXT) __builtin_trap();
    if (p) (void)zk::providers::technitium::form_encode(*p);
  }
  return 0;
}
