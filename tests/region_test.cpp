
#include <gtest/gtest.h>

#include <smmap/region.hpp>
#include <smmap/region_list.hpp>
#include <smmap/window.hpp>
#include <system_error>

#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;
using testing::TempDir;

const std::uint64_t G = ALLOCATIONGRANULARITY;

TEST(MapRegionTest, MapsTheWholeFileClippedToItsEnd) {
  TempDir dir;
  const auto path = dir.make_file("f", 10 * G + 123);
  MapRegion region(path, 0, UINT64_MAX);
  EXPECT_EQ(region.ofs_begin(), 0u);
  EXPECT_EQ(region.size(), 10 * G + 123);
  EXPECT_EQ(region.ofs_end(), 10 * G + 123);
  EXPECT_EQ(region.client_count(), 1);
  EXPECT_FALSE(region.is_copy());
  EXPECT_TRUE(matches(region.buffer(), 0));
  EXPECT_EQ(region.map().data(), region.buffer().data());
}

TEST(MapRegionTest, MapsAPartAtAnAlignedOffset) {
  TempDir dir;
  const auto path = dir.make_file("f", 10 * G + 123);
  MapRegion region(path, 2 * G, 3 * G);
  EXPECT_EQ(region.ofs_begin(), 2 * G);
  EXPECT_EQ(region.size(), 3 * G);
  EXPECT_TRUE(matches(region.buffer(), 2 * G));
  EXPECT_TRUE(region.includes_ofs(2 * G));
  EXPECT_TRUE(region.includes_ofs(5 * G - 1));
  EXPECT_FALSE(region.includes_ofs(5 * G));
  EXPECT_FALSE(region.includes_ofs(2 * G - 1));
  EXPECT_EQ(MapWindow::from_region(region), MapWindow(2 * G, 3 * G));
}

TEST(MapRegionTest, MapsFromADescriptorAndLeavesItOpen) {
  TempDir dir;
  const auto path = dir.make_file("f", 3 * G);
  const int fd = testing::open_descriptor(path);
  ASSERT_GE(fd, 0);
  {
    MapRegion region(fd, G, 2 * G);
    EXPECT_TRUE(matches(region.buffer(), G));
  }
  EXPECT_TRUE(testing::descriptor_is_open(fd));  // still open
  testing::close_descriptor(fd);
}

TEST(MapRegionTest, RejectsUnalignedOrOutOfRangeOffsets) {
  TempDir dir;
  const auto path = dir.make_file("f", 3 * G);
  EXPECT_THROW(MapRegion(path, 1, G), std::invalid_argument);
  EXPECT_THROW(MapRegion(path, 3 * G, G), std::invalid_argument);
}

TEST(MapRegionTest, MissingFileNamesThePath) {
  TempDir dir;
  try {
    MapRegion region(dir.path() / "missing", 0, G);
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(error.what()).find("missing"), std::string::npos);
  }
}

TEST(MapRegionListTest, KnowsItsSourceAndSizeAndHasNoRegions) {
  TempDir dir;
  const auto path = dir.make_file("f", 100);
  MapRegionList by_path(path);
  EXPECT_EQ(by_path.size(), 0u);
  EXPECT_TRUE(by_path.empty());
  EXPECT_EQ(by_path.file_size(), 100u);
  EXPECT_EQ(std::get<std::filesystem::path>(by_path.path_or_fd()), path);

  const int fd = testing::open_descriptor(path);
  ASSERT_GE(fd, 0);
  {
    MapRegionList by_fd(fd);
    EXPECT_EQ(std::get<int>(by_fd.path_or_fd()), fd);
    EXPECT_EQ(by_fd.file_size(), 100u);
  }
  EXPECT_TRUE(testing::descriptor_is_open(fd));  // the caller's descriptor stays open
  testing::close_descriptor(fd);
}

TEST(MapRegionListTest, DirectoryIsAnError) {
  TempDir dir;
  try {
    MapRegionList list(dir.path());
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::is_a_directory);
    EXPECT_NE(std::string(error.what()).find(dir.path().string()), std::string::npos);
  }
}

}  // namespace
}  // namespace smmap
