#include "policy/window_costs.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>

#include "port/guarded_copy.hpp"
#include "port/mapping.hpp"
#include "port/memory.hpp"
#include "util/check.hpp"

namespace smmap::detail {
namespace {

// Touches one byte per page, as a scan does: per 4 KiB, the smallest page of
// the systems the library runs on. Where pages are larger, the touches after
// a page's first are hits, and cost what a scan's reads of it cost too.
constexpr std::size_t kTouchStride = 4096;

#ifdef SMMAP_TESTING
// Costs a test pins (override_window_costs()). The flag lets measurements
// skip the mutex when nothing is pinned; the value itself is read under the
// mutex, so the flag's release/acquire orders nothing but itself.
std::mutex g_override_mutex;
std::optional<WindowCosts> g_override;
std::atomic<bool> g_overridden{false};
#endif

std::uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since)
          .count());
}

std::uint64_t time_mapped(NativeFile file, std::uint64_t ofs, std::size_t size) {
  const auto start = std::chrono::steady_clock::now();
  const Mapping mapping = map_or_copy(file, "window cost probe", ofs, size);
  // Guarded: the file may have been truncated since it was measured.
  bool truncated = false;
  std::byte sink;
  for (std::size_t at = 0; at < size && !truncated; at += kTouchStride) {
    truncated = guarded_memcpy(&sink, &mapping.bytes[at], 1) != nullptr;
  }
  const bool copied = mapping.copied;
  unmap(mapping);
  const std::uint64_t ns = elapsed_ns(start);
  if (truncated) throw std::runtime_error("truncated");  // measure nothing
  // A file system that cannot map gives copies either way.
  return copied ? std::numeric_limits<std::uint64_t>::max() : ns;
}

std::uint64_t time_copied(NativeFile file, std::uint64_t ofs, std::size_t size) {
  const auto start = std::chrono::steady_clock::now();
  unmap(read_copy(file, "window cost probe", ofs, size));
  return elapsed_ns(start);
}

// The cheapest first write of a page of a fresh chunk, |pages| tried.
std::uint64_t time_fresh_page(std::size_t pages) {
  std::byte* chunk = allocate_chunk();
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  for (std::size_t page = 0; page < pages; ++page) {
    volatile std::byte* at = chunk + page * kTouchStride;
    const auto start = std::chrono::steady_clock::now();
    *at = std::byte{1};
    best = std::min(best, elapsed_ns(start));
  }
  free_chunk(chunk);
  return best;
}

// The cheapest of |times| reads of 64 bytes at |ofs|.
std::uint64_t time_small_read(NativeFile file, std::uint64_t ofs, std::size_t size, int times) {
  std::byte bytes[64];
  const std::size_t wanted = std::min(sizeof bytes, size);
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  for (int i = 0; i < times; ++i) {
    const auto start = std::chrono::steady_clock::now();
    read_exactly(file, "window cost probe", ofs, {bytes, wanted});
    best = std::min(best, elapsed_ns(start));
  }
  return best;
}

}  // namespace

WindowCosts measure_window_costs(NativeFile file, std::uint64_t ofs, std::size_t size) noexcept {
#ifdef SMMAP_TESTING
  if (g_overridden.load(std::memory_order_acquire)) {
    std::lock_guard lock(g_override_mutex);
    if (g_override) return *g_override;
  }
#endif
  SMMAP_DCHECK(ofs % ALLOCATIONGRANULARITY == 0 && size > 0);
  try {
    // Alternating, best of two each: the first copy also brings the pages
    // into the page cache if they were not, so neither way pays for the disk.
    WindowCosts costs{std::numeric_limits<std::uint64_t>::max(),
                      std::numeric_limits<std::uint64_t>::max()};
    for (int round = 0; round < 2; ++round) {
      costs.copy_ns = std::min(costs.copy_ns, time_copied(file, ofs, size));
      costs.map_ns = std::min(costs.map_ns, time_mapped(file, ofs, size));
    }
    try {
      costs.fresh_page_ns = time_fresh_page(16);
    } catch (const std::bad_alloc&) {
      // 0: not measured, and the window's costs still stand.
    }
    costs.small_read_ns = time_small_read(file, ofs, size, 4);
    return costs;
  } catch (...) {
    return WindowCosts{};
  }
}

#ifdef SMMAP_TESTING
void override_window_costs(std::optional<WindowCosts> costs) noexcept {
  std::lock_guard lock(g_override_mutex);
  g_override = costs;
  g_overridden.store(costs.has_value(), std::memory_order_release);
}
#endif

}  // namespace smmap::detail
