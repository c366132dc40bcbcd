#include "test_files.hpp"

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
// After windows.h, which it needs.
#include <fcntl.h>
#include <io.h>
#include <psapi.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

#include "pattern.hpp"

namespace smmap::testing {

std::byte byte_at(std::uint64_t offset) {
  return tools::pattern_byte(0, offset);
}

std::vector<std::byte> expected_bytes(std::uint64_t offset, std::size_t size) {
  std::vector<std::byte> bytes(size);
  tools::fill_pattern(0, offset, bytes);
  return bytes;
}

bool matches(std::span<const std::byte> bytes, std::uint64_t offset) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != byte_at(offset + i)) return false;
  }
  return true;
}

TempDir::TempDir() {
#ifdef _WIN32
  // No mkdtemp(): a random name, made with create_directory(), which fails
  // rather than reuse one that exists.
  static std::atomic<unsigned> serial{0};
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string name = "smmap-test-" + std::to_string(::GetCurrentProcessId()) + "-" +
                             std::to_string(serial++) + "-" + std::to_string(random() % 100000);
    const std::filesystem::path candidate = std::filesystem::temp_directory_path() / name;
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot make a temporary directory");
#else
  std::string pattern = (std::filesystem::temp_directory_path() / "smmap-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
#endif
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
    tools::fill_pattern(0, done, std::span(block).first(n));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    done += n;
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

#ifdef _WIN32

int open_descriptor(const std::filesystem::path& path) {
  return ::_wopen(path.c_str(), _O_RDONLY | _O_BINARY);
}

void close_descriptor(int fd) {
  ::_close(fd);
}

bool descriptor_is_open(int fd) {
  return ::_get_osfhandle(fd) != -1;
}

int set_file_size(const std::filesystem::path& path, std::uint64_t size) {
  HANDLE file = ::CreateFileW(path.c_str(), GENERIC_WRITE,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return static_cast<int>(::GetLastError());
  LARGE_INTEGER end{};
  end.QuadPart = static_cast<LONGLONG>(size);
  int error = 0;
  if (!::SetFilePointerEx(file, end, nullptr, FILE_BEGIN) || !::SetEndOfFile(file)) {
    error = static_cast<int>(::GetLastError());
  }
  ::CloseHandle(file);
  return error;
}

std::size_t count_open_fds() {
  // Handles of files on disk only: threads, events and the like come and go
  // with the runtime. Windows and Wine hand handle values out from 4 in
  // steps of 4, lowest free first, so a long run of misses is the end.
  std::size_t found = 0;
  for (std::uintptr_t value = 4, misses = 0; misses < 256; value += 4) {
    const auto handle = reinterpret_cast<HANDLE>(value);
    DWORD flags = 0;
    if (!::GetHandleInformation(handle, &flags)) {
      ++misses;
      continue;
    }
    misses = 0;
    if (::GetFileType(handle) == FILE_TYPE_DISK) ++found;
  }
  return found;
}

std::size_t count_mappings() {
  std::size_t count = 0;
  MEMORY_BASIC_INFORMATION info{};
  const char* address = nullptr;
  while (::VirtualQuery(address, &info, sizeof info) == sizeof info) {
    if (info.Type == MEM_MAPPED && info.BaseAddress == info.AllocationBase) {
      wchar_t name[MAX_PATH * 2];
      const DWORD length = ::K32GetMappedFileNameW(::GetCurrentProcess(), info.BaseAddress, name,
                                                   sizeof name / sizeof name[0]);
      if (std::wstring(name, length).find(L"smmap-test-") != std::wstring::npos) ++count;
    }
    address = static_cast<const char*>(info.BaseAddress) + info.RegionSize;
  }
  return count;
}

bool running_under_wine() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

#else

int open_descriptor(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_RDONLY);
}

void close_descriptor(int fd) {
  ::close(fd);
}

bool descriptor_is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

int set_file_size(const std::filesystem::path& path, std::uint64_t size) {
  return ::truncate(path.c_str(), static_cast<off_t>(size)) == 0 ? 0 : errno;
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

bool running_under_wine() {
  return false;
}

#endif

}  // namespace smmap::testing
