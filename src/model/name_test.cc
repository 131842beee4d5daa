#include "model/name.h"

#include <gtest/gtest.h>

namespace zk::model {
namespace {

Name N(std::string_view s) {
  return Name::parse(s).value();
}

TEST(Name, ParsesAbsoluteAndPrints) {
  auto n = Name::parse("www.Example.TEST.");
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(n->to_string(), "www.Example.TEST.");
  EXPECT_EQ(n->label_count(), 3u);
  EXPECT_EQ(n->wire_size(), 18u);
}

TEST(Name, RootAndAt) {
  EXPECT_TRUE(N(".").is_root());
  EXPECT_EQ(N(".").to_string(), ".");
  auto zone = N("example.test.");
  EXPECT_EQ(Name::parse("@", &zone).value(), zone);
  EXPECT_FALSE(Name::parse("@"));
}

TEST(Name, RelativeResolvesAgainstOrigin) {
  auto zone = N("example.test.");
  EXPECT_EQ(Name::parse("www", &zone)->to_string(), "www.example.test.");
  EXPECT_EQ(Name::parse("a.b", &zone)->to_string(), "a.b.example.test.");
  auto err = Name::parse("www");
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().find("without a zone origin"), std::string::npos);
}

TEST(Name, CaseInsensitiveCompareAndHash) {
  EXPECT_EQ(N("WWW.example.test."), N("www.EXAMPLE.test."));
  EXPECT_EQ(N("WWW.example.test.").hash(), N("www.EXAMPLE.test.").hash());
  EXPECT_NE(N("www.example.test."), N("ww.example.test."));
}

TEST(Name, Escapes) {
  auto n = Name::parse("a\\.b.c\\032d.test.");
  ASSERT_TRUE(n) << n.error();
  auto labels = n->labels();
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0], "a.b");
  EXPECT_EQ(labels[1], "c d");
  EXPECT_EQ(n->to_string(), "a\\.b.c\\032d.test.");
  EXPECT_EQ(Name::parse(n->to_string()).value(), *n);  // round trip
  EXPECT_FALSE(Name::parse("a\\25.test."));
  EXPECT_FALSE(Name::parse("a\\999.test."));
  EXPECT_FALSE(Name::parse("a\\"));
}

TEST(Name, RejectsEmptyLabelsAndLimits) {
  EXPECT_FALSE(Name::parse("a..b."));
  EXPECT_FALSE(Name::parse(".a."));
  EXPECT_FALSE(Name::parse(""));
  EXPECT_TRUE(Name::parse(std::string(63, 'a') + "."));
  auto long_label = Name::parse(std::string(64, 'a') + ".");
  ASSERT_FALSE(long_label);
  EXPECT_NE(long_label.error().find("63"), std::string::npos);
  // 4 labels of 63 = 4*64+1 = 257 octets > 255.
  std::string l(63, 'x');
  EXPECT_FALSE(Name::parse(l + "." + l + "." + l + "." + l + "."));
  // 3*64 + 62 + 1 = 255: the limit itself is fine.
  EXPECT_TRUE(Name::parse(l + "." + l + "." + l + "." + std::string(61, 'y') + "."));
}

TEST(Name, Subdomain) {
  auto zone = N("example.test.");
  EXPECT_TRUE(N("a.example.test.").is_subdomain_of(zone));
  EXPECT_TRUE(N("A.B.EXAMPLE.test.").is_subdomain_of(zone));
  EXPECT_TRUE(zone.is_subdomain_of(zone));
  EXPECT_FALSE(N("badexample.test.").is_subdomain_of(zone));
  EXPECT_FALSE(N("test.").is_subdomain_of(zone));
  EXPECT_TRUE(zone.is_subdomain_of(Name()));
}

TEST(Name, RelativeTo) {
  auto zone = N("example.test.");
  EXPECT_EQ(zone.relative_to(zone), "@");
  EXPECT_EQ(N("a.b.example.test.").relative_to(zone), "a.b");
  EXPECT_EQ(N("other.test.").relative_to(zone), "other.test.");
}

TEST(Name, CanonicalOrderRfc4034) {
  // The example order of RFC 4034 §6.1.
  std::vector<Name> want = {N("example."),         N("a.example."),      N("yljkjljk.a.example."),
                            N("Z.a.example."),     N("zABC.a.EXAMPLE."), N("z.example."),
                            N("\\001.z.example."), N("*.z.example."),    N("\\200.z.example.")};
  for (size_t i = 0; i + 1 < want.size(); ++i) {
    EXPECT_LT(want[i], want[i + 1]) << want[i].to_string() << " vs " << want[i + 1].to_string();
  }
}

TEST(Name, FromWireRejectsGarbage) {
  std::vector<uint8_t> good = {3, 'w', 'w', 'w', 0};
  EXPECT_TRUE(Name::from_wire(good));
  std::vector<uint8_t> pointer = {0xc0, 0x0c};
  EXPECT_FALSE(Name::from_wire(pointer));
  std::vector<uint8_t> trailing = {1, 'a', 0, 0};
  EXPECT_FALSE(Name::from_wire(trailing));
  std::vector<uint8_t> short_label = {5, 'a', 0};
  EXPECT_FALSE(Name::from_wire(short_label));
}

// Short names live inline, long ones on the heap: copies, moves and assignments between the two
// keep every name whole.
TEST(Name, CopiesMovesAndAssignsShortAndLongNames) {
  const std::string long_text = std::string(40, 'a') + "." + std::string(50, 'b') + ".test.";
  Name shorter = Name::parse("www.test.").value();                   // 10 octets
  Name edge = Name::parse(std::string(21, 'c') + ".test.").value();  // 28 octets: inline
  Name over = Name::parse(std::string(22, 'c') + ".test.").value();  // 29 octets: heap
  Name longer = Name::parse(long_text).value();
  EXPECT_EQ(edge.wire_size(), 28u);
  EXPECT_EQ(over.wire_size(), 29u);
  for (const Name* n : {&shorter, &edge, &over, &longer}) {
    const std::string text = n->to_string();
    Name copy = *n;
    EXPECT_EQ(copy.to_string(), text);
    Name moved = std::move(copy);
    EXPECT_EQ(moved.to_string(), text);
    for (const Name* other : {&shorter, &edge, &over, &longer}) {
      Name assigned = *other;
      assigned = moved;
      EXPECT_EQ(assigned.to_string(), text);
      Name move_assigned = *other;
      move_assigned = Name(moved);
      EXPECT_EQ(move_assigned.to_string(), text);
      EXPECT_EQ(move_assigned, *n);
      EXPECT_EQ(move_assigned.hash(), n->hash());
    }
    Name& self = moved;
    moved = self;  // self-assignment keeps it
    EXPECT_EQ(moved.to_string(), text);
  }
  EXPECT_EQ(longer.parent().to_string(), std::string(50, 'b') + ".test.");
  EXPECT_EQ(longer.label_count(), 3u);
  EXPECT_TRUE(longer.is_subdomain_of(Name::parse("test.").value()));
  EXPECT_LT(edge, over);
}

TEST(Name, ParentAndPrepend) {
  auto n = N("a.b.test.");
  EXPECT_EQ(n.parent(), N("b.test."));
  EXPECT_EQ(N("b.test.").prepend("a").value(), n);
  EXPECT_TRUE(Name().parent().is_root());
}

}  // namespace
}  // namespace zk::model
