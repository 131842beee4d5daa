#include "api/certificate.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include "api/object_meta.h"
#include "api/time.h"

namespace zk::api {
namespace {

namespace bj = boost::json;

int64_t at(std::string_view t) {
  return parse_rfc3339(t).value().seconds;
}

// A Certificate as cert-manager leaves it once issued (fields from its v1 API).
bj::value issued(std::string_view ready = "True", std::string_view reason = "Ready",
                 std::string_view since = "2026-12-01T10:00:00Z") {
  return bj::parse(fmt::format(R"({{"apiVersion":"cert-manager.io/v1","kind":"Certificate",
    "metadata":{{"name":"web","namespace":"shop","creationTimestamp":"2026-12-01T09:59:58Z"}},
    "spec":{{"secretName":"web-tls","dnsNames":["www.shop.test"],"issuerRef":{{"name":"ca","kind":"ClusterIssuer"}}}},
    "status":{{"notAfter":"2027-03-01T10:00:00Z","notBefore":"2026-12-01T10:00:00Z",
      "renewalTime":"2027-01-30T10:00:00Z","revision":1,
      "conditions":[{{"type":"Ready","status":"{}","reason":"{}","message":"m","lastTransitionTime":"{}","observedGeneration":1}}]}}}})",
                               ready, reason, since));
}

TEST(Certificate, DecodesReadinessAndExpiry) {
  auto c = decode_certificate(issued()).value();
  EXPECT_EQ(c.ns, "shop");
  EXPECT_EQ(c.name, "web");
  EXPECT_EQ(c.ready, "True");
  EXPECT_EQ(c.ready_reason, "Ready");
  EXPECT_EQ(c.not_after, at("2027-03-01T10:00:00Z"));
  EXPECT_EQ(c.renewal_time, at("2027-01-30T10:00:00Z"));
  EXPECT_EQ(c.ready_since, at("2026-12-01T10:00:00Z"));
  EXPECT_EQ(c.created, at("2026-12-01T09:59:58Z"));
}

TEST(Certificate, NewCertificateHasNoStatus) {
  auto c = decode_certificate(bj::parse(R"({"metadata":{"name":"new","namespace":"a"},"spec":{}})"))
               .value();
  EXPECT_EQ(c.ready, "");
  EXPECT_FALSE(c.not_after);
}

TEST(Certificate, MalformedTimeNamesTheField) {
  auto v = issued();
  v.as_object()["status"].as_object()["notAfter"] = "next tuesday";
  auto c = decode_certificate(v);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("status.notAfter"), std::string::npos) << c.error();
  EXPECT_FALSE(decode_certificate(bj::parse("[]")));
}

TEST(Certificate, JudgedReadyWhenFarFromExpiry) {
  auto c = decode_certificate(issued()).value();
  auto v = judge_certificate(c, at("2026-12-06T00:00:00Z"), {300, 14 * 86400});
  EXPECT_EQ(v.health, CertificateHealth::Ready);
  EXPECT_EQ(v.reason, "CertificateReady");
  EXPECT_EQ(v.message, "Certificate shop/web is Ready, valid until 2027-03-01T10:00:00Z");
  EXPECT_FALSE(is_warning(v.health));
}

TEST(Certificate, ExpiresSoonWithinTheWindow) {
  auto c = decode_certificate(issued()).value();
  auto v = judge_certificate(c, at("2027-02-28T09:00:00Z"), {300, 14 * 86400});
  EXPECT_EQ(v.health, CertificateHealth::ExpiresSoon);
  EXPECT_EQ(v.reason, "CertificateExpiresSoon");
  EXPECT_EQ(v.message,
            "Certificate shop/web expires at 2027-03-01T10:00:00Z (in 1d 1h), within the warning "
            "window of 14d; cert-manager's renewal time: 2027-01-30T10:00:00Z");
  EXPECT_TRUE(is_warning(v.health));
  // One second outside the window: fine.
  EXPECT_EQ(
      judge_certificate(c, at("2027-03-01T10:00:00Z") - 14 * 86400 - 1, {300, 14 * 86400}).health,
      CertificateHealth::Ready);
  EXPECT_EQ(judge_certificate(c, at("2027-03-01T10:00:00Z") - 14 * 86400, {300, 14 * 86400}).health,
            CertificateHealth::ExpiresSoon);
}

