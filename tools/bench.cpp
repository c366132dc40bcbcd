// smmap bench — the same reads through this library and through its
// alternatives, side by side in one run: a sliding manager under a memory
// limit, a static manager, pread, one whole-file mmap per file (the ideal)
// and a naive mmap per read. docs/benchmarks.md shows the results.
#ifdef _WIN32

#include <stdexcept>

#include "commands.hpp"

namespace smmap::tools {

const char kBenchUsage[] =
    "Usage: smmap bench [OPTIONS] [FILE...]\n"
    "\n"
    "Not available on Windows: it compares the manager with pread and mmap.\n";

int run_bench(const Args&) {
  throw std::runtime_error("bench is not available on Windows (it compares with pread and mmap)");
}

}  // namespace smmap::tools

#else

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <smmap/smmap.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_files.hpp"
#include "commands.hpp"
#include "demo_data.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "manager_options.hpp"
#include "options.hpp"

namespace smmap::tools {

const char kBenchUsage[] =
    "Usage: smmap bench [OPTIONS] [FILE...]\n"
    "\n"
    "Reads the same offsets of the same files with each strategy in turn and\n"
    "prints a table: CPU ns per read, MB/s, peak mapped bytes and regions, the\n"
    "peak of private memory (RssAnon) above the run's start, and ratios\n"
    "against pread and against one whole-file map per file.\n"
    "\n"
    "Patterns: random (uniform 64-byte reads over all files), clustered (runs\n"
    "of 32 64-byte reads a few KiB apart, as a pack reader makes), sequential\n"
    "(every file once, 64 KiB at a time).\n"
    "Strategies: sliding (SlidingWindowMapManager with --window/--max-memory),\n"
    "static (StaticWindowMapManager, whole files), pread, whole-map (one\n"
    "unlimited mmap per file), mmap-per-read (map, copy, unmap every read).\n"
    "\n"
    "Whole-file maps (static, whole-map) are faulted in before timing, and\n"
    "every run starts with a few untimed reads.\n"
    "\n"
    "With no FILE, writes demo data (4 files of 64 MiB) to a temporary\n"
    "directory, checks sampled reads against it, and removes it afterwards.\n"
    "\n"
    "  --files N               demo files (default 4)\n"
    "  --file-size SIZE        size of each demo file (default 64M)\n"
    "  --window SIZE           sliding window (default 1M)\n"
    "  --max-memory SIZE       sliding memory limit (default 64M)\n"
    "  --max-handles N         sliding handle limit (default none)\n"
    "  --max-copy-memory SIZE  sliding copy budget (default: the library's)\n"
    "  --align-large-windows on|off\n"
    "                          2 MiB-align windows of 2 MiB or more (default: the library's)\n"
    "  --adaptive on|off       sliding: adaptive windows (default: the library's)\n"
    "  --reads N               reads per run for random and clustered (default 300000)\n"
    "  --time SECONDS          stop a run after this much time (default 1.0)\n"
    "  --pattern P             random, clustered or sequential; repeatable (default all)\n"
    "  --strategy S            one of the strategies; repeatable (default all)\n"
    "  --repeat N              run everything N times, keep each run's fastest (default 1)\n"
    "  --json                  print JSON instead of the table\n";

namespace {

constexpr std::uint64_t kMiB = 1 << 20;
constexpr std::size_t kDefaultFiles = 4;
constexpr std::uint64_t kDefaultFileSize = 64 * kMiB;
constexpr std::int64_t kDefaultWindow = 1 << 20;
constexpr std::uint64_t kDefaultMaxMemory = 64 * kMiB;
constexpr std::uint64_t kSmallRead = 64;
constexpr std::uint64_t kScanRead = 64 * 1024;
constexpr std::size_t kClusterRun = 32;
constexpr std::uint64_t kClusterStep = 4096;
constexpr std::size_t kCheckEvery = 1021;  // reads between checks against the demo bytes
constexpr std::size_t kWarmUpReads = 2000;

const char* const kPatterns[] = {"random", "clustered", "sequential"};
const char* const kStrategies[] = {"sliding", "static", "pread", "whole-map", "mmap-per-read"};

struct Read {
  std::uint32_t file;
  std::uint32_t size;
  std::uint64_t offset;
};

struct Config {
  std::size_t files = kDefaultFiles;
  std::uint64_t file_size = kDefaultFileSize;
  std::uint64_t reads = 300000;
  double seconds = 1.0;
  unsigned repeat = 1;
  std::optional<bool> align;
  std::vector<std::string> patterns;
  std::vector<std::string> strategies;
  bool json = false;
  ManagerOptions manager;
  std::vector<std::string> paths;
};

struct Result {
  std::string pattern;
  std::string strategy;
  std::uint64_t reads = 0;
  std::uint64_t bytes = 0;
  double cpu_ns = 0;
  double wall_ns = 0;
  std::uint64_t peak_mapped = 0;
  std::uint64_t peak_regions = 0;
  std::uint64_t maps = 0;
  // Sliding only: how the manager served the reads (ManagerStats).
  std::uint64_t copy_windows = 0;
  std::uint64_t read_throughs = 0;
  std::uint64_t region_hits = 0;
  std::uint64_t cursor_hits = 0;
  // The most RssAnon grew above its value at the run's start, sampled every
  // 10 ms of the run and at its end; nullopt where the system has no RssAnon.
  std::optional<std::uint64_t> peak_private;
  double ns_per_read() const { return reads ? cpu_ns / static_cast<double>(reads) : 0; }
  double wall_ns_per_read() const { return reads ? wall_ns / static_cast<double>(reads) : 0; }
  double mb_per_s() const { return cpu_ns > 0 ? static_cast<double>(bytes) * 1e3 / cpu_ns : 0; }
};

std::vector<Read> make_reads(const std::string& pattern, const std::vector<std::uint64_t>& sizes,
                             std::uint64_t count) {
  std::vector<Read> reads;
  std::uint64_t seed = 42;
  const auto files = static_cast<std::uint32_t>(sizes.size());
  if (pattern == "sequential") {
    for (std::uint32_t f = 0; f < files; ++f) {
      for (std::uint64_t at = 0; at < sizes[f]; at += kScanRead) {
        reads.push_back({f, static_cast<std::uint32_t>(std::min(kScanRead, sizes[f] - at)), at});
      }
    }
    return reads;
  }
  reads.reserve(static_cast<std::size_t>(count));
  while (reads.size() < count) {
    const auto f = static_cast<std::uint32_t>(tools::next_random(seed) % files);
    if (sizes[f] <= kSmallRead) continue;
    std::uint64_t at = tools::next_random(seed) % (sizes[f] - kSmallRead);
    const std::size_t run = pattern == "clustered" ? kClusterRun : 1;
    for (std::size_t i = 0; i < run && reads.size() < count && at + kSmallRead <= sizes[f]; ++i) {
      reads.push_back({f, static_cast<std::uint32_t>(kSmallRead), at});
      at += tools::next_random(seed) % kClusterStep;
    }
  }
  return reads;
}

double thread_cpu_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// The process's private memory (RssAnon in /proc/self/status), in bytes, or
// nullopt where the system does not report it.
std::optional<std::uint64_t> private_bytes() {
  std::ifstream status("/proc/self/status");
  std::string word;
  while (status >> word) {
    if (word == "RssAnon:") {
      std::uint64_t kib = 0;
      if (status >> kib) return kib * 1024;
      break;
    }
  }
  return std::nullopt;
}

// The peak of private memory during a run, above its value at the start.
class PrivateMemoryPeak {
 public:
  PrivateMemoryPeak() : start_(private_bytes()), last_(std::chrono::steady_clock::now()) {}
  // Samples if 10 ms passed since the last sample.
  void maybe_sample(std::chrono::steady_clock::time_point now) {
    if (now - last_ < std::chrono::milliseconds(10)) return;
    last_ = now;
    sample();
  }
  void sample() {
    const std::optional<std::uint64_t> now = private_bytes();
    if (start_ && now) peak_ = std::max(peak_, *now > *start_ ? *now - *start_ : 0);
  }
  std::optional<std::uint64_t> peak() const {
    return start_ ? std::optional<std::uint64_t>(peak_) : std::nullopt;
  }

