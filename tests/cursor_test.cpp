
#include <gtest/gtest.h>

#include <smmap/smmap.hpp>
#include <system_error>

#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;
using testing::TempDir;

const std::uint64_t G = ALLOCATIONGRANULARITY;

class CursorTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::filesystem::path file_ = dir_.make_file("data", 64 * G + 77);
  std::uint64_t file_size_ = 64 * G + 77;
  SlidingWindowMapManager manager_{static_cast<std::int64_t>(4 * G)};
};

TEST_F(CursorTest, DefaultCursorIsUnassociatedAndNeverValid) {
  WindowCursor cursor;
  EXPECT_FALSE(cursor.is_associated());
  EXPECT_FALSE(cursor.is_valid());
  EXPECT_EQ(cursor.size(), 0u);
  EXPECT_FALSE(cursor.use_region(0, 10).is_valid());
  EXPECT_TRUE(cursor.buffer().empty());
  EXPECT_EQ(cursor.region(), nullptr);
  EXPECT_THROW(cursor.path_or_fd(), std::logic_error);
  cursor.unuse_region();  // harmless
}

TEST_F(CursorTest, MadeCursorIsAssociatedUntilUsed) {
  WindowCursor cursor = manager_.make_cursor(file_);
  EXPECT_TRUE(cursor.is_associated());
  EXPECT_FALSE(cursor.is_valid());
  EXPECT_EQ(cursor.file_size(), file_size_);
  EXPECT_EQ(cursor.path(), file_);
  EXPECT_THROW(cursor.fd(), std::invalid_argument);
  EXPECT_EQ(manager_.num_file_handles(), 0u);
  EXPECT_EQ(manager_.num_open_files(), 0u);
}

TEST_F(CursorTest, UseRegionGivesTheAskedBytes) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(10, 10).is_valid());
  EXPECT_EQ(cursor.ofs_begin(), 10u);
  EXPECT_EQ(cursor.ofs_end(), 20u);
  EXPECT_EQ(cursor.size(), 10u);
  EXPECT_EQ(cursor.buffer().size(), 10u);
  EXPECT_TRUE(matches(cursor.buffer(), 10));
  EXPECT_TRUE(cursor.includes_ofs(10));
  EXPECT_TRUE(cursor.includes_ofs(19));
  EXPECT_FALSE(cursor.includes_ofs(20));
  EXPECT_FALSE(cursor.includes_ofs(9));
  EXPECT_EQ(manager_.num_file_handles(), 1u);
  EXPECT_EQ(manager_.num_open_files(), 1u);
  // The region is the whole first window; map() shows all of it.
  EXPECT_EQ(cursor.region()->ofs_begin(), 0u);
  EXPECT_EQ(cursor.region()->size(), 4 * G);
  EXPECT_EQ(cursor.map().size(), 4 * G);
  EXPECT_TRUE(matches(cursor.map(), 0));
}

TEST_F(CursorTest, ReusesTheCurrentRegionWithoutMapping) {
  WindowCursor cursor = manager_.make_cursor(file_);
  cursor.use_region(100, 10);
  const MapRegion* first = cursor.region();
  cursor.use_region(3 * G, 50);
  EXPECT_EQ(cursor.region(), first);
  EXPECT_EQ(cursor.ofs_begin(), 3 * G);
  EXPECT_TRUE(matches(cursor.buffer(), 3 * G));
  cursor.use_region(0);
  EXPECT_EQ(cursor.region(), first);
  EXPECT_EQ(manager_.stats().maps, 1u);
  cursor.unuse_region();
  EXPECT_EQ(manager_.stats().cursor_hits, 2u);
}

// Hits a cursor has not reported yet reach the manager once, when it goes.
TEST_F(CursorTest, HitsOfACursorDestroyedWhileValidAreCountedOnce) {
  {
    WindowCursor cursor = manager_.make_cursor(file_);
    ASSERT_TRUE(cursor.use_region(0, 10).is_valid());  // a map
    cursor.use_region(10, 10);                         // two hits, not yet reported
    cursor.use_region(20, 10);
    EXPECT_EQ(manager_.stats().cursor_hits, 0u);
  }
  EXPECT_EQ(manager_.stats().cursor_hits, 2u);
  EXPECT_EQ(manager_.stats().maps, 1u);
  EXPECT_EQ(manager_.stats().region_hits, 0u);
}

