#include "api/label_selector.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::api {
namespace {

LabelSelector sel(std::string_view json) {
  auto v = boost::json::parse(json);
  return LabelSelector::decode(&v, "selector").value();
}

struct Case {
  const char* selector;
  Labels labels;
  bool match;
};

class SelectorMatches : public testing::TestWithParam<Case> {};

TEST_P(SelectorMatches, FollowsKubernetesSemantics) {
  const Case& c = GetParam();
  EXPECT_EQ(sel(c.selector).matches(c.labels), c.match) << c.selector;
}

INSTANTIATE_TEST_SUITE_P(
    Table, SelectorMatches,
    testing::Values(
        // An empty selector matches everything, even objects without labels.
        Case{R"({})", {}, true}, Case{R"({})", {{"a", "b"}}, true},
        Case{R"({"matchLabels":{}})", {}, true},
        Case{R"({"matchLabels":{"zone":"ext"}})", {{"zone", "ext"}, {"x", "y"}}, true},
        Case{R"({"matchLabels":{"zone":"ext"}})", {{"zone", "int"}}, false},
        Case{R"({"matchLabels":{"zone":"ext"}})", {}, false},
        Case{R"({"matchLabels":{"zone":"ext","team":"a"}})", {{"zone", "ext"}}, false},
        Case{R"({"matchLabels":{"zone":""}})", {{"zone", ""}}, true},
        Case{R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod","stage"]}]})",
             {{"env", "stage"}},
             true},
        Case{R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod"]}]})",
             {{"env", "dev"}},
             false},
        Case{
            R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod"]}]})", {}, false},
        // NotIn matches objects that lack the key.
        Case{R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})",
             {},
             true},
        Case{R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})",
             {{"env", "prod"}},
             false},
        Case{R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})",
             {{"env", "dev"}},
             true},
        Case{R"({"matchExpressions":[{"key":"dns","operator":"Exists"}]})", {{"dns", ""}}, true},
        Case{R"({"matchExpressions":[{"key":"dns","operator":"Exists"}]})", {{"x", "y"}}, false},
        Case{R"({"matchExpressions":[{"key":"skip","operator":"DoesNotExist"}]})", {}, true},
        Case{R"({"matchExpressions":[{"key":"skip","operator":"DoesNotExist","values":[]}]})",
             {{"skip", "1"}},
             false},
        // matchLabels AND matchExpressions, all expressions ANDed.
        Case{
            R"({"matchLabels":{"zone":"ext"},"matchExpressions":[{"key":"env","operator":"In","values":["prod"]},{"key":"skip","operator":"DoesNotExist"}]})",
            {{"zone", "ext"}, {"env", "prod"}},
            true},
        Case{
            R"({"matchLabels":{"zone":"ext"},"matchExpressions":[{"key":"env","operator":"In","values":["prod"]},{"key":"skip","operator":"DoesNotExist"}]})",
            {{"zone", "ext"}, {"env", "prod"}, {"skip", "yes"}},
            false},
        Case{
            R"({"matchLabels":{"zone":"ext"},"matchExpressions":[{"key":"env","operator":"In","values":["prod"]}]})",
            {{"zone", "int"}, {"env", "prod"}},
            false}));

TEST(LabelSelector, NullOrAbsentMatchesNothing) {
  auto absent = LabelSelector::decode(nullptr, "selector");
  ASSERT_TRUE(absent);
  EXPECT_TRUE(absent->is_null);
  EXPECT_FALSE(absent->matches({}));
  EXPECT_FALSE(absent->matches({{"a", "b"}}));
  EXPECT_EQ(absent->to_string(), "<none>");
  EXPECT_TRUE(LabelSelector::everything().matches({}));
}

TEST(LabelSelector, ToStringIsKubectlLike) {
  EXPECT_EQ(
      sel(R"({"matchLabels":{"a":"1"},"matchExpressions":[{"key":"b","operator":"In","values":["x","y"]},{"key":"c","operator":"DoesNotExist"},{"key":"d","operator":"Exists"},{"key":"e","operator":"NotIn","values":["z"]}]})")
          .to_string(),
      "a=1,b in (x,y),!c,d,e notin (z)");
  EXPECT_EQ(sel("{}").to_string(), "");
}

