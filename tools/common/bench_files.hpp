// What the benchmarks share (the `smmap bench` command and the Google
// Benchmark programs): a read-only descriptor that closes itself, the page
// cache reloaded as a disk read leaves it, pages faulted in, and the random
// offsets both draw.
//
// Thread safety: ReadOnlyFd is a value; the functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace smmap::tools {

// A read-only descriptor, closed on destruction.
class ReadOnlyFd {
 public:
  // Throws std::system_error naming |path| when it cannot be opened.
  explicit ReadOnlyFd(const std::filesystem::path& path);
  ReadOnlyFd(const ReadOnlyFd&) = delete;
  ReadOnlyFd& operator=(const ReadOnlyFd&) = delete;
  ~ReadOnlyFd();
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Writes |path| back to disk, drops it from the page cache and reads it in
// again, so that it sits in the page cache as data read from disk does: in
// the large folios readahead makes, not in the small ones of a fresh write.
// Throws std::system_error naming |path|.
void reload_through_readahead(const std::filesystem::path& path);

// Reads one byte of every 4 KiB page of |bytes|, so they are faulted in, and
// returns their sum (for the caller to keep, so the reads are not dropped).
std::uint64_t touch_pages(std::span<const std::byte> bytes) noexcept;

// The next number of a 64-bit linear congruential generator (Knuth's MMIX
// constants), high bits first: cheap and the same everywhere.
constexpr std::uint64_t next_random(std::uint64_t& state) noexcept {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return state >> 17;
}

}  // namespace smmap::tools
