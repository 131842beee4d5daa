#include "api/selecting_zones.h"

#include <gtest/gtest.h>

#include <random>

namespace zk::api {
namespace {

ZoneRef zone_with(std::string name, std::vector<LabelSelector> selectors) {
  auto z = std::make_shared<Zone>();
  Zone& zr = *z;
  zr.ns = "dns";
  zr.name = std::move(name);
  for (auto& s : selectors) zr.records_from.push_back({std::move(s), std::nullopt});
  return z;
}

LabelSelector parsed(std::string_view text) {
  return LabelSelector::parse(text).value();
}

std::vector<std::string> names(const std::vector<const Zone*>& zones) {
  std::vector<std::string> out;
  out.reserve(zones.size());
  for (const Zone* z : zones) out.push_back(z->name);
  return out;
}

TEST(SelectingZones, FilesEachEntryUnderALabelItRequires) {
  SelectingZones index({
      zone_with("pair", {parsed("zone=a,tier=web")}),
      zone_with("in", {parsed("zone in (a,b)")}),
      zone_with("exists", {parsed("zone")}),          // requires no value: asked always
      zone_with("none", {LabelSelector::nothing()}),  // matches nothing: never asked
      zone_with("two", {parsed("zone=c"), parsed("team=x")}),
  });
  using V = std::vector<std::string>;
  EXPECT_EQ(names(index.candidates({{"zone", "a"}})), (V{"exists", "in", "pair"}));
  EXPECT_EQ(names(index.candidates({{"zone", "b"}})), (V{"exists", "in"}));
  EXPECT_EQ(names(index.candidates({{"zone", "c"}, {"team", "x"}})), (V{"exists", "two"}));
  EXPECT_EQ(names(index.candidates({})), (V{"exists"}));
  ASSERT_NE(index.find("dns", "two"), nullptr);
  EXPECT_EQ(index.find("dns", "two")->name, "two");
  EXPECT_EQ(index.find("dns", "three"), nullptr);
  EXPECT_EQ(index.find("other", "two"), nullptr);
}

TEST(SelectingZones, EqualByContentWhateverTheOrderGiven) {
  ZoneRef a = zone_with("a", {parsed("zone=a")}), b = zone_with("b", {parsed("zone=b")});
  EXPECT_EQ(SelectingZones({a, b}), SelectingZones({b, zone_with("a", {parsed("zone=a")})}));
  EXPECT_NE(SelectingZones({a, b}), SelectingZones({a, zone_with("b", {parsed("zone=c")})}));
  EXPECT_NE(SelectingZones({a, b}), SelectingZones({a}));
}

// Whatever the selectors and labels, every zone that selects a record is a candidate, once, in
// name order.
TEST(SelectingZones, CandidatesHoldEverySelectingZone) {
  std::mt19937 rng(7);
  const std::vector<std::string> keys = {"zone", "tier", "team"};
  const std::vector<std::string> values = {"a", "b", "c"};
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  const std::vector<std::string> forms = {
      "{k}={v}", "{k}!={v}", "{k} in ({v},{w})", "{k} notin ({v})", "{k}",
      "!{k}",    "",         "{k}={v},{j}"};
  for (int round = 0; round < 2000; ++round) {
    std::vector<ZoneRef> zones;
    int n = std::uniform_int_distribution<int>(1, 6)(rng);
    for (int i = 0; i < n; ++i) {
      std::vector<LabelSelector> sels;
      int m = std::uniform_int_distribution<int>(0, 2)(rng);
      for (int j = 0; j < m; ++j) {
        if (rng() % 10 == 0) {
          sels.push_back(LabelSelector::nothing());
          continue;
        }
        std::string text = pick(forms), k = pick(keys), j2 = pick(keys);
        if (j2 == k) j2 = "other";
        for (auto [from, to] : {std::pair<std::string, std::string>{"{k}", k},
                                {"{j}", j2},
                                {"{v}", pick(values)},
                                {"{w}", pick(values)}}) {
          for (size_t at; (at = text.find(from)) != std::string::npos;) {
            text.replace(at, from.size(), to);
          }
        }
        sels.push_back(parsed(text));
      }
      zones.push_back(zone_with("z" + std::to_string(i), std::move(sels)));
    }
    SelectingZones index(zones);
    ObjectMeta record;
    record.ns = "dns";
    for (const std::string& k : keys) {
      if (rng() % 2) record.labels[k] = pick(values);
    }
    std::vector<const Zone*> got = index.candidates(record.labels);
    std::vector<std::string> got_names = names(got);
    ASSERT_TRUE(std::is_sorted(got_names.begin(), got_names.end()));
    ASSERT_EQ(std::adjacent_find(got_names.begin(), got_names.end()), got_names.end());
    for (const ZoneRef& z : zones) {
      if (z->selects(record)) {
        ASSERT_NE(std::find(got.begin(), got.end(), z.get()), got.end())
            << z->name << " selects but is not a candidate (round " << round << ")";
      }
    }
  }
}

}  // namespace
}  // namespace zk::api
