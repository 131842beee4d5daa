// What the managed-server reconcilers (Bind9Instance, Bind9Cluster) do to the API server: apply
// and delete the objects an owner deploys — only where they are the owner's (an object of the
// same name that is not is left alone: NameTaken) — and write the owner's status only when it
// changed. Errors come back as the owner's Ready=False reason (DeployForbidden, DeployFailed).
//
//   Deployer deployer(client);
//   Owner owner{"Bind9Instance", ns, name, uid};
//   if (auto blocked = co_await deployer.apply(owner, kConfigMaps, object)) report(*blocked);
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "api/condition.h"
#include "kube/client.h"

namespace zk::app {

// Why an owner is not deployed (a Ready=False reason and its message), if it is not.
struct Blocked {
  std::string reason;
  std::string message;
};

// The object whose controller owner references the deployed objects carry.
struct Owner {
  std::string kind;  // "Bind9Instance"
  std::string ns;
  std::string name;
  std::string uid;
};

// The uid of `object`'s controller owner reference of kind `owner_kind` ("" when none).
std::string owner_uid(const boost::json::value& object, std::string_view owner_kind);

class Deployer {
 public:
  explicit Deployer(std::shared_ptr<kube::Client> client);

  // A failed request as the owner's reason: Forbidden → DeployForbidden (with the RoleBinding
  // to make), anything else → DeployFailed.
  static Blocked refused(const kube::Error& e, std::string_view what);
  // The owner's metadata.generation (0 when absent): what its conditions and status observe.
  static int64_t generation(const boost::json::value& object);

  // May `owner` write `name` (of resource r, in its namespace)? Yes if it does not exist or is
  // the owner's. `absent` (if given) says whether it was found missing when looked up now.
  boost::asio::awaitable<std::optional<Blocked>> check_ours(const Owner& owner,
                                                            const kube::Resource& r,
                                                            const std::string& name,
                                                            bool* absent = nullptr);
  // Server-side apply, forced: a field of ours that someone else changed is put back.
  boost::asio::awaitable<std::optional<Blocked>> apply(const Owner& owner, const kube::Resource& r,
                                                       boost::json::object object);
  // Deletes the owner's object `name` (absent already is fine).
  boost::asio::awaitable<std::optional<Blocked>> remove(const Owner& owner, const kube::Resource& r,
                                                        const std::string& name);
  // Forget what was checked (with leadership: another replica may have changed things).
  void forget(const kube::Resource& r, std::string_view ns, std::string_view name);
  void forget_all();

  // Writes `object`'s status: `fields` plus `conditions` merged into its current ones (their
  // transition times kept when unchanged; types not in `conditions` dropped) — only when that
  // differs from the current status. False when the write failed (to retry).
  boost::asio::awaitable<bool> write_status(const kube::Resource& r,
                                            const boost::json::value& object,
                                            std::vector<api::Condition> conditions,
                                            boost::json::object fields);

 private:
  std::shared_ptr<kube::Client> client_;
  // Objects known to be the owner's (or free) once checked: "Kind/ns/name" → owner uid.
  std::map<std::string, std::string> verified_;
};

}  // namespace zk::app
