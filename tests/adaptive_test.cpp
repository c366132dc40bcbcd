// Adaptive windows (docs/design.md, "Adaptive windows"): sparse random reads
// under the memory limit move a file to copy windows; clustered or
// sequential reads move it back where mapping pays, and get copy windows
// that grow where it does not; every byte stays right either way. Unless a
// test says otherwise, mapping pays (tests/pinned_window_costs.cpp).
#include <gtest/gtest.h>

#ifndef _WIN32
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <smmap/smmap.hpp>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "api/manager_access.hpp"
#include "core/read_through_region.hpp"
#include "invariants.hpp"
#include "policy/window_costs.hpp"
#include "reliability_support.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;

const std::uint64_t G = ALLOCATIONGRANULARITY;
const std::uint64_t kWindow = 16 * G;

// Pins the machine's window costs for one test (then back to the pinned
// default, where mapping pays); std::nullopt measures them.
class ScopedWindowCosts {
 public:
  explicit ScopedWindowCosts(std::optional<detail::WindowCosts> costs) {
    detail::override_window_costs(costs);
  }
  ~ScopedWindowCosts() { detail::override_window_costs(detail::WindowCosts{1, 2}); }
  ScopedWindowCosts(const ScopedWindowCosts&) = delete;
  ScopedWindowCosts& operator=(const ScopedWindowCosts&) = delete;
};
const detail::WindowCosts kMappingDoesNotPay{.map_ns = 2, .copy_ns = 1};

// True when the cursor's bytes were read through: exactly the request's
// bytes, in the cursor's own memory.
bool is_read_through(const WindowCursor& cursor) {
  return dynamic_cast<const detail::ReadThroughRegion*>(cursor.region()) != nullptr;
}

// Every far miss of a copying file gets a copy window, for the tests of copy
// windows themselves.
void cache_every_miss(const StaticWindowMapManager& manager) {
  detail::ManagerAccess::core(manager).set_read_through(false);
}

class AdaptiveTest : public ::testing::Test {
 protected:
  // Tests of read-throughs turn them back on (ReadThroughTest).
  AdaptiveTest() { cache_every_miss(manager_); }

  // Reads |count| random 64-byte pieces of the file through |cursor|,
  // checking each. Returns how many of them came from copy windows.
  int read_random(WindowCursor& cursor, int count) {
    int copied = 0;
    int grown = 0;
    for (int i = 0; i < count; ++i) {
      const std::uint64_t at = random_() % (file_size_ - 64);
      // A neighbour region may hold the end of the piece: then two requests.
      for (std::uint64_t done = 0; done < 64; done += cursor.size()) {
        EXPECT_TRUE(cursor.use_region(at + done, 64 - done).is_valid());
        EXPECT_TRUE(matches(cursor.buffer(), at + done)) << at + done;
        // A read-through holds exactly the bytes asked for.
        if (is_read_through(cursor)) {
          EXPECT_EQ(cursor.region()->ofs_begin(), at + done);
          EXPECT_EQ(cursor.region()->size(), 64 - done);
        }
      }
      if (is_read_through(cursor)) {
        ++copied;
      } else if (cursor.region()->is_copy()) {
        ++copied;
        EXPECT_EQ(cursor.region()->ofs_begin() % G, 0u);
        EXPECT_TRUE(cursor.region()->ofs_end() % G == 0 ||
                    cursor.region()->ofs_end() == file_size_);
        // A copy window holds the request's pages; one grown for reads that
        // seemed to run on from the one before is rare.
        grown += cursor.region()->size() > 2 * G ? 1 : 0;
      }
      check_limits();
    }
    EXPECT_LE(grown * 10, copied);
    return copied;
  }
  // Reads the whole file in |piece|-byte steps. Returns how many reads came
  // from copy windows; |largest_copy|, if given, is set to the size of the
  // largest copy window that served one.
  int read_sequential(WindowCursor& cursor, std::uint64_t piece,
                      std::uint64_t* largest_copy = nullptr) {
    int copied = 0;
    for (std::uint64_t at = 0; at < file_size_; at += piece) {
      const std::uint64_t want = std::min(piece, file_size_ - at);
      for (std::uint64_t done = 0; done < want;) {
        if (!cursor.use_region(at + done, want - done).is_valid()) {
          ADD_FAILURE() << "invalid at " << at + done;
          return copied;
        }
        EXPECT_TRUE(matches(cursor.buffer(), at + done)) << at + done;
        if (cursor.region()->is_copy()) {
          ++copied;
          if (largest_copy != nullptr) {
            *largest_copy = std::max<std::uint64_t>(*largest_copy, cursor.region()->size());
          }
        }
        done += cursor.size();
      }
      check_limits();
    }
    return copied;
  }
  // Random reads until the file has moved to copy windows.
  void enter_copy_mode(WindowCursor& cursor) {
    read_random(cursor, 200);
    ASSERT_EQ(manager_.stats().switches_to_copy, 1u);
  }
  // The same, then every region let go of and collected.
  void enter_copy_mode_with_no_region(WindowCursor& cursor) {
    ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
    cursor.unuse_region();
    manager_.collect();
    ASSERT_EQ(manager_.num_file_handles(), 0u);
  }
  void check_limits() {
    EXPECT_LE(manager_.mapped_memory_size(), manager_.max_mapped_memory_size());
    EXPECT_LE(manager_.num_file_handles(), manager_.max_file_handles());
  }

  testing::TempDir dir_;
  std::uint64_t file_size_ = 1024 * G + 100;
  std::filesystem::path file_ = dir_.make_file("data", file_size_);
  // Room for four windows in a file of 64.
  SlidingWindowMapManager manager_{static_cast<std::int64_t>(kWindow), 4 * kWindow};
  std::mt19937_64 random_{7};
};

TEST_F(AdaptiveTest, OnByDefaultAndSwitchable) {
  EXPECT_TRUE(manager_.adaptive());
  manager_.set_adaptive(false);
  EXPECT_FALSE(manager_.adaptive());
  StaticWindowMapManager whole;
  EXPECT_EQ(whole.adaptive(), kAdaptiveByDefault);
}

TEST_F(AdaptiveTest, RandomThenSequentialThenRandom) {
  WindowCursor cursor = manager_.make_cursor(file_);

  // Sparse random reads: mapped windows are evicted after a read or two.
  EXPECT_GT(read_random(cursor, 400), 300);
  ManagerStats stats = manager_.stats();
  EXPECT_EQ(stats.switches_to_copy, 1u);
  EXPECT_EQ(stats.switches_to_map, 0u);
  EXPECT_GT(stats.copy_windows, 300u);
  EXPECT_EQ(stats.copies, stats.copy_windows);
  testing::check_invariants(manager_);

  // A sequential scan maps again after a few reads: three copy windows, of
  // one, two and four granularities (4 KiB: 28 reads; on Windows 64 KiB: 448).
  const int copied = read_sequential(cursor, 1024);
  EXPECT_LE(copied, static_cast<int>(7 * (G / 1024)));
  stats = manager_.stats();
  EXPECT_EQ(stats.switches_to_map, 1u);
  EXPECT_FALSE(cursor.region()->is_copy());
  testing::check_invariants(manager_);

  // Random again: the scan's windows go first, then copy windows return.
  EXPECT_GT(read_random(cursor, 400), 300);
  stats = manager_.stats();
  EXPECT_EQ(stats.switches_to_copy, 2u);
  EXPECT_EQ(stats.switches_to_map, 1u);
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, ClusteredReadsMapAgain) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  // Runs of reads a page or two apart, as a pack reader makes.
  int copied = 0;
  for (int run = 0; run < 20; ++run) {
    std::uint64_t at = random_() % (file_size_ - 64 * G);
    for (int i = 0; i < 32; ++i, at += random_() % (2 * G)) {
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
      EXPECT_TRUE(matches(cursor.buffer(), at));
      copied += cursor.region()->is_copy() ? 1 : 0;
    }
  }
  EXPECT_EQ(manager_.stats().switches_to_map, 1u);
  EXPECT_LE(copied, 16);  // three copy windows, each twice as large as the one before
  testing::check_invariants(manager_);
}

// docs/design.md: while a file is copied, misses count as near when they are
// closer than half a window to the one before.
TEST_F(AdaptiveTest, WhileCopyingNearIsCloserThanHalfAWindow) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  std::uint64_t at = 100 * G;
  for (int i = 0; i < 10; ++i, at += kWindow / 2) {
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), at));
  }
  EXPECT_EQ(manager_.stats().switches_to_map, 0u);  // half a window apart: far
  at += 2 * kWindow;
  for (int i = 0; i < 4; ++i, at += kWindow / 2 - G) {
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), at));
  }
  EXPECT_EQ(manager_.stats().switches_to_map, 1u);  // a page closer: near
}

