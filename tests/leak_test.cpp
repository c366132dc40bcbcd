// Descriptors and mappings, counted in /proc/self before, during and after
// heavy use: whatever happens in between — errors thrown midway, managers
// destroyed before their cursors — the counts come back to where they were.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <system_error>
#include <vector>

#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::count_mappings;
using testing::count_open_fds;
using testing::matches;
using testing::TempDir;

constexpr std::uint64_t kKiB = 1024;
// How often the workload counts descriptors and mappings: every step, or
// every 16th on Windows, where walking the handles and the address space is
// slow (minutes for a workload under Wine).
#ifdef _WIN32
constexpr int kCountEvery = 16;
#else
constexpr int kCountEvery = 1;
#endif

class LeakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 6; ++i) {
      files_.push_back(dir_.make_file("f" + std::to_string(i), (40 + 97 * i) * kKiB));
    }
    files_.push_back(dir_.make_file("empty", 0));
    // Warm up whatever the C++ runtime maps lazily (locale, exception
    // machinery) before counting.
    run_workload(50, 0);
    fds_before_ = count_open_fds();
    maps_before_ = count_mappings();
  }

  void expect_back_to_start() {
    EXPECT_EQ(count_open_fds(), fds_before_);
    EXPECT_EQ(count_mappings(), maps_before_);
  }

  // Random cursors, windows, buffers and copies over the files; every
  // |truncate_every|-th step truncates and restores a file under the regions
  // (0: never). Returns the largest fd and mapping counts seen.
  std::pair<std::size_t, std::size_t> run_workload(int steps, int truncate_every,
                                                   std::uint64_t seed = 1) {
    std::mt19937_64 random(seed);
    std::size_t peak_fds = 0;
    std::size_t peak_maps = 0;
    std::optional<SlidingWindowMapManager> sliding(std::in_place, 64 * kKiB, 512 * kKiB, 12);
    std::optional<StaticWindowMapManager> whole(std::in_place, 0, 1024 * kKiB, 4);
    std::vector<WindowCursor> cursors;
    std::vector<std::byte> out(100 * kKiB);
    for (int step = 0; step < steps; ++step) {
      const auto& path = files_[random() % files_.size()];
      try {
        if (cursors.size() < 8 || random() % 4 == 0) {
          cursors.push_back(random() % 3 ? sliding->make_cursor(path) : whole->make_cursor(path));
        }
        WindowCursor& cursor = cursors[random() % cursors.size()];
        if (cursor.file_size() > 0) {
          const std::uint64_t offset = random() % cursor.file_size();
          if (random() % 2) {
            if (cursor.use_region(offset, random() % (80 * kKiB)).is_valid()) {
              EXPECT_TRUE(matches(cursor.buffer(), offset));
            }
          } else {
            SlidingWindowMapBuffer buf(cursor, offset);
            const std::size_t got = buf.read(0, std::span(out).first(random() % out.size()));
            EXPECT_TRUE(matches(std::span(out).first(got), offset));
          }
        }
        if (random() % 5 == 0) cursors.push_back(cursors[random() % cursors.size()]);
        if (random() % 6 == 0) cursors.erase(cursors.begin() + random() % cursors.size());
        if (random() % 20 == 0) sliding->collect();
        if (truncate_every != 0 && step % truncate_every == 0) {
          // Shrink a file under its regions; reads of lost pages throw.
          const auto& victim = files_[random() % (files_.size() - 1)];
          EXPECT_EQ(testing::set_file_size(victim, 4096), 0);
          for (auto& c : cursors) {
            if (c.is_associated() && c.file_size() > 8192) {
              try {
                SlidingWindowMapBuffer buf(c);
                std::vector<std::byte> tail(16);
                buf.read(c.file_size() - 16, tail);
              } catch (const std::system_error&) {
                // EIO, or EMFILE with every region pinned; the file must be
                // restored all the same, for the raw reads that follow.
              }
            }
          }
          testing::write_test_file(victim, (40 + 97 * (&victim - files_.data())) * kKiB);
        }
        if (random() % 50 == 0) {
          // A manager goes first; its cursors stay usable.
          if (random() % 2) {
            sliding.emplace(64 * kKiB, 512 * kKiB, 12);
          } else {
            whole.emplace(0, 1024 * kKiB, 4);
          }
        }
      } catch (const std::system_error&) {
        // Handle limits with every region pinned, truncated files.
      }
      if (step % kCountEvery == 0) {
        peak_fds = std::max(peak_fds, count_open_fds());
        peak_maps = std::max(peak_maps, count_mappings());
      }
    }
    sliding.reset();
    whole.reset();
    return {peak_fds, peak_maps};
  }

  TempDir dir_;
  std::vector<std::filesystem::path> files_;
  std::size_t fds_before_ = 0;
  std::size_t maps_before_ = 0;
};

TEST_F(LeakTest, HeavyUseReturnsEveryDescriptorAndMapping) {
  const auto [peak_fds, peak_maps] = run_workload(3000, 0, 7);
  EXPECT_GT(peak_fds, fds_before_);
  EXPECT_GT(peak_maps, maps_before_);
  expect_back_to_start();
}

TEST_F(LeakTest, TruncationsMidwayLeakNothing) {
  SMMAP_SKIP_ON_WINDOWS(testing::kWindowsKeepsMappedFiles);
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  run_workload(1500, 97, 11);
  expect_back_to_start();
}

TEST_F(LeakTest, ManagerDestroyedBeforeItsCursors) {
  std::vector<WindowCursor> cursors;
  {
    SlidingWindowMapManager manager(64 * kKiB, 256 * kKiB, 16);
    for (const auto& path : files_) {
      cursors.push_back(manager.make_cursor(path));
      cursors.back().use_region(cursors.back().file_size() / 2);
      cursors.push_back(cursors.back());
    }
    EXPECT_GT(count_open_fds(), fds_before_);
  }
  // The cursors still work: the manager's state lives on with them.
  for (auto& cursor : cursors) {
    if (cursor.file_size() == 0) continue;
    ASSERT_TRUE(cursor.use_region(cursor.file_size() - 1).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), cursor.file_size() - 1));
  }
  cursors.erase(cursors.begin(), cursors.begin() + cursors.size() / 2);
  EXPECT_GT(count_mappings(), maps_before_);
  cursors.clear();
  expect_back_to_start();
}

TEST_F(LeakTest, FailedMakeCursorLeaksNothing) {
  SlidingWindowMapManager manager(64 * kKiB);
  for (int i = 0; i < 100; ++i) {
    EXPECT_THROW(manager.make_cursor(dir_.path()), std::system_error);
    EXPECT_THROW(manager.make_cursor(dir_.path() / "missing"), std::system_error);
    EXPECT_THROW(manager.make_cursor("/dev/null"), std::system_error);
    EXPECT_THROW(manager.make_cursor(-1), std::system_error);
  }
  expect_back_to_start();
}

TEST_F(LeakTest, HandleLimitErrorsLeakNothing) {
  {
    SlidingWindowMapManager manager(64 * kKiB, 0, 3);
    std::vector<WindowCursor> pinned;
    for (int i = 0; i < 3; ++i) {
      pinned.push_back(manager.make_cursor(files_[5]));
      ASSERT_TRUE(pinned.back().use_region(i * 128 * kKiB).is_valid());
    }
    WindowCursor denied = manager.make_cursor(files_[4]);
    for (int i = 0; i < 50; ++i) EXPECT_THROW(denied.use_region(i * 4096), std::system_error);
    EXPECT_EQ(manager.num_file_handles(), 3u);
  }
  expect_back_to_start();
}

}  // namespace
}  // namespace smmap
