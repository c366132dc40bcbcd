// The manager as a C++ user calls it: every spelling of a path or a
// descriptor, and what a moved-from manager does.

#include <gtest/gtest.h>

#include <climits>
#include <smmap/smmap.hpp>
#include <string>
#include <string_view>
#include <system_error>

#include "invariants.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;

const std::uint64_t G = ALLOCATIONGRANULARITY;

// What make_cursor takes, checked as this file compiles: any path spelling
// and any integer type but bool, which is no descriptor.
template <typename Manager, typename Source>
concept MakesCursorFrom = requires(Manager& manager, const Source& source) {
  manager.make_cursor(source);
};
static_assert(MakesCursorFrom<SlidingWindowMapManager, int>);
static_assert(MakesCursorFrom<SlidingWindowMapManager, unsigned short>);
static_assert(MakesCursorFrom<SlidingWindowMapManager, std::string>);
static_assert(MakesCursorFrom<SlidingWindowMapManager, const char*>);
static_assert(MakesCursorFrom<SlidingWindowMapManager, PathOrFd>);
static_assert(!MakesCursorFrom<SlidingWindowMapManager, bool>);
static_assert(!MakesCursorFrom<StaticWindowMapManager, bool>);

class ManagerTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::filesystem::path file_ = dir_.make_file("data", 5 * G + 17);
  SlidingWindowMapManager manager_{static_cast<std::int64_t>(2 * G)};

  void expect_reads(WindowCursor cursor) {
    ASSERT_TRUE(cursor.is_associated());
    EXPECT_EQ(cursor.file_size(), 5 * G + 17);
    ASSERT_TRUE(cursor.use_region(3 * G + 5, 100).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), 3 * G + 5));
  }
};

TEST_F(ManagerTest, MakeCursorTakesEveryPathSpelling) {
  const std::string path = file_.string();
  const std::string& path_ref = path;
  expect_reads(manager_.make_cursor(path));
  expect_reads(manager_.make_cursor(path_ref));
  expect_reads(manager_.make_cursor(std::string_view(path)));
  expect_reads(manager_.make_cursor(path.c_str()));
  expect_reads(manager_.make_cursor(file_));
  expect_reads(manager_.make_cursor(file_.wstring()));
  expect_reads(manager_.make_cursor(file_.u8string()));
  expect_reads(manager_.make_cursor(PathOrFd(file_)));
  // One entry for them all: they name the same path.
  EXPECT_EQ(manager_.num_open_files(), 1u);
}

TEST_F(ManagerTest, MakeCursorTakesALiteral) {
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  expect_reads(manager_.make_cursor("data"));
  expect_reads(manager_.make_cursor(u8"data"));
  std::filesystem::current_path(cwd);
}

TEST_F(ManagerTest, MakeCursorTakesADescriptorOfAnyIntegerType) {
  const int fd = testing::open_descriptor(file_);
  ASSERT_GE(fd, 0);
  expect_reads(manager_.make_cursor(fd));
  expect_reads(manager_.make_cursor(static_cast<long>(fd)));
  expect_reads(manager_.make_cursor(static_cast<unsigned>(fd)));
  expect_reads(manager_.make_cursor(static_cast<short>(fd)));
  EXPECT_EQ(manager_.make_cursor(static_cast<long>(fd)).fd(), fd);
  testing::close_descriptor(fd);
}

TEST_F(ManagerTest, ADescriptorBeyondIntIsRejectedNotNarrowed) {
  const int fd = testing::open_descriptor(file_);
  ASSERT_GE(fd, 0);
  // Narrowed to int, this would be |fd| itself.
  const long long wide = (1LL << 32) + fd;
  EXPECT_THROW(manager_.make_cursor(wide), std::invalid_argument);
  EXPECT_THROW(manager_.make_cursor(static_cast<long long>(INT_MAX) + 1), std::invalid_argument);
  EXPECT_THROW(manager_.make_cursor(static_cast<long long>(INT_MIN) - 1), std::invalid_argument);
  testing::close_descriptor(fd);
  try {
    manager_.make_cursor(-1L);
    FAIL() << "a negative descriptor is a bad descriptor";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::bad_file_descriptor);
  }
}

TEST_F(ManagerTest, AMovedFromManagerThrowsLogicErrorAndItsCursorsKeepWorking) {
  WindowCursor before = manager_.make_cursor(file_);
  ASSERT_TRUE(before.use_region(0, 10).is_valid());
  SlidingWindowMapManager taken = std::move(manager_);

  EXPECT_THROW(manager_.num_file_handles(), std::logic_error);
  EXPECT_THROW(manager_.num_open_files(), std::logic_error);
  EXPECT_THROW(manager_.window_size(), std::logic_error);
  EXPECT_THROW(manager_.mapped_memory_size(), std::logic_error);
  EXPECT_THROW(manager_.max_file_handles(), std::logic_error);
  EXPECT_THROW(manager_.max_mapped_memory_size(), std::logic_error);
  EXPECT_THROW(manager_.make_cursor(file_), std::logic_error);
  EXPECT_THROW(manager_.collect(), std::logic_error);
  EXPECT_THROW(manager_.collect_lru_region(0), std::logic_error);
  EXPECT_THROW(manager_.force_map_handle_removal_win(dir_.path()), std::logic_error);
  EXPECT_THROW(manager_.stats(), std::logic_error);
  EXPECT_THROW(testing::check_invariants(manager_), std::logic_error);
  EXPECT_THROW(manager_.align_large_windows(), std::logic_error);
  EXPECT_THROW(manager_.set_align_large_windows(false), std::logic_error);

  // The state moved with the manager.
  EXPECT_EQ(taken.num_file_handles(), 1u);
  ASSERT_TRUE(before.use_region(4 * G, 10).is_valid());
  EXPECT_TRUE(matches(before.buffer(), 4 * G));
  EXPECT_EQ(taken.num_file_handles(), 2u);

  // Assigning to it makes it a manager again.
  manager_ = SlidingWindowMapManager(static_cast<std::int64_t>(G));
  EXPECT_EQ(manager_.num_file_handles(), 0u);
  expect_reads(manager_.make_cursor(file_));
}

TEST_F(ManagerTest, InvariantsHoldThroughCopiesMovesAndCollects) {
  WindowCursor a = manager_.make_cursor(file_);
  a.use_region(0, G);
  WindowCursor b = a;
  b.use_region(4 * G, G);
  WindowCursor c = std::move(b);
  testing::check_invariants(manager_);
  a.unuse_region();
  manager_.collect();
  testing::check_invariants(manager_);
  c = WindowCursor();
  a = WindowCursor();
  testing::check_invariants(manager_);
  EXPECT_EQ(manager_.num_file_handles(), 1u);  // c's region, cached unused
  EXPECT_EQ(manager_.collect(), 1u);
  testing::check_invariants(manager_);
}

TEST(MapRegionSizeZeroTest, MapsFromTheOffsetToTheEndOfTheFile) {
  testing::TempDir dir;
  const auto path = dir.make_file("f", 3 * G + 99);
  MapRegion whole(path, 0, 0);
  EXPECT_EQ(whole.size(), 3 * G + 99);
  EXPECT_TRUE(matches(whole.buffer(), 0));
  MapRegion tail(path, 2 * G, 0);
  EXPECT_EQ(tail.ofs_begin(), 2 * G);
  EXPECT_EQ(tail.size(), G + 99);
  EXPECT_TRUE(matches(tail.buffer(), 2 * G));
}

}  // namespace
}  // namespace smmap
