#include <cstdlib>
#include <string>

#ifndef _WIN32
#include <unistd.h>
#endif

#include <gtest/gtest.h>

#include <smmap/smmap.hpp>

namespace smmap {
namespace {

TEST(UtilTest, TheVersionIsTheProjects) {
  // The library linked and the headers are the project's version (CMake
  // passes it as SMMAP_PROJECT_VERSION to this test).
  EXPECT_STREQ(smmap::version(), SMMAP_PROJECT_VERSION);
  EXPECT_STREQ(SMMAP_VERSION_STRING, SMMAP_PROJECT_VERSION);
  EXPECT_EQ(std::to_string(SMMAP_VERSION_MAJOR) + "." + std::to_string(SMMAP_VERSION_MINOR) + "." +
                std::to_string(SMMAP_VERSION_PATCH),
            SMMAP_PROJECT_VERSION);
  EXPECT_EQ(SMMAP_VERSION,
            SMMAP_VERSION_MAJOR * 10000 + SMMAP_VERSION_MINOR * 100 + SMMAP_VERSION_PATCH);
}

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
#ifndef _WIN32
  // The page size the tests run the library at (the page_size_* tests).
  const char* pretend = std::getenv("SMMAP_TEST_PAGE_SIZE");
  if (pretend != nullptr && *pretend != '\0') {
    EXPECT_EQ(ALLOCATIONGRANULARITY, std::stoull(pretend));
  } else {
    EXPECT_EQ(ALLOCATIONGRANULARITY, static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)));
  }
#endif
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
