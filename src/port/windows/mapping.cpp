// Regions on Windows: a view of a read-only section (CreateFileMappingW,
// MapViewOfFile), or, where the file system cannot map the file, a heap copy
// read with positioned ReadFile.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "port/guarded_copy.hpp"
#include "port/mapping.hpp"
#include "port/memory.hpp"
#include "system_calls.hpp"
#include "util/check.hpp"
#include "util/errors.hpp"

namespace smmap::detail {
namespace {

DWORD high_half(std::uint64_t value) {
  return static_cast<DWORD>(value >> 32);
}
DWORD low_half(std::uint64_t value) {
  return static_cast<DWORD>(value & 0xffff'ffffu);
}

}  // namespace

// At explicit offsets (the handle's file pointer moves; nothing here depends
// on it).
void read_exactly(NativeFile file, const std::string& what, std::uint64_t ofs,
                  std::span<std::byte> into) {
  SMMAP_DCHECK(!into.empty());
  const std::size_t size = into.size();
  std::size_t done = 0;
  while (done < size) {
    OVERLAPPED at{};
    at.Offset = low_half(ofs + done);
    at.OffsetHigh = high_half(ofs + done);
    const DWORD count = static_cast<DWORD>(std::min<std::size_t>(size - done, 1u << 30));
    DWORD got = 0;
    if (!system_calls().read_file(file, into.data() + done, count, &got, &at)) {
      const DWORD error = ::GetLastError();
      if (error != ERROR_HANDLE_EOF) throw_windows_error(error, "ReadFile", what, ofs, size);
      got = 0;
    }
    if (got == 0) throw_system_error(EIO, "ReadFile (file shrank)", what, ofs, size);
    done += got;
  }
}

Mapping map_or_copy(NativeFile file, const std::string& what, std::uint64_t ofs, std::size_t size) {
  SMMAP_DCHECK(ofs % system_allocation_granularity() == 0 && size > 0);
  // A section of the whole file; the view keeps it alive after its handle
  // closes, so a region holds no handle but its view.
  HANDLE section = system_calls().create_file_mapping(file, nullptr, PAGE_READONLY, 0, 0, nullptr);
  if (section == nullptr) {
    const DWORD error = ::GetLastError();
    if (error_from_windows(error) != ENODEV) {
      throw_windows_error(error, "CreateFileMappingW", what, ofs, size);
    }
    return read_copy(file, what, ofs, size);
  }
  void* view = system_calls().map_view(section, FILE_MAP_READ, high_half(ofs), low_half(ofs), size);
  const DWORD error = ::GetLastError();
  system_calls().close_handle(section);
  if (view == nullptr) throw_windows_error(error, "MapViewOfFile", what, ofs, size);
  return Mapping{{static_cast<const std::byte*>(view), size}, false};
}

bool populate(const Mapping&) noexcept {
  return true;  // views fault in on first access; nothing to prepare
}

void unmap(const Mapping& mapping) noexcept {
  if (mapping.bytes.data() == nullptr) return;
  if (mapping.copied) {
    free_copy(mapping.bytes.data(), mapping.bytes.size());
    return;
  }
  void* address = const_cast<std::byte*>(mapping.bytes.data());
  // A view detached from its file (detach_from_file()) is private memory.
  MEMORY_BASIC_INFORMATION info{};
  if (::VirtualQuery(address, &info, sizeof info) != 0 && info.Type == MEM_PRIVATE) {
    ::VirtualFree(address, 0, MEM_RELEASE);
    return;
  }
  system_calls().unmap_view(address);
}

void detach_from_file(const Mapping& mapping) noexcept {
  if (mapping.copied || mapping.bytes.empty()) return;
  install_sigbus_handler();  // copy_or_fault() below relies on it
  void* address = const_cast<std::byte*>(mapping.bytes.data());
  const std::size_t size = mapping.bytes.size();
  void* saved = ::VirtualAlloc(nullptr, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (saved == nullptr) {
    std::fprintf(stderr, "smmap: no memory to keep a pinned region while releasing its file\n");
    std::abort();
  }
  // Pages the file lost (a truncation seen as EXCEPTION_IN_PAGE_ERROR) are
  // left zero; the rest is copied.
  auto* to = static_cast<std::byte*>(saved);
  const std::byte* from = mapping.bytes.data();
  if (copy_or_fault(to, from, size) != nullptr) {
    SYSTEM_INFO system{};
    ::GetSystemInfo(&system);
    const std::size_t page = system.dwPageSize;
    for (std::size_t at = 0; at < size; at += page) {
      const std::size_t length = std::min(page, size - at);
      if (copy_or_fault(to + at, from + at, length) != nullptr) std::memset(to + at, 0, length);
    }
  }
  system_calls().unmap_view(address);
  void* replaced = ::VirtualAlloc(address, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (replaced != address) {
    std::fprintf(stderr,
                 "smmap: the address range of a pinned region was taken while releasing "
                 "its file\n");
    std::abort();
  }
  std::memcpy(replaced, saved, size);
  DWORD old_protection = 0;
  ::VirtualProtect(replaced, size, PAGE_READONLY, &old_protection);
  ::VirtualFree(saved, 0, MEM_RELEASE);
}

}  // namespace smmap::detail
