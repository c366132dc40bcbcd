// Helpers shared by the reliability tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <system_error>

namespace smmap::testing {

// The std::system_error |action| throws; fails the test when it throws none.
template <typename Action>
std::system_error error_of(Action action) {
  try {
    action();
  } catch (const std::system_error& error) {
    return error;
  }
  ADD_FAILURE() << "no std::system_error was thrown";
  return std::system_error(0, std::generic_category());
}

// Expects |error|'s message to contain |text|.
inline void expect_mentions(const std::system_error& error, const std::string& text) {
  EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
}

}  // namespace smmap::testing
