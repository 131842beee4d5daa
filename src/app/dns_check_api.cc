#include "app/dns_check_api.h"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace zk::app {

namespace json = boost::json;

tl::expected<DnsCheckQuery, std::string> parse_dns_check_query(
    const std::map<std::string, std::string>& query) {
  for (const auto& [k, v] : query) {
    if (k != "hostname" && k != "type") {
      return tl::unexpected(
          fmt::format("unknown parameter \"{}\" (expected hostname and type)", k));
    }
  }
  auto host = query.find("hostname");
  if (host == query.end() || host->second.empty()) {
    return tl::unexpected(std::string("hostname is required: ?hostname=www.example.com"));
  }
  std::string text = host->second;
  if (text.back() != '.') text += '.';
  auto name = model::Name::parse(text);
  if (!name) return tl::unexpected(fmt::format("hostname: {}", name.error()));
  DnsCheckQuery out{*name, model::RRType::A};
  if (auto t = query.find("type"); t != query.end()) {
    auto type = model::parse_rrtype(t->second);
    if (!type) return tl::unexpected(fmt::format("type: {}", type.error()));
    out.type = *type;
  }
  return out;
}

std::string dns_check_document(const controller::DnsCheck& c) {
  json::array expected(c.expected.begin(), c.expected.end());
  json::array sources;
  for (const auto& s : c.sources) {
    sources.push_back(json::object{{"kind", s.kind}, {"namespace", s.ns}, {"name", s.name}});
  }
  json::array servers;
  for (const auto& s : c.servers) {
    json::object o{
        {"server", s.server}, {"role", s.role}, {"endpoint", s.endpoint}, {"agrees", s.agrees}};
    if (s.error.empty()) {
      o["rcode"] = s.rcode;
      o["values"] = json::array(s.values.begin(), s.values.end());
      o["ttl"] = s.ttl ? json::value(*s.ttl) : json::value(nullptr);
    } else {
      o["error"] = s.error;
    }
    servers.push_back(std::move(o));
  }
  json::object doc{
      {"hostname", c.name},
      {"type", c.type},
      {"zone", c.zone},
      {"zoneSource", c.zone_source},
      {"expected", json::object{{"values", std::move(expected)},
                                {"ttl", c.ttl ? json::value(*c.ttl) : json::value(nullptr)},
                                {"sources", std::move(sources)}}},
      {"servers", std::move(servers)},
      {"agree", c.agree}};
  return json::serialize(doc);
}

std::string json_error(const std::string& message) {
  return json::serialize(json::object{{"error", message}});
}

server::AsyncHandler dns_check_handler(controller::Controller& controller) {
  return [&controller](server::Request r) -> boost::asio::awaitable<server::Response> {
    auto q = parse_dns_check_query(r.query);
    if (!q) co_return server::Response{400, "application/json", json_error(q.error())};
    auto check = co_await controller.check_dns(q->name, q->type);
    if (!check) co_return server::Response{400, "application/json", json_error(check.error())};
    co_return server::Response{200, "application/json", dns_check_document(*check)};
  };
}

}  // namespace zk::app
