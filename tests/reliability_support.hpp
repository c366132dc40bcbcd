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

// The emulator the tests run under, named by SMMAP_TEST_EMULATED, or
// nullptr: `make test-m32` on a kernel that cannot run 32-bit programs sets
// "qemu-i386" (cmake/m32.cmake), `make test-arm64` "qemu-aarch64"
// (cmake/aarch64-linux-gnu.cmake).
inline const char* emulator() {
  const char* name = std::getenv("SMMAP_TEST_EMULATED");
  return name != nullptr && *name != '\0' ? name : nullptr;
}
inline bool running_emulated() {
  return emulator() != nullptr;
}
// qemu-i386 7.2, running a 32-bit program on a 64-bit host, reports SIGBUS
// on truncated file mappings a page off and maps file offsets past 4 GiB
// wrongly, so the tests that depend on those skip or shrink under it.
// qemu-aarch64 does neither: ARM64's guard runs every truncation test there.
inline bool emulated_32_bit() {
  return running_emulated() && std::string(emulator()) == "qemu-i386";
}

#define SMMAP_SKIP_IF_EMULATED_32_BIT()                                                      \
  do {                                                                                       \
    if (::smmap::testing::emulated_32_bit()) {                                               \
      GTEST_SKIP() << "qemu-i386 does not report SIGBUS on 32-bit file mappings faithfully"; \
    }                                                                                        \
  } while (false)

// Death tests run in a child that executes the test program again
// ("threadsafe"), so that the library has started no thread and installed no
// SIGBUS handler when a test installs its own; under an emulator, which
// cannot execute it again, in a forked child ("fast"), where tests that need
// a fresh process skip (SMMAP_SKIP_IF_NOT_FRESH).
inline void set_death_test_style() {
  GTEST_FLAG_SET(death_test_style, running_emulated() ? "fast" : "threadsafe");
}

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
