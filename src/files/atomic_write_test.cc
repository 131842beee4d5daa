#include "files/atomic_write.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "files/file_descriptor.h"

namespace zk::files {
namespace {

class AtomicWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zk-atomic-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override {
    for (const auto& f : files()) unlink((dir + "/" + f).c_str());
    rmdir(dir.c_str());
  }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    while (dirent* e = d ? readdir(d) : nullptr) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    if (d) closedir(d);
    return out;
  }
  mode_t mode_of(const std::string& path) const {
    struct stat st {};
    stat(path.c_str(), &st);
    return st.st_mode & 07777;
  }
  std::string dir;
};

TEST_F(AtomicWrite, NewFileExistingModeAndExplicitMode) {
  std::string path = dir + "/hosts";
  ASSERT_TRUE(write_file_atomically(path, "one\n"));
  EXPECT_EQ(read_file(path).value(), "one\n");
  EXPECT_EQ(mode_of(path), 0644u);

  chmod(path.c_str(), 0640);
  ASSERT_TRUE(write_file_atomically(path, "two\n"));
  EXPECT_EQ(read_file(path).value(), "two\n");
  EXPECT_EQ(mode_of(path), 0640u) << "the file keeps its mode";

  ASSERT_TRUE(write_file_atomically(path, "three\n", 0600));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(files(), std::vector<std::string>{"hosts"}) << "no temporary file is left";
}

TEST_F(AtomicWrite, FailuresNameTheFileAndLeaveNothingBehind) {
  auto w = write_file_atomically(dir + "/missing/file", "x");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().find(dir + "/missing"), std::string::npos) << w.error();
  // A folder where the file should be: the rename fails, the temporary file is removed.
  ASSERT_EQ(mkdir((dir + "/taken").c_str(), 0755), 0);
  w = write_file_atomically(dir + "/taken", "x");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().find("cannot replace it"), std::string::npos) << w.error();
  EXPECT_EQ(files(), std::vector<std::string>{"taken"});
  rmdir((dir + "/taken").c_str());
  EXPECT_EQ(read_file(dir + "/nothing").value(), std::nullopt);
}

TEST(FileDescriptor, ClosesOnceAndMoves) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  FileDescriptor w(fds[1]);
  {
    FileDescriptor r(fds[0]);
    FileDescriptor moved = std::move(r);
    EXPECT_FALSE(r);  // NOLINT(bugprone-use-after-move): what is tested
    EXPECT_TRUE(moved);
  }  // the read end is closed here: writing now fails with EPIPE
  signal(SIGPIPE, SIG_IGN);
  EXPECT_EQ(write(w.get(), "x", 1), -1);
  EXPECT_EQ(w.close(), 0);
  EXPECT_FALSE(w);
  EXPECT_EQ(w.close(), 0) << "closing twice is harmless";
}

}  // namespace
}  // namespace zk::files