TEST(Certificate, ExpiredComesFirst) {
  auto c = decode_certificate(issued("False", "Expired")).value();
  auto v = judge_certificate(c, at("2027-03-01T10:05:00Z"), {300, 14 * 86400});
  EXPECT_EQ(v.health, CertificateHealth::Expired);
  EXPECT_EQ(v.message,
            "Certificate shop/web expired at 2027-03-01T10:00:00Z (5m ago); Ready=False Expired");
  EXPECT_EQ(judge_certificate(c, at("2027-03-01T10:00:00Z"), {300, 14 * 86400}).health,
            CertificateHealth::Expired);
}

TEST(Certificate, NotReadyOnlyAfterTheGrace) {
  auto c = decode_certificate(issued("False", "DoesNotExist", "2026-12-06T00:00:00Z")).value();
  c.ready_message = "Issuing certificate as Secret does not exist";
  const CertificateWarnings w{300, 14 * 86400};
  EXPECT_EQ(judge_certificate(c, at("2026-12-06T00:04:59Z"), w).health, CertificateHealth::Pending);
  auto v = judge_certificate(c, at("2026-12-06T00:05:00Z"), w);
  EXPECT_EQ(v.health, CertificateHealth::NotReady);
  EXPECT_EQ(v.reason, "CertificateNotReady");
  EXPECT_EQ(v.message,
            "Certificate shop/web is not Ready for 5m: Ready=False DoesNotExist: Issuing "
            "certificate as Secret does not exist");
  // No Ready condition at all: the grace counts from creation.
  CertificateState fresh{.ns = "a", .name = "b", .created = 1000};
  EXPECT_EQ(judge_certificate(fresh, 1299, w).health, CertificateHealth::Pending);
  auto none = judge_certificate(fresh, 1300, w);
  EXPECT_EQ(none.health, CertificateHealth::NotReady);
  EXPECT_EQ(none.message,
            "Certificate a/b is not Ready for 5m: cert-manager has not set its Ready condition");
}

TEST(WildcardCertificate, ParsesTheFlag) {
  auto w = parse_wildcard_certificate("Apps.Example.Test.=ClusterIssuer/letsencrypt-prod").value();
  EXPECT_EQ(w, (WildcardCertificate{"apps.example.test", "ClusterIssuer", "letsencrypt-prod",
                                    "cert-manager.io"}));
  auto ext =
      parse_wildcard_certificate("x.test=AWSPCAClusterIssuer.awspca.cert-manager.io/pca").value();
  EXPECT_EQ(ext.issuer_kind, "AWSPCAClusterIssuer");
  EXPECT_EQ(ext.issuer_group, "awspca.cert-manager.io");
  EXPECT_EQ(parse_wildcard_certificate("x.test=Issuer/ca").value().issuer_kind, "Issuer");
}

TEST(WildcardCertificate, RefusesBadFlagsSayingWhy) {
  auto why = [](std::string_view flag) {
    auto w = parse_wildcard_certificate(flag);
    EXPECT_FALSE(w) << flag;
    return w ? std::string() : w.error();
  };
  EXPECT_EQ(why("x.test"),
            "--wildcard-certificate x.test: expected ZONE=KIND/NAME, e.g. "
            "apps.example.test=ClusterIssuer/letsencrypt");
  EXPECT_EQ(why("x.test=ca"),
            "--wildcard-certificate x.test=ca: the issuer must be KIND/NAME, "
            "e.g. ClusterIssuer/letsencrypt");
  EXPECT_NE(why("x.test=Certificate/ca").find("cert-manager.io has no issuer kind \"Certificate\""),
            std::string::npos);
  EXPECT_NE(why("x.test=issuer/ca").find("\"issuer\" is not a kind"), std::string::npos);
  EXPECT_NE(why("x.test=Issuer/Bad_Name").find("\"Bad_Name\" is not an object name"),
            std::string::npos);
  EXPECT_NE(why("x.test=Issuer/").find("is not an object name"), std::string::npos);
  EXPECT_NE(why("*.x.test=Issuer/ca").find("is not a zone name"), std::string::npos);
  EXPECT_NE(why("under_score.test=Issuer/ca").find("is not a zone name"), std::string::npos);
  EXPECT_NE(why("=Issuer/ca").find("is not a zone name"), std::string::npos);
  EXPECT_NE(why(std::string(250, 'a') + "=Issuer/ca").find("is not a zone name"),
            std::string::npos);
}