TEST_F(AdaptiveTest, MeasuresTheMachineOnceWhenItMatters) {
  const ScopedWindowCosts measured(std::nullopt);
  WindowCursor cursor = manager_.make_cursor(file_);
  // Three windows far apart: they fit the limit, and no miss is near another.
  for (std::uint64_t at = 0; at < 60 * kWindow; at += 20 * kWindow) {
    ASSERT_TRUE(cursor.use_region(at + 3, 64).is_valid());
  }
  EXPECT_EQ(manager_.stats().window_map_ns, 0u);
  read_random(cursor, 50);
  const ManagerStats first = manager_.stats();
  EXPECT_GT(first.window_map_ns, 0u);
  EXPECT_GT(first.window_copy_ns, 0u);
  read_random(cursor, 200);
  EXPECT_EQ(manager_.stats().window_map_ns, first.window_map_ns);
  EXPECT_EQ(manager_.stats().window_copy_ns, first.window_copy_ns);
  testing::check_invariants(manager_);

  SlidingWindowMapManager off(static_cast<std::int64_t>(kWindow), 4 * kWindow);
  off.set_adaptive(false);
  WindowCursor plain = off.make_cursor(file_);
  read_random(plain, 100);
  EXPECT_EQ(off.stats().window_map_ns, 0u);  // never measures with adaptivity off
}

TEST_F(AdaptiveTest, CollectTeachesTheDetectorNothingNorMeasuresTheMachine) {
  const ScopedWindowCosts measured(std::nullopt);
  WindowCursor cursor = manager_.make_cursor(file_);
  // Windows that served one read each, unmapped by collect() rather than by
  // the limit: more than enough of them to switch the file to copy windows
  // had the LRU evicted them.
  for (unsigned round = 0; round < 3 * detail::AccessPattern::kWastedToCopy; ++round) {
    ASSERT_TRUE(cursor.use_region((round % 3) * 20 * kWindow + 3, 64).is_valid());
    cursor.unuse_region();
    EXPECT_EQ(manager_.collect(), 1u);
  }
  const ManagerStats stats = manager_.stats();
  EXPECT_EQ(stats.switches_to_copy, 0u);
  EXPECT_EQ(stats.window_map_ns, 0u);  // nor measured the machine
  EXPECT_EQ(stats.unmaps_by_collect, 3 * detail::AccessPattern::kWastedToCopy);
  // (A manager's end unmaps its regions as collect() does: it measured the
  // machine too, 2-10 ms of a short-lived manager's life.)
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, MeasuringATruncatedFileNeitherCrashesNorMisleads) {
#ifdef _WIN32
  GTEST_SKIP() << "Windows refuses to truncate a mapped file (ERROR_USER_MAPPED_FILE)";
#endif
  const ScopedWindowCosts measured(std::nullopt);
  WindowCursor cursor = manager_.make_cursor(file_);
  for (std::uint64_t at = 0; at < 60 * kWindow; at += 20 * kWindow) {
    ASSERT_TRUE(cursor.use_region(at + 3, 64).is_valid());
  }
  // Truncated under the manager: the first eviction measures the machine
  // on a window whose pages are gone. The copy fails first (the touches of
  // the mapped window are guarded too, for a truncation in between), and a
  // failed measurement counts as "mapping pays".
  std::filesystem::resize_file(file_, 0);
  for (std::uint64_t at = 10 * kWindow; at < 60 * kWindow; at += 20 * kWindow) {
    ASSERT_TRUE(cursor.use_region(at + 3, 64).is_valid());  // maps, reads nothing
  }
  EXPECT_GT(manager_.stats().unmaps_by_eviction, 0u);
  EXPECT_EQ(manager_.stats().window_map_ns, 0u);
  EXPECT_EQ(manager_.stats().window_copy_ns, 0u);
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, WhereMappingDoesNotPayAScanIsCopiedInGrowingWindows) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  WindowCursor cursor = manager_.make_cursor(file_);
  // Three mapped windows, then copy windows doubling up to the window size
  // (G, 2G, 4G, 8G, then 16G each), or to 256 KiB where that is less (pages
  // of 64 KiB).
  const std::uint64_t cap = std::min<std::uint64_t>(kWindow, std::max<std::uint64_t>(256 << 10, G));
  std::uint64_t largest_copy = 0;
  const int copied = read_sequential(cursor, 1024, &largest_copy);
  const int reads = static_cast<int>((file_size_ + 1023) / 1024);
  EXPECT_GE(copied, reads - static_cast<int>(3 * kWindow / 1024));
  ManagerStats stats = manager_.stats();
  EXPECT_EQ(stats.switches_to_copy, 1u);
  EXPECT_EQ(stats.switches_to_map, 0u);
  EXPECT_LE(stats.copy_windows, (file_size_ / cap) + 5);
  EXPECT_EQ(largest_copy, cap);  // grown to the cap
  testing::check_invariants(manager_);

  // Random again: windows shrink back to the request's pages.
  const std::uint64_t before = manager_.stats().copy_windows;
  EXPECT_GT(read_random(cursor, 400), 300);
  EXPECT_GT(manager_.stats().copy_windows, before + 300);
  EXPECT_EQ(manager_.stats().switches_to_map, 0u);
  testing::check_invariants(manager_);
}

// A copy window a scan has read past goes at once, and its block holds the
// next: the scan neither fills the copy budget with bytes read once nor
// evicts the pages other reads keep finding.
TEST_F(AdaptiveTest, AScanHoldsOneCopyWindowAndLeavesHotPagesCached) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  constexpr std::uint64_t kMiB = 1 << 20;
  testing::TempDir dir;
  const std::uint64_t size = 48 * kMiB + 3;
  const auto big = dir.make_file("big", size);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB), 8 * kMiB);
  cache_every_miss(manager);
  manager.set_max_copy_memory(6 * kMiB);
  WindowCursor cursor = manager.make_cursor(big);
  for (int i = 0; i < 200; ++i) {  // random reads: into copy windows
    const std::uint64_t at = random_() % (size - 64);
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
  }
  ASSERT_EQ(manager.stats().switches_to_copy, 1u);
  // Four hot pages, each found again by a lookup after the miss that read it.
  const std::uint64_t hot[] = {3 * kMiB + 100, 17 * kMiB + 5, 30 * kMiB, 41 * kMiB + 4000};
  for (int round = 0; round < 3; ++round) {
    for (const std::uint64_t at : hot) {
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
      ASSERT_TRUE(matches(cursor.buffer(), at));
    }
  }
  // A scan in 64 KiB reads: copy windows grow to the window size, and
  // each one the scan leaves goes before the next is read.
  const ManagerStats before_scan = manager.stats();
  std::uint64_t most_copy_bytes = 0;
  for (std::uint64_t at = 0; at < size; at += 64 * 1024) {
    const std::uint64_t want = std::min<std::uint64_t>(64 * 1024, size - at);
    for (std::uint64_t done = 0; done < want; done += cursor.size()) {
      ASSERT_TRUE(cursor.use_region(at + done, want - done).is_valid());
      ASSERT_TRUE(matches(cursor.buffer(), at + done)) << at + done;
    }
    most_copy_bytes = std::max(most_copy_bytes, manager.stats().copy_window_bytes);
  }
  const ManagerStats after_scan = manager.stats();
  EXPECT_GT(after_scan.copy_windows - before_scan.copy_windows, 40u);  // it copied the scan
  // The hot pages and what the random reads left, and the scan's window.
  EXPECT_LE(most_copy_bytes, before_scan.copy_window_bytes + kMiB);
  // The hot pages are still cached: found, not read again.
  cursor.unuse_region();
  for (const std::uint64_t at : hot) {
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    ASSERT_TRUE(matches(cursor.buffer(), at));
  }
  EXPECT_EQ(manager.stats().copy_windows, after_scan.copy_windows);
  EXPECT_EQ(manager.stats().region_hits, after_scan.region_hits + 4);
  testing::check_invariants(manager);
}

// One read that runs on into the next page (an object of a pack crossing a
// page) is not a scan: the window it left stays, to be found again.
TEST_F(AdaptiveTest, ACopyWindowLeftOnceForTheNextPageStays) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  const std::uint64_t at = 700 * G + 100;
  ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
  ASSERT_TRUE(cursor.region()->is_copy());
  const MapRegion* first = cursor.region();
  ASSERT_TRUE(cursor.use_region(first->ofs_end(), 64).is_valid());  // the next bytes
  EXPECT_TRUE(matches(cursor.buffer(), first->ofs_end()));
  const ManagerStats before = manager_.stats();
  ASSERT_TRUE(cursor.use_region(at, 64).is_valid());  // the first again: still there
  EXPECT_TRUE(matches(cursor.buffer(), at));
  EXPECT_EQ(manager_.stats().region_hits, before.region_hits + 1);
  EXPECT_EQ(manager_.stats().copy_windows, before.copy_windows);
  testing::check_invariants(manager_);
}

