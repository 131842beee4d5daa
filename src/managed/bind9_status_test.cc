#include "managed/bind9_status.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::managed {
namespace {

PodState pod(std::string_view json) {
  return read_pod(boost::json::parse(json));
}

TEST(Bind9Status, ReadsWhatAPodSays) {
  PodState ready = pod(R"({"metadata":{"name":"p-0"},"status":{"podIP":"10.0.0.9",
      "conditions":[{"type":"Ready","status":"True"}]}})");
  EXPECT_TRUE(ready.ready);
  EXPECT_EQ(ready.ip, "10.0.0.9");
  PodState pull = pod(R"({"metadata":{"name":"p-0"},"status":{"conditions":[{"type":"Ready",
      "status":"False"}],"containerStatuses":[{"name":"named","state":{"waiting":{
      "reason":"ImagePullBackOff","message":"Back-off pulling image \"nope:1\""}}}]}})");
  EXPECT_FALSE(pull.ready);
  EXPECT_EQ(pull.waiting_reason, "ImagePullBackOff");
  EXPECT_EQ(pull.waiting_message, "container named: Back-off pulling image \"nope:1\"");
  PodState pending = pod(R"({"metadata":{"name":"p-0"},"status":{"conditions":[{
      "type":"PodScheduled","status":"False","reason":"Unschedulable",
      "message":"0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims."}]}})");
  ASSERT_TRUE(pending.unschedulable);
  EXPECT_NE(pending.unschedulable->find("unbound"), std::string::npos);
  PodState going = pod(R"({"metadata":{"name":"p-0","deletionTimestamp":"2026-01-01T00:00:00Z"},
      "status":{"conditions":[{"type":"Ready","status":"True"}]}})");
  EXPECT_FALSE(going.ready);
  EXPECT_TRUE(going.deleting);
  // Garbage reads as a Pod that says nothing.
  EXPECT_FALSE(pod(R"([1,2])").ready);
  EXPECT_FALSE(pod(R"({"status":{"conditions":"x"}})").ready);
}

TEST(Bind9Status, APrimaryPublishesItsKeysAndItsSecondariesReadWhatToRunWith) {
  const KeyRing adding =
      *rotation_step(new_key_ring({0, "T0", "R0"}), "r", {}, 5, {0, "T1", "R1"}).next;
  boost::json::object keys = keys_status("p", adding, "the Primary to accept the new key");
  EXPECT_EQ(keys, boost::json::parse(R"({"names": ["zonekeeper-p", "zonekeeper-p-1"],
      "phase": "Adding", "rotation": "r", "waitingFor": "the Primary to accept the new key"})"));
  auto primary = [](const boost::json::object& k) {
    return boost::json::value{{"metadata", {{"name", "p"}}}, {"status", {{"keys", k}}}};
  };
  EXPECT_EQ(published_key_names(primary(keys)),
            (std::vector<std::string>{"zonekeeper-p", "zonekeeper-p-1"}));
  // Switching: zonekeeper signs with the new key; the Secondaries still transfer with the old.
  const KeyRing switching = *rotation_step(adding, "r", {true, true, true, true}, 6, {}).next;
  keys = keys_status("p", switching, "");
  EXPECT_EQ(keys.at("names"), boost::json::parse(R"(["zonekeeper-p-1", "zonekeeper-p"])"));
  EXPECT_FALSE(keys.contains("waitingFor"));
  EXPECT_EQ(published_key_names(primary(keys)),
            (std::vector<std::string>{"zonekeeper-p", "zonekeeper-p-1"}));
  EXPECT_TRUE(published_key_names(boost::json::parse(R"({"metadata":{"name":"p"}})")).empty());
}

TEST(Bind9Status, ReadyOverThePodsInSeed004sWords) {
  PodState ok;
  ok.ready = true;
  PodState crash;
  crash.waiting_reason = "CrashLoopBackOff";
  crash.waiting_message = "container named: back-off 10s restarting failed container";
  InstanceReport all = report_pods("dns", 2, {ok, ok}, 3);
  ASSERT_EQ(all.conditions.size(), 3u);
  EXPECT_EQ(all.conditions[0].type, "Ready");
  EXPECT_EQ(all.conditions[0].reason, "AllReady");
  EXPECT_EQ(all.conditions[0].message, "All 2 pods are ready");
  EXPECT_EQ(all.conditions[0].observed_generation, 3);
  EXPECT_EQ(all.conditions[1].type, "Pod-0");
  EXPECT_EQ(all.conditions[1].message, "Pod dns-0 is ready");
  EXPECT_EQ(all.ready_replicas, 2);

  InstanceReport some = report_pods("dns", 3, {ok, crash, std::nullopt}, 1);
  EXPECT_EQ(some.conditions[0].reason, "PartiallyReady");
  EXPECT_EQ(some.conditions[0].message, "1/3 pods are ready");
  EXPECT_EQ(some.conditions[2].reason, "CrashLooping");
  EXPECT_EQ(some.conditions[2].message,
            "Pod dns-1: container named: back-off 10s restarting failed container");
  EXPECT_EQ(some.conditions[3].reason, "PodMissing");
  EXPECT_EQ(some.conditions[3].message, "Pod dns-2 does not exist yet");

  PodState pull;
  pull.waiting_reason = "ErrImagePull";
  pull.waiting_message = "container named: not found";
  PodState unsched;
  unsched.unschedulable = "0/1 nodes are available";
  PodState starting;
  PodState never;
  never.waiting_reason = "ErrImageNeverPull";
  EXPECT_EQ(report_pods("dns", 1, {never}, 1).conditions[1].reason, "ImagePullFailed");
  InstanceReport none = report_pods("dns", 3, {pull, unsched, starting}, 1);
  EXPECT_EQ(none.conditions[0].reason, "NotReady");
  EXPECT_EQ(none.conditions[0].message, "No pods are ready");
  EXPECT_EQ(none.conditions[1].reason, "ImagePullFailed");
  EXPECT_EQ(none.conditions[2].reason, "Unschedulable");
  EXPECT_EQ(none.conditions[2].message, "Pod dns-1 cannot be scheduled: 0/1 nodes are available");
  EXPECT_EQ(none.conditions[3].reason, "NotReady");
  EXPECT_EQ(none.conditions[3].message, "Pod dns-2 is not ready yet");
  EXPECT_EQ(none.ready_replicas, 0);
}

