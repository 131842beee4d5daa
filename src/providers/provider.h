// The one shape every served backend has: a copy of each zone it serves, changes applied to
// it, change detection, propagation where it exists, health, and its errors already in the
// vocabulary of docs/api.md. RFC 2136 (BIND 9) is the first implementation (rfc2136.h).
//
//   std::shared_ptr<Provider> p = factory.make(spec).value();
//   if (!p->served(zone)) co_await p->load(zone);
//   auto plan = plan::plan_zone(zone, desired, p->served(zone)->rrsets, ownership);
//   auto outcome = co_await p->apply(plan.changes);  // refused changes come back one by one
//   if (!outcome) status.reason = outcome.error().reason;  // e.g. "TsigAuthFailed"
//
// No Kubernetes here: the controller turns a DNSServer and its Secret into a ProviderSpec.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <tl/expected.hpp>

#include "model/changeset.h"
#include "model/name.h"
#include "model/record_notes.h"
#include "model/rrset.h"

namespace zk::providers {

// A failed operation, said as the conditions of docs/api.md say it. Never carries a secret.
struct Failure {
  std::string reason;         // for the records and the zone: ServerUnreachable, UpdateRefused, …
  std::string server_reason;  // for the DNSServer's Ready: ServerRefused, TsigAuthFailed, …
  std::string message;        // the backend's own words ("BadSig: …")
  bool answers = false;       // the server answered (it is reachable) but not for this zone
  bool stale_copy = false;    // a guard failed: our copy was stale (refreshed); plan again
};

template <class T>
using Result = tl::expected<T, Failure>;

struct ServedZone {
  uint32_t serial = 0;
  model::RRsetMap rrsets;  // SOA included
  // RRsets the backend marks as someone else's, never changed by us (Technitium: no record
  // carries our claim in its comments; RFC 2136 has no such mark: always empty).
  std::set<model::RRsetKey> foreign;
  // Backends that keep an owner and description with each record (Technitium: in its
  // comments): keeps_notes, and what our RRsets carry (none listed: none).
  bool keeps_notes = false;
  std::map<model::RRsetKey, model::RecordNotes> notes = {};
};

// A change the backend refused on its own (found by bisecting a refused batch).
struct ChangeFailure {
  model::Change change;
  std::string message;
};

struct ApplyOutcome {
  size_t applied = 0;                  // changes acknowledged
  size_t messages = 0;                 // requests sent
  std::vector<ChangeFailure> refused;  // changes the backend refused individually
};

struct RefreshOutcome {
  bool moved = false;                    // the serial was not the one we knew
  std::vector<model::RRsetKey> changed;  // RRsets whose served data changed (SOA excluded)
};

// What the backend answers for one name and type now (lookup()).
struct LookupAnswer {
  std::string rcode;                 // "NOERROR" | "NXDOMAIN"
  std::vector<model::Rdata> rdatas;  // empty: no data of that type (NODATA) or NXDOMAIN
  uint32_t ttl = 0;
};

// The answer to "may I reach you": the last operation's result.
struct Health {
  bool known = false;
  bool ok = false;
  Failure failure;  // when !ok
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Where it is, for messages ("127.0.0.1:5353"); never a credential.
  virtual std::string endpoint() const = 0;
  // The copy of `zone`, or null before load().
  virtual const ServedZone* served(const model::Name& zone) const = 0;
  virtual void forget(const model::Name& zone) = 0;
  virtual const Health& health() const = 0;

  // Reads the whole zone into the copy.
  virtual boost::asio::awaitable<Result<void>> load(const model::Name& zone) = 0;
  // Cheap change detection (SOA serial); when it moved, brings the copy up to date and says
  // what changed. Loads the zone when there is no copy yet (moved = true).
  virtual boost::asio::awaitable<Result<RefreshOutcome>> refresh(const model::Name& zone) = 0;
  // Applies the changes as atomically as the backend allows. Changes it refuses one by one are
  // in `refused`; a failure of the whole backend fails the call (the copy is then refreshed or
  // dropped, so the next plan is right).
  virtual boost::asio::awaitable<Result<ApplyOutcome>> apply(const model::ChangeSet& changes) = 0;
  // Is it usable at all: one cheap request, recorded in health() (RFC 2136: an SOA query of
  // `zone`, which may be the root; Technitium: its API session, what zonekeeper writes through).
  virtual boost::asio::awaitable<Result<void>> check(const model::Name& zone) = 0;
  // The serial it serves now (one query; no copy needed).
  virtual boost::asio::awaitable<Result<uint32_t>> soa_serial(const model::Name& zone) = 0;
  // Tells a secondary to fetch `serial`; backends without NOTIFY succeed doing nothing.
  virtual boost::asio::awaitable<Result<void>> notify(const model::Name& zone,
                                                      std::optional<uint32_t> serial) = 0;
  // What it answers for `name`/`type` now, asked as a client would (RFC 2136 and Technitium: a
  // DNS query, TSIG-signed where the DNSServer has a key; hosts file: the file as last read).
  virtual boost::asio::awaitable<Result<LookupAnswer>> lookup(const model::Name& name,
                                                              model::RRType type) = 0;
};

// What a provider is built from: a DNSServer's connection fields and its key material.
// Equal specs share one provider (and its copies); any difference builds a new one.
struct ProviderSpec {
  std::string label;  // "ns/name" of the DNSServer: metrics and messages
  std::string address;
  uint16_t port = 53;
  int timeout_seconds = 5;
  struct Key {
    std::string name, algorithm, secret;  // secret: base64, as the Secret holds it
    bool operator==(const Key&) const = default;
  };
  std::optional<Key> key;
  // Set: a Technitium DNS Server, written through its HTTP API (address and port: its DNS,
  // for the SOA query that detects change). Unset: RFC 2136 (BIND 9).
  struct Technitium {
    std::string url;
    std::string ca_pem;
    bool insecure_skip_tls_verify = false;
    std::string token;               // secret; or:
    std::string username, password;  // password: secret
    double requests_per_second = 10;
    bool create_zones = false;
    bool operator==(const Technitium&) const = default;
  };
  std::optional<Technitium> technitium;
  // Who zonekeeper is here: the claim Technitium records carry ("zonekeeper:<owner id>").
  std::string owner_id = "default";
  bool operator==(const ProviderSpec&) const = default;
};

// Builds providers; app/ hands one to the controller. A spec it cannot use (a key that does
// not decode) is a Failure whose reason is SecretInvalid.
class ProviderFactory {
 public:
  virtual ~ProviderFactory() = default;
  virtual Result<std::shared_ptr<Provider>> make(const ProviderSpec& spec) = 0;
};

}  // namespace zk::providers