 private:
  std::optional<std::uint64_t> start_;
  std::chrono::steady_clock::time_point last_;
  std::uint64_t peak_ = 0;
};

// Where results go that nobody reads, so the compiler keeps the reads.
volatile std::uint64_t g_sink = 0;

// Faults in every page of |bytes|, so that unlimited maps are timed in their
// steady state.
void touch_pages(std::span<const std::byte> bytes) {
  g_sink = g_sink + tools::touch_pages(bytes);
}

// One read-only descriptor per file, and the file's name for messages.
class Fds {
 public:
  explicit Fds(const std::vector<std::filesystem::path>& paths) {
    for (const auto& path : paths) {
      fds_.push_back(std::make_unique<tools::ReadOnlyFd>(path));
      names_.push_back(file_name(path));
    }
  }
  int operator[](std::size_t i) const { return fds_[i]->get(); }
  const std::string& name(std::size_t i) const { return names_[i]; }

 private:
  std::vector<std::unique_ptr<tools::ReadOnlyFd> > fds_;
  std::vector<std::string> names_;
};

// Reads through one cursor per file of a manager.
class ManagerReader {
 public:
  // |touch|: map each file's first window and fault in its pages now (for
  // the static manager, whose whole-file regions then hold everything).
  ManagerReader(StaticWindowMapManager& manager, const std::vector<std::filesystem::path>& paths,
                bool touch)
      : manager_(manager) {
    for (const auto& path : paths) {
      cursors_.push_back(manager.make_cursor(path));
      if (touch) touch_pages(cursors_.back().use_region(0).map());
    }
  }
  // As a client reads: one use_region() and one copy when the window holds
  // the whole read (the common case, kept small so that it inlines like the
  // other strategies' reads), a loop across windows otherwise.
  void read(const Read& r, std::byte* out) {
    WindowCursor& cursor = cursors_[r.file];
    const std::span<const std::byte> bytes = cursor.use_region(r.offset, r.size).buffer();
    if (bytes.size() == r.size) [[likely]] {
      std::memcpy(out, bytes.data(), bytes.size());
      return;
    }
    read_across(cursor, r, out);
  }
  [[gnu::noinline]] static void read_across(WindowCursor& cursor, const Read& r, std::byte* out) {
    for (std::uint64_t done = 0; done < r.size;) {
      const std::span<const std::byte> bytes =
          cursor.use_region(r.offset + done, r.size - done).buffer();
      if (bytes.empty()) {
        throw_error({.operation = "read",
                     .file = file_name(cursor.path()),
                     .offset = r.offset + done,
                     .size = r.size - done},
                    "past the end of the file");
      }
      std::memcpy(out + done, bytes.data(), bytes.size());
      done += bytes.size();
    }
  }
  void finish(Result& result) {
    cursors_.clear();
    const ManagerStats stats = manager_.stats();
    result.peak_mapped = stats.peak_mapped_bytes;
    result.peak_regions = stats.peak_regions;
    result.maps = stats.maps;
    result.copy_windows = stats.copy_windows;
    result.read_throughs = stats.read_throughs;
    result.region_hits = stats.region_hits;
    result.cursor_hits = stats.cursor_hits;
  }

