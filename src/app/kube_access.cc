#include "app/kube_access.h"

#include <chrono>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include "api/kind.h"
#include "kube/resource.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kRemember = std::chrono::seconds(10);
constexpr size_t kMostRemembered = 1024;

std::string token_digest(const std::string& token) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d);
  return std::string(reinterpret_cast<const char*>(d), sizeof d);
}

struct Remembered {
  Verdict verdict;
  std::chrono::steady_clock::time_point until;
};

struct GateState {
  std::shared_ptr<kube::Client> client;
  // (token digest, verb, resource, ns, name) → verdict. Executor only.
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, Remembered>
      remembered;
};

Verdict unreachable(const kube::Error& e) {
  return Verdict{502, fmt::format("the API server could not check the token: {}", e.to_string()),
                 ""};
}

}  // namespace

Gate kube_gate(std::shared_ptr<kube::Client> client) {
  auto s = std::make_shared<GateState>();
  s->client = std::move(client);
  return [s](std::string authorization, Permission p) -> asio::awaitable<Verdict> {
    auto token = bearer_token(authorization);
    if (!token) {
      co_return Verdict{401, "a bearer token is needed (Authorization: Bearer <token>)", ""};
    }
    auto key = std::make_tuple(token_digest(*token), p.verb, p.resource, p.ns, p.name);
    auto now = std::chrono::steady_clock::now();
    if (auto it = s->remembered.find(key); it != s->remembered.end()) {
      if (it->second.until > now) co_return it->second.verdict;
      s->remembered.erase(it);
    }
    auto reviewed = co_await s->client->request(
        "POST", "/apis/authentication.k8s.io/v1/tokenreviews", json::value(token_review(*token)));
    if (!reviewed) co_return unreachable(reviewed.error());
    Verdict v;
    auto who = reviewed_subject(*reviewed, v);
    if (who) {
      auto answer =
          co_await s->client->request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                      json::value(access_review(*who, p)));
      if (!answer) co_return unreachable(answer.error());
      v = access_verdict(*answer, *who, p);
    }
    if (s->remembered.size() >= kMostRemembered) s->remembered.clear();
    s->remembered[key] = {v, now + kRemember};
    co_return v;
  };
}

RecordWriter kube_record_writer(std::shared_ptr<kube::Client> client) {
  return [client = std::move(client)](std::string token,
                                      RecordWrite w) -> asio::awaitable<RecordWriteResult> {
    // Encoded: a name like "x/../../secrets" must stay one path segment.
    std::string base = fmt::format("/apis/{}/namespaces/{}/{}", api::kApiVersion,
                                   kube::url_encode(w.ns), w.plural);
    // Two statements, not a conditional expression around co_await (g++-12 miscompiles those).
    std::string target = base;
    std::optional<json::value> body;
    if (w.method == "POST") {
      body = json::value(w.object);
    } else {
      target = fmt::format("{}/{}", base, kube::url_encode(w.name));
    }
    kube::Result<json::value> r =
        co_await client->request_as(std::move(token), w.method, std::move(target), std::move(body));
    if (r) co_return RecordWriteResult{w.method == "POST" ? 201u : 200u, ""};
    const kube::Error& e = r.error();
    unsigned status = e.http_status >= 400 && e.http_status < 600 ? unsigned(e.http_status) : 502;
    co_return RecordWriteResult{status, e.to_string()};
  };
}

}  // namespace zk::app
