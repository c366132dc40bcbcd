// Micro-benchmarks of the library's hot and cold paths, each beside the
// baseline it is judged against (a raw pointer into a whole-file map, pread,
// a bare mmap + first touch + munmap), in one binary so that they run side by
// side on the same machine. docs/benchmarks.md has the results and the
// targets; `make bench` runs them.
//
// The data are files whose every byte depends on its offset
// (tests/support/test_files.hpp), written once per run into a temporary directory
// and read back through readahead; they stay in the page cache, so these are
// warm-cache figures.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <smmap/smmap.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/manager_access.hpp"
#include "bench_files.hpp"
#include "port/guarded_copy.hpp"
#include "system_calls.hpp"
#include "test_files.hpp"

namespace {

namespace tools = smmap::tools;
using tools::next_random;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::size_t kRead = 64;
constexpr std::uint64_t kSmallSize = 64 * kMiB;  // held by one default window
constexpr std::uint64_t kBigSize = 256 * kMiB;   // 256 windows of 1 MiB
constexpr std::size_t kOffsets = 1 << 16;        // precomputed offsets, cycled

struct Data {
  Data() {
    tools::reload_through_readahead(small);
    tools::reload_through_readahead(big);
  }
  smmap::testing::TempDir dir;
  std::filesystem::path small = dir.make_file("small.bin", kSmallSize);
  std::filesystem::path big = dir.make_file("big.bin", kBigSize);
};

const Data& data() {
  static const Data files;
  return files;
}

// kOffsets uniform offsets in [0, limit).
std::vector<std::uint64_t> random_offsets(std::uint64_t limit, std::uint64_t seed = 1) {
  std::vector<std::uint64_t> offsets(kOffsets);
  for (auto& offset : offsets) offset = next_random(seed) % limit;
  return offsets;
}

using Fd = tools::ReadOnlyFd;

// A whole-file map with every page touched: the ideal a manager is judged by.
class WholeFileMap {
 public:
  explicit WholeFileMap(const std::filesystem::path& path)
      : fd_(path), size_(std::filesystem::file_size(path)) {
    void* address = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_.get(), 0);
    if (address == MAP_FAILED) throw std::runtime_error("cannot map " + path.string());
    data_ = static_cast<const std::byte*>(address);
    touch({data_, size_});
  }
  WholeFileMap(const WholeFileMap&) = delete;
  WholeFileMap& operator=(const WholeFileMap&) = delete;
  ~WholeFileMap() { ::munmap(const_cast<std::byte*>(data_), size_); }
  const std::byte* data() const { return data_; }

  static void touch(std::span<const std::byte> bytes) {
    benchmark::DoNotOptimize(tools::touch_pages(bytes));
  }

 private:
  Fd fd_;
  std::size_t size_;
  const std::byte* data_ = nullptr;
};

void copy64(std::array<std::byte, kRead>& out, const std::byte* from) {
  std::memcpy(out.data(), from, kRead);
  benchmark::DoNotOptimize(out.data());
  benchmark::ClobberMemory();
}

void report_stats(benchmark::State& state, const smmap::StaticWindowMapManager& manager) {
  const smmap::ManagerStats stats = manager.stats();
  const auto ops = static_cast<double>(state.iterations());
  state.counters["maps/op"] = static_cast<double>(stats.maps) / ops;
  state.counters["evictions/op"] = static_cast<double>(stats.unmaps_by_eviction) / ops;
  state.counters["peak_regions"] = static_cast<double>(stats.peak_regions);
  state.counters["peak_MiB"] = static_cast<double>(stats.peak_mapped_bytes) / kMiB;
}

// --- Hits --------------------------------------------------------------------

// 64-byte copies through a raw pointer from |base|, at random offsets in the
// first state.range(0) bytes: 64 MiB, where memory latency dominates, or
// 1 MiB, which stays in the CPU caches.
void run_raw_copies(benchmark::State& state, const std::byte* base) {
  const auto offsets = random_offsets(static_cast<std::uint64_t>(state.range(0)) - kRead);
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) copy64(out, base + offsets[i++ % kOffsets]);
}

