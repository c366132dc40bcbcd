#include "open_file.hpp"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#endif

#include <algorithm>
#include <cerrno>
#include <utility>

#include "system_calls.hpp"

namespace smmap::detail {

// What both backends share; the rest is below for POSIX and in
// open_file_windows.cpp for Windows.

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

#ifndef _WIN32

namespace {

FileIdentity identity_of_regular_file(const struct stat& info, const std::string& what) {
  if (S_ISDIR(info.st_mode)) throw_system_error(EISDIR, "read", what);
  if (!S_ISREG(info.st_mode)) throw_system_error(ENODEV, "map (not a regular file)", what);
#ifdef __APPLE__
  const struct timespec& modified = info.st_mtimespec;
#else
  const struct timespec& modified = info.st_mtim;  // POSIX.1-2008
#endif
  return FileIdentity{
      .device = static_cast<std::uint64_t>(info.st_dev),
      .inode = static_cast<std::uint64_t>(info.st_ino),
      .size = static_cast<std::uint64_t>(info.st_size),
      .mtime_ns = static_cast<std::int64_t>(modified.tv_sec) * 1'000'000'000 + modified.tv_nsec,
  };
}

FileIdentity identify_descriptor(int fd, const std::string& what) {
  struct stat info {};
  if (system_calls().fstat(fd, &info) != 0) throw_system_error(errno, "fstat", what);
  return identity_of_regular_file(info, what);
}

}  // namespace

std::size_t default_max_open_descriptors() noexcept {
  constexpr std::size_t kFallback = 256;  // a quarter of the usual 1024
  constexpr rlim_t kMost = rlim_t{1} << 16;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return kFallback;
  const rlim_t soft = limit.rlim_cur == RLIM_INFINITY ? kMost : std::min(limit.rlim_cur, kMost);
  return std::max<std::size_t>(1, static_cast<std::size_t>(soft / 4));
}

FileIdentity identify(const PathOrFd& source, const std::string& what) {
  if (const int* fd = std::get_if<int>(&source)) return identify_descriptor(*fd, what);
  struct stat info {};
  if (system_calls().stat(std::get<std::filesystem::path>(source).c_str(), &info) != 0) {
    throw_system_error(errno, "stat", what);
  }
  return identity_of_regular_file(info, what);
}

OpenFile::OpenFile(const PathOrFd& source) : description_(describe(source)) {
  if (const auto* path = std::get_if<std::filesystem::path>(&source)) {
    file_ = system_calls().open(path->c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (file_ < 0) throw_system_error(errno, "open", description_);
    owned_ = true;
  } else {
    file_ = std::get<int>(source);
  }
  try {
    identity_ = identify_descriptor(file_, description_);
  } catch (...) {
    close();
    throw;
  }
}

void OpenFile::close() noexcept {
  if (owned_) system_calls().close(file_);
  file_ = kNoFile;
  owned_ = false;
}

#endif  // !_WIN32

}  // namespace smmap::detail
