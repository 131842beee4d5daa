#include "kube/client.h"
#include "kube/json_field.h"

#include <algorithm>

#include <fmt/format.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace zk::kube {

namespace json = boost::json;

namespace {

constexpr std::string_view kMergePatch = "application/merge-patch+json";
constexpr std::string_view kApplyPatch = "application/apply-patch+yaml";

bool is_2xx(int status) {
  return status >= 200 && status <= 299;
}

Result<json::value> parse_body(const HttpResponse& r, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) {
    return fail(ErrorCode::Decode,
                fmt::format("{}: response is not JSON ({})", what, ec.message()));
  }
  return v;
}

class Query {
 public:
  Query& add(std::string_view key, std::string_view value) {
    if (value.empty()) return *this;
    text_ += text_.empty() ? '?' : '&';
    text_ += key;
    text_ += '=';
    text_ += url_encode(value);
    return *this;
  }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

std::string list_query(const ListOptions& o) {
  Query q;
  q.add("labelSelector", o.label_selector)
      .add("fieldSelector", o.field_selector)
      .add("limit", o.limit > 0 ? std::to_string(o.limit) : std::string())
      .add("continue", o.continue_token)
      .add("resourceVersion", o.resource_version)
      .add("resourceVersionMatch", o.resource_version_match);
  return q.str();
}

const json::object* object_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

}  // namespace

// ---- Watch ----------------------------------------------------------------------------------

asio::awaitable<Result<std::optional<WatchEvent>>> Watch::next() {
  while (true) {
    if (auto ev = decoder_.next()) {
      if (!*ev) co_return tl::unexpected(ev->error());
      if ((*ev)->type == WatchEventType::Error) {
        co_return tl::unexpected(error_from_status((*ev)->object, 500));
      }
      co_return std::optional<WatchEvent>(std::move(**ev));
    }
    if (ended_) {
      if (decoder_.pending_bytes() > 0) {
        co_return fail(ErrorCode::Decode,
                       fmt::format("watch stream ended in the middle of an event ({} bytes)",
                                   decoder_.pending_bytes()));
      }
      co_return std::optional<WatchEvent>();
    }
    auto piece = co_await stream_->read_some();
    if (!piece) co_return tl::unexpected(piece.error());
    if (piece->empty()) {
      ended_ = true;
    } else {
      decoder_.feed(*piece);
    }
  }
}

// ---- Client ---------------------------------------------------------------------------------

Result<std::shared_ptr<Client>> Client::create(asio::any_io_executor executor, const Config& config,
                                               TransportOptions options) {
  auto t = make_http_transport(std::move(executor), config, options);
  if (!t) return tl::unexpected(t.error());
  return std::make_shared<Client>(std::move(*t), config.default_namespace);
}

Client::Client(std::unique_ptr<Transport> transport, std::string default_namespace)
    : transport_(std::move(transport)), default_namespace_(std::move(default_namespace)) {}

void Client::observed(std::string_view verb, const Result<HttpResponse>& r) const {
  if (!observer_) return;
  observer_(verb, r ? std::to_string(r->status) : std::string("error"));
}

asio::awaitable<Result<json::object>> Client::object_call(std::string method, std::string target,
                                                          std::string body,
                                                          std::string content_type,
                                                          std::string_view verb) {
  // Built here, not as a braced temporary in the caller's co_await: g++-12 destroys such
  // temporaries twice (coroutine bug), so requests are always named locals.
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  request.content_type = std::move(content_type);
  std::string what =
      fmt::format("{} {}", request.method,
                  std::string_view(request.target).substr(0, request.target.find('?')));
  std::string observed_verb(verb.empty() ? std::string_view(request.method) : verb);
  auto r = co_await transport_->send(std::move(request));
  observed(observed_verb, r);
  if (!r) co_return tl::unexpected(r.error());
  if (!is_2xx(r->status))
    co_return tl::unexpected(error_from_response(r->status, r->body, r->retry_after));
  auto v = parse_body(*r, what);
  if (!v) co_return tl::unexpected(v.error());
  if (!v->is_object())
    co_return fail(ErrorCode::Decode, fmt::format("{}: response is not an object", what));
  co_return std::move(v->get_object());
}

asio::awaitable<Result<json::object>> Client::get(const Resource& r, std::string_view ns,
                                                  std::string_view name) {
  co_return co_await object_call("GET", r.object_path(ns, name));
}

