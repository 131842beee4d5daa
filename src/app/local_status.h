// The StatusSink of local mode: statuses stay in memory (there is no API server to write them
// to) and are shown to the person running `zonekeeper local`: a compact live table on a
// terminal, one log line per change otherwise.
//
//   LocalStatus status({.table = isatty(1)}, [&](const ObjectRef& r) { return describe(r); });
//   Controller controller(ex, options, status, metrics);     // the controller calls status.*
//   status.set_problems({"dns/bad.yaml:3: YAML: ..."});      // documents that were skipped
//   status.served_records();                                 // Ready=True records (hosts file)
//   std::string t = status.render_table();                   // what the terminal shows
//
// on_change() is called after every change that alters what is shown (the wiring redraws the
// table, throttled, and rewrites the hosts file).
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controller/controller.h"

namespace zk::app {

// What local mode knows about an object beyond its status.
struct ObjectInfo {
  std::string type;      // "A", "MX", … ("" for zones and servers)
  std::string value;     // the record data as a short text ("192.0.2.10 192.0.2.11")
  std::string location;  // "file:line"
};

struct LocalStatusOptions {
  bool table = false;  // true: render_table() on change; false: log lines
};

class LocalStatus : public controller::StatusSink {
 public:
  using Describe = std::function<ObjectInfo(const controller::ObjectRef&)>;
  LocalStatus(LocalStatusOptions options, Describe describe);

  void record_status(const controller::RecordStatus& s) override;
  void zone_status(const controller::ZoneStatus& s) override;
  void server_status(const controller::ServerStatus& s) override;
  void event(const controller::ObjectRef& ref, bool warning, std::string_view reason,
             std::string note) override;
  void forget(const controller::ObjectRef& ref) override;

  // Skipped documents and other problems of the folder (shown under the table; logged once).
  void set_problems(std::vector<std::string> problems);
  void set_header(std::string header) { header_ = std::move(header); }
  void on_change(std::function<void()> f) { on_change_ = std::move(f); }

  std::vector<controller::RecordStatus> served_records() const;
  size_t records_served() const;
  size_t records_not_served() const;
  const std::map<std::string, controller::RecordStatus>& records() const { return records_; }
  const std::map<std::string, controller::ZoneStatus>& zones() const { return zones_; }

  // The table: a header line, one row per record (zone, name, type, value, status or
  // reason: message), the zones, then the problems. `width` bounds each line (0: unbounded).
  std::string render_table(size_t width = 0) const;

 private:
  void changed();

  LocalStatusOptions options_;
  Describe describe_;
  std::map<std::string, controller::RecordStatus> records_;  // by ref key
  std::map<std::string, controller::ZoneStatus> zones_;
  std::map<std::string, controller::ServerStatus> servers_;
  std::vector<std::string> problems_;
  std::string header_;
  std::function<void()> on_change_;
};

}  // namespace zk::app
