// System calls that fail: through the seam in src/port/posix/system_calls.hpp the tests
// make open, stat, fstat, mmap and pread fail with ENOMEM, EMFILE, ENFILE,
// ENODEV, EACCES... and check the manager evicts and retries once, then
// throws a clear error, leaks nothing, and keeps working afterwards.
#include <gtest/gtest.h>
#ifndef _WIN32
#include <sys/mman.h>
#endif

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "api/manager_access.hpp"
#include "policy/window_costs.hpp"
#include "reliability_support.hpp"
#include "smmap/smmap.hpp"
#include "system_calls.hpp"
#include "test_files.hpp"

#ifdef _WIN32

namespace smmap {
namespace {

TEST(FaultInjectionTest, SkippedOnWindows) {
  GTEST_SKIP() << "these tests replace the POSIX calls of the seam (open, fstat, mmap, pread); the "
                  "Windows backend calls CreateFileW, MapViewOfFile and ReadFile instead";
}

}  // namespace
}  // namespace smmap

#else

namespace smmap {
namespace {

using testing::count_mappings;
using testing::count_open_fds;
using testing::error_of;
using testing::expect_mentions;
using testing::matches;
using testing::TempDir;

constexpr std::uint64_t kKiB = 1024;

// How one call fails: the next |times| calls (-1: all) fail with |error|.
struct Fault {
  int times = 0;
  int error = 0;
  int calls = 0;  // calls made, failed or not
};

// Whether this call fails; sets errno when it does.
bool fails(Fault& fault) {
  ++fault.calls;
  if (fault.times == 0) return false;
  if (fault.times > 0) --fault.times;
  errno = fault.error;
  return true;
}

// The real calls, and what is open or mapped through them.
detail::SystemCalls real;
Fault open_fault, stat_fault, fstat_fault, mmap_fault, pread_fault;
int live_fds = 0;
int live_maps = 0;
// pread returns 0 (end of file) instead of failing.
bool pread_short = false;

int fake_open(const char* path, int flags) {
  if (fails(open_fault)) return -1;
  const int fd = real.open(path, flags);
  if (fd >= 0) ++live_fds;
  return fd;
}
int fake_close(int fd) {
  --live_fds;
  return real.close(fd);
}
int fake_stat(const char* path, struct stat* out) {
  return fails(stat_fault) ? -1 : real.stat(path, out);
}
int fake_fstat(int fd, struct stat* out) {
  return fails(fstat_fault) ? -1 : real.fstat(fd, out);
}
void* fake_mmap(void* hint, std::size_t length, int prot, int flags, int fd, off_t offset) {
  if (fails(mmap_fault)) return MAP_FAILED;
  void* address = real.mmap(hint, length, prot, flags, fd, offset);
  if (address != MAP_FAILED) ++live_maps;
  return address;
}
int fake_munmap(void* address, std::size_t length) {
  --live_maps;
  return real.munmap(address, length);
}
ssize_t fake_pread(int fd, void* out, std::size_t count, off_t offset) {
  if (fails(pread_fault)) return -1;
  if (pread_short) return 0;
  return real.pread(fd, out, count, offset);
}

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    detail::reset_system_calls();
    real = detail::system_calls();
    open_fault = stat_fault = fstat_fault = mmap_fault = pread_fault = Fault{};
    live_fds = live_maps = 0;
    pread_short = false;
    detail::replaceable_system_calls() = detail::SystemCalls{
        .open = fake_open,
        .close = fake_close,
        .stat = fake_stat,
        .fstat = fake_fstat,
        .mmap = fake_mmap,
        .munmap = fake_munmap,
        .pread = fake_pread,
        .sysconf = real.sysconf,
    };
    file_ = dir_.make_file("data", 1024 * kKiB);
    other_ = dir_.make_file("other", 256 * kKiB);
    fds_before_ = count_open_fds();
    maps_before_ = count_mappings();
  }

  void TearDown() override {
    // Nothing the library opened or mapped outlives its managers and cursors.
    EXPECT_EQ(live_fds, 0);
    EXPECT_EQ(live_maps, 0);
    EXPECT_EQ(count_open_fds(), fds_before_);
    EXPECT_EQ(count_mappings(), maps_before_);
    detail::reset_system_calls();
  }

  // Maps and releases three windows of |file_|, leaving them unused.
  static void leave_unused_regions(WindowCursor& cursor) {
    for (std::uint64_t at : {0 * kKiB, 64 * kKiB, 128 * kKiB}) {
      ASSERT_TRUE(cursor.use_region(at).is_valid());
    }
    cursor.unuse_region();
  }

