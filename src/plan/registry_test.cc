#include "plan/registry.h"

#include <gtest/gtest.h>

namespace zk::plan {
namespace {

using model::Name;
using model::Rdata;
using model::RRset;
using model::RRsetMap;
using model::RRType;

const Name kZone = Name::parse("example.test.").value();
Name N(std::string_view s) {
  return Name::parse(s, &kZone).value();
}
void put(RRsetMap& m, RRset s) {
  m[s.key()] = std::move(s);
}
RegistryConfig cfg(std::string prefix = "", std::string suffix = "") {
  RegistryConfig c;
  c.owner_id = "zk";
  c.prefix = std::move(prefix);
  c.suffix = std::move(suffix);
  return c;
}

// ------------------------------------------------------------------ labels

TEST(RegistryLabels, SerializesLikeExternalDns) {
  EXPECT_EQ(serialize_labels({{"owner", "zk"}, {"resource", "ingress/web/www"}}),
            "heritage=external-dns,external-dns/owner=zk,external-dns/resource=ingress/web/www");
  // keys sorted, heritage first
  EXPECT_EQ(serialize_labels({{"resource", "crd/a/b"}, {"owner", "o"}, {"dualstack", "true"}}),
            "heritage=external-dns,external-dns/dualstack=true,external-dns/owner=o,"
            "external-dns/resource=crd/a/b");
  auto rd = registry_rdata("zk", "ingress/web/www");
  EXPECT_EQ(
      rd.to_text(),
      "\"heritage=external-dns,external-dns/owner=zk,external-dns/resource=ingress/web/www\"");
  EXPECT_EQ(registry_rdata("zk", "").to_text(), "\"heritage=external-dns,external-dns/owner=zk\"");
}

TEST(RegistryLabels, Parses) {
  struct Case {
    std::string text;
    std::optional<Labels> want;
  };
  std::vector<Case> cases = {
      {"heritage=external-dns,external-dns/owner=zk,external-dns/resource=ingress/a/b",
       Labels{{"owner", "zk"}, {"resource", "ingress/a/b"}}},
      {"\"heritage=external-dns,external-dns/owner=zk\"", Labels{{"owner", "zk"}}},
      {"external-dns/owner=zk,heritage=external-dns", Labels{{"owner", "zk"}}},  // any order
      {"heritage=external-dns", Labels{}},
      {"heritage=external-dns,junk,a=b=c,other/x=y,external-dns/owner=zk",
       Labels{{"owner", "zk"}}},  // malformed tokens and foreign keys are skipped
      {"heritage=cert-manager,external-dns/owner=zk", std::nullopt},
      {"external-dns/owner=zk", std::nullopt},  // no heritage: ordinary TXT
      {"v=spf1 -all", std::nullopt},
      {"", std::nullopt},
      {"bm90IGEgcmVnaXN0cnk=", std::nullopt},  // an encrypted registry text: not readable
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_labels(c.text), c.want) << c.text;
  }
  // round trip
  Labels l{{"owner", "zk"}, {"resource", "crd/ns/n"}};
  EXPECT_EQ(parse_labels(serialize_labels(l)), l);
}

// ------------------------------------------------------------------ notes

TEST(RegistryNotes, EncodesWhatWouldBreakTheText) {
  EXPECT_EQ(encode_note_value("team-web"), "team-web");
  EXPECT_EQ(encode_note_value("the shop's front door"), "the shop's front door");  // spaces stay
  EXPECT_EQ(encode_note_value("a,b=c"), "a%2Cb%3Dc");
  EXPECT_EQ(encode_note_value("say \"hi\" \\ 100%"), "say %22hi%22 %5C 100%25");
  EXPECT_EQ(encode_note_value("tab\there\nnew"), "tab%09here%0Anew");
  EXPECT_EQ(encode_note_value("caf\xc3\xa9 \xe2\x9c\x93"), "caf%C3%A9 %E2%9C%93");
  EXPECT_EQ(encode_note_value(std::string("nul\0x", 5)), "nul%00x");
  EXPECT_EQ(encode_note_value("\x7f"), "%7F");
  EXPECT_EQ(encode_note_value(""), "");
}

TEST(RegistryNotes, CutsBetweenCharactersNeverInsideAnEscape) {
  EXPECT_EQ(encode_note_value(std::string(300, 'x')), std::string(kMaxNoteValue, 'x'));
  // 254 x and a comma (3 octets once encoded): the comma does not fit, is left out whole
  EXPECT_EQ(encode_note_value(std::string(254, 'x') + ","), std::string(254, 'x'));
  // é is 6 octets encoded: 250 + 6 > 255, so the cut falls before it, not inside it
  EXPECT_EQ(encode_note_value(std::string(250, 'x') + "\xc3\xa9z"), std::string(250, 'x'));
  EXPECT_EQ(encode_note_value("abc\xc3\xa9", 5), "abc");
  EXPECT_EQ(encode_note_value("a\xe2\x9c\x93"
                              "b",
                              10),
            "a%E2%9C%93");
  // a stray continuation octet or a cut sequence counts as one character per octet
  EXPECT_EQ(encode_note_value("\x80\xc3", 3), "%80");
  for (const std::string& v :
       {std::string(2000, ','), std::string(600, '\xff'), std::string(999, 'y')}) {
    EXPECT_LE(encode_note_value(v).size(), kMaxNoteValue);
  }
}

TEST(RegistryNotes, DecodesAndRoundTrips) {
  for (const std::string& v : {std::string("team-web"), std::string("a,b=c \"q\" \\ 50%"),
                               std::string("caf\xc3\xa9\n\t\x01"), std::string("%41 stays %")}) {
    EXPECT_EQ(decode_note_value(encode_note_value(v)), v) << v;
  }
  EXPECT_EQ(decode_note_value("100%"), "100%");  // not an escape: as it is
  EXPECT_EQ(decode_note_value("%zz%4"), "%zz%4");
  EXPECT_EQ(decode_note_value("%c3%A9"), "\xc3\xa9");
}

TEST(RegistryNotes, WrittenAfterTheLabelsAndReadBack) {
  model::RecordNotes notes{"team-web", "the shop, \"front\" door"};
  auto rd = registry_rdata("zk", "ingress/web/www", notes);
  EXPECT_EQ(rd.to_text(),
            "\"heritage=external-dns,external-dns/owner=zk,external-dns/resource=ingress/web/www,"
            "zonekeeper/owner=team-web,zonekeeper/description=the shop%2C %22front%22 door\"");
  std::string text = rd.txt_strings()[0];
  // external-dns' view (and an older zonekeeper's): the same labels as without notes
  EXPECT_EQ(parse_labels(text), (Labels{{"owner", "zk"}, {"resource", "ingress/web/www"}}));
  EXPECT_EQ(parse_notes(text), notes);
  // empty notes write nothing: the text of older versions, byte for byte
  EXPECT_EQ(registry_rdata("zk", "ingress/web/www", {}), registry_rdata("zk", "ingress/web/www"));
  EXPECT_EQ(registry_rdata("zk", "", {"", "only a description"}).to_text(),
            "\"heritage=external-dns,external-dns/owner=zk,zonekeeper/description=only a "
            "description\"");
  // a text of an older version has no notes
  EXPECT_EQ(parse_notes("heritage=external-dns,external-dns/owner=zk"), model::RecordNotes{});
  // a value that is not an escape is read as it is; tokens not ours are ignored
  EXPECT_EQ(parse_notes("\"heritage=external-dns,zonekeeper/owner=50%,zonekeeper/x=y\"").owner,
            "50%");
}

TEST(RegistryNotes, LongValuesNeverBreakTheRecordOrItsOwnership) {
  model::RecordNotes notes{std::string(1024, '='), std::string(1024, 'd') + "\""};
  auto rd = registry_rdata("zk", "crd/ns/name", notes);
  for (const auto& s : rd.txt_strings()) EXPECT_LE(s.size(), 255u);
  std::string text;
  for (const auto& s : rd.txt_strings()) text += s;
  auto labels = parse_labels(text);
  ASSERT_TRUE(labels);
  EXPECT_EQ(labels->at("owner"), "zk");
  EXPECT_EQ(labels->at("resource"), "crd/ns/name");
  auto back = parse_notes(text);
  EXPECT_EQ(back.owner, std::string(kMaxNoteValue / 3, '='));  // 85 × "%3D"
  EXPECT_EQ(back.description, std::string(kMaxNoteValue, 'd'));

  // Read from a zone: the claim is ours, with the notes.
  RRsetMap served;
  put(served, RRset(N("a-www"), RRType::TXT, 300, {rd}));
  auto reg = Registry::read(kZone, served, cfg());
  auto c = reg.claim({N("www"), RRType::A});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->owner, "zk");
  EXPECT_EQ(c->resource, "crd/ns/name");
  EXPECT_EQ(c->notes, back);
  // A description spelling a registry label does not change who owns the record.
  auto forged = registry_rdata("zk", "", {"x", ",external-dns/owner=other,heritage=evil"});
  EXPECT_EQ(parse_labels(forged.txt_strings()[0]), (Labels{{"owner", "zk"}}));
}

