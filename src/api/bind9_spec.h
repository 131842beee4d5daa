// The parts of a spec that Bind9Instance, Bind9Cluster and Bind9GlobalCluster share, decoded
// with the CRD's checks (deploy/crds/generate.py: bind9_server_settings, bind9_storage,
// bind9_resources):
//
//   auto settings = decode_bind9_server_settings(*spec, cluster);   // image ... allowedNamespaces
//   auto role = decode_bind9_role(json::member(spec, "primary"), "spec.primary");
//
// Used by bind9_instance.cc and bind9_cluster.cc (Bind9Cluster, Bind9GlobalCluster) only; errors
// name the field.
#pragma once

#include <cstddef>
#include <string_view>

#include <boost/json/value.hpp>

#include "api/bind9_cluster.h"
#include "model/error.h"

namespace zk::api {

// Reads spec.image, imagePullPolicy, port, allowQuery, rateLimit.responsesPerSecond,
// logQueries and allowedNamespaces of `spec` (a JSON object) into the fields of the same names
// of `out`, leaving the defaults where absent. Defined for Bind9Instance and Bind9Cluster (and
// so Bind9GlobalCluster).
template <class T>
model::Parsed<bool> decode_bind9_server_settings(const boost::json::value& spec, T& out);

// Reads `storage` and `resources` of the object at `path` (absent: the defaults): spec for a
// Bind9Instance, spec.primary and spec.secondaries for a Bind9Cluster.
model::Parsed<Bind9Role> decode_bind9_role(const boost::json::value* role, std::string_view path);

// metadata.name of an object whose name, with a suffix, names Services: a DNS label (RFC 1035:
// starts with a letter) of at most `max` characters. The error ends with `why`.
model::Parsed<bool> check_bind9_name(std::string_view name, size_t max, std::string_view why);

}  // namespace zk::api