// use_region() + a 64-byte copy at each offset in turn, the windows known to
// hold all 64 bytes (so the copy is the same fixed-size one as the raw loop's).
void run_cursor_copies(benchmark::State& state, smmap::WindowCursor& cursor,
                       const std::vector<std::uint64_t>& offsets) {
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    cursor.use_region(offsets[i++ % kOffsets], kRead);
    copy64(out, cursor.buffer().data());
  }
}

// use_region() + a copy of what the window holds of 64 bytes (a window may
// end sooner), at each offset in turn.
void run_cursor_reads(benchmark::State& state, smmap::WindowCursor& cursor,
                      const std::vector<std::uint64_t>& offsets) {
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    cursor.use_region(offsets[i++ % kOffsets], kRead);
    std::memcpy(out.data(), cursor.buffer().data(), cursor.buffer().size());
    benchmark::DoNotOptimize(out.data());
  }
}

// A cursor on the small file holding it all in one region, faulted in.
smmap::WindowCursor whole_file_cursor(smmap::StaticWindowMapManager& manager) {
  smmap::WindowCursor cursor = manager.make_cursor(data().small);
  cursor.use_region(0);
  WholeFileMap::touch(cursor.map());
  return cursor;
}

// Baseline: raw-pointer copies from a whole-file map.
void BM_RawPointerCopy64(benchmark::State& state) {
  const WholeFileMap map(data().small);
  run_raw_copies(state, map.data());
}
BENCHMARK(BM_RawPointerCopy64)->ArgName("range")->Arg(64 << 20)->Arg(1 << 20);

// The same raw-pointer copies from the region a manager mapped: tells the
// cost of the mapping apart from the cost of the cursor's code.
void BM_RawPointerIntoRegionCopy64(benchmark::State& state) {
  smmap::SlidingWindowMapManager manager;
  const smmap::WindowCursor cursor = whole_file_cursor(manager);
  run_raw_copies(state, cursor.map().data());
}
BENCHMARK(BM_RawPointerIntoRegionCopy64)->ArgName("range")->Arg(64 << 20)->Arg(1 << 20);

// use_region() served by the cursor's own region, then the same copy.
void BM_CursorHitCopy64(benchmark::State& state) {
  smmap::SlidingWindowMapManager manager;
  smmap::WindowCursor cursor = whole_file_cursor(manager);
  run_cursor_copies(state, cursor,
                    random_offsets(static_cast<std::uint64_t>(state.range(0)) - kRead));
  report_stats(state, manager);
}
BENCHMARK(BM_CursorHitCopy64)->ArgName("range")->Arg(64 << 20)->Arg(1 << 20);

// Baseline: pread of 64 bytes at a random offset.
void BM_Pread64(benchmark::State& state) {
  const Fd fd(data().small);
  const auto offsets = random_offsets(kSmallSize - kRead);
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ::pread(fd.get(), out.data(), kRead, static_cast<off_t>(offsets[i++ % kOffsets])));
  }
}
BENCHMARK(BM_Pread64);

// use_region() served by another live region: 64 windows of 1 MiB all mapped,
// and every read goes to a different window than the last one.
void BM_RegionHitCopy64(benchmark::State& state) {
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB));
  smmap::WindowCursor cursor = manager.make_cursor(data().small);
  const std::uint64_t windows = kSmallSize / kMiB;
  for (std::uint64_t w = 0; w < windows; ++w) cursor.use_region(w * kMiB, kMiB);
  std::vector<std::uint64_t> offsets = random_offsets(kMiB - kRead);
  for (std::size_t i = 0; i < offsets.size(); ++i) offsets[i] += (i * 37 % windows) * kMiB;
  run_cursor_copies(state, cursor, offsets);
  report_stats(state, manager);
}
BENCHMARK(BM_RegionHitCopy64);

// --- Guarded copies ------------------------------------------------------------

