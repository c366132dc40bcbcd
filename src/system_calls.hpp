// The one seam through which the library calls the operating system, so tests
// can inject failures (ENOMEM, EMFILE, ENODEV...) into open, fstat, mmap and
// friends. Production code never changes it.
//
// Two backends: POSIX (open, fstat, mmap, pread) and Windows (CreateFileW,
// GetFileInformationByHandle, CreateFileMappingW, MapViewOfFile, ReadFile),
// chosen by the platform; docs/design.md, "Backends".
//
// Thread safety: replace entries only while no manager is in use.
#pragma once

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <sys/stat.h>
#include <sys/types.h>
#endif

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smmap::detail {

#ifdef _WIN32

// MinGW-w64's <errno.h> has no ESTALE (winsock's is behind #if 0); Linux's
// value, for the error of a file replaced under a closed descriptor.
#ifndef ESTALE
#define ESTALE 116
#endif

// A file the library reads: a Windows HANDLE.
using NativeFile = HANDLE;
inline const NativeFile kNoFile = INVALID_HANDLE_VALUE;

// The Windows calls, with their own signatures; each reports failure through
// GetLastError(), which error_from_windows() turns into an errno value.
struct SystemCalls {
  HANDLE(WINAPI* create_file)
  (LPCWSTR path, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES security, DWORD disposition,
   DWORD flags, HANDLE template_file);
  BOOL(WINAPI* close_handle)(HANDLE handle);
  BOOL(WINAPI* get_file_information)(HANDLE file, LPBY_HANDLE_FILE_INFORMATION out);
  HANDLE(WINAPI* create_file_mapping)
  (HANDLE file, LPSECURITY_ATTRIBUTES security, DWORD protect, DWORD size_high, DWORD size_low,
   LPCWSTR name);
  LPVOID(WINAPI* map_view)
  (HANDLE mapping, DWORD access, DWORD offset_high, DWORD offset_low, SIZE_T size);
  BOOL(WINAPI* unmap_view)(LPCVOID address);
  BOOL(WINAPI* read_file)
  (HANDLE file, LPVOID out, DWORD count, LPDWORD done, LPOVERLAPPED overlapped);
};

// The errno value for a Windows error code (GetLastError()): ENOENT, EACCES,
// ENOMEM, EMFILE, EBADF, ENODEV... where one fits, EIO otherwise.
int error_from_windows(unsigned long windows_error) noexcept;

// Throws std::system_error as throw_system_error() does, for the Windows
// error |windows_error|, whose code the message adds to the operation:
//   "MapViewOfFile (Windows error 8) 'pack.idx' at offset 0 size 65536: Cannot allocate memory".
[[noreturn]] void throw_windows_error(unsigned long windows_error, std::string_view operation,
                                      std::string_view file, std::uint64_t offset = 0,
                                      std::uint64_t size = 0);

#else

// A file the library reads: a descriptor.
using NativeFile = int;
inline constexpr NativeFile kNoFile = -1;

// The library is built with _FILE_OFFSET_BITS=64; code that includes this
// header (tests) must be too, or off_t and struct stat differ on 32-bit.
static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64, as the library is");

struct SystemCalls {
  int (*open)(const char* path, int flags);
  int (*close)(int fd);
  int (*stat)(const char* path, struct stat* out);
  int (*fstat)(int fd, struct stat* out);
  void* (*mmap)(void* hint, std::size_t length, int prot, int flags, int fd, off_t offset);
  int (*munmap)(void* address, std::size_t length);
  ssize_t (*pread)(int fd, void* out, std::size_t count, off_t offset);
};

#endif

// The calls in use; tests may overwrite entries and restore them with
// reset_system_calls().
SystemCalls& system_calls() noexcept;
void reset_system_calls() noexcept;

// Throws std::system_error(err) whose message names the operation, the file,
// and — when |size| is not zero — the offset and size:
//   "mmap 'pack.idx' at offset 4096 size 1048576: Cannot allocate memory".
[[noreturn]] void throw_system_error(int err, std::string_view operation, std::string_view file,
                                     std::uint64_t offset = 0, std::uint64_t size = 0);

}  // namespace smmap::detail
