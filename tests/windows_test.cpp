// Windows only: 64 KiB allocation granularity, force_map_handle_removal_win()
// releasing files so they can be shrunk, rewritten or replaced, and a file
// truncated under a view read as EIO (under Wine, where another process can
// truncate it).
#include <gtest/gtest.h>

#include <cerrno>
#include <smmap/smmap.hpp>
#include <system_error>

#include "invariants.hpp"
#include "system_calls.hpp"
#include "test_files.hpp"

namespace smmap {
namespace {

using testing::matches;
using testing::set_file_size;
using testing::TempDir;

const std::uint64_t G = ALLOCATIONGRANULARITY;
constexpr std::uint64_t kKiB = 1024;

TEST(WindowsTest, GranularityIsTheAllocationGranularity) {
  SYSTEM_INFO info{};
  ::GetSystemInfo(&info);
  EXPECT_EQ(G, info.dwAllocationGranularity);
  EXPECT_EQ(G, 64 * kKiB);
  EXPECT_GT(G, static_cast<std::uint64_t>(info.dwPageSize));
  EXPECT_EQ(align_to_mmap(4096, false), 0u);
  EXPECT_EQ(align_to_mmap(4096, true), 64 * kKiB);
}

TEST(WindowsTest, WindowsArePlacedOn64KiBBoundaries) {
  TempDir dir;
  const auto path = dir.make_file("data", 20 * G + 100);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(3 * G));
  EXPECT_EQ(manager.window_size(), 3 * G);
  WindowCursor cursor = manager.make_cursor(path);
  ASSERT_TRUE(cursor.use_region(5 * G + 4096, 100).is_valid());
  EXPECT_EQ(cursor.region()->ofs_begin() % (64 * kKiB), 0u);
  EXPECT_LE(cursor.region()->ofs_begin(), 5 * G + 4096);
  EXPECT_TRUE(matches(cursor.buffer(), 5 * G + 4096));
  // The last window ends at the file's end, not on a boundary.
  ASSERT_TRUE(cursor.use_region(20 * G + 50, 10).is_valid());
  EXPECT_EQ(cursor.region()->ofs_end(), 20 * G + 100);
  EXPECT_EQ(cursor.region()->ofs_begin() % (64 * kKiB), 0u);
  EXPECT_TRUE(matches(cursor.buffer(), 20 * G + 50));
  // A page offset is no mapping offset here.
  EXPECT_THROW(MapRegion(path, 4096, G), std::invalid_argument);
  MapRegion direct(path, G, 4096);
  EXPECT_TRUE(matches(direct.buffer(), G));
}

class ForceRemovalTest : public ::testing::Test {
 protected:
  TempDir dir_;
  TempDir elsewhere_;
  std::filesystem::path file_ = dir_.make_file("data", 16 * G);
  std::filesystem::path other_ = elsewhere_.make_file("other", 4 * G);
  SlidingWindowMapManager manager_{static_cast<std::int64_t>(2 * G)};
};

TEST_F(ForceRemovalTest, ReleasesTheFileSoItCanBeShrunk) {
  WindowCursor pinned = manager_.make_cursor(file_);
  ASSERT_TRUE(pinned.use_region(0, 100).is_valid());
  {
    WindowCursor unpinned = manager_.make_cursor(file_);
    ASSERT_TRUE(unpinned.use_region(8 * G, 100).is_valid());
  }
  WindowCursor outside = manager_.make_cursor(other_);
  ASSERT_TRUE(outside.use_region(0, 100).is_valid());
  ASSERT_EQ(manager_.num_file_handles(), 3u);

  // Windows (and Wine) refuse to shrink a file with a mapped view.
  EXPECT_EQ(set_file_size(file_, G), ERROR_USER_MAPPED_FILE);

  EXPECT_EQ(manager_.force_map_handle_removal_win(dir_.path()), 2u);
  EXPECT_EQ(set_file_size(file_, G), 0);
  EXPECT_EQ(std::filesystem::file_size(file_), G);
  std::filesystem::remove(file_);

  // The pinned cursor keeps the bytes it had, from memory of its own.
  ASSERT_TRUE(pinned.is_valid());
  EXPECT_TRUE(matches(pinned.buffer(), 0));
  EXPECT_TRUE(matches(pinned.map(), 0));
  // It cannot map anything new: its file is gone.
  try {
    pinned.use_region(8 * G, 100);
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::bad_file_descriptor);
    EXPECT_NE(std::string(error.what()).find("force_map_handle_removal_win"), std::string::npos);
  }
  EXPECT_FALSE(pinned.is_valid());

  // The file outside base_path is untouched.
  EXPECT_EQ(set_file_size(other_, G), ERROR_USER_MAPPED_FILE);
  EXPECT_TRUE(matches(outside.buffer(), 0));
  testing::check_invariants(manager_);
  pinned = WindowCursor();
  EXPECT_EQ(manager_.num_file_handles(), 1u);
}

