// Limits (docs/design.md, "Obtaining a region", steps 2 and 4) and least-recently-used eviction
// ("Eviction order").
#include <gtest/gtest.h>

#include <random>
#include <smmap/smmap.hpp>
#include <system_error>

#include "invariants.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;

const std::uint64_t G = ALLOCATIONGRANULARITY;

class EvictionTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::uint64_t file_size_ = 64 * G;
  std::filesystem::path file_ = dir_.make_file("data", file_size_);
};

// One-page windows, room for three.
TEST_F(EvictionTest, EvictsTheLeastRecentlyReleasedRegion) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 3 * G);
  WindowCursor a = manager.make_cursor(file_);
  WindowCursor b = manager.make_cursor(file_);
  WindowCursor c = manager.make_cursor(file_);
  a.use_region(10 * G, G);
  b.use_region(20 * G, G);
  c.use_region(30 * G, G);
  // Released in the order c, a, b: c is the coldest, though it was mapped last.
  c.unuse_region();
  a.unuse_region();
  b.unuse_region();
  EXPECT_EQ(manager.num_file_handles(), 3u);

  WindowCursor d = manager.make_cursor(file_);
  d.use_region(40 * G, G);  // no room: one region must go
  EXPECT_EQ(manager.num_file_handles(), 3u);
  EXPECT_EQ(manager.stats().unmaps_by_eviction, 1u);

  // a and b are still mapped (hits on live regions); c was evicted (a new map).
  const ManagerStats before = manager.stats();
  d.use_region(10 * G, G);
  d.use_region(20 * G, G);
  EXPECT_EQ(manager.stats().region_hits, before.region_hits + 2);
  EXPECT_EQ(manager.stats().maps, before.maps);
  d.use_region(30 * G, G);
  EXPECT_EQ(manager.stats().maps, before.maps + 1);
  EXPECT_TRUE(matches(d.buffer(), 30 * G));
}

TEST_F(EvictionTest, ReuseMakesARegionRecentAgain) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 2 * G);
  WindowCursor cursor = manager.make_cursor(file_);
  cursor.use_region(1 * G, G);  // A
  cursor.use_region(5 * G, G);  // B; A released first
  cursor.use_region(1 * G, G);  // A again; B released, now the coldest
  cursor.use_region(9 * G, G);  // C must evict B, not A
  const ManagerStats before = manager.stats();
  cursor.use_region(1 * G, G);
  EXPECT_EQ(manager.stats().region_hits, before.region_hits + 1);
  cursor.use_region(5 * G, G);
  EXPECT_EQ(manager.stats().maps, before.maps + 1);
}

TEST_F(EvictionTest, PinnedRegionsAreNeverEvictedAndMemoryIsASoftLimit) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 2 * G);
  std::vector<WindowCursor> pinned;
  for (std::uint64_t i = 0; i < 4; ++i) {
    pinned.push_back(manager.make_cursor(file_));
    ASSERT_TRUE(pinned.back().use_region(i * 10 * G, G).is_valid());
  }
  EXPECT_EQ(manager.mapped_memory_size(), 4 * G);  // over the limit: all pinned
  EXPECT_EQ(manager.stats().unmaps_by_eviction, 0u);
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(matches(pinned[i].buffer(), i * 10 * G));
  pinned.clear();
  WindowCursor next = manager.make_cursor(file_);
  next.use_region(50 * G, G);
  EXPECT_LE(manager.mapped_memory_size(), 2 * G);  // back under as soon as it can be
}

TEST_F(EvictionTest, HandleLimitIsHardWhenEverythingIsPinned) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 0, 2);
  WindowCursor a = manager.make_cursor(file_);
  WindowCursor b = manager.make_cursor(file_);
  WindowCursor c = manager.make_cursor(file_);
  a.use_region(0, G);
  b.use_region(10 * G, G);
  try {
    c.use_region(20 * G, G);
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::too_many_files_open);
    const std::string message = error.what();
    EXPECT_NE(message.find(file_.string()), std::string::npos) << message;
    EXPECT_NE(message.find("offset " + std::to_string(20 * G)), std::string::npos) << message;
  }
  EXPECT_FALSE(c.is_valid());
  EXPECT_EQ(manager.num_file_handles(), 2u);
  a.unuse_region();
  ASSERT_TRUE(c.use_region(20 * G, G).is_valid());  // a's region made room
  EXPECT_TRUE(matches(c.buffer(), 20 * G));
  EXPECT_EQ(manager.num_file_handles(), 2u);
}

