#include "managed/key_ring.h"

#include <charconv>
#include <utility>

#include <fmt/format.h>

namespace zk::managed {

namespace {

constexpr std::pair<RotationPhase, std::string_view> kPhases[] = {
    {RotationPhase::Done, "Done"},
    {RotationPhase::Adding, "Adding"},
    {RotationPhase::Switching, "Switching"},
    {RotationPhase::Dropping, "Dropping"},
};

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  for (size_t at = 0; at < line.size();) {
    const size_t start = line.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    at = end;
  }
  return out;
}

template <class T>
bool number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

model::Parsed<KeyGeneration> generation(const std::vector<std::string_view>& w, size_t line) {
  KeyGeneration g;
  if (w.size() != 4 || !number(w[1], g.number) || g.number < 0 || w[2].empty() || w[3].empty()) {
    return tl::unexpected(fmt::format("keys line {}: expected `{} N TSIG RNDC`", line, w[0]));
  }
  g.tsig_secret = std::string(w[2]);
  g.rndc_secret = std::string(w[3]);
  return g;
}

std::string generation_line(std::string_view what, const KeyGeneration& g) {
  return fmt::format("{} {} {} {}\n", what, g.number, g.tsig_secret, g.rndc_secret);
}

KeyRing in_phase(KeyRing ring, RotationPhase phase, int64_t now) {
  ring.phase = phase;
  ring.phase_since = now;
  return ring;
}

}  // namespace

std::string_view phase_name(RotationPhase phase) {
  for (const auto& [p, name] : kPhases) {
    if (p == phase) return name;
  }
  return "Done";
}

std::optional<RotationPhase> parse_phase(std::string_view name) {
  for (const auto& [p, n] : kPhases) {
    if (n == name) return p;
  }
  return std::nullopt;
}

std::vector<std::string> secondary_key_names(std::vector<std::string> names, RotationPhase phase) {
  if (phase == RotationPhase::Switching && names.size() == 2) std::swap(names[0], names[1]);
  return names;
}

std::string tsig_key_name(std::string_view primary_instance, int generation) {
  if (generation == 0) return fmt::format("zonekeeper-{}", primary_instance);
  return fmt::format("zonekeeper-{}-{}", primary_instance, generation);
}

std::string rndc_key_name(int generation) {
  return generation == 0 ? std::string("rndc-key") : fmt::format("rndc-key-{}", generation);
}

std::vector<std::string> tsig_key_names(std::string_view primary_instance, const KeyRing& ring) {
  std::vector<std::string> out;
  for (const KeyGeneration& g : ring.accepted) {
    out.push_back(tsig_key_name(primary_instance, g.number));
  }
  return out;
}

KeyRing new_key_ring(KeyGeneration first) {
  KeyRing ring;
  ring.accepted.push_back(std::move(first));
  return ring;
}

std::string key_ring_text(const KeyRing& ring) {
  std::string out = "# zonekeeper's keys: the first `key` signs; every `key` is accepted.\n";
  std::string value = ring.rotation;
  for (char& c : value) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  out += fmt::format("rotation {} {} {}\n", phase_name(ring.phase), ring.phase_since, value);
  for (const KeyGeneration& g : ring.accepted) out += generation_line("key", g);
  if (ring.retired) out += generation_line("retired", *ring.retired);
  return out;
}

