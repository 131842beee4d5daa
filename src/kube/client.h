// Generic, asynchronous access to the Kubernetes API (Asio C++20 coroutines).
//
//   asio::io_context io;
//   auto client = kube::Client::create(io.get_executor(), kube::load_default_config().value());
//   asio::co_spawn(io, [&]() -> asio::awaitable<void> {
//     auto cm = co_await (*client)->get(resources::kConfigMaps, "default", "settings");
//     if (!cm) { spdlog::warn("{}", cm.error().to_string()); co_return; }
//     auto applied = co_await (*client)->apply(records, "default", "www", desired,
//                                              {.force = true});
//   }, asio::detached);
//   io.run();
//
// Every call returns Result<T>; nothing throws and no error ends the process. A Client is used
// from coroutines on its executor (one thread); share it by shared_ptr. Objects travel as
// boost::json::object in their full wire form.
//
// g++-12 note: never pass a braced temporary ({...} / designated initializers) as an argument
// inside a co_await expression — g++-12 destroys it twice. Use a named local instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "kube/config.h"
#include "kube/error.h"
#include "kube/resource.h"
#include "kube/transport.h"
#include "kube/watch_event.h"

namespace zk::kube {

inline constexpr std::string_view kFieldManager = "zonekeeper";

struct ListOptions {
  std::string label_selector{};
  std::string field_selector{};
  uint32_t limit = 500;  // page size; 0 = no limit
  // list_each only: when above `limit`, each later page asks for as many items as make about
  // `page_bytes` of JSON at the size of the items so far, between `limit` and `max_limit`
  // (small objects: fewer, larger pages; large ones: pages stay near `limit`).
  uint32_t max_limit = 0;
  size_t page_bytes = size_t{4} << 20;
  std::string continue_token{};          // from the previous page
  std::string resource_version{};        // "" = most recent (quorum read)
  std::string resource_version_match{};  // "", "Exact", "NotOlderThan"
};

struct ObjectList {
  std::vector<boost::json::object> items;
  std::string resource_version{};  // list metadata.resourceVersion
  std::string continue_token{};    // empty on the last page
  std::optional<int64_t> remaining_item_count;
};

struct WatchOptions {
  std::string label_selector{};
  std::string field_selector{};
  std::string resource_version{};  // resume point; "" = "start at most recent"
  bool allow_bookmarks = true;
  std::chrono::seconds timeout{300};  // server-side timeoutSeconds; the stream ends after it
  // Per-read deadline on our side: a silent connection beyond this is treated as broken.
  std::chrono::seconds idle_timeout{0};  // 0 = timeout + 30s
};

struct ApplyOptions {
  bool force = false;
  std::string field_manager{kFieldManager};
  std::string subresource{};  // "" or "status"
  bool dry_run = false;
};

struct DeleteOptions {
  std::string propagation_policy{};  // "", "Foreground", "Background", "Orphan"
  std::string precondition_uid{};
  std::string precondition_resource_version{};
  std::optional<int64_t> grace_period_seconds;
};

// A running watch. next() yields events until the server ends the stream (nullopt, normal
// after timeoutSeconds) or an error: Gone for an in-stream 410 ERROR event, other in-stream
// ERROR events mapped likewise, Decode for a malformed or truncated line, Network/Timeout.
class Watch {
 public:
  explicit Watch(std::unique_ptr<ByteStream> stream) : stream_(std::move(stream)) {}
  asio::awaitable<Result<std::optional<WatchEvent>>> next();
  void cancel() { stream_->cancel(); }

 private:
  std::unique_ptr<ByteStream> stream_;
  WatchEventDecoder decoder_;
  bool ended_ = false;
};

// One entry of /api or /apis/<group>/<version> discovery.
struct DiscoveredResource {
  std::string name{};  // "arecords" or "arecords/status"
  std::string kind{};
  bool namespaced = false;
  std::vector<std::string> verbs;
};

class Client {
 public:
  static Result<std::shared_ptr<Client>> create(asio::any_io_executor executor,
                                                const Config& config,
                                                TransportOptions options = {});
  // For tests: any Transport (e.g. a fake).
  Client(std::unique_ptr<Transport> transport, std::string default_namespace);

  asio::any_io_executor executor() const { return transport_->executor(); }

  // Told of every request once it ends: its verb (GET, LIST, WATCH, POST, PUT, PATCH, DELETE)
  // and its HTTP status code, or "error" when no response came (zonekeeper_kube_requests_total).
  // Call before the first request; called on the client's executor.
  using RequestObserver = std::function<void(std::string_view verb, std::string_view code)>;
  void observe_requests(RequestObserver observer) { observer_ = std::move(observer); }
  const std::string& default_namespace() const { return default_namespace_; }