// Copies of state.range(0) bytes (20, 64, 4096) out of a whole-file map at
// random offsets in its first 1 MiB (in the CPU caches): plain memcpy, and
// detail::guarded_copy(), which every buffer read and Python slice goes
// through. The size is not a constant in either loop, as in the library.
void run_copies(benchmark::State& state, bool guarded) {
  const WholeFileMap map(data().small);
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto offsets = random_offsets(kMiB - size);
  std::vector<std::byte> out(size);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::byte* from = map.data() + offsets[i++ % kOffsets];
    if (guarded) {
      smmap::detail::guarded_copy(out.data(), from, size);
    } else {
      std::memcpy(out.data(), from, size);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
}

// Baseline: memcpy.
void BM_PlainMemcpy(benchmark::State& state) {
  run_copies(state, false);
}
BENCHMARK(BM_PlainMemcpy)->ArgName("bytes")->Arg(20)->Arg(64)->Arg(4096);

void BM_GuardedCopy(benchmark::State& state) {
  run_copies(state, true);
}
BENCHMARK(BM_GuardedCopy)->ArgName("bytes")->Arg(20)->Arg(64)->Arg(4096);

// --- Misses ------------------------------------------------------------------

// Baseline: mmap a window, read 64 bytes from it, munmap it. Arguments: the
// window size, and the offset of the windows from a 2 MiB boundary.
void BM_BareMmapTouchMunmap(benchmark::State& state) {
  const auto window = static_cast<std::uint64_t>(state.range(0));
  const auto shift = static_cast<std::uint64_t>(state.range(1));
  const Fd fd(data().big);
  const std::uint64_t windows = (kBigSize - shift) / window;
  const auto inner = random_offsets(window - kRead);
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::uint64_t start = shift + (i % windows) * window;
    void* address =
        ::mmap(nullptr, window, PROT_READ, MAP_SHARED, fd.get(), static_cast<off_t>(start));
    if (address == MAP_FAILED) throw std::runtime_error("mmap failed");
    copy64(out, static_cast<const std::byte*>(address) + inner[i++ % kOffsets]);
    ::munmap(address, window);
  }
}
BENCHMARK(BM_BareMmapTouchMunmap)
    ->ArgNames({"window", "shift"})
    ->Args({1 << 20, 0})
    ->Args({2 << 20, 0})
    ->Args({2 << 20, 1 << 20})
    ->Args({8 << 20, 0})
    ->Args({8 << 20, 1 << 20});

// Baseline: what private memory never used before costs, per 4 KiB page — map
// 2 MiB of anonymous memory, write a byte of each page, unmap it — against
// writing the same pages again (|fresh| 0): the cost a copy window pays when
// its block is new rather than reused (src/core/copy_blocks.cpp).
void BM_BarePrivatePageFirstTouch(benchmark::State& state) {
  const bool fresh = state.range(0) != 0;
  constexpr std::size_t kBytes = 2 << 20;
  constexpr std::size_t kPage = 4096;
  auto map = [] {
    void* address =
        ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED) throw std::runtime_error("mmap failed");
    ::madvise(address, kBytes, MADV_NOHUGEPAGE);  // page by page, as the pool's chunks
    return static_cast<volatile char*>(address);
  };
  volatile char* reused = fresh ? nullptr : map();
  for (auto _ : state) {
    volatile char* pages = fresh ? map() : reused;
    for (std::size_t at = 0; at < kBytes; at += kPage) pages[at] = 1;
    if (fresh) ::munmap(const_cast<char*>(pages), kBytes);
  }
  if (reused != nullptr) ::munmap(const_cast<char*>(reused), kBytes);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBytes / kPage));
}
BENCHMARK(BM_BarePrivatePageFirstTouch)->ArgName("fresh")->Arg(1)->Arg(0);

