#include "providers/hosts_file_provider.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "providers/hosts_file.h"

namespace zk::providers {
namespace {

namespace asio = boost::asio;
using model::Name;
using model::Rdata;
using model::RRset;
using model::RRType;

template <class T>
T wait(asio::awaitable<T> a) {
  asio::io_context io;
  auto fut = asio::co_spawn(io, std::move(a), asio::use_future);
  io.run();
  return fut.get();
}

Name name(const std::string& s) {
  return Name::parse(s).value();
}

RRset a(const std::string& owner, const std::vector<std::string>& addrs, uint32_t ttl = 300) {
  RRset s(name(owner), RRType::A, ttl);
  for (const auto& x : addrs) s.add(Rdata::a(x).value());
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class HostsProvider : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zk-hosts-provider-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/hosts";
    std::ofstream(path_) << "127.0.0.1 localhost\n";
    chmod(path_.c_str(), 0640);
  }
  void TearDown() override { (void)std::system(("rm -rf " + dir_).c_str()); }
  // desired → the changes that make the copy so (what plan_zone plans for it) → apply.
  ApplyOutcome converge(HostsFileProvider& p, const Name& zone, const model::RRsetMap& desired) {
    std::vector<model::RRsetKey> left_out;
    auto want = hosts_records(desired, &left_out);
    const auto& have = p.served(zone)->rrsets;
    model::ChangeSet cs{zone, {}};
    for (const auto& [key, rrset] : want) {
      auto it = have.find(key);
      if (it == have.end() || !(it->second == rrset)) cs.replace(rrset);
    }
    for (const auto& [key, rrset] : have) {
      if (!want.count(key)) cs.remove_rrset(key);
    }
    if (cs.changes.empty()) return {};
    auto out = wait(p.apply(cs));
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    return out ? *out : ApplyOutcome{};
  }
  std::string dir_, path_;
};

TEST_F(HostsProvider, ServesARecordsInTheBlockAndNothingElseOfTheFile) {
  HostsFileProvider p(path_, "zonekeeper controller --hosts-file");
  Name root;
  ASSERT_TRUE(wait(p.check(root)));
  ASSERT_TRUE(wait(p.load(root)));
  EXPECT_TRUE(p.served(root)->rrsets.empty());
  RRset aaaa(name("www.ext.test."), RRType::AAAA, 60);
  aaaa.add(Rdata::aaaa("2001:db8::1").value());
  model::RRsetMap desired{
      {{name("www.ext.test."), RRType::A}, a("www.ext.test.", {"192.0.2.1", "192.0.2.2"})},
      {aaaa.key(), aaaa}};
  auto out = converge(p, root, desired);
  EXPECT_EQ(out.applied, 2u);
  EXPECT_EQ(slurp(path_),
            "127.0.0.1 localhost\n"
            "# BEGIN zonekeeper (managed by `zonekeeper controller --hosts-file`; edits here are "
            "replaced)\n"
            "192.0.2.1 www.ext.test\n"
            "192.0.2.2 www.ext.test\n"
            "2001:db8::1 www.ext.test\n"
            "# END zonekeeper\n");
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // the mode is kept
  // The same desired state again: nothing to plan (TTLs do not exist in a hosts file).
  EXPECT_EQ(converge(p, root, desired).applied, 0u);
  // A restart reads the block back into the same copy: still nothing to do.
  HostsFileProvider again(path_, "zonekeeper controller --hosts-file");
  ASSERT_TRUE(wait(again.load(root)));
  EXPECT_EQ(again.served(root)->rrsets, p.served(root)->rrsets);
  // lookup() answers from the file: the name's addresses, NODATA for another type at it,
  // NXDOMAIN for a name the block does not hold, NODATA for an empty non-terminal.
  auto www = wait(again.lookup(name("www.ext.test."), RRType::A));
  ASSERT_TRUE(www);
  EXPECT_EQ(www->rcode, "NOERROR");
  EXPECT_EQ(www->rdatas.size(), 2u);
  auto txt = wait(again.lookup(name("www.ext.test."), RRType::TXT));
  ASSERT_TRUE(txt);
  EXPECT_EQ(txt->rcode, "NOERROR");
  EXPECT_TRUE(txt->rdatas.empty());
  EXPECT_EQ(wait(again.lookup(name("db.ext.test."), RRType::A))->rcode, "NXDOMAIN");
  EXPECT_EQ(wait(again.lookup(name("ext.test."), RRType::A))->rcode, "NOERROR");
  // Removed from the desired state: gone from the block.
  desired.erase(aaaa.key());
  EXPECT_EQ(converge(p, root, desired).applied, 1u);
  EXPECT_EQ(slurp(path_).find("2001:db8::1"), std::string::npos);
}

TEST_F(HostsProvider, OnlyAAndAaaaFitAndHandEditsAreFoundAndReplaced) {
  HostsFileProvider p(path_, "w");
  Name zone = name("ext.test.");
  ASSERT_TRUE(wait(p.load(zone)));
  RRset cname(name("alias.ext.test."), RRType::CNAME, 300);
  cname.add(Rdata::name_target(RRType::CNAME, name("www.ext.test.")));
  model::RRsetMap desired{{{name("www.ext.test."), RRType::A}, a("www.ext.test.", {"192.0.2.1"})},
                          {cname.key(), cname}};
  std::vector<model::RRsetKey> left_out;
  auto want = hosts_records(desired, &left_out);
  EXPECT_EQ(want.size(), 1u);
  EXPECT_EQ(want.begin()->second.ttl(), kHostsTtl);
  ASSERT_EQ(left_out.size(), 1u);
  EXPECT_EQ(left_out[0], cname.key());
  // A CNAME sent anyway is refused on its own; the A beside it is written.
  model::ChangeSet cs{zone, {}};
  cs.replace(a("www.ext.test.", {"192.0.2.1"}));
  cs.replace(cname);
  auto out = wait(p.apply(cs));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->applied, 1u);
  ASSERT_EQ(out->refused.size(), 1u);
  EXPECT_NE(out->refused[0].message.find("only A and AAAA"), std::string::npos);
  // Nothing moved: refresh says so.
  auto same = wait(p.refresh(zone));
  ASSERT_TRUE(same);
  EXPECT_FALSE(same->moved);
  // Someone edits the block by hand: refresh sees which RRset changed, the plan puts it back.
  std::string text = slurp(path_);
  text.replace(text.find("192.0.2.1 www"), 13, "192.0.2.9 www");
  text.replace(text.find("# END"), 0, "192.0.2.7 extra.ext.test\n10.0.0.1 other.zone.test\n");
  std::ofstream(path_) << text;
  auto moved = wait(p.refresh(zone));
  ASSERT_TRUE(moved);
  EXPECT_TRUE(moved->moved);
  EXPECT_EQ(moved->changed.size(), 2u);  // www and extra (other.zone.test is not in ext.test)
  converge(p, zone, desired);
  std::string after = slurp(path_);
  EXPECT_NE(after.find("192.0.2.1 www.ext.test\n"), std::string::npos) << after;
  EXPECT_EQ(after.find("192.0.2.9"), std::string::npos) << after;
  EXPECT_EQ(after.find("extra.ext.test"), std::string::npos) << after;
}

