#include "dns/client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "dns/deadline.h"
#include "dns/message.h"
#include "dns/update.h"

namespace zk::dns {

using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using namespace asio::experimental::awaitable_operators;
using boost::system::error_code;
using detail::with_deadline;
using model::Name;
using model::RRType;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

uint64_t now_seconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Error socket_error(const error_code& ec, const ServerAddress& s, std::string_view what) {
  Error e;
  if (ec == asio::error::connection_refused) {
    e.code = ErrorCode::ConnectionRefused;
    e.message = fmt::format("{}: connection refused by {}", what, s.to_string());
  } else if (ec == asio::error::operation_aborted) {
    e.code = ErrorCode::Cancelled;
    e.message = fmt::format("{}: cancelled", what);
  } else {
    e.code = ErrorCode::Network;
    e.message = fmt::format("{}: {} ({})", what, ec.message(), s.to_string());
  }
  return e;
}

void set_id(std::vector<uint8_t>& wire, uint16_t id) {
  wire[0] = static_cast<uint8_t>(id >> 8);
  wire[1] = static_cast<uint8_t>(id);
}

// Checks that a response answers our request (ID, QR, opcode) and maps its RCODE.
Result<Message> check_response(std::span<const uint8_t> wire, uint16_t id, Opcode opcode,
                               std::string_view what) {
  auto m = parse_message(wire);
  if (!m) return m;
  if (m->id != id || !m->qr) {
    return fail(ErrorCode::MalformedResponse,
                fmt::format("{}: response does not match the query", what));
  }
  if (m->opcode != opcode) {
    return fail(ErrorCode::MalformedResponse, fmt::format("{}: response has another opcode", what));
  }
  if (m->rcode != 0) {
    Error e{error_for_rcode(m->rcode),
            fmt::format("{}: the server answered {}", what, rcode_name(m->rcode)), m->rcode};
    return tl::unexpected(std::move(e));
  }
  return m;
}

Result<ZoneRecord> to_zone_record(const Record& r) {
  auto rd = model::Rdata::from_wire(static_cast<RRType>(r.type), r.rdata);
  if (!rd) return fail(ErrorCode::MalformedResponse, rd.error());
  return ZoneRecord{r.owner, static_cast<RRType>(r.type), r.ttl, std::move(*rd)};
}

void add_record(model::RRsetMap& zone, ZoneRecord rec) {
  model::RRsetKey key{rec.owner, rec.type};
  auto it = zone.find(key);
  if (it == zone.end()) {
    it = zone.emplace(key, model::RRset(rec.owner, rec.type, rec.ttl)).first;
  }
  it->second.set_ttl(rec.ttl);
  it->second.add(std::move(rec.rdata));
}

// Builds a zone map from a transfer. Servers send RRsets together and mostly in canonical
// order, so the previous RRset and the map's end are tried before a full lookup.
void build_zone(model::RRsetMap& zone, std::vector<ZoneRecord>& records) {
  model::RRset* last = nullptr;
  for (auto& rec : records) {
    if (last && last->type() == rec.type && last->owner() == rec.owner) {
      last->set_ttl(rec.ttl);
      last->add(std::move(rec.rdata));
      continue;
    }
    model::RRsetKey key{rec.owner, rec.type};
    if (zone.empty() || std::prev(zone.end())->first < key) {
      auto it = zone.emplace_hint(zone.end(), key, model::RRset(rec.owner, rec.type, rec.ttl));
      it->second.add(std::move(rec.rdata));
      last = &it->second;
      continue;
    }
    add_record(zone, std::move(rec));
    last = &zone.find(key)->second;
  }
}

void remove_record(model::RRsetMap& zone, const ZoneRecord& rec) {
  auto it = zone.find(model::RRsetKey{rec.owner, rec.type});
  if (it == zone.end()) return;
  std::vector<model::Rdata> keep;
  for (const auto& rd : it->second.rdatas()) {
    if (!(rd == rec.rdata)) keep.push_back(rd);
  }
  if (keep.empty()) {
    zone.erase(it);
  } else {
    it->second = model::RRset(rec.owner, rec.type, it->second.ttl(), std::move(keep));
  }
}

// A zone snapshot from a transfer in AXFR form: SOA first, records, SOA last.
Result<ZoneSnapshot> snapshot_of(const Name& zone, std::vector<ZoneRecord>& recs, size_t messages) {
  if (recs.size() < 2) return fail(ErrorCode::MalformedResponse, "zone transfer too short");
  ZoneSnapshot snap;
  snap.zone = zone;
  snap.serial = *recs.front().rdata.soa_serial();
  snap.messages = messages;
  recs.pop_back();  // the closing SOA
  snap.records = recs.size();
  build_zone(snap.rrsets, recs);
  return snap;
}

}  // namespace