// Baseline for a miss that evicts: the same system calls as the manager makes,
// without the manager. A ring of |live| mapped windows of 1 MiB: map the next
// window, read 64 bytes from it, unmap the oldest (mapped |live| reads ago).
void BM_BareRingMmapTouchMunmap(benchmark::State& state) {
  const auto live = static_cast<std::size_t>(state.range(0));
  constexpr std::uint64_t kWindow = kMiB;
  const Fd fd(data().big);
  const std::uint64_t windows = kBigSize / kWindow;
  const auto inner = random_offsets(kWindow - kRead);
  std::vector<void*> ring(live, nullptr);
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    void*& slot = ring[i % live];
    if (slot != nullptr) ::munmap(slot, kWindow);
    slot = ::mmap(nullptr, kWindow, PROT_READ, MAP_SHARED, fd.get(),
                  static_cast<off_t>((i % windows) * kWindow));
    if (slot == MAP_FAILED) throw std::runtime_error("mmap failed");
    copy64(out, static_cast<const std::byte*>(slot) + inner[i++ % kOffsets]);
  }
  for (void* address : ring) {
    if (address != nullptr) ::munmap(address, kWindow);
  }
}
BENCHMARK(BM_BareRingMmapTouchMunmap)->ArgName("live")->Arg(1)->Arg(32);

// A miss that maps a new window, with no eviction: windows of 1 MiB, one new
// window per read; when the file is covered, collect() (untimed) starts over.
void BM_MissMapsNewWindow(benchmark::State& state) {
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB));
  manager.set_adaptive(false);  // each window serves one read: it would move to copies
  smmap::WindowCursor cursor = manager.make_cursor(data().big);
  const std::uint64_t windows = kBigSize / kMiB;
  const auto inner = random_offsets(kMiB - kRead);
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::uint64_t w = i % windows;
    if (w == 0 && i != 0) {
      state.PauseTiming();
      cursor.unuse_region();
      manager.collect();
      state.ResumeTiming();
    }
    cursor.use_region(w * kMiB + inner[i++ % kOffsets], kRead);
    copy64(out, cursor.buffer().data());
  }
  report_stats(state, manager);
}
BENCHMARK(BM_MissMapsNewWindow);

// A manager made, a cursor on a file, one 64-byte read (a mapped window of
// 1 MiB) and the manager gone: what a short-lived manager costs, as Python
// code that makes one per repository or per test pays it.
void BM_NewManagerFirstRead(benchmark::State& state) {
  const std::filesystem::path& file = data().big;  // written before timing
  const auto inner = random_offsets(kMiB - kRead);
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB), 64 * kMiB);
    smmap::WindowCursor cursor = manager.make_cursor(file);
    cursor.use_region((i % 64) * kMiB + inner[i % kOffsets], kRead);
    ++i;
    copy64(out, cursor.buffer().data());
  }
}
BENCHMARK(BM_NewManagerFirstRead)->Unit(benchmark::kMicrosecond);

// --- Copy misses and read-throughs against pread ------------------------------

// Random 64-byte reads of the big file under 1 MiB windows, an 8 MiB limit
// and a copy budget of 64 pages, once the file is in copy mode: nearly every
// read misses. With |read_through| off, each miss reads its page into a copy
// window and evicts the coldest one (a copy miss); on, most read exactly
// their 64 bytes (a read-through). BM_PreadPage and BM_Pread64Big are the
// bare preads of the same bytes.
void run_copy_misses(benchmark::State& state, bool read_through) {
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB), 8 * kMiB);
  manager.set_max_copy_memory(64 * 4096);
  smmap::detail::ManagerAccess::core(manager).set_read_through(read_through);
  smmap::WindowCursor cursor = manager.make_cursor(data().big);
  const auto offsets = random_offsets(kBigSize - kRead, 3);
  for (std::size_t i = 0; i < kOffsets && manager.stats().switches_to_copy == 0; ++i) {
    cursor.use_region(offsets[i], kRead);  // untimed: into copy mode
  }
  const smmap::ManagerStats before = manager.stats();
  run_cursor_reads(state, cursor, offsets);
  const smmap::ManagerStats after = manager.stats();
  const auto ops = static_cast<double>(state.iterations());
  state.counters["copy_windows/op"] =
      static_cast<double>(after.copy_windows - before.copy_windows) / ops;
  state.counters["read_throughs/op"] =
      static_cast<double>(after.read_throughs - before.read_throughs) / ops;
}
void BM_CopyMiss(benchmark::State& state) {
  run_copy_misses(state, false);
}
BENCHMARK(BM_CopyMiss);
void BM_ReadThroughMiss(benchmark::State& state) {
  run_copy_misses(state, true);
}
BENCHMARK(BM_ReadThroughMiss);