TEST(Bind9Status, AReadyPodThatDoesNotServeEveryZoneIsZoneLoadFailed) {
  PodState ok;
  ok.ready = true;
  PodState failed = ok;
  failed.zones_not_served = "Pod dns-1 does not serve 1 of its 3 zones: a.test. (SERVFAIL)";
  InstanceReport r = report_pods("dns", 2, {ok, failed}, 4);
  EXPECT_EQ(r.conditions[0].reason, "PartiallyReady");
  EXPECT_EQ(r.conditions[0].message, "1/2 pods are ready");
  EXPECT_EQ(r.conditions[2].type, "Pod-1");
  EXPECT_EQ(r.conditions[2].status, "False");
  EXPECT_EQ(r.conditions[2].reason, "ZoneLoadFailed");
  EXPECT_EQ(r.conditions[2].message, failed.zones_not_served);
  EXPECT_EQ(r.ready_replicas, 1);
  // A Pod that is not Ready says why that is: its zones are not what is wrong with it.
  PodState crash = failed;
  crash.ready = false;
  crash.waiting_reason = "CrashLoopBackOff";
  crash.waiting_message = "container named: back-off";
  EXPECT_EQ(report_pods("dns", 1, {crash}, 1).conditions[1].reason, "CrashLooping");
}

TEST(Bind9Status, APrimaryWhoseAgentCannotReachTheControlChannelSaysSo) {
  // The kubelet's words: named runs and is ready, the agent runs and its probe fails.
  PodState agent = pod(R"({"metadata":{"name":"p-0"},"status":{"conditions":[{"type":"Ready",
      "status":"False"}],"containerStatuses":[
      {"name":"agent","ready":false,"state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}},
      {"name":"named","ready":true,"state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}})");
  EXPECT_EQ(agent.unready, std::vector<std::string>{"agent"});
  InstanceReport r = report_pods("p", 1, {agent}, 2);
  EXPECT_EQ(r.conditions[0].reason, "NotReady");
  EXPECT_EQ(r.conditions[1].reason, "ControlChannelUnreachable");
  EXPECT_EQ(r.conditions[1].message,
            "Pod p-0: named listens on its port, but its agent cannot reach named's control "
            "channel: zones cannot be added or deleted (`kubectl describe pod p-0` shows the "
            "probe's answer, `kubectl logs p-0 -c agent` the agent's)");
  EXPECT_EQ(r.ready_replicas, 0);

  // named not ready as well: named is the trouble, not its control channel.
  PodState both = pod(R"({"metadata":{"name":"p-0"},"status":{"containerStatuses":[
      {"name":"agent","ready":false,"state":{"running":{}}},
      {"name":"named","ready":false,"state":{"running":{}}}]}})");
  EXPECT_EQ(both.unready, (std::vector<std::string>{"agent", "named"}));
  EXPECT_EQ(report_pods("p", 1, {both}, 2).conditions[1].reason, "NotReady");
  // A container that waits (restarting) is not "running but unready".
  PodState waiting = pod(R"({"metadata":{"name":"p-0"},"status":{"containerStatuses":[
      {"name":"agent","ready":false,"state":{"waiting":{"reason":"ContainerCreating"}}}]}})");
  EXPECT_TRUE(waiting.unready.empty());
  EXPECT_EQ(report_pods("p", 1, {waiting}, 2).conditions[1].reason, "NotReady");
  // Ready Pods: the kubelet says ready for each container.
  PodState fine = pod(R"({"metadata":{"name":"p-0"},"status":{"conditions":[{"type":"Ready",
      "status":"True"}],"containerStatuses":[{"name":"agent","ready":true,"state":{"running":{}}}]}})");
  EXPECT_TRUE(fine.unready.empty());
  EXPECT_EQ(report_pods("p", 1, {fine}, 2).conditions[1].reason, "Ready");
}

}  // namespace
}  // namespace zk::managed
