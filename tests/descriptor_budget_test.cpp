// The descriptor budget: a manager keeps at most max_open_descriptors()
// descriptors of its own open, whatever number of files its cursors hold, and
// reopens a file for its next window only if it is still the same file.
#include <fcntl.h>
#include <gtest/gtest.h>
#ifdef _WIN32
#include <io.h>
#else
#include <sys/resource.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <cstdio>
#include <random>
#include <system_error>
#include <vector>

#include "invariants.hpp"
#include "platform.hpp"  // ESTALE on Windows
#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;
using testing::TempDir;

const std::uint64_t G = ALLOCATIONGRANULARITY;

// A descriptor of the application's own (on Windows the C runtime's).
int open_own(const std::filesystem::path& path) {
#ifdef _WIN32
  return ::_wopen(path.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT);
#else
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
#endif
}

void close_own(int fd) {
#ifdef _WIN32
  ::_close(fd);
#else
  ::close(fd);
#endif
}

bool is_open_own(int fd) {
#ifdef _WIN32
  return ::_get_osfhandle(fd) != -1;
#else
  return ::fcntl(fd, F_GETFD) != -1;
#endif
}

#ifndef _WIN32
// Lowers the soft RLIMIT_NOFILE for the scope.
class ScopedDescriptorLimit {
 public:
  explicit ScopedDescriptorLimit(rlim_t soft) {
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0);
    rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  }
  ~ScopedDescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  ScopedDescriptorLimit(const ScopedDescriptorLimit&) = delete;
  ScopedDescriptorLimit& operator=(const ScopedDescriptorLimit&) = delete;

 private:
  rlimit saved_{};
};
#endif

// True iff the application can open |count| files of its own at once.
bool application_can_open(const std::filesystem::path& path, int count) {
  std::vector<int> fds;
  bool all = true;
  for (int i = 0; i < count && all; ++i) {
    const int fd = open_own(path);
    if (fd < 0) {
      all = false;
    } else {
      fds.push_back(fd);
    }
  }
  for (const int fd : fds) close_own(fd);
  return all;
}

TEST(DescriptorBudgetTest, AThousandFilesWithLiveCursorsLeaveTheApplicationItsDescriptors) {
  TempDir dir;
  constexpr int kFiles = 1000;
  std::vector<std::filesystem::path> files;
  std::vector<std::uint64_t> sizes;
  for (int i = 0; i < kFiles; ++i) {
    sizes.push_back((1 + i % 5) * G + static_cast<std::uint64_t>(i));
    files.push_back(dir.make_file("f" + std::to_string(i), sizes.back()));
  }
  const std::filesystem::path own = dir.make_file("application", 100);

#ifdef _WIN32
  // No descriptor limit on Windows: a fixed default budget, lowered here.
  SlidingWindowMapManager manager(static_cast<std::int64_t>(2 * G));
  ASSERT_EQ(manager.max_open_descriptors(), 512u);
  manager.set_max_open_descriptors(32);
#else
  ScopedDescriptorLimit limit(128);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(2 * G));
  ASSERT_EQ(manager.max_open_descriptors(), 32u);  // a quarter of the limit
#endif

  std::vector<WindowCursor> cursors;
  cursors.reserve(kFiles);
  for (int i = 0; i < kFiles; ++i) {
    cursors.push_back(manager.make_cursor(files[i]));
    ASSERT_TRUE(cursors.back().use_region(0, 10).is_valid());
    ASSERT_LE(manager.num_open_descriptors(), 32u);
    if (i % 100 == 0) {
      ASSERT_TRUE(application_can_open(own, 32)) << "after " << i << " files";
    }
  }
  std::mt19937_64 random(7);
  for (int read = 0; read < 6000; ++read) {
    const auto i = static_cast<std::size_t>(random() % kFiles);
    const std::uint64_t offset = random() % sizes[i];
    WindowCursor& cursor = cursors[i];
    ASSERT_TRUE(cursor.use_region(offset, 1 + random() % G).is_valid());
    ASSERT_TRUE(matches(cursor.buffer(), offset)) << files[i] << " at " << offset;
    ASSERT_LE(manager.num_open_descriptors(), 32u);
    if (read % 500 == 0) {
      ASSERT_TRUE(application_can_open(own, 32)) << "after " << read << " reads";
    }
  }
  testing::check_invariants(manager);
  const ManagerStats stats = manager.stats();
  EXPECT_GT(stats.descriptor_closes, 0u);
  EXPECT_GT(stats.descriptor_reopens, 0u);
  EXPECT_EQ(stats.replaced_files, 0u);
}

