// The Windows port's seam: every Windows call the port makes goes through
// this table (CreateFileW, GetFileInformationByHandle, CreateFileMappingW,
// MapViewOfFile, ReadFile), as the POSIX port's calls go through its own:
// only the library built for tests (smmap_testing) lets tests replace them. The only header that
// brings <windows.h>, included by the Windows port's files alone.
//
// Thread safety: replace entries only while no manager is in use.
#pragma once

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <cstdint>
#include <string_view>

#include "platform.hpp"

namespace smmap::detail {

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

// The calls the port makes: the system's own in the library users link,
// which no one can change.
const SystemCalls& system_calls() noexcept;

#ifdef SMMAP_TESTING
// In the library as its tests link it (smmap_testing): the calls in use, for
// a test to replace while no manager is in use; reset_system_calls() puts
// the system's own back.
SystemCalls& replaceable_system_calls() noexcept;
void reset_system_calls() noexcept;
#endif

// The errno value for a Windows error code (GetLastError()): ENOENT, EACCES,
// ENOMEM, EMFILE, EBADF, ENODEV... where one fits, EIO otherwise.
int error_from_windows(unsigned long windows_error) noexcept;

// Throws std::system_error as throw_system_error() does, for the Windows
// error |windows_error|, whose code the message adds to the operation:
//   "MapViewOfFile (Windows error 8) 'pack.idx' at offset 0 size 65536: Cannot allocate memory".
[[noreturn]] void throw_windows_error(unsigned long windows_error, std::string_view operation,
                                      std::string_view file, std::uint64_t offset = 0,
                                      std::uint64_t size = 0);

}  // namespace smmap::detail
