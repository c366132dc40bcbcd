#include "mapping.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <new>

#include "system_calls.hpp"

namespace smmap::detail {
namespace {

// Copies are page-aligned, like the mappings they stand in for.
constexpr std::align_val_t kCopyAlignment{4096};

constexpr std::size_t kPoolBlock = 4096;

// One-page blocks freed by this thread, reused before asking the allocator:
// copy windows come and go one per miss, and an aligned allocation costs
// more than the bookkeeping of the miss. A few per thread, freed at exit.
class BlockPool {
 public:
  BlockPool() = default;
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;
  ~BlockPool() {
    while (count_ > 0) ::operator delete[](blocks_[--count_], kCopyAlignment);
  }
  std::byte* take() noexcept { return count_ > 0 ? blocks_[--count_] : nullptr; }
  bool give(std::byte* block) noexcept {
    if (count_ == kBlocks) return false;
    blocks_[count_++] = block;
    return true;
  }

 private:
  static constexpr std::size_t kBlocks = 16;
  std::byte* blocks_[kBlocks] = {};
  std::size_t count_ = 0;
};

thread_local BlockPool t_pool;

std::byte* allocate_copy(std::size_t size) {
  if (size == kPoolBlock) {
    if (std::byte* block = t_pool.take()) return block;
  }
  return static_cast<std::byte*>(::operator new[](size, kCopyAlignment));
}

// Frees a block from read_copy(); its bytes are never written after the read.
void free_copy(const std::byte* bytes, std::size_t size) noexcept {
  auto* block = const_cast<std::byte*>(bytes);
  if (size == kPoolBlock && t_pool.give(block)) return;
  ::operator delete[](block, kCopyAlignment);
}

}  // namespace

Mapping read_copy(int fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  // Not value-initialised: pread writes every byte or the block is freed.
  std::byte* bytes = allocate_copy(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got =
        system_calls().pread(fd, bytes + done, size - done, static_cast<off_t>(ofs + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const int err = got < 0 ? errno : EIO;
      free_copy(bytes, size);
      throw_system_error(err, got < 0 ? "pread" : "pread (file shrank)", what, ofs, size);
    }
    done += static_cast<std::size_t>(got);
  }
  return Mapping{{bytes, size}, true};
}

Mapping map_or_copy(int fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  void* address =
      system_calls().mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(ofs));
  if (address != MAP_FAILED) return Mapping{{static_cast<const std::byte*>(address), size}, false};
  const int err = errno;
  if (err != ENODEV) throw_system_error(err, "mmap", what, ofs, size);
  return read_copy(fd, what, ofs, size);
}

void unmap(const Mapping& mapping) noexcept {
  if (mapping.bytes.data() == nullptr) return;
  if (mapping.copied) {
    free_copy(mapping.bytes.data(), mapping.bytes.size());
  } else {
    system_calls().munmap(const_cast<std::byte*>(mapping.bytes.data()), mapping.bytes.size());
  }
}

}  // namespace smmap::detail
