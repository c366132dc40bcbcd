// Test data whose every byte depends on its offset, so a read from the wrong
// place cannot pass unseen, and a temporary directory that cleans up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace smmap::testing {

// The byte at |offset| of every test file: eight bytes of a 64-bit hash of
// offset / 8, so neighbouring pages and windows never look alike.
std::byte byte_at(std::uint64_t offset);

// The bytes [offset, offset + size) of a test file.
std::vector<std::byte> expected_bytes(std::uint64_t offset, std::size_t size);

// True iff |bytes| equal the test file's bytes starting at |offset|.
bool matches(std::span<const std::byte> bytes, std::uint64_t offset);

// A fresh directory under the system's temporary directory, removed with
// everything in it on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  // Writes a test file of |size| bytes named |name| and returns its path.
  std::filesystem::path make_file(const std::string& name, std::uint64_t size) const;

 private:
  std::filesystem::path path_;
};

// Writes |size| test bytes to |path|, replacing what was there.
void write_test_file(const std::filesystem::path& path, std::uint64_t size);

// A descriptor of |path| opened read-only (on Windows, the C runtime's), or
// -1; closed again with close_descriptor().
int open_descriptor(const std::filesystem::path& path);
void close_descriptor(int fd);
// True iff |fd| is an open descriptor.
bool descriptor_is_open(int fd);

// Sets the size of |path| to |size| bytes (POSIX truncate(), Windows
// SetEndOfFile()). Returns 0, or the system's error: errno on POSIX,
// GetLastError() on Windows (ERROR_USER_MAPPED_FILE while the file is mapped).
int set_file_size(const std::filesystem::path& path, std::uint64_t size);

// Open descriptors of this process, from /proc/self/fd; on Windows, the
// process's handles of files on disk.
std::size_t count_open_fds();
// Mappings of files in TempDir directories, from /proc/self/maps (on
// Windows, the mapped views whose file is in one): those the library makes in
// tests. Other mappings come and go with the allocator, thread stacks and
// sanitizers, so they are not counted.
std::size_t count_mappings();

// True when the tests run under Wine (wine_get_version() is exported by
// Wine's ntdll).
bool running_under_wine();

}  // namespace smmap::testing
