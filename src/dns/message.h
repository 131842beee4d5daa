// DNS messages: a small writer for what we send, an ldns-backed reader for what servers send.
//
//   MessageWriter w(id, Opcode::Update);
//   w.question(zone, kTypeSOA);                        // the UPDATE zone section
//   w.rr(Section::Authority, owner, kTypeA, kClassIN, 300, rdata.wire());
//   std::vector<uint8_t> wire = w.finish();
//
//   auto msg = parse_message(response_bytes);          // Result<Message>
//
// We encode ourselves because the model already holds canonical wire RDATA; round-tripping it
// through ldns_rr objects would double the work on the hot path. Owner names below the
// question name are compressed against it (one pointer to offset 12). Parsing — the part
// that faces the network — is ldns' (ldns_wire2pkt), decompression and bounds included.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dns/error.h"
#include "model/name.h"
#include "model/rdata.h"

namespace zk::dns {

enum class Opcode : uint8_t { Query = 0, Notify = 4, Update = 5 };
enum class Section : uint8_t { Question = 0, Answer = 1, Authority = 2, Additional = 3 };

inline constexpr uint16_t kClassIN = 1;
inline constexpr uint16_t kClassNONE = 254;
inline constexpr uint16_t kClassANY = 255;
inline constexpr uint16_t kTypeSOA = 6;
inline constexpr uint16_t kTypeIXFR = 251;
inline constexpr uint16_t kTypeAXFR = 252;
inline constexpr uint16_t kTypeANY = 255;
inline constexpr size_t kMaxMessage = 65535;

class MessageWriter {
 public:
  MessageWriter(uint16_t id, Opcode opcode, bool authoritative = false);

  void question(const model::Name& name, uint16_t type, uint16_t cls = kClassIN);
  // Sections must be written in order (Answer, Authority, Additional).
  void rr(Section section, const model::Name& owner, uint16_t type, uint16_t cls, uint32_t ttl,
          std::span<const uint8_t> rdata);
  // Octets rr() would add for this owner and RDATA length.
  size_t rr_size(const model::Name& owner, size_t rdata_size) const;
  size_t size() const { return buf_.size(); }
  std::vector<uint8_t> finish();

 private:
  void put_owner(const model::Name& owner);
  std::vector<uint8_t> buf_;
  std::optional<model::Name> qname_;
  uint16_t counts_[4] = {0, 0, 0, 0};
  Section current_ = Section::Question;
};

struct Record {
  model::Name owner;
  uint16_t type = 0;
  uint16_t cls = kClassIN;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;  // uncompressed wire form
};

struct Message {
  uint16_t id = 0;
  Opcode opcode = Opcode::Query;
  uint16_t rcode = 0;
  bool qr = false, aa = false, tc = false;
  std::optional<model::Name> qname;
  uint16_t qtype = 0;
  std::vector<Record> answer;
  std::vector<Record> authority;
};

// Parses a complete message (TSIG RR, if any, is skipped). Never throws, never aborts.
Result<Message> parse_message(std::span<const uint8_t> wire);

// Random 16-bit message IDs.
uint16_t next_message_id();

}  // namespace zk::dns