// Room for a full window is made before the new window is placed
// (docs/design.md, "Obtaining a region", step 2), so the window may grow into
// the space of the region evicted for it, as smmap's does.
TEST_F(EvictionTest, RoomIsMadeBeforeTheWindowIsPlaced) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(4 * G), 8 * G);
  manager.set_adaptive(false);
  WindowCursor a = manager.make_cursor(file_);
  WindowCursor b = manager.make_cursor(file_);
  ASSERT_TRUE(a.use_region(0, 4 * G).is_valid());
  ASSERT_TRUE(b.use_region(8 * G, 4 * G).is_valid());
  a.unuse_region();  // the coldest: it goes before placing
  b.unuse_region();
  ASSERT_TRUE(a.use_region(5 * G, 1).is_valid());
  // Placed with [0, 4G) already gone: grown left past 4G to a full window,
  // then aligned: [G, 6G). Placed first, it would have been [4G, 8G).
  EXPECT_EQ(a.region()->ofs_begin(), G);
  EXPECT_EQ(a.region()->ofs_end(), 6 * G);
  EXPECT_TRUE(matches(a.buffer(), 5 * G));
  // The aligned window is a page over 4G, so [8G, 12G) makes room for it too.
  EXPECT_EQ(manager.stats().unmaps_by_eviction, 2u);
  EXPECT_LE(manager.mapped_memory_size(), 8 * G);
  testing::check_invariants(manager);
}

// At the handle limit a new window evicts exactly the coldest unused region:
// no more, no retry, and the eviction is counted.
TEST_F(EvictionTest, HandleLimitEvictsExactlyTheColdestUnusedRegion) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 1 << 30, 3);
  WindowCursor a = manager.make_cursor(file_);
  WindowCursor b = manager.make_cursor(file_);
  WindowCursor c = manager.make_cursor(file_);
  ASSERT_TRUE(a.use_region(0, G).is_valid());
  ASSERT_TRUE(b.use_region(10 * G, G).is_valid());
  ASSERT_TRUE(c.use_region(20 * G, G).is_valid());
  b.unuse_region();  // released first: the coldest
  a.unuse_region();
  c.unuse_region();
  const MapRegionList& list = *a.region_list();
  ASSERT_EQ(manager.num_file_handles(), 3u);

  ASSERT_TRUE(a.use_region(30 * G, G).is_valid());
  EXPECT_TRUE(matches(a.buffer(), 30 * G));
  EXPECT_EQ(manager.num_file_handles(), 3u);
  EXPECT_EQ(list.client_count_of(10 * G, G), 0) << "the coldest region goes";
  EXPECT_EQ(list.client_count_of(0, G), 1) << "a warmer one stays";
  EXPECT_EQ(list.client_count_of(20 * G, G), 1) << "the warmest stays";
  const ManagerStats stats = manager.stats();
  EXPECT_EQ(stats.unmaps_by_eviction, 1u);
  EXPECT_EQ(stats.map_retries, 0u);
  EXPECT_EQ(stats.maps, 4u);
  testing::check_invariants(manager);
}

TEST_F(EvictionTest, RandomAccessStaysWithinLimits) {
  const std::uint64_t max_memory = 10 * G;
  const std::uint64_t max_handles = 4;
  for (bool two_files : {false, true}) {
    SlidingWindowMapManager manager(static_cast<std::int64_t>(3 * G), max_memory, max_handles);
    const auto other = dir_.make_file("other", 37 * G + 5);
    std::vector<WindowCursor> cursors{manager.make_cursor(file_), manager.make_cursor(other)};
    std::mt19937_64 random(42);
    for (int access = 0; access < 3000; ++access) {
      WindowCursor& cursor = cursors[two_files ? random() % 2 : 0];
      const std::uint64_t offset = random() % cursor.file_size();
      const std::uint64_t size = 1 + random() % (4 * G);
      ASSERT_TRUE(cursor.use_region(offset, size).is_valid());
      ASSERT_EQ(cursor.ofs_begin(), offset);
      ASSERT_TRUE(matches(cursor.buffer(), offset)) << "offset " << offset;
      ASSERT_LE(manager.num_file_handles(), max_handles);
      ASSERT_LE(manager.mapped_memory_size(), max_memory);
      ASSERT_NO_THROW(testing::check_invariants(manager));
    }
    const ManagerStats stats = manager.stats();
    EXPECT_GT(stats.unmaps_by_eviction, 0u);
    EXPECT_LE(stats.peak_regions, max_handles);
    EXPECT_LE(stats.peak_mapped_bytes, max_memory);
  }
}

TEST_F(EvictionTest, CollectUnmapsEveryUnusedRegion) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G));
  WindowCursor keep = manager.make_cursor(file_);
  WindowCursor roam = manager.make_cursor(file_);
  keep.use_region(0, 1);
  for (std::uint64_t i = 1; i <= 5; ++i) roam.use_region(i * 4 * G, 1);
  roam.unuse_region();
  EXPECT_EQ(manager.num_file_handles(), 6u);
  EXPECT_EQ(manager.collect(), 5u);
  EXPECT_EQ(manager.num_file_handles(), 1u);
  EXPECT_EQ(manager.mapped_memory_size(), G);
  EXPECT_TRUE(matches(keep.buffer(), 0));
  EXPECT_EQ(manager.stats().unmaps_by_collect, 5u);
  EXPECT_EQ(manager.collect(), 0u);
  keep.unuse_region();
  EXPECT_EQ(manager.collect(), 1u);
  EXPECT_EQ(manager.num_open_files(), 0u);
  EXPECT_EQ(manager.mapped_memory_size(), 0u);
}

