#include "managed/named_config.h"

#include <gtest/gtest.h>

namespace zk::managed {
namespace {

using model::Name;

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

ServerSettings primary() {
  ServerSettings s;
  s.role = Role::Primary;
  s.tsig_key_name = "zk-dns";
  return s;
}

TEST(NamedConfig, PrimaryServesTheCatalogAndTakesNewZones) {
  const std::string conf = named_conf(primary());
  EXPECT_TRUE(has(conf, "include \"/etc/bind/keys/tsig.conf\";")) << conf;
  EXPECT_TRUE(has(conf, "include \"/etc/bind/keys/rndc.conf\";"));
  // The agent's DNSSEC policies, on the volume, before any zone that names one.
  EXPECT_TRUE(has(conf, "include \"/var/cache/bind/dnssec-policies.conf\";\noptions {"));
  EXPECT_TRUE(has(conf, "allow-new-zones yes;"));
  EXPECT_TRUE(has(conf, "recursion no;"));
  EXPECT_TRUE(has(conf, "allow-update { none; };"));
  EXPECT_TRUE(has(conf, "allow-transfer { \"zonekeeper-keys\"; };"));
  // Without an access file, named.conf says which keys it takes: the one of each file.
  EXPECT_TRUE(has(conf, "acl \"zonekeeper-keys\" { key \"zk-dns\"; };"));
  EXPECT_TRUE(has(conf, "zone \"catalog.zonekeeper.invalid\" {\n  type primary;"));
  EXPECT_TRUE(has(conf, "  allow-update { \"zonekeeper-keys\"; };\n  also-notify"));
  EXPECT_TRUE(has(conf, "also-notify { 127.0.0.1 port 5300; };"));
  EXPECT_TRUE(has(conf, "inet * port 953 allow { any; } keys { \"rndc-key\"; };"));
  EXPECT_FALSE(has(conf, "catalog-zones"));
  EXPECT_FALSE(has(conf, "secret"));  // keys only by include
  EXPECT_FALSE(has(conf, "rate-limit"));
  EXPECT_TRUE(has(conf, "querylog no;"));
  EXPECT_TRUE(has(conf, "serial-query-rate 1000;"));
}

TEST(NamedConfig, SecondaryConsumesTheCatalogFromItsPrimary) {
  ServerSettings s = primary();
  s.role = Role::Secondary;
  s.primary_addresses = {"10.0.0.5", "fd00::5"};
  s.primary_port = 5353;
  const std::string conf = named_conf(s);
  EXPECT_FALSE(has(conf, "dnssec-policies"));  // a Secondary transfers signed zones
  EXPECT_TRUE(
      has(conf,
          "zone \"catalog.zonekeeper.invalid\" default-primaries { 10.0.0.5 port 5353 key "
          "\"zk-dns\"; fd00::5 port 5353 key \"zk-dns\"; } in-memory no min-update-interval 0;"))
      << conf;
  EXPECT_TRUE(has(conf, "zone \"catalog.zonekeeper.invalid\" {\n  type secondary;"));
  EXPECT_TRUE(has(conf, "allow-notify { any; };"));
  EXPECT_FALSE(has(conf, "update-policy"));
}

TEST(NamedConfig, WithAnAccessFileNoStatementNamesAKey) {
  ServerSettings s = primary();
  s.paths.access_file = "/etc/bind/keys/access.conf";
  for (Role role : {Role::Primary, Role::Secondary}) {
    s.role = role;
    s.primary_addresses = {"10.0.0.5"};
    const std::string conf = named_conf(s);
    EXPECT_TRUE(has(conf,
                    "include \"/etc/bind/keys/rndc.conf\";\ninclude "
                    "\"/etc/bind/keys/access.conf\";\n"))
        << conf;
    EXPECT_FALSE(has(conf, "acl "));
    EXPECT_FALSE(has(conf, "controls"));
    // The key a Secondary transfers with is the only one named.conf names.
    EXPECT_EQ(has(conf, "zk-dns"), role == Role::Secondary) << conf;
  }
  const std::string access = key_access({"zk-dns-1", "zk-dns"}, {"rndc-key-1", "rndc-key"}, s);
  EXPECT_EQ(access,
            "acl \"zonekeeper-keys\" { key \"zk-dns-1\"; key \"zk-dns\"; };\n"
            "controls {\n  inet * port 953 allow { any; } keys { \"rndc-key-1\"; \"rndc-key\"; "
            "};\n};\n");
}

TEST(NamedConfig, OptionsThatMatter) {
  ServerSettings s = primary();
  s.port = 5353;
  s.listen_on = "127.0.0.1";
  s.listen_on_v6 = "none";
  s.control_on_every_address = false;
  s.allow_query = {"10.0.0.0/8", "localhost"};
  s.responses_per_second = 20;
  s.log_queries = true;
  const std::string conf = named_conf(s);
  EXPECT_TRUE(has(conf, "listen-on port 5353 { 127.0.0.1; };")) << conf;
  EXPECT_TRUE(has(conf, "listen-on-v6 port 5353 { none; };"));
  EXPECT_TRUE(has(conf, "allow-query { 10.0.0.0/8; localhost; };"));
  EXPECT_TRUE(has(conf, "rate-limit { responses-per-second 20; };"));
  EXPECT_TRUE(has(conf, "querylog yes;"));
  EXPECT_TRUE(has(conf, "inet 127.0.0.1 port 953 allow { 127.0.0.1; } keys { \"rndc-key\"; };"));
}

TEST(NamedConfig, MemberZoneFilesOnlyForSafeNames) {
  EXPECT_EQ(member_zone_file(Name::parse("Example.Test.").value()), "zones/example.test.db");
  EXPECT_EQ(member_zone_file(Name::parse("_dmarc-x.test.").value()), "zones/_dmarc-x.test.db");
  EXPECT_EQ(member_zone_file(Name::parse("a/b.test.").value()), std::nullopt);
  EXPECT_EQ(member_zone_file(Name::parse("a\\.b.test.").value()), std::nullopt);
  EXPECT_EQ(member_zone_file(Name::parse("a\\032b.test.").value()), std::nullopt);
  EXPECT_EQ(member_zone_file(Name()), std::nullopt);
}

TEST(NamedConfig, MemberZoneOptions) {
  EXPECT_EQ(member_zone_options(Name::parse("example.test.").value()),
            "{ type primary; file \"zones/example.test.db\"; allow-update { \"zonekeeper-keys\"; "
            "}; allow-transfer { \"zonekeeper-keys\"; }; notify explicit; };");
  EXPECT_EQ(member_zone_options(Name::parse("example.test.").value(), "zk-0123"),
            "{ type primary; file \"zones/example.test.db\"; allow-update { \"zonekeeper-keys\"; "
            "}; allow-transfer { \"zonekeeper-keys\"; }; notify explicit; "
            "dnssec-policy \"zk-0123\"; inline-signing no; };");
}

TEST(NamedConfig, InitialFilesAreRelativeAndCarryTheSerial) {
  const std::string zone = initial_zone_file(1764979200);
  EXPECT_TRUE(has(zone, "@ IN SOA ns.invalid. hostmaster.invalid. 1764979200 "));
  EXPECT_TRUE(has(zone, "@ IN NS ns.invalid."));
  const std::string catalog = initial_catalog_file(7);
  EXPECT_TRUE(has(catalog, "version IN TXT \"2\""));
  EXPECT_TRUE(has(catalog, " 7 "));
}

}  // namespace
}  // namespace zk::managed
