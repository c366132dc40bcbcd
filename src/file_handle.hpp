// Opening and identifying files through the system-call seam.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>

#include "smmap/util.hpp"

namespace smmap::detail {

// An open read-only descriptor that closes itself unless released.
class FileHandle {
 public:
  // Opens |path| read-only (non-blocking, so a FIFO cannot hang us).
  // Throws std::system_error naming the path.
  explicit FileHandle(const std::filesystem::path& path);
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();

  int get() const noexcept { return fd_; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// fstat() of |fd|, requiring a regular file; |what| names it in errors.
// Throws std::system_error: EISDIR for a directory, ENODEV for anything else
// that is not a regular file, or fstat's own error (EBADF for a closed fd).
struct stat stat_regular_file(int fd, const std::string& what);

}  // namespace smmap::detail
