// The manager's policies on their own: where windows go (place_window,
// place_copy_window in src/policy/placement.hpp) and the choice between a
// mapped and a copy window (AdaptiveWindows, src/policy/adaptive_windows.hpp)
// with the machine's costs given rather than measured. PlacementTest and
// AdaptiveTest check the same rules through managers on real files.
#include <gtest/gtest.h>

#include "policy/adaptive_windows.hpp"
#include "policy/placement.hpp"
#include "smmap/manager.hpp"
#include "smmap/util.hpp"

namespace smmap::detail {
namespace {

const std::uint64_t G = ALLOCATIONGRANULARITY;

TEST(PlacementComponentTest, AWindowGrowsLeftThenRightAlignedAndClippedToItsGap) {
  // 4 pages at most, asked for one byte in the middle of a 10-page gap.
  const Gap gap{.begin = 2 * G, .end = 12 * G};
  EXPECT_EQ(place_window(5 * G + 7, 1, gap, 4 * G, false), MapWindow(2 * G, 4 * G));
  // Near the gap's end it grows left a window from the offset, so aligning
  // its start down adds a page (smmap's rule), and it stays within the gap.
  EXPECT_EQ(place_window(11 * G + 7, 1, gap, 4 * G, false), MapWindow(7 * G, 5 * G));
  // A gap smaller than a window is filled.
  const Gap small{.begin = G, .end = 3 * G};
  EXPECT_EQ(place_window(2 * G, 1, small, 4 * G, false), MapWindow(G, 2 * G));
}

TEST(PlacementComponentTest, LargeWindowsStartOnALargePageWhenAsked) {
  const std::uint64_t window = 2 * kLargePageSize;
  const Gap gap{.begin = 3 * G, .end = 8 * kLargePageSize};
  const std::uint64_t offset = kLargePageSize + 5 * G;
  EXPECT_EQ(place_window(offset, 1, gap, window, false).ofs, 3 * G);
  EXPECT_EQ(place_window(offset, 1, gap, window, true), MapWindow(kLargePageSize, window));
  // Windows smaller than a large page are never moved.
  EXPECT_EQ(place_window(offset, 1, gap, 4 * G, true).ofs, kLargePageSize + G);
}

TEST(PlacementComponentTest, ACopyWindowStartsAtThePageOfTheOffsetClippedToItsGap) {
  const Gap gap{.begin = 2 * G, .end = 6 * G + 100};  // the file ends at 6 pages + 100
  EXPECT_EQ(place_copy_window(3 * G + 9, G, gap), MapWindow(3 * G, G));
  EXPECT_EQ(place_copy_window(3 * G + 9, 2 * G + 1, gap), MapWindow(3 * G, 3 * G));
  EXPECT_EQ(place_copy_window(5 * G, 8 * G, gap), MapWindow(5 * G, G + 100));
}

// Costs given rather than measured, and how often they were asked for.
int g_measured = 0;
WindowCosts g_costs;
WindowCosts given_costs(NativeFile, std::uint64_t, std::size_t) noexcept {
  ++g_measured;
  return g_costs;
}

class AdaptiveWindowsComponentTest : public ::testing::Test {
 protected:
  AdaptiveWindowsComponentTest() {
    g_measured = 0;
    g_costs = WindowCosts{.map_ns = 100, .copy_ns = 200};  // mapping pays
  }

  // Evicts |count| mapped windows that each served |uses| requests.
  void evict(AdaptiveWindows& policy, int count, std::uint64_t uses) {
    for (int i = 0; i < count; ++i) policy.on_mapped_eviction(file_, i * kWindow, uses);
  }

