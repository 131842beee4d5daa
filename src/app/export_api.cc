#include "app/export_api.h"

#include <fmt/format.h>

#include "app/dns_check_api.h"
#include "app/zone_document.h"

namespace zk::app {

tl::expected<std::string, std::string> export_document(
    const std::vector<controller::Controller::ManagedZone>& zones,
    const std::optional<std::string>& zone) {
  std::optional<model::Name> wanted;
  if (zone) {
    std::string text = *zone;
    if (text.empty() || text.back() != '.') text += '.';
    auto n = model::Name::parse(text);
    if (!n) return tl::unexpected(fmt::format("zone: {}", n.error()));
    wanted = *n;
  }
  std::string out;
  for (const auto& z : zones) {
    if (wanted && !(z.zone == *wanted)) continue;
    if (!out.empty()) out += "---\n";
    out += fmt::format("# {}\n", z.source);
    out += write_zone_document(z.zone, std::nullopt, z.rrsets);
    if (wanted) return out;
  }
  if (wanted) {
    return tl::unexpected(fmt::format("zonekeeper manages no zone {}", wanted->to_string()));
  }
  return out;
}

server::AsyncHandler export_handler(controller::Controller& controller) {
  return [&controller](server::Request r) -> boost::asio::awaitable<server::Response> {
    std::optional<std::string> zone;
    for (const auto& [k, v] : r.query) {
      if (k != "zone") {
        co_return server::Response{
            400, "application/json",
            json_error(fmt::format("unknown parameter \"{}\" (expected zone)", k))};
      }
      zone = v;
    }
    auto doc = export_document(controller.managed_zones(), zone);
    if (!doc) co_return server::Response{400, "application/json", json_error(doc.error())};
    co_return server::Response{200, "application/yaml; charset=utf-8", std::move(*doc)};
  };
}

}  // namespace zk::app
