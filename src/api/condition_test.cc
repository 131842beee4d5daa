#include "api/condition.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/reasons.h"

namespace zk::api {
namespace {

Condition ready(std::string_view status, std::string_view reason, std::string message = "",
                int64_t gen = 1) {
  return Condition{
      std::string(kReady), std::string(status), std::string(reason), std::move(message), gen, ""};
}

constexpr std::string_view kT0 = "2024-05-01T12:00:00Z";
constexpr std::string_view kT1 = "2024-05-01T12:05:00Z";

TEST(SetCondition, NewConditionTakesNow) {
  std::vector<Condition> c;
  EXPECT_TRUE(set_condition(c, ready(kFalse, reasons::kPending), kT0));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].last_transition_time, kT0);
  EXPECT_EQ(c[0].reason, "Pending");
}

TEST(SetCondition, SameConditionChangesNothing) {
  std::vector<Condition> c;
  (void)set_condition(c, ready(kTrue, reasons::kServed, "ok"), kT0);
  auto before = c;
  EXPECT_FALSE(set_condition(c, ready(kTrue, reasons::kServed, "ok"), kT1));
  EXPECT_EQ(c, before);
}

TEST(SetCondition, ReasonChangeKeepsTransitionTime) {
  std::vector<Condition> c;
  (void)set_condition(c, ready(kFalse, reasons::kPending), kT0);
  EXPECT_TRUE(set_condition(c, ready(kFalse, reasons::kConflict, "older wins"), kT1));
  EXPECT_EQ(c[0].reason, "Conflict");
  EXPECT_EQ(c[0].message, "older wins");
  EXPECT_EQ(c[0].last_transition_time, kT0);
  EXPECT_TRUE(set_condition(c, ready(kFalse, reasons::kConflict, "older wins", 2), kT1));
  EXPECT_EQ(c[0].observed_generation, 2);
  EXPECT_EQ(c[0].last_transition_time, kT0);
}

TEST(SetCondition, StatusChangeMovesTransitionTime) {
  std::vector<Condition> c;
  (void)set_condition(c, ready(kFalse, reasons::kPending), kT0);
  EXPECT_TRUE(set_condition(c, ready(kTrue, reasons::kServed), kT1));
  EXPECT_EQ(c[0].status, "True");
  EXPECT_EQ(c[0].last_transition_time, kT1);
}

TEST(SetCondition, KeepsOtherTypesAndOrder) {
  std::vector<Condition> c;
  (void)set_condition(c, ready(kTrue, reasons::kAllReady), kT0);
  (void)set_condition(c, Condition{std::string(kPropagated), "False", "SecondaryBehind", "", 1, ""},
                      kT0);
  EXPECT_TRUE(
      set_condition(c, Condition{std::string(kPropagated), "True", "InSync", "", 1, ""}, kT1));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].type, "Ready");
  EXPECT_EQ(c[0].last_transition_time, kT0);
  EXPECT_EQ(find_condition(c, kPropagated)->reason, "InSync");
  EXPECT_EQ(find_condition(c, "Other"), nullptr);
  EXPECT_TRUE(remove_condition(c, kPropagated));
  EXPECT_FALSE(remove_condition(c, kPropagated));
  EXPECT_EQ(c.size(), 1u);
}

TEST(SetCondition, GivenTransitionTimeIsKept) {
  std::vector<Condition> c;
  auto cond = ready(kTrue, reasons::kServed);
  cond.last_transition_time = "2020-01-01T00:00:00Z";
  (void)set_condition(c, cond, kT0);
  EXPECT_EQ(c[0].last_transition_time, "2020-01-01T00:00:00Z");
}

TEST(Conditions, JsonRoundTrip) {
  std::vector<Condition> c;
  (void)set_condition(c, ready(kFalse, reasons::kInvalidSpec, "spec.ttl: bad", 4), kT0);
  auto json = conditions_to_json(c);
  EXPECT_EQ(boost::json::serialize(json),
            R"([{"type":"Ready","status":"False","reason":"InvalidSpec","message":"spec.ttl: bad",)"
            R"("observedGeneration":4,"lastTransitionTime":"2024-05-01T12:00:00Z"}])");
  EXPECT_EQ(conditions_from_json(json).value(), c);
  EXPECT_TRUE(conditions_from_json(boost::json::value()).value().empty());
  auto bad = conditions_from_json(boost::json::parse(R"([{"status":"True"}])"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "status.conditions[0].type: required");
}

}  // namespace
}  // namespace zk::api
