#include "model/svcb.h"

#include <gtest/gtest.h>

#include "model/rdata.h"

namespace zk::model {
namespace {

Name origin() {
  return Name::parse("example.test.").value();
}

std::string round_trip(RRType type, const std::string& text) {
  auto rd = Rdata::parse(type, text, origin());
  if (!rd) return "error: " + rd.error();
  // The wire form reads back to the same record, and so does its presentation form.
  auto again = Rdata::from_wire(type, rd->wire());
  EXPECT_TRUE(again) << text;
  if (again) {
    EXPECT_EQ(*again, *rd) << text;
  }
  auto reparsed = Rdata::parse(type, rd->to_text(), origin());
  EXPECT_TRUE(reparsed) << rd->to_text() << ": " << (reparsed ? "" : reparsed.error());
  if (reparsed) {
    EXPECT_EQ(*reparsed, *rd) << rd->to_text();
  }
  return rd->to_text();
}

TEST(Svcb, Rfc9460AppendixDExamples) {
  // D.1 AliasMode, D.2 ServiceMode (examples of RFC 9460, with our canonical presentation).
  EXPECT_EQ(round_trip(RRType::HTTPS, "0 foo.example.com."), "0 foo.example.com.");
  EXPECT_EQ(round_trip(RRType::SVCB, "1 ."), "1 .");
  EXPECT_EQ(round_trip(RRType::SVCB, "16 foo.example.com. port=53"), "16 foo.example.com. port=53");
  EXPECT_EQ(round_trip(RRType::SVCB, "1 foo.example.com. key667=hello"),
            "1 foo.example.com. key667=\"hello\"");
  EXPECT_EQ(round_trip(RRType::SVCB, "1 foo.example.com. key667=\"hello\\210qoo\""),
            "1 foo.example.com. key667=\"hello\\210qoo\"");
  EXPECT_EQ(round_trip(RRType::SVCB, "1 foo.example.com. ipv6hint=\"2001:db8::1,2001:db8::53:1\""),
            "1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1");
  EXPECT_EQ(round_trip(RRType::SVCB, "1 example.com. ipv6hint=\"2001:db8:122:344::192.0.2.33\""),
            "1 example.com. ipv6hint=2001:db8:122:344::c000:221");
  // Keys given out of order come back ascending; mandatory's list too.
  EXPECT_EQ(
      round_trip(RRType::SVCB,
                 "16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1"),
      "16 foo.example.org. mandatory=alpn,ipv4hint alpn=\"h2,h3-19\" ipv4hint=192.0.2.1");
  // A comma and a backslash inside an alpn id (two escaping levels, RFC 9460 A.1).
  EXPECT_EQ(round_trip(RRType::SVCB, "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\""),
            "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"");
  auto rd =
      Rdata::parse(RRType::SVCB, "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"", origin());
  ASSERT_TRUE(rd);
  // priority, target (foo.example.org.), then key 1, length 12: "\x08f\\oo,bar\x02h2".
  auto w = rd->wire();
  std::string alpn(reinterpret_cast<const char*>(w.data()) + w.size() - 12, 12);
  EXPECT_EQ(alpn, std::string("\x08"
                              "f\\oo,bar"
                              "\x02"
                              "h2"));
}

TEST(Svcb, EveryNamedKeyAndHttpsDefaults) {
  EXPECT_EQ(round_trip(RRType::HTTPS,
                       "1 . alpn=h3,h2 no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 "
                       "ech=AEP+DQ== ipv6hint=2001:db8::1 dohpath=/dns-query{?dns} ohttp"),
            "1 . alpn=\"h3,h2\" no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 "
            "ech=AEP+DQ== ipv6hint=2001:db8::1 dohpath=\"/dns-query{?dns}\" ohttp");
  // Relative targets resolve against the origin; names are canonical (lowercase).
  EXPECT_EQ(round_trip(RRType::HTTPS, "1 Svc port=443"), "1 svc.example.test. port=443");
}

TEST(Svcb, BadParamsSaySpecificallyWhy) {
  auto why = [](const std::string& text) {
    auto rd = Rdata::parse(RRType::SVCB, text, origin());
    return rd ? std::string("accepted: ") + rd->to_text() : rd.error();
  };
  EXPECT_NE(why("0 foo. port=53").find("AliasMode (priority 0) takes no SvcParams"),
            std::string::npos);
  EXPECT_NE(why("1 foo. color=red").find("unknown SvcParam key \"color\""), std::string::npos);
  EXPECT_NE(why("1 foo. port=53 port=54").find("port given twice"), std::string::npos);
  EXPECT_NE(why("1 foo. port=70000").find("not a number in range 0..65535"), std::string::npos);
  EXPECT_NE(why("1 foo. port").find("port needs a value"), std::string::npos);
  EXPECT_NE(why("1 foo. alpn=h2,,h3").find("an empty list item"), std::string::npos);
  EXPECT_NE(why("1 foo. ipv4hint=2001:db8::1").find("is not an IPv4 address"), std::string::npos);
  EXPECT_NE(why("1 foo. ipv6hint=192.0.2.1").find("is not an IPv6 address"), std::string::npos);
  EXPECT_NE(why("1 foo. mandatory=port").find("mandatory lists port, which is absent"),
            std::string::npos);
  EXPECT_NE(why("1 foo. mandatory=mandatory").find("lists mandatory itself"), std::string::npos);
  EXPECT_NE(why("1 foo. no-default-alpn").find("no-default-alpn needs alpn"), std::string::npos);
  EXPECT_NE(why("1 foo. alpn=h2 no-default-alpn=x").find("takes no value"), std::string::npos);
  EXPECT_NE(why("1 foo. ech=!!!!").find("SvcParam ech: not base64"), std::string::npos);
  EXPECT_NE(why("1 foo. key65535=x").find("reserved"), std::string::npos);
  EXPECT_NE(why("1 foo. key01=x").find("unknown SvcParam key"), std::string::npos);
  EXPECT_NE(why("1 foo. alpn=\"h2").find("unterminated"), std::string::npos);
  EXPECT_NE(why("1").find("needs \"priority target"), std::string::npos);
}

TEST(Svcb, WireFormIsChecked) {
  auto target = Name::parse("foo.").value();
  auto with = [&](std::vector<uint8_t> params) {
    return Rdata::svcb(RRType::SVCB, 1, target, params);
  };
  EXPECT_TRUE(with({0, 3, 0, 2, 0, 53}));                             // port=53
  EXPECT_FALSE(with({0, 3, 0, 1, 0}));                                // port of one octet
  EXPECT_FALSE(with({0, 3, 0, 2, 0, 53, 0, 3, 0, 2, 0, 54}));         // port twice
  EXPECT_FALSE(with({0, 4, 0, 4, 192, 0, 2, 1, 0, 3, 0, 2, 0, 53}));  // keys not ascending
  EXPECT_FALSE(with({0, 3, 0, 9, 0, 53}));                            // runs past the data
  EXPECT_FALSE(with({0, 1, 0, 3, 5, 'h', '2'}));                      // alpn id runs past
  EXPECT_FALSE(with({0, 6, 0, 4, 1, 2, 3, 4}));                       // ipv6hint of 4 octets
}

}  // namespace
}  // namespace zk::model
