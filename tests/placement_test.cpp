// Where new windows go (docs/design.md, "Obtaining a region", step 3): grown left to the previous
// region, then right to the next one, at most a window in total, aligned, clipped.
#include <gtest/gtest.h>

#include <smmap/smmap.hpp>

#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;

const std::uint64_t G = ALLOCATIONGRANULARITY;

class PlacementTest : public ::testing::Test {
 protected:
  // smmap's placement: adaptive windows off (they change nothing here, as
  // nothing is evicted, but the contract is stated for this switch).
  PlacementTest() { manager_.set_adaptive(false); }

  // The region a fresh cursor gets for use_region(offset, size).
  std::pair<std::uint64_t, std::uint64_t> place(std::uint64_t offset, std::uint64_t size) {
    WindowCursor cursor = manager_.make_cursor(file_);
    EXPECT_TRUE(cursor.use_region(offset, size).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), offset));
    return {cursor.region()->ofs_begin(), cursor.region()->ofs_end()};
  }

  testing::TempDir dir_;
  std::uint64_t file_size_ = 20 * G + 100;
  std::filesystem::path file_ = dir_.make_file("data", file_size_);
  SlidingWindowMapManager manager_{static_cast<std::int64_t>(4 * G)};
};

using Range = std::pair<std::uint64_t, std::uint64_t>;

TEST_F(PlacementTest, FirstWindowGrowsLeftToTheFileStart) {
  EXPECT_EQ(place(5000, 100), Range(0, 4 * G));
}

TEST_F(PlacementTest, WindowGrowsLeftToThePreviousRegionThenAligns) {
  place(0, 1);  // [0, 4G)
  // [10G+10, 10G+11) grows left by a window less one byte, then alignment
  // rounds the start down and the end up: one page more than a window.
  EXPECT_EQ(place(10 * G + 10, 1), Range(6 * G, 11 * G));
}

TEST_F(PlacementTest, WindowStopsAtBothNeighbours) {
  EXPECT_EQ(place(0, 1), Range(0, 4 * G));
  EXPECT_EQ(place(7 * G, 1), Range(4 * G, 8 * G));  // grew left to its neighbour
  EXPECT_EQ(place(13 * G + 1, 1), Range(9 * G, 14 * G));
  // Between 8G and 9G only one page is free.
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(8 * G + 5, 3 * G).is_valid());
  EXPECT_EQ(cursor.region()->ofs_begin(), 8 * G);
  EXPECT_EQ(cursor.region()->ofs_end(), 9 * G);
  EXPECT_EQ(cursor.size(), G - 5);  // smaller than asked: a neighbour is in the way
  EXPECT_TRUE(matches(cursor.buffer(), 8 * G + 5));
}

TEST_F(PlacementTest, WindowIsClippedToTheFileEnd) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(file_size_ - 10, 1000).is_valid());
  EXPECT_EQ(cursor.region()->ofs_end(), file_size_);
  EXPECT_EQ(cursor.region()->ofs_begin(), 16 * G);
  EXPECT_EQ(cursor.size(), 10u);
  EXPECT_TRUE(matches(cursor.buffer(), file_size_ - 10));
}

TEST_F(PlacementTest, RegionsNeverOverlapAndAlwaysHoldTheOffset) {
  // Many windows in an odd order; every new one must start and end on its
  // neighbours' boundaries at most.
  std::vector<WindowCursor> cursors;
  for (std::uint64_t offset : std::initializer_list<std::uint64_t>{
           11 * G, 3 * G + 7, 19 * G, 7 * G + 4095, 15 * G, 0, 20 * G + 99, 9 * G + 1}) {
    cursors.push_back(manager_.make_cursor(file_));
    ASSERT_TRUE(cursors.back().use_region(offset, 100).is_valid());
    EXPECT_TRUE(cursors.back().region()->includes_ofs(offset));
    EXPECT_TRUE(matches(cursors.back().buffer(), offset));
  }
  std::vector<Range> ranges;
  for (const auto& cursor : cursors) {
    ranges.emplace_back(cursor.region()->ofs_begin(), cursor.region()->ofs_end());
    EXPECT_EQ(cursor.region()->ofs_begin() % G, 0u);
  }
  std::sort(ranges.begin(), ranges.end());
  ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    EXPECT_LE(ranges[i - 1].second, ranges[i].first) << "regions overlap";
  }
  EXPECT_EQ(manager_.num_file_handles(), ranges.size());
}

TEST_F(PlacementTest, UnalignedWindowSizeIsRoundedUp) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G + 1));
  EXPECT_EQ(manager.window_size(), 2 * G);
}

TEST_F(PlacementTest, DefaultsFollowTheArchitecture) {
  SlidingWindowMapManager sliding;
  StaticWindowMapManager whole;
  const std::uint64_t MiB = 1024 * 1024;
  EXPECT_EQ(sliding.window_size(), (is_64_bit() ? 1024 : 64) * MiB);
  EXPECT_EQ(sliding.max_mapped_memory_size(), (is_64_bit() ? 8192 : 1024) * MiB);
  EXPECT_EQ(sliding.max_file_handles(), kUnlimitedHandles);
  EXPECT_EQ(whole.window_size(), 0u);
  EXPECT_EQ(whole.max_mapped_memory_size(), (is_64_bit() ? 8192 : 1024) * MiB);
}

TEST_F(PlacementTest, SlidingWithWindowZeroMapsWholeFiles) {
  SlidingWindowMapManager manager(0);
  WindowCursor cursor = manager.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(12345, 10).is_valid());
  EXPECT_EQ(cursor.region()->ofs_begin(), 0u);
  EXPECT_EQ(cursor.region()->size(), file_size_);
}

}  // namespace
}  // namespace smmap
