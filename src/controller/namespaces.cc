// Namespaces as the controller sees them: their labels and allow-lists for DNSZones that take
// records from other namespaces (ObjectCatalog), their preview annotations for the sources
// (SourceCatalog), and a Warning Event for an annotation that is not understood.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/namespace_admission.h"
#include "api/reasons.h"
#include "controller/controller.h"
#include "telemetry/logging.h"

namespace zk::controller {

namespace json = boost::json;

void Controller::put_namespace(const json::value& object) {
  auto meta = api::decode_meta(object);
  if (!meta) return;
  if (auto info = api::decode_namespace(object)) apply(objects_.put_namespace(std::move(*info)));
  if (catalog_.enabled()) {
    enqueue_shared(catalog_.put_namespace(object));
    report_previews();
    report_zoneless_routes();  // allowedRoutes / allowedListeners selectors read its labels
  }
  // Only Namespaces with a problem, now or told before, are remembered here.
  if (namespace_problem(meta->name).empty() && !namespace_problems_.count(meta->name)) return;
  namespace_problems_[meta->name].ref = {"v1",       "Namespace", "",
                                         meta->name, meta->uid,   meta->generation};
  if (running_) report_namespace(meta->name);
}

// The Namespace's annotations that are not understood (preview, allow-records-from).
std::string Controller::namespace_problem(const std::string& name) const {
  std::vector<std::string> problems;
  if (auto p = catalog_.previews().find(name);
      p != catalog_.previews().end() && !p->second.problem.empty()) {
    problems.push_back(p->second.problem);
  }
  const auto& dir = objects_.namespace_directory();
  if (auto d = dir.find(name); d != dir.end() && !d->second.problem.empty()) {
    problems.push_back(d->second.problem);
  }
  return fmt::format("{}", fmt::join(problems, "; "));
}

// An annotation that is not understood: one Warning Event per change of the problem.
void Controller::report_namespace(const std::string& name) {
  auto it = namespace_problems_.find(name);
  if (it == namespace_problems_.end()) return;
  if (!owns(WorkItem::namespace_records(name))) return;  // the replica of its shard tells it
  std::string problem = namespace_problem(name);
  if (problem.empty()) {
    namespace_problems_.erase(it);  // solved: a new problem is told again
    return;
  }
  if (problem == it->second.told) return;
  sink_.event(it->second.ref, true, api::reasons::kInvalid, problem);
  telemetry::log(spdlog::level::warn,
                 {{"object", "Namespace/" + name}, {"reason", std::string(api::reasons::kInvalid)}},
                 problem);
  it->second.told = problem;
}

void Controller::remove_namespace(std::string_view name) {
  apply(objects_.remove_namespace(name));
  namespace_problems_.erase(std::string(name));
  if (!catalog_.enabled()) return;
  enqueue_shared(catalog_.remove_namespace(name));
  report_previews();
  report_zoneless_routes();
}

}  // namespace zk::controller
