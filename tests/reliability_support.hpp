// Helpers shared by the reliability tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
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

// True when the tests run under an emulator (`make test-m32` on a kernel
// that cannot run 32-bit programs sets SMMAP_TEST_EMULATED, see
// cmake/m32.cmake). qemu-user 7.2 reports SIGBUS on truncated file mappings
// a page off and maps file offsets past 4 GiB wrongly, so the tests that
// depend on those skip or shrink there.
inline bool running_emulated() {
  return std::getenv("SMMAP_TEST_EMULATED") != nullptr;
}

#define SMMAP_SKIP_IF_EMULATED()                                                         \
  do {                                                                                   \
    if (::smmap::testing::running_emulated()) {                                          \
      GTEST_SKIP() << "the emulator does not report SIGBUS on file mappings faithfully"; \
    }                                                                                    \
  } while (false)

// Skips the test on Windows, printing why.
#ifdef _WIN32
#define SMMAP_SKIP_ON_WINDOWS(reason) GTEST_SKIP() << (reason)
#else
#define SMMAP_SKIP_ON_WINDOWS(reason) \
  do {                                \
  } while (false)
#endif
inline constexpr const char* kWindowsKeepsMappedFiles =
    "Windows refuses to shrink or replace a file that is mapped or open (WindowsTest and "
    "ForceRemovalTest cover what it does instead)";

// Expects |error|'s message to contain |text|.
inline void expect_mentions(const std::system_error& error, const std::string& text) {
  EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
}

}  // namespace smmap::testing