  const std::uint64_t kWindow = 64 * G;
  AccessPattern pattern_;
  // A file "open" at some descriptor, 1024 windows long.
  FileToPlace file_{pattern_, NativeFile{}, 1024 * kWindow};
};

TEST_F(AdaptiveWindowsComponentTest, WastedMappedWindowsSwitchAFileToCopyWindows) {
  AdaptiveWindows policy(kWindow, true, &given_costs);
  policy.set_read_through(false);
  EXPECT_EQ(policy.on_miss(file_, 5 * kWindow, 64, true, 0).copy_bytes, 0u);
  evict(policy, AccessPattern::kWastedToCopy, 1);
  const AdaptiveWindows::Choice first = policy.on_miss(file_, 500 * kWindow + 10, 64, true, 0);
  EXPECT_TRUE(first.drop_mapped_windows);
  EXPECT_EQ(first.copy_bytes % G, 0u);
  EXPECT_GE(first.copy_bytes, G);
  EXPECT_FALSE(policy.on_miss(file_, 900 * kWindow, 64, true, 0).drop_mapped_windows);
  ManagerStats stats;
  policy.fill_stats(stats);
  EXPECT_EQ(stats.switches_to_copy, 1u);
  EXPECT_EQ(stats.window_map_ns, 100u);
  EXPECT_EQ(g_measured, 1);  // once per manager
}

TEST_F(AdaptiveWindowsComponentTest, WellUsedWindowsKeepAFileMappedWhenMappingPays) {
  AdaptiveWindows policy(kWindow, true, &given_costs);
  evict(policy, 10, AccessPattern::kFewUses + 1);
  EXPECT_EQ(policy.on_miss(file_, 500 * kWindow, 64, true, 0).copy_bytes, 0u);
  // When copying pays, even well-used windows were wasted.
  g_costs = WindowCosts{.map_ns = 300, .copy_ns = 200};
  AdaptiveWindows costly(kWindow, true, &given_costs);
  costly.set_read_through(false);
  pattern_ = AccessPattern();  // a file seen afresh
  evict(costly, AccessPattern::kWastedToCopy, AccessPattern::kFewUses + 1);
  EXPECT_GT(costly.on_miss(file_, 500 * kWindow, 64, true, 0).copy_bytes, 0u);
}

TEST_F(AdaptiveWindowsComponentTest, OnlySizedSmallRequestsGetCopyWindows) {
  AdaptiveWindows policy(kWindow, true, &given_costs);
  policy.set_read_through(false);
  evict(policy, AccessPattern::kWastedToCopy, 1);
  EXPECT_GT(policy.on_miss(file_, 500 * kWindow, 64, true, 0).copy_bytes, 0u);
  EXPECT_EQ(policy.on_miss(file_, 700 * kWindow, 64, false, 0).copy_bytes, 0u);      // no size
  EXPECT_EQ(policy.on_miss(file_, 900 * kWindow, kWindow, true, 0).copy_bytes, 0u);  // large
}

TEST_F(AdaptiveWindowsComponentTest, FarSmallMissesReadThroughUnlessPagesAreReadAgain) {
  AdaptiveWindows policy(kWindow, true, &given_costs);
  evict(policy, AccessPattern::kWastedToCopy, 1);
  // Far one-page misses: all read through but one in kCacheEvery.
  int read_through = 0;
  int cached = 0;
  for (unsigned i = 0; i < 4 * AccessPattern::kCacheEvery; ++i) {
    const AdaptiveWindows::Choice choice =
        policy.on_miss(file_, (i % 2) * 900 * kWindow + i * G, 64, true, 0);
    EXPECT_TRUE(choice.read_through != (choice.copy_bytes != 0)) << i;
    read_through += choice.read_through ? 1 : 0;
    cached += choice.copy_bytes != 0 ? 1 : 0;
  }
  EXPECT_EQ(cached, 4);
  EXPECT_EQ(read_through, static_cast<int>(4 * AccessPattern::kCacheEvery) - 4);
  // A near miss alone may be sparse reads landing close by chance: read
  // through. The next near one runs on: a copy window, as does a request
  // larger than a page. One no larger that crosses into the next page is
  // read through.
  const std::uint64_t last_miss = 900 * kWindow + (4 * AccessPattern::kCacheEvery - 1) * G;
  EXPECT_TRUE(policy.on_miss(file_, last_miss + 2 * G, 64, true, 0).read_through);
  EXPECT_GT(policy.on_miss(file_, last_miss + 4 * G, 64, true, 0).copy_bytes, 0u);
  EXPECT_FALSE(policy.on_miss(file_, 10 * kWindow, G + 1, true, 0).read_through);
  int crossing_read_through = 0;
  for (unsigned i = 0; i < 8; ++i) {
    const std::uint64_t crossing = (i % 2) * 500 * kWindow + (20 + i) * kWindow + G - 10;
    crossing_read_through += policy.on_miss(file_, crossing, 64, true, 0).read_through ? 1 : 0;
  }
  EXPECT_GE(crossing_read_through, 7);
  // Once at least half the requests are served without reading, far misses
  // are cached.
  pattern_.on_served(2 * AccessPattern::kRequestsRemembered);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(policy.on_miss(file_, (i % 2) * 900 * kWindow + i * G, 64, true, 0).read_through);
  }
  // Off, never.
  pattern_ = AccessPattern();
  AdaptiveWindows caching(kWindow, true, &given_costs);
  caching.set_read_through(false);
  evict(caching, AccessPattern::kWastedToCopy, 1);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(caching.on_miss(file_, (i % 2) * 900 * kWindow + i * G, 64, true, 0).read_through);
  }
}