// A scan leaves a copy window for good when its next request starts at the
// window's end or less than the window's size (or 16 KiB, if more) past it:
// the window goes at once. One that starts further on is no scan's next
// read, and the window stays.
TEST_F(AdaptiveTest, AScanDropsTheCopyWindowItRunsOnFromAndKeepsOneItJumpsFrom) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  std::uint64_t at = 100 * G;
  for (const bool runs_on : {true, false}) {
    SCOPED_TRACE(runs_on ? "runs on" : "jumps");
    // A scan, with no other window about: each request starts where the
    // last window ended, and the windows grow to the window size.
    cursor.unuse_region();
    manager_.collect();
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
      ASSERT_TRUE(cursor.region()->is_copy());
      at = cursor.region()->ofs_end();
    }
    const std::uint64_t left = cursor.region()->ofs_begin();
    const std::uint64_t reach = std::max<std::uint64_t>(cursor.region()->size(), 16 * 1024);
    const std::uint64_t next = at + (runs_on ? reach - 1 : reach);
    ASSERT_TRUE(cursor.use_region(next, 64).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), next));
    const ManagerStats before = manager_.stats();
    ASSERT_TRUE(cursor.use_region(left, 64).is_valid());  // the window left
    EXPECT_TRUE(matches(cursor.buffer(), left));
    EXPECT_EQ(manager_.stats().region_hits - before.region_hits, runs_on ? 0u : 1u);
    testing::check_invariants(manager_);
    at += 200 * G;  // the next scan, elsewhere
  }
}

// Copy windows grow for reads that run on up to 256 KiB, whatever the
// window; a request is copied whole up to 2 MiB (a block of the pool), and
// mapped beyond.
TEST_F(AdaptiveTest, CopyWindowsGrowTo256KiBAndHoldRequestsUpToTwoMebibytes) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  constexpr std::uint64_t kMiB = 1 << 20;
  testing::TempDir dir;
  const std::uint64_t size = 24 * kMiB;
  const auto big = dir.make_file("big", size);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(8 * kMiB), 16 * kMiB);
  WindowCursor cursor = manager.make_cursor(big);
  std::uint64_t largest_copy = 0;
  for (std::uint64_t at = 0; at < size; at += 16 * 1024) {
    ASSERT_TRUE(cursor.use_region(at, 1024).is_valid());
    ASSERT_TRUE(matches(cursor.buffer(), at));
    if (cursor.region()->is_copy())
      largest_copy = std::max<std::uint64_t>(largest_copy, cursor.region()->size());
  }
  EXPECT_EQ(manager.stats().switches_to_copy, 1u);
  EXPECT_EQ(largest_copy, std::max<std::uint64_t>(256 * 1024, G));
  // A request of 2 MiB is copied whole; a larger one is mapped.
  cursor.unuse_region();
  manager.collect();
  ASSERT_TRUE(cursor.use_region(3 * kMiB, 2 * kMiB).is_valid());
  EXPECT_TRUE(cursor.region()->is_copy());
  EXPECT_EQ(cursor.size(), 2 * kMiB);
  EXPECT_TRUE(matches(cursor.buffer(), 3 * kMiB));
  ASSERT_TRUE(cursor.use_region(5 * kMiB + 7, 2 * kMiB + 1).is_valid());
  EXPECT_FALSE(cursor.region()->is_copy());
  EXPECT_TRUE(matches(cursor.buffer(), 5 * kMiB + 7));
  testing::check_invariants(manager);
}

TEST_F(AdaptiveTest, WhereMappingDoesNotPayClustersGetACopyWindowEach) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  // Runs of 16 reads up to half a granularity apart (about four granularities
  // each): the file learns how far a run reaches.
  std::uint64_t windows_in_late_runs = 0;
  for (int run = 0; run < 40; ++run) {
    std::uint64_t at = random_() % (file_size_ - 64 * G);
    const std::uint64_t before = manager_.stats().copy_windows;
    for (int i = 0; i < 16; ++i, at += random_() % (G / 2)) {
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
      EXPECT_TRUE(matches(cursor.buffer(), at));
      EXPECT_TRUE(cursor.region()->is_copy());
    }
    if (run >= 20) windows_in_late_runs += manager_.stats().copy_windows - before;
  }
  EXPECT_EQ(manager_.stats().switches_to_map, 0u);
  // 20 runs: mostly one window each, where a run (about 4G) and the quarter
  // more a window is given fit in the most a copy window grows, 256 KiB.
  // With pages of 64 KiB they do not: two windows a run, at most.
  EXPECT_LE(windows_in_late_runs, 5 * G <= (256u << 10) ? 30u : 40u);
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, RequestsWithoutASizeGetAFullMappedWindow) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  // gitdb's use: use_region(offset) and read a whole object through it. Copy
  // windows in the way are dropped for it.
  cursor.unuse_region();
  ASSERT_GT(manager_.num_file_handles(), 10u);
  ASSERT_TRUE(cursor.use_region(500 * G + 3).is_valid());
  EXPECT_FALSE(cursor.region()->is_copy());
  EXPECT_EQ(cursor.size(), kWindow);
  EXPECT_TRUE(matches(cursor.buffer(), 500 * G + 3));
  testing::check_invariants(manager_);
  for (int i = 0; i < 50; ++i) {
    const std::uint64_t at = 8 * G * (1 + random_() % 100) + 3;
    manager_.collect();  // no neighbour in the way
    ASSERT_TRUE(cursor.use_region(at).is_valid());
    EXPECT_FALSE(cursor.region()->is_copy());
    EXPECT_EQ(cursor.size(), std::min(kWindow, file_size_ - at));
    EXPECT_TRUE(matches(cursor.buffer(), at));
    cursor.unuse_region();
  }
  testing::check_invariants(manager_);
}

// docs/design.md: "Requests without a size always map", even a file small
// enough for a copy window, on a machine where mapping does not pay.
TEST_F(AdaptiveTest, RequestsWithoutASizeNeverGetACopyWindow) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  const std::uint64_t small_size = 3 * G + 100;  // under a quarter of a window
  const auto small = dir_.make_file("small", small_size);
  WindowCursor cursor = manager_.make_cursor(small);
  // Three misses near each other (the regions go in between) switch the
  // file to copy windows.
  for (std::uint64_t at : {std::uint64_t{0}, G, 2 * G}) {
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    cursor.unuse_region();
    manager_.collect();
  }
  ASSERT_EQ(manager_.stats().switches_to_copy, 1u);
  ASSERT_TRUE(cursor.use_region(G + 5, 64).is_valid());
  ASSERT_TRUE(cursor.region()->is_copy());  // a sized request is copied
  cursor.unuse_region();
  manager_.collect();
  const std::uint64_t copy_windows = manager_.stats().copy_windows;

  ASSERT_TRUE(cursor.use_region(5).is_valid());
  EXPECT_FALSE(cursor.region()->is_copy());
  EXPECT_EQ(cursor.size(), small_size - 5);
  EXPECT_TRUE(matches(cursor.buffer(), 5));
  EXPECT_EQ(manager_.stats().copy_windows, copy_windows);
  testing::check_invariants(manager_);
}

// An unused copy window holding the offset does not serve a request without
// a size either: that request gets a mapped window in its place.
TEST_F(AdaptiveTest, AnUnusedCopyWindowDoesNotServeARequestWithoutASize) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  ASSERT_TRUE(cursor.use_region(300 * G + 5, 64).is_valid());
  ASSERT_TRUE(cursor.region()->is_copy());
  const std::uint64_t copy_begin = cursor.region()->ofs_begin();
  cursor.unuse_region();  // the copy window stays, unused

  ASSERT_TRUE(cursor.use_region(300 * G + 5).is_valid());
  EXPECT_FALSE(cursor.region()->is_copy());
  EXPECT_LE(cursor.region()->ofs_begin(), copy_begin);
  EXPECT_EQ(cursor.size(), std::min(kWindow, cursor.region()->ofs_end() - (300 * G + 5)));
  EXPECT_GT(cursor.size(), 2 * G);
  EXPECT_TRUE(matches(cursor.buffer(), 300 * G + 5));
  testing::check_invariants(manager_);
}

// When a file moves to copy windows, its unused mapped windows are unmapped,
// and each counts in unmaps_by_eviction.
TEST_F(AdaptiveTest, MappedWindowsDroppedAtTheSwitchAreCounted) {
  const ScopedWindowCosts costs(kMappingDoesNotPay);
  WindowCursor cursor = manager_.make_cursor(file_);
  std::uint64_t mapped_before_switch = 0;
  std::uint64_t evicted_before_switch = 0;
  for (std::uint64_t at = 0; manager_.stats().switches_to_copy == 0; at += kWindow) {
    ASSERT_LT(at, 64 * kWindow) << "near misses where mapping does not pay never switched";
    mapped_before_switch = manager_.num_file_handles();
    evicted_before_switch = manager_.stats().unmaps_by_eviction;
    ASSERT_TRUE(cursor.use_region(at + 5, 64).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), at + 5));
    cursor.unuse_region();
  }
  ASSERT_GE(mapped_before_switch, 2u);
  ASSERT_LT(mapped_before_switch, 4u);  // none evicted for room
  EXPECT_TRUE(cursor.region() == nullptr);
  EXPECT_EQ(manager_.num_file_handles(), 1u);  // the copy window alone
  EXPECT_EQ(manager_.stats().unmaps_by_eviction, evicted_before_switch + mapped_before_switch);
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, LargeRequestsAreMapped) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  const std::uint64_t copies = manager_.stats().copy_windows;
  ASSERT_TRUE(cursor.use_region(500 * G + 1, kWindow / 2).is_valid());
  EXPECT_FALSE(cursor.region()->is_copy());
  EXPECT_TRUE(matches(cursor.buffer(), 500 * G + 1));
  EXPECT_EQ(manager_.stats().copy_windows, copies);
}

