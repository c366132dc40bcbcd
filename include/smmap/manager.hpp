// smmap/manager.hpp — the managers: StaticWindowMapManager (whole-file
// regions) and SlidingWindowMapManager (windows of at most window_size bytes).
//
// A manager hands out cursors onto files, maps regions of them at page-aligned
// windows on demand, counts the cursors pinning each region, and unmaps the
// least recently released unpinned region when a limit is reached:
//   - max_memory_size is soft: when every region is pinned, the manager maps
//     anyway rather than fail;
//   - max_open_handles caps the number of live regions: when it is reached
//     and every region is pinned, use_region() throws.
//
// Thread safety: all methods are thread-safe; one manager may serve many
// threads, each with its own cursors. Its state lives until the manager and
// every cursor it made are gone.
//
//   #include <iostream>
//   smmap::SlidingWindowMapManager manager(1 << 20, 64 << 20);  // 1 MiB windows, 64 MiB
//   smmap::WindowCursor cursor = manager.make_cursor("big.pack");
//   cursor.use_region(123456789, 64);
//   std::span<const std::byte> bytes = cursor.buffer();
//   std::cout << manager.stats();
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "smmap/cursor.hpp"
#include "smmap/export.hpp"
#include "smmap/stats.hpp"
#include "smmap/util.hpp"

namespace smmap {

namespace detail {
struct ManagerAccess;
}

// max_open_handles meaning "no limit".
inline constexpr std::uint64_t kUnlimitedHandles = std::numeric_limits<std::uint64_t>::max();

// The size of a large page-cache folio on x86-64 and arm64 (PMD size). A window
// of at least this size that starts at a multiple of it can be mapped by the
// kernel with large page-cache folios, which fault in far more cheaply.
inline constexpr std::uint64_t kLargePageSize = 2 * 1024 * 1024;
// Whether new managers align large windows (see set_align_large_windows();
// docs/benchmarks.md has the measurement behind the default).
inline constexpr bool kAlignLargeWindowsByDefault = true;
// Whether new managers use adaptive windows (see set_adaptive();
// docs/benchmarks.md has the measurement behind the default).
inline constexpr bool kAdaptiveByDefault = true;
// The copy budget of new managers (see set_max_copy_memory()): 64 MiB on
// 64-bit, 16 MiB on 32-bit.
inline constexpr std::uint64_t kDefaultMaxCopyMemory =
    (sizeof(void*) >= 8 ? 64 : 16) * std::uint64_t{1024 * 1024};

class SMMAP_API StaticWindowMapManager {
 public:
  // window_size: 0 maps whole files; negative picks the default (1024 MiB on
  //   64-bit, 64 MiB on 32-bit); positive is rounded up to a multiple of
  //   ALLOCATIONGRANULARITY. A static manager always maps whole files; its
  //   window size only caps the size a cursor reports, as in smmap.
  // max_memory_size: 0 picks the default (8192 MiB on 64-bit, 1024 MiB on 32-bit).
  // max_open_handles: the most regions alive at once.
  explicit StaticWindowMapManager(std::int64_t window_size = 0, std::uint64_t max_memory_size = 0,
                                  std::uint64_t max_open_handles = kUnlimitedHandles);

  // A moved-from manager may only be destroyed or assigned to: every other
  // call throws std::logic_error. Cursors it made keep working.
  StaticWindowMapManager(StaticWindowMapManager&&) noexcept = default;
  StaticWindowMapManager& operator=(StaticWindowMapManager&&) noexcept = default;
  // Unmaps every unused region; cursors still alive keep the rest working.
  ~StaticWindowMapManager();

  // An associated cursor onto |source|. A path is opened read-only; a
  // descriptor stays the caller's and must stay open while windows are mapped.
  // A file replaced or resized since this manager first saw it gets a fresh
  // entry; older cursors keep their view of the old file.
  // Throws std::system_error naming the file when it is missing, unreadable,
  // a directory or not a regular file.
  WindowCursor make_cursor(const PathOrFd& source);
  // A path in any spelling std::filesystem::path accepts: std::string,
  // std::string_view, const char*, u8"...", std::wstring...
  template <typename PathLike>
  requires std::constructible_from<std::filesystem::path, const PathLike&> WindowCursor
  make_cursor(const PathLike& path) {
    return make_cursor(PathOrFd(std::filesystem::path(path)));
  }
  // A descriptor of any integer type.
  // Throws std::invalid_argument when |fd| does not fit in an int.
  template <std::integral Fd>
  requires(!std::same_as<Fd, bool>) WindowCursor make_cursor(Fd fd) {
    if (!std::in_range<int>(fd)) {
      throw std::invalid_argument("make_cursor: " + std::to_string(fd) +
                                  " is not a file descriptor (outside the range of int)");
    }
    return make_cursor(PathOrFd(static_cast<int>(fd)));
  }
  // A bool is not a descriptor (PathOrFd would take true as descriptor 1).
  WindowCursor make_cursor(bool) = delete;

