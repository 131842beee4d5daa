#include "model/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace zk::model {
namespace {

TEST(Ascii, LowerFoldsOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Example.COM"), "example.com");
  EXPECT_EQ(ascii_lower("hmac-SHA256"), "hmac-sha256");
  EXPECT_EQ(ascii_lower("AZaz09-_.@[`{"), "azaz09-_.@[`{");
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(Ascii, LowerLeavesNonAsciiBytes) {
  EXPECT_EQ(ascii_lower("\xC3\x89"), "\xC3\x89");
  EXPECT_EQ(ascii_lower("CAF\xC3\x89"), "caf\xC3\x89");
  const std::string with_nul("A\0B", 3);
  EXPECT_EQ(ascii_lower(with_nul), std::string("a\0b", 3));
}

TEST(Ascii, Iequals) {
  EXPECT_TRUE(ascii_iequals("Bearer", "bearer"));
  EXPECT_TRUE(ascii_iequals("HostSNI", "hostsni"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_TRUE(ascii_iequals("\xC3\x89", "\xC3\x89"));
  EXPECT_FALSE(ascii_iequals("Host", "Hosts"));
  EXPECT_FALSE(ascii_iequals("Host", "Hose"));
  EXPECT_FALSE(ascii_iequals("", "a"));
  EXPECT_FALSE(ascii_iequals("\xC3\x89", "\xC3\xA9"));  // É and é: not ASCII, not folded
  EXPECT_FALSE(ascii_iequals("@", "`"));                // 'A'-1 and 'a'-1 stay apart
}

}  // namespace
}  // namespace zk::model
