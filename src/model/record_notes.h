// Who owns a record and what it is for, as people wrote them on the object that declares it
// (the dns.zonekeeper.io/owner and /description annotations): carried into what the backend
// keeps beside the record — the external-dns TXT registry (plan/registry.h) or Technitium's
// record comments. Plain values, no I/O.
#pragma once

#include <string>
#include <string_view>

namespace zk::model {

struct RecordNotes {
  std::string owner;        // "" when not given
  std::string description;  // "" when not given
  bool empty() const { return owner.empty() && description.empty(); }
  friend bool operator==(const RecordNotes&, const RecordNotes&) = default;
};

// `value` with each octet `escape` returns non-empty for replaced by that text, cut to at most
// `limit` octets between characters: never inside an escape nor inside a UTF-8 sequence (a
// lead octet with its continuation octets; a stray octet counts alone). The one cutting rule
// of every backend's note encoding.
std::string escape_and_cut(std::string_view value, size_t limit,
                           std::string (*escape)(unsigned char));

}  // namespace zk::model
