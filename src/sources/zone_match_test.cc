#include "sources/zone_match.h"

#include <gtest/gtest.h>

namespace zk::sources {
namespace {

using model::Name;

std::vector<Name> zones(std::initializer_list<const char*> names) {
  std::vector<Name> out;
  for (const char* n : names) out.push_back(Name::parse(n).value());
  return out;
}

struct ZoneCase {
  std::string host;
  std::string zone;  // "" = none
};

const std::vector<ZoneCase> kZoneCases = {
    {"www.example.com", "example.com."},
    {"example.com", "example.com."},
    {"example.com.", "example.com."},
    {"WWW.EXAMPLE.COM", "example.com."},
    {"a.eu.example.com", "eu.example.com."},
    {"eu.example.com", "eu.example.com."},
    {"a.b.eu.example.com", "eu.example.com."},
    {"*.eu.example.com", "eu.example.com."},
    {"*.example.com", "example.com."},
    {"myexample.com", ""},
    {"example.co", ""},
    {"com", ""},
    {"www.example.org", ""},
    {"grafana.talos00", "talos00."},
    {"api.home.lab", "home.lab."},
    {"jenkins.internal.dev", "internal.dev."},
    {"x.internal.dev.evil.com", ""},
    {"bad name.example.com", ""},
};

class ZoneFor : public ::testing::TestWithParam<ZoneCase> {};

TEST_P(ZoneFor, LongestLabelWiseSuffix) {
  auto z = zone_for(GetParam().host, zones({"example.com.", "eu.example.com.", "talos00.",
                                            "home.lab.", "internal.dev."}));
  EXPECT_EQ(z ? z->to_string() : "", GetParam().zone) << GetParam().host;
}

INSTANTIATE_TEST_SUITE_P(Zones, ZoneFor, ::testing::ValuesIn(kZoneCases));

struct FilterCase {
  std::vector<std::string> include, exclude;
  std::string host;
  bool matches;
};

// external-dns' domain filter semantics (endpoint/domain_filter_test.go covers the same ground).
const std::vector<FilterCase> kFilterCases = {
    {{}, {}, "anything.example.org", true},
    {{"example.com"}, {}, "example.com", true},
    {{"example.com"}, {}, "www.example.com", true},
    {{"example.com"}, {}, "a.b.example.com", true},
    {{"example.com"}, {}, "*.example.com", true},
    {{"example.com"}, {}, "myexample.com", false},
    {{"example.com"}, {}, "example.org", false},
    {{"example.com."}, {}, "www.example.com.", true},
    {{" Example.COM "}, {}, "WWW.example.com", true},
    {{".example.com"}, {}, "example.com", false},
    {{".example.com"}, {}, "www.example.com", true},
    {{"example.com", "example.org"}, {}, "www.example.org", true},
    {{""}, {}, "anything.test", true},
    {{"example.com"}, {"internal.example.com"}, "www.example.com", true},
    {{"example.com"}, {"internal.example.com"}, "internal.example.com", false},
    {{"example.com"}, {"internal.example.com"}, "db.internal.example.com", false},
    {{"example.com"}, {".internal.example.com"}, "internal.example.com", true},
    {{}, {"example.com"}, "www.example.com", false},
    {{}, {"example.com"}, "example.org", true},
    {{}, {""}, "example.org", true},
};

class Filter : public ::testing::TestWithParam<FilterCase> {};

TEST_P(Filter, Matches) {
  const auto& c = GetParam();
  DomainFilter f{c.include, c.exclude};
  EXPECT_EQ(f.matches(c.host), c.matches) << c.host;
}

INSTANTIATE_TEST_SUITE_P(Filters, Filter, ::testing::ValuesIn(kFilterCases));

Endpoint ep(std::string name) {
  return Endpoint{std::move(name), "A", {"192.0.2.1"}, {}, {}, {}, "test/ns/x", {}};
}

TEST(AssignZones, SplitsIntoZonesUnmatchedFilteredAndInvalid) {
  auto a = assign_zones({ep("www.example.com"), ep("a.eu.example.com"), ep("www.example.org"),
                         ep("internal.example.com"), ep("bad..name"), ep("api.example.com")},
                        zones({"example.com.", "eu.example.com."}),
                        DomainFilter{{}, {"internal.example.com"}});
  auto ex = Name::parse("example.com.").value();
  auto eu = Name::parse("eu.example.com.").value();
  ASSERT_EQ(a.by_zone.size(), 2u);
  ASSERT_EQ(a.by_zone[ex].size(), 2u);
  EXPECT_EQ(a.by_zone[ex][0].dns_name, "www.example.com");
  EXPECT_EQ(a.by_zone[ex][1].dns_name, "api.example.com");
  ASSERT_EQ(a.by_zone[eu].size(), 1u);
  ASSERT_EQ(a.unmatched.size(), 1u);
  EXPECT_EQ(a.unmatched[0].dns_name, "www.example.org");
  ASSERT_EQ(a.filtered.size(), 1u);
  EXPECT_EQ(a.filtered[0].dns_name, "internal.example.com");
  ASSERT_EQ(a.invalid.size(), 1u);
  EXPECT_EQ(a.invalid[0].reason, "Invalid");
}

TEST(AssignZones, NoZonesMeansEverythingUnmatched) {
  auto a = assign_zones({ep("www.example.com")}, {}, {});
  EXPECT_TRUE(a.by_zone.empty());
  EXPECT_EQ(a.unmatched.size(), 1u);
}

}  // namespace
}  // namespace zk::sources