model::Parsed<KeyRing> parse_key_ring(std::string_view text) {
  KeyRing ring;
  size_t line_number = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++line_number;
    const std::vector<std::string_view> w = words(line);
    if (w.empty() || w[0].starts_with('#')) continue;
    if (w[0] == "key" || w[0] == "retired") {
      auto g = generation(w, line_number);
      if (!g) return tl::unexpected(g.error());
      if (w[0] == "key") {
        ring.accepted.push_back(std::move(*g));
      } else {
        ring.retired = std::move(*g);
      }
    } else if (w[0] == "rotation") {
      const std::optional<RotationPhase> phase = w.size() >= 2 ? parse_phase(w[1]) : std::nullopt;
      if (phase) ring.phase = *phase;
      if (!phase || w.size() < 3 || !number(w[2], ring.phase_since)) {
        return tl::unexpected(
            fmt::format("keys line {}: expected `rotation PHASE SINCE VALUE`", line_number));
      }
      // The value is the rest of the line after the third word (it may hold spaces).
      const size_t value_at = line.find(w[2]) + w[2].size();
      std::string_view value = line.substr(value_at);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      ring.rotation = std::string(value);
    } else {
      return tl::unexpected(fmt::format("keys line {}: unknown `{}`", line_number, w[0]));
    }
  }
  if (ring.accepted.empty()) return tl::unexpected(std::string("keys: no `key` line"));
  const size_t want =
      ring.phase == RotationPhase::Adding || ring.phase == RotationPhase::Switching ? 2 : 1;
  if (ring.accepted.size() != want || (ring.phase == RotationPhase::Dropping) != !!ring.retired) {
    return tl::unexpected(
        fmt::format("keys: {} accepted key(s){} do not fit phase {}", ring.accepted.size(),
                    ring.retired ? " and a retired one" : "", phase_name(ring.phase)));
  }
  return ring;
}

std::string step_message(std::string_view primary_instance, const KeyRing& ring) {
  auto name = [&](const KeyGeneration& g) { return tsig_key_name(primary_instance, g.number); };
  const std::string head = fmt::format("key rotation \"{}\": ", ring.rotation);
  switch (ring.phase) {
    case RotationPhase::Adding:
      return head + fmt::format("the servers learn {}; {} still signs", name(ring.accepted.back()),
                                name(ring.accepted.front()));
    case RotationPhase::Switching:
      return head + fmt::format("{} signs now; {} is still accepted", name(ring.accepted.front()),
                                name(ring.accepted.back()));
    case RotationPhase::Dropping:
      return head + fmt::format("the servers forget {}",
                                ring.retired ? name(*ring.retired) : std::string("the old key"));
    case RotationPhase::Done:
      break;
  }
  return head + fmt::format("done: {} alone is accepted", name(ring.accepted.front()));
}

RotationStep rotation_step(const KeyRing& ring, std::string_view requested,
                           const RotationObservation& seen, int64_t now, KeyGeneration fresh) {
  RotationStep step;
  switch (ring.phase) {
    case RotationPhase::Done: {
      if (requested.empty() || requested == ring.rotation || ring.accepted.empty()) return step;
      KeyRing next = in_phase(ring, RotationPhase::Adding, now);
      fresh.number = ring.accepted.front().number + 1;
      next.accepted = {ring.accepted.front(), std::move(fresh)};
      next.retired.reset();
      next.rotation = std::string(requested);
      step.next = std::move(next);
      return step;
    }
    case RotationPhase::Adding:
      if (!seen.primary_accepts_new) {
        step.waiting_for = "the Primary to accept the new key";
      } else if (!seen.secondaries_rolled) {
        step.waiting_for = "the Secondary Pods to restart with the new key";
      } else if (!seen.secondaries_accept_new) {
        step.waiting_for = "the Secondary Pods to accept the new key";
      } else {
        KeyRing next = in_phase(ring, RotationPhase::Switching, now);
        std::swap(next.accepted.front(), next.accepted.back());
        step.next = std::move(next);
      }
      return step;
    case RotationPhase::Switching:
      if (!seen.secondaries_rolled) {
        step.waiting_for = "the Secondary Pods to run with both keys";
      } else if (now - ring.phase_since < kSwitchDwellSeconds) {
        step.waiting_for = "every zonekeeper replica to sign with the new key";
      } else {
        KeyRing next = in_phase(ring, RotationPhase::Dropping, now);
        next.retired = next.accepted.back();
        next.accepted.pop_back();
        step.next = std::move(next);
      }
      return step;
    case RotationPhase::Dropping:
      if (!seen.secondaries_rolled) {
        step.waiting_for = "the Secondary Pods to restart with the new key alone";
      } else if (!seen.servers_refuse_retired) {
        step.waiting_for = "the servers to refuse the old key";
      } else {
        KeyRing next = in_phase(ring, RotationPhase::Done, now);
        next.retired.reset();
        step.next = std::move(next);
      }
      return step;
  }
  return step;
}

}  // namespace zk::managed
