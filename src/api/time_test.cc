#include "api/time.h"

#include <gtest/gtest.h>

namespace zk::api {
namespace {

TEST(Rfc3339, ParsesKubernetesForms) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z").value(), (Timestamp{0, 0}));
  EXPECT_EQ(parse_rfc3339("2024-05-01T12:00:00Z").value().seconds, 1714564800);
  EXPECT_EQ(parse_rfc3339("2024-05-01T12:00:00.123456Z").value(),
            (Timestamp{1714564800, 123456000}));
  EXPECT_EQ(parse_rfc3339("2024-05-01t12:00:00z").value().seconds, 1714564800);
  // Offsets are normalised to UTC.
  EXPECT_EQ(parse_rfc3339("2024-05-01T14:00:00+02:00").value().seconds, 1714564800);
  EXPECT_EQ(parse_rfc3339("2024-05-01T07:30:00-04:30").value().seconds, 1714564800);
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z").value().seconds, 1709164800);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z").value().seconds, -1);
}

TEST(Rfc3339, ComparesAsTimeNotAsText) {
  // Textually "…T14…+02:00" sorts after "…T13…Z", but it is one hour earlier.
  auto a = parse_rfc3339("2024-05-01T14:00:00+02:00").value();
  auto b = parse_rfc3339("2024-05-01T13:00:00Z").value();
  EXPECT_LT(a, b);
  EXPECT_LT(parse_rfc3339("2024-05-01T12:00:00Z").value(),
            parse_rfc3339("2024-05-01T12:00:00.5Z").value());
}

TEST(Rfc3339, RefusesMalformedTimes) {
  for (const char* s :
       {"", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:60Z", "2024-05-01 12:00:00Z", "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00Zjunk", "x024-05-01T12:00:00Z"}) {
    auto t = parse_rfc3339(s);
    ASSERT_FALSE(t) << s;
    EXPECT_NE(t.error().find("is not an RFC 3339 time"), std::string::npos);
  }
}

TEST(Rfc3339, FormatRoundTrips) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1714564800), "2024-05-01T12:00:00Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
  for (int64_t s : {int64_t{951782400}, int64_t{1709164799}, int64_t{4102444800}}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339(s)).value().seconds, s) << s;
  }
}

}  // namespace
}  // namespace zk::api
