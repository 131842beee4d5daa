#include "kube/packed_json.h"

#include <random>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace zk::kube {
namespace {

std::string round_trip(std::string_view text) {
  std::string out;
  unpack_json(pack_json(text), out);
  return out;
}

TEST(PackedJsonTest, TimestampsHashesAndUuidsAreBinaryAndReadBackExactly) {
  for (std::string v : {R"("2026-12-07T11:19:00Z")", R"("1970-01-01T00:00:00Z")",
                        R"("9999-12-31T23:59:59Z")", R"("2024-02-29T12:00:00Z")"}) {
    EXPECT_EQ(pack_json(v).size(), 2 + 2 + 5u) << v;  // the quotes, NUL, tag, 5 octets
    EXPECT_EQ(round_trip(v), v);
  }
  const std::string uuid = R"({"uid":"336f7702-74f6-4a1d-91cb-1c5ba7de37ff"})";
  EXPECT_EQ(round_trip(uuid), uuid);
  EXPECT_LT(pack_json(uuid).size(), uuid.size() - 16);
  const std::string hash =
      R"("recordHash":"6b86af25fe7bae39ec761a05f41b6635d3950e9b4103e896892c5f98bccc5e41")";
  EXPECT_EQ(round_trip(hash), hash);
  EXPECT_LT(pack_json(hash).size(), hash.size() - 30);
}

// What only looks like one stays text: the packing must give back every byte as it was.
TEST(PackedJsonTest, NearMissesStayText) {
  for (std::string v : {
           R"("2023-02-29T00:00:00Z")",    // no such day
           R"("2024-04-31T00:00:00Z")",    // nor this one
           R"("1969-12-31T23:59:59Z")",    // before 1970
           R"("2024-01-01T24:00:00Z")",    // hour 24
           R"("2024-01-01T00:00:60Z")",    // leap second
           R"("2024-01-01t00:00:00z")",    // lowercase
           R"("2024-01-01T00:00:00.5Z")",  // fraction
           R"("2024-01-01T00:00:00+01:00")",
           R"("2024-01-01T00:00:00Z-")",                 // not the whole string
           R"(x2024-01-01T00:00:00Z")",                  // not at its start
           R"("336F7702-74F6-4A1D-91CB-1C5BA7DE37FF")",  // uppercase comes back lowercase
           R"("336f770274f64a1d91cb1c5ba7de37ff0000")",  // no dashes
           R"("336f7702-74f6-4a1d-91cb-1c5ba7de37fg")",
           R"("6B86AF25FE7BAE39EC761A05F41B6635D3950E9B4103E896892C5F98BCCC5E41")",
           R"("6b86af25fe7bae39ec761a05f41b6635d3950e9b4103e896892c5f98bccc5e4")",    // 63
           R"("6b86af25fe7bae39ec761a05f41b6635d3950e9b4103e896892c5f98bccc5e410")",  // 65
       }) {
    EXPECT_EQ(round_trip(v), v);
    EXPECT_EQ(pack_json(v).find('\0'), std::string::npos) << v;
  }
}

// Random text made of the pieces the packing looks for, whole and broken, between quotes and
// not: it all reads back byte for byte.
TEST(PackedJsonTest, RandomTextReadsBackExactly) {
  std::mt19937 rng(20261207);
  const std::vector<std::string> pieces = {"\"",
                                           "\"",
                                           "2026-12-07T11:19:00Z",
                                           "2024-02-29T23:59:59Z",
                                           "2023-02-29T00:00:00Z",
                                           "336f7702-74f6-4a1d-91cb-1c5ba7de37ff",
                                           "6b86af25fe7bae39ec761a05f41b6635",
                                           "d3950e9b4103e896892c5f98bccc5e41",
                                           "\"status\":\"True\",\"type\":\"",
                                           "{\"lastTransitionTime\":\"",
                                           "\\\"",
                                           "\\u0000",
                                           "a",
                                           "Z",
                                           "-",
                                           ":",
                                           "0",
                                           "f",
                                           "é",
                                           "☃",
                                           ",",
                                           "}",
                                           "{"};
  for (int n = 0; n < 20000; ++n) {
    std::string text;
    const size_t parts = rng() % 12;
    for (size_t i = 0; i < parts; ++i) {
      const std::string& p = pieces[rng() % pieces.size()];
      // Sometimes only a part of a piece, so values are cut short.
      text += rng() % 4 ? p : p.substr(0, rng() % (p.size() + 1));
    }
    ASSERT_EQ(round_trip(text), text) << text;
  }
}

}  // namespace
}  // namespace zk::kube
