#include <gtest/gtest.h>

#include <smmap/smmap.hpp>

namespace smmap {
namespace {

TEST(UtilTest, AlignToMmapRoundsToGranularity) {
  EXPECT_EQ(align_to_mmap(1, false), 0u);
  EXPECT_EQ(align_to_mmap(1, true), ALLOCATIONGRANULARITY);
  EXPECT_EQ(align_to_mmap(ALLOCATIONGRANULARITY, true), ALLOCATIONGRANULARITY);
  EXPECT_EQ(align_to_mmap(ALLOCATIONGRANULARITY + 1, false), ALLOCATIONGRANULARITY);
  EXPECT_EQ(align_to_mmap(0, true), 0u);
}

TEST(UtilTest, GranularityIsThePageSize) {
  EXPECT_EQ(ALLOCATIONGRANULARITY, allocation_granularity());
  EXPECT_GE(ALLOCATIONGRANULARITY, 4096u);
  EXPECT_EQ(ALLOCATIONGRANULARITY & (ALLOCATIONGRANULARITY - 1), 0u);
}

TEST(UtilTest, Is64BitMatchesPointerWidth) {
  EXPECT_EQ(is_64_bit(), sizeof(void*) == 8);
}

TEST(UtilTest, DescribeNamesPathOrDescriptor) {
  EXPECT_EQ(describe(std::filesystem::path("/tmp/x")), "/tmp/x");
  EXPECT_EQ(describe(7), "fd 7");
}

}  // namespace
}  // namespace smmap
