#include "app/ui_api.h"

#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/kind.h"
#include "app/dns_check_api.h"
#include "app/event_stream.h"
#include "app/export_api.h"
#include "app/records_api.h"
#include "app/ui_assets.h"
#include "telemetry/logging.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

server::Response json_response(unsigned status, std::string body) {
  return server::Response{.status = status,
                          .content_type = "application/json",
                          .body = std::move(body),
                          .headers = {{"Cache-Control", "no-store"}}};
}

server::Response refused(const Verdict& v) {
  server::Response res = json_response(v.status, json_error(v.message));
  if (v.status == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer");
  return res;
}

// The page's files: a strict policy, nothing from elsewhere, never framed.
server::Response asset_response(const UiAsset& a) {
  return server::Response{
      .status = 200,
      .content_type = std::string(a.content_type),
      .body = std::string(a.body),
      .headers = {{"Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                   "img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                   "frame-ancestors 'none'"},
                  {"X-Content-Type-Options", "nosniff"},
                  {"Referrer-Policy", "no-referrer"},
                  {"Cache-Control", "no-cache"}}};
}

struct Shared {
  controller::Controller& controller;
  UiOptions options;
  std::optional<std::string> records_doc{};  // /api/v1/records at records_version
  uint64_t records_version = 0;
};

using Inner = std::function<asio::awaitable<server::Response>(server::Request)>;

// `inner` once the caller may read (or anyone may).
server::AsyncHandler readable(std::shared_ptr<Shared> s, Inner inner) {
  return [s = std::move(s),
          inner = std::move(inner)](server::Request r) -> asio::awaitable<server::Response> {
    if (!s->options.anonymous_read) {
      Verdict v = co_await s->options.gate(r.authorization, read_permission());
      if (!v.allowed()) co_return refused(v);
    }
    co_return co_await inner(std::move(r));
  };
}

void audit(const Verdict& v, std::string_view action, std::string_view what) {
  telemetry::log(spdlog::level::info,
                 {{"user", v.user.empty() ? std::string("(local)") : v.user},
                  {"action", std::string(action)},
                  {"object", std::string(what)}},
                 fmt::format("{} {} from the UI", action, what));
}

asio::awaitable<server::Response> resync(std::shared_ptr<Shared> s, server::Request r) {
  std::string zone;
  if (!r.body.empty()) {
    boost::system::error_code ec;
    json::value body = json::parse(r.body, ec);
    if (ec || !body.is_object()) {
      co_return json_response(400,
                              json_error("expected a JSON object, e.g. {\"zone\": \"ns/name\"}"));
    }
    for (const auto& [k, v] : body.as_object()) {
      if (k != "zone" || !v.is_string()) {
        co_return json_response(400, json_error("expected only \"zone\": \"namespace/name\""));
      }
      zone = std::string(v.as_string());
    }
    if (!zone.empty() && zone.find('/') == std::string::npos) {
      co_return json_response(400, json_error("zone: expected namespace/name of a DNSZone"));
    }
  }
  Verdict v = co_await s->options.gate(r.authorization, resync_permission(zone));
  if (!v.allowed()) co_return refused(v);
  if (!s->controller.running()) {
    co_return json_response(
        503, json_error("this replica is not the leader: it does not reconcile (ask again, or "
                        "reach the leader's address)"));
  }
  size_t queued = s->controller.resync(zone);
  if (!zone.empty() && queued == 0) {
    co_return json_response(404, json_error(fmt::format("no DNSZone {}", zone)));
  }
  audit(v, "resync", zone.empty() ? "every zone" : "DNSZone/" + zone);
  co_return json_response(202, json::serialize(json::object{{"queued", queued}}));
}

asio::awaitable<server::Response> write_record(std::shared_ptr<Shared> s, server::Request r) {
  RecordWrite w;
  Permission need;
  if (r.method == "POST") {
    auto parsed = record_create_request(r.body);
    if (!parsed) co_return json_response(400, json_error(parsed.error()));
    w = std::move(*parsed);
    need = {"create", w.plural, w.ns, ""};
  } else {
    std::string kind;
    for (const auto& [k, v] : r.query) {
      if (k == "kind")
        kind = v;
      else if (k == "namespace")
        w.ns = v;
      else if (k == "name")
        w.name = v;
      else
        co_return json_response(400, json_error(fmt::format("unknown parameter \"{}\"", k)));
    }
    auto k = api::parse_kind(kind);
    if (!k || w.ns.empty() || w.name.empty()) {
      co_return json_response(
          400, json_error("expected kind (ARecord, ...), namespace and name of a record object"));
    }
    w.method = "DELETE";
    w.plural = std::string(api::plural(*k));
    need = {"delete", w.plural, w.ns, w.name};
  }
  Verdict v = co_await s->options.gate(r.authorization, need);
  if (!v.allowed()) co_return refused(v);
  if (!s->options.write_record) {
    co_return json_response(501, json_error("local mode: record objects are files in the folder; "
                                            "edit them there"));
  }
  std::string token = bearer_token(r.authorization).value_or("");
  std::string what = fmt::format("{}/{}/{}", w.plural, w.ns, w.name);
  std::string action = w.method == "POST" ? "create" : "delete";
  RecordWriteResult out = co_await s->options.write_record(std::move(token), std::move(w));
  if (out.status >= 300) co_return json_response(out.status, json_error(out.message));
  audit(v, action, what);
  co_return json_response(
      out.status,
      json::serialize(json::object{{action == "create" ? "created" : "deleted", what}}));
}

}  // namespace

