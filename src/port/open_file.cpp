#include "port/open_file.hpp"

#include <utility>

namespace smmap::detail {

// What both ports share; the rest is in port/posix/open_file.cpp and
// port/windows/open_file.cpp.

OpenFile::OpenFile(OpenFile&& other) noexcept
    : file_(std::exchange(other.file_, kNoFile)),
      owned_(std::exchange(other.owned_, false)),
      identity_(other.identity_),
      description_(std::move(other.description_)) {}

OpenFile& OpenFile::operator=(OpenFile&& other) noexcept {
  if (this != &other) {
    close();
    file_ = std::exchange(other.file_, kNoFile);
    owned_ = std::exchange(other.owned_, false);
    identity_ = other.identity_;
    description_ = std::move(other.description_);
  }
  return *this;
}

OpenFile::~OpenFile() {
  close();
}

void OpenFile::close() noexcept {
  if (owned_) close_file(file_);
  file_ = kNoFile;
  owned_ = false;
}

}  // namespace smmap::detail
