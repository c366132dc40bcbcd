// AccessPattern, the per-file detector of adaptive windows, on its own: each
// documented threshold pinned to its exact value (docs/design.md, "Adaptive
// windows"; src/policy/access_pattern.hpp).
#include "policy/access_pattern.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace smmap::detail {
namespace {

using Switch = AccessPattern::Switch;

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kFar = std::uint64_t{1} << 40;  // never near anything here
constexpr std::uint64_t kNear = 1 << 20;                // what the tests call near

// A pattern already copying: four wasted windows switched it.
AccessPattern copying_pattern() {
  AccessPattern pattern;
  for (unsigned i = 0; i < AccessPattern::kWastedToCopy; ++i) {
    pattern.on_mapped_eviction(1, true);
  }
  EXPECT_TRUE(pattern.copying());
  EXPECT_TRUE(pattern.take_fresh_switch());
  return pattern;
}

TEST(AccessPatternTest, TheDocumentedThresholds) {
  EXPECT_EQ(AccessPattern::kFewUses, 4u);
  EXPECT_EQ(AccessPattern::kWastedToCopy, 4u);
  EXPECT_EQ(AccessPattern::kNearToMap, 3u);
  EXPECT_EQ(AccessPattern::kNearToCopy, 2u);
}

TEST(AccessPatternTest, FourWastedWindowsInARowSwitchToCopying) {
  AccessPattern pattern;
  EXPECT_FALSE(pattern.on_mapped_eviction(4, true));  // four uses: wasted
  EXPECT_FALSE(pattern.on_mapped_eviction(0, true));
  EXPECT_FALSE(pattern.on_mapped_eviction(1, true));
  EXPECT_FALSE(pattern.copying());
  EXPECT_FALSE(pattern.take_fresh_switch());
  EXPECT_TRUE(pattern.on_mapped_eviction(3, true));  // the fourth
  EXPECT_TRUE(pattern.copying());
  EXPECT_TRUE(pattern.take_fresh_switch());
  EXPECT_FALSE(pattern.take_fresh_switch());          // once
  EXPECT_FALSE(pattern.on_mapped_eviction(1, true));  // already copying
}

TEST(AccessPatternTest, AWindowOfFiveUsesBreaksTheRun) {
  AccessPattern pattern;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(pattern.on_mapped_eviction(1, true));
  EXPECT_FALSE(pattern.on_mapped_eviction(5, true));  // well used: the count restarts
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(pattern.on_mapped_eviction(1, true));
  EXPECT_FALSE(pattern.copying());
  EXPECT_TRUE(pattern.on_mapped_eviction(1, true));
}

TEST(AccessPatternTest, WhereMappingDoesNotPayEveryEvictedWindowIsWasted) {
  AccessPattern pattern;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(pattern.on_mapped_eviction(1000, false));
  EXPECT_TRUE(pattern.on_mapped_eviction(1000, false));
}

TEST(AccessPatternTest, TwoNearMissesSwitchToCopyingWhereMappingDoesNotPay) {
  AccessPattern pattern;
  EXPECT_EQ(pattern.on_miss(0, kNear, false), Switch::kNone);      // the first: near nothing
  EXPECT_EQ(pattern.on_miss(kPage, kNear, false), Switch::kNone);  // one near miss
  EXPECT_FALSE(pattern.copying());
  EXPECT_EQ(pattern.on_miss(2 * kPage, kNear, false), Switch::kToCopy);  // two
  EXPECT_TRUE(pattern.copying());
  EXPECT_TRUE(pattern.take_fresh_switch());
}

TEST(AccessPatternTest, NearMeansCloserThanNearBytes) {
  AccessPattern pattern;
  pattern.on_miss(kFar, kNear, false);
  EXPECT_TRUE(pattern.is_near(kFar + kNear - 1, kNear));
  EXPECT_FALSE(pattern.is_near(kFar + kNear, kNear));
  EXPECT_TRUE(pattern.is_near(kFar - kNear + 1, kNear));
  EXPECT_EQ(pattern.on_miss(kFar + kNear, kNear, false), Switch::kNone);          // not near
  EXPECT_EQ(pattern.on_miss(kFar + 2 * kNear - 1, kNear, false), Switch::kNone);  // one
  EXPECT_EQ(pattern.on_miss(kFar + 3 * kNear, kNear, false), Switch::kNone);      // far: restart
  EXPECT_EQ(pattern.on_miss(kFar + 3 * kNear + 1, kNear, false), Switch::kNone);
  EXPECT_EQ(pattern.on_miss(kFar + 3 * kNear + 2, kNear, false), Switch::kToCopy);
}

TEST(AccessPatternTest, WhereMappingPaysNearMissesClearTheWastedCount) {
  AccessPattern pattern;
  for (int i = 0; i < 3; ++i) pattern.on_mapped_eviction(1, true);
  pattern.on_miss(0, kNear, true);
  EXPECT_EQ(pattern.on_miss(kPage, kNear, true), Switch::kNone);  // near: a scan, not waste
  EXPECT_FALSE(pattern.on_mapped_eviction(1, true));              // the count started again
  EXPECT_FALSE(pattern.copying());
}

TEST(AccessPatternTest, ThreeNearMissesSwitchBackToMappingWhereItPays) {
  AccessPattern pattern = copying_pattern();
  EXPECT_EQ(pattern.on_miss(0, kNear, true), Switch::kNone);
  EXPECT_EQ(pattern.on_miss(kPage, kNear, true), Switch::kNone);      // one
  EXPECT_EQ(pattern.on_miss(2 * kPage, kNear, true), Switch::kNone);  // two
  EXPECT_TRUE(pattern.copying());
  EXPECT_EQ(pattern.on_miss(3 * kPage, kNear, true), Switch::kToMap);  // three
  EXPECT_FALSE(pattern.copying());
  EXPECT_FALSE(pattern.take_fresh_switch());
}

TEST(AccessPatternTest, CopyingStaysWhereMappingDoesNotPay) {
  AccessPattern pattern = copying_pattern();
  for (std::uint64_t i = 0; i < 20; ++i) {
    EXPECT_EQ(pattern.on_miss(i * kPage, kNear, false), Switch::kNone);
  }
  EXPECT_TRUE(pattern.copying());
}

TEST(AccessPatternTest, CopyWindowsDoubleWhileARunGoesOnUpToTheCap) {
  AccessPattern pattern = copying_pattern();
  const std::uint64_t cap = 16 * kPage;
  std::uint64_t at = 0;
  std::uint64_t size = pattern.copy_window_size(at, at + 100, kPage, cap, 0);
  EXPECT_EQ(size, kPage);  // nothing learned yet: the request's page
  for (std::uint64_t expected : {2 * kPage, 4 * kPage, 8 * kPage, 16 * kPage, 16 * kPage}) {
    pattern.on_copy_window(at, size);
    at += size;  // the next miss lands just past the window
    size = pattern.copy_window_size(at, at + 100, kPage, cap, 0);
    EXPECT_EQ(size, expected);
  }
  // Never less than the request's pages.
  pattern.on_copy_window(at, size);
  at += size;
  EXPECT_EQ(pattern.copy_window_size(at, at + 40 * kPage, 40 * kPage, cap, 0), 40 * kPage);
}

TEST(AccessPatternTest, ARunGoesOnWithinSixteenKibibytesOrTheLastWindowsSize) {
  for (const std::uint64_t last : {kPage, 8 * kPage}) {
    const std::uint64_t slack = std::max<std::uint64_t>(last, 16 * 1024);
    for (const std::uint64_t gap : {slack - 1, slack}) {
      AccessPattern pattern = copying_pattern();
      const std::uint64_t begin = 100 * kPage;
      pattern.copy_window_size(begin, begin + 1, kPage, 64 * kPage, 0);
      pattern.on_copy_window(begin, last);
      const std::uint64_t at = begin + last + gap;
      const std::uint64_t size = pattern.copy_window_size(at, at + 1, kPage, 64 * kPage, 0);
      EXPECT_EQ(size, gap < slack ? 2 * last : kPage) << "last " << last << ", gap " << gap;
    }
  }
}

TEST(AccessPatternTest, ANewRunGetsWhatTheLastOneReachedAndAQuarter) {
  AccessPattern pattern = copying_pattern();
  const std::uint64_t cap = 64 * kPage;
  // A run of three windows reaching 7 pages from its start.
  std::uint64_t at = 0;
  std::uint64_t size = pattern.copy_window_size(at, at + 1, kPage, cap, 0);
  for (int i = 0; i < 3; ++i) {
    pattern.on_copy_window(at, size);
    at += size;
    size = pattern.copy_window_size(at, at + 1, kPage, cap, 0);
  }
  // [0, 1), [1, 3), [3, 7) pages: the run reached 7 pages plus one byte.
  const std::uint64_t reach = 7 * kPage + 1;
  const std::uint64_t far = 1000 * kPage;
  EXPECT_EQ(pattern.copy_window_size(far, far + 1, kPage, cap, 0), reach + reach / 4);
  // ... at most the cap.
  AccessPattern capped = copying_pattern();
  at = 0;
  size = capped.copy_window_size(at, at + 1, kPage, 2 * kPage, 0);
  for (int i = 0; i < 3; ++i) {
    capped.on_copy_window(at, size);
    at += size;
    size = capped.copy_window_size(at, at + 1, kPage, 2 * kPage, 0);
  }
  EXPECT_EQ(capped.copy_window_size(far, far + 1, kPage, 2 * kPage, 0), 2 * kPage);
}

TEST(AccessPatternTest, OneWindowUsedOnceHalvesTheLearnedSizeAndMoreUsesShrinkItAThirtySecond) {
  AccessPattern pattern = copying_pattern();
  const std::uint64_t cap = 1024 * kPage;
  // Learn 320 pages: a run of windows 64 pages wide reaching 256 pages.
  std::uint64_t at = 0;
  pattern.copy_window_size(at, at + 1, kPage, cap, 0);
  pattern.on_copy_window(0, 64 * kPage);
  pattern.copy_window_size(64 * kPage, 256 * kPage, kPage, cap, 0);
  pattern.on_copy_window(64 * kPage, 128 * kPage);
  const std::uint64_t learned = 256 * kPage + 64 * kPage;
  std::uint64_t far = 10'000 * kPage;
  EXPECT_EQ(pattern.copy_window_size(far, far + 1, kPage, cap, 0), learned);
  pattern.on_copy_window(far, learned);
  far *= 2;
  EXPECT_EQ(pattern.copy_window_size(far, far + 1, kPage, cap, 1), learned / 2);
  pattern.on_copy_window(far, learned / 2);
  far *= 2;
  EXPECT_EQ(pattern.copy_window_size(far, far + 1, kPage, cap, 2), learned / 2 - learned / 2 / 32);
}

}  // namespace
}  // namespace smmap::detail
