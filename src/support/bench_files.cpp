#include "bench_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace smmap::support {
namespace {

[[noreturn]] void throw_errno(const char* operation, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(),
                          std::string(operation) + " '" + path.string() + "'");
}

}  // namespace

ReadOnlyFd::ReadOnlyFd(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (fd_ < 0) throw_errno("open", path);
}

ReadOnlyFd::~ReadOnlyFd() {
  ::close(fd_);
}

void reload_through_readahead(const std::filesystem::path& path) {
  const ReadOnlyFd file(path);
  if (::fdatasync(file.get()) != 0) throw_errno("fdatasync", path);
  ::posix_fadvise(file.get(), 0, 0, POSIX_FADV_DONTNEED);
  std::vector<char> block(1 << 20);
  for (;;) {
    const ssize_t got = ::read(file.get(), block.data(), block.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_errno("read", path);
    if (got == 0) break;
  }
}

std::uint64_t touch_pages(std::span<const std::byte> bytes) noexcept {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 4096) {
    sum += std::to_integer<std::uint64_t>(bytes[i]);
  }
  return sum;
}

}  // namespace smmap::support
