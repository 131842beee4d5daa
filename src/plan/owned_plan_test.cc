#include "plan/owned_plan.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace zk::plan {
namespace {

using model::Change;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetKey;
using model::RRsetMap;
using model::RRType;
using Op = Change::Op;

const Name kZone = Name::parse("example.test.").value();
Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}
Rdata A(std::string_view s) {
  return Rdata::a(s).value();
}
Rdata T(std::string_view s) {
  return Rdata::txt_from_text(s);
}
Rdata H(std::string_view owner, std::string_view resource = "") {
  return registry_rdata(owner, resource);
}
RRset rr(std::string_view name, RRType t, std::vector<Rdata> rds, uint32_t ttl = 300) {
  return RRset(N(name), t, ttl, std::move(rds));
}
RRset cname(std::string_view name, std::string_view target) {
  return rr(name, RRType::CNAME, {Rdata::name_target(RRType::CNAME, N(target))});
}

// What a user and other tools put in the zone: no registry records of ours. Every scenario
// starts from it, and none of it may change, whatever the policy.
RRsetMap unowned() {
  RRsetMap m;
  auto put = [&](RRset s) { m[s.key()] = std::move(s); };
  put(RRset(kZone, RRType::SOA, 3600, {Rdata::soa(N("ns1"), N("h"), 7, 1, 2, 3, 4)}));
  put(RRset(kZone, RRType::NS, 3600, {Rdata::name_target(RRType::NS, N("ns1"))}));
  put(RRset(kZone, RRType::TXT, 3600, {T("v=spf1 -all")}));
  put(rr("ns1", RRType::A, {A("192.0.2.53")}, 3600));
  put(rr("manual", RRType::A, {A("192.0.2.99")}, 1234));
  put(rr("manual", RRType::TXT, {T("hand made")}, 1234));
  put(cname("alias", "manual"));
  put(rr("mail", RRType::MX, {Rdata::mx(10, N("manual"))}));
  return m;
}

struct DesiredBuilder {
  DesiredRecords d;
  DesiredBuilder& add(RRset s, std::string resource = "ingress/web/www",
                      model::RecordNotes notes = model::RecordNotes()) {
    auto k = s.key();
    d[k] = {std::move(s), std::move(resource), std::move(notes)};
    return *this;
  }
};

RegistryConfig cfg(std::string prefix = "") {
  RegistryConfig c;
  c.owner_id = "zk";
  c.prefix = std::move(prefix);
  return c;
}

bool same_rdatas(const RRset* have, const RRset& expect) {
  if (expect.empty()) return have == nullptr || have->empty();
  return have && have->rdatas() == expect.rdatas();
}

// Applies one Change as BIND would (RFC 2136; an added record's TTL becomes the RRset's).
// Returns false when the prerequisite fails.
bool apply(RRsetMap& m, const Change& c) {
  RRsetKey k = c.rrset.key();
  auto it = m.find(k);
  const RRset* have = it == m.end() ? nullptr : &it->second;
  if (c.expect && !same_rdatas(have, *c.expect)) return false;
  // A CNAME stands alone (BIND refuses the update otherwise).
  if ((c.op == Op::Replace || c.op == Op::Add) && !c.rrset.empty()) {
    for (auto o = m.lower_bound({k.owner, static_cast<RRType>(0)});
         o != m.end() && o->first.owner == k.owner; ++o) {
      if (o->first.type != k.type && (k.type == RRType::CNAME || o->first.type == RRType::CNAME)) {
        return false;
      }
    }
  }
  switch (c.op) {
    case Op::Replace:
      if (c.rrset.empty()) {
        m.erase(k);
      } else {
        m[k] = c.rrset;
      }
      break;
    case Op::DeleteRRset:
      m.erase(k);
      break;
    case Op::Add: {
      RRset s = have ? *have : RRset(k.owner, k.type, c.rrset.ttl());
      for (const auto& rd : c.rrset.rdatas()) s.add(rd);
      s.set_ttl(c.rrset.ttl());
      m[k] = s;
      break;
    }
    case Op::Remove: {
      if (!have) break;
      RRset s(k.owner, k.type, have->ttl());
      for (const auto& rd : have->rdatas()) {
        if (!c.rrset.contains(rd)) s.add(rd);
      }
      if (s.empty()) {
        m.erase(k);
      } else {
        m[k] = s;
      }
      break;
    }
  }
  return true;
}

