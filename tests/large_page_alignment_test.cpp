// Large-window alignment (set_align_large_windows): windows of 2 MiB or more
// start at a multiple of 2 MiB when that still holds the request and fits
// between the neighbours; otherwise they are placed as smmap places them.
#include <gtest/gtest.h>

#include <smmap/smmap.hpp>

#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;

constexpr std::uint64_t M = 1024 * 1024;
const std::uint64_t G = ALLOCATIONGRANULARITY;
using Range = std::pair<std::uint64_t, std::uint64_t>;

class LargePageAlignmentTest : public ::testing::Test {
 protected:
  LargePageAlignmentTest() {
    manager_.set_align_large_windows(true);
    manager_.set_adaptive(false);  // placement alone, as in placement_test.cpp
  }

  // A cursor on use_region(offset, size), checked against the file's bytes.
  WindowCursor use(std::uint64_t offset, std::uint64_t size) {
    WindowCursor cursor = manager_.make_cursor(file_);
    EXPECT_TRUE(cursor.use_region(offset, size).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), offset));
    return cursor;
  }
  static Range range(const WindowCursor& cursor) {
    return {cursor.region()->ofs_begin(), cursor.region()->ofs_end()};
  }

  testing::TempDir dir_;
  std::uint64_t file_size_ = 20 * M + 100;
  std::filesystem::path file_ = dir_.make_file("data", file_size_);
  SlidingWindowMapManager manager_{static_cast<std::int64_t>(2 * M)};
};

TEST_F(LargePageAlignmentTest, TheOptionIsPerManager) {
  EXPECT_TRUE(manager_.align_large_windows());
  SlidingWindowMapManager other;
  EXPECT_EQ(other.align_large_windows(), kAlignLargeWindowsByDefault);
  other.set_align_large_windows(!kAlignLargeWindowsByDefault);
  EXPECT_NE(other.align_large_windows(), kAlignLargeWindowsByDefault);
}

TEST_F(LargePageAlignmentTest, WindowStartsAtALargePageBoundary) {
  WindowCursor cursor = use(5 * M + 100, 64);
  EXPECT_EQ(range(cursor), Range(4 * M, 6 * M));
  EXPECT_EQ(cursor.size(), 64u);
}

TEST_F(LargePageAlignmentTest, WithoutTheOptionSmmapsPlacementStays) {
  manager_.set_align_large_windows(false);
  WindowCursor cursor = use(5 * M + 100, 64);
  // Grown left by a window less the request, then page-aligned.
  EXPECT_EQ(cursor.region()->ofs_begin(), 3 * M);
  EXPECT_NE(cursor.region()->ofs_begin() % kLargePageSize, 0u);
}

TEST_F(LargePageAlignmentTest, ARequestThatCannotBeAlignedKeepsSmmapsPlacement) {
  // A full window from an unaligned offset: no 2 MiB start holds all of it.
  WindowCursor cursor = use(5 * M + 100, 2 * M);
  EXPECT_LE(cursor.region()->ofs_begin(), 5 * M + 100);
  EXPECT_GE(cursor.region()->ofs_end(), 7 * M + 100);
  EXPECT_EQ(cursor.size(), 2 * M);
}

TEST_F(LargePageAlignmentTest, WindowsStayBetweenTheirNeighbours) {
  WindowCursor middle = use(9 * M, 64);
  EXPECT_EQ(range(middle), Range(8 * M, 10 * M));
  // The left neighbour ends at 10 MiB, a large page boundary.
  WindowCursor right = use(10 * M + 4096, 64);
  EXPECT_EQ(range(right), Range(10 * M, 12 * M));
  // The right neighbour starts at 8 MiB and clips the window.
  WindowCursor left = use(7 * M + 5, 64);
  EXPECT_EQ(range(left), Range(6 * M, 8 * M));
}

TEST_F(LargePageAlignmentTest, ALeftNeighbourPastTheBoundaryKeepsSmmapsPlacement) {
  manager_.set_align_large_windows(false);
  WindowCursor first = use(5 * M + 100, 64);  // [3M, 5M + G)
  manager_.set_align_large_windows(true);
  // 4 MiB would overlap the first window and 6 MiB is past the offset.
  WindowCursor second = use(5 * M + 2 * G, 64);
  EXPECT_EQ(second.region()->ofs_begin(), first.region()->ofs_end());
  EXPECT_TRUE(second.region()->includes_ofs(5 * M + 2 * G + 63));
}

TEST_F(LargePageAlignmentTest, TheLastWindowIsClippedToTheFileEnd) {
  WindowCursor cursor = use(file_size_ - 50, 10);
  EXPECT_EQ(range(cursor), Range(20 * M, file_size_));
  EXPECT_EQ(cursor.size(), 10u);
}

TEST_F(LargePageAlignmentTest, SmallWindowsAreNotMoved) {
  SlidingWindowMapManager small(static_cast<std::int64_t>(M));
  small.set_align_large_windows(true);
  WindowCursor cursor = small.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(5 * M + 100, 64).is_valid());
  EXPECT_EQ(cursor.region()->ofs_begin(), 4 * M);  // smmap's placement: one window to the left
  EXPECT_TRUE(matches(cursor.buffer(), 5 * M + 100));
}

TEST_F(LargePageAlignmentTest, RandomRequestsAlwaysGetTheirBytes) {
  std::vector<WindowCursor> held;
  std::uint64_t x = 12345;
  for (int i = 0; i < 200; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::uint64_t offset = (x >> 11) % file_size_;
    const std::uint64_t size = 1 + (x >> 7) % (3 * M);
    WindowCursor cursor = manager_.make_cursor(file_);
    ASSERT_TRUE(cursor.use_region(offset, size).is_valid());
    ASSERT_EQ(cursor.ofs_begin(), offset);
    ASSERT_GT(cursor.size(), 0u);
    ASSERT_TRUE(matches(cursor.buffer().first(std::min<std::size_t>(cursor.size(), 256)), offset));
    ASSERT_LE(cursor.region()->size(), 2 * M + G);
    if (i % 3 == 0) held.push_back(std::move(cursor));  // neighbours in the way
  }
}

}  // namespace
}  // namespace smmap
