// Names an API resource by group/version/resource and builds its REST paths.
//
//   Resource cms = resources::kConfigMaps;                          // core/v1, namespaced
//   Resource recs{"dns.zonekeeper.dev", "v1alpha1", "arecords", "ARecord", true};
//   cms.collection_path("default")        // "/api/v1/namespaces/default/configmaps"
//   cms.object_path("default", "x", "status")  // ".../configmaps/x/status"
//   recs.collection_path("")              // "/apis/dns.zonekeeper.dev/v1alpha1/arecords" (all ns)
#pragma once

#include <string>
#include <string_view>

namespace zk::kube {

struct Resource {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "configmaps"
  std::string kind;      // "ConfigMap" (used for apply bodies and events)
  bool namespaced = true;

  // "v1" or "group/version".
  std::string api_version() const;
  // "/api/v1" or "/apis/group/version".
  std::string group_version_path() const;
  // Collection: namespaced with ns=="" means across all namespaces.
  std::string collection_path(std::string_view ns) const;
  // One object, optionally a subresource ("status", "token", ...).
  std::string object_path(std::string_view ns, std::string_view name,
                          std::string_view subresource = {}) const;
  // "configmaps" or "arecords.dns.zonekeeper.dev" (what RBAC and kubectl call it).
  std::string qualified_name() const;

  friend bool operator==(const Resource&, const Resource&) = default;
};

namespace resources {
inline const Resource kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const Resource kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
inline const Resource kSecrets{"", "v1", "secrets", "Secret", true};
inline const Resource kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const Resource kEvents{"events.k8s.io", "v1", "events", "Event", true};
inline const Resource kCustomResourceDefinitions{
    "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false};
inline const Resource kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles",
                                    "ClusterRole", false};
inline const Resource kClusterRoleBindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings",
                                           "ClusterRoleBinding", false};
}  // namespace resources

// Percent-encodes a query parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view value);

}  // namespace zk::kube
