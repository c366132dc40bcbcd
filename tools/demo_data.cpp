#include "demo_data.hpp"

#include <fcntl.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#include <sys/stat.h>

#include <random>
#endif

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include "errors.hpp"
#include "interrupt.hpp"
#include "pattern.hpp"

namespace smmap::tools {
namespace {

// Files differ in the high bits of the splitmix64 input (offsets / 8 stay below 2^40).
std::uint64_t file_seed(std::size_t file) {
  return std::uint64_t{file + 1} << 40;
}

// A new directory of this program's own under the temporary directory.
std::filesystem::path make_private_directory() {
  const std::filesystem::path temp = std::filesystem::temp_directory_path();
#ifdef _WIN32
  // No mkdtemp(): create_directory() fails rather than reuse one that exists.
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::filesystem::path candidate = temp / ("smmap-demo-" + std::to_string(random()));
    if (std::filesystem::create_directory(candidate)) return candidate;
  }
  throw_error({.operation = "create a directory in", .file = file_name(temp)}, EEXIST);
#else
  std::string pattern = (temp / "smmap-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw_error({.operation = "mkdtemp", .file = pattern}, errno);
  }
  return pattern;
#endif
}

// A descriptor of the new file |path| for writing; fails if it exists.
int create_new_file(const std::filesystem::path& path) {
#ifdef _WIN32
  return ::_wopen(path.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
#else
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
#endif
}

}  // namespace

void fill_demo_bytes(std::size_t file, std::uint64_t offset, std::span<std::byte> out) {
  tools::fill_pattern(file_seed(file), offset, out);
}

DemoData::DemoData(std::size_t count, std::uint64_t size, const BlockWritten& on_block)
    : file_size_(size) {
  directory_ = make_private_directory();
  try {
    for (std::size_t i = 0; i < count; ++i) {
      files_.push_back(directory_ / ("demo-" + std::to_string(i) + ".bin"));
      write_file(i, on_block);
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    throw;
  }
}

DemoData::~DemoData() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void DemoData::write_file(std::size_t index, const BlockWritten& on_block) {
  const std::filesystem::path& path = files_[index];
  const int fd = create_new_file(path);
  if (fd < 0) throw_error({.operation = "create", .file = file_name(path)}, errno);
  std::vector<std::byte> block(std::size_t{1} << 20);
  try {
    for (std::uint64_t offset = 0; offset < file_size_;) {
      throw_if_interrupted();
      const auto length =
          static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), file_size_ - offset));
      const std::span<std::byte> bytes(block.data(), length);
      fill_demo_bytes(index, offset, bytes);
      for (std::size_t done = 0; done < length;) {
        const std::size_t chunk = std::min<std::size_t>(length - done, 1 << 30);
        const auto wrote = ::write(fd, bytes.data() + done, static_cast<unsigned>(chunk));
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) {
          throw_error({.operation = "write",
                       .file = file_name(path),
                       .offset = offset + done,
                       .size = length - done},
                      errno);
        }
        done += static_cast<std::size_t>(wrote);
      }
      if (on_block) on_block(index, bytes);
      offset += length;
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw_error({.operation = "close", .file = file_name(path)}, errno);
}

}  // namespace smmap::tools