  TempDir dir_;
  std::filesystem::path file_;
  std::filesystem::path other_;
  std::size_t fds_before_ = 0;
  std::size_t maps_before_ = 0;
};

TEST_F(FaultInjectionTest, MapFailureOnceEvictsUnusedRegionsAndRetries) {
  for (int error : {ENOMEM, EMFILE, ENFILE}) {
    SlidingWindowMapManager manager(64 * kKiB);
    WindowCursor cursor = manager.make_cursor(file_);
    leave_unused_regions(cursor);
    ASSERT_EQ(manager.num_file_handles(), 3u);

    mmap_fault = Fault{.times = 1, .error = error};
    ASSERT_TRUE(cursor.use_region(512 * kKiB, 100).is_valid()) << error;
    EXPECT_TRUE(matches(cursor.buffer(), 512 * kKiB));
    const ManagerStats stats = manager.stats();
    EXPECT_EQ(stats.map_retries, 1u);
    EXPECT_EQ(stats.unmaps_by_eviction, 3u);
    EXPECT_EQ(manager.num_file_handles(), 1u);
  }
}

// While it lives, mapping does not pay (then it pays again, as the tests
// pin it by default).
struct MappingDoesNotPay {
  MappingDoesNotPay() {
    detail::override_window_costs(detail::WindowCosts{.map_ns = 2, .copy_ns = 1});
  }
  ~MappingDoesNotPay() {
    detail::override_window_costs(detail::WindowCosts{.map_ns = 1, .copy_ns = 2});
  }
  MappingDoesNotPay(const MappingDoesNotPay&) = delete;
  MappingDoesNotPay& operator=(const MappingDoesNotPay&) = delete;
};

TEST_F(FaultInjectionTest, CopyWindowFailureOnceEvictsUnusedRegionsAndRetries) {
  const MappingDoesNotPay copy_windows;  // a scan moves the file to copy windows
  for (int error : {ENOMEM, EMFILE, ENFILE}) {
    SlidingWindowMapManager manager(64 * kKiB);
    detail::ManagerAccess::core(manager).set_read_through(false);
    WindowCursor cursor = manager.make_cursor(file_);
    for (std::uint64_t at = 0; at < 256 * kKiB; at += 64 * kKiB) {
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
    }
    ASSERT_EQ(manager.stats().switches_to_copy, 1u);
    for (std::uint64_t at : {400 * kKiB, 600 * kKiB, 800 * kKiB}) {
      ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
      ASSERT_TRUE(cursor.region()->is_copy());
    }
    const std::uint64_t unused = manager.num_file_handles() - 1;
    const ManagerStats before = manager.stats();

    pread_fault = Fault{.times = 1, .error = error};
    ASSERT_TRUE(cursor.use_region(1000 * kKiB, 100).is_valid()) << error;
    EXPECT_TRUE(cursor.region()->is_copy());
    EXPECT_TRUE(matches(cursor.buffer(), 1000 * kKiB));
    const ManagerStats after = manager.stats();
    EXPECT_EQ(after.map_retries, before.map_retries + 1);
    EXPECT_EQ(after.unmaps_by_eviction, before.unmaps_by_eviction + unused + 1);
    EXPECT_EQ(manager.num_file_handles(), 1u);
  }
}

TEST_F(FaultInjectionTest, ReadThroughFailureOnceRetriesAndTwiceIsAnError) {
  const MappingDoesNotPay copy_windows;
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor cursor = manager.make_cursor(file_);
  for (std::uint64_t at = 0; at < 256 * kKiB; at += 64 * kKiB) {
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
  }
  ASSERT_EQ(manager.stats().switches_to_copy, 1u);
  const std::uint64_t read_throughs = manager.stats().read_throughs;
  ASSERT_TRUE(cursor.use_region(400 * kKiB, 64).is_valid());  // far: read through
  ASSERT_EQ(manager.stats().read_throughs, read_throughs + 1);

  pread_fault = Fault{.times = 1, .error = EIO};
  ASSERT_TRUE(cursor.use_region(1000 * kKiB + 5, 100).is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), 1000 * kKiB + 5));
  EXPECT_EQ(cursor.region()->ofs_begin(), 1000 * kKiB + 5);
  ManagerStats stats = manager.stats();
  EXPECT_EQ(stats.read_throughs, read_throughs + 2);
  EXPECT_EQ(stats.map_retries, 1u);

  pread_fault = Fault{.times = -1, .error = EIO};
  const std::system_error thrown = error_of([&] { cursor.use_region(600 * kKiB + 7, 50); });
  EXPECT_EQ(thrown.code().value(), EIO);
  expect_mentions(thrown, "pread");
  expect_mentions(thrown, file_.string());
  expect_mentions(thrown, std::to_string(600 * kKiB + 7));
  expect_mentions(thrown, "50");
  EXPECT_FALSE(cursor.is_valid());
  pread_fault = Fault{};  // far again: read through, up to the file's end
  ASSERT_TRUE(cursor.use_region(1024 * kKiB - 30, 50).is_valid());
  EXPECT_EQ(cursor.size(), 30u);
  EXPECT_TRUE(matches(cursor.buffer(), 1024 * kKiB - 30));
  EXPECT_EQ(manager.stats().read_throughs, read_throughs + 3);
}

