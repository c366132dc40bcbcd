// smmap scan — reads files completely through a SlidingWindowMapManager and
// prints a checksum per file and the manager's statistics. With no files it
// scans a demo data set under a memory limit a quarter of its size.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <system_error>
#include <vector>

#include <smmap/smmap.hpp>

#include "checksum.hpp"
#include "commands.hpp"
#include "demo_data.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "manager_options.hpp"
#include "progress.hpp"

namespace smmap::tools {

const char kScanUsage[] =
    "Usage: smmap scan [--window SIZE] [--max-memory SIZE] [--max-handles N] "
    "[--adaptive on|off] [--max-copy-memory SIZE] [FILE...]\n"
    "\n"
    "Reads each FILE completely through a sliding-window manager, 64 KiB at a\n"
    "time, round-robin over up to 4 files at once, and prints each file's\n"
    "64-bit FNV-1a checksum, then the manager's statistics.\n"
    "\n"
    "With no FILE, writes a demo data set (4 files of 64 MiB) to a temporary\n"
    "directory, scans it with 1 MiB windows under a 64 MiB limit, checks the\n"
    "checksums against the data written, and removes it.\n"
    "\n"
    "  --window SIZE       largest window (default: 1 GiB; demo: 1 MiB; 0: whole files)\n"
    "  --max-memory SIZE   soft limit of mapped bytes (default: 8 GiB; demo: 64 MiB)\n"
    "  --max-handles N     most windows mapped at once (default: no limit)\n"
    "  --adaptive on|off   adaptive windows: copy windows where they cost less\n"
    "                      (default: on)\n"
    "  --max-copy-memory SIZE  the most bytes copy windows hold (default: 64 MiB;\n"
    "                      16 MiB on 32-bit)\n";

namespace {

constexpr std::size_t kChunkSize = 64 * 1024;
constexpr std::uint64_t kMaxInterleave = 4;
constexpr std::size_t kDemoFiles = 4;
constexpr std::uint64_t kDemoFileSize = 64 << 20;
constexpr std::int64_t kDemoWindow = 1 << 20;
constexpr std::uint64_t kDemoMaxMemory = 64 << 20;

struct FileResult {
  std::string path;
  std::uint64_t size = 0;
  std::uint64_t checksum = 0;
  std::string error;  // empty on success
};

// A file being read: a cursor, a buffer over the whole file, and how far the
// checksum has got.
struct OpenFile {
  std::size_t index = 0;
  WindowCursor cursor;
  SlidingWindowMapBuffer buffer;
  std::uint64_t position = 0;
  Fnv1a64 hash;
};

// Reads files in 64 KiB chunks, round-robin over up to |interleave| open files
// so that windows of different files compete for the memory limit.
class Scanner {
 public:
  Scanner(SlidingWindowMapManager& manager, std::uint64_t interleave, ProgressBar& progress)
      : manager_(manager), interleave_(interleave), progress_(progress), chunk_(kChunkSize) {}

  std::vector<FileResult> run(const std::vector<std::string>& paths) {
    results_.assign(paths.size(), {});
    for (std::size_t i = 0; i < paths.size(); ++i) results_[i].path = paths[i];
    next_ = 0;
    refill();
    while (!active_.empty()) {
      throw_if_interrupted();
      for (std::size_t i = 0; i < active_.size();) {
        if (read_chunk(*active_[i])) {
          ++i;
        } else {
          results_[active_[i]->index].checksum = active_[i]->hash.value();
          active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(i));
        }
      }
      refill();
    }
    return std::move(results_);
  }

 private:
  // Opens files until |interleave_| are open or none is left.
  void refill() {
    while (active_.size() < interleave_ && next_ < results_.size()) {
      FileResult& result = results_[next_];
      auto file = std::make_unique<OpenFile>();
      file->index = next_++;
      try {
        file->cursor = manager_.make_cursor(std::filesystem::path(result.path));
        result.size = file->cursor.file_size();
        result.checksum = Fnv1a64().value();
        if (result.size == 0) continue;
        file->buffer.begin_access(file->cursor);
        active_.push_back(std::move(file));
      } catch (const std::system_error& error) {
        result.error = error_message(error);
      }
    }
  }

