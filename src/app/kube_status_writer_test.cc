#include "app/kube_status_writer.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace zk::app {
namespace {

// The record kinds' informers keep only what the writer reads back: the keys, the zone
// annotation and status, in the API server's key order.
TEST(KubeStatusWriterTest, KeepForStatusLeavesWhatTheWriterReads) {
  auto object = boost::json::parse(R"({
    "apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
    "metadata": {"annotations": {"dns.zonekeeper.io/zone": "team/example",
                                 "dns.zonekeeper.io/owner": "team-a"},
                 "creationTimestamp": "2026-12-07T10:00:00Z", "finalizers": ["x"],
                 "generation": 3, "labels": {"zone": "example"}, "name": "www",
                 "namespace": "team", "resourceVersion": "42", "uid": "u-1"},
    "spec": {"name": "www", "a": ["192.0.2.1"]},
    "status": {"zone": "team/example", "observedGeneration": 3}})")
                    .as_object();
  KubeStatusWriter::keep_for_status(object);
  EXPECT_EQ(boost::json::serialize(object),
            R"({"apiVersion":"dns.zonekeeper.io/v1alpha1","kind":"ARecord",)"
            R"("metadata":{"annotations":{"dns.zonekeeper.io/zone":"team/example"},)"
            R"("name":"www","namespace":"team","resourceVersion":"42","uid":"u-1"},)"
            R"("status":{"zone":"team/example","observedGeneration":3}})");

  // Without the zone annotation: none kept (an object nobody annotated yet).
  auto bare = boost::json::parse(
                  R"({"metadata":{"annotations":{"a":"b"},"name":"x","resourceVersion":"1"},)"
                  R"("spec":{}})")
                  .as_object();
  KubeStatusWriter::keep_for_status(bare);
  EXPECT_EQ(boost::json::serialize(bare), R"({"metadata":{"name":"x","resourceVersion":"1"}})");
}

}  // namespace
}  // namespace zk::app
