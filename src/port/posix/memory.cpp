#include "port/memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>

#include "system_calls.hpp"

namespace smmap::detail {

std::uint64_t system_allocation_granularity() noexcept {
  static const std::uint64_t granularity = [] {
    const long page = system_calls().sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<std::uint64_t>(page) : std::uint64_t{4096};
  }();
  return granularity;
}

std::byte* allocate_chunk() {
  // Mapped directly rather than taken from malloc, so that free_chunk()
  // gives the memory back to the system at once (malloc may keep a freed
  // 2 MiB block in its heap). Twice the size, then trimmed to the alignment.
  void* const area =
      ::mmap(nullptr, 2 * kChunkSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) throw std::bad_alloc();
  auto* const begin = static_cast<std::byte*>(area);
  const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(begin);
  const std::size_t skip = (kChunkSize - address % kChunkSize) % kChunkSize;
  std::byte* const chunk = begin + skip;
  if (skip != 0) ::munmap(begin, skip);
  ::munmap(chunk + kChunkSize, kChunkSize - skip);
  return chunk;
}

void free_chunk(std::byte* chunk) noexcept {
  ::munmap(chunk, kChunkSize);
}

void release_pages(std::byte* pages, std::size_t size) noexcept {
  ::madvise(pages, size, MADV_DONTNEED);  // fails only on a bad range
}

}  // namespace smmap::detail
