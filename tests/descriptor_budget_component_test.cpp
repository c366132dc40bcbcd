// DescriptorBudget on its own (src/core/descriptor_budget.hpp): which file's
// descriptor a manager closes next, with plain objects standing in for its
// file entries. DescriptorBudgetTest checks the same through managers.
#include <gtest/gtest.h>

#include <array>

#include "core/descriptor_budget.hpp"

namespace smmap::detail {
namespace {

struct File {
  LruLinks<File> links;
};
using Budget = DescriptorBudget<File, &File::links>;

TEST(DescriptorBudgetComponentTest, NamesTheLeastRecentlyUsedOnceOverTheLimit) {
  std::array<File, 4> files;
  Budget budget(3);
  for (int i = 0; i < 3; ++i) {
    budget.opened(&files[i]);
    EXPECT_EQ(budget.over_budget(nullptr), nullptr) << i;
  }
  budget.opened(&files[3]);
  EXPECT_EQ(budget.open(), 4u);
  EXPECT_EQ(budget.over_budget(nullptr), &files[0]);
  budget.closed(&files[0]);
  EXPECT_EQ(budget.over_budget(nullptr), nullptr);
  EXPECT_EQ(budget.open(), 3u);
}

TEST(DescriptorBudgetComponentTest, AFileThatMapsBecomesTheMostRecentlyUsed) {
  std::array<File, 3> files;
  Budget budget(2);
  budget.opened(&files[0]);
  budget.opened(&files[1]);
  budget.used(&files[0]);
  budget.opened(&files[2]);
  EXPECT_EQ(budget.over_budget(nullptr), &files[1]);
}

TEST(DescriptorBudgetComponentTest, NeverNamesTheFileToKeep) {
  std::array<File, 2> files;
  Budget budget(1);
  budget.opened(&files[0]);
  budget.opened(&files[1]);
  EXPECT_EQ(budget.over_budget(&files[0]), nullptr);
  EXPECT_EQ(budget.over_budget(&files[1]), &files[0]);
}

TEST(DescriptorBudgetComponentTest, LoweringTheLimitNamesFilesUntilItHolds) {
  std::array<File, 5> files;
  Budget budget(8);
  for (File& file : files) budget.opened(&file);
  budget.set_limit(2);
  int closed = 0;
  while (File* over = budget.over_budget(nullptr)) {
    EXPECT_EQ(over, &files[closed]);  // oldest first
    budget.closed(over);
    ++closed;
  }
  EXPECT_EQ(closed, 3);
  EXPECT_EQ(budget.least_recently_used(), &files[3]);
}

TEST(DescriptorBudgetComponentTest, TheLimitIsAtLeastOne) {
  Budget budget(0);
  EXPECT_EQ(budget.limit(), 1u);
  budget.set_limit(0);
  EXPECT_EQ(budget.limit(), 1u);
  File file;
  budget.opened(&file);
  EXPECT_EQ(budget.over_budget(nullptr), nullptr);
}

}  // namespace
}  // namespace smmap::detail
