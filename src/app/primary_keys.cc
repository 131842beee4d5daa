#include "app/primary_keys.h"

#include <chrono>
#include <ctime>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "api/kind.h"
#include "api/secret_data.h"
#include "app/random_secret.h"
#include "dns/client.h"
#include "dns/tsig.h"
#include "managed/catalog.h"

namespace zk::app {

namespace asio = boost::asio;
namespace json = boost::json;
using managed::KeyGeneration;
using managed::KeyRing;
using managed::RotationPhase;

namespace {

// A query signed with a key the server does not know is answered BADKEY at once; two seconds
// is for a server that does not answer at all (then nothing is concluded).
constexpr std::chrono::milliseconds kProbeTimeout{2000};

KeyGeneration fresh_generation() {
  return KeyGeneration{0, random_key_secret(), random_key_secret()};
}

// The ring a Secret holds, and whether it has today's files (`keys`, `access.conf`). A Secret
// made before rotations existed has one key in `secret` and rndc.conf: generation 0.
model::Parsed<KeyRing> read_ring(const json::value& secret, bool& current_format) {
  current_format =
      api::has_secret_key(secret, "keys") && api::has_secret_key(secret, "access.conf");
  if (api::has_secret_key(secret, "keys")) {
    auto text = api::secret_value(secret, "keys");
    if (!text) return tl::unexpected(text.error());
    return managed::parse_key_ring(*text);
  }
  auto tsig = api::secret_value(secret, "secret");
  if (!tsig) return tl::unexpected(tsig.error());
  auto rndc_conf = api::secret_value(secret, "rndc.conf");
  if (!rndc_conf) return tl::unexpected(rndc_conf.error());
  constexpr std::string_view kSecret = "secret \"";
  const size_t at = rndc_conf->find(kSecret);
  const size_t end = at == std::string::npos ? at : rndc_conf->find('"', at + kSecret.size());
  if (end == std::string::npos) {
    return tl::unexpected(std::string("data.rndc.conf: no `secret \"…\";`"));
  }
  return managed::new_key_ring(
      {0, *tsig, rndc_conf->substr(at + kSecret.size(), end - at - kSecret.size())});
}

enum class Answer { Accepted, Refused, Unknown };

}  // namespace

PrimaryKeys::PrimaryKeys(asio::any_io_executor executor, std::shared_ptr<kube::Client> client,
                         Deployer& deployer)
    : executor_(executor), client_(std::move(client)), deployer_(deployer) {}

namespace {

// A signed SOA query of the catalog zone (every managed server has it): Accepted, Refused
// (BADKEY: the server does not have the key) or Unknown (no answer, another error).
asio::awaitable<Answer> ask(asio::any_io_executor executor, const std::string& address,
                            uint16_t port, const std::string& key_name, const std::string& secret) {
  auto key = dns::TsigKey::from_base64(key_name, "hmac-sha256", secret);
  if (!key || address.empty()) co_return Answer::Unknown;
  dns::ClientOptions o;
  o.key = std::move(*key);
  o.timeout = kProbeTimeout;
  dns::Client client(executor, dns::ServerAddress{address, port}, o);
  auto serial = co_await client.soa_serial(managed::catalog_zone());
  if (serial) co_return Answer::Accepted;
  co_return serial.error().code == dns::ErrorCode::BadKey ? Answer::Refused : Answer::Unknown;
}

// Every Pod of every Secondary is Ready and runs what its deployment with these keys renders.
bool secondaries_rolled(const std::vector<SecondarySet>& secondaries) {
  for (const SecondarySet& s : secondaries) {
    const json::object want = managed::pod_annotations(s.deployment);
    if (static_cast<int>(s.pods.size()) < s.deployment.instance.replicas) return false;
    for (const std::optional<managed::PodState>& pod : s.pods) {
      if (!pod || !pod->ready || pod->deleting || pod->ip.empty()) return false;
      for (const auto& [k, v] : want) {
        auto it = pod->annotations.find(std::string(k));
        if (it == pod->annotations.end() || !v.is_string() || it->second != v.as_string()) {
          return false;
        }
      }
    }
  }
  return true;
}

// Does every server (the Primary's Service, each Secondary Pod) answer `expected` to a query
// signed with generation `g`?
asio::awaitable<bool> all_answer(asio::any_io_executor executor, const managed::Deployment& p,
                                 const std::vector<SecondarySet>& secondaries,
                                 const KeyGeneration& g, Answer expected, bool primary_too) {
  const std::string name = managed::tsig_key_name(p.instance.name, g.number);
  if (primary_too) {
    const Answer a =
        co_await ask(executor, p.service_address, p.instance.port, name, g.tsig_secret);
    if (a != expected) co_return false;
  }
  for (const SecondarySet& s : secondaries) {
    for (const std::optional<managed::PodState>& pod : s.pods) {
      if (!pod) co_return false;
      const Answer a =
          co_await ask(executor, pod->ip, s.deployment.instance.port, name, g.tsig_secret);
      if (a != expected) co_return false;
    }
  }
  co_return true;
}

}  // namespace

asio::awaitable<tl::expected<KeptKeys, Blocked>> PrimaryKeys::keep(
    const managed::Deployment& primary, std::string requested,
    std::vector<SecondarySet> secondaries) {
  const api::Bind9Instance& i = primary.instance;
  const std::string name = managed::keys_secret_name(i.name);
  const Owner owner{std::string(api::kBind9Instance), i.ns, i.name, i.uid};
  const kube::Resource& secrets = kube::resources::kSecrets;
  if (auto b = co_await deployer_.check_ours(owner, secrets, name)) co_return tl::unexpected(*b);
  auto got = co_await client_->get(secrets, i.ns, name);
  if (!got && got.error().code == kube::ErrorCode::NotFound) {
    const KeyRing ring = managed::new_key_ring(fresh_generation());
    const json::object object = managed::keys_secret(primary, ring);
    auto made = co_await client_->create(secrets, i.ns, object);
    if (!made) {
      deployer_.forget(secrets, i.ns, name);
      co_return tl::unexpected(
          Deployer::refused(made.error(), fmt::format("create Secret {}", name)));
    }
    spdlog::info("bind9: {}/{}: generated its TSIG and rndc keys (Secret {})", i.ns, i.name, name);
    co_return KeptKeys{ring, ""};
  }
  if (!got) {
    co_return tl::unexpected(Deployer::refused(got.error(), fmt::format("get Secret {}", name)));
  }
  const json::value secret(std::move(*got));
  bool current_format = false;
  auto ring = read_ring(secret, current_format);
  if (!ring) {
    co_return tl::unexpected(Blocked{
        "KeysInvalid", fmt::format("the keys Secret {} cannot be read: {}; zonekeeper does not "
                                   "rewrite it (delete it for new keys)",
                                   name, ring.error())});
  }
  for (SecondarySet& s : secondaries) {  // what they should run with now
    s.deployment.key_names =
        managed::secondary_key_names(managed::tsig_key_names(i.name, *ring), ring->phase);
  }

  std::optional<KeyRing> next;
  std::string waiting_for;
  const std::vector<SecondarySet> no_secondaries;
  if (!current_format) {
    next = *ring;  // the same keys, in today's files
  } else {
    managed::RotationObservation seen;
    switch (ring->phase) {
      case RotationPhase::Done:
        break;
      case RotationPhase::Adding:
        seen.primary_accepts_new = co_await all_answer(
            executor_, primary, no_secondaries, ring->accepted.back(), Answer::Accepted, true);
        seen.secondaries_rolled = secondaries_rolled(secondaries);
        if (seen.primary_accepts_new && seen.secondaries_rolled) {
          seen.secondaries_accept_new = co_await all_answer(
              executor_, primary, secondaries, ring->accepted.back(), Answer::Accepted, false);
        }
        break;
      case RotationPhase::Switching:
        seen.secondaries_rolled = secondaries_rolled(secondaries);
        break;
      case RotationPhase::Dropping:
        seen.secondaries_rolled = secondaries_rolled(secondaries);
        if (seen.secondaries_rolled) {
          seen.servers_refuse_retired = co_await all_answer(executor_, primary, secondaries,
                                                            *ring->retired, Answer::Refused, true);
        }
        break;
    }
    const managed::RotationStep step = managed::rotation_step(
        *ring, requested, seen, static_cast<int64_t>(std::time(nullptr)), fresh_generation());
    next = step.next;
    waiting_for = step.waiting_for;
  }
  if (!next) co_return KeptKeys{std::move(*ring), std::move(waiting_for)};

  // A merge patch (the deployer role may patch Secrets, not update them) of every file, with
  // the resourceVersion read: written meanwhile, it is a Conflict, tried again.
  const json::object whole = managed::keys_secret(primary, *next);
  const json::value patch = json::object{
      {"metadata", json::object{{"resourceVersion", secret.at("metadata").at("resourceVersion")}}},
      {"stringData", whole.at("stringData")}};
  auto written = co_await client_->merge_patch(secrets, i.ns, name, patch);
  if (!written) {
    deployer_.forget(secrets, i.ns, name);
    co_return tl::unexpected(
        Deployer::refused(written.error(), fmt::format("update Secret {}", name)));
  }
  if (!current_format) {
    spdlog::info("bind9: {}/{}: the keys Secret {} now has today's files (same keys)", i.ns, i.name,
                 name);
  } else {
    spdlog::info("bind9: {}/{}: {}", i.ns, i.name, managed::step_message(i.name, *next));
  }
  co_return KeptKeys{std::move(*next), "", current_format};
}

}  // namespace zk::app