TEST_F(HostsProvider, ZonesShareOneBlock) {
  HostsFileProvider p(path_, "w");
  Name one = name("one.test."), two = name("two.test.");
  ASSERT_TRUE(wait(p.load(one)));
  ASSERT_TRUE(wait(p.load(two)));
  converge(p, one, {{{name("a.one.test."), RRType::A}, a("a.one.test.", {"192.0.2.1"})}});
  converge(p, two, {{{name("b.two.test."), RRType::A}, a("b.two.test.", {"192.0.2.2"})}});
  auto entries = read_hosts_file(path_);
  ASSERT_TRUE(entries);
  EXPECT_EQ(*entries,
            (std::vector<HostsEntry>{{"192.0.2.1", "a.one.test"}, {"192.0.2.2", "b.two.test"}}));
  // Emptying one zone leaves the other's lines.
  converge(p, one, {});
  entries = read_hosts_file(path_);
  ASSERT_TRUE(entries);
  EXPECT_EQ(*entries, (std::vector<HostsEntry>{{"192.0.2.2", "b.two.test"}}));
}

TEST_F(HostsProvider, BrokenMarkersAndUnwritablePlacesAreFailuresThatLeaveTheFileAlone) {
  std::ofstream(path_) << "# BEGIN zonekeeper\n1.2.3.4 a.test\n";  // no END
  HostsFileProvider p(path_, "w");
  auto loaded = wait(p.load(Name()));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().reason, "UpdateRefused");
  EXPECT_NE(loaded.error().message.find("without \"# END zonekeeper\""), std::string::npos)
      << loaded.error().message;
  EXPECT_FALSE(p.health().ok);
  EXPECT_EQ(slurp(path_), "# BEGIN zonekeeper\n1.2.3.4 a.test\n");

  HostsFileProvider nowhere(dir_ + "/missing/hosts", "w");
  auto checked = wait(nowhere.check(Name()));
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("missing"), std::string::npos) << checked.error().message;
  ASSERT_TRUE(wait(nowhere.load(Name())));  // nothing to read: an empty block
  model::ChangeSet cs{Name(), {}};
  cs.replace(a("www.ext.test.", {"192.0.2.1"}));
  auto out = wait(nowhere.apply(cs));
  ASSERT_FALSE(out);
  EXPECT_TRUE(nowhere.served(Name())->rrsets.empty());  // the copy says what the file has
}

}  // namespace
}  // namespace zk::providers
