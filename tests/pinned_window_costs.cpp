// Every test runs on the same machine as far as adaptive windows can tell:
// one where a window read from end to end is cheaper mapped than copied
// (smmap's own assumption), unless a test pins other costs itself. Measured,
// the costs would make the detector's choices differ from machine to machine
// (docs/design.md, "Adaptive windows"); adaptive_test.cpp tests measuring.
#include <gtest/gtest.h>

#include "policy/window_costs.hpp"

namespace {

class PinnedWindowCosts : public ::testing::Environment {
 public:
  void SetUp() override {
    smmap::detail::override_window_costs(smmap::detail::WindowCosts{.map_ns = 1, .copy_ns = 2});
  }
};

const auto* const g_pinned = ::testing::AddGlobalTestEnvironment(new PinnedWindowCosts);

}  // namespace