// docs/design.md: a request of up to a quarter of the window (in whole
// pages) may be copied; one page more is mapped.
TEST_F(AdaptiveTest, RequestsUpToAQuarterOfTheWindowAreCopied) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  ASSERT_TRUE(cursor.use_region(500 * G, kWindow / 4).is_valid());
  EXPECT_TRUE(cursor.region()->is_copy());
  EXPECT_TRUE(matches(cursor.buffer(), 500 * G));
  ASSERT_TRUE(cursor.use_region(600 * G + 1, kWindow / 4).is_valid());  // one page more
  EXPECT_FALSE(cursor.region()->is_copy());
  EXPECT_TRUE(matches(cursor.buffer(), 600 * G + 1));
}

TEST_F(AdaptiveTest, OffKeepsSmmapPlacement) {
  manager_.set_adaptive(false);
  WindowCursor cursor = manager_.make_cursor(file_);
  EXPECT_EQ(read_random(cursor, 400), 0);
  const ManagerStats stats = manager_.stats();
  EXPECT_EQ(stats.copy_windows, 0u);
  EXPECT_EQ(stats.switches_to_copy, 0u);
  EXPECT_EQ(stats.switches_to_map, 0u);

  // The same reads with adaptivity off land in the same windows as a
  // manager that never had it on.
  SlidingWindowMapManager other(static_cast<std::int64_t>(kWindow), 4 * kWindow);
  other.set_adaptive(false);
  WindowCursor a = manager_.make_cursor(file_);
  WindowCursor b = other.make_cursor(file_);
  cursor.unuse_region();
  manager_.collect();
  for (int i = 0; i < 300; ++i) {
    const std::uint64_t at = random_() % file_size_;
    ASSERT_TRUE(a.use_region(at, 64).is_valid());
    ASSERT_TRUE(b.use_region(at, 64).is_valid());
    EXPECT_EQ(a.region()->ofs_begin(), b.region()->ofs_begin());
    EXPECT_EQ(a.region()->size(), b.region()->size());
    EXPECT_EQ(a.size(), b.size());
  }
}

TEST_F(AdaptiveTest, TurningItOffMapsAgain) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  manager_.set_adaptive(false);
  manager_.collect();
  EXPECT_EQ(read_random(cursor, 100), 0);
}

TEST_F(AdaptiveTest, CopyWindowsRespectTheHandleLimit) {
  SlidingWindowMapManager manager(static_cast<std::int64_t>(kWindow), 0, 3);
  cache_every_miss(manager);
  WindowCursor cursor = manager.make_cursor(file_);
  WindowCursor other = manager.make_cursor(file_);
  ASSERT_TRUE(other.use_region(0, 64).is_valid());  // pins one region throughout
  int copied = 0;
  for (int i = 0; i < 400; ++i) {
    const std::uint64_t at = kWindow + random_() % (file_size_ - kWindow - 64);
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), at));
    copied += cursor.region()->is_copy() ? 1 : 0;
    EXPECT_LE(manager.num_file_handles(), 3u);
  }
  EXPECT_GT(copied, 300);
  EXPECT_TRUE(matches(other.buffer(), 0));
  testing::check_invariants(manager);
  // Every region pinned: the hard limit still holds for copy windows.
  WindowCursor third = manager.make_cursor(file_);
  ASSERT_TRUE(third.use_region(600 * G, 64).is_valid());
  WindowCursor fourth = manager.make_cursor(file_);
  EXPECT_THROW(fourth.use_region(900 * G, 64), std::system_error);
  EXPECT_FALSE(fourth.is_valid());
  testing::check_invariants(manager);
}

TEST_F(AdaptiveTest, CopyWindowsCountInTheMemoryLimit) {
  // Room for two windows, or 32 one-page copy windows.
  SlidingWindowMapManager manager(static_cast<std::int64_t>(kWindow), 2 * kWindow);
  cache_every_miss(manager);
  WindowCursor cursor = manager.make_cursor(file_);
  for (int i = 0; i < 600; ++i) {
    const std::uint64_t at = random_() % (file_size_ - 64);
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), at));
    EXPECT_LE(manager.mapped_memory_size(), 2 * kWindow);
  }
  const ManagerStats stats = manager.stats();
  EXPECT_GT(stats.copy_windows, 400u);
  EXPECT_GT(stats.peak_regions, 20u);  // many small copies fit where two windows did
  EXPECT_LE(stats.peak_mapped_bytes, 2 * kWindow);
  testing::check_invariants(manager);
}

TEST_F(AdaptiveTest, CopyWindowsStayWithinTheCopyBudget) {
  // Memory for 64 windows, but a copy budget of 8 pages.
  SlidingWindowMapManager manager(static_cast<std::int64_t>(kWindow), 64 * kWindow);
  EXPECT_EQ(manager.max_copy_memory(), kDefaultMaxCopyMemory);
  manager.set_max_copy_memory(8 * G);
  EXPECT_EQ(manager.max_copy_memory(), 8 * G);
  cache_every_miss(manager);
  WindowCursor cursor = manager.make_cursor(file_);
  WindowCursor held = manager.make_cursor(file_);
  std::uint64_t copied = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t at = random_() % (file_size_ - 64);
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), at));
    copied += cursor.region()->is_copy() ? 1 : 0;
    ASSERT_LE(manager.stats().copy_window_bytes, 8 * G) << i;
  }
  ManagerStats stats = manager.stats();
  ASSERT_GT(stats.switches_to_copy, 0u);  // evictions of mapped windows under 64 windows
  EXPECT_GT(copied, 500u);
  EXPECT_EQ(stats.peak_copy_window_bytes, 8 * G);
  EXPECT_GT(stats.copy_window_bytes, 0u);
  testing::check_invariants(manager);

  // Copy windows in use fill the budget: the next request is mapped.
  manager.collect();
  std::vector<WindowCursor> pins;
  for (std::uint64_t page = 0; manager.stats().copy_window_bytes < 8 * G; page += 32) {
    pins.push_back(manager.make_cursor(file_));
    ASSERT_TRUE(pins.back().use_region(page * G + 5, 64).is_valid());
    ASSERT_LT(page, 1000u);
  }
  const std::uint64_t full = manager.stats().copy_budget_full;
  ASSERT_TRUE(held.use_region(1010 * G, 64).is_valid());
  EXPECT_FALSE(held.region()->is_copy());
  EXPECT_TRUE(matches(held.buffer(), 1010 * G));
  EXPECT_EQ(manager.stats().copy_budget_full, full + 1);
  EXPECT_LE(manager.stats().copy_window_bytes, 8 * G);
  testing::check_invariants(manager);

  // Lowering the budget evicts unused copy windows down to it.
  pins.resize(1);
  cursor.unuse_region();
  const std::uint64_t collected = manager.stats().unmaps_by_collect;
  manager.set_max_copy_memory(G);
  stats = manager.stats();
  EXPECT_LE(stats.copy_window_bytes, pins[0].region()->size());
  EXPECT_GT(stats.unmaps_by_collect, collected);
  EXPECT_TRUE(matches(pins[0].buffer(), 5));
  testing::check_invariants(manager);
}

// The process's private memory (RssAnon) in MiB, or a negative value where
// the system does not report it.
double rss_anon_mib() {
  std::ifstream status("/proc/self/status");
  std::string word;
  while (status >> word) {
    if (word == "RssAnon:") {
      double kib = 0;
      status >> kib;
      return kib / 1024;
    }
  }
  return -1;
}

// Why the process's RssAnon does not measure the library's private memory
// here, or null where it does (it may still be unreported: rss_anon_mib()).
const char* why_rss_anon_is_not_ours() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(_WIN32)
  return "sanitizers shadow memory; Windows has no RssAnon";
#else
  if (std::getenv("SMMAP_TEST_EMULATED") != nullptr) {
    return "an emulator's RssAnon holds its code cache too";
  }
  return nullptr;
#endif
}

// Why the calling thread's page faults do not count the library's here, or
// null where they do.
const char* why_page_faults_are_not_ours() {
#if !defined(__linux__) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return "counts the thread's page faults (Linux), which sanitizers add to";
#else
  if (std::getenv("SMMAP_TEST_EMULATED") != nullptr) return "an emulator's page faults are its own";
  return nullptr;
#endif
}

// Pages the calling thread has faulted in so far (minor faults); 0 where
// the system does not count them.
std::uint64_t thread_page_faults() {
#ifdef __linux__
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return static_cast<std::uint64_t>(usage.ru_minflt);
#else
  return 0;
#endif
}

// No other manager may live meanwhile: a test of its own, no fixture.
TEST(AdaptiveMemoryTest, CopyMemoryGoesBackWhenTheLastManagerGoes) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers keep freed memory and shadow it";
#endif
#ifdef _WIN32
  GTEST_SKIP() << "on Windows the pool's chunks go back to the process heap";
