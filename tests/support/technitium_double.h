// The Technitium double (technitium_double.py) as a C++ test fixture: started on two reserved
// loopback ports (HTTP API, DNS), ready when constructed, stopped when destroyed.
//
//   zk::testbed::TechnitiumDouble t({.zones = {"example.test"}});
//   spec.technitium->url = t.url();  spec.technitium->token = t.token();  spec.port = t.dns_port();
//   t.call("/api/zones/records/add", {{"domain", "www.example.test"}, …});  // as an admin would
//   t.fail_next(3, 503);                                                   // a 5xx burst
//
// It is a double written from Technitium's published API documentation, not Technitium.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.h"
#include "support/loopback_port.h"

namespace zk::testbed {

class TechnitiumDouble {
 public:
  struct Options {
    std::vector<std::string> zones;
    std::string token = "zk-test-token";
    std::string user{};
    std::string password{};
  };
  explicit TechnitiumDouble(Options options);
  ~TechnitiumDouble();

  uint16_t http_port() const { return http_.number(); }
  uint16_t dns_port() const { return dns_.number(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port()); }
  const std::string& token() const { return options_.token; }

  // One API call as an administrator makes it (the fixture's token); the answer's JSON text.
  std::string call(const std::string& path,
                   const std::vector<std::pair<std::string, std::string>>& params);
  // The next `count` API calls answer HTTP `status`.
  void fail_next(int count, int status);
  // {"zones": …, "calls": {path: count}} as JSON text; reset_calls() zeroes the counts.
  std::string state();
  void reset_calls();

 private:
  std::string post(const std::string& target, const std::string& body, bool with_token);
  Options options_;
  LoopbackPort http_, dns_;
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace zk::testbed
