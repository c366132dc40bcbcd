#include "smmap/cursor.hpp"

#include <stdexcept>
#include <utility>

#include "core/manager_core.hpp"
#include "core/read_through_region.hpp"

namespace smmap {
namespace {

// A cursor's list and region are always the manager's own types.
detail::FileEntry* entry_of(MapRegionList* list) noexcept {
  return static_cast<detail::FileEntry*>(list);
}
}  // namespace

WindowCursor::WindowCursor() noexcept = default;

WindowCursor::WindowCursor(std::shared_ptr<detail::ManagerCore> core, MapRegionList* list,
                           std::uint64_t max_request) noexcept
    : core_(std::move(core)),
      list_(list),
      file_size_(list->file_size()),
      max_request_(max_request) {}

WindowCursor::WindowCursor(const WindowCursor& other)
    : core_(other.core_),
      list_(other.list_),
      region_(other.region_),
      region_data_(other.region_data_),
      region_begin_(other.region_begin_),
      region_size_(other.region_size_),
      ofs_(other.ofs_),
      size_(other.size_),
      file_size_(other.file_size_),
      max_request_(other.max_request_) {
  if (other.region_ != nullptr && other.region_ == other.read_through_.get()) {
    read_through_ = other.read_through_->clone();
    region_ = read_through_.get();
    region_data_ = region_->data();
  }
  if (list_ != nullptr) core_->copy_cursor(entry_of(list_), pinned_region());
}

WindowCursor::WindowCursor(WindowCursor&& other) noexcept {
  take_from(other);
}

WindowCursor& WindowCursor::operator=(const WindowCursor& other) {
  if (this != &other) *this = WindowCursor(other);
  return *this;
}

WindowCursor& WindowCursor::operator=(WindowCursor&& other) noexcept {
  if (this != &other) {
    leave();
    take_from(other);
  }
  return *this;
}

WindowCursor::~WindowCursor() {
  leave();
}

void WindowCursor::leave() noexcept {
  if (list_ != nullptr) core_->remove_cursor(entry_of(list_), pinned_region(), unreported_hits_);
  core_.reset();
  list_ = nullptr;
  unreported_hits_ = 0;
  clear_region();
}

void WindowCursor::take_from(WindowCursor& other) noexcept {
  core_ = std::move(other.core_);
  list_ = std::exchange(other.list_, nullptr);
  region_ = std::exchange(other.region_, nullptr);
  region_data_ = std::exchange(other.region_data_, nullptr);
  region_begin_ = std::exchange(other.region_begin_, 0);
  region_size_ = std::exchange(other.region_size_, 0);
  ofs_ = std::exchange(other.ofs_, 0);
  size_ = std::exchange(other.size_, 0);
  file_size_ = std::exchange(other.file_size_, 0);
  max_request_ = std::exchange(other.max_request_, 0);
  unreported_hits_ = std::exchange(other.unreported_hits_, 0);
  read_through_ = std::move(other.read_through_);
}

void WindowCursor::unuse_region() noexcept {
  if (region_ == nullptr) return;
  core_->release(pinned_region(), std::exchange(unreported_hits_, 0));
  clear_region();
}

WindowCursor& WindowCursor::use_region_slow(std::uint64_t offset, std::uint64_t size,
                                            int /*flags*/) {
  if (list_ == nullptr) return *this;
  if (offset >= file_size_) {
    unuse_region();
    return *this;
  }
  const bool sized = size != 0;
  size = std::min(sized ? size : file_size_, max_request_);
  detail::ManagedRegion* old = pinned_region();
  clear_region();  // if switch_region throws, |old| is released and we stay invalid
  MapRegion* region = core_->switch_region(entry_of(list_), old, offset, size, sized,
                                           std::exchange(unreported_hits_, 0), read_through_);
  region_ = region;
  region_data_ = region->data();
  region_begin_ = region->ofs_begin();
  region_size_ = region->size();
  ofs_ = offset;
  size_ = std::min(size, region_begin_ + region_size_ - offset);
  return *this;
}

detail::ManagedRegion* WindowCursor::pinned_region() const noexcept {
  if (region_ == nullptr || region_ == read_through_.get()) return nullptr;
  return static_cast<detail::ManagedRegion*>(region_);
}

void WindowCursor::clear_region() noexcept {
  region_ = nullptr;
  region_data_ = nullptr;
  region_begin_ = 0;
  region_size_ = 0;
  size_ = 0;
}

const PathOrFd& WindowCursor::path_or_fd() const {
  if (list_ == nullptr) throw std::logic_error("the cursor is not associated with a file");
  return list_->path_or_fd();
}

const std::filesystem::path& WindowCursor::path() const {
  const auto* path = std::get_if<std::filesystem::path>(&path_or_fd());
  if (path == nullptr) {
    throw std::invalid_argument("path() of a cursor made from a file descriptor (" +
                                describe(path_or_fd()) + ")");
  }
  return *path;
}

int WindowCursor::fd() const {
  const int* fd = std::get_if<int>(&path_or_fd());
  if (fd == nullptr) {
    throw std::invalid_argument("fd() of a cursor made from a path ('" + describe(path_or_fd()) +
                                "')");
  }
  return *fd;
}

}  // namespace smmap