 private:
  StaticWindowMapManager& manager_;
  std::vector<WindowCursor> cursors_;
};

class PreadReader {
 public:
  explicit PreadReader(const std::vector<std::filesystem::path>& paths) : fds_(paths) {}
  void read(const Read& r, std::byte* out) {
    for (std::uint64_t done = 0; done < r.size;) {
      const ssize_t got = ::pread(fds_[r.file], out + done, static_cast<std::size_t>(r.size - done),
                                  static_cast<off_t>(r.offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        const FileOperation where{.operation = "pread",
                                  .file = fds_.name(r.file),
                                  .offset = r.offset + done,
                                  .size = r.size - done};
        if (got < 0) throw_error(where, errno);
        throw_error(where, "unexpected end of file");
      }
      done += static_cast<std::uint64_t>(got);
    }
  }
  void finish(Result&) {}

 private:
  Fds fds_;
};

class WholeMapReader {
 public:
  WholeMapReader(const std::vector<std::filesystem::path>& paths,
                 const std::vector<std::uint64_t>& sizes)
      : sizes_(sizes) {
    const Fds fds(paths);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const FileOperation where{
          .operation = "mmap", .file = fds.name(i), .offset = 0, .size = sizes[i]};
      if (sizes[i] > std::numeric_limits<std::size_t>::max()) {
        throw_error({"mmap (larger than the address space)", where.file, where.offset, where.size},
                    ENOMEM);
      }
      const auto length = static_cast<std::size_t>(sizes[i]);
      void* address = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fds[i], 0);
      if (address == MAP_FAILED) throw_error(where, errno);
      maps_.push_back(static_cast<const std::byte*>(address));
      touch_pages({maps_.back(), length});
    }
  }
  WholeMapReader(const WholeMapReader&) = delete;
  WholeMapReader& operator=(const WholeMapReader&) = delete;
  ~WholeMapReader() {
    for (std::size_t i = 0; i < maps_.size(); ++i) {
      ::munmap(const_cast<std::byte*>(maps_[i]), static_cast<std::size_t>(sizes_[i]));
    }
  }
  void read(const Read& r, std::byte* out) { std::memcpy(out, maps_[r.file] + r.offset, r.size); }
  void finish(Result& result) {
    for (const std::uint64_t size : sizes_) result.peak_mapped += size;
    result.peak_regions = result.maps = sizes_.size();
  }