TEST_F(CursorTest, HitsOfAMovedCursorAreCountedOnce) {
  WindowCursor target = manager_.make_cursor(file_);
  {
    WindowCursor cursor = manager_.make_cursor(file_);
    ASSERT_TRUE(cursor.use_region(0, 10).is_valid());
    cursor.use_region(10, 10);
    cursor.use_region(20, 10);
    target = std::move(cursor);
    EXPECT_EQ(cursor.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is specified
  }
  EXPECT_EQ(manager_.stats().cursor_hits, 0u);
  target.use_region(30, 10);
  target.unuse_region();
  EXPECT_EQ(manager_.stats().cursor_hits, 3u);
}

TEST_F(CursorTest, SizeIsClampedToWindowAndRegionEnd) {
  WindowCursor cursor = manager_.make_cursor(file_);
  cursor.use_region(0);  // 0: as much as possible, at most a window
  EXPECT_EQ(cursor.size(), 4 * G);
  cursor.use_region(G, 100 * G);  // more than a window: the rest of the region
  EXPECT_EQ(cursor.size(), 3 * G);
  EXPECT_TRUE(matches(cursor.buffer(), G));
}

TEST_F(CursorTest, OffsetAtOrPastTheEndLeavesTheCursorInvalid) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(file_size_ - 1, 10).is_valid());
  EXPECT_EQ(cursor.size(), 1u);
  EXPECT_TRUE(matches(cursor.buffer(), file_size_ - 1));
  EXPECT_FALSE(cursor.use_region(file_size_).is_valid());
  EXPECT_TRUE(cursor.is_associated());
  EXPECT_EQ(cursor.size(), 0u);
  EXPECT_TRUE(cursor.buffer().empty());
  EXPECT_FALSE(cursor.use_region(UINT64_MAX).is_valid());
  // The released region stays cached until needed.
  EXPECT_EQ(manager_.num_file_handles(), 1u);
  EXPECT_EQ(cursor.region(), nullptr);
}

TEST_F(CursorTest, UnuseRegionIsIdempotentAndKeepsTheAssociation) {
  WindowCursor cursor = manager_.make_cursor(file_);
  cursor.use_region(0, 1);
  cursor.unuse_region();
  cursor.unuse_region();
  EXPECT_FALSE(cursor.is_valid());
  EXPECT_TRUE(cursor.is_associated());
  EXPECT_TRUE(cursor.use_region(5, 1).is_valid());
}

TEST_F(CursorTest, ZeroLengthFileIsAssociatedButNeverValid) {
  const auto empty = dir_.make_file("empty", 0);
  WindowCursor cursor = manager_.make_cursor(empty);
  EXPECT_TRUE(cursor.is_associated());
  EXPECT_EQ(cursor.file_size(), 0u);
  EXPECT_FALSE(cursor.use_region().is_valid());
  EXPECT_FALSE(cursor.use_region(0, 1).is_valid());
  EXPECT_EQ(manager_.num_file_handles(), 0u);
}

TEST_F(CursorTest, PageBoundaryOffsets) {
  WindowCursor cursor = manager_.make_cursor(file_);
  for (std::uint64_t boundary : {G, 4 * G, 8 * G, 63 * G}) {
    for (std::uint64_t offset : {boundary - 1, boundary, boundary + 1}) {
      ASSERT_TRUE(cursor.use_region(offset, 2).is_valid()) << offset;
      EXPECT_EQ(cursor.ofs_begin(), offset);
      EXPECT_TRUE(matches(cursor.buffer(), offset)) << offset;
      EXPECT_GE(cursor.size(), 1u);
    }
  }
}

TEST_F(CursorTest, CopyPinsTheRegionAgainAndMoveDoesNot) {
  WindowCursor cursor = manager_.make_cursor(file_);
  cursor.use_region(G, 10);
  const MapRegion* region = cursor.region();
  EXPECT_EQ(region->client_count(), 2);  // the manager and the cursor

  WindowCursor copy(cursor);
  EXPECT_EQ(copy.region(), region);
  EXPECT_EQ(copy.ofs_begin(), G);
  EXPECT_EQ(region->client_count(), 3);

  WindowCursor moved(std::move(copy));
  EXPECT_EQ(region->client_count(), 3);
  EXPECT_FALSE(
      copy.is_associated());  // NOLINT(bugprone-use-after-move): moved-from is unassociated
  EXPECT_EQ(moved.region(), region);

  WindowCursor assigned;
  assigned.assign(cursor);
  EXPECT_EQ(region->client_count(), 4);
  EXPECT_TRUE(matches(assigned.buffer(), G));

  assigned = std::move(moved);
  EXPECT_EQ(region->client_count(), 3);
  moved = cursor;  // copy-assign into a moved-from cursor
  EXPECT_EQ(region->client_count(), 4);

  {
    WindowCursor scoped(cursor);
    EXPECT_EQ(region->client_count(), 5);
  }
  EXPECT_EQ(region->client_count(), 4);
  cursor.unuse_region();
  moved.unuse_region();
  assigned.unuse_region();
  EXPECT_EQ(region->client_count(), 1);  // only the manager
  cursor = cursor;                       // self-assignment is harmless
  EXPECT_TRUE(cursor.is_associated());
}

