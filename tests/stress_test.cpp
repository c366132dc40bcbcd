// Eight threads on one manager with tight limits (64 KiB windows, 1 MiB of
// memory, 8 regions): random use_region, cursor copies, buffer reads,
// collect() and cursor destruction for a couple of seconds, every byte read
// checked; descriptors and mappings counted before and after. Each thread pins at most one region
// at a time, so the handle limit is never hit with everything pinned and no call may fail.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::count_mappings;
using testing::count_open_fds;
using testing::matches;
using testing::TempDir;

constexpr std::uint64_t kKiB = 1024;
constexpr int kThreads = 8;
constexpr std::uint64_t kMaxHandles = 8;
constexpr auto kDuration = std::chrono::milliseconds(2500);

struct ThreadReport {
  std::uint64_t steps = 0;
  std::uint64_t bytes_checked = 0;
  std::string failure;  // empty when all went well
};

void worker(StaticWindowMapManager& manager, const std::vector<std::filesystem::path>& files,
            std::uint64_t seed, std::chrono::steady_clock::time_point until, ThreadReport& report) {
  std::mt19937_64 random(seed);
  std::vector<std::byte> out(256 * kKiB);
  auto fail = [&report](const std::string& what) {
    if (report.failure.empty()) report.failure = what;
  };
  try {
    WindowCursor cursor = manager.make_cursor(files[random() % files.size()]);
    std::vector<WindowCursor> copies;  // all on cursor's region
    while (std::chrono::steady_clock::now() < until && report.failure.empty()) {
      ++report.steps;
      switch (random() % 8) {
        case 0:  // another file, or the same one afresh
          copies.clear();
          cursor = manager.make_cursor(files[random() % files.size()]);
          break;
        case 1:
        case 2: {  // a window anywhere
          copies.clear();
          const std::uint64_t offset = random() % (cursor.file_size() + 4096);
          const std::uint64_t size = random() % (128 * kKiB);
          cursor.use_region(offset, size);
          if (offset >= cursor.file_size()) {
            if (cursor.is_valid()) fail("valid past the end");
            break;
          }
          if (!cursor.is_valid() || cursor.ofs_begin() != offset || cursor.size() == 0) {
            fail("use_region(" + std::to_string(offset) + ") gave no window");
            break;
          }
          if (!matches(cursor.buffer(), offset)) fail("wrong bytes at " + std::to_string(offset));
          report.bytes_checked += cursor.size();
          break;
        }
        case 3:  // copies pin the same region (a read-through's copy has the same bytes)
          if (copies.size() < 3) copies.push_back(cursor);
          if (copies.back().is_valid() != cursor.is_valid() ||
              (cursor.is_valid() &&
               (copies.back().region()->ofs_begin() != cursor.region()->ofs_begin() ||
                copies.back().region()->size() != cursor.region()->size())) ||
              !matches(copies.back().buffer(), cursor.ofs_begin())) {
            fail("copy differs");
          }
          break;
        case 4:  // a copy goes
          if (!copies.empty()) copies.erase(copies.begin() + random() % copies.size());
          break;
        case 5: {  // a buffer read across windows
          copies.clear();
          if (cursor.file_size() == 0) break;
          const std::uint64_t offset = random() % cursor.file_size();
          SlidingWindowMapBuffer buf(cursor, offset);
          const std::size_t want = random() % out.size();
          const std::size_t got = buf.read(0, std::span(out).first(want));
          if (got != std::min<std::uint64_t>(want, buf.size())) fail("short read");
          if (!matches(std::span(out).first(got), offset)) {
            fail("wrong buffer bytes at " + std::to_string(offset));
          }
          report.bytes_checked += got;
          break;
        }
        case 6:
          if (random() % 8 == 0) manager.collect();
          break;
        case 7:  // the cursor goes; a fresh one on the same file
          copies.clear();
          cursor = WindowCursor();
          cursor = manager.make_cursor(files[random() % files.size()]);
          break;
      }
      if (manager.num_file_handles() > kMaxHandles) fail("too many regions");
    }
  } catch (const std::exception& error) {
    fail(std::string("exception: ") + error.what());
  }
}

void run_stress(StaticWindowMapManager& manager, const std::vector<std::filesystem::path>& files) {
  std::vector<ThreadReport> reports(kThreads);
  std::vector<std::thread> threads;
  const auto until = std::chrono::steady_clock::now() + kDuration;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(worker, std::ref(manager), std::cref(files), 1000 + i, until,
                         std::ref(reports[i]));
  }
  for (auto& thread : threads) thread.join();
  std::uint64_t steps = 0;
  for (const auto& report : reports) {
    EXPECT_EQ(report.failure, "");
    EXPECT_GT(report.steps, 0u);
    EXPECT_GT(report.bytes_checked, 0u);
    steps += report.steps;
  }
  const ManagerStats stats = manager.stats();
  EXPECT_LE(stats.peak_regions, kMaxHandles);
  EXPECT_GT(stats.maps, 0u);
  std::cout << "steps: " << steps << '\n' << stats;
}

TEST(StressTest, EightThreadsOnOneSlidingManagerWithTightLimits) {
  TempDir dir;
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 4; ++i)
    files.push_back(dir.make_file("f" + std::to_string(i), (i + 1) * 700 * kKiB + 123));
  files.push_back(dir.make_file("small", 5000));
  const std::size_t fds_before = count_open_fds();
  const std::size_t maps_before = count_mappings();
  {
    SlidingWindowMapManager manager(64 * kKiB, 1024 * kKiB, kMaxHandles);
    run_stress(manager, files);
    manager.collect();
    EXPECT_EQ(manager.num_file_handles(), 0u);
    EXPECT_EQ(manager.mapped_memory_size(), 0u);
  }
  EXPECT_EQ(count_open_fds(), fds_before);
  EXPECT_EQ(count_mappings(), maps_before);
}

TEST(StressTest, EightThreadsOnOneStaticManager) {
  TempDir dir;
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 6; ++i)
    files.push_back(dir.make_file("f" + std::to_string(i), (i + 1) * 100 * kKiB + 7));
  StaticWindowMapManager manager(0, 1024 * kKiB, kMaxHandles);
  run_stress(manager, files);
}

}  // namespace
}  // namespace smmap