// collect() of a manager whose 16 MiB copy budget is full of the copy windows
// of far 8 KiB reads (blocks of 16 KiB), filled again, untimed, before each
// collect(): what freeing many copy windows at once costs (a manager's end
// costs the same).
void BM_CollectCopyWindows(benchmark::State& state) {
  constexpr std::size_t kWant = 8192;
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB), 32 * kMiB);
  manager.set_max_copy_memory(16 * kMiB);
  smmap::detail::ManagerAccess::core(manager).set_read_through(false);
  smmap::WindowCursor cursor = manager.make_cursor(data().big);
  const auto offsets = random_offsets(kBigSize - kWant, 5);
  std::size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    while (manager.stats().copy_window_bytes < 15 * kMiB) {
      cursor.use_region(offsets[i++ % kOffsets], kWant);
    }
    cursor.unuse_region();
    state.ResumeTiming();
    benchmark::DoNotOptimize(manager.collect());
  }
}
BENCHMARK(BM_CollectCopyWindows)->Unit(benchmark::kMicrosecond)->Iterations(20);

// pread of |bytes| at the offsets the copy misses read, rounded down to a page
// when a whole page is read.
void run_preads(benchmark::State& state, std::size_t bytes) {
  const Fd fd(data().big);
  const auto offsets = random_offsets(kBigSize - kRead, 3);
  std::vector<std::byte> out(bytes);
  std::size_t i = 0;
  for (auto _ : state) {
    std::uint64_t at = offsets[i++ % kOffsets];
    if (bytes == 4096) at -= at % 4096;
    benchmark::DoNotOptimize(::pread(fd.get(), out.data(), bytes, static_cast<off_t>(at)));
  }
}
void BM_PreadPage(benchmark::State& state) {
  run_preads(state, 4096);
}
BENCHMARK(BM_PreadPage);
void BM_Pread64Big(benchmark::State& state) {
  run_preads(state, kRead);
}
BENCHMARK(BM_Pread64Big);

// The window sizes the miss benchmarks run with, unaligned and (from 2 MiB)
// aligned to 2 MiB.
void WindowsAndAlignment(benchmark::internal::Benchmark* b) {
  b->ArgNames({"window", "align"});
  b->Args({1 << 20, 0});
  for (const std::int64_t window : {2 << 20, 8 << 20}) {
    b->Args({window, 0});
    b->Args({window, 1});
  }
}

// Misses that first evict: windows of |window| bytes, a memory limit of 1/8 of
// the data, windows visited in order so that every read maps a window and
// unmaps the least recently used one.
void run_misses_that_evict(benchmark::State& state, std::uint64_t window, bool align) {
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(window), kBigSize / 8);
  manager.set_align_large_windows(align);
  // Mapped misses: each window serves one read, which adaptive windows
  // would rightly serve with copy windows instead.
  manager.set_adaptive(false);
  smmap::WindowCursor cursor = manager.make_cursor(data().big);
  const std::uint64_t windows = kBigSize / window;
  const auto inner = random_offsets(window - kRead);
  std::array<std::byte, kRead> out;
  std::size_t i = 0;
  for (auto _ : state) {
    cursor.use_region((i % windows) * window + inner[i % kOffsets], kRead);
    ++i;
    copy64(out, cursor.buffer().data());
  }
  cursor.unuse_region();
  manager.collect();
  report_stats(state, manager);
}

// Arguments: window size, and whether large windows are aligned to 2 MiB.
void BM_MissEvicts(benchmark::State& state) {
  run_misses_that_evict(state, static_cast<std::uint64_t>(state.range(0)), state.range(1) != 0);
}
BENCHMARK(BM_MissEvicts)->Apply(WindowsAndAlignment);

// Uniform random 64-byte reads through a manager whose windows do not cover
// the data: a memory limit of 1/8 of it, so most reads miss and evict. The
// time per miss is the time per read divided by maps/op. Arguments as above.
void BM_RandomReadsWithEviction(benchmark::State& state) {
  const auto window = static_cast<std::uint64_t>(state.range(0));
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(window), kBigSize / 8);
  manager.set_align_large_windows(state.range(1) != 0);
  smmap::WindowCursor cursor = manager.make_cursor(data().big);
  run_cursor_reads(state, cursor, random_offsets(kBigSize - kRead));
  report_stats(state, manager);
}
BENCHMARK(BM_RandomReadsWithEviction)->Apply(WindowsAndAlignment);

