// Files truncated under live regions: copies through the buffer throw
// std::system_error(EIO) instead of dying of SIGBUS, and the process, the
// manager and other threads carry on.
#include <fcntl.h>
#include <gtest/gtest.h>
#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "port/guarded_copy.hpp"
#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "test_files.hpp"

#ifdef _WIN32

namespace smmap {
namespace {

TEST(TruncationTest, SkippedOnWindows) {
  GTEST_SKIP()
      << "they truncate mapped files and send SIGBUS, which Windows has not: Windows refuses to "
         "shrink a mapped file; WindowsTruncationTest covers the guard under Wine";
}

}  // namespace
}  // namespace smmap

#else

namespace smmap {
namespace {

using testing::expected_bytes;
using testing::matches;
using testing::TempDir;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;

void truncate_file(const std::filesystem::path& path, std::uint64_t size) {
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size)), 0) << path;
}

TEST(TruncationTest, BufferReadThrowsEioNamingFileOffsetAndSize) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 256 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor cursor = manager.make_cursor(path);
  SlidingWindowMapBuffer buf(cursor);
  std::vector<std::byte> out(4096);
  ASSERT_EQ(buf.read(0, out), out.size());
  ASSERT_TRUE(matches(out, 0));

  truncate_file(path, 0);
  const std::system_error error = testing::error_of([&] { buf.read(8192, out); });
  EXPECT_EQ(error.code(), std::errc::io_error);
  const std::string message = error.what();
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("offset 8192"), std::string::npos) << message;
  EXPECT_NE(message.find("size 4096"), std::string::npos) << message;

  // operator[] too, also in a window mapped after the truncation was missed.
  EXPECT_THROW(buf[0], std::system_error);
  EXPECT_THROW(buf[200 * kKiB], std::system_error);
}

TEST(TruncationTest, BytesBeforeTheNewEndStayReadable) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 256 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor cursor = manager.make_cursor(path);
  SlidingWindowMapBuffer buf(cursor);
  std::vector<std::byte> out(16 * kKiB);
  ASSERT_EQ(buf.read(0, out), out.size());

  const std::uint64_t new_end = 100'000;  // inside a page: the rest of it reads as zeros
  truncate_file(path, new_end);
  std::vector<std::byte> head(new_end);
  ASSERT_EQ(buf.read(0, head), head.size());
  EXPECT_TRUE(matches(head, 0));
  EXPECT_THROW(buf.read(align_to_mmap(new_end, true), out), std::system_error);
  // A copy that starts readable and runs into the lost pages fails as a whole.
  EXPECT_THROW(buf.read(new_end - 10, out), std::system_error);
}

TEST(TruncationTest, ManagerAndProcessKeepWorking) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 512 * kKiB);
  const auto other = dir.make_file("other", 300 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB, 256 * kKiB, 4);
  {
    WindowCursor cursor = manager.make_cursor(path);
    SlidingWindowMapBuffer buf(cursor);
    std::vector<std::byte> out(128 * kKiB);
    ASSERT_EQ(buf.read(0, out), out.size());
    truncate_file(path, 4096);
    for (std::uint64_t at = 64 * kKiB; at < 512 * kKiB; at += 64 * kKiB) {
      EXPECT_THROW(buf.read(at, out), std::system_error) << at;
    }
  }
  EXPECT_LE(manager.num_file_handles(), 4u);

  // The same path now has another size: a fresh entry.
  WindowCursor shrunk = manager.make_cursor(path);
  EXPECT_EQ(shrunk.file_size(), 4096u);
  ASSERT_TRUE(shrunk.use_region(0).is_valid());
  EXPECT_TRUE(matches(shrunk.buffer(), 0));

  // Other files are unaffected, and every window of them still maps.
  WindowCursor cursor = manager.make_cursor(other);
  SlidingWindowMapBuffer buf(cursor);
  std::vector<std::byte> all(300 * kKiB);
  ASSERT_EQ(buf.read(0, all), all.size());
  EXPECT_TRUE(matches(all, 0));
  buf.end_access();
  manager.collect();
}