TEST_F(FaultInjectionTest, MapFailingTwiceIsAnErrorNamingPathOffsetAndSize) {
  for (int error : {ENOMEM, EMFILE, ENFILE, EACCES}) {
    SlidingWindowMapManager manager(64 * kKiB);
    WindowCursor cursor = manager.make_cursor(file_);
    leave_unused_regions(cursor);

    mmap_fault = Fault{.times = -1, .error = error};
    const std::system_error thrown = error_of([&] { cursor.use_region(512 * kKiB, 100); });
    EXPECT_EQ(thrown.code().value(), error);
    EXPECT_EQ(thrown.code().category(), std::generic_category());
    expect_mentions(thrown, "mmap");
    expect_mentions(thrown, file_.string());
    // The window placed around the offset: 64 KiB ending at the request's
    // end, aligned outwards to the page (so a page larger).
    const std::uint64_t begin = align_to_mmap(512 * kKiB + 100 - 64 * kKiB, false);
    const std::uint64_t end = align_to_mmap(512 * kKiB + 100, true);
    expect_mentions(thrown, "at offset " + std::to_string(begin));
    expect_mentions(thrown, "size " + std::to_string(end - begin));
    EXPECT_FALSE(cursor.is_valid());
    EXPECT_TRUE(cursor.is_associated());
    EXPECT_EQ(manager.stats().map_retries, 1u);
    EXPECT_EQ(manager.num_file_handles(), 0u);

    // The manager keeps working once the system does.
    mmap_fault = Fault{};
    ASSERT_TRUE(cursor.use_region(512 * kKiB, 100).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), 512 * kKiB));
    WindowCursor fresh = manager.make_cursor(other_);
    ASSERT_TRUE(fresh.use_region(200 * kKiB).is_valid());
    EXPECT_TRUE(matches(fresh.buffer(), 200 * kKiB));
  }
}

TEST_F(FaultInjectionTest, StaticManagerRetriesAndFailsTheSameWay) {
  StaticWindowMapManager manager;
  WindowCursor other = manager.make_cursor(other_);
  ASSERT_TRUE(other.use_region(0).is_valid());
  other.unuse_region();
  WindowCursor cursor = manager.make_cursor(file_);
  mmap_fault = Fault{.times = 1, .error = ENOMEM};
  ASSERT_TRUE(cursor.use_region(1000).is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), 1000));
  EXPECT_EQ(manager.stats().map_retries, 1u);
  EXPECT_EQ(manager.num_file_handles(), 1u);

  cursor.unuse_region();
  manager.collect();
  mmap_fault = Fault{.times = -1, .error = ENOMEM};
  const std::system_error thrown = error_of([&] { cursor.use_region(1000); });
  EXPECT_EQ(thrown.code(), std::errc::not_enough_memory);
  expect_mentions(thrown, "size " + std::to_string(1024 * kKiB));
}

TEST_F(FaultInjectionTest, OutOfDescriptorsAtOpenEvictsAndRetriesOnce) {
  for (int error : {EMFILE, ENFILE}) {
    SlidingWindowMapManager manager(64 * kKiB);
    {
      WindowCursor cursor = manager.make_cursor(other_);
      leave_unused_regions(cursor);
    }
    ASSERT_EQ(manager.num_open_files(), 1u);

    open_fault = Fault{.times = 1, .error = error};
    WindowCursor cursor = manager.make_cursor(file_);
    EXPECT_EQ(manager.stats().map_retries, 1u);
    EXPECT_EQ(manager.num_open_files(), 0u);  // the other file's regions made room
    ASSERT_TRUE(cursor.use_region(300 * kKiB).is_valid());
    EXPECT_TRUE(matches(cursor.buffer(), 300 * kKiB));

    open_fault = Fault{.times = -1, .error = error};
    const std::system_error thrown = error_of([&] { manager.make_cursor(other_); });
    EXPECT_EQ(thrown.code().value(), error);
    expect_mentions(thrown, "open");
    expect_mentions(thrown, other_.string());
    EXPECT_EQ(manager.stats().map_retries, 2u);
    open_fault = Fault{};
  }
}