#endif
  const std::uint64_t MiB = 1 << 20;
  testing::TempDir dir;
  const std::filesystem::path big = dir.make_file("big", 64 * MiB);
  std::mt19937_64 random(7);
  const double before = rss_anon_mib();
  if (before < 0) GTEST_SKIP() << "the system does not report RssAnon (/proc/self/status)";
  {
    // 1 MiB windows under a 32 MiB limit: random reads move the file to copy
    // windows, which then fill the limit.
    SlidingWindowMapManager manager(static_cast<std::int64_t>(MiB), 32 * MiB);
    cache_every_miss(manager);
    manager.set_max_copy_memory(32 * MiB);  // the 32-bit default is 16 MiB
    WindowCursor cursor = manager.make_cursor(big);
    for (int i = 0; i < 20000; ++i) {
      const std::uint64_t at = random() % (64 * MiB - 64);
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
      ASSERT_TRUE(matches(cursor.buffer(), at));
    }
    const ManagerStats stats = manager.stats();
    ASSERT_GE(stats.copy_window_bytes, 16 * MiB);
    EXPECT_GT(rss_anon_mib() - before, 16.0);
    // Collected, the copy windows' memory goes back but for the 4 MiB of
    // written free memory the pool keeps (two chunks) and the chunk of the
    // manager's region nodes: 6.5 MiB on x86-64 Linux.
    cursor.unuse_region();
    manager.collect();
    EXPECT_LT(rss_anon_mib() - before, 7.5);
  }
  EXPECT_LT(rss_anon_mib() - before, 2.0);
}

// After collect(), the pool keeps the chunks holding the most written pages
// (4 MiB): the next copies reuse them rather than fault in fresh pages. No
// other manager may live meanwhile.
TEST(AdaptiveMemoryTest, CopyMemoryKeptAfterCollectServesTheNextCopies) {
  if (const char* why = why_page_faults_are_not_ours()) GTEST_SKIP() << why;
  const std::uint64_t MiB = 1 << 20;
  testing::TempDir dir;
  const std::uint64_t size = 64 * MiB;
  const std::filesystem::path file = dir.make_file("big", size);
  std::mt19937_64 random(17);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(MiB), 32 * MiB);
  cache_every_miss(manager);
  manager.set_max_copy_memory(16 * MiB);
  WindowCursor cursor = manager.make_cursor(file);
  // Far reads of 60 KiB, until the copy windows' blocks hold |bytes| (64
  // KiB blocks of 4 KiB pages; larger with larger pages).
  const auto read = [&](std::uint64_t bytes) {
    while (manager.stats().copy_window_bytes < bytes) {
      const std::uint64_t at = random() % (size - (60 << 10));
      ASSERT_TRUE(cursor.use_region(at, 60 << 10).is_valid());
      ASSERT_TRUE(matches(cursor.buffer(), at));
    }
  };
  read(15 * MiB);  // the budget, full
  cursor.unuse_region();
  manager.collect();
  const std::uint64_t before = thread_page_faults();
  read(3 * MiB);
  const std::uint64_t faulted = thread_page_faults() - before;
  std::cout << "pages faulted in for 3 MiB of copies after collect(): " << faulted << "\n";
  // 768 pages when the pool returned every empty chunk.
  EXPECT_LT(faulted, 200u);
}

// Copy windows evicted one at a time to make room for mapped windows, or
// down to a lower budget, leave free pages scattered over chunks still in
// use: the pool keeps 4 MiB of them and gives the rest back. No other
// manager may live meanwhile.
TEST(AdaptiveMemoryTest, CopyWindowsEvictedOneByOneGiveTheirMemoryBack) {
  if (const char* why = why_rss_anon_is_not_ours()) GTEST_SKIP() << why;
  const std::uint64_t MiB = 1 << 20;
  testing::TempDir dir;
  const std::uint64_t size = 64 * MiB;
  const std::filesystem::path file = dir.make_file("big", size);
  std::mt19937_64 random(13);
  const double before = rss_anon_mib();
  if (before < 0) GTEST_SKIP() << "the system does not report RssAnon (/proc/self/status)";
  for (const bool lower_budget : {false, true}) {
    SCOPED_TRACE(lower_budget ? "a lower budget" : "mapped windows");
    SlidingWindowMapManager manager(static_cast<std::int64_t>(MiB), 32 * MiB);
    cache_every_miss(manager);
    manager.set_max_copy_memory(16 * MiB);
    WindowCursor cursor = manager.make_cursor(file);
    // Far one-page copy windows fill the budget three times over, so that
    // the least recently used are scattered over the pool's chunks.
    while (manager.stats().copy_windows < 3 * 4096) {
      const std::uint64_t at = random() % (size - 64);
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
      ASSERT_TRUE(matches(cursor.buffer(), at));
    }
    ASSERT_GT(manager.stats().copy_window_bytes, 15 * MiB);
    if (lower_budget) {
      manager.set_max_copy_memory(4 * MiB);
    } else {
      // Each mapped window evicts the least recently used copy windows to
      // make room under the 32 MiB limit.
      manager.set_adaptive(false);
      for (std::uint64_t window = 0; window < 28; ++window) {
        const std::uint64_t at = window * MiB + 100;
        ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
        ASSERT_TRUE(matches(cursor.buffer(), at));
      }
    }
    const double copies = static_cast<double>(manager.stats().copy_window_bytes) / MiB;
    ASSERT_LE(copies, 4.0);
    const double held = rss_anon_mib() - before;
    std::cout << "RssAnon above the start: " << held << " MiB, copy windows " << copies << " MiB\n";
    // The live copies, the 4 MiB of free memory the pool keeps, the chunk of
    // region nodes and the page table: 10.3 MiB on x86-64 Linux; 18.3 when
    // the pool kept every free page.
    EXPECT_LT(held, copies + 4.0 + 3.5);
  }
}

// Phases of random reads of different sizes, so that copy windows of one
// size evict those of another: the free blocks of each size would each fill
// the budget, and the process's private memory with them, were they all
// kept. The pool keeps a bounded amount of free memory and gives back the
// rest (src/core/copy_blocks.cpp). No other manager may live meanwhile.
TEST(AdaptiveMemoryTest, CopiesOfChangingSizesHoldTheBudgetInPrivateMemory) {
  if (const char* why = why_rss_anon_is_not_ours()) GTEST_SKIP() << why;
  const std::uint64_t MiB = 1 << 20;
  const std::uint64_t kBudget = 8 * MiB;
  testing::TempDir dir;
  const std::uint64_t size = 64 * MiB + 5;
  const std::filesystem::path file = dir.make_file("big", size);
  std::mt19937_64 random(11);
  const double before = rss_anon_mib();
  if (before < 0) GTEST_SKIP() << "the system does not report RssAnon (/proc/self/status)";
  double peak = before;
  {
    SlidingWindowMapManager manager(static_cast<std::int64_t>(MiB), 32 * MiB);
    cache_every_miss(manager);
    manager.set_max_copy_memory(kBudget);
    WindowCursor cursor = manager.make_cursor(file);
    // Reads of 64 bytes, 12 KiB, 60 KiB and 36 KiB take copy windows of one,
    // three or four, fifteen or sixteen, and nine or ten pages: blocks of 4,
    // 16, 64 and 64 KiB. The 36 KiB ones reuse blocks the 60 KiB ones wrote
    // whole, so each holds 64 KiB of memory (which is what it counts).
    for (const std::uint64_t want : {64, 12 << 10, 60 << 10, 36 << 10, 64, 12 << 10}) {
      SCOPED_TRACE(want);
      const ManagerStats start = manager.stats();
      // Enough copy windows of this size to fill the budget twice over.
      const std::uint64_t windows = 2 * kBudget / std::max<std::uint64_t>(want, 4096);
      while (manager.stats().copy_windows - start.copy_windows < windows) {
        const std::uint64_t at = random() % (size - want);
        ASSERT_TRUE(cursor.use_region(at, want).is_valid());
        ASSERT_TRUE(matches(cursor.buffer(), at));
      }
      peak = std::max(peak, rss_anon_mib());
    }
    const ManagerStats stats = manager.stats();
    EXPECT_LE(stats.peak_copy_window_bytes, kBudget);
    EXPECT_GT(stats.peak_copy_window_bytes, kBudget / 2);  // it is tested
  }
  std::cout << "RssAnon peak above the start: " << peak - before << " MiB\n";
  // The budget, plus the free memory the pool keeps (4 MiB), the chunks of
  // region nodes and the page table: 14.0 MiB in all on x86-64 Linux; 16.5
  // when copy windows counted their size rather than their block, 20.7 when
  // the pool kept every free block.
  EXPECT_LT(peak - before, static_cast<double>(kBudget / MiB) + 7.0);
  EXPECT_LT(rss_anon_mib() - before, 2.0);
}

