#include "port/memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace smmap::detail {

std::uint64_t system_allocation_granularity() noexcept {
  static const std::uint64_t granularity = [] {
    const long page = ::sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<std::uint64_t>(page) : std::uint64_t{4096};
  }();
  return granularity;
}

std::byte* allocate_chunk() {
  auto* chunk = static_cast<std::byte*>(::operator new (kChunkSize, std::align_val_t{kChunkSize}));
#ifdef MADV_HUGEPAGE  // Linux
  ::madvise(chunk, kChunkSize, MADV_HUGEPAGE);
#endif
  return chunk;
}

void free_chunk(std::byte* chunk) noexcept {
  ::operator delete (chunk, std::align_val_t{kChunkSize});
}

}  // namespace smmap::detail