asio::awaitable<Result<ObjectList>> Client::list(const Resource& r, std::string_view ns,
                                                 ListOptions options) {
  auto page =
      co_await object_call("GET", r.collection_path(ns) + list_query(options), {}, {}, "LIST");
  if (!page) co_return tl::unexpected(page.error());
  ObjectList out;
  if (const json::object* meta = object_at(*page, "metadata")) {
    out.resource_version = string_at(*meta, "resourceVersion");
    out.continue_token = string_at(*meta, "continue");
    if (auto it = meta->find("remainingItemCount"); it != meta->end() && it->value().is_int64()) {
      out.remaining_item_count = it->value().get_int64();
    }
  }
  if (auto it = page->find("items"); it != page->end() && it->value().is_array()) {
    for (json::value& item : it->value().get_array()) {
      if (item.is_object()) out.items.push_back(std::move(item.get_object()));
    }
  }
  co_return out;
}

asio::awaitable<Result<ObjectList>> Client::list_all(const Resource& r, std::string_view ns,
                                                     ListOptions options) {
  for (int restart = 0;; ++restart) {
    ObjectList all;
    ListOptions page_options = options;
    bool first = true;
    bool restarted = false;
    while (true) {
      auto page = co_await list(r, ns, page_options);
      if (!page) {
        if (page.error().code == ErrorCode::Gone && !page_options.continue_token.empty() &&
            restart == 0) {
          restarted = true;  // continue token expired: list again from the start
          break;
        }
        co_return tl::unexpected(page.error());
      }
      if (first) all.resource_version = page->resource_version;
      first = false;
      for (auto& item : page->items) all.items.push_back(std::move(item));
      if (page->continue_token.empty()) break;
      page_options.continue_token = page->continue_token;
      page_options.resource_version.clear();  // not allowed together with continue
      page_options.resource_version_match.clear();
    }
    if (!restarted) co_return all;
  }
}

asio::awaitable<Result<std::string>> Client::list_each(
    const Resource& r, std::string_view ns, ListOptions options,
    const std::function<void(json::object& item)>& on_item) {
  std::string list_rv;
  bool first = true;
  const uint32_t min_limit = options.limit;
  size_t listed = 0, listed_bytes = 0;  // items so far, and their pages' JSON
  // Each page is parsed into one monotonic arena and dropped as a whole afterwards.
  std::unique_ptr<unsigned char[]> arena_seed(new unsigned char[64 * 1024]);
  while (true) {
    HttpRequest page_request;
    page_request.target = r.collection_path(ns) + list_query(options);
    auto res = co_await transport_->send(std::move(page_request));
    observed("LIST", res);
    if (!res) co_return tl::unexpected(res.error());
    if (!is_2xx(res->status)) {
      co_return tl::unexpected(error_from_response(res->status, res->body, res->retry_after));
    }
    json::monotonic_resource arena(arena_seed.get(), 64 * 1024);
    boost::system::error_code ec;
    json::value page = json::parse(res->body, ec, &arena);
    listed_bytes += res->body.size();
    res->body.clear();
    res->body.shrink_to_fit();
    if (ec || !page.is_object()) {
      co_return fail(ErrorCode::Decode,
                     fmt::format("LIST {}: response is not a JSON object", r.qualified_name()));
    }
    json::object& p = page.get_object();
    std::string cont;
    if (const json::object* meta = object_at(p, "metadata")) {
      if (first) list_rv = string_at(*meta, "resourceVersion");
      cont = string_at(*meta, "continue");
    }
    first = false;
    if (auto it = p.find("items"); it != p.end() && it->value().is_array()) {
      listed += it->value().get_array().size();
      for (json::value& item : it->value().get_array()) {
        if (item.is_object()) on_item(item.get_object());
      }
    }
    if (cont.empty()) co_return list_rv;
    if (min_limit > 0 && options.max_limit > min_limit && listed > 0) {
      const size_t per_item = std::max<size_t>(1, listed_bytes / listed);
      options.limit = static_cast<uint32_t>(
          std::clamp<size_t>(options.page_bytes / per_item, min_limit, options.max_limit));
    }
    options.continue_token = std::move(cont);
    options.resource_version.clear();
    options.resource_version_match.clear();
  }
}

asio::awaitable<Result<json::object>> Client::create(const Resource& r, std::string_view ns,
                                                     const json::object& object) {
  co_return co_await object_call("POST", r.collection_path(ns), json::serialize(object),
                                 "application/json");
}

