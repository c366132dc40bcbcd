// The truncation guard is armed only during a guarded copy: once a copy has
// returned, a fault on the same pages is an ordinary SIGBUS again, as it
// would be without the library.
#include <gtest/gtest.h>
#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <cstddef>
#include <system_error>
#include <vector>

#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

#ifdef _WIN32

TEST(GuardDeathTest, SkippedOnWindows) {
  GTEST_SKIP() << "needs SIGBUS and a file truncated under its mapping, which Windows refuses; "
                  "WindowsTest covers the Windows guard";
}

#else

constexpr std::uint64_t kKiB = 1024;

// A load that the compiler cannot drop.
__attribute__((noinline)) std::byte read_raw(const std::byte* at) {
  return *static_cast<const volatile std::byte*>(at);
}

// Killed by SIGBUS; under AddressSanitizer or ThreadSanitizer, whose
// handler ours chains to, exited after its report of the BUS (status 1 or 66;
// 3 is this test's own failure).
bool died_of_sigbus(int status) {
  if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGBUS;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3;
#else
  return false;
#endif
}

TEST(GuardDeathTest, AfterASuccessfulGuardedCopyTheGuardIsDisarmed) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  testing::set_death_test_style();
  testing::TempDir dir;
  const auto path = dir.make_file("shrinks", 64 * kKiB);
  EXPECT_EXIT(
      {
        SlidingWindowMapManager manager;
        WindowCursor cursor = manager.make_cursor(path);
        SlidingWindowMapBuffer buf(cursor);
        // A guarded copy over every page, which succeeds.
        std::vector<std::byte> all(64 * kKiB);
        if (buf.read(0, all) != all.size()) ::_exit(3);
        ::truncate(path.c_str(), 0);
        // The same pages, read raw: SIGBUS, not a jump into a finished copy.
        read_raw(cursor.map().data() + 32 * kKiB);
        ::_exit(0);
      },
      died_of_sigbus, "");
}

// After a guarded copy has turned a fault into EIO, the guard is disarmed
// again: a SIGBUS that is not a guarded copy's, raised or from the kernel,
// ends the process as it would without the library.
TEST(GuardDeathTest, AfterAFaultTheGuardIsDisarmed) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  testing::set_death_test_style();
  testing::TempDir dir;
  for (const bool raised : {true, false}) {
    // A file of its own each time: a forked death test ("fast") truncates
    // this process's file.
    const auto path = dir.make_file(raised ? "raised" : "kernel", 64 * kKiB);
    EXPECT_EXIT(
        {
          SlidingWindowMapManager manager;
          WindowCursor cursor = manager.make_cursor(path);
          SlidingWindowMapBuffer buf(cursor);
          ::truncate(path.c_str(), 0);
          std::vector<std::byte> all(64 * kKiB);
          try {
            buf.read(0, all);
            ::_exit(3);  // no fault: not what this test is about
          } catch (const std::system_error& error) {
            if (error.code() != std::errc::io_error) ::_exit(3);
          }
          if (raised) {
            ::raise(SIGBUS);
          } else {
            read_raw(cursor.map().data() + 32 * kKiB);
          }
          ::_exit(0);
        },
        died_of_sigbus, "")
        << (raised ? "raise(SIGBUS)" : "a raw read of a lost page");
  }
}

#endif  // _WIN32

}  // namespace
}  // namespace smmap