// Copy windows whose sizes drift once the budget is full (a cluster's window
// grows, another's shrinks) take memory that copies of other sizes wrote:
// the pool splits and merges its blocks. Were each size's blocks kept apart,
// every change of size would give back written pages and fault in others,
// a fault per page of the budget. No other manager may live meanwhile.
TEST(AdaptiveMemoryTest, CopiesOfDriftingSizesReuseWrittenMemory) {
  if (const char* why = why_page_faults_are_not_ours()) GTEST_SKIP() << why;
  const std::uint64_t MiB = 1 << 20;
  const std::uint64_t kBudget = 8 * MiB;
  testing::TempDir dir;
  const std::uint64_t size = 64 * MiB + 5;
  const std::filesystem::path file = dir.make_file("big", size);
  std::mt19937_64 random(12);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(MiB), 32 * MiB);
  cache_every_miss(manager);
  manager.set_max_copy_memory(kBudget);
  WindowCursor cursor = manager.make_cursor(file);
  // Enough far reads of |want| bytes to fill the budget twice over.
  const auto phase = [&](std::uint64_t want) {
    const ManagerStats start = manager.stats();
    const std::uint64_t windows = 2 * kBudget / want;
    while (manager.stats().copy_windows - start.copy_windows < windows) {
      const std::uint64_t at = random() % (size - want);
      ASSERT_TRUE(cursor.use_region(at, want).is_valid());
      ASSERT_TRUE(matches(cursor.buffer(), at));
    }
  };
  // Reads of 60, 120 and 28 KiB take blocks of 64, 128 and 32 KiB.
  phase(60 << 10);
  ASSERT_GT(manager.stats().copy_window_bytes, kBudget / 2);  // full
  const std::uint64_t before = thread_page_faults();
  for (const std::uint64_t want : {120 << 10, 60 << 10, 28 << 10, 120 << 10, 60 << 10}) {
    SCOPED_TRACE(want);
    phase(want);
  }
  const std::uint64_t faulted = thread_page_faults() - before;
  std::cout << "pages faulted in over five changes of size: " << faulted << "\n";
  // The budget is 2,048 pages. Splitting and merging, 801 pages faulted in
  // on x86-64 Linux; with each size's blocks kept apart, 11,087.
  EXPECT_LT(faulted, 2048u);
}

// Eight threads over four files, each alternating random 64-byte reads,
// scans in 4 KiB steps and clusters, so that the files' detectors flip both
// ways, with every far miss cached (the most copy windows) and then with
// read-throughs: the budget holds in stats() and in the process's private
// memory, sampled all along. No other manager may live meanwhile.
TEST(AdaptiveMemoryTest, TheCopyBudgetHoldsUnderEightThreadsAndFlips) {
  constexpr int kThreads = 8;
  const std::uint64_t MiB = 1 << 20;
  const std::uint64_t kBudget = 4 * MiB;
  testing::TempDir dir;
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 4; ++i) files.push_back(dir.make_file("f" + std::to_string(i), 24 * MiB + 7));
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(_WIN32)
  const bool sample = false;  // sanitizers shadow memory; Windows has no RssAnon
#else
  // Nor is an emulator's RssAnon the program's alone (its code cache).
  const bool sample = rss_anon_mib() >= 0 && std::getenv("SMMAP_TEST_EMULATED") == nullptr;
#endif
  for (const bool read_through : {false, true}) {
    SCOPED_TRACE(read_through ? "read-throughs" : "every miss cached");
    const double before = sample ? rss_anon_mib() : 0;
    double peak = before;
    {
      // 96 MiB of files under a 16 MiB limit: random reads move to copy windows.
      SlidingWindowMapManager manager(static_cast<std::int64_t>(MiB), 16 * MiB);
      manager.set_max_copy_memory(kBudget);
      detail::ManagerAccess::core(manager).set_read_through(read_through);
      std::atomic<int> failures{0};
      std::atomic<bool> done{false};
      std::thread sampler([&] {
        while (!done.load()) {
          if (sample) peak = std::max(peak, rss_anon_mib());
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      });
      auto work = [&](unsigned seed) {
        std::mt19937_64 random(seed);
        WindowCursor cursor = manager.make_cursor(files[seed % files.size()]);
        const std::uint64_t size = cursor.file_size();
        for (int phase = 0; phase < 6; ++phase) {
          const std::uint64_t start = random() % (size - 2 * MiB);
          for (int i = 0; i < 400; ++i) {
            std::uint64_t at = 0;
            std::uint64_t want = 64;
            switch ((phase + seed) % 3) {
              case 0:  // random
                at = random() % (size - 64);
                break;
              case 1:  // a scan
                at = start + i * 4096;
                want = 4096;
                break;
              default:  // clusters of 8 reads a few KiB apart
                at = (i % 8 == 0 ? random() % (size - MiB) : cursor.ofs_begin() + 3000);
                break;
            }
            if (!cursor.use_region(at, want).is_valid() || !matches(cursor.buffer(), at)) {
              ++failures;
            }
          }
          if (seed % 4 == 1) manager.set_adaptive(phase != 2);
        }
      };
      std::vector<std::thread> threads;
      for (int i = 0; i < kThreads; ++i) threads.emplace_back(work, 300 + i);
      for (std::thread& thread : threads) thread.join();
      done = true;
      sampler.join();
      EXPECT_EQ(failures.load(), 0);
      const ManagerStats stats = manager.stats();
      EXPECT_GT(stats.copy_windows, 0u);
      EXPECT_EQ(stats.read_throughs > 0, read_through);
      EXPECT_LE(stats.peak_copy_window_bytes, kBudget);
      if (!read_through) {
        EXPECT_GT(stats.peak_copy_window_bytes, kBudget / 4);  // it is tested
      }
      testing::check_invariants(manager);
    }
    if (sample) {
      // The budget, plus what the pool may keep free (a chunk), the chunks
      // of region nodes and page tables, and the threads' stacks.
      EXPECT_LT(peak - before, static_cast<double>(kBudget / MiB) + 8.0);
      EXPECT_LT(rss_anon_mib() - before, 2.0);
      std::cout << "RssAnon peak above the start: " << peak - before << " MiB\n";
    }
  }
}

TEST_F(AdaptiveTest, AZeroCopyBudgetMakesNoCopyWindows) {
  manager_.set_max_copy_memory(0);
  WindowCursor cursor = manager_.make_cursor(file_);
  read_random(cursor, 400);
  const ManagerStats stats = manager_.stats();
  EXPECT_GT(stats.switches_to_copy, 0u);
  EXPECT_EQ(stats.copy_windows, 0u);
  EXPECT_GT(stats.copy_budget_full, 0u);
  EXPECT_EQ(stats.peak_copy_window_bytes, 0u);
}

TEST_F(AdaptiveTest, CopyWindowsStopAtNeighboursAndTheFileEnd) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  manager_.collect();
  WindowCursor end = manager_.make_cursor(file_);
  ASSERT_TRUE(end.use_region(file_size_ - 10, 64).is_valid());
  EXPECT_TRUE(end.region()->is_copy());
  EXPECT_EQ(end.region()->ofs_begin(), 1024 * G);
  EXPECT_EQ(end.region()->ofs_end(), file_size_);
  EXPECT_EQ(end.size(), 10u);
  EXPECT_TRUE(matches(end.buffer(), file_size_ - 10));
  // A request straddling a page takes both pages, unless a neighbour holds one.
  WindowCursor a = manager_.make_cursor(file_);
  ASSERT_TRUE(a.use_region(100 * G - 10, 64).is_valid());
  EXPECT_EQ(a.region()->ofs_begin(), 99 * G);
  EXPECT_EQ(a.region()->size(), 2 * G);
  EXPECT_TRUE(matches(a.buffer(), 100 * G - 10));
  WindowCursor b = manager_.make_cursor(file_);
  ASSERT_TRUE(b.use_region(103 * G - 10, 64).is_valid());
  EXPECT_EQ(b.region()->ofs_begin(), 102 * G);
  WindowCursor c = manager_.make_cursor(file_);
  ASSERT_TRUE(c.use_region(102 * G - 10, 64).is_valid());  // page 101 is free, 102 is b's
  EXPECT_EQ(c.region()->ofs_begin(), 101 * G);
  EXPECT_EQ(c.region()->size(), G);
  EXPECT_EQ(c.size(), 10u);
  EXPECT_TRUE(matches(c.buffer(), 102 * G - 10));
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, MappedWindowsStopAtPinnedCopyWindowsOnEitherSide) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode_with_no_region(cursor));
  WindowCursor copy = manager_.make_cursor(file_);
  ASSERT_TRUE(copy.use_region(100 * G + 5, 64).is_valid());
  ASSERT_TRUE(copy.region()->is_copy());
  ASSERT_EQ(copy.region()->ofs_begin(), 100 * G);
  ASSERT_EQ(copy.region()->ofs_end(), 101 * G);
  // The file's list reports the copy window as any region: its pin and the
  // list's own count (smmap's client_count()); none at an offset inside it.
  EXPECT_EQ(copy.region_list()->client_count_of(100 * G, G), 2);
  EXPECT_EQ(copy.region_list()->client_count_of(100 * G + G / 2, G), 0);
  // Requests without a size get mapped windows, which grow towards the
  // pinned copy window from either side and stop at it.
  WindowCursor before = manager_.make_cursor(file_);
  ASSERT_TRUE(before.use_region(100 * G - 10).is_valid());
  EXPECT_FALSE(before.region()->is_copy());
  EXPECT_EQ(before.region()->ofs_end(), 100 * G);
  EXPECT_EQ(before.size(), 10u);
  EXPECT_TRUE(matches(before.buffer(), 100 * G - 10));
  WindowCursor after = manager_.make_cursor(file_);
  ASSERT_TRUE(after.use_region(101 * G + 10).is_valid());
  EXPECT_FALSE(after.region()->is_copy());
  EXPECT_EQ(after.region()->ofs_begin(), 101 * G);
  EXPECT_TRUE(matches(after.buffer(), 101 * G + 10));
  EXPECT_EQ(manager_.num_file_handles(), 3u);
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, AMappedWindowClearsOnlyTheUnusedCopyWindowsInItsWay) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode_with_no_region(cursor));
  // Two unused copy windows: one where a mapped window goes next, one far.
  for (const std::uint64_t at : {900 * G + 5, 5 * G + 5}) {
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    ASSERT_TRUE(cursor.region()->is_copy());
    ASSERT_EQ(cursor.region()->ofs_begin(), at - 5);
  }
  cursor.unuse_region();
  ASSERT_EQ(manager_.num_file_handles(), 2u);
  // A request without a size: a full mapped window, in place of the first.
  ASSERT_TRUE(cursor.use_region(3 * G).is_valid());
  EXPECT_FALSE(cursor.region()->is_copy());
  EXPECT_EQ(cursor.region()->ofs_begin(), 3 * G);
  EXPECT_EQ(cursor.region()->size(), kWindow);
  EXPECT_TRUE(matches(cursor.buffer(), 3 * G));
  EXPECT_EQ(manager_.num_file_handles(), 2u);  // the far one stays
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, TruncationUnderACopyWindow) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  ASSERT_TRUE(cursor.use_region(300 * G + 5, 64).is_valid());
  ASSERT_TRUE(cursor.region()->is_copy());
  std::filesystem::resize_file(file_, 0);
  // The copy holds the bytes as they were: reading it cannot fault.
  EXPECT_TRUE(matches(cursor.buffer(), 300 * G + 5));
  SlidingWindowMapBuffer buffer(cursor, 300 * G + 5, 64);
  std::vector<std::byte> out(64);
  EXPECT_EQ(buffer.read(0, out), 64u);
  EXPECT_TRUE(matches(out, 300 * G + 5));
  buffer.end_access();
  // A new copy window finds the file shorter: an error naming it, not bad bytes.
  try {
    cursor.use_region(700 * G + 5, 64);
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::io_error);
    EXPECT_NE(std::string(error.what()).find(file_.string()), std::string::npos) << error.what();
  }
  EXPECT_FALSE(cursor.is_valid());
  testing::check_invariants(manager_);
}