 private:
  std::vector<std::uint64_t> sizes_;
  std::vector<const std::byte*> maps_;
};

class MmapPerReadReader {
 public:
  explicit MmapPerReadReader(const std::vector<std::filesystem::path>& paths) : fds_(paths) {}
  void read(const Read& r, std::byte* out) {
    const std::uint64_t start = align_to_mmap(r.offset, false);
    const auto length = static_cast<std::size_t>(r.offset + r.size - start);  // < a read + a page
    void* address =
        ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fds_[r.file], static_cast<off_t>(start));
    if (address == MAP_FAILED) {
      throw_error({.operation = "mmap", .file = fds_.name(r.file), .offset = start, .size = length},
                  errno);
    }
    std::memcpy(out, static_cast<const std::byte*>(address) + (r.offset - start), r.size);
    ::munmap(address, length);
    peak_ = std::max(peak_, align_to_mmap(length, true));
    ++maps_;
  }
  void finish(Result& result) {
    result.peak_mapped = peak_;
    result.peak_regions = maps_ ? 1 : 0;
    result.maps = maps_;
  }

 private:
  Fds fds_;
  std::uint64_t peak_ = 0;
  std::uint64_t maps_ = 0;
};

// Runs |reads| through |reader| until they are done or |seconds| have passed.
// |demo_files|: the demo's files, whose bytes are checked now and then; null
// for files of the user's.
template <typename Reader>
void run_reads(Reader& reader, const std::vector<Read>& reads, double seconds,
               const std::vector<std::filesystem::path>* demo_files, Result& result) {
  std::vector<std::byte> out(kScanRead);
  std::vector<std::byte> expected(8);
  std::uint64_t sink = 0;
  PrivateMemoryPeak private_memory;
  // Untimed warm-up: the first reads fill the sliding manager's windows.
  for (std::size_t i = 0; i < std::min<std::size_t>(reads.size() / 16, kWarmUpReads); ++i) {
    reader.read(reads[i], out.data());
  }
  const auto wall_start = std::chrono::steady_clock::now();
  const auto deadline = wall_start + std::chrono::duration<double>(seconds);
  const double cpu_start = thread_cpu_ns();
  std::size_t i = 0;
  for (; i < reads.size(); ++i) {
    if (i % 256 == 0 && i != 0) {
      throw_if_interrupted();
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      private_memory.maybe_sample(now);
    }
    const Read& r = reads[i];
    reader.read(r, out.data());
    sink += std::to_integer<std::uint64_t>(out[0]);
    result.bytes += r.size;
    if (demo_files != nullptr && i % kCheckEvery == 0) {
      fill_demo_bytes(r.file, r.offset, expected);
      if (std::memcmp(out.data(), expected.data(), expected.size()) != 0) {
        throw_error({.operation = "read (" + result.strategy + ")",
                     .file = file_name((*demo_files)[r.file]),
                     .offset = r.offset,
                     .size = r.size},
                    "wrong bytes");
      }
    }
  }
  result.cpu_ns = thread_cpu_ns() - cpu_start;
  result.wall_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - wall_start)
          .count();
  result.reads = i;
  private_memory.sample();
  result.peak_private = private_memory.peak();
  reader.finish(result);
  g_sink = g_sink + sink;
}

