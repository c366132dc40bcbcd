#include "bench_files.hpp"

#include <fcntl.h>
#ifdef _WIN32
#include <io.h>  // _open, _read, _close: the C runtime's descriptors
#else
#include <unistd.h>
#endif

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace smmap::tools {
namespace {

[[noreturn]] void throw_errno(const char* operation, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(),
                          std::string(operation) + " '" + path.string() + "'");
}

}  // namespace

#ifdef _WIN32

ReadOnlyFd::ReadOnlyFd(const std::filesystem::path& path)
    : fd_(::_wopen(path.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT)) {
  if (fd_ < 0) throw_errno("open", path);
}

ReadOnlyFd::~ReadOnlyFd() {
  ::_close(fd_);
}

namespace {
int read_some(int fd, char* into, std::size_t size) {
  return ::_read(fd, into, static_cast<unsigned>(size));
}
}  // namespace

#else

ReadOnlyFd::ReadOnlyFd(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (fd_ < 0) throw_errno("open", path);
}

ReadOnlyFd::~ReadOnlyFd() {
  ::close(fd_);
}

namespace {
ssize_t read_some(int fd, char* into, std::size_t size) {
  return ::read(fd, into, size);
}
}  // namespace

#endif

void reload_through_readahead(const std::filesystem::path& path) {
  const ReadOnlyFd file(path);
#if defined(__linux__)
  if (::fdatasync(file.get()) != 0) throw_errno("fdatasync", path);
  ::posix_fadvise(file.get(), 0, 0, POSIX_FADV_DONTNEED);
#elif !defined(_WIN32)
  // macOS has neither; written back, the pages stay cached.
  if (::fsync(file.get()) != 0) throw_errno("fsync", path);
#endif
  // Windows: no portable way to drop one file from the cache; it is read.
  std::vector<char> block(1 << 20);
  for (;;) {
    const auto got = read_some(file.get(), block.data(), block.size());
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

}  // namespace smmap::tools
