#include "managed/key_ring.h"

#include <gtest/gtest.h>

namespace zk::managed {
namespace {

KeyGeneration gen(int n, std::string tsig) {
  return KeyGeneration{n, std::move(tsig), "rndc" + std::to_string(n)};
}

RotationObservation everything() {
  return RotationObservation{.primary_accepts_new = true,
                             .secondaries_rolled = true,
                             .secondaries_accept_new = true,
                             .servers_refuse_retired = true};
}

TEST(KeyRing, NamesKeepGenerationZeroAsKeysWereNamedBefore) {
  EXPECT_EQ(tsig_key_name("p", 0), "zonekeeper-p");
  EXPECT_EQ(tsig_key_name("p", 3), "zonekeeper-p-3");
  EXPECT_EQ(rndc_key_name(0), "rndc-key");
  EXPECT_EQ(rndc_key_name(3), "rndc-key-3");
}

TEST(KeyRing, TextRoundTripsEveryPhase) {
  KeyRing ring = new_key_ring(gen(0, "T0"));
  EXPECT_EQ(parse_key_ring(key_ring_text(ring)).value(), ring);
  const RotationObservation all = everything();
  int64_t now = 100;
  for (int i = 0; i < 4; ++i) {
    RotationStep s = rotation_step(ring, "value with spaces", all, now, gen(9, "T1"));
    ASSERT_TRUE(s.next) << i;
    ring = *s.next;
    auto back = parse_key_ring(key_ring_text(ring));
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, ring) << key_ring_text(ring);
    now += kSwitchDwellSeconds;
  }
  EXPECT_EQ(ring.rotation, "value with spaces");
}

TEST(KeyRing, ARotationAddsSwitchesThenDrops) {
  const KeyRing start = new_key_ring(gen(0, "T0"));
  const RotationObservation all = everything();
  // Nothing asked, or asked and done: nothing to do.
  EXPECT_FALSE(rotation_step(start, "", all, 10, gen(0, "T1")).next);

  RotationStep s = rotation_step(start, "r1", all, 10, gen(0, "T1"));
  ASSERT_TRUE(s.next);
  const KeyRing adding = *s.next;
  EXPECT_EQ(adding.phase, RotationPhase::Adding);
  EXPECT_EQ(adding.rotation, "r1");
  ASSERT_EQ(adding.accepted.size(), 2u);
  EXPECT_EQ(adding.accepted[0], gen(0, "T0"));  // the old key still signs
  EXPECT_EQ(adding.accepted[1].number, 1);      // numbered here
  EXPECT_EQ(adding.accepted[1].tsig_secret, "T1");
  EXPECT_EQ(tsig_key_names("p", adding),
            (std::vector<std::string>{"zonekeeper-p", "zonekeeper-p-1"}));

  s = rotation_step(adding, "r1", all, 11, gen(0, "X"));
  ASSERT_TRUE(s.next);
  const KeyRing switching = *s.next;
  EXPECT_EQ(switching.phase, RotationPhase::Switching);
  EXPECT_EQ(switching.phase_since, 11);
  EXPECT_EQ(switching.accepted[0].number, 1);  // the new key signs, the old is still accepted
  EXPECT_EQ(switching.accepted[1].number, 0);

  // Not before every replica had time to see the new key.
  s = rotation_step(switching, "r1", all, 11 + kSwitchDwellSeconds - 1, gen(0, "X"));
  EXPECT_FALSE(s.next);
  EXPECT_EQ(s.waiting_for, "every zonekeeper replica to sign with the new key");
  s = rotation_step(switching, "r1", all, 11 + kSwitchDwellSeconds, gen(0, "X"));
  ASSERT_TRUE(s.next);
  const KeyRing dropping = *s.next;
  EXPECT_EQ(dropping.phase, RotationPhase::Dropping);
  ASSERT_EQ(dropping.accepted.size(), 1u);
  EXPECT_EQ(dropping.accepted[0].number, 1);
  ASSERT_TRUE(dropping.retired);
  EXPECT_EQ(dropping.retired->number, 0);

  s = rotation_step(dropping, "r1", all, 30, gen(0, "X"));
  ASSERT_TRUE(s.next);
  EXPECT_EQ(s.next->phase, RotationPhase::Done);
  EXPECT_FALSE(s.next->retired);
  EXPECT_EQ(s.next->accepted, dropping.accepted);
  // Done with r1; r2 starts another, numbered after the one that signs.
  EXPECT_FALSE(rotation_step(*s.next, "r1", all, 31, gen(0, "X")).next);
  RotationStep again = rotation_step(*s.next, "r2", all, 31, gen(0, "T2"));
  ASSERT_TRUE(again.next);
  EXPECT_EQ(again.next->accepted[1].number, 2);
}

TEST(KeyRing, EachStepSaysWhatItDidForAnEvent) {
  const RotationObservation all = everything();
  KeyRing ring = *rotation_step(new_key_ring(gen(0, "T0")), "r1", all, 0, gen(0, "T1")).next;
  EXPECT_EQ(step_message("p", ring),
            "key rotation \"r1\": the servers learn zonekeeper-p-1; zonekeeper-p still signs");
  ring = *rotation_step(ring, "r1", all, 1, {}).next;
  EXPECT_EQ(step_message("p", ring),
            "key rotation \"r1\": zonekeeper-p-1 signs now; zonekeeper-p is still accepted");
  ring = *rotation_step(ring, "r1", all, 10, {}).next;
  EXPECT_EQ(step_message("p", ring), "key rotation \"r1\": the servers forget zonekeeper-p");
  ring = *rotation_step(ring, "r1", all, 11, {}).next;
  EXPECT_EQ(step_message("p", ring), "key rotation \"r1\": done: zonekeeper-p-1 alone is accepted");
}

TEST(KeyRing, EachPhaseWaitsForWhatMakesTheNextSafe) {
  KeyRing adding = *rotation_step(new_key_ring(gen(0, "T0")), "r", {}, 0, gen(0, "T1")).next;
  RotationObservation seen;
  EXPECT_EQ(rotation_step(adding, "r", seen, 9, {}).waiting_for,
            "the Primary to accept the new key");
  seen.primary_accepts_new = true;
  EXPECT_EQ(rotation_step(adding, "r", seen, 9, {}).waiting_for,
            "the Secondary Pods to restart with the new key");
  seen.secondaries_rolled = true;
  EXPECT_EQ(rotation_step(adding, "r", seen, 9, {}).waiting_for,
            "the Secondary Pods to accept the new key");
  // Another value meanwhile does not cut a rotation short.
  seen.secondaries_accept_new = true;
  RotationStep s = rotation_step(adding, "other", seen, 9, {});
  ASSERT_TRUE(s.next);
  EXPECT_EQ(s.next->rotation, "r");

  KeyRing switching = *s.next;
  EXPECT_EQ(rotation_step(switching, "r", {}, 100, {}).waiting_for,
            "the Secondary Pods to run with both keys");
  KeyRing dropping = *rotation_step(switching, "r", everything(), 100, {}).next;
  EXPECT_EQ(rotation_step(dropping, "r", {}, 100, {}).waiting_for,
            "the Secondary Pods to restart with the new key alone");
  EXPECT_EQ(rotation_step(dropping, "r", {.secondaries_rolled = true}, 100, {}).waiting_for,
            "the servers to refuse the old key");
}

// A Secondary restarts twice per rotation: to learn the new key (Adding), and to transfer with it
// and forget the old one (Dropping); Switching changes nothing on it.
TEST(KeyRing, ASecondaryTransfersWithTheOldKeyUntilDropping) {
  const std::vector<std::string> old_first{"k", "k-1"}, new_first{"k-1", "k"}, alone{"k-1"};
  EXPECT_EQ(secondary_key_names(old_first, RotationPhase::Adding), old_first);
  EXPECT_EQ(secondary_key_names(new_first, RotationPhase::Switching), old_first);
  EXPECT_EQ(secondary_key_names(alone, RotationPhase::Dropping), alone);
  EXPECT_EQ(secondary_key_names(alone, RotationPhase::Done), alone);
  EXPECT_EQ(parse_phase("Switching"), RotationPhase::Switching);
  EXPECT_EQ(parse_phase("switching"), std::nullopt);
}

TEST(KeyRing, ATextThatDoesNotFitItsPhaseIsRefused) {
  EXPECT_EQ(parse_key_ring("").error(), "keys: no `key` line");
  EXPECT_EQ(parse_key_ring("key x T R\n").error(), "keys line 1: expected `key N TSIG RNDC`");
  EXPECT_EQ(parse_key_ring("key 0 T R\nfoo\n").error(), "keys line 2: unknown `foo`");
  EXPECT_EQ(parse_key_ring("rotation Later 0 r\nkey 0 T R\n").error(),
            "keys line 1: expected `rotation PHASE SINCE VALUE`");
  EXPECT_EQ(parse_key_ring("rotation Adding 5 r\nkey 0 T R\n").error(),
            "keys: 1 accepted key(s) do not fit phase Adding");
  EXPECT_EQ(parse_key_ring("rotation Done 5 r\nkey 0 T R\nretired 1 A B\n").error(),
            "keys: 1 accepted key(s) and a retired one do not fit phase Done");
  // Written before rotations existed: no rotation line.
  KeyRing plain = parse_key_ring("key 0 T R\n").value();
  EXPECT_EQ(plain.phase, RotationPhase::Done);
  EXPECT_EQ(plain.rotation, "");
}

}  // namespace
}  // namespace zk::managed
