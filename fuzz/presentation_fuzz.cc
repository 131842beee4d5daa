// Fuzzes names and RDATA in presentation form (record specs, zone documents, the CLI) and in
// wire form (answers from servers): the first byte picks the type. What parses must print and
// parse back to the same RDATA.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "model/name.h"
#include "model/rdata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using zk::model::Name;
  using zk::model::Rdata;
  using zk::model::RRType;
  static const Name origin = Name::parse("example.test.").value();
  // The first eleven as before this list grew (the seeds in fuzz/corpus keep their types).
  static constexpr std::array kTypes{RRType::A,     RRType::AAAA, RRType::CNAME, RRType::MX,
                                     RRType::TXT,   RRType::SRV,  RRType::CAA,   RRType::NS,
                                     RRType::PTR,   RRType::SOA,  RRType::NAPTR, RRType::DNAME,
                                     RRType::SSHFP, RRType::TLSA, RRType::SVCB,  RRType::HTTPS};
  if (size == 0) return 0;
  RRType type = kTypes[data[0] % kTypes.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (auto name = Name::parse(text, &origin)) {
    auto again = Name::parse(name->to_string());
    if (!again || !(*again == *name)) __builtin_trap();
  }
  if (auto rd = Rdata::parse(type, text, origin)) {
    auto again = Rdata::parse(type, rd->to_text(), origin);
    if (!again || !(*again == *rd)) __builtin_trap();
  }
  std::span<const uint8_t> wire(data + 1, size - 1);
  if (auto rd = Rdata::from_wire(type, wire)) {
    auto again = Rdata::parse(type, rd->to_text(), origin);
    if (!again || !(*again == *rd)) __builtin_trap();
  }
  return 0;
}
