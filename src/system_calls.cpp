#include "system_calls.hpp"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <string>
#include <system_error>

namespace smmap::detail {
namespace {

#ifdef _WIN32

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

#else

int open_read_only(const char* path, int flags) {
  return ::open(path, flags);
}

SystemCalls real_system_calls() noexcept {
  return SystemCalls{
      .open = open_read_only,
      .close = ::close,
      .stat = ::stat,
      .fstat = ::fstat,
      .mmap = ::mmap,
      .munmap = ::munmap,
      .pread = ::pread,
  };
}

#endif

SystemCalls calls = real_system_calls();

}  // namespace

SystemCalls& system_calls() noexcept {
  return calls;
}

void reset_system_calls() noexcept {
  calls = real_system_calls();
}

void throw_system_error(int err, std::string_view operation, std::string_view file,
                        std::uint64_t offset, std::uint64_t size) {
  std::string message(operation);
  message += " '";
  message += file;
  message += "'";
  if (size != 0) {
    message += " at offset " + std::to_string(offset) + " size " + std::to_string(size);
  }
  throw std::system_error(err, std::generic_category(), message);
}

}  // namespace smmap::detail