TEST_F(EvictionTest, CollectLruRegionFreesOnlyWhatIsNeeded) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 4 * G);
  WindowCursor cursor = manager.make_cursor(file_);
  for (std::uint64_t i = 0; i < 4; ++i) cursor.use_region(i * 8 * G, G);  // one page each
  cursor.unuse_region();
  EXPECT_EQ(manager.collect_lru_region(G), 1u);  // room for one more page
  EXPECT_EQ(manager.num_file_handles(), 3u);
  EXPECT_EQ(manager.collect_lru_region(G), 0u);  // it fits already
  EXPECT_EQ(manager.collect_lru_region(UINT64_MAX), 3u);
  EXPECT_EQ(manager.collect_lru_region(0), 0u);
}

// manager.hpp: "0 frees every unused region", whatever the limit says.
TEST_F(EvictionTest, CollectLruRegionZeroFreesEveryUnusedRegionEvenUnderTheLimit) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 64 * G);
  WindowCursor cursor = manager.make_cursor(file_);
  WindowCursor kept = manager.make_cursor(file_);
  for (std::uint64_t i = 0; i < 3; ++i) cursor.use_region(i * 8 * G, G);
  kept.use_region(40 * G, G);
  cursor.unuse_region();
  ASSERT_EQ(manager.num_file_handles(), 4u);
  ASSERT_LT(manager.mapped_memory_size(), manager.max_mapped_memory_size());
  EXPECT_EQ(manager.collect_lru_region(0), 3u);
  EXPECT_EQ(manager.num_file_handles(), 1u);  // the pinned one stays
  EXPECT_EQ(manager.stats().unmaps_by_collect, 3u);
  EXPECT_EQ(manager.stats().unmaps_by_eviction, 0u);
  EXPECT_TRUE(matches(kept.buffer(), 40 * G));
}

TEST_F(EvictionTest, StatsCountTheWork) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 2 * G);
  WindowCursor cursor = manager.make_cursor(file_);
  cursor.use_region(0, 10);      // map
  cursor.use_region(100, 10);    // cursor hit
  cursor.use_region(G, 10);      // map
  cursor.use_region(2 * G, 10);  // map, evicting [0, G)
  cursor.use_region(G, 10);      // region hit
  cursor.unuse_region();
  const ManagerStats stats = manager.stats();
  EXPECT_EQ(stats.maps, 3u);
  EXPECT_EQ(stats.cursor_hits, 1u);
  EXPECT_EQ(stats.region_hits, 1u);
  EXPECT_EQ(stats.unmaps_by_eviction, 1u);
  EXPECT_EQ(stats.peak_regions, 2u);
  EXPECT_EQ(stats.peak_mapped_bytes, 2 * G);
  EXPECT_EQ(stats.map_retries, 0u);
}

// Peaks are the highest values seen, not the current ones.
TEST_F(EvictionTest, PeaksAreTheHighestSeen) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(G), 8 * G);
  std::uint64_t most_bytes = 0;
  {
    WindowCursor a = manager.make_cursor(file_);
    WindowCursor b = manager.make_cursor(file_);
    WindowCursor c = manager.make_cursor(file_);
    a.use_region(0, 10);
    b.use_region(8 * G, 10);
    c.use_region(16 * G, 2 * G);
    most_bytes = a.region()->size() + b.region()->size() + c.region()->size();
    EXPECT_EQ(manager.mapped_memory_size(), most_bytes);
  }
  EXPECT_EQ(manager.collect(), 3u);
  WindowCursor d = manager.make_cursor(file_);
  d.use_region(30 * G, 10);
  const ManagerStats stats = manager.stats();
  EXPECT_EQ(manager.num_file_handles(), 1u);
  EXPECT_EQ(stats.peak_regions, 3u);
  EXPECT_EQ(stats.peak_mapped_bytes, most_bytes);
  EXPECT_GT(most_bytes, manager.mapped_memory_size());
  EXPECT_EQ(stats.maps, 4u);
  EXPECT_EQ(stats.unmaps_by_collect, 3u);
  EXPECT_EQ(stats.unmaps_by_eviction, 0u);
}

TEST_F(EvictionTest, ManagerDestructionReleasesEverythingUnused) {
  const std::size_t mappings = testing::count_mappings();
  const std::size_t fds = testing::count_open_fds();
  {
    SlidingWindowMapManager manager(static_cast<std::int64_t>(G));
    for (int i = 0; i < 3; ++i) {
      WindowCursor cursor = manager.make_cursor(file_);
      cursor.use_region(static_cast<std::uint64_t>(i) * 10 * G);
    }
    EXPECT_EQ(manager.num_file_handles(), 3u);
    EXPECT_GT(testing::count_mappings(), mappings);
  }
  EXPECT_EQ(testing::count_mappings(), mappings);
  EXPECT_EQ(testing::count_open_fds(), fds);
}

}  // namespace
}  // namespace smmap
