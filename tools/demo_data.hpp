// tools/demo_data.hpp — demo files for `smmap scan` (and benchmarks): several
// files whose every byte depends on its file and offset, in a fresh
// temporary directory that is removed with the object.
//
// File |f| holds the pattern of tools/common/pattern.hpp with seed
// (f + 1) << 40: no two pages, windows or files look alike.
//
//   DemoData demo(4, 64 << 20);            // 4 files of 64 MiB
//   for (const auto& path : demo.files()) scan(path);
//   // ~DemoData removes the directory
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

namespace smmap::tools {

class DemoData {
 public:
  // Called for each block written, in file order and offset order.
  using BlockWritten = std::function<void(std::size_t file, std::span<const std::byte> block)>;

  // Writes |count| files of |size| bytes each into a new directory under the
  // system's temporary directory ($TMPDIR or /tmp).
  // Throws std::system_error or std::filesystem::filesystem_error naming the
  // path when it cannot; what was written is removed again.
  DemoData(std::size_t count, std::uint64_t size, const BlockWritten& on_block = nullptr);
  DemoData(const DemoData&) = delete;
  DemoData& operator=(const DemoData&) = delete;
  // Removes the directory and everything in it.
  ~DemoData();

  const std::filesystem::path& directory() const noexcept { return directory_; }
  const std::vector<std::filesystem::path>& files() const noexcept { return files_; }
  std::uint64_t file_size() const noexcept { return file_size_; }
  std::uint64_t total_size() const noexcept { return file_size_ * files_.size(); }

 private:
  void write_file(std::size_t index, const BlockWritten& on_block);

  std::filesystem::path directory_;
  std::vector<std::filesystem::path> files_;
  std::uint64_t file_size_ = 0;
};

// Fills |out| with the demo bytes of file |file| starting at |offset|.
void fill_demo_bytes(std::size_t file, std::uint64_t offset, std::span<std::byte> out);

}  // namespace smmap::tools
