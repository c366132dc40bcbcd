// The architecture's defaults and offsets past 4 GiB. Built with -m32 too
// (`make test-m32`), where the defaults are 64 MiB windows and 1024 MiB of
// memory and a whole 5 GiB file does not fit in the address space.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <system_error>
#include <vector>

#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::expected_bytes;
using testing::matches;
using testing::TempDir;

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kGiB = 1024 * kMiB;

TEST(DefaultsTest, PointerWidthIsTheBuilds) {
  EXPECT_EQ(is_64_bit(), sizeof(void*) == 8);
  RecordProperty("pointer_bits", static_cast<int>(8 * sizeof(void*)));
}

TEST(DefaultsTest, ManagersUseTheArchitecturesDefaults) {
  const std::uint64_t window = is_64_bit() ? 1024 * kMiB : 64 * kMiB;
  const std::uint64_t memory = is_64_bit() ? 8192 * kMiB : 1024 * kMiB;
  SlidingWindowMapManager sliding;
  EXPECT_EQ(sliding.window_size(), window);
  EXPECT_EQ(sliding.max_mapped_memory_size(), memory);
  EXPECT_EQ(sliding.max_file_handles(), kUnlimitedHandles);
  EXPECT_EQ(SlidingWindowMapManager(-12345).window_size(), window);
  StaticWindowMapManager whole;
  EXPECT_EQ(whole.window_size(), 0u);
  EXPECT_EQ(whole.max_mapped_memory_size(), memory);
}

#if defined(__i386__)
TEST(DefaultsTest, ThisIsThe32BitBuild) {
  EXPECT_FALSE(is_64_bit());
  EXPECT_EQ(SlidingWindowMapManager().window_size(), 64 * kMiB);
  EXPECT_EQ(SlidingWindowMapManager().max_mapped_memory_size(), 1024 * kMiB);
}
#endif

// A sparse file of 5 GiB with test bytes at a few places, holes elsewhere.
class LargeFileTest : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kSize = 5 * kGiB + 12345;
  static constexpr std::size_t kPatch = 64 * 1024;

  void SetUp() override {
    path_ = dir_.path() / "sparse";
    { std::ofstream create(path_, std::ios::binary); }
    std::filesystem::resize_file(path_, kSize);  // sparse where the file system can
    std::fstream file(path_, std::ios::binary | std::ios::in | std::ios::out);
    ASSERT_TRUE(file);
    for (std::uint64_t i = 0; i < 40; ++i) patches_.push_back(i * (kSize / 40));
    patches_.push_back(4 * kGiB - kPatch / 2);  // across the 32-bit boundary
    patches_.push_back(kSize - kPatch);
    if (testing::emulated_32_bit()) {
      // qemu-i386 maps offsets past 4 GiB wrongly: stay below.
      std::erase_if(patches_, [](std::uint64_t at) { return at + kPatch > 4 * kGiB; });
    }
    for (std::uint64_t at : patches_) {
      const std::vector<std::byte> bytes = expected_bytes(at, kPatch);
      file.seekp(static_cast<std::streamoff>(at));
      file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(kPatch));
      ASSERT_TRUE(file) << at;
    }
  }

  TempDir dir_;
  std::filesystem::path path_;
  std::vector<std::uint64_t> patches_;
};

TEST_F(LargeFileTest, DefaultSlidingManagerReadsPastFourGiB) {
  SlidingWindowMapManager manager;
  WindowCursor cursor = manager.make_cursor(path_);
  EXPECT_EQ(cursor.file_size(), kSize);
  for (std::uint64_t at : patches_) {
    ASSERT_TRUE(cursor.use_region(at + 100, kPatch - 100).is_valid()) << at;
    EXPECT_EQ(cursor.ofs_begin(), at + 100);
    ASSERT_TRUE(matches(cursor.buffer(), at + 100)) << at;
    EXPECT_LE(manager.mapped_memory_size(), manager.max_mapped_memory_size());
  }
  // On 32-bit, 42 windows of 64 MiB are more than the 1024 MiB limit.
  if (!is_64_bit()) {
    EXPECT_GT(manager.stats().unmaps_by_eviction, 0u);
  }

  if (testing::emulated_32_bit()) return;
  SlidingWindowMapBuffer buf(cursor, 4 * kGiB - kPatch / 2);
  std::vector<std::byte> out(kPatch);
  ASSERT_EQ(buf.read(0, out), kPatch);
  EXPECT_TRUE(matches(out, 4 * kGiB - kPatch / 2));
  EXPECT_EQ(buf[kSize - (4 * kGiB - kPatch / 2) - 1], testing::byte_at(kSize - 1));
}

TEST_F(LargeFileTest, WholeFileMappingFitsOnlyIn64Bits) {
  StaticWindowMapManager manager;
  WindowCursor cursor = manager.make_cursor(path_);
  if (is_64_bit()) {
    ASSERT_TRUE(cursor.use_region(kSize - 10).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), kSize - 10));
    EXPECT_EQ(cursor.region()->size(), kSize);
    return;
  }
  const std::system_error error = testing::error_of([&] { cursor.use_region(kSize - 10); });
  EXPECT_EQ(error.code(), std::errc::not_enough_memory);
  testing::expect_mentions(error, path_.string());
  EXPECT_FALSE(cursor.is_valid());
  EXPECT_EQ(manager.num_file_handles(), 0u);
  // A direct region of the whole file fails the same way; a window fits.
  EXPECT_THROW(MapRegion(PathOrFd(path_), 0, kSize), std::system_error);
  const std::uint64_t at = testing::emulated_32_bit() ? 0 : 4 * kGiB;
  MapRegion window(PathOrFd(path_), at, kPatch);
  EXPECT_TRUE(matches(window.buffer().first(kPatch / 2), at));
}

}  // namespace
}  // namespace smmap
