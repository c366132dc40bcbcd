// OpenFile on POSIX: open(2) and fstat(2) through the port's seam.
#include "port/open_file.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "system_calls.hpp"
#include "util/errors.hpp"

namespace smmap::detail {

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

std::string path_text(const std::filesystem::path& path) {
  return path.string();
}

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

void close_file(NativeFile file) noexcept {
  system_calls().close(file);
}

}  // namespace smmap::detail