// Read-throughs on, as by default.
class ReadThroughTest : public AdaptiveTest {
 protected:
  ReadThroughTest() { detail::ManagerAccess::core(manager_).set_read_through(true); }

  // A far one-page request, read through: checks where its bytes start.
  // A miss near the previous one, and one far miss in kCacheEvery, is cached
  // instead: then the request is made again after that copy window went and
  // another far miss.
  void expect_read_through(WindowCursor& cursor, std::uint64_t at, std::uint64_t size) {
    ASSERT_TRUE(cursor.use_region(at, size).is_valid()) << at;
    // Near the last miss, or the one far miss in kCacheEvery.
    for (int again = 0; again < 2 && !is_read_through(cursor); ++again) {
      cursor.unuse_region();
      manager_.collect();
      const std::uint64_t far = at < file_size_ / 2 ? file_size_ - 3 * G : 3 * G;
      ASSERT_TRUE(cursor.use_region(far, 64).is_valid());
      ASSERT_TRUE(cursor.use_region(at, size).is_valid()) << at;
    }
    ASSERT_TRUE(is_read_through(cursor)) << at;
    EXPECT_EQ(cursor.region()->ofs_begin(), at);
    EXPECT_EQ(cursor.size(), std::min(size, file_size_ - at));
    EXPECT_EQ(cursor.map().size(), cursor.size());
    EXPECT_TRUE(matches(cursor.buffer(), at)) << at;
    EXPECT_TRUE(cursor.region()->is_copy());
    EXPECT_EQ(cursor.region()->client_count(), 1);
  }
};

TEST_F(ReadThroughTest, SparseSmallReadsAreReadThroughWithTheRightBytesAtEveryBoundary) {
  WindowCursor cursor = manager_.make_cursor(file_);
  EXPECT_GT(read_random(cursor, 400), 300);
  ASSERT_EQ(manager_.stats().switches_to_copy, 1u);
  const ManagerStats random = manager_.stats();
  EXPECT_GT(random.read_throughs, 250u);
  EXPECT_LT(random.copy_windows, random.read_throughs / 8);  // one in kCacheEvery, and near ones
  // Far apart, each inside one page: the file's first bytes, a page's last
  // bytes, a page's first, the file's last (clipped), every one exact.
  for (const auto& [at, size] : {std::pair{0 * G, 64 * G},
                                 {200 * G + G - 8, 8 * G},
                                 {400 * G, 1 * G},
                                 {600 * G + 1, G - 1},
                                 {file_size_ - 1, 64 * G},
                                 {file_size_ - 100, 100 * G}}) {
    expect_read_through(cursor, at, std::min<std::uint64_t>(size, G - at % G));
  }
  // Requests inside the bytes held are hits on them; none of it is a region.
  const std::uint64_t regions = manager_.num_file_handles();
  const std::uint64_t hits = manager_.stats().cursor_hits;
  ASSERT_TRUE(cursor.use_region(file_size_ - 50, 10).is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), file_size_ - 50));
  cursor.unuse_region();
  EXPECT_EQ(manager_.stats().cursor_hits, hits + 1);
  EXPECT_EQ(manager_.num_file_handles(), regions);
  testing::check_invariants(manager_);
}

TEST_F(ReadThroughTest, ACopiedCursorHoldsTheSameBytesOfItsOwn) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  expect_read_through(cursor, 100 * G + 7, 100);
  WindowCursor copy = cursor;
  ASSERT_TRUE(copy.is_valid());
  EXPECT_NE(copy.region(), cursor.region());
  EXPECT_EQ(copy.ofs_begin(), 100 * G + 7);
  EXPECT_TRUE(matches(copy.buffer(), 100 * G + 7));
  expect_read_through(cursor, 900 * G + 9, 30);  // the original reads on
  EXPECT_TRUE(matches(copy.buffer(), 100 * G + 7));
  WindowCursor moved = std::move(copy);
  EXPECT_TRUE(matches(moved.buffer(), 100 * G + 7));
  SlidingWindowMapBuffer buffer(moved, 100 * G + 7, 100);
  std::vector<std::byte> out(100);
  EXPECT_EQ(buffer.read(0, out), 100u);
  EXPECT_TRUE(matches(out, 100 * G + 7));
}

TEST_F(ReadThroughTest, PagesReadAgainAndAgainAreCached) {
  // A hot set of 8 pages read over and over: the sampled copy windows serve
  // most requests, so far misses are cached and read-throughs stop.
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t at = (random_() % 8) * 100 * G + random_() % (G - 64);
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    ASSERT_TRUE(matches(cursor.buffer(), at));
  }
  const std::uint64_t read_throughs = manager_.stats().read_throughs;
  for (int i = 0; i < 500; ++i) {
    const std::uint64_t at = (random_() % 8) * 100 * G + random_() % (G - 64);
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    ASSERT_TRUE(matches(cursor.buffer(), at));
    EXPECT_FALSE(is_read_through(cursor)) << i;
  }
  EXPECT_EQ(manager_.stats().read_throughs, read_throughs);
  testing::check_invariants(manager_);
}

TEST_F(ReadThroughTest, TruncationUnderTheCursorIsAnErrorNotBadBytes) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_NO_FATAL_FAILURE(enter_copy_mode(cursor));
  expect_read_through(cursor, 300 * G + 5, 64);
  std::filesystem::resize_file(file_, 500 * G);
  EXPECT_TRUE(matches(cursor.buffer(), 300 * G + 5));  // the bytes as read
  try {
    cursor.use_region(800 * G + 5, 64);
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::io_error);
    const std::string what = error.what();

    EXPECT_NE(what.find(file_.string()), std::string::npos) << what;
    // Read through, or into a copy window (one far miss in kCacheEvery).
    EXPECT_TRUE(what.find("offset " + std::to_string(800 * G + 5) + " size 64") !=
                    std::string::npos ||
                what.find("offset " + std::to_string(800 * G) + " size " + std::to_string(G)) !=
                    std::string::npos)
        << what;
  }
  EXPECT_FALSE(cursor.is_valid());
  testing::check_invariants(manager_);
}

// Scans: the next window mapped ahead, off the reader's thread.
void wait_for_prefetches(const StaticWindowMapManager& manager) {
  detail::ManagerAccess::core(manager).wait_for_prefetches();
}