TEST_F(CursorTest, CopyOfAnAssociatedCursorIsAssociated) {
  WindowCursor cursor = manager_.make_cursor(file_);
  WindowCursor copy = cursor;
  EXPECT_TRUE(copy.is_associated());
  EXPECT_FALSE(copy.is_valid());
  EXPECT_TRUE(copy.use_region(5 * G, 1).is_valid());
  EXPECT_TRUE(matches(copy.buffer(), 5 * G));
}

TEST_F(CursorTest, CursorOutlivesItsManager) {
  const std::size_t mappings_before = testing::count_mappings();
  const std::size_t fds_before = testing::count_open_fds();
  WindowCursor cursor;
  {
    SlidingWindowMapManager manager(static_cast<std::int64_t>(4 * G));
    cursor = manager.make_cursor(file_);
    cursor.use_region(0, 1);
  }
  ASSERT_TRUE(cursor.is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), 0));
  ASSERT_TRUE(cursor.use_region(40 * G, 100).is_valid());  // it can still map new windows
  EXPECT_TRUE(matches(cursor.buffer(), 40 * G));
  WindowCursor copy = cursor;
  cursor = WindowCursor();
  EXPECT_TRUE(matches(copy.buffer(), 40 * G));
  copy = WindowCursor();
  EXPECT_EQ(testing::count_mappings(), mappings_before);
  EXPECT_EQ(testing::count_open_fds(), fds_before);
}

TEST_F(CursorTest, DescriptorSourceIsUsedAndNeverClosed) {
  const int fd = testing::open_descriptor(file_);
  ASSERT_GE(fd, 0);
  {
    SlidingWindowMapManager manager(static_cast<std::int64_t>(4 * G));
    WindowCursor cursor = manager.make_cursor(fd);
    EXPECT_EQ(cursor.fd(), fd);
    EXPECT_THROW(cursor.path(), std::invalid_argument);
    EXPECT_EQ(cursor.file_size(), file_size_);
    ASSERT_TRUE(cursor.use_region(7 * G + 3, 100).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), 7 * G + 3));
  }
  EXPECT_TRUE(testing::descriptor_is_open(fd));
  testing::close_descriptor(fd);
}

TEST_F(CursorTest, ClosedDescriptorIsAnError) {
  const int fd = testing::open_descriptor(file_);
  testing::close_descriptor(fd);
  try {
    manager_.make_cursor(fd);
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::bad_file_descriptor);
    EXPECT_NE(std::string(error.what()).find("fd " + std::to_string(fd)), std::string::npos);
  }
}

TEST_F(CursorTest, MissingFileAndDirectoryAreClearErrors) {
  try {
    manager_.make_cursor(dir_.path() / "nope");
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(error.what()).find("nope"), std::string::npos);
  }
  try {
    manager_.make_cursor(dir_.path());
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::is_a_directory);
    EXPECT_NE(std::string(error.what()).find(dir_.path().string()), std::string::npos);
  }
}

TEST_F(CursorTest, CursorsOfOneFileShareRegions) {
  WindowCursor first = manager_.make_cursor(file_);
  WindowCursor second = manager_.make_cursor(file_);
  first.use_region(G, 1);
  second.use_region(2 * G, 1);
  EXPECT_EQ(first.region(), second.region());
  EXPECT_EQ(first.region()->client_count(), 3);
  EXPECT_EQ(manager_.stats().region_hits, 1u);
  EXPECT_EQ(manager_.num_open_files(), 1u);
}

TEST_F(CursorTest, ReplacedFileGetsAFreshEntryWhileOldCursorsKeepTheirView) {
#ifdef _WIN32
  GTEST_SKIP() << "Windows refuses to replace a file that is open; ForceRemovalTest."
                  "AFileReplacedBetweenCursors replaces one released by "
                  "force_map_handle_removal_win";
#endif
  WindowCursor old_cursor = manager_.make_cursor(file_);
  ASSERT_TRUE(old_cursor.use_region(0, 1).is_valid());

  // Replace the file with a shorter one whose bytes are shifted by one.
  const auto replacement = dir_.path() / "replacement";
  testing::write_test_file(replacement, 10 * G + 1);
  std::filesystem::rename(replacement, file_);

  WindowCursor new_cursor = manager_.make_cursor(file_);
  EXPECT_EQ(new_cursor.file_size(), 10 * G + 1);
  EXPECT_EQ(old_cursor.file_size(), file_size_);
  EXPECT_EQ(manager_.stats().replaced_files, 1u);

  // The old cursor still reaches the old file's far end (the old inode).
  ASSERT_TRUE(old_cursor.use_region(60 * G, 10).is_valid());
  EXPECT_TRUE(matches(old_cursor.buffer(), 60 * G));
  ASSERT_TRUE(new_cursor.use_region(10 * G).is_valid());
  EXPECT_EQ(new_cursor.size(), 1u);
  EXPECT_FALSE(new_cursor.use_region(60 * G).is_valid());
  EXPECT_EQ(manager_.num_open_files(), 2u);

  // When the last cursor of the old entry goes, its regions go with it.
  old_cursor = WindowCursor();
  EXPECT_EQ(manager_.num_open_files(), 1u);  // the new file's released region stays cached
  EXPECT_EQ(manager_.num_file_handles(), 1u);
}

