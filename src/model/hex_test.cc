#include "model/hex.h"

#include <gtest/gtest.h>

namespace zk::model {
namespace {

TEST(Hex, WritesEitherCaseAndReadsBack) {
  const std::vector<uint8_t> octets{0x00, 0x0a, 0x1b, 0xff};
  EXPECT_EQ(hex_text(octets), "000a1bff");
  EXPECT_EQ(hex_text(octets, HexCase::Upper), "000A1BFF");
  EXPECT_EQ(hex_text({}), "");
  EXPECT_EQ(hex_octets("000a1bff"), octets);
  EXPECT_EQ(hex_octets("000A1BfF"), octets);
  EXPECT_EQ(hex_octets(""), std::vector<uint8_t>{});
}

TEST(Hex, DigitValues) {
  EXPECT_EQ(hex_digit('0'), 0);
  EXPECT_EQ(hex_digit('9'), 9);
  EXPECT_EQ(hex_digit('a'), 10);
  EXPECT_EQ(hex_digit('F'), 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0'}) EXPECT_EQ(hex_digit(c), -1) << int(c);
}

TEST(Hex, ReadsNothingButPairsOfHexDigits) {
  for (std::string_view bad : {"0", "abc", "0g", "g0", "+a", "-a", "0x0a", " 0a", "0a ", "0 a"}) {
    EXPECT_FALSE(hex_octets(bad)) << bad;
  }
}

}  // namespace
}  // namespace zk::model
