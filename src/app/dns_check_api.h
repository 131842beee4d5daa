// GET /api/v1/test-dns?hostname=NAME[&type=A]: the request read into a name and a type (or the
// JSON error of a 400), the controller's DnsCheck as the JSON answer, and the route's handler
// that joins them (both modes serve it).
#pragma once

#include <map>
#include <string>

#include <tl/expected.hpp>

#include "controller/controller.h"
#include "controller/dns_check.h"
#include "model/name.h"
#include "model/rdata.h"
#include "server/http_server.h"

namespace zk::app {

struct DnsCheckQuery {
  model::Name name;
  model::RRType type = model::RRType::A;
};

// hostname: a domain name (absolute or not; a trailing dot is added); type: a mnemonic or
// TYPE<n>, default A. Unexpected: what is wrong, for the 400.
tl::expected<DnsCheckQuery, std::string> parse_dns_check_query(
    const std::map<std::string, std::string>& query);

std::string dns_check_document(const controller::DnsCheck& check);
// {"error": message}
std::string json_error(const std::string& message);

// 200 with the document; 400 with {"error"} for bad input or a name in no managed zone.
server::AsyncHandler dns_check_handler(controller::Controller& controller);

}  // namespace zk::app