asio::awaitable<Result<json::object>> Client::replace(const Resource& r, std::string_view ns,
                                                      std::string_view name,
                                                      const json::object& object,
                                                      std::string_view subresource) {
  co_return co_await object_call("PUT", r.object_path(ns, name, subresource),
                                 json::serialize(object), "application/json");
}

asio::awaitable<Result<void>> Client::remove(const Resource& r, std::string_view ns,
                                             std::string_view name, DeleteOptions options) {
  json::object body{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (!options.precondition_uid.empty() || !options.precondition_resource_version.empty()) {
    json::object pre;
    if (!options.precondition_uid.empty()) pre["uid"] = options.precondition_uid;
    if (!options.precondition_resource_version.empty()) {
      pre["resourceVersion"] = options.precondition_resource_version;
    }
    body["preconditions"] = std::move(pre);
  }
  auto r2 = co_await object_call("DELETE", r.object_path(ns, name), json::serialize(body),
                                 "application/json");
  if (!r2) co_return tl::unexpected(r2.error());
  co_return Result<void>();
}

asio::awaitable<Result<void>> Client::remove(const Resource& r, std::string_view ns,
                                             std::string_view name) {
  DeleteOptions defaults;
  co_return co_await remove(r, ns, name, std::move(defaults));
}

asio::awaitable<Result<json::object>> Client::merge_patch(const Resource& r, std::string_view ns,
                                                          std::string_view name,
                                                          const json::value& patch) {
  co_return co_await object_call("PATCH", r.object_path(ns, name), json::serialize(patch),
                                 std::string(kMergePatch));
}

asio::awaitable<Result<json::object>> Client::patch_status(const Resource& r, std::string_view ns,
                                                           std::string_view name,
                                                           const json::value& patch) {
  co_return co_await object_call("PATCH", r.object_path(ns, name, "status"), json::serialize(patch),
                                 std::string(kMergePatch));
}

asio::awaitable<Result<json::object>> Client::apply(const Resource& r, std::string_view ns,
                                                    std::string_view name, json::object object,
                                                    ApplyOptions options) {
  if (!object.contains("apiVersion")) object["apiVersion"] = r.api_version();
  if (!object.contains("kind")) object["kind"] = r.kind;
  json::value& meta = object["metadata"];
  if (!meta.is_object()) meta = json::object();
  if (!meta.get_object().contains("name")) meta.get_object()["name"] = name;
  if (r.namespaced && !ns.empty() && !meta.get_object().contains("namespace")) {
    meta.get_object()["namespace"] = ns;
  }
  Query q;
  q.add("fieldManager", options.field_manager)
      .add("force", options.force ? "true" : "")
      .add("dryRun", options.dry_run ? "All" : "");
  co_return co_await object_call("PATCH", r.object_path(ns, name, options.subresource) + q.str(),
                                 json::serialize(object), std::string(kApplyPatch));
}

asio::awaitable<Result<std::unique_ptr<Watch>>> Client::watch(const Resource& r,
                                                              std::string_view ns,
                                                              WatchOptions options) {
  Query q;
  q.add("watch", "1")
      .add("labelSelector", options.label_selector)
      .add("fieldSelector", options.field_selector)
      .add("resourceVersion", options.resource_version)
      .add("allowWatchBookmarks", options.allow_bookmarks ? "true" : "")
      .add("timeoutSeconds",
           options.timeout.count() > 0 ? std::to_string(options.timeout.count()) : "");
  auto idle = options.idle_timeout.count() > 0 ? options.idle_timeout
                                               : options.timeout + std::chrono::seconds(30);
  HttpRequest watch_request;
  watch_request.target = r.collection_path(ns) + q.str();
  auto stream = co_await transport_->open_stream(
      std::move(watch_request), std::chrono::duration_cast<std::chrono::milliseconds>(idle));
  if (observer_) {
    observer_("WATCH", stream                           ? std::string("200")
                       : stream.error().http_status > 0 ? std::to_string(stream.error().http_status)
                                                        : std::string("error"));
  }
  if (!stream) co_return tl::unexpected(stream.error());
  co_return std::make_unique<Watch>(std::move(*stream));
}

asio::awaitable<Result<json::object>> Client::update_with_retry(const Resource& r,
                                                                std::string_view ns,
                                                                std::string_view name,
                                                                Mutation mutate, int attempts,
                                                                std::string_view subresource) {
  Error last;
  for (int i = 0; i < std::max(attempts, 1); ++i) {
    auto current = co_await get(r, ns, name);
    if (!current) co_return tl::unexpected(current.error());
    auto changed = mutate(*current);
    if (!changed) co_return tl::unexpected(changed.error());
    if (!*changed) co_return std::move(*current);
    auto written = co_await replace(r, ns, name, *current, subresource);
    if (written || written.error().code != ErrorCode::Conflict) co_return written;
    last = written.error();
  }
  last.message = fmt::format("gave up after {} conflicting updates: {}", attempts, last.message);
  co_return tl::unexpected(last);
}

asio::awaitable<Result<std::vector<DiscoveredResource>>> Client::discover(
    std::string_view group, std::string_view version) {
  Resource gv{std::string(group), std::string(version), "", "", false};
  auto list = co_await object_call("GET", gv.group_version_path());
  if (!list) {
    if (list.error().code == ErrorCode::NotFound) {
      list.error().message = fmt::format(
          "API group version {} is not served by the API server (is its CustomResourceDefinition "
          "installed?)",
          gv.api_version());
    }
    co_return tl::unexpected(list.error());
  }
  std::vector<DiscoveredResource> out;
  if (auto it = list->find("resources"); it != list->end() && it->value().is_array()) {
    for (const json::value& v : it->value().get_array()) {
      if (!v.is_object()) continue;
      const json::object& o = v.get_object();
      DiscoveredResource d;
      d.name = string_at(o, "name");
      d.kind = string_at(o, "kind");
      if (auto n = o.find("namespaced"); n != o.end() && n->value().is_bool()) {
        d.namespaced = n->value().get_bool();
      }
      if (auto vs = o.find("verbs"); vs != o.end() && vs->value().is_array()) {
        for (const json::value& verb : vs->value().get_array()) {
          if (verb.is_string()) d.verbs.emplace_back(verb.get_string());
        }
      }
      out.push_back(std::move(d));
    }
  }
  co_return out;
}

asio::awaitable<Result<Resource>> Client::resolve(Resource r) {
  auto found = co_await discover(r.group, r.version);
  if (!found) {
    if (found.error().code == ErrorCode::NotFound) {
      found.error().message = fmt::format(
          "resource {} ({}) is not served by the API server: API group version {} is missing "
          "(is its CustomResourceDefinition installed?)",
          r.qualified_name(), r.api_version(), r.api_version());
    }
    co_return tl::unexpected(found.error());
  }
  for (const DiscoveredResource& d : *found) {
    if (d.name == r.resource) {
      r.kind = d.kind;
      r.namespaced = d.namespaced;
      co_return r;
    }
  }
  co_return fail(ErrorCode::NotFound,
                 fmt::format("resource {} ({}) is not served by the API server (is its "
                             "CustomResourceDefinition installed?)",
                             r.qualified_name(), r.api_version()));
}

asio::awaitable<Result<json::value>> Client::request(std::string method, std::string target,
                                                     std::optional<json::value> body,
                                                     std::string content_type,
                                                     std::chrono::milliseconds timeout) {
  co_return co_await send_request("", std::move(method), std::move(target), std::move(body),
                                  std::move(content_type), timeout);
}

asio::awaitable<Result<json::value>> Client::request_as(std::string bearer, std::string method,
                                                        std::string target,
                                                        std::optional<json::value> body) {
  co_return co_await send_request(std::move(bearer), std::move(method), std::move(target),
                                  std::move(body), "application/json",
                                  std::chrono::milliseconds(0));
}

asio::awaitable<Result<json::value>> Client::send_request(std::string bearer, std::string method,
                                                          std::string target,
                                                          std::optional<json::value> body,
                                                          std::string content_type,
                                                          std::chrono::milliseconds timeout) {
  HttpRequest req;
  req.bearer = std::move(bearer);
  req.method = std::move(method);
  req.target = std::move(target);
  req.timeout = timeout;
  if (body) {
    req.body = json::serialize(*body);
    req.content_type = std::move(content_type);
  }
  std::string what = fmt::format("{} {}", req.method, req.target.substr(0, req.target.find('?')));
  std::string verb = req.method;
  auto r = co_await transport_->send(std::move(req));
  observed(verb, r);
  if (!r) co_return tl::unexpected(r.error());
  if (!is_2xx(r->status))
    co_return tl::unexpected(error_from_response(r->status, r->body, r->retry_after));
  if (r->body.empty()) co_return json::value();
  co_return parse_body(*r, what);
}

}  // namespace zk::kube
