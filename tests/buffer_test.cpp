#include <gtest/gtest.h>

#include <smmap/smmap.hpp>

#include "test_files.hpp"

namespace smmap {
namespace {

using testing::byte_at;
using testing::matches;

const std::uint64_t G = ALLOCATIONGRANULARITY;

class BufferTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::uint64_t file_size_ = 40 * G + 11;
  std::filesystem::path file_ = dir_.make_file("data", file_size_);
  // Small windows and little memory, so reads cross and evict windows.
  SlidingWindowMapManager manager_{static_cast<std::int64_t>(2 * G), 6 * G, 5};
  WindowCursor cursor_ = manager_.make_cursor(file_);
};

TEST_F(BufferTest, IndicesAreRelativeToTheOffset) {
  const std::uint64_t offset = 3 * G + 17;
  SlidingWindowMapBuffer buf(cursor_, offset);
  EXPECT_EQ(buf.size(), file_size_ - offset);
  EXPECT_EQ(buf.offset(), offset);
  EXPECT_EQ(buf[0], byte_at(offset));
  EXPECT_EQ(buf[1], byte_at(offset + 1));
  EXPECT_EQ(buf[buf.size() - 1], byte_at(file_size_ - 1));
  EXPECT_THROW(buf[buf.size()], std::out_of_range);
  EXPECT_EQ(buf.cursor(), &cursor_);
}

TEST_F(BufferTest, ExplicitSizeIsKeptAndClippedToTheFile) {
  SlidingWindowMapBuffer small(cursor_, 100, 50);
  EXPECT_EQ(small.size(), 50u);
  EXPECT_THROW(small[50], std::out_of_range);
  SlidingWindowMapBuffer large(cursor_, 100, file_size_);
  EXPECT_EQ(large.size(), file_size_ - 100);
}

TEST_F(BufferTest, ReadCrossesWindows) {
  SlidingWindowMapBuffer buf(cursor_, 5);
  std::vector<std::byte> out(9 * G + 3);
  EXPECT_EQ(buf.read(G - 2, out), out.size());
  EXPECT_TRUE(matches(out, 5 + G - 2));
  EXPECT_LE(manager_.mapped_memory_size(), 6 * G);
  // Reading backwards and at random also works.
  for (std::uint64_t start : {30 * G, 2 * G + 1, 17 * G + 4095}) {
    std::vector<std::byte> part(3 * G);
    ASSERT_EQ(buf.read(start, part), part.size());
    EXPECT_TRUE(matches(part, 5 + start)) << start;
  }
}

TEST_F(BufferTest, ReadsInsideTheCurrentWindowAreCursorHits) {
  SlidingWindowMapBuffer buf(cursor_, 0);
  std::vector<std::byte> out(100);
  for (std::uint64_t start = 0; start < 1000; start += 100) ASSERT_EQ(buf.read(start, out), 100u);
  buf.end_access();
  const ManagerStats stats = manager_.stats();
  EXPECT_EQ(stats.maps, 1u);
  EXPECT_EQ(stats.cursor_hits, 10u);  // every read after begin_access() mapped the window
}

TEST_F(BufferTest, ReadStopsAtTheEnd) {
  SlidingWindowMapBuffer buf(cursor_, 0);
  std::vector<std::byte> out(3 * G);
  EXPECT_EQ(buf.read(file_size_ - 10, out), 10u);
  EXPECT_TRUE(matches(std::span(out).first(10), file_size_ - 10));
  EXPECT_EQ(buf.read(file_size_, out), 0u);
  EXPECT_EQ(buf.read(UINT64_MAX, out), 0u);
}

TEST_F(BufferTest, EveryByteThroughIndexing) {
  SlidingWindowMapBuffer buf(cursor_, 7 * G - 3, 5 * G);
  for (std::uint64_t i = 0; i < buf.size(); ++i) {
    ASSERT_EQ(buf[i], byte_at(7 * G - 3 + i)) << i;
  }
}

TEST_F(BufferTest, ConstructionFailsOnBadCursorOrOffset) {
  WindowCursor unassociated;
  EXPECT_THROW(SlidingWindowMapBuffer{unassociated}, std::invalid_argument);
  EXPECT_THROW(SlidingWindowMapBuffer(cursor_, file_size_), std::invalid_argument);
  try {
    SlidingWindowMapBuffer buf(cursor_, file_size_ + 5);
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(file_.string()), std::string::npos);
  }
}

TEST_F(BufferTest, BeginAndEndAccess) {
  SlidingWindowMapBuffer buf;
  EXPECT_EQ(buf.cursor(), nullptr);
  EXPECT_EQ(buf.size(), 0u);
  buf.end_access();
  buf.end_access();
  EXPECT_FALSE(buf.begin_access());  // no cursor yet

  EXPECT_FALSE(buf.begin_access(cursor_, file_size_));
  EXPECT_EQ(buf.size(), 0u);
  EXPECT_TRUE(buf.begin_access(cursor_, 100));
  EXPECT_EQ(buf.size(), file_size_ - 100);
  EXPECT_TRUE(cursor_.is_valid());
  EXPECT_EQ(buf[0], byte_at(100));

  buf.end_access();
  EXPECT_FALSE(cursor_.is_valid());
  EXPECT_TRUE(cursor_.is_associated());
  EXPECT_EQ(buf.size(), 0u);

  EXPECT_TRUE(buf.begin_access());  // the same cursor, from offset 0
  EXPECT_EQ(buf.size(), file_size_);
  EXPECT_EQ(buf[0], byte_at(0));
}

TEST_F(BufferTest, IndexingAfterTheCursorLostItsFileThrows) {
  SlidingWindowMapBuffer buf(cursor_, 10);
  cursor_ = WindowCursor();
  EXPECT_THROW(buf[0], std::logic_error);
  std::vector<std::byte> out(10);
  EXPECT_EQ(buf.read(0, out), 0u);
}

TEST_F(BufferTest, DestructionReleasesTheCursorsRegion) {
  {
    SlidingWindowMapBuffer buf(cursor_, 10);
    EXPECT_TRUE(cursor_.is_valid());
  }
  EXPECT_FALSE(cursor_.is_valid());
  EXPECT_EQ(manager_.collect(), 1u);
}

}  // namespace
}  // namespace smmap
