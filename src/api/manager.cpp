#include "smmap/manager.hpp"

#include <stdexcept>

#include "core/manager_core.hpp"

namespace smmap {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

std::uint64_t resolve_window_size(std::int64_t window_size) {
  if (window_size < 0) return (is_64_bit() ? 1024 : 64) * kMiB;
  return align_to_mmap(static_cast<std::uint64_t>(window_size), true);
}

std::uint64_t resolve_max_memory_size(std::uint64_t max_memory_size) {
  if (max_memory_size == 0) return (is_64_bit() ? 8192 : 1024) * kMiB;
  return max_memory_size;
}

}  // namespace

StaticWindowMapManager::StaticWindowMapManager(std::int64_t window_size,
                                               std::uint64_t max_memory_size,
                                               std::uint64_t max_open_handles)
    : StaticWindowMapManager(true, window_size, max_memory_size, max_open_handles) {}

StaticWindowMapManager::StaticWindowMapManager(bool whole_files, std::int64_t window_size,
                                               std::uint64_t max_memory_size,
                                               std::uint64_t max_open_handles) {
  const std::uint64_t window = resolve_window_size(window_size);
  core_ = std::make_shared<detail::ManagerCore>(detail::ManagerCore::Limits{
      .largest_window = whole_files ? 0 : window,
      .cursor_window_size = window,
      .max_memory_size = resolve_max_memory_size(max_memory_size),
      .max_open_handles = max_open_handles,
  });
}

SlidingWindowMapManager::SlidingWindowMapManager(std::int64_t window_size,
                                                 std::uint64_t max_memory_size,
                                                 std::uint64_t max_open_handles)
    : StaticWindowMapManager(false, window_size, max_memory_size, max_open_handles) {}

StaticWindowMapManager::~StaticWindowMapManager() {
  if (core_) core_->collect();
}

detail::ManagerCore& StaticWindowMapManager::core() const {
  if (!core_) throw std::logic_error("smmap: use of a moved-from manager");
  return *core_;
}

WindowCursor StaticWindowMapManager::make_cursor(const PathOrFd& source) {
  detail::ManagerCore& core = this->core();
  detail::FileEntry* entry = core.add_cursor(source);
  return WindowCursor(core_, entry, core.max_request(*entry));
}

std::size_t StaticWindowMapManager::num_file_handles() const {
  return core().num_regions();
}
std::size_t StaticWindowMapManager::num_open_files() const {
  return core().num_files_with_regions();
}
std::uint64_t StaticWindowMapManager::window_size() const {
  return core().limits().cursor_window_size;
}
std::uint64_t StaticWindowMapManager::mapped_memory_size() const {
  return core().mapped_memory_size();
}
std::uint64_t StaticWindowMapManager::max_file_handles() const {
  return core().limits().max_open_handles;
}
std::uint64_t StaticWindowMapManager::max_mapped_memory_size() const {
  return core().limits().max_memory_size;
}
std::size_t StaticWindowMapManager::collect() {
  return core().collect();
}
std::size_t StaticWindowMapManager::collect_lru_region(std::uint64_t size) {
  return core().collect_lru_region(size);
}
std::size_t StaticWindowMapManager::force_map_handle_removal_win(
    const std::filesystem::path& base_path) {
  detail::ManagerCore& state = core();
  // Only where mapped files are locked (Windows) is there anything to do.
  if constexpr (!detail::kMappedFilesAreLocked) return 0;
  return state.release_files_under(base_path);
}
ManagerStats StaticWindowMapManager::stats() const {
  return core().stats();
}
std::size_t StaticWindowMapManager::max_open_descriptors() const {
  return core().max_open_descriptors();
}
void StaticWindowMapManager::set_max_open_descriptors(std::size_t count) {
  core().set_max_open_descriptors(count);
}
std::size_t StaticWindowMapManager::num_open_descriptors() const {
  return core().num_open_descriptors();
}
bool StaticWindowMapManager::align_large_windows() const {
  return core().align_large_windows();
}
void StaticWindowMapManager::set_align_large_windows(bool align) {
  core().set_align_large_windows(align);
}
bool StaticWindowMapManager::adaptive() const {
  return core().adaptive();
}
void StaticWindowMapManager::set_adaptive(bool adaptive) {
  core().set_adaptive(adaptive);
}

std::uint64_t StaticWindowMapManager::max_copy_memory() const {
  return core().max_copy_memory();
}

void StaticWindowMapManager::set_max_copy_memory(std::uint64_t bytes) {
  core().set_max_copy_memory(bytes);
}

}  // namespace smmap
