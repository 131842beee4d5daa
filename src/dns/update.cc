#include "dns/update.h"

#include <fmt/format.h>

#include "dns/message.h"

namespace zk::dns {
namespace {

using model::Change;

size_t change_size(const MessageWriter& w, const Change& c) {
  size_t n = 0;
  const auto& owner = c.rrset.owner();
  if (c.expect) {
    if (c.expect->empty()) {
      n += w.rr_size(owner, 0);
    } else {
      for (const auto& rd : c.expect->rdatas()) n += w.rr_size(c.expect->owner(), rd.wire_size());
    }
  }
  if (c.op == Change::Op::Replace || c.op == Change::Op::DeleteRRset) n += w.rr_size(owner, 0);
  if (c.op != Change::Op::DeleteRRset) {
    for (const auto& rd : c.rrset.rdatas()) n += w.rr_size(owner, rd.wire_size());
  }
  return n;
}

size_t change_records(const Change& c) {
  size_t n = c.expect ? std::max<size_t>(1, c.expect->size()) : 0;
  if (c.op == Change::Op::Replace || c.op == Change::Op::DeleteRRset) ++n;
  if (c.op != Change::Op::DeleteRRset) n += c.rrset.size();
  return n;
}

void write_prerequisites(MessageWriter& w, const Change& c) {
  if (!c.expect) return;
  auto type = static_cast<uint16_t>(c.expect->type());
  if (c.expect->empty()) {
    w.rr(Section::Answer, c.expect->owner(), type, kClassNONE, 0, {});
    return;
  }
  for (const auto& rd : c.expect->rdatas()) {
    w.rr(Section::Answer, c.expect->owner(), type, kClassIN, 0, rd.wire());
  }
}

void write_update(MessageWriter& w, const Change& c) {
  const auto& s = c.rrset;
  auto type = static_cast<uint16_t>(s.type());
  switch (c.op) {
    case Change::Op::Replace:
      w.rr(Section::Authority, s.owner(), type, kClassANY, 0, {});
      for (const auto& rd : s.rdatas())
        w.rr(Section::Authority, s.owner(), type, kClassIN, s.ttl(), rd.wire());
      break;
    case Change::Op::Add:
      for (const auto& rd : s.rdatas())
        w.rr(Section::Authority, s.owner(), type, kClassIN, s.ttl(), rd.wire());
      break;
    case Change::Op::Remove:
      for (const auto& rd : s.rdatas())
        w.rr(Section::Authority, s.owner(), type, kClassNONE, 0, rd.wire());
      break;
    case Change::Op::DeleteRRset:
      w.rr(Section::Authority, s.owner(), type, kClassANY, 0, {});
      break;
  }
}

}  // namespace

Result<std::vector<UpdateMessage>> pack_update(const model::ChangeSet& cs,
                                               const PackOptions& options) {
  std::vector<UpdateMessage> out;
  for (size_t i = 0; i < cs.changes.size(); ++i) {
    const auto& c = cs.changes[i];
    if (!c.rrset.owner().is_subdomain_of(cs.zone)) {
      return fail(
          ErrorCode::NotZone,
          fmt::format("{} is outside zone {}", c.rrset.owner().to_string(), cs.zone.to_string()));
    }
    if (c.op == Change::Op::Replace && c.rrset.type() == model::RRType::SOA) {
      return fail(ErrorCode::InvalidArgument,
                  "the SOA record belongs to the server; it is not replaced");
    }
  }

  size_t i = 0;
  while (i < cs.changes.size()) {
    MessageWriter probe(0, Opcode::Update);
    probe.question(cs.zone, kTypeSOA);
    size_t used = probe.size();
    size_t records = 0;
    size_t j = i;
    while (j < cs.changes.size()) {
      size_t sz = change_size(probe, cs.changes[j]);
      size_t nrec = change_records(cs.changes[j]);
      bool fits = used + sz <= options.max_bytes &&
                  (options.max_records == 0 || records + nrec <= options.max_records || j == i);
      if (!fits) break;
      used += sz;
      records += nrec;
      ++j;
    }
    if (j == i) {
      const auto& c = cs.changes[i];
      return fail(ErrorCode::MessageTooLarge,
                  fmt::format("the change to {} {} needs {} octets; one UPDATE message holds {}",
                              c.rrset.owner().to_string(), model::to_string(c.rrset.type()),
                              change_size(probe, c) + probe.size(), options.max_bytes));
    }
    MessageWriter w(0, Opcode::Update);
    w.question(cs.zone, kTypeSOA);
    for (size_t k = i; k < j; ++k) write_prerequisites(w, cs.changes[k]);
    for (size_t k = i; k < j; ++k) write_update(w, cs.changes[k]);
    out.push_back(UpdateMessage{w.finish(), i, j - i});
    i = j;
  }
  return out;
}

}  // namespace zk::dns
