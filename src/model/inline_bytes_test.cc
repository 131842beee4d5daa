#include "model/inline_bytes.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace zk::model {
namespace {

TEST(InlineBytes, HoldsShortAndLongBytesThroughCopiesAndMoves) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{28}, size_t{29}, size_t{300}, size_t{70000}}) {
    std::string text(n, '\0');
    for (size_t i = 0; i < n; ++i) text[i] = static_cast<char>(i * 7);
    InlineBytes b(text);
    EXPECT_EQ(b.size(), n);
    EXPECT_EQ(b.view(), text);
    InlineBytes copy = b;
    InlineBytes moved = std::move(copy);
    EXPECT_EQ(moved.view(), text);
    InlineBytes assigned(std::string_view("x"));
    assigned = moved;
    EXPECT_EQ(assigned, b);
    assigned = InlineBytes(std::string(40, 'y'));
    EXPECT_EQ(assigned.view(), std::string(40, 'y'));
    assigned = std::move(moved);
    EXPECT_EQ(assigned.view(), text);
  }
}

TEST(InlineBytes, OrdersOctetByOctetUnsignedThenByLength) {
  auto bytes = [](std::vector<uint8_t> v) { return InlineBytes(std::span<const uint8_t>(v)); };
  EXPECT_LT(bytes({0x01}), bytes({0x80}));  // unsigned: 0x80 is the larger
  EXPECT_LT(bytes({0x01, 0x02}), bytes({0x01, 0x02, 0x00}));
  EXPECT_LT(bytes({}), bytes({0x00}));
  EXPECT_EQ(bytes({0xff, 0x00}), bytes({0xff, 0x00}));
  EXPECT_EQ(bytes({0xff, 0x00})[0], 0xff);
  EXPECT_NE(bytes(std::vector<uint8_t>(40, 1)), bytes(std::vector<uint8_t>(41, 1)));
}

}  // namespace
}  // namespace zk::model
