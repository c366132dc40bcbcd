#include "test_files.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "pattern.hpp"

namespace smmap::testing {

std::byte byte_at(std::uint64_t offset) {
  return support::pattern_byte(0, offset);
}

std::vector<std::byte> expected_bytes(std::uint64_t offset, std::size_t size) {
  std::vector<std::byte> bytes(size);
  support::fill_pattern(0, offset, bytes);
  return bytes;
}

bool matches(std::span<const std::byte> bytes, std::uint64_t offset) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != byte_at(offset + i)) return false;
  }
  return true;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "smmap-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::make_file(const std::string& name, std::uint64_t size) const {
  const std::filesystem::path file = path_ / name;
  write_test_file(file, size);
  return file;
}

void write_test_file(const std::filesystem::path& path, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<std::byte> block(1 << 16);
  for (std::uint64_t done = 0; done < size;) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size - done));
    support::fill_pattern(0, done, std::span(block).first(n));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    done += n;
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::size_t count_open_fds() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++count;
  return count;
}

std::size_t count_mappings() {
  std::ifstream maps("/proc/self/maps");
  std::size_t count = 0;
  for (std::string line; std::getline(maps, line);) {
    if (line.find("/smmap-test-") != std::string::npos) ++count;
  }
  return count;
}

}  // namespace smmap::testing