tl::expected<RecordWrite, std::string> record_create_request(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return tl::unexpected(std::string("expected a record object (JSON)"));
  json::object& o = v.as_object();
  const json::value* kind = o.if_contains("kind");
  auto k = kind && kind->is_string() ? api::parse_kind(kind->as_string()) : api::parse_kind("");
  if (!k) {
    return tl::unexpected(std::string(
        "kind: expected a record kind (ARecord, AAAARecord, CNAMERecord, TXTRecord, MXRecord, "
        "NSRecord, SRVRecord, CAARecord, PTRRecord)"));
  }
  if (const json::value* av = o.if_contains("apiVersion");
      av && (!av->is_string() || av->as_string() != api::kApiVersion)) {
    return tl::unexpected(fmt::format("apiVersion: expected {}", api::kApiVersion));
  }
  o["apiVersion"] = api::kApiVersion;
  const json::value* meta = o.if_contains("metadata");
  const json::object* m = meta ? meta->if_object() : nullptr;
  auto text = [&](std::string_view key) -> std::string {
    const json::value* x = m ? m->if_contains(key) : nullptr;
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  RecordWrite w{"POST", std::string(api::plural(*k)), text("namespace"), text("name"), o};
  if (w.ns.empty() || w.name.empty()) {
    return tl::unexpected(std::string("metadata: expected a name and a namespace"));
  }
  if (!o.contains("spec") || !o.at("spec").is_object()) {
    return tl::unexpected(std::string("spec: expected an object"));
  }
  return w;
}

UiRoutes::UiRoutes(server::HttpServer& http, controller::Controller& c, UiOptions options) {
  auto s = std::make_shared<Shared>(Shared{c, std::move(options)});
  for (const UiAsset& a : ui_assets()) {
    http.route(std::string(a.path), [&a] { return asset_response(a); });
    if (a.path == "/ui/index.html") {
      http.route("/ui", [&a] { return asset_response(a); });
      http.route("/ui/", [&a] { return asset_response(a); });
    }
  }
  auto sync = [](std::function<server::Response()> f) -> Inner {
    return
        [f = std::move(f)](server::Request) -> asio::awaitable<server::Response> { co_return f(); };
  };
  http.route_async(
      "/api/v1/status",
      readable(s, sync([s] { return json_response(200, s->options.status_document()); })));
  http.route_async("/api/v1/zones", readable(s, sync([s] {
                                               return json_response(
                                                   200,
                                                   zones_document(s->controller.zone_summaries()));
                                             })));
  http.route_async(
      "/api/v1/records", {"GET", "HEAD", "POST", "DELETE"},
      [s, list = readable(s, sync([s] {
                            // Built again only when the controller's views moved: an open page
                            // polling an idle controller costs it nothing.
                            uint64_t v = s->controller.view_version();
                            if (!s->records_doc || s->records_version != v) {
                              s->records_doc = records_document(s->controller.record_rows());
                              s->records_version = v;
                            }
                            return json_response(200, *s->records_doc);
                          }))](server::Request r) -> asio::awaitable<server::Response> {
        if (r.method == "GET" || r.method == "HEAD") co_return co_await list(std::move(r));
        co_return co_await write_record(s, std::move(r));
      });
  http.route_async("/api/v1/test-dns", readable(s, dns_check_handler(c)));
  http.route_async("/api/v1/export", readable(s, export_handler(c)));
  http.route_async("/api/v1/resync", {"POST"},
                   [s](server::Request r) -> asio::awaitable<server::Response> {
                     co_return co_await resync(s, std::move(r));
                   });
  if (s->options.feed) {
    streams_ = std::make_unique<EventStreams>(http.executor(), s->options.feed);
    EventStreams* streams = streams_.get();
    http.route_async("/api/v1/events",
                     readable(s, [streams](server::Request r) -> asio::awaitable<server::Response> {
                       co_return streams->open(r);
                     }));
  }
}

UiRoutes::~UiRoutes() = default;

}  // namespace zk::app