TEST_F(FaultInjectionTest, UnreadableFileIsEaccesWithoutRetry) {
  // Tests run as root, who may read anything: the seam plays the kernel.
  SlidingWindowMapManager manager(64 * kKiB);
  open_fault = Fault{.times = -1, .error = EACCES};
  const std::system_error thrown = error_of([&] { manager.make_cursor(file_); });
  EXPECT_EQ(thrown.code(), std::errc::permission_denied);
  expect_mentions(thrown, file_.string());
  EXPECT_EQ(manager.stats().map_retries, 0u);
  EXPECT_EQ(open_fault.calls, 1);
  EXPECT_THROW(MapRegion(PathOrFd(file_), 0, 4096), std::system_error);
  EXPECT_THROW(MapRegionList(PathOrFd(file_)), std::system_error);

  open_fault = Fault{};
  WindowCursor cursor = manager.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(0).is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), 0));
}

TEST_F(FaultInjectionTest, StatAndFstatFailuresCloseWhatWasOpened) {
  SlidingWindowMapManager manager(64 * kKiB);
  stat_fault = Fault{.times = 1, .error = EACCES};
  EXPECT_EQ(error_of([&] { manager.make_cursor(file_); }).code(), std::errc::permission_denied);
  fstat_fault = Fault{.times = 1, .error = EIO};
  const std::system_error thrown = error_of([&] { manager.make_cursor(file_); });
  EXPECT_EQ(thrown.code(), std::errc::io_error);
  expect_mentions(thrown, file_.string());
  EXPECT_EQ(live_fds, 0);
  WindowCursor cursor = manager.make_cursor(file_);
  EXPECT_TRUE(cursor.use_region(0).is_valid());
}

TEST_F(FaultInjectionTest, UnmappableFileIsReadIntoMemory) {
  SlidingWindowMapManager manager(64 * kKiB, 256 * kKiB);
  mmap_fault = Fault{.times = -1, .error = ENODEV};
  WindowCursor cursor = manager.make_cursor(file_);
  ASSERT_TRUE(cursor.use_region(100 * kKiB, 10).is_valid());
  ASSERT_NE(cursor.region(), nullptr);
  EXPECT_TRUE(cursor.region()->is_copy());
  EXPECT_TRUE(matches(cursor.buffer(), 100 * kKiB));
  EXPECT_TRUE(matches(cursor.map(), cursor.region()->ofs_begin()));

  // Copies cross windows and are evicted like mappings.
  SlidingWindowMapBuffer buf(cursor);
  std::vector<std::byte> all(1024 * kKiB);
  ASSERT_EQ(buf.read(0, all), all.size());
  EXPECT_TRUE(matches(all, 0));
  buf.end_access();
  const ManagerStats stats = manager.stats();
  EXPECT_EQ(stats.copies, stats.maps);
  // A window holds at most 64 KiB and a page (the alignment).
  const std::uint64_t largest = 64 * kKiB + ALLOCATIONGRANULARITY;
  EXPECT_GE(stats.copies, (1024 * kKiB + largest - 1) / largest);
  EXPECT_GT(stats.unmaps_by_eviction, 0u);
  EXPECT_LE(manager.mapped_memory_size(), 256 * kKiB);
  EXPECT_EQ(live_maps, 0);

  StaticWindowMapManager whole;
  WindowCursor copy = whole.make_cursor(other_);
  ASSERT_TRUE(copy.use_region(0).is_valid());
  EXPECT_TRUE(copy.region()->is_copy());
  EXPECT_TRUE(matches(copy.buffer(), 0));
  const std::uint64_t page = ALLOCATIONGRANULARITY;
  MapRegion direct(PathOrFd(other_), page, 2 * page);
  EXPECT_TRUE(direct.is_copy());
  EXPECT_TRUE(matches(direct.buffer(), page));
}