  // Reads the next chunk of |file|; false when the file is done or failed.
  bool read_chunk(OpenFile& file) {
    FileResult& result = results_[file.index];
    try {
      const std::size_t got = file.buffer.read(file.position, chunk_);
      if (got == 0) {
        throw_error(
            {.operation = "read",
             .file = result.path,
             .offset = file.position,
             .size = std::min<std::uint64_t>(chunk_.size(), file.buffer.size() - file.position)},
            "unexpected end of file");
      }
      file.hash.update(std::span(chunk_.data(), got));
      file.position += got;
      progress_.advance(got);
      return file.position < file.buffer.size();
    } catch (const Interrupted&) {
      throw;
    } catch (const std::exception& error) {
      result.error = error_message(error);
      return false;
    }
  }

  SlidingWindowMapManager& manager_;
  std::uint64_t interleave_;
  ProgressBar& progress_;
  std::vector<std::byte> chunk_;
  std::vector<FileResult> results_;
  std::vector<std::unique_ptr<OpenFile>> active_;
  std::size_t next_ = 0;
};

std::uint64_t total_size(const std::vector<std::string>& paths) {
  std::uint64_t total = 0;
  for (const std::string& path : paths) {
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (!error) total += size;
  }
  return total;
}

struct ScanReport {
  std::vector<FileResult> results;
  std::size_t failures = 0;  // results with an error
};

// Scans |paths|, prints a checksum line per file (an error line on stderr for
// each file that failed), a summary and the manager's statistics.

ScanReport scan_and_print(SlidingWindowMapManager& manager, const std::vector<std::string>& paths) {
  const std::uint64_t total = total_size(paths);
  const std::uint64_t interleave = std::min(kMaxInterleave, manager.max_file_handles());
  const auto start = std::chrono::steady_clock::now();
  ScanReport report;
  {
    ProgressBar progress("scan", total);
    report.results = Scanner(manager, interleave, progress).run(paths);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::uint64_t bytes = 0;
  for (const FileResult& result : report.results) {
    if (result.error.empty()) {
      std::printf("%s  %s\n", to_hex(result.checksum).c_str(), result.path.c_str());
      bytes += result.size;
    } else {
      print_error(result.error);
      ++report.failures;
    }
  }
  const std::size_t files = report.results.size() - report.failures;
  std::printf("\nread %s from %zu file%s in %.2f s (%.0f MiB/s), %s\n", format_size(bytes).c_str(),
              files, files == 1 ? "" : "s", seconds,
              seconds > 0 ? static_cast<double>(bytes) / (1 << 20) / seconds : 0.0,
              describe_limits(manager).c_str());
  std::fflush(stdout);
  std::cout << manager.stats() << std::flush;
  return report;
}

int run_demo(const ManagerOptions& options) {
  std::vector<Fnv1a64> written(kDemoFiles);
  std::string directory;
  std::size_t mismatches = 0;
  {
    std::printf("demo: writing %zu files of %s to %s\n", kDemoFiles,
                format_size(kDemoFileSize).c_str(),
                std::filesystem::temp_directory_path().string().c_str());
    std::fflush(stdout);
    ProgressBar progress("write", kDemoFiles * kDemoFileSize);
    DemoData demo(kDemoFiles, kDemoFileSize,
                  [&](std::size_t file, std::span<const std::byte> block) {
                    written[file].update(block);
                    progress.advance(block.size());
                  });
    progress.finish();
    directory = demo.directory().string();

    SlidingWindowMapManager manager = options.make_manager(kDemoWindow, kDemoMaxMemory);
    std::vector<std::string> paths;
    for (const auto& path : demo.files()) paths.push_back(path.string());
    const ScanReport report = scan_and_print(manager, paths);
    if (report.failures != 0) return 1;
    for (std::size_t i = 0; i < kDemoFiles; ++i) {
      if (report.results[i].checksum != written[i].value()) {
        print_error(FileOperation{.operation = "read", .file = paths[i]}.message(
            "checksum " + to_hex(report.results[i].checksum) + ", but the data written has " +
            to_hex(written[i].value())));
        ++mismatches;
      }
    }
  }
  if (mismatches == 0) {
    std::printf("demo: checksums match the data written; removed %s\n", directory.c_str());
  }
  return mismatches == 0 ? 0 : 1;
}

}  // namespace

int run_scan(const Args& arguments) {
  ManagerOptions options;
  const std::vector<std::string> files = options.parse_all(arguments);
  if (files.empty()) return run_demo(options);
  SlidingWindowMapManager manager = options.make_manager();
  return scan_and_print(manager, files).failures == 0 ? 0 : 1;
}

}  // namespace smmap::tools