TEST_F(ForceRemovalTest, NothingMappedNothingClosed) {
  EXPECT_EQ(manager_.force_map_handle_removal_win(dir_.path()), 0u);
  WindowCursor outside = manager_.make_cursor(other_);
  ASSERT_TRUE(outside.use_region(0, 100).is_valid());
  EXPECT_EQ(manager_.force_map_handle_removal_win(dir_.path()), 0u);
  EXPECT_EQ(manager_.num_file_handles(), 1u);
}

TEST_F(ForceRemovalTest, AFileReplacedBetweenCursors) {
  WindowCursor old_cursor = manager_.make_cursor(file_);
  ASSERT_TRUE(old_cursor.use_region(G, 100).is_valid());

  // Windows refuses to replace a file that is open; released, it may be.
  const auto replacement = dir_.path() / "replacement";
  testing::write_test_file(replacement, 3 * G);
  std::error_code refused;
  std::filesystem::rename(replacement, file_, refused);
  EXPECT_TRUE(refused);
  EXPECT_EQ(manager_.force_map_handle_removal_win(file_), 1u);
  std::filesystem::rename(replacement, file_);

  WindowCursor new_cursor = manager_.make_cursor(file_);
  EXPECT_EQ(new_cursor.file_size(), 3 * G);
  EXPECT_EQ(old_cursor.file_size(), 16 * G);
  ASSERT_TRUE(new_cursor.use_region(2 * G + 5, 10).is_valid());
  EXPECT_TRUE(matches(new_cursor.buffer(), 2 * G + 5));
  EXPECT_TRUE(matches(old_cursor.buffer(), G));
  EXPECT_EQ(manager_.num_open_files(), 2u);
  old_cursor = WindowCursor();
  EXPECT_EQ(manager_.num_open_files(), 1u);
  testing::check_invariants(manager_);
}

TEST_F(ForceRemovalTest, ADescriptorStaysTheCallers) {
  const int fd = testing::open_descriptor(file_);
  ASSERT_GE(fd, 0);
  {
    WindowCursor cursor = manager_.make_cursor(fd);
    ASSERT_TRUE(cursor.use_region(0, 100).is_valid());
    // Only entries made from paths are released.
    EXPECT_EQ(manager_.force_map_handle_removal_win(dir_.path()), 0u);
  }
  EXPECT_TRUE(testing::descriptor_is_open(fd));
  testing::close_descriptor(fd);
}

// A view whose file shrank: only another process can shrink a mapped file,
// which Wine lets a Unix program do (Windows itself refuses it; there a lost
// network or removable medium raises EXCEPTION_IN_PAGE_ERROR).
TEST(WindowsTruncationTest, ABufferReadOfALostPageIsEIO) {
  const wchar_t* truncate_program = L"Z:\\usr\\bin\\truncate";
  if (!testing::running_under_wine() ||
      ::GetFileAttributesW(truncate_program) == INVALID_FILE_ATTRIBUTES) {
    GTEST_SKIP() << "needs Wine and /usr/bin/truncate: Windows refuses to shrink a mapped file, "
                    "and no test can take a network or removable medium away";
  }
  TempDir dir;
  const auto path = dir.make_file("data", 16 * G);
  SlidingWindowMapManager manager(static_cast<std::int64_t>(16 * G));
  WindowCursor cursor = manager.make_cursor(path);
  SlidingWindowMapBuffer buffer(cursor, 0, 16 * G);
  std::vector<std::byte> out(4096);
  ASSERT_EQ(buffer.read(0, out), out.size());

  // The Unix program wants the Unix path (Wine's kernel32 tells it).
  using UnixName = char*(__cdecl*)(const wchar_t*);
  const auto unix_name = reinterpret_cast<UnixName>(reinterpret_cast<void*>(
      ::GetProcAddress(::GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name")));
  ASSERT_NE(unix_name, nullptr);
  char* unix_path = unix_name(path.c_str());
  ASSERT_NE(unix_path, nullptr);
  std::wstring command = std::wstring(truncate_program) + L" -s 4096 \"";
  for (const char* c = unix_path; *c != '\0'; ++c) command += static_cast<wchar_t>(*c);
  command += L"\"";
  ::HeapFree(::GetProcessHeap(), 0, unix_path);
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION process{};
  ASSERT_TRUE(::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, 0, nullptr,
                               nullptr, &startup, &process));
  ::CloseHandle(process.hThread);
  ::CloseHandle(process.hProcess);
  // Wine cannot wait for a Unix process: wait for its work instead.
  for (int i = 0; i < 600 && std::filesystem::file_size(path) != 4096; ++i) ::Sleep(50);
  ASSERT_EQ(std::filesystem::file_size(path), 4096u);

  try {
    buffer.read(8 * G, out);
    FAIL() << "expected EIO";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::io_error);
    EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
  }
  // The process goes on, and the bytes still there still read.
  EXPECT_EQ(buffer.read(0, std::span<std::byte>(out).first(100)), 100u);
  EXPECT_TRUE(matches(std::span<const std::byte>(out).first(100), 0));
}

}  // namespace
}  // namespace smmap
