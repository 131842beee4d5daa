#include "api/kind.h"

#include <fmt/format.h>

namespace zk::api {
namespace {

struct KindNames {
  Kind kind;
  std::string_view name;
  std::string_view plural;
  model::RRType type;
};

constexpr std::array<KindNames, kAllKinds.size()> kNames = {{
    {Kind::A, "ARecord", "arecords", model::RRType::A},
    {Kind::AAAA, "AAAARecord", "aaaarecords", model::RRType::AAAA},
    {Kind::CNAME, "CNAMERecord", "cnamerecords", model::RRType::CNAME},
    {Kind::TXT, "TXTRecord", "txtrecords", model::RRType::TXT},
    {Kind::MX, "MXRecord", "mxrecords", model::RRType::MX},
    {Kind::NS, "NSRecord", "nsrecords", model::RRType::NS},
    {Kind::SRV, "SRVRecord", "srvrecords", model::RRType::SRV},
    {Kind::CAA, "CAARecord", "caarecords", model::RRType::CAA},
    {Kind::PTR, "PTRRecord", "ptrrecords", model::RRType::PTR},
    {Kind::NAPTR, "NAPTRRecord", "naptrrecords", model::RRType::NAPTR},
    {Kind::DNAME, "DNAMERecord", "dnamerecords", model::RRType::DNAME},
    {Kind::SSHFP, "SSHFPRecord", "sshfprecords", model::RRType::SSHFP},
    {Kind::TLSA, "TLSARecord", "tlsarecords", model::RRType::TLSA},
    {Kind::SVCB, "SVCBRecord", "svcbrecords", model::RRType::SVCB},
    {Kind::HTTPS, "HTTPSRecord", "httpsrecords", model::RRType::HTTPS},
}};

const KindNames& names(Kind k) {
  return kNames[static_cast<size_t>(k)];
}

}  // namespace

std::string_view to_string(Kind k) {
  return names(k).name;
}
std::string_view plural(Kind k) {
  return names(k).plural;
}
model::RRType record_type(Kind k) {
  return names(k).type;
}

model::Parsed<Kind> parse_kind(std::string_view kind) {
  for (const auto& n : kNames) {
    if (n.name == kind) return n.kind;
  }
  return model::invalid(fmt::format("\"{}\" is not a record kind of {}", kind, kApiVersion));
}

model::Parsed<Kind> parse_plural(std::string_view plural) {
  for (const auto& n : kNames) {
    if (n.plural == plural) return n.kind;
  }
  return model::invalid(fmt::format("\"{}\" is not a record resource of {}", plural, kGroup));
}

}  // namespace zk::api