TEST_F(CursorTest, ResizedFileIsNoticed) {
  WindowCursor before = manager_.make_cursor(file_);
  testing::write_test_file(file_, 2 * file_size_);  // same inode, new size
  WindowCursor after = manager_.make_cursor(file_);
  EXPECT_EQ(before.file_size(), file_size_);
  EXPECT_EQ(after.file_size(), 2 * file_size_);
  ASSERT_TRUE(after.use_region(file_size_ + 5, 10).is_valid());
  EXPECT_TRUE(matches(after.buffer(), file_size_ + 5));
}

TEST_F(CursorTest, StaticManagerMapsWholeFiles) {
  StaticWindowMapManager manager;
  EXPECT_EQ(manager.window_size(), 0u);
  WindowCursor cursor = manager.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(5000, 0).is_valid());
  EXPECT_EQ(cursor.region()->ofs_begin(), 0u);
  EXPECT_EQ(cursor.region()->size(), file_size_);
  EXPECT_EQ(cursor.size(), file_size_ - 5000);
  const MapRegion* whole = cursor.region();
  cursor.use_region(file_size_ - 1);
  EXPECT_EQ(cursor.region(), whole);
  EXPECT_TRUE(matches(cursor.buffer(), file_size_ - 1));
  EXPECT_EQ(manager.num_file_handles(), 1u);
  EXPECT_EQ(manager.mapped_memory_size(), file_size_);
}

// A static manager maps whole files but reports at most its window size, on
// the hit path as on the miss.
TEST_F(CursorTest, HitOnARegionLargerThanTheWindowReportsAtMostTheWindow) {
  StaticWindowMapManager manager(static_cast<std::int64_t>(2 * G));
  WindowCursor cursor = manager.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(0).is_valid());  // the miss maps the whole file
  ASSERT_EQ(cursor.region()->size(), file_size_);
  EXPECT_EQ(cursor.size(), 2 * G);
  const MapRegion* whole = cursor.region();
  const std::uint64_t hits = manager.stats().cursor_hits;
  for (std::uint64_t size : {std::uint64_t{0}, 5 * G, 2 * G + 1}) {
    ASSERT_TRUE(cursor.use_region(10 * G + 3, size).is_valid());
    EXPECT_EQ(cursor.region(), whole);  // a hit
    EXPECT_EQ(cursor.size(), 2 * G) << "asked for " << size;
    EXPECT_TRUE(matches(cursor.buffer(), 10 * G + 3));
  }
  ASSERT_TRUE(cursor.use_region(file_size_ - 7, 0).is_valid());
  EXPECT_EQ(cursor.size(), 7u);  // the region's end clamps too
  cursor.unuse_region();
  EXPECT_EQ(manager.stats().cursor_hits, hits + 4);
}

TEST_F(CursorTest, AMovedFromCursorIsInvalidAndHoldsNothing) {
  WindowCursor cursor = manager_.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(3 * G, 100).is_valid());
  const MapRegion* region = cursor.region();
  WindowCursor moved(std::move(cursor));
  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is the subject
  EXPECT_FALSE(cursor.is_valid());
  EXPECT_FALSE(cursor.is_associated());
  EXPECT_EQ(cursor.region(), nullptr);
  EXPECT_EQ(cursor.region_list(), nullptr);
  EXPECT_EQ(cursor.size(), 0u);
  EXPECT_TRUE(cursor.buffer().empty());
  EXPECT_TRUE(cursor.map().empty());
  EXPECT_EQ(region->client_count(), 2);  // the manager and |moved| only

  WindowCursor assigned;
  assigned = std::move(moved);
  EXPECT_EQ(moved.region(), nullptr);
  EXPECT_FALSE(moved.is_valid());
  // NOLINTEND(bugprone-use-after-move)
  EXPECT_EQ(assigned.region(), region);
  EXPECT_EQ(region->client_count(), 2);
  assigned.unuse_region();
  EXPECT_EQ(region->client_count(), 1);
}

}  // namespace
}  // namespace smmap