// Out of descriptors at open with a budget larger than the process may
// open: the manager closes the descriptors it holds itself and retries, so
// the application's limit, not the budget, bounds what it holds.
TEST(DescriptorBudgetTest, OutOfDescriptorsAtOpenTheManagerClosesItsOwnAndRetries) {
#ifdef _WIN32
  GTEST_SKIP() << "Windows has no descriptor limit to run out of (RLIMIT_NOFILE)";
#else
  TempDir dir;
  constexpr int kFiles = 100;
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < kFiles; ++i) {
    files.push_back(dir.make_file("f" + std::to_string(i), G + static_cast<std::uint64_t>(i)));
  }
  ScopedDescriptorLimit limit(64);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G));
  manager.set_max_open_descriptors(1000);
  std::vector<WindowCursor> cursors;
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_NO_THROW(cursors.push_back(manager.make_cursor(files[i]))) << "file " << i;
  }
  EXPECT_GT(manager.stats().descriptor_closes, 0u);
  EXPECT_LT(manager.num_open_descriptors(), 64u);
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_TRUE(cursors[i].use_region(static_cast<std::uint64_t>(i), 10).is_valid()) << i;
    EXPECT_TRUE(matches(cursors[i].buffer(), static_cast<std::uint64_t>(i))) << i;
    cursors[i].unuse_region();
  }
  testing::check_invariants(manager);
#endif
}

TEST(DescriptorBudgetTest, AFileReplacedWhileItsDescriptorWasClosedIsNotReopened) {
  SMMAP_SKIP_ON_WINDOWS(testing::kWindowsKeepsMappedFiles);
  TempDir dir;
  const auto a = dir.make_file("a", 8 * G);
  const auto b = dir.make_file("b", 8 * G);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G));
  manager.set_max_open_descriptors(1);
  WindowCursor on_a = manager.make_cursor(a);
  ASSERT_TRUE(on_a.use_region(0, 10).is_valid());
  WindowCursor on_b = manager.make_cursor(b);  // closes a's descriptor
  ASSERT_TRUE(on_b.use_region(0, 10).is_valid());
  EXPECT_EQ(manager.num_open_descriptors(), 1u);

  const auto replacement = dir.make_file("new", 8 * G + 1);
  std::filesystem::rename(replacement, a);
  try {
    on_a.use_region(5 * G, 10);
    FAIL() << "a window of the old file cannot be mapped from the new one";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), ESTALE);
    EXPECT_NE(std::string(error.what()).find(a.string()), std::string::npos) << error.what();
  }
  EXPECT_FALSE(on_a.is_valid());
  WindowCursor fresh = manager.make_cursor(a);
  EXPECT_EQ(fresh.file_size(), 8 * G + 1);
  ASSERT_TRUE(fresh.use_region(5 * G, 10).is_valid());
  EXPECT_TRUE(matches(fresh.buffer(), 5 * G));
  EXPECT_EQ(manager.stats().replaced_files, 1u);
  testing::check_invariants(manager);
}