std::string ServerAddress::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

tl::expected<ServerAddress, std::string> ServerAddress::parse(std::string_view text) {
  ServerAddress a;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return tl::unexpected(fmt::format("bad server \"{}\"", text));
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return tl::unexpected(fmt::format("bad server \"{}\"", text));
      port = text.substr(close + 2);
    }
  } else if (auto colon = text.rfind(':');
             colon != std::string_view::npos && text.find(':') == colon) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return tl::unexpected(fmt::format("server \"{}\" has no host", text));
  a.host = std::string(host);
  if (!port.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) {
      return tl::unexpected(fmt::format("server \"{}\": port must be 1..65535", text));
    }
    a.port = static_cast<uint16_t>(v);
  }
  return a;
}

void apply_ixfr(model::RRsetMap& zone, const IxfrResult& result) {
  if (result.full) {
    zone = result.full->rrsets;
    return;
  }
  for (const auto& d : result.diffs) {
    for (const auto& r : d.deleted) remove_record(zone, r);
    for (const auto& r : d.added) add_record(zone, r);
  }
}

struct Client::Impl {
  asio::any_io_executor ex;
  ServerAddress server;
  ClientOptions opts;
  std::vector<tcp::socket> idle;  // UPDATE connections ready for reuse

  asio::awaitable<Result<std::vector<tcp::endpoint>>> endpoints() {
    error_code ec;
    auto addr = asio::ip::make_address(server.host, ec);
    if (!ec) co_return std::vector<tcp::endpoint>{tcp::endpoint(addr, server.port)};
    tcp::resolver resolver(ex);
    auto [rec, results] =
        co_await resolver.async_resolve(server.host, std::to_string(server.port), use_tuple);
    if (rec) co_return tl::unexpected(socket_error(rec, server, "resolve"));
    std::vector<tcp::endpoint> out;
    for (const auto& r : results) out.push_back(r.endpoint());
    co_return out;
  }

  asio::awaitable<Result<tcp::socket>> connect() {
    auto eps = co_await endpoints();
    if (!eps) co_return tl::unexpected(eps.error());
    tcp::socket s(ex);
    auto [ec, ep] = co_await asio::async_connect(s, *eps, use_tuple);
    if (ec) co_return tl::unexpected(socket_error(ec, server, "connect"));
    s.set_option(tcp::no_delay(true), ec);
    co_return std::move(s);
  }

  static asio::awaitable<error_code> send(tcp::socket& s, const std::vector<uint8_t>& wire) {
    std::array<uint8_t, 2> len = {static_cast<uint8_t>(wire.size() >> 8),
                                  static_cast<uint8_t>(wire.size())};
    std::array<asio::const_buffer, 2> bufs = {asio::buffer(len), asio::buffer(wire)};
    auto [ec, n] = co_await asio::async_write(s, bufs, use_tuple);
    co_return ec;
  }

  static asio::awaitable<error_code> receive(tcp::socket& s, std::vector<uint8_t>& out) {
    std::array<uint8_t, 2> len{};
    auto [ec, n] = co_await asio::async_read(s, asio::buffer(len), use_tuple);
    if (ec) co_return ec;
    out.resize(static_cast<size_t>(len[0]) << 8 | len[1]);
    auto [ec2, n2] = co_await asio::async_read(s, asio::buffer(out), use_tuple);
    co_return ec2;
  }

  // Signs (when keyed) and returns the session that verifies the answers.
  std::optional<TsigSession> sign(std::vector<uint8_t>& wire) {
    if (!opts.key) return std::nullopt;
    TsigSession session(*opts.key);
    session.sign(wire, now_seconds());
    return session;
  }

