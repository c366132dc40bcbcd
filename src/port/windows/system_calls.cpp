// The Windows port's seam and errors: Windows error codes as errno values,
// so that callers see the same std::errc on every platform.
#include "system_calls.hpp"

#include <cerrno>
#include <string>

#include "util/errors.hpp"

namespace smmap::detail {
namespace {

SystemCalls real_system_calls() noexcept {
  return SystemCalls{
      .create_file = ::CreateFileW,
      .close_handle = ::CloseHandle,
      .get_file_information = ::GetFileInformationByHandle,
      .create_file_mapping = ::CreateFileMappingW,
      .map_view = ::MapViewOfFile,
      .unmap_view = ::UnmapViewOfFile,
      .read_file = ::ReadFile,
  };
}

#ifdef SMMAP_TESTING
SystemCalls calls = real_system_calls();
#else
const SystemCalls calls = real_system_calls();
#endif

}  // namespace

const SystemCalls& system_calls() noexcept {
  return calls;
}

#ifdef SMMAP_TESTING
SystemCalls& replaceable_system_calls() noexcept {
  return calls;
}

void reset_system_calls() noexcept {
  calls = real_system_calls();
}
#endif

int error_from_windows(unsigned long windows_error) noexcept {
  switch (windows_error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
      return ENOENT;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_FILENAME_EXCED_RANGE:
      return ENAMETOOLONG;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_NETWORK_ACCESS_DENIED:
      return EACCES;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_NOT_ENOUGH_QUOTA:
      return ENOMEM;
    case ERROR_TOO_MANY_OPEN_FILES:
      return EMFILE;
    case ERROR_NO_SYSTEM_RESOURCES:
      return ENFILE;
    case ERROR_INVALID_HANDLE:
      return EBADF;
    case ERROR_DIRECTORY:
      return EISDIR;
    case ERROR_INVALID_FUNCTION:
    case ERROR_NOT_SUPPORTED:
    case ERROR_BAD_DEV_TYPE:
      return ENODEV;
    case ERROR_INVALID_PARAMETER:
    case ERROR_FILE_INVALID:
      return EINVAL;
    case ERROR_HANDLE_EOF:
    default:
      return EIO;
  }
}

void throw_windows_error(unsigned long windows_error, std::string_view operation,
                         std::string_view file, std::uint64_t offset, std::uint64_t size) {
  throw_system_error(
      error_from_windows(windows_error),
      std::string(operation) + " (Windows error " + std::to_string(windows_error) + ")", file,
      offset, size);
}

}  // namespace smmap::detail