TEST(TruncationTest, ManyThreadsFaultAtOnce) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 1024 * kKiB);
  SlidingWindowMapManager manager(64 * kKiB);
  constexpr int kThreads = 4;
  std::vector<WindowCursor> cursors;
  for (int i = 0; i < kThreads; ++i) cursors.push_back(manager.make_cursor(path));
  // Map every window first, then truncate, so all threads fault.
  for (auto& cursor : cursors) {
    SlidingWindowMapBuffer buf(cursor);
    std::vector<std::byte> all(1024 * kKiB);
    ASSERT_EQ(buf.read(0, all), all.size());
  }
  truncate_file(path, 0);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      SlidingWindowMapBuffer buf(cursors[i]);
      std::array<std::byte, 512> out{};
      for (std::uint64_t at = 0; at < 1024 * kKiB; at += 64 * kKiB) {
        try {
          buf.read(at, out);
        } catch (const std::system_error& error) {
          if (error.code() == std::errc::io_error) ++errors;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), kThreads * 16);
}

// The message names the first byte the truncation took, however the copy
// ran into the lost pages (glibc's memcpy copies large blocks backwards).
TEST(TruncationTest, MessageNamesTheFirstLostByte) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 2 * kMiB);
  SlidingWindowMapManager manager(2 * kMiB);
  WindowCursor cursor = manager.make_cursor(path);
  SlidingWindowMapBuffer buf(cursor);
  std::vector<std::byte> out(kMiB);
  ASSERT_EQ(buf.read(0, out), out.size());

  truncate_file(path, 8192);
  testing::expect_mentions(testing::error_of([&] { buf.read(0, out); }), "byte 8192 is gone");
  testing::expect_mentions(testing::error_of([&] { buf.read(4096, out); }), "byte 8192 is gone");
  // A read that starts past the new end lost its first byte.
  testing::expect_mentions(testing::error_of([&] { buf.read(64 * kKiB, out); }),
                           "byte 65536 is gone");
}

// The same for a manager given a descriptor: its current size comes from it.
TEST(TruncationTest, MessageNamesTheFirstLostByteOfADescriptor) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 2 * kMiB);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  {
    SlidingWindowMapManager manager(2 * kMiB);
    WindowCursor cursor = manager.make_cursor(PathOrFd(fd));
    SlidingWindowMapBuffer buf(cursor);
    std::vector<std::byte> out(kMiB);
    ASSERT_EQ(buf.read(0, out), out.size());
    truncate_file(path, 100'000);  // inside a page
    testing::expect_mentions(testing::error_of([&] { buf.read(0, out); }), "byte 100000 is gone");
  }
  ::close(fd);
}

TEST(TruncationTest, CopyOrFaultReportsTheLostByte) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 64 * kKiB);
  MapRegion region(path, 0, 64 * kKiB);
  std::vector<std::byte> out(64 * kKiB);
  detail::install_sigbus_handler();
  EXPECT_EQ(detail::copy_or_fault(out.data(), region.data(), out.size()), nullptr);
  EXPECT_EQ(out, expected_bytes(0, out.size()));
  truncate_file(path, 16 * kKiB);
  // A byte of a lost page: the first on x86-64 Linux, whose copy routine runs
  // forward; elsewhere memcpy may copy from the end (i386 glibc does).
  const std::byte* lost = detail::copy_or_fault(out.data(), region.data(), out.size());
  ASSERT_NE(lost, nullptr);
  EXPECT_GE(lost, region.data() + 16 * kKiB);
  EXPECT_LT(lost, region.data() + 64 * kKiB);
#if defined(__x86_64__) && defined(__linux__)
  EXPECT_EQ(lost, region.data() + 16 * kKiB);
#endif
  EXPECT_EQ(detail::copy_or_fault(out.data(), region.data(), 16 * kKiB), nullptr);
  EXPECT_THROW(detail::guarded_copy(out.data(), region.data() + 20 * kKiB, 100, nullptr, 20 * kKiB),
               std::system_error);
}

// A load from a span that the compiler cannot drop.
__attribute__((noinline)) std::byte read_raw(const std::byte* at) {
  return *static_cast<const volatile std::byte*>(at);
}

// Bytes read straight from a span are not guarded: that SIGBUS still ends
// the process, as documented in cursor.hpp.
TEST(TruncationDeathTest, RawSpanReadsAreNotGuarded) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  testing::set_death_test_style();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 64 * kKiB);
  EXPECT_DEATH(
      {
        SlidingWindowMapManager manager;
        WindowCursor cursor = manager.make_cursor(path);
        cursor.use_region(0);
        SlidingWindowMapBuffer buf(cursor);
        buf[0];  // installs the handler
        ::truncate(path.c_str(), 0);
        read_raw(cursor.map().data() + 32 * kKiB);
      },
      "");
}

void user_sigbus_handler(int) {
  ::_exit(42);
}