  Result<void> verify(std::optional<TsigSession>& session, std::span<const uint8_t> response,
                      std::string_view what) {
    if (!session) return {};
    auto ok = session->verify(response, now_seconds());
    if (!ok) {
      ok.error().message = fmt::format("{}: {}", what, ok.error().message);
      // A TSIG error comes with an RCODE (NOTAUTH); keep it for the caller.
      if (response.size() >= 4) ok.error().rcode = response[3] & 0x0F;
    }
    return ok;
  }

  // One request/response over TCP on `s`.
  asio::awaitable<Result<Message>> exchange_tcp(tcp::socket& s, std::vector<uint8_t> wire,
                                                Opcode opcode, std::string_view what) {
    uint16_t id = next_message_id();
    set_id(wire, id);
    auto session = sign(wire);
    if (auto ec = co_await send(s, wire)) co_return tl::unexpected(socket_error(ec, server, what));
    std::vector<uint8_t> resp;
    if (auto ec = co_await receive(s, resp)) {
      co_return tl::unexpected(socket_error(ec, server, what));
    }
    if (auto v = verify(session, resp, what); !v) co_return tl::unexpected(v.error());
    co_return check_response(resp, id, opcode, what);
  }

  asio::awaitable<Result<UpdateReport>> apply(const model::ChangeSet& cs) {
    size_t budget = kMaxMessage - (opts.key ? opts.key->tsig_rr_size() : 0);
    auto msgs = pack_update(cs, {budget, opts.max_records_per_message});
    if (!msgs) co_return tl::unexpected(msgs.error());
    UpdateReport report;
    if (msgs->empty()) co_return report;

    std::optional<tcp::socket> sock;
    bool reused = false;
    if (!idle.empty()) {
      sock.emplace(std::move(idle.back()));
      idle.pop_back();
      reused = true;
    }
    const std::string what = fmt::format("UPDATE {}", cs.zone.to_string());
    for (auto& m : *msgs) {
      if (!sock) {
        auto s = co_await connect();
        if (!s) {
          s.error().changes_applied = report.changes;
          co_return tl::unexpected(s.error());
        }
        sock.emplace(std::move(*s));
        reused = false;
      }
      auto r = co_await exchange_tcp(*sock, m.wire, Opcode::Update, what);
      if (!r && reused &&
          (r.error().code == ErrorCode::Network ||
           r.error().code == ErrorCode::ConnectionRefused)) {
        // The pooled connection went stale (the server closed it while idle): once more on a
        // fresh one. UPDATE replays are safe: each change is idempotent or guarded.
        sock.reset();
        auto s = co_await connect();
        if (!s) {
          s.error().changes_applied = report.changes;
          co_return tl::unexpected(s.error());
        }
        sock.emplace(std::move(*s));
        r = co_await exchange_tcp(*sock, m.wire, Opcode::Update, what);
      }
      reused = false;
      if (!r) {
        r.error().changes_applied = report.changes;
        co_return tl::unexpected(r.error());
      }
      ++report.messages;
      report.changes += m.change_count;
      for (size_t k = m.first_change; k < m.first_change + m.change_count; ++k) {
        report.records += cs.changes[k].rrset.size();
      }
    }
    if (sock && idle.size() < 4) idle.push_back(std::move(*sock));
    co_return report;
  }