TEST(LabelSelector, DecodeRefusesWhatTheApiServerRefuses) {
  struct Bad {
    const char* json;
    const char* error;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"([])", "selector: must be an object, got []"},
           {R"({"matchLabels":{"a":1}})", "selector.matchLabels.a: must be a string, got 1"},
           {R"({"matchLabels":["a"]})", "selector.matchLabels: must be an object, got [\"a\"]"},
           {R"({"matchExpressions":[{"key":"a","operator":"Equals","values":["x"]}]})",
            "selector.matchExpressions[0].operator: \"Equals\" is not In, NotIn, Exists or "
            "DoesNotExist"},
           {R"({"matchExpressions":[{"key":"a","operator":"In"}]})",
            "selector.matchExpressions[0].values: must be non-empty for operator In"},
           {R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]})",
            "selector.matchExpressions[0].values: must be non-empty for operator NotIn"},
           {R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
            "selector.matchExpressions[0].values: must be empty for operator Exists"},
           {R"({"matchExpressions":[{"operator":"Exists"}]})",
            "selector.matchExpressions[0].key: required"},
           {R"({"matchExpressions":[{"key":"","operator":"Exists"}]})",
            "selector.matchExpressions[0].key: must not be empty"},
       }) {
    auto v = boost::json::parse(b.json);
    auto s = LabelSelector::decode(&v, "selector");
    ASSERT_FALSE(s) << b.json;
    EXPECT_EQ(s.error(), b.error) << b.json;
  }
}

}  // namespace
}  // namespace zk::api

namespace zk::api {
namespace {

TEST(LabelSelectorParse, TheStringFormOfKubectlAndExternalDns) {
  auto sel = LabelSelector::parse("env=prod, tier in (front, back),team!=ops,!legacy,app");
  ASSERT_TRUE(sel) << sel.error();
  EXPECT_EQ(sel->match_expressions.size(), 5u);
  EXPECT_TRUE(sel->matches({{"env", "prod"}, {"tier", "front"}, {"app", "x"}}));
  EXPECT_TRUE(sel->matches({{"env", "prod"}, {"tier", "back"}, {"app", ""}, {"team", "dev"}}));
  EXPECT_FALSE(sel->matches({{"env", "prod"}, {"tier", "front"}, {"app", "x"}, {"team", "ops"}}));
  EXPECT_FALSE(sel->matches({{"env", "prod"}, {"tier", "front"}, {"app", "x"}, {"legacy", "1"}}));
  EXPECT_FALSE(sel->matches({{"env", "dev"}, {"tier", "front"}, {"app", "x"}}));
  EXPECT_FALSE(sel->matches({{"env", "prod"}, {"tier", "front"}})) << "app must exist";
  EXPECT_EQ(LabelSelector::parse("a==b").value(), LabelSelector::parse("a=b").value());
  EXPECT_EQ(LabelSelector::parse("example.com/team notin (a,b)").value().match_expressions[0].op,
            LabelRequirement::Op::NotIn);
  EXPECT_EQ(LabelSelector::parse("").value(), LabelSelector::everything());
  EXPECT_EQ(LabelSelector::parse("  ").value(), LabelSelector::everything());
  EXPECT_TRUE(LabelSelector::parse("k=").value().matches({{"k", ""}}));
}

TEST(LabelSelectorParse, WhatKubernetesRefusesIsRefusedWithAReason) {
  for (std::string_view bad : {"a=b,", ",a", "a in (x", "a in x)", "a in ((x))", "a foo (x)",
                               "a in (x) y", "-a=b", "a=b-", "a b=c", "Upper.Case/x=y",
                               // One selector, a 64-character value: one character too many.
                               // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
                               "a="
                               "0123456789012345678901234567890123456789012345678901234567890123",
                               "!", "a in (b c)"}) {
    auto sel = LabelSelector::parse(bad);
    EXPECT_FALSE(sel) << bad;
    if (!sel) {
      EXPECT_FALSE(sel.error().empty());
    }
  }
  EXPECT_NE(LabelSelector::parse("a foo (x)").error().find("expected \"in\" or \"notin\""),
            std::string::npos);
}

}  // namespace
}  // namespace zk::api