TEST(RegistryConfig, Validates) {
  EXPECT_TRUE(cfg().validate());
  RegistryConfig c = cfg();
  c.owner_id = "";
  EXPECT_FALSE(c.validate());
  c.owner_id = "a,b";
  EXPECT_FALSE(c.validate());
  c.owner_id = "a=b";
  EXPECT_FALSE(c.validate());
  EXPECT_FALSE(cfg("p-", "-s").validate());
}

// ------------------------------------------------------------------ names

struct NameCase {
  std::string prefix, suffix, wildcard;
  std::string record;
  RRType type;
  std::string want_new;  // "" when not a valid name
  std::string want_old;
};

TEST(RegistryNames, NewAndOldFormat) {
  std::vector<NameCase> cases = {
      {"", "", "", "www", RRType::A, "a-www.example.test.", "www.example.test."},
      {"", "", "", "www", RRType::AAAA, "aaaa-www.example.test.", "www.example.test."},
      {"", "", "", "api", RRType::CNAME, "cname-api.example.test.", "api.example.test."},
      {"", "", "", "WWW", RRType::MX, "mx-www.example.test.", "www.example.test."},
      {"", "", "", "note", RRType::TXT, "txt-note.example.test.", "note.example.test."},
      {"", "", "", "a.b", RRType::SRV, "srv-a.b.example.test.", "a.b.example.test."},
      // Every type a source can write reads back as that type (else its registry TXT would
      // look orphaned and be removed).
      {"", "", "", "sip", RRType::NAPTR, "naptr-sip.example.test.", "sip.example.test."},
      {"", "", "", "moved", RRType::DNAME, "dname-moved.example.test.", "moved.example.test."},
      {"", "", "", "host", RRType::SSHFP, "sshfp-host.example.test.", "host.example.test."},
      {"", "", "", "_443._tcp.www", RRType::TLSA, "tlsa-_443._tcp.www.example.test.",
       "_443._tcp.www.example.test."},
      {"", "", "", "_dns", RRType::SVCB, "svcb-_dns.example.test.", "_dns.example.test."},
      {"", "", "", "www", RRType::HTTPS, "https-www.example.test.", "www.example.test."},
      // the apex without a prefix: outside the zone (external-dns' limitation)
      {"", "", "", "@", RRType::A, "a-example.test.", "example.test."},
      {"txt-", "", "", "www", RRType::A, "txt-a-www.example.test.", "txt-www.example.test."},
      {"txt.", "", "", "www", RRType::A, "txt.a-www.example.test.", "txt.www.example.test."},
      {"TXT.", "", "", "www", RRType::A, "txt.a-www.example.test.", "txt.www.example.test."},
      {"%{record_type}-", "", "", "www", RRType::CNAME, "cname-www.example.test.",
       "-www.example.test."},
      // external-dns' advice for apex records: a template prefix ending in '.'
      {"%{record_type}-reg.", "", "", "@", RRType::A, "a-reg.example.test.", "-reg.example.test."},
      {"reg-%{record_type}.", "", "", "www", RRType::AAAA, "reg-aaaa.www.example.test.",
       "reg-.www.example.test."},
      {"", "-reg", "", "www", RRType::A, "a-www-reg.example.test.", "www-reg.example.test."},
      {"", "-%{record_type}", "", "www", RRType::A, "www-a.example.test.", "www-.example.test."},
      {"", ".reg", "", "www", RRType::A, "a-www.reg.example.test.", "www.reg.example.test."},
      {"", "", "any", "*.apps", RRType::A, "a-any.apps.example.test.", "any.apps.example.test."},
      {"", "", "", "*.apps", RRType::A, "a-*.apps.example.test.", "*.apps.example.test."},
  };
  for (const auto& c : cases) {
    RegistryConfig r = cfg(c.prefix, c.suffix);
    r.wildcard_replacement = c.wildcard;
    auto n = registry_name(N(c.record), c.type, r);
    auto o = legacy_registry_name(N(c.record), r);
    ASSERT_TRUE(n) << c.record << " " << c.prefix << c.suffix;
    ASSERT_TRUE(o) << c.record << " " << c.prefix << c.suffix;
    EXPECT_EQ(n->to_string(), c.want_new) << c.record << " " << c.prefix << c.suffix;
    EXPECT_EQ(o->to_string(), c.want_old) << c.record << " " << c.prefix << c.suffix;
    // Reading a name back gives the registry key of the record (the round trip of
    // external-dns' ToTXTName / ToEndpointName).
    auto key = parse_registry_name(*n, r);
    ASSERT_TRUE(key) << c.want_new;
    EXPECT_EQ(*key, registry_key({N(c.record), c.type}, r)) << c.want_new;
    auto old_key = parse_registry_name(*o, r);
    ASSERT_TRUE(old_key) << c.want_old;
    EXPECT_EQ(old_key->name, registry_key({N(c.record), c.type}, r).name) << c.want_old;
    if (c.record.find('-') == std::string::npos) {
      EXPECT_EQ(old_key->type, "") << c.want_old;
    }
  }
}

