// Behaviour the documentation states where the API alone does not say it
// (docs/design.md, "Decisions where the contract leaves a choice";
// docs/benchmarks.md): each test here is named there.
#include <gtest/gtest.h>
#ifndef _WIN32
#include <signal.h>
#include <unistd.h>
#endif

#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;
using testing::TempDir;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;

TEST(DocumentedBehaviourTest, StaticManagerWindowSizeIsTheRoundedArgument) {
  const std::uint64_t page = align_to_mmap(1, true);
  EXPECT_EQ(StaticWindowMapManager().window_size(), 0u);
  EXPECT_EQ(StaticWindowMapManager(0).window_size(), 0u);
  EXPECT_EQ(StaticWindowMapManager(5000).window_size(), align_to_mmap(5000, true));
  EXPECT_EQ(StaticWindowMapManager(static_cast<std::int64_t>(page)).window_size(), page);
  EXPECT_EQ(StaticWindowMapManager(-1).window_size(), SlidingWindowMapManager().window_size());

  // Whole files are mapped all the same; the window only caps what a cursor
  // reports.
  TempDir dir;
  const auto path = dir.make_file("whole", 256 * kKiB);
  StaticWindowMapManager manager(5000);
  WindowCursor cursor = manager.make_cursor(path);
  ASSERT_TRUE(cursor.use_region(1000, 100 * kKiB).is_valid());
  EXPECT_EQ(cursor.region()->ofs_begin(), 0u);
  EXPECT_EQ(cursor.region()->size(), 256 * kKiB);
  EXPECT_EQ(cursor.size(), manager.window_size());
}

TEST(DocumentedBehaviourTest, AWindowMayExceedWindowSizeByOnePage) {
  TempDir dir;
  const auto path = dir.make_file("large", 8 * kMiB);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(2 * kMiB));
  ASSERT_TRUE(manager.align_large_windows());
  WindowCursor cursor = manager.make_cursor(path);
  // No 2 MiB boundary lets a 2 MiB window hold [5 MiB + 100, 7 MiB + 100):
  // smmap's placement, grown to a window, then aligned to pages.
  ASSERT_TRUE(cursor.use_region(5 * kMiB + 100, 2 * kMiB).is_valid());
  EXPECT_EQ(cursor.region()->size(), 2 * kMiB + align_to_mmap(1, true));  // 2,101,248 bytes
  EXPECT_EQ(cursor.size(), 2 * kMiB);
  // A window that starts on a 2 MiB boundary is at most window_size().
  ASSERT_TRUE(cursor.use_region(kMiB + 100, 64).is_valid());
  EXPECT_EQ(cursor.region()->ofs_begin() % kLargePageSize, 0u);
  EXPECT_LE(cursor.region()->size(), manager.window_size());

  // The same without large-page alignment: smmap's placement throughout.
  SlidingWindowMapManager unaligned(static_cast<std::int64_t>(2 * kMiB));
  unaligned.set_align_large_windows(false);
  WindowCursor other = unaligned.make_cursor(path);
  ASSERT_TRUE(other.use_region(5 * kMiB + 100, 2 * kMiB).is_valid());
  EXPECT_EQ(other.region()->size(), 2 * kMiB + align_to_mmap(1, true));
}

// Writes |size| bytes unlike the test files' (each is the complement of the
// test file's byte at its offset).
void write_other_file(const std::filesystem::path& path, std::uint64_t size) {
  std::vector<std::byte> bytes = testing::expected_bytes(0, static_cast<std::size_t>(size));
  for (std::byte& b : bytes) b = ~b;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
}

TEST(DocumentedBehaviourTest, ABufferWhoseCursorIsReassignedReadsTheNewFileWithTheOldSize) {
  TempDir dir;
  const auto first = dir.make_file("first", 256 * kKiB);
  const auto second = dir.path() / "second";
  write_other_file(second, 64 * kKiB);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(64 * kKiB));
  WindowCursor cursor = manager.make_cursor(first);
  SlidingWindowMapBuffer buf(cursor, 1000);
  ASSERT_EQ(buf.size(), 256 * kKiB - 1000);
  ASSERT_EQ(buf[0], testing::byte_at(1000));

  cursor = manager.make_cursor(second);
  // Same offset and size as before, bytes of the new file.
  EXPECT_EQ(buf.offset(), 1000u);
  EXPECT_EQ(buf.size(), 256 * kKiB - 1000);
  EXPECT_EQ(buf[0], ~testing::byte_at(1000));
  std::array<std::byte, 4096> block;
  EXPECT_EQ(buf.read(8192, block), block.size());
  EXPECT_EQ(block[0], ~testing::byte_at(1000 + 8192));
  // Past the new file's end: read() stops, operator[] throws.
  EXPECT_EQ(buf.read(64 * kKiB - 1000 - 10, block), 10u);
  EXPECT_EQ(buf.read(100 * kKiB, block), 0u);
  EXPECT_THROW(buf[100 * kKiB], std::logic_error);

  // begin_access() takes the new file's size.
  ASSERT_TRUE(buf.begin_access(1000));
  EXPECT_EQ(buf.size(), 64 * kKiB - 1000);
}

#ifndef _WIN32  // Windows has no SIGBUS; its guard is a vectored exception handler
// Whether SIGBUS is handled as |previous| handled it.
bool sigbus_handler_is(const struct sigaction& previous) {
  struct sigaction now {};
  sigaction(SIGBUS, nullptr, &now);
  return now.sa_sigaction == previous.sa_sigaction && now.sa_flags == previous.sa_flags;
}

// The handler is the process's, and only a guarded copy installs it. The
// death-test child re-runs this test alone, so no earlier copy installed it.
TEST(DocumentedBehaviourDeathTest, TheSigbusHandlerIsInstalledAtTheFirstGuardedRead) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  testing::set_death_test_style();
  TempDir dir;
  const auto path = dir.make_file("guarded", 64 * kKiB);
  EXPECT_EXIT(
      {
        struct sigaction before {};
        sigaction(SIGBUS, nullptr, &before);
        SlidingWindowMapManager manager;
        WindowCursor cursor = manager.make_cursor(path);
        cursor.use_region(0);
        if (!matches(cursor.buffer().first(64), 0)) ::_exit(2);  // spans are not guarded
        if (!sigbus_handler_is(before)) ::_exit(3);
        SlidingWindowMapBuffer buf(cursor);
        if (!sigbus_handler_is(before)) ::_exit(4);
        if (buf[10] != testing::byte_at(10)) ::_exit(5);  // the first guarded read
        ::_exit(sigbus_handler_is(before) ? 6 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}
#endif  // _WIN32

}  // namespace
}  // namespace smmap
