#include "smmap/region_list.hpp"

#include "file_handle.hpp"
#include "system_calls.hpp"

namespace smmap {

MapRegionList::MapRegionList(PathOrFd source) : source_(std::move(source)) {
  open_and_identify();
  if (owns_fd_) system_calls_close();
}

MapRegionList::MapRegionList(PathOrFd source, std::mutex* manager_mutex)
    : source_(std::move(source)), manager_mutex_(manager_mutex) {
  open_and_identify();
}

MapRegionList::~MapRegionList() {
  regions_.clear();  // unmap before the descriptor goes
  if (owns_fd_) system_calls_close();
}

void MapRegionList::system_calls_close() noexcept {
  detail::system_calls().close(fd_);
  fd_ = -1;
  owns_fd_ = false;
}

void MapRegionList::open_and_identify() {
  description_ = describe(source_);
  std::unique_ptr<detail::FileHandle> opened;
  if (const auto* path = std::get_if<std::filesystem::path>(&source_)) {
    opened = std::make_unique<detail::FileHandle>(*path);
    fd_ = opened->get();
  } else {
    fd_ = std::get<int>(source_);
  }
  const struct stat info = detail::stat_regular_file(fd_, description_);
  identity_ = identify(info);
  file_size_ = identity_.size;
  if (opened) {
    fd_ = opened->release();
    owns_fd_ = true;
  }
}

MapRegionList::Identity MapRegionList::identify(const struct stat& info) noexcept {
  return Identity{
      .device = static_cast<std::uint64_t>(info.st_dev),
      .inode = static_cast<std::uint64_t>(info.st_ino),
      .size = static_cast<std::uint64_t>(info.st_size),
      .mtime_ns =
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec,
  };
}

int MapRegionList::client_count_of(std::uint64_t ofs, std::size_t size) const {
  std::unique_lock<std::mutex> lock;
  if (manager_mutex_ != nullptr) lock = std::unique_lock(*manager_mutex_);
  const auto found = regions_.find(ofs);
  if (found == regions_.end() || found->second.size() != size) return 0;
  return found->second.client_count();
}

std::size_t MapRegionList::size() const {
  if (manager_mutex_ == nullptr) return regions_.size();
  std::lock_guard lock(*manager_mutex_);
  return regions_.size();
}

}  // namespace smmap