Result run_one(const Config& config, const std::string& pattern, const std::string& strategy,
               const std::vector<std::filesystem::path>& paths,
               const std::vector<std::uint64_t>& sizes, const std::vector<Read>& reads,
               bool check) {
  Result result;
  result.pattern = pattern;
  result.strategy = strategy;
  const std::vector<std::filesystem::path>* demo_files = check ? &paths : nullptr;
  if (strategy == "sliding") {
    SlidingWindowMapManager manager =
        config.manager.make_manager(kDefaultWindow, kDefaultMaxMemory);
    if (config.align) manager.set_align_large_windows(*config.align);
    ManagerReader reader(manager, paths, false);
    run_reads(reader, reads, config.seconds, demo_files, result);
  } else if (strategy == "static") {
    StaticWindowMapManager manager;
    ManagerReader reader(manager, paths, true);
    run_reads(reader, reads, config.seconds, demo_files, result);
  } else if (strategy == "pread") {
    PreadReader reader(paths);
    run_reads(reader, reads, config.seconds, demo_files, result);
  } else if (strategy == "whole-map") {
    WholeMapReader reader(paths, sizes);
    run_reads(reader, reads, config.seconds, demo_files, result);
  } else {
    MmapPerReadReader reader(paths);
    run_reads(reader, reads, config.seconds, demo_files, result);
  }
  return result;
}

// The size of each file, checked as the library checks files (missing, a
// directory, not a regular file...), with the library's errors, and big
// enough for a small read.
std::vector<std::uint64_t> file_sizes(const std::vector<std::filesystem::path>& paths) {
  StaticWindowMapManager checker;
  std::vector<std::uint64_t> sizes;
  for (const auto& path : paths) {
    sizes.push_back(checker.make_cursor(path).file_size());
    if (sizes.back() <= kSmallRead) {
      throw_error({.operation = "read", .file = file_name(path)},
                  "too small to benchmark (" + std::to_string(sizes.back()) +
                      " bytes; it needs more than " + std::to_string(kSmallRead) + ")");
    }
  }
  return sizes;
}

Config parse_config(const Args& arguments) {
  Config config;
  ArgScanner args(arguments);
  while (args.next()) {
    if (config.manager.parse(args)) continue;
    if (args.is_option("--files")) {
      config.files = static_cast<std::size_t>(parse_count_or_throw(args.value(), "--files", 1));
    } else if (args.is_option("--file-size")) {
      config.file_size = parse_size_or_throw(args.value(), "--file-size");
      if (config.file_size <= kSmallRead) throw UsageError("--file-size must exceed 64 bytes");
    } else if (args.is_option("--reads")) {
      config.reads = parse_count_or_throw(args.value(), "--reads", 1);
    } else if (args.is_option("--repeat")) {
      config.repeat = static_cast<unsigned>(parse_count_or_throw(args.value(), "--repeat", 1));
    } else if (args.is_option("--time")) {
      const std::string text = args.value();
      char* end = nullptr;
      config.seconds = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(config.seconds > 0)) {
        throw UsageError("--time needs a positive number of seconds, not '" + text + "'");
      }
    } else if (args.is_option("--align-large-windows")) {
      const std::string text = args.value();
      if (text != "on" && text != "off") throw UsageError("--align-large-windows takes on or off");
      config.align = text == "on";
    } else if (args.is_option("--pattern")) {
      const std::string text = args.value();
      if (std::find(std::begin(kPatterns), std::end(kPatterns), text) == std::end(kPatterns)) {
        throw UsageError("no pattern '" + text + "'");
      }
      config.patterns.push_back(text);
    } else if (args.is_option("--strategy")) {
      const std::string text = args.value();
      if (std::find(std::begin(kStrategies), std::end(kStrategies), text) ==
          std::end(kStrategies)) {
        throw UsageError("no strategy '" + text + "'");
      }
      config.strategies.push_back(text);
    } else if (args.is_option("--json")) {
      config.json = true;
    } else if (args.is_any_option()) {
      throw UsageError("unknown option '" + args.positional() + "'");
    } else {
      config.paths.push_back(args.positional());
    }
  }
  if (config.patterns.empty()) config.patterns.assign(std::begin(kPatterns), std::end(kPatterns));
  if (config.strategies.empty()) {
    config.strategies.assign(std::begin(kStrategies), std::end(kStrategies));
  }
  return config;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

