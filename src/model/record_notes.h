// Who owns a record and what it is for, as people wrote them on the object that declares it
// (the dns.zonekeeper.io/owner and /description annotations): carried into what the backend
// keeps beside the record — the external-dns TXT registry (plan/registry.h) or Technitium's
// record comments. Plain values, no I/O.
#pragma once

#include <string>

namespace zk::model {

struct RecordNotes {
  std::string owner;        // "" when not given
  std::string description;  // "" when not given
  bool empty() const { return owner.empty() && description.empty(); }
  friend bool operator==(const RecordNotes&, const RecordNotes&) = default;
};

}  // namespace zk::model
