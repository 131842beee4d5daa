#include "api/spec_name.h"

#include <fmt/format.h>

namespace zk::api {
namespace {

bool host_rule(NameRule r) {
  return r == NameRule::HostOwner || r == NameRule::Host || r == NameRule::HostOrRoot;
}

bool owner_rule(NameRule r) {
  return r == NameRule::Owner || r == NameRule::HostOwner;
}

bool alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

model::Parsed<bool> check_name_labels(const model::Name& name, NameRule rule,
                                      std::string_view shown_as) {
  auto labels = name.labels();
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& l = labels[i];
    if (l == "*" && i == 0 && owner_rule(rule)) continue;
    if (l == "*") {
      return model::invalid(fmt::format(
          "\"{}\": '*' is allowed only as the whole leftmost label of a record name", shown_as));
    }
    for (unsigned char c : l) {
      if (alnum(c) || c == '-') continue;
      if (c == '_' && !host_rule(rule)) continue;
      if (c == '_') {
        return model::invalid(fmt::format(
            "\"{}\": label \"{}\" holds '_', which a host name cannot contain", shown_as, l));
      }
      return model::invalid(fmt::format(
          "\"{}\": label \"{}\" holds {}; allowed are letters, digits, '-'{}", shown_as, l,
          c >= 0x21 && c < 0x7f ? fmt::format("'{}'", static_cast<char>(c))
                                : fmt::format("the octet 0x{:02x}", c),
          host_rule(rule) ? "" : " and '_'"));
    }
    if (l.front() == '-' || l.back() == '-') {
      return model::invalid(
          fmt::format("\"{}\": label \"{}\" starts or ends with '-'", shown_as, l));
    }
  }
  return true;
}

model::Parsed<model::Name> parse_spec_name(std::string_view text, const model::Name& zone,
                                           NameRule rule) {
  if (text.empty()) return model::invalid("the name is empty");
  if (text == "@") return zone;
  if (text == ".") {
    if (rule == NameRule::HostOrRoot) return model::Name();
    return model::invalid("\".\" (the root) is not allowed here");
  }
  if (text.find('\\') != std::string_view::npos) {
    return model::invalid(fmt::format("\"{}\": escapes ('\\') are not allowed in names", text));
  }
  auto name = model::Name::parse(text, &zone);
  if (!name) return tl::unexpected(name.error());  // names the text and the broken rule
  auto ok = check_name_labels(*name, rule, text);
  if (!ok) return tl::unexpected(ok.error());
  return name;
}

}  // namespace zk::api