TEST_F(AdaptiveWindowsComponentTest, FarMissesAreSampledLessOftenWhereFreshPagesCostMoreThanReads) {
  // Counts the far misses cached in |misses| with |costs|.
  const auto sampled = [&](WindowCosts costs, unsigned misses) {
    g_costs = costs;
    pattern_ = AccessPattern();
    AdaptiveWindows policy(kWindow, true, &given_costs);
    evict(policy, AccessPattern::kWastedToCopy, 1);
    unsigned cached = 0;
    for (unsigned i = 0; i < misses; ++i) {
      const AdaptiveWindows::Choice choice =
          policy.on_miss(file_, (i % 2) * 900 * kWindow + (i % 800) * G, 64, true, 0);
      cached += choice.copy_bytes != 0 ? 1 : 0;
    }
    ManagerStats stats;
    policy.fill_stats(stats);
    EXPECT_EQ(stats.fresh_page_ns, costs.fresh_page_ns);
    EXPECT_EQ(stats.small_read_ns, costs.small_read_ns);
    return cached;
  };
  const unsigned misses = 64 * AccessPattern::kCacheEvery;
  WindowCosts costs{.map_ns = 100, .copy_ns = 200, .fresh_page_ns = 500, .small_read_ns = 1000};
  EXPECT_EQ(sampled(costs, misses), 64u);  // a fresh page costs less than a read
  costs.fresh_page_ns = 11000;
  costs.small_read_ns = 2000;  // five and a half reads: one in 352
  EXPECT_EQ(sampled(costs, misses), misses / (AccessPattern::kCacheEvery * 11 / 2));
  costs.fresh_page_ns = 1000000;  // however costly, some are sampled
  EXPECT_EQ(sampled(costs, misses), 4u);
  costs.small_read_ns = 0;  // not measured: kCacheEvery
  EXPECT_EQ(sampled(costs, misses), 64u);
}

TEST_F(AdaptiveWindowsComponentTest, OffOrForWholeFilesItNeverCopiesNorMeasures) {
  AdaptiveWindows off(kWindow, false, &given_costs);
  AdaptiveWindows whole_files(0, true, &given_costs);
  for (AdaptiveWindows* policy : {&off, &whole_files}) {
    evict(*policy, 10, 1);
    EXPECT_EQ(policy->on_miss(file_, 500 * kWindow, 64, true, 0).copy_bytes, 0u);
  }
  EXPECT_EQ(g_measured, 0);
  EXPECT_FALSE(pattern_.copying());
}

}  // namespace
}  // namespace smmap::detail
