#include "model/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace zk::model {
namespace {

TEST(Base64, Rfc4648Vectors) {
  struct V {
    const char* enc;
    const char* dec;
  };
  for (const V& v : std::vector<V>{{"", ""},
                                   {"Zg==", "f"},
                                   {"Zm8=", "fo"},
                                   {"Zm9v", "foo"},
                                   {"Zm9vYg==", "foob"},
                                   {"Zm9vYmE=", "fooba"},
                                   {"Zm9vYmFy", "foobar"}}) {
    auto d = decode_base64(v.enc);
    ASSERT_TRUE(d) << v.enc;
    EXPECT_EQ(std::string(d->begin(), d->end()), v.dec);
  }
  for (const char* bad : {"Zg=", "Zm9v!A==", "Z===", "Zg==Zg==", "Zm=v"}) {
    EXPECT_FALSE(decode_base64(bad)) << bad;
  }
}

TEST(Base64, PaddingOnlyAtTheEndAndErrorsNeverQuoteTheInput) {
  EXPECT_EQ(decode_base64("YQ==").value(), std::vector<uint8_t>{'a'});
  EXPECT_EQ(decode_base64("YWI=").value(), (std::vector<uint8_t>{'a', 'b'}));
  for (const char* bad : {"Y=Q=", "YQ", "YQ== ", " YQ==", "YQ-_"}) {
    auto d = decode_base64(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().find(bad), std::string::npos) << d.error();
  }
}

}  // namespace
}  // namespace zk::model