TEST(WildcardCertificate, TheObjectAndWhetherItIsCurrent) {
  auto w = parse_wildcard_certificate("apps.example.test=ClusterIssuer/ca").value();
  EXPECT_EQ(wildcard_certificate_name(w.zone), "wildcard.apps.example.test");
  bj::value obj = wildcard_certificate_object(w, "zonekeeper-system", "zonekeeper");
  EXPECT_EQ(obj, bj::parse(R"({"apiVersion":"cert-manager.io/v1","kind":"Certificate",
    "metadata":{"name":"wildcard.apps.example.test","namespace":"zonekeeper-system",
      "labels":{"dns.zonekeeper.io/wildcard-certificate":"zonekeeper","app.kubernetes.io/managed-by":"zonekeeper"},
      "annotations":{"dns.zonekeeper.io/wildcard-zone":"apps.example.test"}},
    "spec":{"secretName":"wildcard.apps.example.test","dnsNames":["*.apps.example.test","apps.example.test"],
      "issuerRef":{"group":"cert-manager.io","kind":"ClusterIssuer","name":"ca"}}})"));
  EXPECT_TRUE(is_wildcard_certificate(obj, "zonekeeper"));
  EXPECT_TRUE(wildcard_certificate_current(w, obj, "zonekeeper"));

  // What the API server returns: defaults and fields of others (status, a user's duration).
  auto served = obj;
  served.as_object()["spec"].as_object()["duration"] = "2160h0m0s";
  served.as_object()["spec"].as_object()["dnsNames"] =
      bj::array{"apps.example.test", "*.apps.example.test"};
  served.as_object()["status"] = bj::object{{"revision", 1}};
  EXPECT_TRUE(wildcard_certificate_current(w, served, "zonekeeper"));
  auto no_group = obj;
  no_group.as_object()["spec"].as_object()["issuerRef"].as_object().erase("group");
  EXPECT_TRUE(
      wildcard_certificate_current(w, no_group, "zonekeeper"));  // cert-manager.io is the default

  auto edited = [&](auto change) {
    bj::value v = obj;
    change(v.as_object());
    return wildcard_certificate_current(w, v, "zonekeeper");
  };
  EXPECT_FALSE(edited(
      [](bj::object& o) { o["spec"].as_object()["dnsNames"] = bj::array{"apps.example.test"}; }));
  EXPECT_FALSE(edited([](bj::object& o) { o["spec"].as_object()["secretName"] = "mine"; }));
  EXPECT_FALSE(edited(
      [](bj::object& o) { o["spec"].as_object()["issuerRef"].as_object()["name"] = "other"; }));
  EXPECT_FALSE(edited(
      [](bj::object& o) { o["spec"].as_object()["issuerRef"].as_object()["kind"] = "Issuer"; }));
  EXPECT_FALSE(edited([](bj::object& o) {
    o["metadata"].as_object()["labels"].as_object().erase("app.kubernetes.io/managed-by");
  }));
  EXPECT_FALSE(edited([](bj::object& o) { o["metadata"].as_object().erase("annotations"); }));
  // A user's Certificate of the same name is not one of ours.
  EXPECT_FALSE(is_wildcard_certificate(
      bj::parse(R"({"metadata":{"name":"wildcard.apps.example.test"}})"), "zonekeeper"));
  // Nor one another controller (another --txt-owner-id) keeps.
  EXPECT_FALSE(is_wildcard_certificate(obj, "team-b"));
  EXPECT_FALSE(wildcard_certificate_current(w, obj, "team-b"));
}

// The owner id becomes a label value: the controller refuses one that is not.
TEST(LabelValue, KubernetesRules) {
  EXPECT_TRUE(k8s_label_value(""));
  EXPECT_TRUE(k8s_label_value("zonekeeper"));
  EXPECT_TRUE(k8s_label_value("Team_B.prod-1"));
  EXPECT_FALSE(k8s_label_value("-x"));
  EXPECT_FALSE(k8s_label_value("x."));
  EXPECT_FALSE(k8s_label_value("a b"));
  EXPECT_FALSE(k8s_label_value("a/b"));
  EXPECT_TRUE(k8s_label_value(std::string(63, 'a')));
  EXPECT_FALSE(k8s_label_value(std::string(64, 'a')));
}

}  // namespace
}  // namespace zk::api