  // Reads a zone transfer (AXFR, or IXFR answered in either form) into `on_record`.
  asio::awaitable<Result<std::vector<ZoneRecord>>> transfer(const Name& zone, uint16_t qtype,
                                                            std::optional<uint32_t> since,
                                                            size_t* messages) {
    const std::string what =
        fmt::format("{} {}", qtype == kTypeAXFR ? "AXFR" : "IXFR", zone.to_string());
    auto s = co_await connect();
    if (!s) co_return tl::unexpected(s.error());
    MessageWriter w(0, Opcode::Query);
    w.question(zone, qtype);
    if (since) {
      auto soa = model::Rdata::soa(Name(), Name(), *since, 0, 0, 0, 0);
      w.rr(Section::Authority, zone, kTypeSOA, kClassIN, 0, soa.wire());
    }
    auto wire = w.finish();
    uint16_t id = next_message_id();
    set_id(wire, id);
    auto session = sign(wire);
    if (auto ec = co_await send(*s, wire)) co_return tl::unexpected(socket_error(ec, server, what));

    std::vector<ZoneRecord> out;
    std::optional<uint32_t> final_serial;
    size_t soa_seen = 0;
    bool incremental = false, done = false;
    std::vector<uint8_t> resp;
    while (!done) {
      if (auto ec = co_await receive(*s, resp)) {
        if (ec == asio::error::eof) {
          co_return fail(ErrorCode::MalformedResponse,
                         fmt::format("{}: the server closed the connection mid-transfer", what));
        }
        co_return tl::unexpected(socket_error(ec, server, what));
      }
      ++*messages;
      if (auto v = verify(session, resp, what); !v) co_return tl::unexpected(v.error());
      auto m = check_response(resp, id, Opcode::Query, what);
      if (!m) co_return tl::unexpected(m.error());
      if (m->answer.empty()) {
        co_return fail(ErrorCode::MalformedResponse, fmt::format("{}: empty answer", what));
      }
      for (const auto& r : m->answer) {
        if (done) {
          co_return fail(ErrorCode::MalformedResponse,
                         fmt::format("{}: records after the final SOA", what));
        }
        auto rec = to_zone_record(r);
        if (!rec) co_return tl::unexpected(rec.error());
        if (!rec->owner.is_subdomain_of(zone)) {
          co_return fail(ErrorCode::MalformedResponse, fmt::format("{}: record {} outside the zone",
                                                                   what, rec->owner.to_string()));
        }
        bool is_soa = rec->type == RRType::SOA && rec->owner == zone;
        if (out.empty()) {
          if (!is_soa) {
            co_return fail(ErrorCode::MalformedResponse,
                           fmt::format("{}: does not start with the SOA", what));
          }
          final_serial = rec->rdata.soa_serial();
          ++soa_seen;
          out.push_back(std::move(*rec));
          // IXFR "up to date" (RFC 1995 §2): a lone SOA whose serial is not newer than ours.
          if (since && m->answer.size() == 1 && static_cast<int32_t>(*final_serial - *since) <= 0) {
            done = true;
          }
          continue;
        }
        if (out.size() == 1 && since && is_soa && rec->rdata.soa_serial() != final_serial) {
          incremental = true;
        }
        if (is_soa) {
          ++soa_seen;
          // AXFR form ends at the second SOA. In IXFR form SOAs alternate: even ones open a
          // deletion sequence, odd ones an addition sequence; the end is the final serial's SOA
          // standing where a deletion sequence would open.
          if (!incremental || (rec->rdata.soa_serial() == final_serial && soa_seen % 2 == 0)) {
            done = true;
          }
        }
        out.push_back(std::move(*rec));
      }
    }
    if (session) {
      if (auto f = session->finish(); !f) co_return tl::unexpected(f.error());
    }
    co_return out;
  }

  // UDP exchange with retransmission; falls back to TCP when the answer is truncated.
  asio::awaitable<Result<Message>> exchange_udp(std::vector<uint8_t> wire, Opcode opcode,
                                                std::string_view what) {
    error_code ec;
    auto addr = asio::ip::make_address(server.host, ec);
    if (ec) {
      // Names go over TCP, which resolves them.
      auto s = co_await connect();
      if (!s) co_return tl::unexpected(s.error());
      co_return co_await exchange_tcp(*s, std::move(wire), opcode, what);
    }
    uint16_t id = next_message_id();
    set_id(wire, id);
    auto signed_wire = wire;
    auto session = sign(signed_wire);
    udp::socket sock(ex, addr.is_v6() ? udp::v6() : udp::v4());
    sock.connect(udp::endpoint(addr, server.port), ec);
    if (ec) co_return tl::unexpected(socket_error(ec, server, what));
    std::vector<uint8_t> buf(65535);
    asio::steady_timer retry(ex);
    for (int attempt = 0;; ++attempt) {
      auto [sec, sn] = co_await sock.async_send(asio::buffer(signed_wire), use_tuple);
      if (sec) co_return tl::unexpected(socket_error(sec, server, what));
      retry.expires_after(std::chrono::milliseconds(250 << std::min(attempt, 4)));
      bool resend = false;
      while (!resend) {
        auto r = co_await (sock.async_receive(asio::buffer(buf), use_tuple) ||
                           retry.async_wait(use_tuple));
        if (r.index() == 1) {
          resend = true;
          break;
        }
        auto [rec, n] = std::get<0>(r);
        if (rec) co_return tl::unexpected(socket_error(rec, server, what));
        std::span<const uint8_t> resp(buf.data(), n);
        if (n < 12 || (resp[0] << 8 | resp[1]) != id) continue;  // not ours: keep waiting
        if (resp[2] & 0x02) {                                    // TC: retry over TCP
          auto s = co_await connect();
          if (!s) co_return tl::unexpected(s.error());
          co_return co_await exchange_tcp(*s, std::move(wire), opcode, what);
        }
        if (auto v = verify(session, resp, what); !v) co_return tl::unexpected(v.error());
        co_return check_response(resp, id, opcode, what);
      }
    }
  }
};

