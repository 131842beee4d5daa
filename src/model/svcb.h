// SVCB and HTTPS records (RFC 9460): the SvcParams, presentation form ↔ wire form. Pure.
//
//   auto w = svc_params_from_text("alpn=h2,h3 port=8443 ipv4hint=192.0.2.1");  // wire octets
//   svc_params_to_text(*w);  // "alpn=h2,h3 port=8443 ipv4hint=192.0.2.1"
//
// Keys by name: mandatory (0), alpn (1), no-default-alpn (2), port (3), ipv4hint (4), ech (5,
// base64), ipv6hint (6), dohpath (7, RFC 9461), ohttp (8, RFC 9540); any key as keyNNNNN
// (key65535 is reserved). Values may be quoted; char-string escapes (\X, \DDD) apply, and in
// the comma-separated lists (alpn, mandatory, hints) "\," is a comma inside an item (RFC 9460
// Appendix A.1). The wire form is canonical: keys ascending, each once, mandatory's keys sorted.
// Refused with a message: an unknown key name, a key twice, a value a key does not take (or a
// missing one), an empty list item, a key in mandatory that is absent (or mandatory itself),
// no-default-alpn without alpn.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"

namespace zk::model {

// `text`: the SvcParams part of the presentation form (after SvcPriority and TargetName).
Parsed<std::vector<uint8_t>> svc_params_from_text(std::string_view text);
// Checks wire-form SvcParams (as received) and returns them unchanged when valid.
Parsed<std::vector<uint8_t>> svc_params_from_wire(std::span<const uint8_t> wire);
// Presentation form of valid wire-form SvcParams ("" when there are none).
std::string svc_params_to_text(std::span<const uint8_t> wire);

}  // namespace zk::model