std::vector<std::string> lines(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& d : p.diff) out.push_back(d.to_string());
  return out;
}
std::string reg_text(std::string_view owner, std::string_view resource = "") {
  return H(owner, resource).to_text();
}

struct Scenario {
  std::string name;
  RRsetMap extra;  // served beside unowned()
  DesiredRecords desired;
  RegistryConfig config = cfg();
  Policy policy = Policy::Sync;
  std::vector<std::string> diff;         // exact, in order
  std::vector<RRsetKey> conflicts = {};  // exact, in order
};

RRsetMap with(std::initializer_list<RRset> sets) {
  RRsetMap m;
  for (const auto& s : sets) m[s.key()] = s;
  return m;
}

const std::string kWww = "ingress/web/www";

std::vector<Scenario> scenarios() {
  auto R = [](std::string_view owner, std::string_view res = kWww) { return H(owner, res); };
  std::vector<Scenario> s;
  // --- creation
  s.push_back({"create A: registry TXT first, then the record",
               {},
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {"+ a-www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ www.example.test. 300 IN A 192.0.2.1"}});
  s.push_back(
      {"create beside an unowned type at the same name",
       {},
       DesiredBuilder().add(rr("manual", RRType::AAAA, {Rdata::aaaa("2001:db8::1").value()})).d,
       cfg(),
       Policy::CreateOnly,
       {"+ aaaa-manual.example.test. 300 IN TXT " + reg_text("zk", kWww),
        "+ manual.example.test. 300 IN AAAA 2001:db8::1"}});
  s.push_back({"unowned record of the desired type: conflict",
               {},
               DesiredBuilder().add(rr("manual", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {},
               {{N("manual"), RRType::A}}});
  s.push_back({"unowned TXT at a desired TXT name: conflict",
               {},
               DesiredBuilder().add(rr("manual", RRType::TXT, {T("mine")})).d,
               cfg(),
               Policy::Sync,
               {},
               {{N("manual"), RRType::TXT}}});
  s.push_back({"TXT record: registry at txt-<name>",
               {},
               DesiredBuilder().add(rr("note", RRType::TXT, {T("hello")}), "crd/ns/note").d,
               cfg(),
               Policy::Sync,
               {"+ txt-note.example.test. 300 IN TXT " + reg_text("zk", "crd/ns/note"),
                "+ note.example.test. 300 IN TXT \"hello\""}});
  s.push_back({"registry name occupied by other TXT data: old format instead (A)",
               with({rr("a-www", RRType::TXT, {T("someone's")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {"+ www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ www.example.test. 300 IN A 192.0.2.1"}});
  s.push_back(
      {"registry name occupied by other TXT data: conflict (AAAA has no old format)",
       with({rr("aaaa-www", RRType::TXT, {T("someone's")})}),
       DesiredBuilder().add(rr("www", RRType::AAAA, {Rdata::aaaa("2001:db8::1").value()})).d,
       cfg(),
       Policy::Sync,
       {},
       {{N("www"), RRType::AAAA}}});
  s.push_back(
      {"registry name holding a CNAME: conflict",
       with({cname("aaaa-www", "manual")}),
       DesiredBuilder().add(rr("www", RRType::AAAA, {Rdata::aaaa("2001:db8::1").value()})).d,
       cfg(),
       Policy::Sync,
       {},
       {{N("www"), RRType::AAAA}}});
  s.push_back(
      {"our registry TXT for an unowned (contested) record that nothing desires stays",
       with({rr("x", RRType::A, {A("192.0.2.7")}), rr("a-x", RRType::TXT, {R("zk"), R("other")})}),
       {},
       cfg(),
       Policy::Sync,
       {}});
  s.push_back({"orphan registry TXT of ours is reused when the record comes back",
               with({rr("a-www", RRType::TXT, {R("zk", "ingress/old/www")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::CreateOnly,
               {"- a-www.example.test. 300 IN TXT " + reg_text("zk", "ingress/old/www"),
                "+ a-www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ www.example.test. 300 IN A 192.0.2.1"}});
  // --- adoption (external-dns with the same owner id)
  s.push_back({"adoption: same data and resource, nothing to do",
               with({rr("www", RRType::A, {A("192.0.2.1")}), rr("a-www", RRType::TXT, {R("zk")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {}});
  s.push_back(
      {"adoption: registry TTL is not fought over",
       with({rr("www", RRType::A, {A("192.0.2.1")}), rr("a-www", RRType::TXT, {R("zk")}, 0)}),
       DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
       cfg(),
       Policy::Sync,
       {}});
  s.push_back(
      {"adoption: new data is an update",
       with({rr("www", RRType::A, {A("192.0.2.1")}), rr("a-www", RRType::TXT, {R("zk")})}),
       DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.2")})).d,
       cfg(),
       Policy::UpsertOnly,
       {"- www.example.test. 300 IN A 192.0.2.1", "+ www.example.test. 300 IN A 192.0.2.2"}});
  s.push_back({"adoption: another resource rewrites the registry TXT only",
               with({rr("www", RRType::A, {A("192.0.2.1")}),
                     rr("a-www", RRType::TXT, {R("zk", "crd/old/x")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {"- a-www.example.test. 300 IN TXT " + reg_text("zk", "crd/old/x"),
                "+ a-www.example.test. 300 IN TXT " + reg_text("zk", kWww)}});
  s.push_back({"adoption from the old format (external-dns < 0.12): new format added, old kept",
               with({rr("www", RRType::A, {A("192.0.2.1")}), rr("www", RRType::TXT, {R("zk")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {"+ a-www.example.test. 300 IN TXT " + reg_text("zk", kWww)}});
  s.push_back({"create-only does not touch the registry of a kept record",
               with({rr("www", RRType::A, {A("192.0.2.1")}), rr("www", RRType::TXT, {R("zk")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.9")})).d,
               cfg(),
               Policy::CreateOnly,
               {}});
  s.push_back({"both formats (external-dns 0.12-0.17) with write_old_format: nothing to do",
               with({rr("www", RRType::A, {A("192.0.2.1")}), rr("www", RRType::TXT, {R("zk")}),
                     rr("a-www", RRType::TXT, {R("zk")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               [] {
                 auto c = cfg();
                 c.write_old_format = true;
                 return c;
               }(),
               Policy::Sync,
               {}});
  // --- other owners
  s.push_back({"another owner id is never touched",
               with({rr("www", RRType::A, {A("192.0.2.1")}),
                     rr("a-www", RRType::TXT, {R("other", "ingress/x/y")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.2")})).d,
               cfg(),
               Policy::Sync,
               {},
               {{N("www"), RRType::A}}});
  s.push_back({"another owner at the name (other type) makes the whole name a conflict",
               with({rr("www", RRType::AAAA, {Rdata::aaaa("2001:db8::1").value()}),
                     rr("aaaa-www", RRType::TXT, {R("other")})}),
               DesiredBuilder()
                   .add(rr("www", RRType::A, {A("192.0.2.2")}))
                   .add(rr("www", RRType::MX, {Rdata::mx(1, N("manual"))}))
                   .d,
               cfg(),
               Policy::Sync,
               {},
               {{N("www"), RRType::A}, {N("www"), RRType::MX}}});
  s.push_back({"old-format TXT of another owner: conflict (even where the new says ours)",
               with({rr("www", RRType::A, {A("192.0.2.1")}), rr("www", RRType::TXT, {R("other")}),
                     rr("a-www", RRType::TXT, {R("zk")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.2")})).d,
               cfg(),
               Policy::Sync,
               {},
               {{N("www"), RRType::A}}});
  s.push_back({"contested registry: nobody's",
               with({rr("www", RRType::A, {A("192.0.2.1")}),
                     rr("a-www", RRType::TXT, {R("zk"), R("other")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.2")})).d,
               cfg(),
               Policy::Sync,
               {},
               {{N("www"), RRType::A}}});
  s.push_back(
      {"another owner's records, orphans included, survive sync",
       with({rr("gone", RRType::TXT, {R("other")}), rr("a-gone2", RRType::TXT, {R("other")}),
             rr("x", RRType::A, {A("192.0.2.7")}), rr("a-x", RRType::TXT, {R("other")})}),
       {},
       cfg(),
       Policy::Sync,
       {}});
  // --- deletion and policies
  auto owned_www =
      with({rr("www", RRType::A, {A("192.0.2.1")}), rr("a-www", RRType::TXT, {R("zk")})});
  s.push_back({"sync deletes our record, then its registry TXT",
               owned_www,
               {},
               cfg(),
               Policy::Sync,
               {"- www.example.test. 300 IN A 192.0.2.1",
                "- a-www.example.test. 300 IN TXT " + reg_text("zk", kWww)}});
  s.push_back({"upsert-only never deletes", owned_www, {}, cfg(), Policy::UpsertOnly, {}});
  s.push_back({"create-only never deletes", owned_www, {}, cfg(), Policy::CreateOnly, {}});
  s.push_back({"create-only never updates",
               owned_www,
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.2")})).d,
               cfg(),
               Policy::CreateOnly,
               {}});
  s.push_back({"sync deletes both formats (old beside a user's TXT: only our record)",
               with({rr("www", RRType::A, {A("192.0.2.1")}),
                     rr("www", RRType::TXT, {R("zk"), T("v=spf1 mx -all")}),
                     rr("a-www", RRType::TXT, {R("zk")})}),
               {},
               cfg(),
               Policy::Sync,
               {"- www.example.test. 300 IN A 192.0.2.1",
                "- a-www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "- www.example.test. 300 IN TXT " + reg_text("zk", kWww)}});
  s.push_back({"sync cleans our orphan registry TXT (new and old format)",
               with({rr("a-gone", RRType::TXT, {R("zk")}), rr("gone2", RRType::TXT, {R("zk")})}),
               {},
               cfg(),
               Policy::Sync,
               {"- a-gone.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "- gone2.example.test. 300 IN TXT " + reg_text("zk", kWww)}});
  s.push_back({"upsert-only keeps our orphan registry TXT",
               with({rr("a-gone", RRType::TXT, {R("zk")}), rr("gone2", RRType::TXT, {R("zk")})}),
               {},
               cfg(),
               Policy::UpsertOnly,
               {}});
  s.push_back({"old-format TXT kept while its record lives, removed with it",
               with({rr("www", RRType::A, {A("192.0.2.1")}), rr("www", RRType::TXT, {R("zk")}),
                     rr("api", RRType::A, {A("192.0.2.3")}), rr("api", RRType::TXT, {R("zk")})}),
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {"- api.example.test. 300 IN A 192.0.2.3",
                "- api.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ a-www.example.test. 300 IN TXT " + reg_text("zk", kWww)}});
  // --- CNAME
  s.push_back({"CNAME: registry only at cname-<name>",
               {},
               DesiredBuilder().add(cname("api", "manual")).d,
               cfg(),
               Policy::Sync,
               {"+ cname-api.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ api.example.test. 300 IN CNAME manual.example.test."}});
  s.push_back({"CNAME with write_old_format and no prefix: never a TXT at the CNAME",
               {},
               DesiredBuilder().add(cname("api", "manual")).d,
               [] {
                 auto c = cfg();
                 c.write_old_format = true;
                 return c;
               }(),
               Policy::Sync,
               {"+ cname-api.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ api.example.test. 300 IN CNAME manual.example.test."}});
  s.push_back({"CNAME with a prefix and write_old_format: both, away from the CNAME",
               {},
               DesiredBuilder().add(cname("api", "manual")).d,
               [] {
                 auto c = cfg("reg-");
                 c.write_old_format = true;
                 return c;
               }(),
               Policy::Sync,
               {"+ reg-cname-api.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ reg-api.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ api.example.test. 300 IN CNAME manual.example.test."}});
  s.push_back({"A with write_old_format: old TXT at the name too",
               {},
               DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
               [] {
                 auto c = cfg();
                 c.write_old_format = true;
                 return c;
               }(),
               Policy::Sync,
               {"+ a-www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ www.example.test. 300 IN A 192.0.2.1"}});
  s.push_back(
      {"AAAA with write_old_format: new format only (as external-dns)",
       {},
       DesiredBuilder().add(rr("www", RRType::AAAA, {Rdata::aaaa("2001:db8::1").value()})).d,
       [] {
         auto c = cfg();
         c.write_old_format = true;
         return c;
       }(),
       Policy::Sync,
       {"+ aaaa-www.example.test. 300 IN TXT " + reg_text("zk", kWww),
        "+ www.example.test. 300 IN AAAA 2001:db8::1"}});
  s.push_back({"CNAME where unowned data is: conflict",
               {},
               DesiredBuilder().add(cname("manual", "www")).d,
               cfg(),
               Policy::Sync,
               {},
               {{N("manual"), RRType::CNAME}}});
  s.push_back({"A where an unowned CNAME is: conflict",
               {},
               DesiredBuilder().add(rr("alias", RRType::A, {A("192.0.2.1")})).d,
               cfg(),
               Policy::Sync,
               {},
               {{N("alias"), RRType::A}}});
  s.push_back({"our A becomes a CNAME (sync): delete A and registry, then create",
               with({rr("www", RRType::A, {A("192.0.2.1")}), rr("www", RRType::TXT, {R("zk")}),
                     rr("a-www", RRType::TXT, {R("zk")})}),
               DesiredBuilder().add(cname("www", "manual")).d,
               cfg(),
               Policy::Sync,
               {"- www.example.test. 300 IN A 192.0.2.1",
                "- a-www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "- www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ cname-www.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ www.example.test. 300 IN CNAME manual.example.test."}});
  s.push_back({"our A becomes a CNAME under upsert-only: the A stays, conflict",
               owned_www,
               DesiredBuilder().add(cname("www", "manual")).d,
               cfg(),
               Policy::UpsertOnly,
               {},
               {{N("www"), RRType::CNAME}}});
  // --- apex
  s.push_back({"apex A without a prefix: old format at the apex, beside the SPF (its TTL kept)",
               {},
               DesiredBuilder().add(RRset(kZone, RRType::A, 300, {A("192.0.2.80")})).d,
               cfg(),
               Policy::Sync,
               {"+ example.test. 3600 IN TXT " + reg_text("zk", kWww),
                "+ example.test. 300 IN A 192.0.2.80"}});
  s.push_back({"apex A with a dotted template prefix: new format inside the zone",
               {},
               DesiredBuilder().add(RRset(kZone, RRType::A, 300, {A("192.0.2.80")})).d,
               cfg("%{record_type}-reg."),
               Policy::Sync,
               {"+ a-reg.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ example.test. 300 IN A 192.0.2.80"}});
  s.push_back({"apex AAAA without a prefix: nowhere to record ownership, conflict",
               {},
               DesiredBuilder()
                   .add(RRset(kZone, RRType::AAAA, 300, {Rdata::aaaa("2001:db8::80").value()}))
                   .d,
               cfg(),
               Policy::Sync,
               {},
               {{kZone, RRType::AAAA}}});
  s.push_back({"apex A owned (old format) is deleted with its apex TXT record only",
               with({RRset(kZone, RRType::A, 300, {A("192.0.2.80")}),
                     RRset(kZone, RRType::TXT, 3600, {T("v=spf1 -all"), R("zk")})}),
               {},
               cfg(),
               Policy::Sync,
               {"- example.test. 300 IN A 192.0.2.80",
                "- example.test. 3600 IN TXT " + reg_text("zk", kWww)}});
  s.push_back({"SOA and apex NS are not managed here",
               {},
               DesiredBuilder()
                   .add(RRset(kZone, RRType::NS, 300, {Rdata::name_target(RRType::NS, N("x"))}))
                   .d,
               cfg(),
               Policy::Sync,
               {}});
  // --- wildcard
  s.push_back({"wildcard with a replacement",
               {},
               DesiredBuilder().add(rr("*.apps", RRType::A, {A("192.0.2.5")})).d,
               [] {
                 auto c = cfg();
                 c.wildcard_replacement = "any";
                 return c;
               }(),
               Policy::Sync,
               {"+ a-any.apps.example.test. 300 IN TXT " + reg_text("zk", kWww),
                "+ *.apps.example.test. 300 IN A 192.0.2.5"}});
  return s;
}

bool ours(const Registry& reg, const RRsetKey& k) {
  auto c = reg.claim(k);
  return c && !c->contested && c->owner == "zk";
}

void PrintTo(const Scenario& s, std::ostream* os) {
  *os << s.name;
}

class PlanOwnedScenario : public ::testing::TestWithParam<Scenario> {};

INSTANTIATE_TEST_SUITE_P(Table, PlanOwnedScenario, ::testing::ValuesIn(scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           return "s" + std::to_string(info.index);
                         });

TEST_P(PlanOwnedScenario, PlansOnlyWhatIsOurs) {
  {
    const Scenario& sc = GetParam();
    SCOPED_TRACE(sc.name);
    RRsetMap served = unowned();
    for (const auto& [k, v] : sc.extra) served[k] = v;
    auto p = plan_owned(kZone, sc.desired, served, sc.config, sc.policy);
    EXPECT_EQ(lines(p), sc.diff);
    std::vector<RRsetKey> conflicts;
    for (const auto& c : p.conflicts) conflicts.push_back(c.key);
    EXPECT_EQ(conflicts, sc.conflicts);
    for (const auto& c : p.conflicts) {
      bool noted = false;
      for (const auto& n : p.notes) {
        if (n.find("conflict at " + c.key.owner.to_string()) == 0) noted = true;
      }
      EXPECT_TRUE(noted) << "conflict at " << c.key.owner.to_string() << " has no note";
    }

    // Every Replace and DeleteRRset is guarded; the guards hold against the served zone;
    // after each step a record we wrote is claimed by us in the registry.
    auto before = Registry::read(kZone, served, sc.config);
    RRsetMap state = served;
    std::set<RRsetKey> written;
    for (const auto& c : p.changes.changes) {
      if (c.op == Op::Replace || c.op == Op::DeleteRRset) {
        EXPECT_TRUE(c.expect.has_value());
      }
      ASSERT_TRUE(apply(state, c)) << "guard failed: " << c.rrset.owner().to_string();
      auto now = Registry::read(kZone, state, sc.config);
      if (c.op == Op::Replace && sc.desired.count(c.rrset.key())) written.insert(c.rrset.key());
      for (const auto& k : written) {
        if (!now.data().count(k)) continue;
        auto claim = now.claim(k);
        EXPECT_TRUE(claim && claim->owner == "zk")
            << k.owner.to_string() << " served without its registry TXT";
      }
    }

    // Nothing of anybody else changed: every served RRset not ours is byte-identical (TXT:
    // its non-registry records and TTL).
    auto after = Registry::read(kZone, state, sc.config);
    for (const auto& [k, set] : before.data()) {
      if (ours(before, k)) continue;
      ASSERT_TRUE(after.data().count(k)) << k.owner.to_string() << " disappeared";
      EXPECT_EQ(after.data().at(k), set) << k.owner.to_string() << " changed";
      EXPECT_EQ(state.at(k).ttl(), served.at(k).ttl()) << k.owner.to_string() << " TTL changed";
    }
    for (const auto& rec : before.records()) {
      if (rec.owner() == "zk") continue;
      auto it = state.find({rec.txt_name, RRType::TXT});
      ASSERT_NE(it, state.end()) << rec.txt_name.to_string() << " registry of another lost";
      EXPECT_TRUE(it->second.contains(rec.rdata));
    }

    // Desired RRsets that are not conflicts are served (create-only may keep old data).
    for (const auto& [k, d] : sc.desired) {
      const auto& key = k;  // clang 14 cannot capture a structured binding
      bool conflicted = std::any_of(p.conflicts.begin(), p.conflicts.end(),
                                    [&](const Conflict& c) { return c.key == key; });
      if (conflicted || k.type == RRType::SOA || (k.type == RRType::NS && k.owner == kZone)) {
        continue;
      }
      ASSERT_TRUE(after.data().count(k)) << k.owner.to_string();
      if (sc.policy != Policy::CreateOnly) {
        EXPECT_EQ(after.data().at(k), d.rrset);
      }
      auto c = after.claim(k);
      EXPECT_TRUE(c && c->owner == "zk") << k.owner.to_string() << " not registered";
    }

    // No flapping: planning again against the result changes nothing.
    auto again = plan_owned(kZone, sc.desired, state, sc.config, sc.policy);
    EXPECT_TRUE(again.changes.empty()) << (lines(again).empty() ? "" : lines(again).front());
  }
}

TEST(PlanOwned, PoliciesParseAndPrint) {
  for (Policy p : {Policy::Sync, Policy::UpsertOnly, Policy::CreateOnly}) {
    EXPECT_EQ(parse_policy(to_string(p)), p);
  }
  EXPECT_EQ(to_string(Policy::UpsertOnly), "upsert-only");
  EXPECT_FALSE(parse_policy("upsert_only"));
  EXPECT_FALSE(parse_policy(""));
}

TEST(PlanOwned, InvalidConfigChangesNothing) {
  RegistryConfig c;  // no owner id
  auto p = plan_owned(kZone, DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")})).d,
                      unowned(), c, Policy::Sync);
  EXPECT_TRUE(p.changes.empty());
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("owner id"), std::string::npos);
}

TEST(PlanOwned, GuardsAreWhatWasPlannedAgainst) {
  RRsetMap served = unowned();
  served[{N("www"), RRType::A}] = rr("www", RRType::A, {A("192.0.2.1")});
  served[{N("a-www"), RRType::TXT}] = rr("a-www", RRType::TXT, {H("zk", "crd/x/y")});
  auto p = plan_owned(kZone,
                      DesiredBuilder()
                          .add(rr("www", RRType::A, {A("192.0.2.2")}))
                          .add(rr("new", RRType::A, {A("192.0.2.3")}))
                          .d,
                      served, cfg(), Policy::Sync);
  ASSERT_EQ(p.changes.changes.size(), 4u);
  // registry TXT (www, new) first, then the records
  const auto& c = p.changes.changes;
  EXPECT_EQ(c[0].rrset.owner(), N("a-new"));
  EXPECT_TRUE(c[0].expect->empty());  // must not exist
  EXPECT_EQ(c[1].rrset.owner(), N("a-www"));
  EXPECT_EQ(*c[1].expect, served.at({N("a-www"), RRType::TXT}));
  EXPECT_EQ(c[2].rrset.owner(), N("new"));
  EXPECT_TRUE(c[2].expect->empty());
  EXPECT_EQ(c[3].rrset.owner(), N("www"));
  EXPECT_EQ(*c[3].expect, served.at({N("www"), RRType::A}));
}

TEST(PlanOwned, ConflictNotesArePerName) {
  RRsetMap served = unowned();
  served[{N("www"), RRType::A}] = rr("www", RRType::A, {A("192.0.2.1")});
  served[{N("aaaa-www"), RRType::TXT}] = rr("aaaa-www", RRType::TXT, {H("other")});
  auto p = plan_owned(kZone,
                      DesiredBuilder()
                          .add(rr("www", RRType::A, {A("192.0.2.2")}))
                          .add(rr("www", RRType::AAAA, {Rdata::aaaa("2001:db8::1").value()}))
                          .d,
                      served, cfg(), Policy::Sync);
  EXPECT_TRUE(p.changes.empty());
  ASSERT_EQ(p.conflicts.size(), 2u);
  EXPECT_EQ(p.conflicts[0].owner, "other");
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0],
            "conflict at www.example.test. (A, AAAA): the name has registry records of owner "
            "\"other\"; not changed");
}

TEST(PlanOwned, UpsertOnlyNotesWhatItKeeps) {
  RRsetMap served = unowned();
  served[{N("www"), RRType::A}] = rr("www", RRType::A, {A("192.0.2.1")});
  served[{N("a-www"), RRType::TXT}] = rr("a-www", RRType::TXT, {H("zk")});
  auto p = plan_owned(kZone, {}, served, cfg(), Policy::UpsertOnly);
  EXPECT_TRUE(p.changes.empty());
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("upsert-only"), std::string::npos);
}

// The object's owner and description live in its registry TXT: a change of them alone is one
// guarded Replace of the registry TXT (the record stays), a registry written without them (an
// older version) is ours all the same and gains them, and equal notes change nothing.
TEST(PlanOwned, NotesRewriteOnlyTheRegistryRecord) {
  RRsetMap served = unowned();
  served[{N("www"), RRType::A}] = rr("www", RRType::A, {A("192.0.2.1")});
  served[{N("a-www"), RRType::TXT}] = rr("a-www", RRType::TXT, {H("zk", "ingress/web/www")});
  model::RecordNotes notes{"team-web", "the shop, front door"};
  auto want = [&](const model::RecordNotes& n) {
    return DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")}), "ingress/web/www", n).d;
  };
  for (Policy policy : {Policy::Sync, Policy::UpsertOnly}) {
    auto p = plan_owned(kZone, want(notes), served, cfg(), policy);
    ASSERT_EQ(p.changes.changes.size(), 1u) << to_string(policy);
    const auto& c = p.changes.changes[0];
    EXPECT_EQ(c.op, Op::Replace);
    EXPECT_EQ(c.rrset.owner(), N("a-www"));
    EXPECT_EQ(*c.expect, served.at({N("a-www"), RRType::TXT}));
    ASSERT_EQ(c.rrset.rdatas().size(), 1u);
    EXPECT_EQ(c.rrset.rdatas()[0], registry_rdata("zk", "ingress/web/www", notes));
    EXPECT_TRUE(p.conflicts.empty());
  }
  // create-only keeps an existing record's registry TXT as it is
  EXPECT_TRUE(plan_owned(kZone, want(notes), served, cfg(), Policy::CreateOnly).changes.empty());

  // Applied: nothing more to do; a new description is one more Replace; removing the
  // annotations goes back to the text without notes.
  RRsetMap now = served;
  for (const auto& c : plan_owned(kZone, want(notes), now, cfg(), Policy::Sync).changes.changes) {
    ASSERT_TRUE(apply(now, c));
  }
  EXPECT_TRUE(plan_owned(kZone, want(notes), now, cfg(), Policy::Sync).changes.empty());
  auto reg = Registry::read(kZone, now, cfg());
  ASSERT_TRUE(reg.claim({N("www"), RRType::A}));
  EXPECT_EQ(reg.claim({N("www"), RRType::A})->notes, notes);
  EXPECT_EQ(reg.claim({N("www"), RRType::A})->owner, "zk");
  auto changed = plan_owned(kZone, want({"team-web", "moved"}), now, cfg(), Policy::Sync);
  ASSERT_EQ(changed.changes.changes.size(), 1u);
  EXPECT_EQ(changed.changes.changes[0].rrset.owner(), N("a-www"));
  auto cleared = plan_owned(kZone, want({}), now, cfg(), Policy::Sync);
  ASSERT_EQ(cleared.changes.changes.size(), 1u);
  EXPECT_EQ(cleared.changes.changes[0].rrset.rdatas()[0], H("zk", "ingress/web/www"));
}

// An old-format registry record (written beside the record) whose notes change: the new text is
// added and the old one removed, other TXT data at the name stays.
TEST(PlanOwned, NotesOfAnOldFormatRecord) {
  RegistryConfig c = cfg();
  c.write_old_format = true;
  RRsetMap served = unowned();
  served[{N("www"), RRType::A}] = rr("www", RRType::A, {A("192.0.2.1")});
  served[{N("a-www"), RRType::TXT}] = rr("a-www", RRType::TXT, {H("zk", "ingress/web/www")});
  served[{N("www"), RRType::TXT}] =
      rr("www", RRType::TXT, {H("zk", "ingress/web/www"), T("v=spf1 -all")});
  model::RecordNotes notes{"team-web", ""};
  auto d = DesiredBuilder().add(rr("www", RRType::A, {A("192.0.2.1")}), "ingress/web/www", notes).d;
  RRsetMap now = served;
  auto p = plan_owned(kZone, d, now, c, Policy::Sync);
  for (const auto& ch : p.changes.changes) ASSERT_TRUE(apply(now, ch));
  EXPECT_EQ(now.at({N("www"), RRType::A}), served.at({N("www"), RRType::A}));
  const RRset& old = now.at({N("www"), RRType::TXT});
  EXPECT_TRUE(old.contains(T("v=spf1 -all")));
  EXPECT_TRUE(old.contains(registry_rdata("zk", "ingress/web/www", notes)));
  EXPECT_EQ(old.size(), 2u);
  EXPECT_EQ(now.at({N("a-www"), RRType::TXT}).rdatas()[0],
            registry_rdata("zk", "ingress/web/www", notes));
  EXPECT_TRUE(plan_owned(kZone, d, now, c, Policy::Sync).changes.empty());
}

// Every policy, every unowned RRset of a zone: desired data for all of them never changes a
// byte, and deleting everything desired never deletes them.
TEST(PlanOwned, UnownedSurvivesEverything) {
  RRsetMap served = unowned();
  DesiredBuilder all;
  for (const auto& [k, set] : served) {
    RRset other = set;
    other.set_ttl(set.ttl() + 1);
    all.add(other);
  }
  for (Policy policy : {Policy::Sync, Policy::UpsertOnly, Policy::CreateOnly}) {
    for (const DesiredRecords& d : {all.d, DesiredRecords{}}) {
      auto p = plan_owned(kZone, d, served, cfg(), policy);
      EXPECT_TRUE(p.changes.empty()) << to_string(policy);
    }
  }
}

}  // namespace
}  // namespace zk::plan
