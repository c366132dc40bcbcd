// Hostile and changing files: what every bad input gets (docs/reliability.md
// has the table), and files replaced or resized under a manager
// (docs/design.md, "Files: identity and replacement").
#include <fcntl.h>
#include <gtest/gtest.h>
#ifdef _WIN32
#include <io.h>
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::byte_at;
using testing::count_open_fds;
using testing::expected_bytes;
using testing::matches;
using testing::TempDir;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// A file whose byte at offset i is byte_at(i + shift): a replacement that
// cannot be mistaken for the original.
void write_shifted(const std::filesystem::path& path, std::uint64_t size, std::uint64_t shift) {
  std::vector<std::byte> bytes(size);
  for (std::uint64_t i = 0; i < size; ++i) bytes[i] = byte_at(i + shift);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
  ASSERT_TRUE(out.good());
}

bool matches_shifted(std::span<const std::byte> bytes, std::uint64_t offset, std::uint64_t shift) {
  return matches(bytes, offset + shift);
}

// --- Files that change under the manager ---

TEST(ChangingFileTest, RenamedOverGetsAFreshEntryAndOldCursorsKeepTheirView) {
  SMMAP_SKIP_ON_WINDOWS(testing::kWindowsKeepsMappedFiles);
  TempDir dir;
  const auto path = dir.make_file("pack", 256 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor old_cursor = manager.make_cursor(path);
  ASSERT_TRUE(old_cursor.use_region(0, 100).is_valid());

  // Another file of the same size takes the name.
  const auto replacement = dir.path() / "pack.new";
  write_shifted(replacement, 256 * kKiB, 7);
  std::filesystem::rename(replacement, path);

  WindowCursor new_cursor = manager.make_cursor(path);
  EXPECT_EQ(manager.stats().replaced_files, 1u);
  ASSERT_TRUE(new_cursor.use_region(70 * kKiB, 100).is_valid());
  EXPECT_TRUE(matches_shifted(new_cursor.buffer(), 70 * kKiB, 7));
  // The old cursor maps new windows from the old inode, still open.
  ASSERT_TRUE(old_cursor.use_region(200 * kKiB, 100).is_valid());
  EXPECT_TRUE(matches(old_cursor.buffer(), 200 * kKiB));
  EXPECT_NE(old_cursor.region(), new_cursor.region());
  EXPECT_EQ(manager.num_open_files(), 2u);

  // Once the old cursor goes, the old entry and its regions go too.
  old_cursor = WindowCursor();
  EXPECT_EQ(manager.num_open_files(), 1u);
  new_cursor = manager.make_cursor(path);  // the current entry: nothing replaced
  EXPECT_EQ(manager.stats().replaced_files, 1u);
}

TEST(ChangingFileTest, TruncatedFileGetsAFreshEntryWithTheNewSize) {
  SMMAP_SKIP_ON_WINDOWS(testing::kWindowsKeepsMappedFiles);
  TempDir dir;
  const auto path = dir.make_file("pack", 256 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor old_cursor = manager.make_cursor(path);
  ASSERT_TRUE(old_cursor.use_region(0, 100).is_valid());
  ASSERT_EQ(testing::set_file_size(path, 100 * kKiB), 0);

  WindowCursor new_cursor = manager.make_cursor(path);
  EXPECT_EQ(new_cursor.file_size(), 100 * kKiB);
  EXPECT_EQ(old_cursor.file_size(), 256 * kKiB);
  EXPECT_FALSE(new_cursor.use_region(100 * kKiB).is_valid());
  ASSERT_TRUE(new_cursor.use_region(100 * kKiB - 1).is_valid());
  EXPECT_EQ(new_cursor.size(), 1u);
  EXPECT_TRUE(matches(new_cursor.buffer(), 100 * kKiB - 1));
  // The old view still holds bytes before the new end.
  EXPECT_TRUE(matches(old_cursor.buffer(), 0));
}

TEST(ChangingFileTest, AppendedFileGetsAFreshEntryWithTheNewBytes) {
  SMMAP_SKIP_ON_WINDOWS(testing::kWindowsKeepsMappedFiles);
  TempDir dir;
  const auto path = dir.make_file("pack", 100 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor old_cursor = manager.make_cursor(path);
  ASSERT_TRUE(old_cursor.use_region(0).is_valid());
  testing::write_test_file(path, 300 * kKiB);  // same inode, longer

  WindowCursor new_cursor = manager.make_cursor(path);
  EXPECT_EQ(new_cursor.file_size(), 300 * kKiB);
  ASSERT_TRUE(new_cursor.use_region(250 * kKiB, 1000).is_valid());
  EXPECT_TRUE(matches(new_cursor.buffer(), 250 * kKiB));
  SlidingWindowMapBuffer all(new_cursor);
  EXPECT_EQ(all.size(), 300 * kKiB);
  EXPECT_EQ(all[300 * kKiB - 1], byte_at(300 * kKiB - 1));

  // The old cursor keeps the size it was made with.
  EXPECT_EQ(old_cursor.file_size(), 100 * kKiB);
  EXPECT_FALSE(old_cursor.use_region(100 * kKiB).is_valid());
  EXPECT_EQ(manager.stats().replaced_files, 1u);
}

// Same inode, same size, new bytes: only the modification time tells.
TEST(ChangingFileTest, RewrittenInPlaceWithTheSameSizeGetsAFreshEntry) {
#ifdef _WIN32
  GTEST_SKIP() << "rewrites through pwrite and futimens, which Windows does not have";
#else
  TempDir dir;
  const std::uint64_t size = 8 * kKiB;
  const auto path = dir.make_file("rewritten", size);
  SlidingWindowMapManager manager;
  WindowCursor before = manager.make_cursor(path);
  struct stat old_info {};
  ASSERT_EQ(::stat(path.c_str(), &old_info), 0);

  const int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  const std::vector<std::byte> shifted = expected_bytes(1, size);  // other bytes
  ASSERT_EQ(::pwrite(fd, shifted.data(), shifted.size(), 0), static_cast<ssize_t>(size));
  // A modification time one second later, whatever the clock's resolution.
  const timespec times[2] = {old_info.st_atim,
                             {old_info.st_mtim.tv_sec + 1, old_info.st_mtim.tv_nsec}};
  ASSERT_EQ(::futimens(fd, times), 0);
  ::close(fd);
  struct stat new_info {};
  ASSERT_EQ(::stat(path.c_str(), &new_info), 0);
  ASSERT_EQ(new_info.st_ino, old_info.st_ino);
  ASSERT_EQ(new_info.st_size, old_info.st_size);

  WindowCursor after = manager.make_cursor(path);
  EXPECT_NE(after.region_list(), before.region_list());
  EXPECT_EQ(manager.stats().replaced_files, 1u);
  ASSERT_TRUE(after.use_region(0, size).is_valid());
  EXPECT_TRUE(matches(after.buffer(), 1));
#endif
}

// The modification time is compared to the nanosecond: a rewrite within the
// same second is a new file all the same.
TEST(ChangingFileTest, RewrittenWithinTheSameSecondGetsAFreshEntry) {
#ifdef _WIN32
  GTEST_SKIP() << "rewrites through pwrite and futimens, which Windows does not have";
#else
  TempDir dir;
  const std::uint64_t size = 8 * kKiB;
  const auto path = dir.make_file("rewritten", size);
  const auto set_mtime = [&path](long nanoseconds) {
    const int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    const timespec times[2] = {{0, UTIME_OMIT}, {1'700'000'000, nanoseconds}};
    EXPECT_EQ(::futimens(fd, times), 0);
    ::close(fd);
  };
  set_mtime(100);
  SlidingWindowMapManager manager;
  WindowCursor before = manager.make_cursor(path);
  ASSERT_TRUE(before.use_region(0, size).is_valid());

  const int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  const std::vector<std::byte> shifted = expected_bytes(3, size);
  ASSERT_EQ(::pwrite(fd, shifted.data(), shifted.size(), 0), static_cast<ssize_t>(size));
  ::close(fd);
  set_mtime(900);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  ASSERT_EQ(info.st_mtim.tv_sec, 1'700'000'000);
  if (info.st_mtim.tv_nsec != 900) GTEST_SKIP() << "the file system keeps no nanoseconds";

  WindowCursor after = manager.make_cursor(path);
  EXPECT_NE(after.region_list(), before.region_list());
  EXPECT_EQ(manager.stats().replaced_files, 1u);
  ASSERT_TRUE(after.use_region(0, size).is_valid());
  EXPECT_TRUE(matches(after.buffer(), 3));
  EXPECT_NE(after.region(), before.region());
#endif
}

TEST(ChangingFileTest, ReplacedEntriesCloseTheirDescriptorWithTheLastCursor) {
  SMMAP_SKIP_ON_WINDOWS(testing::kWindowsKeepsMappedFiles);
  TempDir dir;
  const auto path = dir.make_file("pack", 64 * kKiB);
  const std::size_t fds_before = count_open_fds();
  {
    SlidingWindowMapManager manager(64 * kKiB);
    std::vector<WindowCursor> cursors;
    for (int generation = 0; generation < 5; ++generation) {
      write_shifted(dir.path() / "next", 64 * kKiB + 4096 * generation, generation);
      std::filesystem::rename(dir.path() / "next", path);
      cursors.push_back(manager.make_cursor(path));
      ASSERT_TRUE(cursors.back().use_region(4096 * generation).is_valid());
      EXPECT_TRUE(matches_shifted(cursors.back().buffer(), 4096 * generation, generation));
    }
    EXPECT_EQ(manager.num_open_files(), 5u);
    EXPECT_EQ(count_open_fds(), fds_before + 5);
    cursors.clear();
    EXPECT_LE(count_open_fds(), fds_before + 1);  // the current entry may keep its region
    manager.collect();
    EXPECT_EQ(count_open_fds(), fds_before);
  }
  EXPECT_EQ(count_open_fds(), fds_before);
}

// --- Bad inputs ---

TEST(BadInputTest, ZeroLengthFileGivesAnAssociatedCursorThatIsNeverValid) {
  TempDir dir;
  const auto path = dir.make_file("empty", 0);
  for (std::int64_t window : {0, -1}) {
    SlidingWindowMapManager manager(window);
    WindowCursor cursor = manager.make_cursor(path);
    EXPECT_TRUE(cursor.is_associated());
    EXPECT_EQ(cursor.file_size(), 0u);
    EXPECT_FALSE(cursor.use_region().is_valid());
    EXPECT_FALSE(cursor.use_region(0, 1).is_valid());
    EXPECT_FALSE(cursor.use_region(kMax, kMax).is_valid());
    EXPECT_THROW(SlidingWindowMapBuffer unused(cursor), std::invalid_argument);
    EXPECT_EQ(manager.num_file_handles(), 0u);
  }
  StaticWindowMapManager whole;
  EXPECT_FALSE(whole.make_cursor(path).use_region().is_valid());
}

TEST(BadInputTest, DirectoryIsEisdirNamingThePath) {
  TempDir dir;
  const PathOrFd source(dir.path());
  // A directory is reported as what it is, whatever would have been done
  // with the file next (never as a failed map).
  const std::string message = "read '" + describe(source) +
                              "': " + std::make_error_code(std::errc::is_a_directory).message();
  SlidingWindowMapManager sliding;
  StaticWindowMapManager whole_files;
  for (const auto& make : std::vector<std::function<void()>>{
           [&] { sliding.make_cursor(dir.path()); },
           [&] { whole_files.make_cursor(dir.path()); },
           [&] { MapRegionList list(source); },
           [&] { MapRegion region(source, 0, 0); },
       }) {
    const auto error = testing::error_of(make);
    EXPECT_EQ(error.code(), std::errc::is_a_directory);
    EXPECT_EQ(std::string(error.what()), message);
  }
#ifndef _WIN32  // the C runtime of Windows opens no directory as a descriptor
  const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  const auto error = testing::error_of([&] { sliding.make_cursor(fd); });
  EXPECT_EQ(error.code(), std::errc::is_a_directory);
  EXPECT_EQ(std::string(error.what()),
            "read 'fd " + std::to_string(fd) +
                "': " + std::make_error_code(std::errc::is_a_directory).message());
  testing::close_descriptor(fd);
#endif
}

TEST(BadInputTest, FifoIsEnodevWithoutBlocking) {
  SlidingWindowMapManager manager;
  int ends[2];
#ifdef _WIN32  // no FIFO in the file system; an anonymous pipe
  ASSERT_EQ(::_pipe(ends, 4096, _O_BINARY), 0);
#else
  TempDir dir;
  const auto fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto error = testing::error_of([&] { manager.make_cursor(fifo); });
  EXPECT_EQ(error.code(), std::errc::no_such_device);
  testing::expect_mentions(error, fifo.string());
  ASSERT_EQ(::pipe(ends), 0);
#endif
  EXPECT_EQ(testing::error_of([&] { manager.make_cursor(ends[0]); }).code(),
            std::errc::no_such_device);
  testing::close_descriptor(ends[0]);
  testing::close_descriptor(ends[1]);
}

TEST(BadInputTest, DevicesAreEnodev) {
  SlidingWindowMapManager manager;
#ifdef _WIN32
  for (const char* device : {"NUL"}) {
#else
  for (const char* device : {"/dev/null", "/dev/zero", "/dev/urandom"}) {
#endif
    const auto error = testing::error_of([&] { manager.make_cursor(device); });
    EXPECT_EQ(error.code(), std::errc::no_such_device) << device;
    testing::expect_mentions(error, device);
  }
  EXPECT_EQ(manager.num_open_files(), 0u);
}

TEST(BadInputTest, MissingPathsAreEnoent) {
  TempDir dir;
  SlidingWindowMapManager manager;
  const auto missing = dir.path() / "missing";
  const auto error = testing::error_of([&] { manager.make_cursor(missing); });
  EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory);
  testing::expect_mentions(error, missing.string());
  EXPECT_EQ(testing::error_of([&] { manager.make_cursor(""); }).code(),
            std::errc::no_such_file_or_directory);
  EXPECT_EQ(
      testing::error_of([&] { manager.make_cursor(dir.path() / "missing" / "deeper"); }).code(),
      std::errc::no_such_file_or_directory);
  EXPECT_EQ(testing::error_of([&] { MapRegion(PathOrFd(missing), 0, 1); }).code(),
            std::errc::no_such_file_or_directory);
}

TEST(BadInputTest, ClosedAndInvalidDescriptorsAreEbadf) {
  TempDir dir;
  const auto path = dir.make_file("data", 64 * kKiB);
  SlidingWindowMapManager manager;
  const int fd = testing::open_descriptor(path);
  ASSERT_GE(fd, 0);
  testing::close_descriptor(fd);
  const auto error = testing::error_of([&] { manager.make_cursor(fd); });
  EXPECT_EQ(error.code(), std::errc::bad_file_descriptor);
  testing::expect_mentions(error, "fd " + std::to_string(fd));
  EXPECT_EQ(testing::error_of([&] { manager.make_cursor(-1); }).code(),
            std::errc::bad_file_descriptor);
  EXPECT_EQ(testing::error_of([&] { MapRegion(PathOrFd(-1), 0, 1); }).code(),
            std::errc::bad_file_descriptor);
}

TEST(BadInputTest, DescriptorClosedUnderACursorFailsOnlyNewWindows) {
  TempDir dir;
  const auto path = dir.make_file("data", 256 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  const int fd = testing::open_descriptor(path);
  ASSERT_GE(fd, 0);
  WindowCursor cursor = manager.make_cursor(fd);
  ASSERT_TRUE(cursor.use_region(0).is_valid());
  testing::close_descriptor(fd);
  // The mapped window outlives the descriptor; a new one cannot be made.
  EXPECT_TRUE(matches(cursor.buffer(), 0));
  const auto error = testing::error_of([&] { cursor.use_region(128 * kKiB); });
  EXPECT_EQ(error.code(), std::errc::bad_file_descriptor);
  testing::expect_mentions(error, "fd " + std::to_string(fd));
  EXPECT_FALSE(cursor.is_valid());
  EXPECT_TRUE(cursor.is_associated());
}

TEST(BadInputTest, HugeOffsetsAndSizesAreClampedOrInvalidNeverErrors) {
  TempDir dir;
  const auto path = dir.make_file("data", 100 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor cursor = manager.make_cursor(path);
  // "Negative" offsets reach C++ as huge unsigned ones.
  for (std::uint64_t offset : {kMax, kMax - 1, std::uint64_t{1} << 63, 100 * kKiB}) {
    EXPECT_FALSE(cursor.use_region(offset).is_valid()) << offset;
    EXPECT_FALSE(cursor.use_region(offset, kMax).is_valid()) << offset;
    EXPECT_FALSE(cursor.includes_ofs(offset));
  }
  ASSERT_TRUE(cursor.use_region(0, kMax).is_valid());
  EXPECT_EQ(cursor.size(), 64 * kKiB);
  ASSERT_TRUE(cursor.use_region(99 * kKiB, kMax).is_valid());
  EXPECT_EQ(cursor.ofs_end(), 100 * kKiB);

  SlidingWindowMapBuffer buf(cursor, 10, kMax);
  EXPECT_EQ(buf.size(), 100 * kKiB - 10);
  EXPECT_THROW(buf[kMax], std::out_of_range);
  EXPECT_THROW(buf[buf.size()], std::out_of_range);
  std::vector<std::byte> out(16);
  EXPECT_EQ(buf.read(kMax, out), 0u);
  EXPECT_EQ(buf.read(buf.size(), out), 0u);
  EXPECT_EQ(buf.read(buf.size() - 3, out), 3u);
  EXPECT_FALSE(buf.begin_access(cursor, kMax));
  EXPECT_THROW(SlidingWindowMapBuffer(cursor, 100 * kKiB), std::invalid_argument);

  EXPECT_THROW(MapRegion(PathOrFd(path), 100 * kKiB, 1), std::invalid_argument);
  EXPECT_THROW(MapRegion(PathOrFd(path), 1, 1), std::invalid_argument);
  MapRegion whole(PathOrFd(path), 0, kMax);
  EXPECT_EQ(whole.size(), 100 * kKiB);
}

TEST(BadInputTest, ExtremeManagerArguments) {
  TempDir dir;
  const auto path = dir.make_file("data", 100 * kKiB);
  // A window larger than any file is clipped to the file.
  SlidingWindowMapManager wide(std::numeric_limits<std::int64_t>::max() / 2);
  WindowCursor cursor = wide.make_cursor(path);
  ASSERT_TRUE(cursor.use_region(5).is_valid());
  EXPECT_EQ(cursor.ofs_end(), 100 * kKiB);
  EXPECT_TRUE(matches(cursor.buffer(), 5));

  // A memory limit of one byte is soft: the pinned window maps anyway.
  SlidingWindowMapManager tiny(4096, 1);
  WindowCursor small = tiny.make_cursor(path);
  ASSERT_TRUE(small.use_region(50 * kKiB).is_valid());
  EXPECT_TRUE(matches(small.buffer(), 50 * kKiB));

  // No handles at all: every new region is an EMFILE error naming the file.
  SlidingWindowMapManager none(4096, 0, 0);
  WindowCursor denied = none.make_cursor(path);
  const auto error = testing::error_of([&] { denied.use_region(0); });
  EXPECT_EQ(error.code(), std::errc::too_many_files_open);
  testing::expect_mentions(error, path.string());
  EXPECT_FALSE(denied.is_valid());
}

}  // namespace
}  // namespace smmap
