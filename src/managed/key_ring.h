// A managed Primary's keys (docs/api.md "Key rotation"): generations of one TSIG key and one
// rndc key, which the servers accept, which one signs, and where a rotation is — as the keys
// Secret holds them (data `keys`), and the steps of a rotation that never fails an UPDATE or a
// transfer: a new key is accepted everywhere before anyone signs with it, and the old one is
// dropped only once nobody signs with it. Pure: the reconciler observes, this decides.
//
//   KeyRing ring = new_key_ring({0, tsig, rndc});
//   RotationStep s = rotation_step(ring, "2026-12-06", seen, now, fresh);
//   if (s.next) write(*s.next);   // else wait: s.waiting_for says for what
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"

namespace zk::managed {

// How long zonekeeper signs with the new key before the old one is dropped, at least: every
// replica's informer has seen the Secret by then (sharded replicas write zones too).
inline constexpr int64_t kSwitchDwellSeconds = 5;

struct KeyGeneration {
  int number = 0;
  std::string tsig_secret;  // base64, hmac-sha256
  std::string rndc_secret;
  bool operator==(const KeyGeneration&) const = default;
};

enum class RotationPhase {
  Done,       // one key (or no rotation ever)
  Adding,     // [old, new]: the servers learn the new key; the old one signs
  Switching,  // [new, old]: the new key signs (zonekeeper, the Primary's agent)
  Dropping,   // [new]: the servers forget the old key (kept as `retired` to see it refused)
};
std::string_view phase_name(RotationPhase phase);
std::optional<RotationPhase> parse_phase(std::string_view name);

struct KeyRing {
  std::vector<KeyGeneration> accepted;   // what the servers accept; accepted[0] signs
  std::optional<KeyGeneration> retired;  // Dropping: the key taken away
  std::string rotation;                  // the rotate-keys value acted on last ("" never)
  RotationPhase phase = RotationPhase::Done;
  int64_t phase_since = 0;  // unix seconds
  bool operator==(const KeyRing&) const = default;
};

// Key names: generation 0 keeps the names keys had before rotations existed.
std::string tsig_key_name(std::string_view primary_instance, int generation);  // zonekeeper-p[-N]
std::string rndc_key_name(int generation);                                     // rndc-key[-N]
// The TSIG key names of the accepted generations, the signing one first.
std::vector<std::string> tsig_key_names(std::string_view primary_instance, const KeyRing& ring);
// What a Secondary runs with in `phase`, from those names: the keys it accepts, the one it
// transfers with first. The same as `names` but while Switching, when it keeps transferring
// with the old key (so Switching restarts no Secondary; Dropping moves it to the new key alone
// once every zonekeeper replica signs with it).
std::vector<std::string> secondary_key_names(std::vector<std::string> names, RotationPhase phase);

KeyRing new_key_ring(KeyGeneration first);

// The Secret's `keys` text and back. A line per fact: `rotation PHASE SINCE VALUE…`, then
// `key N TSIG RNDC` per accepted generation in order, `retired N TSIG RNDC`.
std::string key_ring_text(const KeyRing& ring);
model::Parsed<KeyRing> parse_key_ring(std::string_view text);

// What the reconciler saw of the servers for the ring's phase (each false when not looked at).
struct RotationObservation {
  bool primary_accepts_new = false;     // a query signed with accepted.back() was answered
  bool secondaries_rolled = false;      // every Secondary Pod runs the ring's configuration
  bool secondaries_accept_new = false;  // … and answers a query signed with the new key
  bool servers_refuse_retired = false;  // Primary and Secondary Pods answer BADKEY to it
};

struct RotationStep {
  std::optional<KeyRing> next;  // the ring to write now; nullopt: nothing to do yet
  std::string waiting_for;      // when in a rotation and not moving: what it waits for
};

// What a step that led to `ring` did, in words for an Event: "key rotation \"r1\": zonekeeper-p-1
// signs now; zonekeeper-p is still accepted".
std::string step_message(std::string_view primary_instance, const KeyRing& ring);

// The next step for `ring` when the instance asks for rotation `requested` ("" none). A new
// rotation starts only from Done, with `fresh` (its number is set here).
RotationStep rotation_step(const KeyRing& ring, std::string_view requested,
                           const RotationObservation& seen, int64_t now, KeyGeneration fresh);

}  // namespace zk::managed