// Eviction cost as the number of live regions (argument) grows: windows of
// one page and a memory limit of that many pages, visited in order over
// 16,384 pages, so that every read evicts the least recently used region.
void run_evictions_with_live_regions(benchmark::State& state) {
  const auto regions = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t page = smmap::ALLOCATIONGRANULARITY;
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(page), regions * page);
  smmap::WindowCursor cursor = manager.make_cursor(data().small);
  const std::uint64_t pages = kSmallSize / page;
  for (std::uint64_t p = 0; p < regions; ++p) cursor.use_region(p * page, kRead);  // fill up
  std::array<std::byte, kRead> out;
  std::uint64_t p = regions;
  for (auto _ : state) {
    cursor.use_region((p++ % pages) * page + 64, kRead);
    copy64(out, cursor.buffer().data());
  }
  cursor.unuse_region();
  manager.collect();
  report_stats(state, manager);
}

void BM_EvictionWithLiveRegions(benchmark::State& state) {
  run_evictions_with_live_regions(state);
}
BENCHMARK(BM_EvictionWithLiveRegions)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);

// The library's own share of a miss: mmap and munmap replaced (through the
// seam in src/port/posix/system_calls.hpp) by stubs that hand out one pre-faulted
// anonymous block and unmap nothing, so what remains is placement, lookup,
// LRU eviction and bookkeeping under the lock.
// REQUIRES: every region mapped meanwhile is gone before destruction.
class StubbedMaps {
 public:
  StubbedMaps() {
    void* arena = ::mmap(nullptr, kArena, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (arena == MAP_FAILED) throw std::runtime_error("mmap of the arena failed");
    arena_ = arena;
    std::memset(arena_, 1, kArena);
    smmap::detail::SystemCalls& calls = smmap::detail::replaceable_system_calls();
    calls.mmap = [](void*, std::size_t, int, int, int, off_t) { return arena_; };
    calls.munmap = [](void*, std::size_t) { return 0; };
  }
  StubbedMaps(const StubbedMaps&) = delete;
  StubbedMaps& operator=(const StubbedMaps&) = delete;
  ~StubbedMaps() {
    smmap::detail::reset_system_calls();
    ::munmap(arena_, kArena);
  }

 private:
  static constexpr std::size_t kArena = 2 << 20;  // holds any window used below
  static inline void* arena_ = nullptr;
};

// Eviction bookkeeping alone as live regions grow (as BM_EvictionWithLiveRegions).
void BM_EvictionBookkeeping(benchmark::State& state) {
  const StubbedMaps stubs;
  run_evictions_with_live_regions(state);
}
BENCHMARK(BM_EvictionBookkeeping)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);

// A miss that evicts (as BM_MissEvicts with 1 MiB windows), bookkeeping alone.
void BM_MissBookkeeping(benchmark::State& state) {
  const StubbedMaps stubs;
  run_misses_that_evict(state, kMiB, false);
}
BENCHMARK(BM_MissBookkeeping);

// --- SlidingWindowMapBuffer ---------------------------------------------------

// buf[i] at random i. Argument: 0 for the default manager (one window holds
// the file), 1 for 1 MiB windows and a 64 MiB limit (most reads miss).
void BM_BufferRandomByte(benchmark::State& state) {
  const bool small_windows = state.range(0) != 0;
  smmap::SlidingWindowMapManager manager =
      small_windows ? smmap::SlidingWindowMapManager(static_cast<std::int64_t>(kMiB), 64 * kMiB)
                    : smmap::SlidingWindowMapManager();
  smmap::WindowCursor cursor = manager.make_cursor(data().big);
  smmap::SlidingWindowMapBuffer buffer(cursor);
  const auto offsets = random_offsets(kBigSize);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(buffer[offsets[i++ % kOffsets]]);
  buffer.end_access();
  report_stats(state, manager);
}
BENCHMARK(BM_BufferRandomByte)->ArgName("1MiB_windows")->Arg(0)->Arg(1);