  // Live regions (smmap counts one handle per region).
  std::size_t num_file_handles() const;
  // Files with at least one live region (smmap's meaning; a file's
  // descriptor may stay open longer, while cursors on it live).
  std::size_t num_open_files() const;
  // The largest size a cursor reports: the window size as given, rounded up
  // to ALLOCATIONGRANULARITY (for a static manager made with 0, 0: no cap).
  std::uint64_t window_size() const;
  std::uint64_t mapped_memory_size() const;
  // The limits as resolved at construction (max_open_handles, and
  // max_memory_size with 0 replaced by the default).
  std::uint64_t max_file_handles() const;
  std::uint64_t max_mapped_memory_size() const;

  // Unmaps every unused region; returns how many.
  std::size_t collect();
  // Unmaps unused regions, least recently used first, until |size| more bytes
  // fit under the memory limit (all unused regions when |size| is 0); returns
  // how many (smmap's _collect_lru_region).
  std::size_t collect_lru_region(std::uint64_t size);
  // Windows only: lets go of every file under |base_path| (entries made from
  // paths) so it can be shrunk, rewritten, replaced or deleted: unpinned
  // regions are unmapped, pinned ones keep their bytes in private memory at
  // the same address (their cursors stay readable but map nothing new:
  // EBADF), the files are closed and new cursors open them afresh. Returns
  // how many regions it unmapped or detached. No other thread may read
  // cursors on those files during the call (docs/design.md, "Backends").
  // Elsewhere it does nothing and returns 0, as in smmap.
  std::size_t force_map_handle_removal_win(const std::filesystem::path& base_path);

  ManagerStats stats() const;

  // The descriptor budget: how many descriptors of files opened from paths
  // the manager keeps open at once. Over it, the least recently mapped file's
  // descriptor is closed (its regions stay mapped) and opened again for its
  // next window, after checking that the path still names the same file:
  // when it does not, use_region throws std::system_error(ESTALE) and new
  // cursors get a fresh entry. Descriptors passed in by the caller are never
  // closed and not counted. The default is a quarter of the soft
  // RLIMIT_NOFILE when the manager is made (at most 16384; 256 if it cannot
  // be read), so most descriptors stay the application's; on Windows, where
  // the descriptor is the file's HANDLE, it is 512.
  std::size_t max_open_descriptors() const;
  // Sets the budget (at least 1) and closes descriptors down to it.
  void set_max_open_descriptors(std::size_t count);
  // Descriptors the manager holds open now.
  std::size_t num_open_descriptors() const;

  // When on, and the window size is at least kLargePageSize, a new window
  // starts at a multiple of kLargePageSize whenever such a start lies between
  // the previous region's end and the requested offset and the window, at
  // most window_size() long, still holds the requested range; otherwise it is
  // placed as smmap places it. Windows never overlap either way, and with no
  // neighbour in the way they always hold the requested range. Affects only
  // windows mapped afterwards; the static manager maps whole files anyway.
  bool align_large_windows() const;
  void set_align_large_windows(bool align);

  // Adaptive windows (docs/design.md, "Adaptive windows"): when on, the
  // manager measures once what mapping a window costs this machine against
  // reading it with pread, and a file whose mapped windows keep being evicted
  // having served only a few reads (sparse random reads under the memory
  // limit), or, where mapping does not pay, that is read in runs, gets copy
  // windows for small requests with a size: the requested pages read with
  // pread into a heap block (MapRegion::is_copy()), counted in both limits
  // and evicted like any region. Where mapping pays, reads that cluster or
  // run sequentially switch the file back to mapped windows. A request
  // without a size (use_region(offset)) is never served by an unused copy
  // window: unless a mapped window, or a region a cursor pins, holds the
  // offset, it gets a mapped window as large as the window size allows.
  // When off, windows are placed exactly as smmap places them. Affects only
  // windows made afterwards; whole-file managers never copy.
  bool adaptive() const;
  void set_adaptive(bool adaptive);

  // The copy budget: the most bytes copy windows (adaptive windows) hold at
  // once, in private memory that only this process can free, on top of
  // counting in max_memory_size like any region. A copy window that does not
  // fit evicts unused copy windows, least recently used first; when the
  // copy windows in use fill the budget, the request gets a mapped window
  // instead (ManagerStats::copy_budget_full). 0 makes no copy windows.
  // Setting it evicts unused copy windows down to it. Regions read into
  // memory because the file system cannot map the file are not copy windows
  // and do not count. The default is kDefaultMaxCopyMemory.
  std::uint64_t max_copy_memory() const;
  void set_max_copy_memory(std::uint64_t bytes);

 protected:
  StaticWindowMapManager(bool whole_files, std::int64_t window_size, std::uint64_t max_memory_size,
                         std::uint64_t max_open_handles);

 private:
  // The library's own way to the shared state (src/api/manager_access.hpp),
  // through which its tests check the invariants.
  friend struct detail::ManagerAccess;
  // The shared state. Throws std::logic_error when moved from.
  detail::ManagerCore& core() const;

  std::shared_ptr<detail::ManagerCore> core_;
};

class SMMAP_API SlidingWindowMapManager : public StaticWindowMapManager {
 public:
  // The arguments are the static manager's; window_size defaults to -1 (the
  // architecture's default window), and windows slide to where they are needed.
  explicit SlidingWindowMapManager(std::int64_t window_size = -1, std::uint64_t max_memory_size = 0,
                                   std::uint64_t max_open_handles = kUnlimitedHandles);
};

}  // namespace smmap