// A SIGBUS that is not from a guarded copy reaches the handler that was
// installed before ours.
TEST(TruncationDeathTest, ForeignFaultsChainToThePreviousHandler) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  testing::set_death_test_style();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 64 * kKiB);
  EXPECT_EXIT(
      {
        struct sigaction action {};
        action.sa_handler = user_sigbus_handler;
        sigemptyset(&action.sa_mask);
        sigaction(SIGBUS, &action, nullptr);
        SlidingWindowMapManager manager;
        WindowCursor cursor = manager.make_cursor(path);
        SlidingWindowMapBuffer buf(cursor);
        buf[0];  // installs ours on top
        ::truncate(path.c_str(), 0);
        EXPECT_THROW(buf[32 * kKiB], std::system_error);  // ours
        read_raw(cursor.map().data() + 32 * kKiB);        // not ours
        ::_exit(0);
      },
      ::testing::ExitedWithCode(42), "");
}

// A buffer over |path| that has made the first guarded copy (which installs
// our handler).
struct BufferOfFile {
  explicit BufferOfFile(const std::filesystem::path& path)
      : cursor(manager.make_cursor(path)), buf(cursor) {
    buf[0];
  }
  SlidingWindowMapManager manager;
  WindowCursor cursor;
  SlidingWindowMapBuffer buf;
};

// In a death test: a guarded read of the truncated file must throw EIO; says
// so on stderr.
void expect_eio_from_guarded_read(SlidingWindowMapBuffer& buf) {
  try {
    buf[32 * kKiB];
  } catch (const std::system_error& error) {
    std::fprintf(stderr, "guarded copy: %s\n", error.code().message().c_str());
    return;
  }
  ::_exit(3);
}

// A handler installed over ours that hands the signal back the way Python's
// faulthandler does: it puts back the handler it replaced and raises again.
struct sigaction replaced_by_restorer {};

void restoring_handler(int signal) {
  static const char note[] = "restoring handler ran\n";
  [[maybe_unused]] const auto written = ::write(2, note, sizeof note - 1);
  sigaction(signal, &replaced_by_restorer, nullptr);
  raise(signal);
}

void install_restoring_handler() {
  struct sigaction action {};
  action.sa_handler = restoring_handler;
  action.sa_flags = SA_NODEFER;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &replaced_by_restorer);
}

// True for a process that did not carry on to exit(0): killed by SIGBUS, or,
// under AddressSanitizer (whose handler ours chains to), exited after its
// report.
bool dies_of_the_fault(int status) {
  return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

// A handler installed after the first guarded copy, which hands the signal
// back: guarded copies still throw EIO; other faults reach it and then, as
// ours hands them on, the handler that was there before ours.
TEST(TruncationDeathTest, HandlerInstalledLaterThatHandsTheSignalBack) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  testing::set_death_test_style();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 64 * kKiB);
  EXPECT_EXIT(
      {
        BufferOfFile file(path);
        install_restoring_handler();
        ::truncate(path.c_str(), 0);
        expect_eio_from_guarded_read(file.buf);
        install_restoring_handler();  // it removed itself
        read_raw(file.cursor.map().data() + 32 * kKiB);
        ::_exit(0);
      },
      dies_of_the_fault,
      "restoring handler ran\n(.|\n)*guarded copy: Input/output error\n(.|\n)*"
      "restoring handler ran");
}

// A handler installed after ours that does not hand the signal back: after
// install_sigbus_handler() ours is on top again, guarded copies throw EIO and
// other faults reach that handler.
TEST(TruncationDeathTest, InstallAgainOverAHandlerInstalledLater) {
  SMMAP_SKIP_IF_EMULATED_32_BIT();
  testing::set_death_test_style();
  TempDir dir;
  const auto path = dir.make_file("shrinks", 64 * kKiB);
  EXPECT_EXIT(
      {
        BufferOfFile file(path);
        struct sigaction action {};
        action.sa_handler = user_sigbus_handler;
        sigemptyset(&action.sa_mask);
        sigaction(SIGBUS, &action, nullptr);
        detail::install_sigbus_handler();
        ::truncate(path.c_str(), 0);
        expect_eio_from_guarded_read(file.buf);          // ours
        read_raw(file.cursor.map().data() + 32 * kKiB);  // not ours
        ::_exit(0);
      },
      ::testing::ExitedWithCode(42), "guarded copy: Input/output error");
}

}  // namespace
}  // namespace smmap

#endif  // _WIN32