Client::Client(asio::any_io_executor executor, ServerAddress server, ClientOptions options)
    : impl_(std::make_unique<Impl>(
          Impl{std::move(executor), std::move(server), std::move(options), {}})) {}

Client::~Client() = default;

const ServerAddress& Client::server() const {
  return impl_->server;
}

asio::awaitable<Result<UpdateReport>> Client::apply(const model::ChangeSet& changes) {
  co_return co_await with_deadline(
      impl_->apply(changes), impl_->opts.timeout,
      fmt::format("UPDATE {} at {}", changes.zone.to_string(), impl_->server.to_string()));
}

asio::awaitable<Result<ZoneSnapshot>> Client::axfr(const Name& zone) {
  auto op = [](Impl* impl, Name zone) -> asio::awaitable<Result<ZoneSnapshot>> {
    size_t messages = 0;
    auto recs = co_await impl->transfer(zone, kTypeAXFR, std::nullopt, &messages);
    if (!recs) co_return tl::unexpected(recs.error());
    co_return snapshot_of(zone, *recs, messages);
  };
  co_return co_await with_deadline(
      op(impl_.get(), zone), impl_->opts.timeout,
      fmt::format("AXFR {} from {}", zone.to_string(), impl_->server.to_string()));
}

asio::awaitable<Result<IxfrResult>> Client::ixfr(const Name& zone, uint32_t since_serial) {
  auto op = [](Impl* impl, Name zone, uint32_t since) -> asio::awaitable<Result<IxfrResult>> {
    size_t messages = 0;
    auto recs = co_await impl->transfer(zone, kTypeIXFR, since, &messages);
    if (!recs && (recs.error().code == ErrorCode::NotImplemented ||
                  recs.error().code == ErrorCode::FormErr)) {
      // A server without IXFR (RFC 1995 §4): fall back to a full transfer.
      messages = 0;
      recs = co_await impl->transfer(zone, kTypeAXFR, std::nullopt, &messages);
      if (!recs) co_return tl::unexpected(recs.error());
      auto snap = snapshot_of(zone, *recs, messages);
      if (!snap) co_return tl::unexpected(snap.error());
      IxfrResult res;
      res.serial = snap->serial;
      res.full = std::move(*snap);
      co_return res;
    }
    if (!recs) co_return tl::unexpected(recs.error());
    IxfrResult res;
    res.serial = *recs->front().rdata.soa_serial();
    if (recs->size() == 1) {
      res.up_to_date = true;
      co_return res;
    }
    bool incremental = (*recs)[1].type == RRType::SOA && (*recs)[1].owner == zone &&
                       (*recs)[1].rdata.soa_serial() != res.serial;
    if (!incremental) {
      auto snap = snapshot_of(zone, *recs, messages);
      if (!snap) co_return tl::unexpected(snap.error());
      res.full = std::move(*snap);
      co_return res;
    }
    // SOA(new) [SOA(old) deletions... SOA(next) additions...]* SOA(new)
    enum class Phase { None, Deleting, Adding } phase = Phase::None;
    IxfrDiff cur;
    for (size_t i = 1; i + 1 < recs->size(); ++i) {
      auto& r = (*recs)[i];
      if (r.type == RRType::SOA && r.owner == zone) {
        if (phase == Phase::Deleting) {
          cur.to_serial = *r.rdata.soa_serial();
          phase = Phase::Adding;
        } else {
          if (phase == Phase::Adding) res.diffs.push_back(std::move(cur));
          cur = IxfrDiff{};
          cur.from_serial = *r.rdata.soa_serial();
          phase = Phase::Deleting;
        }
        continue;
      }
      if (phase == Phase::None) {
        co_return fail(ErrorCode::MalformedResponse, "IXFR: record before the first difference");
      }
      (phase == Phase::Adding ? cur.added : cur.deleted).push_back(std::move(r));
    }
    if (phase != Phase::Adding) {
      co_return fail(ErrorCode::MalformedResponse, "IXFR: incomplete difference sequence");
    }
    res.diffs.push_back(std::move(cur));
    co_return res;
  };
  co_return co_await with_deadline(
      op(impl_.get(), zone, since_serial), impl_->opts.timeout,
      fmt::format("IXFR {} from {}", zone.to_string(), impl_->server.to_string()));
}

