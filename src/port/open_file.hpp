// OpenFile: a file opened (from a path) or borrowed (from the caller's
// descriptor) for reading, checked to be a regular file, with its identity.
//
// Every way the library opens a file goes through here: MapRegion and
// MapRegionList made directly, and the manager's file entries.
//
// Thread safety: a value type; distinct objects may be used concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "platform.hpp"
#include "smmap/util.hpp"

namespace smmap::detail {

// What identifies a file's contents: a different value for the same path or
// descriptor means the file was replaced (another inode), resized or
// rewritten (another modification time).
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

// The identity of |source| as it is now, without opening it (stat() of a
// path, fstat() of a descriptor); |what| names it in errors.
// Throws std::system_error as OpenFile's constructor does.
FileIdentity identify(const PathOrFd& source, const std::string& what);

// Closes |file|, which this port opened (each port has its own).
void close_file(NativeFile file) noexcept;

// |path| as text for messages and keys: its native narrow string on POSIX,
// UTF-8 on Windows (whose narrow strings are in the ANSI code page, which
// cannot spell every name).
std::string path_text(const std::filesystem::path& path);

// The descriptors a manager may hold open by default: on POSIX a quarter of
// the process's limit (RLIMIT_NOFILE), so most are left to the application;
// on Windows, which has no such limit on HANDLEs, a fixed 512.
std::size_t default_max_open_descriptors() noexcept;

class OpenFile {
 public:
  // Opens a path read-only (non-blocking, so a FIFO cannot hang the call) or
  // borrows a descriptor, and records the file's identity. On Windows the
  // path is opened by CreateFileW sharing reading, writing and deleting with
  // others, and a descriptor is the C runtime's (its HANDLE is borrowed).
  // Throws std::system_error naming the file: the system's error for open or
  // fstat (ENOENT, EACCES, EBADF...), EISDIR for a directory, ENODEV for
  // anything else that is not a regular file.
  explicit OpenFile(const PathOrFd& source);
  OpenFile(OpenFile&& other) noexcept;
  OpenFile& operator=(OpenFile&& other) noexcept;
  // Closes the descriptor if it was opened here; a borrowed one stays open.
  ~OpenFile();

  // The file to map from (the descriptor, or on Windows the HANDLE);
  // kNoFile once closed.
  NativeFile file() const noexcept { return file_; }
  bool is_open() const noexcept { return file_ != kNoFile; }
  const FileIdentity& identity() const noexcept { return identity_; }
  std::uint64_t size() const noexcept { return identity_.size; }
  // The path, or "fd N", for messages.
  const std::string& description() const noexcept { return description_; }

  // Closes the file if it was opened here (a borrowed one stays open) and
  // forgets it; file() is kNoFile afterwards, identity() and description()
  // stay.
  void close() noexcept;

 private:
  NativeFile file_ = kNoFile;
  bool owned_ = false;  // opened here, so closed here
  FileIdentity identity_;
  std::string description_;
};

}  // namespace smmap::detail
