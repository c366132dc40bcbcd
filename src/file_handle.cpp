#include "file_handle.hpp"

#include <fcntl.h>

#include <cerrno>

#include "system_calls.hpp"

namespace smmap::detail {

FileHandle::FileHandle(const std::filesystem::path& path) {
  fd_ = system_calls().open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw_system_error(errno, "open", path.string());
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) system_calls().close(fd_);
}

struct stat stat_regular_file(int fd, const std::string& what) {
  struct stat info {};
  if (system_calls().fstat(fd, &info) != 0) throw_system_error(errno, "fstat", what);
  if (S_ISDIR(info.st_mode)) throw_system_error(EISDIR, "map", what);
  if (!S_ISREG(info.st_mode)) throw_system_error(ENODEV, "map (not a regular file)", what);
  return info;
}

}  // namespace smmap::detail
