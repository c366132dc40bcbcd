// OpenFile on Windows: CreateFileW and GetFileInformationByHandle (the
// shared part is in open_file.cpp).
#include <io.h>

#include <cerrno>
#include <utility>

#include "port/open_file.hpp"
#include "system_calls.hpp"
#include "util/errors.hpp"

namespace smmap::detail {

std::string path_text(const std::filesystem::path& path) {
  const std::u8string utf8 = path.u8string();
  return std::string(utf8.begin(), utf8.end());
}
namespace {

// Others may read, write, rename and delete the file while it is open here,
// as they may on POSIX (Windows still refuses to shrink a mapped file).
constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Opens |path| with |access| (0: attributes only); directories open too
// (FILE_FLAG_BACKUP_SEMANTICS), so that they are reported as EISDIR.
HANDLE open_path(const std::filesystem::path& path, DWORD access, const std::string& what) {
  HANDLE file = system_calls().create_file(path.c_str(), access, kShareAll, nullptr, OPEN_EXISTING,
                                           FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (file == INVALID_HANDLE_VALUE) throw_windows_error(::GetLastError(), "CreateFileW", what);
  return file;
}

// The HANDLE behind the C runtime's descriptor |fd|, borrowed.
HANDLE handle_of_descriptor(int fd, const std::string& what) {
  const intptr_t handle = ::_get_osfhandle(fd);
  if (handle == -1 || handle == -2) throw_system_error(EBADF, "_get_osfhandle", what);
  return reinterpret_cast<HANDLE>(handle);
}

FileIdentity identify_handle(HANDLE file, const std::string& what) {
  // Devices (NUL, CON), pipes and sockets have no file information.
  const DWORD type = ::GetFileType(file);
  if (type != FILE_TYPE_DISK && !(type == FILE_TYPE_UNKNOWN && ::GetLastError() != NO_ERROR)) {
    throw_system_error(ENODEV, "map (not a regular file)", what);
  }
  BY_HANDLE_FILE_INFORMATION info{};
  if (!system_calls().get_file_information(file, &info)) {
    throw_windows_error(::GetLastError(), "GetFileInformationByHandle", what);
  }
  if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    throw_system_error(EISDIR, "read", what);
  }
  const auto join = [](DWORD high, DWORD low) {
    return (static_cast<std::uint64_t>(high) << 32) | low;
  };
  // FILETIME counts 100 ns.
  const std::uint64_t modified =
      join(info.ftLastWriteTime.dwHighDateTime, info.ftLastWriteTime.dwLowDateTime);
  return FileIdentity{
      .device = info.dwVolumeSerialNumber,
      .inode = join(info.nFileIndexHigh, info.nFileIndexLow),
      .size = join(info.nFileSizeHigh, info.nFileSizeLow),
      .mtime_ns = static_cast<std::int64_t>(modified * 100),
  };
}

}  // namespace

std::size_t default_max_open_descriptors() noexcept {
  // Windows has no per-process limit on HANDLEs to speak of (about 16
  // million); a fixed budget still bounds what a manager holds.
  return 512;
}

FileIdentity identify(const PathOrFd& source, const std::string& what) {
  if (const int* fd = std::get_if<int>(&source)) {
    return identify_handle(handle_of_descriptor(*fd, what), what);
  }
  HANDLE file = open_path(std::get<std::filesystem::path>(source), FILE_READ_ATTRIBUTES, what);
  try {
    const FileIdentity identity = identify_handle(file, what);
    system_calls().close_handle(file);
    return identity;
  } catch (...) {
    system_calls().close_handle(file);
    throw;
  }
}

OpenFile::OpenFile(const PathOrFd& source) : description_(describe(source)) {
  if (const auto* path = std::get_if<std::filesystem::path>(&source)) {
    file_ = open_path(*path, GENERIC_READ, description_);
    owned_ = true;
  } else {
    file_ = handle_of_descriptor(std::get<int>(source), description_);
  }
  try {
    identity_ = identify_handle(file_, description_);
  } catch (...) {
    close();
    throw;
  }
}

void close_file(NativeFile file) noexcept {
  system_calls().close_handle(file);
}

}  // namespace smmap::detail
