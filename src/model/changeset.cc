#include "model/changeset.h"

namespace zk::model {

std::string to_string(Change::Op op) {
  switch (op) {
    case Change::Op::Replace:
      return "replace";
    case Change::Op::Add:
      return "add";
    case Change::Op::Remove:
      return "remove";
    case Change::Op::DeleteRRset:
      return "delete";
  }
  return "?";
}

size_t ChangeSet::record_count() const {
  size_t n = 0;
  for (const auto& c : changes) n += c.rrset.size();
  return n;
}

}  // namespace zk::model