TEST(RegistryNames, ParseEdgeCases) {
  struct Case {
    std::string prefix, suffix, txt;
    std::optional<RegistryKey> want;
  };
  std::vector<Case> cases = {
      {"", "", "www.example.test.", RegistryKey{"www.example.test", ""}},
      {"", "", "my-app.example.test.", RegistryKey{"my-app.example.test", ""}},
      // external-dns reads a leading "<type>-" as the new format whatever the name means
      {"", "", "ns-1.example.test.", RegistryKey{"1.example.test", "ns"}},
      {"", "", "A-WWW.Example.Test.", RegistryKey{"www.example.test", "a"}},
      {"", "", "cname-api.example.test.", RegistryKey{"api.example.test", "cname"}},
      {"txt-", "", "www.example.test.", std::nullopt},  // does not fit the prefix
      {"txt-", "", "txt-www.example.test.", RegistryKey{"www.example.test", ""}},
      {"", "-reg", "www.example.test.", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = parse_registry_name(Name::parse(c.txt).value(), cfg(c.prefix, c.suffix));
    EXPECT_EQ(got, c.want) << c.txt;
  }
}

// ------------------------------------------------------------------ reading a zone

RRset txt(std::string_view name, std::vector<Rdata> rds, uint32_t ttl = 300) {
  return RRset(N(name), RRType::TXT, ttl, std::move(rds));
}
Rdata H(std::string_view owner, std::string_view resource = "") {
  return registry_rdata(owner, resource);
}

TEST(RegistryRead, SplitsRegistryFromData) {
  RRsetMap served;
  put(served, RRset(N("www"), RRType::A, 300, {Rdata::a("192.0.2.1").value()}));
  put(served, txt("a-www", {H("zk", "ingress/web/www")}));
  // old format beside a user's SPF in one RRset
  put(served, txt("www", {H("zk", "ingress/web/www"), Rdata::txt_from_text("v=spf1 -all")}));
  put(served, txt("plain", {Rdata::txt_from_text("hello")}));
  auto reg = Registry::read(kZone, served, cfg());
  EXPECT_EQ(reg.records().size(), 2u);
  ASSERT_TRUE(reg.data().count({N("www"), RRType::TXT}));
  EXPECT_EQ(reg.data().at({N("www"), RRType::TXT}).size(), 1u);
  EXPECT_EQ(reg.data().at({N("www"), RRType::TXT}).rdatas()[0].txt_strings()[0], "v=spf1 -all");
  EXPECT_FALSE(reg.data().count({N("a-www"), RRType::TXT}));
  EXPECT_TRUE(reg.data().count({N("plain"), RRType::TXT}));
  EXPECT_EQ(reg.at(N("a-www")).size(), 1u);
  EXPECT_EQ(reg.at(N("www")).size(), 1u);
  EXPECT_TRUE(reg.at(N("www"))[0]->legacy());
}

TEST(RegistryRead, Claims) {
  RRsetMap served;
  put(served, txt("a-new", {H("zk", "ingress/a/new")}));
  put(served, txt("old", {H("zk", "ingress/a/old")}));
  put(served, txt("both", {H("legacy-owner")}));
  put(served, txt("a-both", {H("zk", "crd/a/both")}));
  put(served, txt("a-contested", {H("zk"), H("other")}));
  put(served, txt("aaaa-other", {H("other", "service/x/y")}));
  auto reg = Registry::read(kZone, served, cfg());

  auto c = reg.claim({N("new"), RRType::A});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->owner, "zk");
  EXPECT_EQ(c->resource, "ingress/a/new");
  EXPECT_FALSE(c->legacy);
  EXPECT_FALSE(reg.claim({N("new"), RRType::AAAA}));  // new format is per type

  // old format: A and CNAME only (not AAAA as external-dns; not TXT/MX a user may own)
  for (RRType t : {RRType::A, RRType::CNAME}) {
    auto o = reg.claim({N("old"), t});
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->legacy);
    EXPECT_EQ(o->owner, "zk");
    EXPECT_EQ(o->labels.at("resource"), "ingress/a/old");
  }
  for (RRType t : {RRType::AAAA, RRType::TXT, RRType::MX}) {
    EXPECT_FALSE(reg.claim({N("old"), t})) << model::to_string(t);
  }

  // the new format wins over the old for the claim; both owners show at the name
  auto b = reg.claim({N("both"), RRType::A});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->owner, "zk");
  EXPECT_EQ(reg.owners_at(N("both")), (std::set<std::string>{"legacy-owner", "zk"}));

  auto x = reg.claim({N("contested"), RRType::A});
  ASSERT_TRUE(x);
  EXPECT_TRUE(x->contested);
  EXPECT_EQ(x->owner, "");

  EXPECT_EQ(reg.owners_at(N("other")), std::set<std::string>{"other"});
  EXPECT_TRUE(reg.owners_at(N("nothing")).empty());
}

