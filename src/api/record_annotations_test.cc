#include "api/record_annotations.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace zk::api {
namespace {

TEST(RecordAnnotations, ReadsOwnerDescriptionAndNotifyUrl) {
  auto a = read_record_annotations(boost::json::parse(R"({"metadata": {"annotations": {
      "dns.zonekeeper.io/owner": " team-web ",
      "dns.zonekeeper.io/description": "the shop's front door",
      "dns.zonekeeper.io/notify-url": "https://hooks.example/dns?token=s3cret",
      "other": "x"}}})"));
  EXPECT_EQ(a.owner, "team-web");
  EXPECT_EQ(a.description, "the shop's front door");
  EXPECT_EQ(a.notify_url, "https://hooks.example/dns?token=s3cret");
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(read_record_annotations(boost::json::parse(R"({"metadata": {}})")).empty());
  auto odd = read_record_annotations(
      boost::json::parse(R"({"metadata": {"annotations": {"dns.zonekeeper.io/owner": 7}}})"));
  EXPECT_EQ(odd.owner, "");
  auto long_one = read_record_annotations(
      boost::json::parse(R"({"metadata": {"annotations": {"dns.zonekeeper.io/description": ")" +
                         std::string(3000, 'd') + R"("}}})"));
  EXPECT_EQ(long_one.description.size(), kMaxAnnotationText);
}

TEST(RecordAnnotations, NotifyUrlIsHttpsOrLoopbackHttp) {
  for (std::string_view ok : {"https://hooks.example/dns", "HTTPS://hooks.example:8443/a/b?token=x",
                              "http://127.0.0.1:9000/hook", "http://127.10.0.1/x",
                              "http://[::1]:8080/", "http://localhost/h"}) {
    EXPECT_TRUE(check_notify_url(ok)) << ok;
  }
  struct Bad {
    std::string_view url, error;
  };
  for (const Bad& b : {
           Bad{"http://hooks.example/dns", "is plain http to hooks.example, which is not loopback"},
           Bad{"http://127.0.0.1.example/x", "not loopback"},
           Bad{"http://10.0.0.1/x", "not loopback"},
           Bad{"ftp://hooks.example/x", "is not an http(s) URL"},
           Bad{"hooks.example/x", "is not an http(s) URL"},
           Bad{"https://user:pw@hooks.example/x", "credentials in the URL"},
           Bad{"https:///x", "the URL has no host"},
           Bad{"https://hooks.example/x#frag", "#fragment"},
           Bad{"https://hooks.example/a b", "spaces or non-ASCII"},
       }) {
    auto r = check_notify_url(b.url);
    ASSERT_FALSE(r) << b.url;
    EXPECT_NE(r.error().find(b.error), std::string::npos) << b.url << " → " << r.error();
    EXPECT_EQ(r.error().find("pw"), std::string::npos) << "no credentials in messages";
  }
  EXPECT_FALSE(check_notify_url("https://h.example/" + std::string(kMaxNotifyUrl, 'x')));
}

TEST(RecordAnnotations, RedactedUrlKeepsNoQueryOrCredentials) {
  EXPECT_EQ(redacted_url("https://hooks.example/dns?token=s3cret"), "https://hooks.example/dns");
  EXPECT_EQ(redacted_url("HTTPS://u:p@hooks.example:8443/a#f"), "https://hooks.example:8443/a");
  EXPECT_EQ(redacted_url("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
  EXPECT_EQ(redacted_url("garbage?token=x"), "(not a URL)");
}

TEST(HeldAnnotations, ReadsAsTheAnnotationsItHoldsAndComparesByValue) {
  const HeldAnnotations none;
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(none, HeldAnnotations(RecordAnnotations{}));
  const HeldAnnotations a(RecordAnnotations{"team-a", "the shop", ""});
  EXPECT_EQ(a->owner, "team-a");
  EXPECT_EQ((*a).description, "the shop");
  EXPECT_EQ(a, HeldAnnotations(RecordAnnotations{"team-a", "the shop", ""}));
  EXPECT_FALSE(a == HeldAnnotations(RecordAnnotations{"team-b", "the shop", ""}));
  EXPECT_FALSE(a == none);
  // Shared, not copied: the copy is what is under test.
  // NOLINTNEXTLINE(performance-unnecessary-copy-initialization)
  const HeldAnnotations copy = a;
  EXPECT_EQ(&*copy, &*a);
}

}  // namespace
}  // namespace zk::api
