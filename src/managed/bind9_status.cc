#include "managed/bind9_status.h"

#include <fmt/format.h>
#include <boost/json.hpp>

namespace zk::managed {

namespace json = boost::json;

namespace {

const json::value* at(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  const json::object& o = v.get_object();
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

std::string text(const json::value* v) {
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The first container (init containers first) that waits or last ended in an error.
void read_waiting(const json::value* statuses, PodState& out) {
  if (!statuses || !statuses->is_array() || !out.waiting_reason.empty()) return;
  for (const json::value& cs : statuses->get_array()) {
    const json::value* state = at(cs, "state");
    if (const json::value* waiting = state ? at(*state, "waiting") : nullptr) {
      out.waiting_reason = text(at(*waiting, "reason"));
      out.waiting_message = text(at(*waiting, "message"));
      if (!out.waiting_reason.empty()) {
        out.waiting_message =
            fmt::format("container {}: {}", text(at(cs, "name")),
                        out.waiting_message.empty() ? out.waiting_reason : out.waiting_message);
        return;
      }
    }
  }
}

// The containers that run but are not ready: their readiness probe fails.
void read_unready(const json::value* statuses, PodState& out) {
  if (!statuses || !statuses->is_array()) return;
  for (const json::value& cs : statuses->get_array()) {
    const json::value* state = at(cs, "state");
    const json::value* ready = at(cs, "ready");
    if (state && at(*state, "running") && ready && ready->is_bool() && !ready->get_bool()) {
      out.unready.push_back(text(at(cs, "name")));
    }
  }
}

}  // namespace

api::Condition condition(std::string type, bool ok, std::string reason, std::string message,
                         int64_t generation) {
  return api::Condition{std::move(type),   ok ? "True" : "False",
                        std::move(reason), std::move(message),
                        generation,        ""};
}

api::Condition ready_over(int32_t ready, int32_t total, std::string_view children,
                          int64_t generation) {
  // Seed 004's formats.
  if (ready == total) {
    return condition("Ready", true, "AllReady", fmt::format("All {} {} are ready", total, children),
                     generation);
  }
  if (ready == 0) {
    return condition("Ready", false, "NotReady", fmt::format("No {} are ready", children),
                     generation);
  }
  return condition("Ready", false, "PartiallyReady",
                   fmt::format("{}/{} {} are ready", ready, total, children), generation);
}

PodState read_pod(const json::value& pod) {
  PodState out;
  const json::value* meta = at(pod, "metadata");
  out.name = text(meta ? at(*meta, "name") : nullptr);
  out.uid = text(meta ? at(*meta, "uid") : nullptr);
  out.deleting = meta && at(*meta, "deletionTimestamp") != nullptr;
  if (const json::value* a = meta ? at(*meta, "annotations") : nullptr; a && a->is_object()) {
    for (const auto& [k, v] : a->get_object()) {
      if (v.is_string()) out.annotations.emplace(std::string(k), std::string(v.get_string()));
    }
  }
  const json::value* status = at(pod, "status");
  if (!status) return out;
  out.ip = text(at(*status, "podIP"));
  if (const json::value* conds = at(*status, "conditions"); conds && conds->is_array()) {
    for (const json::value& c : conds->get_array()) {
      const std::string type = text(at(c, "type"));
      const std::string st = text(at(c, "status"));
      if (type == "Ready") out.ready = st == "True";
      if (type == "PodScheduled" && st == "False" && text(at(c, "reason")) == "Unschedulable") {
        out.unschedulable = text(at(c, "message"));
      }
    }
  }
  read_waiting(at(*status, "initContainerStatuses"), out);
  read_waiting(at(*status, "containerStatuses"), out);
  read_unready(at(*status, "containerStatuses"), out);
  if (out.deleting) out.ready = false;
  return out;
}

json::object keys_status(const std::string& primary_instance, const KeyRing& ring,
                         const std::string& waiting_for) {
  json::array names;
  for (const std::string& n : tsig_key_names(primary_instance, ring)) names.emplace_back(n);
  json::object out{{"names", std::move(names)}, {"phase", phase_name(ring.phase)}};
  if (!ring.rotation.empty()) out["rotation"] = ring.rotation;
  if (!waiting_for.empty()) out["waitingFor"] = waiting_for;
  return out;
}

std::vector<std::string> published_key_names(const json::value& instance) {
  std::vector<std::string> out;
  const json::value* status = at(instance, "status");
  const json::value* keys = status ? at(*status, "keys") : nullptr;
  const json::value* names = keys ? at(*keys, "names") : nullptr;
  if (!names || !names->is_array()) return out;
  for (const json::value& n : names->get_array()) {
    if (n.is_string() && !n.get_string().empty()) out.emplace_back(n.get_string());
  }
  const std::optional<RotationPhase> phase = parse_phase(text(at(*keys, "phase")));
  return secondary_key_names(std::move(out), phase.value_or(RotationPhase::Done));
}

InstanceReport report_pods(const std::string& statefulset, int32_t replicas,
                           const std::vector<std::optional<PodState>>& pods, int64_t generation) {
  InstanceReport out;
  std::vector<api::Condition> per_pod;
  for (int32_t i = 0; i < replicas; ++i) {
    const std::string type = fmt::format("Pod-{}", i);
    const std::string name = fmt::format("{}-{}", statefulset, i);
    const std::optional<PodState>* p = static_cast<size_t>(i) < pods.size() ? &pods[i] : nullptr;
    if (!p || !*p) {
      per_pod.push_back(condition(type, false, "PodMissing",
                                  fmt::format("Pod {} does not exist yet", name), generation));
      continue;
    }
    const PodState& pod = **p;
    if (pod.ready && !pod.zones_not_served.empty()) {
      per_pod.push_back(condition(type, false, "ZoneLoadFailed", pod.zones_not_served, generation));
    } else if (pod.ready) {
      ++out.ready_replicas;
      per_pod.push_back(
          condition(type, true, "Ready", fmt::format("Pod {} is ready", name), generation));
    } else if (pod.unschedulable) {
      per_pod.push_back(condition(
          type, false, "Unschedulable",
          fmt::format("Pod {} cannot be scheduled: {}", name, *pod.unschedulable), generation));
    } else if (pod.waiting_reason == "ErrImagePull" || pod.waiting_reason == "ImagePullBackOff" ||
               pod.waiting_reason == "InvalidImageName" ||
               pod.waiting_reason == "ErrImageNeverPull") {
      per_pod.push_back(condition(type, false, "ImagePullFailed",
                                  fmt::format("Pod {}: {}", name, pod.waiting_message),
                                  generation));
    } else if (pod.waiting_reason == "CrashLoopBackOff") {
      per_pod.push_back(condition(type, false, "CrashLooping",
                                  fmt::format("Pod {}: {}", name, pod.waiting_message),
                                  generation));
    } else if (pod.waiting_reason.empty() && !pod.deleting &&
               pod.unready == std::vector<std::string>{"agent"}) {
      // named runs and answers on its port; its agent's probe (`bind9-agent --probe`) fails.
      per_pod.push_back(condition(
          type, false, "ControlChannelUnreachable",
          fmt::format("Pod {}: named listens on its port, but its agent cannot reach named's "
                      "control channel: zones cannot be added or deleted (`kubectl describe pod "
                      "{}` shows the probe's answer, `kubectl logs {} -c agent` the agent's)",
                      name, name, name),
          generation));
    } else {
      per_pod.push_back(
          condition(type, false, "NotReady",
                    pod.deleting ? fmt::format("Pod {} is being deleted", name)
                    : pod.waiting_reason.empty()
                        ? fmt::format("Pod {} is not ready yet", name)
                        : fmt::format("Pod {} is not ready: {}", name, pod.waiting_message),
                    generation));
    }
  }
  out.conditions.push_back(ready_over(out.ready_replicas, replicas, "pods", generation));
  for (auto& c : per_pod) out.conditions.push_back(std::move(c));
  return out;
}

}  // namespace zk::managed
