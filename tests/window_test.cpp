#include <gtest/gtest.h>

#include <smmap/window.hpp>

namespace smmap {
namespace {

const std::uint64_t G = ALLOCATIONGRANULARITY;

TEST(MapWindowTest, OfsEndIsOfsPlusSize) {
  EXPECT_EQ(MapWindow(0, 1).ofs_end(), 1u);
  EXPECT_EQ(MapWindow(8000, 50).ofs_end(), 8050u);
}

TEST(MapWindowTest, ExtendLeftStopsAtNeighbourEnd) {
  MapWindow window(10, 5);
  window.extend_left_to(MapWindow(1, 1), 100);
  EXPECT_EQ(window, MapWindow(2, 13));  // same end, start where the neighbour ends
}

TEST(MapWindowTest, ExtendLeftRespectsMaxSize) {
  MapWindow window(8000, 50);
  window.extend_left_to(MapWindow(10, 5), 100);
  EXPECT_EQ(window, MapWindow(7950, 100));
  window.extend_left_to(MapWindow(10, 5), 100);  // already at the limit: no change
  EXPECT_EQ(window, MapWindow(7950, 100));
}

TEST(MapWindowTest, ExtendLeftDoesNothingWhenAdjacent) {
  MapWindow window(1, 1);
  window.extend_left_to(MapWindow(0, 1), 100);
  EXPECT_EQ(window, MapWindow(1, 1));
}

TEST(MapWindowTest, ExtendRightGrowsToNeighbourWithinMaxSize) {
  MapWindow window(1, 1);
  window.extend_right_to(MapWindow(8000, 50), 100);
  EXPECT_EQ(window, MapWindow(1, 100));
  window.extend_right_to(MapWindow(8000, 50), UINT64_MAX);
  EXPECT_EQ(window, MapWindow(1, 7999));
}

TEST(MapWindowTest, ExtendRightShrinksToANeighbourInside) {
  MapWindow window(100, 1000);
  window.extend_right_to(MapWindow(500, 10), 4096);
  EXPECT_EQ(window, MapWindow(100, 400));
}

TEST(MapWindowTest, AlignContainsTheOldWindow) {
  MapWindow window(G + 1, 10);
  window.align();
  EXPECT_EQ(window, MapWindow(G, G));
  MapWindow straddling(2 * G - 1, 2);
  straddling.align();
  EXPECT_EQ(straddling, MapWindow(G, 2 * G));
  MapWindow aligned(3 * G, G);
  aligned.align();
  EXPECT_EQ(aligned, MapWindow(3 * G, G));
}

}  // namespace
}  // namespace smmap
