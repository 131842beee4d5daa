#include "providers/hosts_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace zk::providers {
namespace {

const std::string kBlock = render_hosts_block({{"192.0.2.11", "www.example.test"},
                                               {"2001:db8::10", "www.example.test"},
                                               {"192.0.2.10", "www.example.test"},
                                               {"192.0.2.25", "mail.example.test"},
                                               {"192.0.2.25", "mail.example.test"}});

TEST(HostsFile, BlockIsSortedAndUnique) {
  EXPECT_EQ(kBlock,
            "# BEGIN zonekeeper (managed by `zonekeeper local --hosts-file`; edits here are "
            "replaced)\n"
            "192.0.2.25 mail.example.test\n"
            "192.0.2.10 www.example.test\n"
            "192.0.2.11 www.example.test\n"
            "2001:db8::10 www.example.test\n"
            "# END zonekeeper\n");
}

TEST(HostsFile, AppendsThenReplacesInPlace) {
  std::string base = "127.0.0.1 localhost\n::1 localhost";  // no final newline
  auto once = splice_hosts_block(base, kBlock);
  ASSERT_TRUE(once);
  EXPECT_EQ(*once, base + "\n" + kBlock);
  std::string around = "# top\n" + *once + "10.0.0.1 after\n";
  auto again = splice_hosts_block(around, render_hosts_block({{"192.0.2.1", "a.test"}}));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, "# top\n" + base + "\n" + render_hosts_block({{"192.0.2.1", "a.test"}}) +
                        "10.0.0.1 after\n");
  // Same block: same text.
  auto same = splice_hosts_block(around, kBlock);
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, around);
}

TEST(HostsFile, BrokenMarkersAreRefused) {
  EXPECT_FALSE(splice_hosts_block("# BEGIN zonekeeper\n1.2.3.4 a\n", kBlock));
  EXPECT_FALSE(splice_hosts_block("# END zonekeeper\n", kBlock));
  EXPECT_FALSE(splice_hosts_block(kBlock + kBlock, kBlock));
  // Lookalikes are not markers.
  auto ok = splice_hosts_block("# BEGIN zonekeeperish\n", kBlock);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, "# BEGIN zonekeeperish\n" + kBlock);
}

TEST(HostsFile, WritesAtomicallyKeepingModeAndOnlyWhenChanged) {
  char dir[] = "/tmp/zk-hosts-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/hosts";
  {
    std::ofstream out(path);
    out << "127.0.0.1 localhost\n";
  }
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  std::vector<HostsEntry> e = {{"192.0.2.10", "www.example.test"}};
  auto w = write_hosts_file(path, e);
  ASSERT_TRUE(w) << w.error();
  EXPECT_TRUE(*w);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ino_t inode = st.st_ino;
  std::stringstream ss;
  ss << std::ifstream(path).rdbuf();
  EXPECT_EQ(ss.str(), "127.0.0.1 localhost\n" + render_hosts_block(e));
  auto again = write_hosts_file(path, e);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, inode);  // not rewritten
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace zk::providers