asio::awaitable<Result<uint32_t>> Client::soa_serial(const Name& zone) {
  auto op = [](Impl* impl, Name zone) -> asio::awaitable<Result<uint32_t>> {
    MessageWriter w(0, Opcode::Query);
    w.question(zone, kTypeSOA);
    const std::string what = fmt::format("SOA {}", zone.to_string());
    auto m = co_await impl->exchange_udp(w.finish(), Opcode::Query, what);
    if (!m) co_return tl::unexpected(m.error());
    for (const auto& r : m->answer) {
      if (r.type == kTypeSOA && r.owner == zone) {
        auto rd = model::Rdata::from_wire(RRType::SOA, r.rdata);
        if (!rd) co_return fail(ErrorCode::MalformedResponse, rd.error());
        if (!m->aa) break;
        co_return *rd->soa_serial();
      }
    }
    co_return fail(ErrorCode::NotAuth, fmt::format("{}: {} is not authoritative for the zone", what,
                                                   impl->server.to_string()));
  };
  co_return co_await with_deadline(
      op(impl_.get(), zone), impl_->opts.timeout,
      fmt::format("SOA {} at {}", zone.to_string(), impl_->server.to_string()));
}

asio::awaitable<Result<QueryAnswer>> Client::query(const Name& name, RRType type) {
  auto op = [](Impl* impl, Name name, RRType type) -> asio::awaitable<Result<QueryAnswer>> {
    MessageWriter w(0, Opcode::Query);
    w.question(name, static_cast<uint16_t>(type));
    const std::string what = fmt::format("{} {}", model::to_string(type), name.to_string());
    auto m = co_await impl->exchange_udp(w.finish(), Opcode::Query, what);
    QueryAnswer out;
    if (!m) {
      if (m.error().rcode != 3) co_return tl::unexpected(m.error());
      out.rcode = "NXDOMAIN";  // an answer, not a failure
      co_return out;
    }
    out.rcode = "NOERROR";
    out.authoritative = m->aa;
    for (const auto& r : m->answer) {
      if (r.owner != name || r.type != static_cast<uint16_t>(type)) continue;
      auto rec = to_zone_record(r);
      if (!rec) co_return tl::unexpected(rec.error());
      out.records.push_back(std::move(*rec));
    }
    co_return out;
  };
  co_return co_await with_deadline(op(impl_.get(), name, type), impl_->opts.timeout,
                                   fmt::format("{} {} at {}", model::to_string(type),
                                               name.to_string(), impl_->server.to_string()));
}

asio::awaitable<Result<void>> Client::notify(const Name& zone, std::optional<uint32_t> serial) {
  auto op = [](Impl* impl, Name zone,
               std::optional<uint32_t> serial) -> asio::awaitable<Result<void>> {
    MessageWriter w(0, Opcode::Notify, /*authoritative=*/true);
    w.question(zone, kTypeSOA);
    if (serial) {
      auto soa = model::Rdata::soa(Name(), Name(), *serial, 0, 0, 0, 0);
      w.rr(Section::Answer, zone, kTypeSOA, kClassIN, 0, soa.wire());
    }
    auto m = co_await impl->exchange_udp(w.finish(), Opcode::Notify,
                                         fmt::format("NOTIFY {}", zone.to_string()));
    if (!m) co_return tl::unexpected(m.error());
    co_return Result<void>{};
  };
  co_return co_await with_deadline(
      op(impl_.get(), zone, serial), impl_->opts.timeout,
      fmt::format("NOTIFY {} to {}", zone.to_string(), impl_->server.to_string()));
}

}  // namespace zk::dns
