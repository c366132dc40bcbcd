#include "smmap/util.hpp"

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <unistd.h>
#endif

namespace smmap {

std::string describe(const PathOrFd& source) {
  if (const auto* path = std::get_if<std::filesystem::path>(&source)) {
#ifdef _WIN32
    // UTF-8: the narrow string of a Windows path is in the ANSI code page,
    // which cannot spell every name.
    const std::u8string utf8 = path->u8string();
    return std::string(utf8.begin(), utf8.end());
#else
    return path->string();
#endif
  }
  return "fd " + std::to_string(std::get<int>(source));
}

std::uint64_t allocation_granularity() noexcept {
  static const std::uint64_t granularity = [] {
#ifdef _WIN32
    // Views start at multiples of the allocation granularity (64 KiB), not
    // of the page size.
    SYSTEM_INFO info{};
    ::GetSystemInfo(&info);
    return static_cast<std::uint64_t>(info.dwAllocationGranularity);
#else
    const long page = ::sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<std::uint64_t>(page) : std::uint64_t{4096};
#endif
  }();
  return granularity;
}

}  // namespace smmap