  // `ns` is ignored for cluster-scoped resources; for namespaced ones "" means all
  // namespaces where that makes sense (list, watch).
  asio::awaitable<Result<boost::json::object>> get(const Resource& r, std::string_view ns,
                                                   std::string_view name);
  // One page.
  asio::awaitable<Result<ObjectList>> list(const Resource& r, std::string_view ns,
                                           ListOptions options = {});
  // All pages (limit/continue), as one list with the resourceVersion of the first page.
  // A 410 on a continue token (expired) restarts the listing once from scratch.
  asio::awaitable<Result<ObjectList>> list_all(const Resource& r, std::string_view ns,
                                               ListOptions options = {});
  // All pages, each item handed to `on_item` (which may move from it) as soon as its page is
  // parsed; pages are parsed into a per-page arena and freed, so memory stays bounded by one
  // page. Returns the list's resourceVersion (of the first page). Gone when a continue token
  // expired: the caller should start over.
  asio::awaitable<Result<std::string>> list_each(
      const Resource& r, std::string_view ns, ListOptions options,
      const std::function<void(boost::json::object& item)>& on_item);
  asio::awaitable<Result<boost::json::object>> create(const Resource& r, std::string_view ns,
                                                      const boost::json::object& object);
  // PUT: full replacement; Conflict when metadata.resourceVersion is stale.
  asio::awaitable<Result<boost::json::object>> replace(const Resource& r, std::string_view ns,
                                                       std::string_view name,
                                                       const boost::json::object& object,
                                                       std::string_view subresource = {});
  asio::awaitable<Result<void>> remove(const Resource& r, std::string_view ns,
                                       std::string_view name, DeleteOptions options);
  // With default options. (Not a default argument: GCC 12 destroys a coroutine's by-value
  // parameter twice when its default argument is `{}`.)
  asio::awaitable<Result<void>> remove(const Resource& r, std::string_view ns,
                                       std::string_view name);
  // JSON merge patch (RFC 7386).
  asio::awaitable<Result<boost::json::object>> merge_patch(const Resource& r, std::string_view ns,
                                                           std::string_view name,
                                                           const boost::json::value& patch);
  // JSON merge patch of the /status subresource.
  asio::awaitable<Result<boost::json::object>> patch_status(const Resource& r, std::string_view ns,
                                                            std::string_view name,
                                                            const boost::json::value& patch);
  // Server-side apply (application/apply-patch+yaml with a JSON body), fieldManager
  // "zonekeeper" unless overridden. apiVersion/kind/metadata.name(/namespace) are filled in
  // from `r` when absent.
  asio::awaitable<Result<boost::json::object>> apply(const Resource& r, std::string_view ns,
                                                     std::string_view name,
                                                     boost::json::object object,
                                                     ApplyOptions options = {});
  asio::awaitable<Result<std::unique_ptr<Watch>>> watch(const Resource& r, std::string_view ns,
                                                        WatchOptions options = {});

  // Read-modify-write with optimistic concurrency: GET, `mutate` (return false = nothing to
  // change, the current object is returned as is), PUT; on Conflict, again from GET, at most
  // `attempts` times.
  using Mutation = std::function<Result<bool>(boost::json::object&)>;
  asio::awaitable<Result<boost::json::object>> update_with_retry(const Resource& r,
                                                                 std::string_view ns,
                                                                 std::string_view name,
                                                                 Mutation mutate, int attempts = 5,
                                                                 std::string_view subresource = {});

  // Discovery of one group/version ("" group = core).
  asio::awaitable<Result<std::vector<DiscoveredResource>>> discover(std::string_view group,
                                                                    std::string_view version);
  // Confirms that `r` is served; NotFound with a message naming the resource and suggesting
  // the CRD is not installed otherwise. Fills in kind/namespaced from discovery.
  asio::awaitable<Result<Resource>> resolve(Resource r);

  // Any other call (e.g. TokenRequest): path + query, optional JSON body. 2xx → parsed body
  // (null for an empty body). `timeout` 0 = the config's request timeout.
  asio::awaitable<Result<boost::json::value>> request(
      std::string method, std::string target, std::optional<boost::json::value> body = {},
      std::string content_type = "application/json",
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  // The same, authenticated as `bearer` (a caller's token) rather than our own credentials.
  asio::awaitable<Result<boost::json::value>> request_as(std::string bearer, std::string method,
                                                         std::string target,
                                                         std::optional<boost::json::value> body);

 private:
  asio::awaitable<Result<boost::json::value>> send_request(std::string bearer, std::string method,
                                                           std::string target,
                                                           std::optional<boost::json::value> body,
                                                           std::string content_type,
                                                           std::chrono::milliseconds timeout);
  // `verb`: for the observer; "" = the method.
  asio::awaitable<Result<boost::json::object>> object_call(std::string method, std::string target,
                                                           std::string body = {},
                                                           std::string content_type = {},
                                                           std::string_view verb = {});
  void observed(std::string_view verb, const Result<HttpResponse>& r) const;
  std::unique_ptr<Transport> transport_;
  RequestObserver observer_;
  std::string default_namespace_;
};

}  // namespace zk::kube