std::string kernel() {
  utsname name{};
  if (::uname(&name) != 0) return "unknown";
  return std::string(name.sysname) + " " + name.release;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

const Result* find(const std::vector<Result>& results, const std::string& pattern,
                   const std::string& strategy) {
  for (const Result& result : results) {
    if (result.pattern == pattern && result.strategy == strategy && result.reads > 0) {
      return &result;
    }
  }
  return nullptr;
}

// pread's cost over |result|'s (> 1: faster than pread), or 0 when unknown.
double speedup_vs_pread(const std::vector<Result>& results, const Result& result) {
  const Result* pread = find(results, result.pattern, "pread");
  return pread && result.ns_per_read() > 0 ? pread->ns_per_read() / result.ns_per_read() : 0;
}

// |result|'s cost over the whole-file map's (1: as good as the ideal), or 0.
double cost_vs_whole_map(const std::vector<Result>& results, const Result& result) {
  const Result* whole = find(results, result.pattern, "whole-map");
  return whole && whole->ns_per_read() > 0 ? result.ns_per_read() / whole->ns_per_read() : 0;
}

std::string ratio(double value) {
  if (value <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.2fx" : "%.0fx", value);
  return text;
}

// A ratio for JSON: null when it is unknown (0).
std::string json_ratio(double value) {
  if (value <= 0) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

void print_table(const Config& config, const std::string& limits, std::uint64_t total,
                 const std::vector<Result>& results) {
  std::printf("smmap bench: %zu files, %s in all; sliding: %s\n",
              config.paths.empty() ? config.files : config.paths.size(), format_size(total).c_str(),
              limits.c_str());
  std::printf("ns/read and MB/s are CPU time of the reading thread%s.\n\n",
              config.repeat > 1 ? ", best of the repeats" : "");
  std::printf("%-11s %-14s %10s %10s %10s %12s %8s %12s %9s %10s\n", "pattern", "strategy", "reads",
              "ns/read", "MB/s", "peak mapped", "regions", "peak private", "vs pread", "vs whole");
  for (const Result& r : results) {
    std::printf(
        "%-11s %-14s %10llu %10.1f %10.1f %12s %8llu %12s %9s %10s\n", r.pattern.c_str(),
        r.strategy.c_str(), static_cast<unsigned long long>(r.reads), r.ns_per_read(), r.mb_per_s(),
        format_size(r.peak_mapped).c_str(), static_cast<unsigned long long>(r.peak_regions),
        r.peak_private ? format_size(*r.peak_private).c_str() : "-",
        ratio(speedup_vs_pread(results, r)).c_str(), ratio(cost_vs_whole_map(results, r)).c_str());
  }
  std::puts(
      "\npeak private: the most private memory (RssAnon) grew during the run.\n"
      "vs pread: how many times faster than pread (higher is better).\n"
      "vs whole: cost relative to one whole-file map per file (1.00x is the ideal).");
}

void print_json(const Config& config, const std::string& limits, std::uint64_t total,
                const StaticWindowMapManager& sliding, const std::vector<Result>& results) {
  std::ostringstream out;
  out << "{\n  \"machine\": {\"nproc\": " << std::thread::hardware_concurrency()
      << ", \"cpu\": " << json_string(cpu_model()) << ", \"kernel\": " << json_string(kernel())
      << "},\n";
  out << "  \"config\": {\"files\": " << (config.paths.empty() ? config.files : config.paths.size())
      << ", \"total_bytes\": " << total << ", \"window_size\": " << sliding.window_size()
      << ", \"max_memory_size\": " << sliding.max_mapped_memory_size()
      << ", \"align_large_windows\": " << (sliding.align_large_windows() ? "true" : "false")
      << ", \"adaptive\": " << (sliding.adaptive() ? "true" : "false")
      << ", \"limits\": " << json_string(limits) << ", \"small_read_bytes\": " << kSmallRead
      << ", \"scan_read_bytes\": " << kScanRead << ", \"seconds_per_run\": " << config.seconds
      << ", \"repeat\": " << config.repeat << ", \"time\": \"thread cpu\"},\n";
  out << "  \"results\": [\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    char numbers[768];
    std::snprintf(numbers, sizeof numbers,
                  "\"reads\": %llu, \"bytes\": %llu, \"ns_per_read\": %.2f, "
                  "\"wall_ns_per_read\": %.2f, \"mb_per_s\": %.2f, \"peak_mapped_bytes\": %llu, "
                  "\"peak_regions\": %llu, \"maps\": %llu, \"copy_windows\": %llu, "
                  "\"read_throughs\": %llu, \"region_hits\": %llu, \"cursor_hits\": %llu, "
                  "\"peak_private_bytes\": %s, "
                  "\"speedup_vs_pread\": %s, \"cost_vs_whole_map\": %s",
                  static_cast<unsigned long long>(r.reads),
                  static_cast<unsigned long long>(r.bytes), r.ns_per_read(), r.wall_ns_per_read(),
                  r.mb_per_s(), static_cast<unsigned long long>(r.peak_mapped),
                  static_cast<unsigned long long>(r.peak_regions),
                  static_cast<unsigned long long>(r.maps),
                  static_cast<unsigned long long>(r.copy_windows),
                  static_cast<unsigned long long>(r.read_throughs),
                  static_cast<unsigned long long>(r.region_hits),
                  static_cast<unsigned long long>(r.cursor_hits),
                  r.peak_private ? std::to_string(*r.peak_private).c_str() : "null",
                  json_ratio(speedup_vs_pread(results, r)).c_str(),
                  json_ratio(cost_vs_whole_map(results, r)).c_str());
    out << "    {\"pattern\": " << json_string(r.pattern)
        << ", \"strategy\": " << json_string(r.strategy) << ", " << numbers << "}"
        << (i + 1 < results.size() ? "," : "") << "\n";
  }
  out << "  ]\n}\n";
  std::fputs(out.str().c_str(), stdout);
}

}  // namespace

int run_bench(const Args& arguments) {
  const Config config = parse_config(arguments);
  // Progress goes to a terminal only; pipes and logs get nothing but errors.
  const bool show_progress = !config.json && ::isatty(STDERR_FILENO) == 1;

  std::unique_ptr<DemoData> demo;
  std::vector<std::filesystem::path> paths;
  if (config.paths.empty()) {
    if (show_progress) {
      std::fprintf(stderr, "smmap bench: writing %zu demo files of %s...\n", config.files,
                   format_size(config.file_size).c_str());
    }
    demo = std::make_unique<DemoData>(config.files, config.file_size);
    paths = demo->files();
    // Written back now, so that writeback does not run during the timed
    // reads, then dropped from the page cache and read in again, so that the
    // page cache holds them as it holds data read from disk (in the large
    // folios of readahead, not the small ones of a fresh write).
    for (const auto& path : paths) tools::reload_through_readahead(path);
  } else {
    paths.assign(config.paths.begin(), config.paths.end());
  }
  const std::vector<std::uint64_t> sizes = file_sizes(paths);
  std::uint64_t total = 0;
  for (const std::uint64_t size : sizes) total += size;

  SlidingWindowMapManager sliding = config.manager.make_manager(kDefaultWindow, kDefaultMaxMemory);
  if (config.align) sliding.set_align_large_windows(*config.align);
  const std::string limits = describe_limits(sliding);

  std::vector<Result> results;
  for (const std::string& pattern : config.patterns) {
    const std::vector<Read> reads = make_reads(pattern, sizes, config.reads);
    for (unsigned round = 0; round < config.repeat; ++round) {
      for (const std::string& strategy : config.strategies) {
        if (show_progress) {
          std::fprintf(stderr, "\r%-11s %-14s round %u    ", pattern.c_str(), strategy.c_str(),
                       round + 1);
        }
        Result result = run_one(config, pattern, strategy, paths, sizes, reads, demo != nullptr);
        auto same = std::find_if(results.begin(), results.end(), [&](const Result& r) {
          return r.pattern == pattern && r.strategy == strategy;
        });
        if (same == results.end()) {
          results.push_back(result);
        } else if (result.reads > 0 && result.ns_per_read() < same->ns_per_read()) {
          *same = result;
        }
      }
    }
  }
  if (show_progress) std::fputs("\r                                          \r", stderr);

  if (config.json) {
    print_json(config, limits, total, sliding, results);
  } else {
    print_table(config, limits, total, results);
  }
  return 0;
}

}  // namespace smmap::tools

#endif  // _WIN32