TEST(RegistryRead, PrefixAndWildcard) {
  RegistryConfig r = cfg("reg-");
  r.wildcard_replacement = "any";
  RRsetMap served;
  put(served, txt("reg-cname-api", {H("zk")}));
  put(served, txt("reg-a-any.apps", {H("zk")}));
  put(served, txt("a-ignored", {H("zk")}));  // no prefix: heritage, but nothing it claims
  auto reg = Registry::read(kZone, served, r);
  EXPECT_EQ(reg.records().size(), 3u);
  EXPECT_TRUE(reg.claim({N("api"), RRType::CNAME}));
  EXPECT_TRUE(reg.claim({N("*.apps"), RRType::A}));
  EXPECT_FALSE(reg.claim({N("ignored"), RRType::A}));
  EXPECT_TRUE(reg.data().empty());
}

TEST(RegistryRead, LongRegistryTextSpansStrings) {
  std::string resource = "crd/ns/" + std::string(300, 'x');
  RRsetMap served;
  put(served, txt("a-long", {H("zk", resource)}));
  ASSERT_GT(served.begin()->second.rdatas()[0].txt_strings().size(), 1u);
  auto reg = Registry::read(kZone, served, cfg());
  auto c = reg.claim({N("long"), RRType::A});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->resource, resource);
}

}  // namespace
}  // namespace zk::plan

namespace zk::plan {
namespace {

// Every type the model carries (but the SOA, the server's) reads back from its new-format
// registry name: a type missing from the registry's list would make its TXT look orphaned.
TEST(RegistryNames, EveryModelTypeRoundTrips) {
  RegistryConfig r;
  r.owner_id = "zonekeeper";
  const model::Name zone = model::Name::parse("example.test.").value();
  for (uint16_t n = 1; n < 300; ++n) {
    auto type = static_cast<model::RRType>(n);
    if (!model::is_supported(type) || type == model::RRType::SOA) continue;
    const model::Name owner = model::Name::parse("www", &zone).value();
    auto name = registry_name(owner, type, r);
    ASSERT_TRUE(name) << model::to_string(type);
    auto key = parse_registry_name(*name, r);
    ASSERT_TRUE(key) << name->to_string();
    EXPECT_EQ(*key, registry_key({owner, type}, r)) << model::to_string(type);
  }
}

}  // namespace
}  // namespace zk::plan
