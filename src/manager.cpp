#include "smmap/manager.hpp"

#include "manager_core.hpp"

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
  core_ = std::make_shared<detail::ManagerCore>(
      whole_files ? 0 : window, window, resolve_max_memory_size(max_memory_size), max_open_handles);
}

SlidingWindowMapManager::SlidingWindowMapManager(std::int64_t window_size,
                                                 std::uint64_t max_memory_size,
                                                 std::uint64_t max_open_handles)
    : StaticWindowMapManager(false, window_size, max_memory_size, max_open_handles) {}

StaticWindowMapManager::~StaticWindowMapManager() {
  if (core_) core_->collect();
}

WindowCursor StaticWindowMapManager::make_cursor(const PathOrFd& source) {
  return core_->make_cursor(source);
}

std::size_t StaticWindowMapManager::num_file_handles() const {
  return core_->num_regions();
}
std::size_t StaticWindowMapManager::num_open_files() const {
  return core_->num_open_files();
}
std::uint64_t StaticWindowMapManager::window_size() const noexcept {
  return core_->window_size();
}
std::uint64_t StaticWindowMapManager::mapped_memory_size() const {
  return core_->mapped_memory_size();
}
std::uint64_t StaticWindowMapManager::max_file_handles() const noexcept {
  return core_->max_handles();
}
std::uint64_t StaticWindowMapManager::max_mapped_memory_size() const noexcept {
  return core_->max_memory_size();
}
std::size_t StaticWindowMapManager::collect() {
  return core_->collect();
}
std::size_t StaticWindowMapManager::collect_lru_region(std::uint64_t size) {
  return core_->collect_lru_region(size);
}
std::size_t StaticWindowMapManager::force_map_handle_removal_win(const std::filesystem::path&) {
  return 0;  // Only Windows refuses to delete mapped files.
}
ManagerStats StaticWindowMapManager::stats() const {
  return core_->stats();
}
bool StaticWindowMapManager::align_large_windows() const {
  return core_->align_large_windows();
}
void StaticWindowMapManager::set_align_large_windows(bool align) {
  core_->set_align_large_windows(align);
}

}  // namespace smmap
