#include "port/memory.hpp"

#include <new>

#include "system_calls.hpp"  // <windows.h>

namespace smmap::detail {

std::uint64_t system_allocation_granularity() noexcept {
  // Views start at multiples of the allocation granularity (64 KiB), not of
  // the page size.
  static const std::uint64_t granularity = [] {
    SYSTEM_INFO info{};
    ::GetSystemInfo(&info);
    return static_cast<std::uint64_t>(info.dwAllocationGranularity);
  }();
  return granularity;
}

std::byte* allocate_chunk() {
  return static_cast<std::byte*>(::operator new (kChunkSize, std::align_val_t{kChunkSize}));
}

void free_chunk(std::byte* chunk) noexcept {
  ::operator delete (chunk, std::align_val_t{kChunkSize});
}

void release_pages(std::byte* pages, std::size_t size) noexcept {
  ::VirtualAlloc(pages, size, MEM_RESET, PAGE_READWRITE);  // a hint; fails only on a bad range
}

}  // namespace smmap::detail
