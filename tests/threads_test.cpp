// One manager, many threads, tight limits: every byte read must be right.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <smmap/smmap.hpp>
#include <thread>

#include "invariants.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;

const std::uint64_t G = ALLOCATIONGRANULARITY;

TEST(ThreadsTest, FourThreadsShareOneManagerUnderTightLimits) {
  testing::TempDir dir;
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back(dir.make_file("f" + std::to_string(i), (50 + 13 * i) * G + 7));
  }
  constexpr int kThreads = 4;
  constexpr int kCursorsPerThread = 2;
  const std::uint64_t max_memory = 12 * G;
  // Each thread pins at most two regions; one spare handle lets the rest move.
  const std::uint64_t max_handles = kThreads * kCursorsPerThread + 1;
  SlidingWindowMapManager manager(static_cast<std::int64_t>(2 * G), max_memory, max_handles);

  std::atomic<int> failures{0};
  std::atomic<bool> limits_exceeded{false};
  auto work = [&](unsigned seed) {
    std::mt19937_64 random(seed);
    std::vector<WindowCursor> cursors;
    for (int i = 0; i < kCursorsPerThread; ++i) {
      cursors.push_back(manager.make_cursor(files[random() % files.size()]));
    }
    for (int step = 0; step < 4000; ++step) {
      WindowCursor& cursor = cursors[random() % cursors.size()];
      switch (random() % 16) {
        case 0:  // a new file
          cursor = manager.make_cursor(files[random() % files.size()]);
          break;
        case 1: {  // a copy that reads and goes
          WindowCursor copy = cursor;
          if (copy.is_valid() && !matches(copy.buffer(), copy.ofs_begin())) ++failures;
          break;
        }
        case 2:
          cursor.unuse_region();
          break;
        case 3: {
          SlidingWindowMapBuffer buf;
          const std::uint64_t start = random() % cursor.file_size();
          if (buf.begin_access(cursor, start)) {
            std::vector<std::byte> out(1 + random() % (5 * G));
            const std::uint64_t at = random() % buf.size();
            const std::size_t got = buf.read(at, out);
            if (got == 0 || !matches(std::span(out).first(got), start + at)) ++failures;
          }
          break;
        }
        default: {
          const std::uint64_t offset = random() % cursor.file_size();
          if (!cursor.use_region(offset, 1 + random() % (3 * G)).is_valid() ||
              cursor.ofs_begin() != offset || !matches(cursor.buffer(), offset)) {
            ++failures;
          }
        }
      }
      if (manager.num_file_handles() > max_handles) limits_exceeded = true;
      if (step % 64 == 0) {
        try {
          testing::check_invariants(manager);
        } catch (const std::logic_error& broken) {
          ADD_FAILURE() << broken.what();
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) threads.emplace_back(work, 1000 + t);
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_FALSE(limits_exceeded.load());
  const ManagerStats stats = manager.stats();
  EXPECT_GT(stats.unmaps_by_eviction, 0u);
  EXPECT_LE(stats.peak_regions, max_handles);
  EXPECT_GT(stats.cursor_hits + stats.region_hits, 0u);
  testing::check_invariants(manager);
}

}  // namespace
}  // namespace smmap