TEST_F(AdaptiveTest, AScanHasEachNextWindowMappedAhead) {
  WindowCursor cursor = manager_.make_cursor(file_);
  // The prefetcher is waited for at each step, so that it always keeps ahead.
  for (std::uint64_t at = 0; at < file_size_; at += 4096) {
    ASSERT_TRUE(cursor.use_region(at, 4096).is_valid()) << at;
    ASSERT_TRUE(matches(cursor.buffer(), at)) << at;
    ASSERT_FALSE(cursor.region()->is_copy());
    wait_for_prefetches(manager_);
    check_limits();
  }
  const ManagerStats stats = manager_.stats();
  const std::uint64_t windows = (file_size_ + kWindow - 1) / kWindow;
  // The first three windows are misses, the last two of which show the scan
  // (each ahead of the one before); every later one was mapped ahead and
  // found there.
  EXPECT_EQ(stats.maps, windows);
  EXPECT_EQ(stats.prefetches, windows - 3);
  EXPECT_EQ(stats.region_hits, windows - 3);
  EXPECT_EQ(stats.copies, 0u);
  testing::check_invariants(manager_);
  // Random reads request nothing ahead; neither does a manager without
  // adaptive windows.
  read_random(cursor, 100);
  wait_for_prefetches(manager_);
  EXPECT_LE(manager_.stats().prefetches, windows - 3 + 2);
  SlidingWindowMapManager plain(static_cast<std::int64_t>(kWindow), 4 * kWindow);
  plain.set_adaptive(false);
  WindowCursor other = plain.make_cursor(file_);
  for (std::uint64_t at = 0; at < file_size_; at += 4096) {
    ASSERT_TRUE(other.use_region(at, 4096).is_valid());
  }
  wait_for_prefetches(plain);
  EXPECT_EQ(plain.stats().prefetches, 0u);
}

TEST_F(AdaptiveTest, APrefetchTakesOnlyRoomThatIsFree) {
  // Room for three windows: one of another file, pinned throughout; the
  // window the reader is in; and the one before it, pinned by a second
  // cursor that follows a window behind. The scan runs, mapping its windows
  // itself; nothing is mapped ahead of it, which would take the manager over
  // its limit for a guess.
  SlidingWindowMapManager manager(static_cast<std::int64_t>(kWindow), 3 * kWindow);
  const auto other = dir_.make_file("other", kWindow);
  WindowCursor pinned = manager.make_cursor(other);
  ASSERT_TRUE(pinned.use_region(0, kWindow).is_valid());
  WindowCursor cursor = manager.make_cursor(file_);
  WindowCursor behind = manager.make_cursor(file_);
  for (std::uint64_t at = 0; at < 8 * kWindow; at += 4096) {
    ASSERT_TRUE(cursor.use_region(at, 4096).is_valid());
    ASSERT_TRUE(matches(cursor.buffer(), at));
    if (at % kWindow == kWindow - 4096) {
      ASSERT_TRUE(behind.use_region(at, 64).is_valid());
    }
    wait_for_prefetches(manager);
    ASSERT_LE(manager.mapped_memory_size(), 3 * kWindow) << at;
  }
  EXPECT_EQ(manager.stats().prefetches, 0u);
  // With room for one more, the windows are mapped ahead again.
  behind.unuse_region();
  for (std::uint64_t at = 8 * kWindow; at < 16 * kWindow; at += 4096) {
    ASSERT_TRUE(cursor.use_region(at, 4096).is_valid());
    wait_for_prefetches(manager);
    ASSERT_LE(manager.mapped_memory_size(), 3 * kWindow) << at;
  }
  EXPECT_GT(manager.stats().prefetches, 0u);
  testing::check_invariants(manager);
}

TEST_F(AdaptiveTest, AWindowPrefetchedPastATruncationGivesEioNotASignal) {
#ifdef _WIN32
  GTEST_SKIP() << "Windows does not truncate a mapped file";
#endif
  SMMAP_SKIP_IF_EMULATED_32_BIT();  // as the truncation tests of the reliability suite
  WindowCursor cursor = manager_.make_cursor(file_);
  for (std::uint64_t at = 0; at < 3 * kWindow; at += 4096) {
    ASSERT_TRUE(cursor.use_region(at, 4096).is_valid());
  }
  wait_for_prefetches(manager_);
  ASSERT_EQ(manager_.stats().prefetches, 1u);  // the fourth window
  std::filesystem::resize_file(file_, 3 * kWindow + 100);
  // Reaching the fourth window maps the fifth ahead, wholly past the new end:
  // preparing its pages fails quietly.
  ASSERT_TRUE(cursor.use_region(3 * kWindow, 64).is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), 3 * kWindow));
  wait_for_prefetches(manager_);
  EXPECT_EQ(manager_.stats().prefetches, 2u);
  // Reading pages past the end through a buffer, in the fourth window and in
  // the fifth, is an error naming the file, not a signal. (The rest of the
  // last page reads as zeros.)
  for (const std::uint64_t at : {3 * kWindow + G + 200, 4 * kWindow + 5}) {
    SlidingWindowMapBuffer buffer(cursor, at, 64);
    std::vector<std::byte> out(64);
    try {
      buffer.read(0, out);
      ADD_FAILURE() << "no error at " << at;
    } catch (const std::system_error& error) {
      EXPECT_EQ(error.code(), std::errc::io_error) << at;
      EXPECT_NE(std::string(error.what()).find(file_.string()), std::string::npos) << error.what();
    }
  }
  testing::check_invariants(manager_);
}

TEST_F(AdaptiveTest, AForkedChildNeitherWaitsForNorFeedsThePrefetcher) {
#ifdef _WIN32
  GTEST_SKIP() << "Windows has no fork()";
#else
  SlidingWindowMapManager manager(static_cast<std::int64_t>(kWindow), 4 * kWindow);
  auto cursor = std::make_unique<WindowCursor>(manager.make_cursor(file_));
  for (std::uint64_t at = 0; at < 8 * kWindow; at += 4096) {
    ASSERT_TRUE(cursor->use_region(at, 4096).is_valid());
    wait_for_prefetches(manager);
  }
  ASSERT_GT(manager.stats().prefetches, 0u);  // the prefetcher's thread runs
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child scans on, mapping its own windows, then lets the manager go:
    // a wait for the parent's thread would never end (the parent kills it).
    int status = 0;
    const std::uint64_t prefetches = manager.stats().prefetches;
    for (std::uint64_t at = 8 * kWindow; at < 16 * kWindow; at += 4096) {
      if (!cursor->use_region(at, 4096).is_valid() || !matches(cursor->buffer(), at)) status = 1;
    }
    if (manager.stats().prefetches != prefetches) status = 2;
    cursor.reset();
    { const SlidingWindowMapManager gone = std::move(manager); }
    ::_exit(status);
  }
  int status = -1;
  for (int waited_ms = 0; waited_ms < 20000; waited_ms += 10) {
    if (::waitpid(child, &status, WNOHANG) == child) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!WIFEXITED(status)) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    FAIL() << "the child did not finish";
  }
  EXPECT_EQ(WEXITSTATUS(status), 0);
#endif
}

TEST_F(AdaptiveTest, AManagerGoesWhilePrefetchingWithoutWaiting) {
  for (int round = 0; round < 20; ++round) {
    SlidingWindowMapManager manager(static_cast<std::int64_t>(kWindow), 4 * kWindow);
    WindowCursor cursor = manager.make_cursor(file_);
    for (std::uint64_t at = 0; at < 4 * kWindow; at += 8192) {
      ASSERT_TRUE(cursor.use_region(at, 8192).is_valid());
    }
    // The cursor and the manager go with a prefetch queued or under way.
  }
}

TEST_F(AdaptiveTest, EightThreadsWithTheDetectorFlipping) {
  constexpr int kThreads = 8;
  SlidingWindowMapManager manager(static_cast<std::int64_t>(kWindow), 6 * kWindow, 40);
  std::atomic<int> failures{0};
  // Even threads share one file, so its detector sees their misses
  // interleaved; odd threads each read a file of their own, whose detector
  // sees one reader and flips both ways.
  const std::uint64_t own_size = 256 * G + 100;
  std::vector<std::filesystem::path> own;
  for (int i = 0; i < kThreads; ++i)
    own.push_back(dir_.make_file("own" + std::to_string(i), own_size));
  auto work = [&](unsigned seed) {
    std::mt19937_64 random(seed);
    const bool shared = seed % 2 == 0;
    const std::uint64_t size = shared ? file_size_ : own_size;
    WindowCursor cursor = manager.make_cursor(shared ? file_ : own[seed % kThreads]);
    for (int phase = 0; phase < 6; ++phase) {
      if (phase % 2 == 0) {
        for (int i = 0; i < 300; ++i) {
          const std::uint64_t at = random() % (size - 64);
          if (!cursor.use_region(at, 64).is_valid() || !matches(cursor.buffer(), at)) ++failures;
        }
      } else {
        const std::uint64_t start = random() % (size / 2);
        for (std::uint64_t at = start; at < start + 64 * G; at += 512) {
          if (!cursor.use_region(at, 512).is_valid() || !matches(cursor.buffer(), at)) {
            ++failures;
          }
        }
      }
      if (seed % 3 == 0) manager.set_adaptive(phase != 3);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(work, 100 + i);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const ManagerStats stats = manager.stats();
  EXPECT_GT(stats.switches_to_copy, 0u);
  EXPECT_GT(stats.switches_to_map, 0u);
  EXPECT_GT(stats.copy_windows, 0u);
  testing::check_invariants(manager);
}

}  // namespace
}  // namespace smmap
