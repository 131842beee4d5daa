#include "dns/message.h"

#include "dns/tsig.h"

// ldns' common.h defines true/false as macros unless stdbool.h came first.
#include <ldns/ldns.h>
#include <stdbool.h>

#include <memory>
#include <random>

#include <fmt/format.h>

namespace zk::dns {
namespace {

void put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}

struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct BufDeleter {
  void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};

Result<std::vector<Record>> records(const ldns_rr_list* list, ldns_buffer* buf) {
  std::vector<Record> out;
  if (!list) return out;
  size_t n = ldns_rr_list_rr_count(list);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(list, i);
    const ldns_rdf* owner = ldns_rr_owner(rr);
    if (!owner) return fail(ErrorCode::MalformedResponse, "record without owner");
    auto name = model::Name::from_wire({ldns_rdf_data(owner), ldns_rdf_size(owner)});
    if (!name) return fail(ErrorCode::MalformedResponse, "bad owner name: " + name.error());
    ldns_buffer_clear(buf);
    if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
      return fail(ErrorCode::MalformedResponse, "cannot encode record data");
    }
    Record r{std::move(*name), static_cast<uint16_t>(ldns_rr_get_type(rr)),
             static_cast<uint16_t>(ldns_rr_get_class(rr)), ldns_rr_ttl(rr),
             std::vector<uint8_t>(ldns_buffer_begin(buf),
                                  ldns_buffer_begin(buf) + ldns_buffer_position(buf))};
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

MessageWriter::MessageWriter(uint16_t id, Opcode opcode, bool authoritative) {
  buf_.reserve(512);
  put16(buf_, id);
  uint16_t flags = static_cast<uint16_t>(static_cast<uint16_t>(opcode) << 11);
  if (authoritative) flags |= 0x0400;
  put16(buf_, flags);
  for (int i = 0; i < 4; ++i) put16(buf_, 0);
}

void MessageWriter::question(const model::Name& name, uint16_t type, uint16_t cls) {
  buf_.insert(buf_.end(), name.wire().begin(), name.wire().end());
  put16(buf_, type);
  put16(buf_, cls);
  if (!qname_) qname_ = name;
  ++counts_[0];
}

void MessageWriter::put_owner(const model::Name& owner) {
  if (qname_ && owner.is_subdomain_of(*qname_)) {
    // Labels above the question name, then a pointer to it (it sits at offset 12).
    size_t keep = owner.wire_size() - qname_->wire_size();
    buf_.insert(buf_.end(), owner.wire().begin(),
                owner.wire().begin() + static_cast<std::ptrdiff_t>(keep));
    buf_.push_back(0xC0);
    buf_.push_back(12);
    return;
  }
  buf_.insert(buf_.end(), owner.wire().begin(), owner.wire().end());
}

size_t MessageWriter::rr_size(const model::Name& owner, size_t rdata_size) const {
  size_t owner_size = owner.wire_size();
  if (qname_ && owner.is_subdomain_of(*qname_)) {
    owner_size = owner.wire_size() - qname_->wire_size() + 2;
  }
  return owner_size + 10 + rdata_size;
}

void MessageWriter::rr(Section section, const model::Name& owner, uint16_t type, uint16_t cls,
                       uint32_t ttl, std::span<const uint8_t> rdata) {
  current_ = section;
  put_owner(owner);
  put16(buf_, type);
  put16(buf_, cls);
  put32(buf_, ttl);
  put16(buf_, static_cast<uint16_t>(rdata.size()));
  buf_.insert(buf_.end(), rdata.begin(), rdata.end());
  ++counts_[static_cast<int>(section)];
}

std::vector<uint8_t> MessageWriter::finish() {
  for (int i = 0; i < 4; ++i) {
    buf_[4 + 2 * i] = static_cast<uint8_t>(counts_[i] >> 8);
    buf_[5 + 2 * i] = static_cast<uint8_t>(counts_[i]);
  }
  return std::move(buf_);
}

Result<Message> parse_message(std::span<const uint8_t> wire) {
  if (wire.size() < 12) return fail(ErrorCode::MalformedResponse, "message shorter than a header");
  if (auto problem = meta_record_problem(wire)) {
    return fail(ErrorCode::MalformedResponse, "cannot parse the response: " + *problem);
  }
  ldns_pkt* raw = nullptr;
  ldns_status st = ldns_wire2pkt(&raw, wire.data(), wire.size());
  std::unique_ptr<ldns_pkt, PktDeleter> pkt(raw);
  if (st != LDNS_STATUS_OK || !pkt) {
    return fail(ErrorCode::MalformedResponse,
                fmt::format("cannot parse the response: {}", ldns_get_errorstr_by_id(st)));
  }
  Message m;
  m.id = ldns_pkt_id(pkt.get());
  m.opcode = static_cast<Opcode>(ldns_pkt_get_opcode(pkt.get()));
  m.rcode = ldns_pkt_get_rcode(pkt.get());
  m.qr = ldns_pkt_qr(pkt.get());
  m.aa = ldns_pkt_aa(pkt.get());
  m.tc = ldns_pkt_tc(pkt.get());
  const ldns_rr_list* q = ldns_pkt_question(pkt.get());
  if (q && ldns_rr_list_rr_count(q) > 0) {
    const ldns_rr* qr = ldns_rr_list_rr(q, 0);
    const ldns_rdf* owner = ldns_rr_owner(qr);
    if (owner) {
      auto name = model::Name::from_wire({ldns_rdf_data(owner), ldns_rdf_size(owner)});
      if (name) m.qname = std::move(*name);
    }
    m.qtype = static_cast<uint16_t>(ldns_rr_get_type(qr));
  }
  std::unique_ptr<ldns_buffer, BufDeleter> buf(ldns_buffer_new(512));
  auto an = records(ldns_pkt_answer(pkt.get()), buf.get());
  if (!an) return tl::unexpected(an.error());
  m.answer = std::move(*an);
  auto ns = records(ldns_pkt_authority(pkt.get()), buf.get());
  if (!ns) return tl::unexpected(ns.error());
  m.authority = std::move(*ns);
  return m;
}

uint16_t next_message_id() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<uint16_t>(rng());
}

}  // namespace zk::dns