// The least recently used descriptor closes first, and a window of a file
// makes its descriptor the most recently used; every close and reopen is
// counted once.
TEST(DescriptorBudgetTest, TheLeastRecentlyUsedClosesFirstAndEachCloseAndReopenIsCounted) {
  TempDir dir;
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G));
  manager.set_max_open_descriptors(2);
  std::vector<WindowCursor> cursors;
  for (const char* name : {"a", "b", "c"}) {
    cursors.push_back(manager.make_cursor(dir.make_file(name, 8 * G)));
  }
  WindowCursor& a = cursors[0];
  WindowCursor& b = cursors[1];
  WindowCursor& c = cursors[2];
  const auto expect_counts = [&manager](std::uint64_t closes, std::uint64_t reopens) {
    EXPECT_EQ(manager.stats().descriptor_closes, closes);
    EXPECT_EQ(manager.stats().descriptor_reopens, reopens);
    EXPECT_EQ(manager.num_open_descriptors(), 2u);
  };
  expect_counts(1, 0);  // c's open closed a's: open, oldest first, are b and c
  ASSERT_TRUE(c.use_region(0, 10).is_valid());
  ASSERT_TRUE(b.use_region(0, 10).is_valid());  // now c, b
  expect_counts(1, 0);
  ASSERT_TRUE(a.use_region(0, 10).is_valid());  // reopens a and closes c
  expect_counts(2, 1);
  ASSERT_TRUE(b.use_region(2 * G, 10).is_valid());  // b is open: now a, b
  expect_counts(2, 1);
  ASSERT_TRUE(c.use_region(2 * G, 10).is_valid());  // reopens c and closes a
  expect_counts(3, 2);
  ASSERT_TRUE(b.use_region(4 * G, 10).is_valid());
  expect_counts(3, 2);
  ASSERT_TRUE(a.use_region(4 * G, 10).is_valid());  // reopens a and closes c
  expect_counts(4, 3);
  for (std::uint64_t i = 0; i < 3; ++i)
    EXPECT_TRUE(matches(cursors[i].buffer(), cursors[i].ofs_begin()));
  testing::check_invariants(manager);
}

TEST(DescriptorBudgetTest, TheCallersDescriptorsAreNeverClosedNorCounted) {
  TempDir dir;
  std::vector<int> fds;
  std::vector<WindowCursor> cursors;
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G));
  manager.set_max_open_descriptors(1);
  for (int i = 0; i < 4; ++i) {
    const auto path = dir.make_file("f" + std::to_string(i), 4 * G);
    fds.push_back(open_own(path));
    ASSERT_GE(fds.back(), 0);
    cursors.push_back(manager.make_cursor(fds.back()));
    cursors.push_back(manager.make_cursor(path));
  }
  for (int round = 0; round < 3; ++round) {
    for (WindowCursor& cursor : cursors) {
      const std::uint64_t offset = static_cast<std::uint64_t>(round) * G + 7;
      ASSERT_TRUE(cursor.use_region(offset, 10).is_valid());
      ASSERT_TRUE(matches(cursor.buffer(), offset));
      EXPECT_LE(manager.num_open_descriptors(), 1u);
    }
  }
  for (const int fd : fds) {
    EXPECT_TRUE(is_open_own(fd)) << "fd " << fd << " was closed";
    close_own(fd);
  }
  testing::check_invariants(manager);
}

TEST(DescriptorBudgetTest, LoweringTheBudgetClosesDescriptorsAtOnce) {
  TempDir dir;
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G));
  std::vector<WindowCursor> cursors;
  for (int i = 0; i < 10; ++i) {
    cursors.push_back(manager.make_cursor(dir.make_file("f" + std::to_string(i), 2 * G)));
  }
  EXPECT_EQ(manager.num_open_descriptors(), 10u);
  const std::size_t before = testing::count_open_fds();
  manager.set_max_open_descriptors(3);
  EXPECT_EQ(manager.max_open_descriptors(), 3u);
  EXPECT_EQ(manager.num_open_descriptors(), 3u);
  EXPECT_EQ(testing::count_open_fds(), before - 7);
  for (WindowCursor& cursor : cursors) {
    ASSERT_TRUE(cursor.use_region(G + 1, 10).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), G + 1));
  }
  EXPECT_EQ(manager.num_open_descriptors(), 3u);
  manager.set_max_open_descriptors(0);  // at least one
  EXPECT_EQ(manager.max_open_descriptors(), 1u);
  testing::check_invariants(manager);
}

}  // namespace
}  // namespace smmap