TEST_F(FaultInjectionTest, AFileSystemThatCannotMapMeasuresAsMappingNeverPays) {
  // Measured, not pinned: the measurement's own map is read into memory too,
  // and include/smmap/stats.hpp says how that is reported.
  struct Measured {
    Measured() { detail::override_window_costs(std::nullopt); }
    ~Measured() { detail::override_window_costs(detail::WindowCosts{.map_ns = 1, .copy_ns = 2}); }
  } measured;
  SlidingWindowMapManager manager(64 * kKiB, 256 * kKiB);
  mmap_fault = Fault{.times = -1, .error = ENODEV};
  WindowCursor cursor = manager.make_cursor(file_);
  for (std::uint64_t at = 0; at < 1024 * kKiB; at += 64 * kKiB) {  // near misses: measured
    ASSERT_TRUE(cursor.use_region(at, 64).is_valid());
  }
  const ManagerStats stats = manager.stats();
  EXPECT_EQ(stats.window_map_ns, UINT64_MAX);
  EXPECT_GT(stats.window_copy_ns, 0u);
  EXPECT_LT(stats.window_copy_ns, UINT64_MAX);
  EXPECT_EQ(live_maps, 0);
}

TEST_F(FaultInjectionTest, UnmappableFileThatCannotBeReadEither) {
  SlidingWindowMapManager manager(64 * kKiB);
  WindowCursor cursor = manager.make_cursor(file_);
  mmap_fault = Fault{.times = -1, .error = ENODEV};

  pread_fault = Fault{.times = 1, .error = EINTR};  // interrupted reads are repeated
  ASSERT_TRUE(cursor.use_region(0).is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), 0));
  EXPECT_EQ(pread_fault.calls, 2);             // by the read itself,
  EXPECT_EQ(manager.stats().map_retries, 0u);  // not by the manager's retry

  pread_fault = Fault{.times = -1, .error = EIO};
  std::system_error thrown = error_of([&] { cursor.use_region(640 * kKiB); });
  EXPECT_EQ(thrown.code(), std::errc::io_error);
  expect_mentions(thrown, "pread");
  expect_mentions(thrown, file_.string());
  expect_mentions(thrown, "offset " + std::to_string(640 * kKiB));

  pread_fault = Fault{};
  pread_short = true;  // the file shrank since its size was read
  thrown = error_of([&] { cursor.use_region(640 * kKiB); });
  EXPECT_EQ(thrown.code(), std::errc::io_error);
  expect_mentions(thrown, "shrank");

  pread_short = false;
  ASSERT_TRUE(cursor.use_region(640 * kKiB).is_valid());
  EXPECT_TRUE(matches(cursor.buffer(), 640 * kKiB));
}

TEST_F(FaultInjectionTest, RandomFailuresLeakNothing) {
  // Every tenth call of each kind fails; the test only checks that whatever
  // happens, bytes are right and nothing is left open or mapped.
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  int errors = 0;
  {
    SlidingWindowMapManager manager(64 * kKiB, 512 * kKiB, 6);
    std::vector<WindowCursor> cursors;
    for (int step = 0; step < 2000; ++step) {
      const int codes[] = {ENOMEM, EMFILE, ENFILE, ENODEV, EACCES, EIO};
      Fault* faults[] = {&open_fault, &stat_fault, &fstat_fault, &mmap_fault, &pread_fault};
      if (next() % 10 == 0) *faults[next() % 5] = Fault{.times = 1, .error = codes[next() % 6]};
      try {
        if (cursors.size() < 4 || next() % 8 == 0) {
          cursors.push_back(manager.make_cursor(next() % 2 ? file_ : other_));
        }
        WindowCursor& cursor = cursors[next() % cursors.size()];
        const std::uint64_t offset = next() % (cursor.file_size() + 1000);
        if (cursor.use_region(offset, next() % 100000).is_valid()) {
          ASSERT_TRUE(matches(cursor.buffer(), offset)) << step;
        }
        if (next() % 16 == 0) cursors.erase(cursors.begin() + next() % cursors.size());
        if (next() % 32 == 0) manager.collect();
        if (next() % 64 == 0) cursors.clear();
      } catch (const std::system_error&) {
        ++errors;
      }
      ASSERT_LE(manager.num_file_handles(), 6u);
    }
    EXPECT_GT(errors, 0);
    // Managers may go before their cursors.
    std::vector<WindowCursor> survivors = std::move(cursors);
    SlidingWindowMapManager gone = std::move(manager);
  }
}

}  // namespace
}  // namespace smmap

#endif  // _WIN32