// 4 KiB slices that straddle a 1 MiB window boundary, every window mapped (no
// eviction): two region switches and two copies per slice.
void BM_BufferSliceAcrossWindows(benchmark::State& state) {
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB));
  smmap::WindowCursor cursor = manager.make_cursor(data().small);
  smmap::SlidingWindowMapBuffer buffer(cursor);
  const std::uint64_t windows = kSmallSize / kMiB;
  for (std::uint64_t w = 0; w < windows; ++w) cursor.use_region(w * kMiB, kMiB);
  auto offsets = random_offsets(windows - 1);
  for (auto& offset : offsets) offset = (offset + 1) * kMiB - 2 * kKiB;
  std::vector<std::byte> out(4 * kKiB);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(buffer.read(offsets[i++ % kOffsets], out));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
  buffer.end_access();
  report_stats(state, manager);
}
BENCHMARK(BM_BufferSliceAcrossWindows);

// --- Sequential scan ------------------------------------------------------------

// The whole 256 MiB file in 64 KiB chunks copied out. Argument: 0 raw pointer
// into a whole-file map, 1 pread, 2 cursor with 1 MiB windows and a 32 MiB
// limit, 3 SlidingWindowMapBuffer::read on the same manager.
void BM_SequentialScan(benchmark::State& state) {
  const int how = static_cast<int>(state.range(0));
  constexpr std::uint64_t kChunk = 64 * kKiB;
  std::vector<std::byte> out(kChunk);
  std::unique_ptr<WholeFileMap> map;
  if (how == 0) map = std::make_unique<WholeFileMap>(data().big);
  const Fd fd(data().big);
  smmap::SlidingWindowMapManager manager(static_cast<std::int64_t>(kMiB), 32 * kMiB);
  smmap::WindowCursor cursor = manager.make_cursor(data().big);
  smmap::SlidingWindowMapBuffer buffer(cursor);
  for (auto _ : state) {
    for (std::uint64_t at = 0; at < kBigSize; at += kChunk) {
      switch (how) {
        case 0:
          std::memcpy(out.data(), map->data() + at, kChunk);
          break;
        case 1:
          benchmark::DoNotOptimize(::pread(fd.get(), out.data(), kChunk, static_cast<off_t>(at)));
          break;
        case 2: {
          for (std::uint64_t done = 0; done < kChunk;) {
            const auto bytes = cursor.use_region(at + done, kChunk - done).buffer();
            std::memcpy(out.data() + done, bytes.data(), bytes.size());
            done += bytes.size();
          }
          break;
        }
        default:
          buffer.read(at, out);
      }
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBigSize));
  buffer.end_access();
  if (how >= 2) report_stats(state, manager);
}
BENCHMARK(BM_SequentialScan)
    ->ArgName("raw0_pread1_cursor2_buffer3")
    ->DenseRange(0, 3)
    ->Unit(benchmark::kMillisecond);

// --- Threads ------------------------------------------------------------------

// Two threads (or one) sharing one manager, each with its own cursor.
// Argument 0: hits only (default manager, 64 MiB file); 1: 1 MiB windows and
// a 32 MiB limit over 256 MiB, so most reads map and evict under the lock.
void BM_ThreadsOneManager(benchmark::State& state) {
  static smmap::SlidingWindowMapManager hits_manager;
  static smmap::SlidingWindowMapManager misses_manager(static_cast<std::int64_t>(kMiB), 32 * kMiB);
  const bool misses = state.range(0) != 0;
  smmap::SlidingWindowMapManager& manager = misses ? misses_manager : hits_manager;
  const std::filesystem::path& file = misses ? data().big : data().small;
  const std::uint64_t size = misses ? kBigSize : kSmallSize;
  smmap::WindowCursor cursor = manager.make_cursor(file);
  run_cursor_reads(
      state, cursor,
      random_offsets(size - kRead, 1 + static_cast<std::uint64_t>(state.thread_index())));
}
BENCHMARK(BM_ThreadsOneManager)
    ->ArgName("misses")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
