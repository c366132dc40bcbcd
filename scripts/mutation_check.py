#!/usr/bin/env python3
"""Plants small bugs in the library, one at a time, and checks that the tests
catch each: the measure of how much the tests really pin down.

    scripts/mutation_check.py [--build build-mutation] [--only NAME] [--list] [--check-snippets]

Each mutation replaces one exact snippet of a source file; a snippet that is
no longer found once is reported as stale (the list must follow the code).
After each replacement the library, the C++ tests, the command and the Python
module are rebuilt, and every test target runs until one fails: the C++ test
programs, then the command-line tests and the Python tests (pytest, with
smmap's and gitdb's own suites) through ctest. A mutation that no longer
compiles counts as caught. The file is restored after each run, even on
interruption. Prints one line per mutation with the stage that caught it, and
the score; exits 1 when a mutation survives or is stale. docs/reliability.md
has the latest score and the equivalent mutations, which are not listed here.
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = "src/core/manager_core.cpp"
ADAPTIVE = "src/policy/adaptive_windows.cpp"
PATTERN = "src/policy/access_pattern.hpp"
BUDGET = "src/core/descriptor_budget.hpp"
LRU = "src/core/region_lru.hpp"
COPIES = "src/core/copy_windows.hpp"

# (name, file, original, mutated)
MUTATIONS = [
    # The cursor's hit path and its copies and moves.
    ("hit path: no window clamp", "include/smmap/cursor.hpp",
     "std::min({size ? size : file_size_, max_request_, region_begin_ + region_size_ - offset})",
     "std::min({size ? size : file_size_, region_begin_ + region_size_ - offset})"),
    ("hit path: no region-end clamp", "include/smmap/cursor.hpp",
     "std::min({size ? size : file_size_, max_request_, region_begin_ + region_size_ - offset})",
     "std::min({size ? size : file_size_, max_request_})"),
    ("hit path: hits not counted", "include/smmap/cursor.hpp",
     "      ++unreported_hits_;\n", "\n"),
    ("cursor move: source keeps its region", "src/api/cursor.cpp",
     "  region_ = std::exchange(other.region_, nullptr);", "  region_ = other.region_;"),
    ("cursor move: source still reports a size", "src/api/cursor.cpp",
     "  size_ = std::exchange(other.size_, 0);", "  size_ = other.size_;"),
    ("cursor copy: no extra pin", "src/api/cursor.cpp",
     "  if (list_ != nullptr) core_->copy_cursor(entry_of(list_), pinned_region());",
     "  if (list_ != nullptr) core_->copy_cursor(entry_of(list_), nullptr);"),
    ("cursor destroyed: hits counted twice", CORE,
     "  release_locked(region, hits);\n  entry->remove_cursor();",
     "  release_locked(region, hits);\n  stats_.cursor_hits += hits;\n  entry->remove_cursor();"),
    # Placement (docs/design.md, "Obtaining a region", step 3).
    ("placement: no left extension", "src/policy/placement.cpp",
     "  window.extend_left_to(MapWindow(gap.begin, 0), max_window);\n", "\n"),
    ("placement: no right extension", "src/policy/placement.cpp",
     "  window.extend_right_to(MapWindow(gap.end, 0), max_window);\n", "\n"),
    ("placement: not aligned", "src/policy/placement.cpp", "  window.align();\n", "\n"),
    ("placement: no right clip", "src/policy/placement.cpp",
     "  if (window.ofs_end() > gap.end) window.size = gap.end - window.ofs;\n", "\n"),
    ("large pages: never aligned", "src/policy/placement.cpp",
     "  if (start > offset) return;", "  return;"),
    ("large pages: the left neighbour ignored", "src/policy/placement.cpp",
     "std::max(gap.begin, wanted_end > max_window ? wanted_end - max_window : 0)",
     "(wanted_end > max_window ? wanted_end - max_window : 0)"),
    # Lookup, limits and eviction.
    ("lookup: live regions ignored", CORE,
     "  if (live != nullptr && (sized || !live->is_copy_window() || live->pins() != 0)) {",
     "  if (false) {"),
    ("lookup: an unused copy window serves a request without a size", CORE,
     "  if (live != nullptr && (sized || !live->is_copy_window() || live->pins() != 0)) {",
     "  if (live != nullptr) {"),
    ("lookup: the tree skipped while the file has mapped windows", "src/core/file_entry.hpp",
     "    return copy != nullptr || regions_.empty() ? copy : regions_.find(offset);",
     "    return copy;"),
    ("copy windows: the file's list does not report them", "src/core/file_entry.hpp",
     "      found = copies_.find(ofs);", "      found = nullptr;"),
    ("copy windows: pages of an evicted copy window stay", COPIES,
     "    pages_.erase(page_of(region.ofs_begin()), pages_of(region));",
     "    static_cast<void>(0);"),
    ("copy windows: a copy window ahead not seen", COPIES,
     "      if (pages_.find(page_of(at)) != nullptr) return at;",
     "      if (false) return at;"),
    ("copy windows: walking finds a window that starts before the range", COPIES,
     "          first = std::min(first, std::max(window.ofs_begin(), begin));",
     "          first = std::min(first, window.ofs_begin());"),
    ("copy windows: walking finds windows out of reach", COPIES,
     "        if (window.ofs_end() > lowest && window.ofs_end() <= page) {",
     "        if (window.ofs_end() <= page) {"),
    ("copy windows: a mapped window grows over a copy window before it", COPIES,
     "    gap.begin = std::max(gap.begin, last_end_before(lowest, page));",
     "    static_cast<void>(lowest);"),
    ("copy windows: a mapped window grows over a copy window after it", COPIES,
     "    if (held < highest) gap.end = held;",
     "    static_cast<void>(held);"),
    ("copy windows: unused ones left in a mapped window's way", CORE,
     "    if (region.pins() == 0) unmap_counted_locked(&region, stats_.unmaps_by_eviction);",
     "    static_cast<void>(region);"),
    ("copy windows: a mapped window clears the few copy windows out of its way too", CORE,
     "      if (region.ofs_begin() < end && region.ofs_end() > first) clear(region);",
     "      clear(region);"),
    ("copy windows: a mapped window clears none of few copy windows", CORE,
     "      if (region.ofs_begin() < end && region.ofs_end() > first) clear(region);",
     "      if (false) clear(region);"),
    ("page table: no backward shift", "src/core/page_table.hpp",
     "      if (stays) continue;", "      if (true) continue;"),
    ("read-through: sampled misses not cached", "src/policy/access_pattern.hpp",
     "    return ++far_misses_ % far_misses_per_sample != 0;", "    return true;"),
    ("read-through: hot files read through", "src/policy/access_pattern.hpp",
     "    if (served_ >= read_) return false;", "    if (false) return false;"),
    ("read-through: a lone near miss cached", "src/policy/access_pattern.hpp",
     "    if (near) return near_ < kNearToCache;", "    if (near) return false;"),
    ("read-through: samples blind to fresh-page costs", "src/policy/adaptive_windows.cpp",
     "  const std::uint64_t scaled = every * costs_.fresh_page_ns / costs_.small_read_ns;",
     "  const std::uint64_t scaled = every;"),
    ("node pool: a new chunk written whole", "src/util/node_pool.hpp",
     "    unused_end_ = chunk + kChunkSize / slot_ * slot_;",
     "    unused_end_ = chunk + kChunkSize / slot_ * slot_;\n    std::fill(chunk, unused_end_, std::byte{0});"),
    ("read-through: bytes past the request", CORE,
     "      read_exactly(entry.file(), entry.description(), offset, {region->prepare(bytes), bytes});",
     "      read_exactly(entry.file(), entry.description(), offset & ~std::uint64_t{7}, {region->prepare(bytes), bytes});"),
    ("prefetch: a reached window queues nothing", CORE,
     "        request_prefetch_locked(entry, live->ofs_end());", "        static_cast<void>(0);"),
    ("prefetch: past the limits", CORE,
     "    if (window.size > lru_.max_bytes() || lru_.bytes() > lru_.max_bytes() - window.size ||\n"
     "        lru_.at_handle_limit()) {",
     "    if (lru_.at_handle_limit()) {"),
    ("prefetch: one miss ahead is a scan", "src/policy/access_pattern.hpp",
     "  static constexpr unsigned kAheadToScan = 2;", "  static constexpr unsigned kAheadToScan = 1;"),
    ("LRU: evicts the newest", LRU,
     "  Region* coldest() const noexcept { return unused_.oldest(); }",
     "  Region* coldest() const noexcept { return unused_.newest(); }"),
    ("LRU: a pinned region stays listed", LRU,
     "    if (pins == 0) {\n      unused_.unlink(region);\n",
     "    if (pins == 0) {\n"),
    ("copy budget: never enforced", LRU,
     "    return copy_fits(incoming) ? nullptr : unused_copies_.oldest();", "    return nullptr;"),
    ("copy budget: exceeded when full of copy windows in use", CORE,
     "    if (lru_.copy_fits(block)) {", "    if (true) {"),
    ("copy budget: windows counted by size, not by block", "src/core/managed_region.hpp",
     "return copy_block_size(size());", "return size();"),
    ("memory limit: no room made first", CORE,
     "  stats_.unmaps_by_eviction += evict_for_memory_locked(full_window);\n", "\n"),
    ("memory limit: the incoming window not counted", LRU,
     "incoming > max_bytes_ || bytes_ > max_bytes_ - incoming;", "bytes_ > max_bytes_;"),
    ("handle limit: evicts one too late", LRU,
     "  bool at_handle_limit() const noexcept { return count_ >= max_regions_; }",
     "  bool at_handle_limit() const noexcept { return count_ > max_regions_; }"),
    ("map failure: no retry", CORE,
     "      return insert_region_locked(entry, window, false);\n"
     "    } catch (const std::system_error&) {\n      prepare_retry_locked(retried);",
     "      return insert_region_locked(entry, window, false);\n"
     "    } catch (const std::system_error&) {\n      prepare_retry_locked(true);"),
    ("copy window failure: no retry", CORE,
     "      return region;\n    } catch (const std::system_error&) {\n"
     "      prepare_retry_locked(retried);",
     "      return region;\n    } catch (const std::system_error&) {\n"
     "      prepare_retry_locked(true);"),
    ("collect_lru_region(0): frees only what the limit asks", CORE,
     "size == 0 ? evict_all_locked() : evict_for_memory_locked(size)",
     "evict_for_memory_locked(size)"),
    ("replaced entry: regions kept after the last cursor", CORE,
     "  if (!entry.is_current()) {\n    // No cursor", "  if (false) {\n    // No cursor"),
    # Statistics: each counter, and which counter an unmap lands in.
    ("statistics: region hits not counted", CORE, "    ++stats_.region_hits;\n", "\n"),
    ("statistics: maps not counted", CORE, "  ++stats_.maps;\n", "\n"),
    ("statistics: copies not counted", CORE, "  if (region.is_copy()) ++stats_.copies;\n", "\n"),
    ("statistics: copy windows not counted", CORE, "  if (copy) ++stats_.copy_windows;\n",
     "  if (copy && stats_.copy_windows == 0) ++stats_.copy_windows;\n"),
    ("statistics: peak bytes is the current", LRU,
     "peak_bytes_ = std::max(peak_bytes_, bytes_);", "peak_bytes_ = bytes_;"),
    ("statistics: peak regions is the current", LRU,
     "peak_count_ = std::max(peak_count_, count_);", "peak_count_ = count_;"),
    ("statistics: handle-limit evictions not counted", CORE,
     "  stats_.unmaps_by_eviction += evicted;\n", "\n"),
    ("statistics: collect() counted as eviction", CORE,
     "  const std::size_t count = evict_all_locked();\n  stats_.unmaps_by_collect += count;",
     "  const std::size_t count = evict_all_locked();\n  stats_.unmaps_by_eviction += count;"),
    ("statistics: replaced files not counted", CORE, "      ++stats_.replaced_files;\n", "\n"),
    ("statistics: descriptor closes not counted", CORE, "  ++stats_.descriptor_closes;\n", "\n"),
    ("statistics: descriptor reopens not counted", CORE, "  ++stats_.descriptor_reopens;\n", "\n"),
    ("statistics: switches to copy windows not counted", ADAPTIVE,
     "      ++switches_to_copy_;\n      break;", "      break;"),
    ("statistics: switches to mapped windows not counted", ADAPTIVE,
     "      ++switches_to_map_;\n", "\n"),
    ("statistics: the measured costs not reported", ADAPTIVE,
     "  stats.window_map_ns = costs_.map_ns;\n", "\n"),
    ("statistics: dropped mapped windows not counted", CORE,
     "    if (!region.is_copy() && region.pins() == 0) {\n"
     "      unmap_counted_locked(&region, stats_.unmaps_by_eviction);",
     "    if (!region.is_copy() && region.pins() == 0) {\n      unmap_locked(&region);"),
    # File identity and the descriptor budget.
    ("identity: mtime ignored", "src/port/open_file.hpp",
     "  bool operator==(const FileIdentity&) const = default;",
     "  bool operator==(const FileIdentity& o) const { return device == o.device && inode == o.inode && size == o.size; }"),
    ("identity: mtime to the second", "src/port/posix/open_file.cpp",
     " * 1'000'000'000 + modified.tv_nsec,", " * 1'000'000'000,"),
    ("identity: replaced files reuse the entry", CORE,
     "  if (!slot || slot->identity() != fresh->identity()) {", "  if (!slot) {"),
    ("descriptor budget: never enforced", BUDGET,
     "    return open_.size() > limit_ && oldest != keep ? oldest : nullptr;",
     "    return nullptr;"),
    ("descriptor budget: closes the newest", BUDGET,
     "    T* oldest = open_.oldest();\n    return open_.size() > limit_",
     "    T* oldest = open_.newest();\n    return open_.size() > limit_"),
    ("descriptor budget: use does not make a file recent", CORE,
     "    descriptors_.used(&entry);\n", "\n"),
    ("descriptor budget: half the limit by default", "src/port/posix/open_file.cpp",
     "static_cast<std::size_t>(soft / 4)", "static_cast<std::size_t>(soft / 2)"),
    ("descriptor budget: reopen without identity check", "src/core/file_entry.hpp",
     "    if (again.identity() != file_.identity()) {", "    if (false) {"),
    ("out of descriptors at open: own descriptors kept", CORE,
     "      stats_.unmaps_by_eviction += evict_all_locked();\n      close_descriptors_locked();",
     "      stats_.unmaps_by_eviction += evict_all_locked();"),
    ("out of descriptors at reopen: own descriptors kept", CORE,
     "    close_descriptors_locked();\n    ++stats_.map_retries;\n    entry.reopen();",
     "    ++stats_.map_retries;\n    entry.reopen();"),
    # Adaptive windows: the rules and each documented threshold.
    ("adaptive: the measured costs ignored", ADAPTIVE, "  return costs_.mapping_pays();",
     "  return true;"),
    ("adaptive: requests without a size copied", ADAPTIVE,
     "  if (!pattern.copying() || !sized ||", "  if (!pattern.copying() ||"),
    ("adaptive: requests up to half a window copied", ADAPTIVE,
     "pages > std::max(std::min(window / 4, cap), ALLOCATIONGRANULARITY)",
     "pages > std::max(std::min(window / 2, cap), ALLOCATIONGRANULARITY)"),
    ("adaptive: copy windows up to 4 MiB", ADAPTIVE,
     "constexpr std::uint64_t kMaxCopyWindow = kChunkSize;",
     "constexpr std::uint64_t kMaxCopyWindow = 4 << 20;"),
    ("adaptive: near while copying is a whole window", ADAPTIVE,
     "? std::max({window / 2, ALLOCATIONGRANULARITY, pattern.run_on_bytes()})\n"
     "                        : window + 1;",
     "? window + 1\n                        : window + 1;"),
    ("adaptive: mapped windows kept at the switch", ADAPTIVE,
     "  choice.drop_mapped_windows = pattern.take_fresh_switch();\n", "\n"),
    ("adaptive: a window of 4 uses not wasted", PATTERN,
     "  static constexpr std::uint64_t kFewUses = 4;", "  static constexpr std::uint64_t kFewUses = 3;"),
    ("adaptive: 5 wasted windows to switch", PATTERN,
     "  static constexpr unsigned kWastedToCopy = 4;", "  static constexpr unsigned kWastedToCopy = 5;"),
    ("adaptive: 4 near misses to map again", PATTERN,
     "  static constexpr unsigned kNearToMap = 3;", "  static constexpr unsigned kNearToMap = 4;"),
    ("adaptive: 3 near misses to copy", PATTERN,
     "  static constexpr unsigned kNearToCopy = 2;", "  static constexpr unsigned kNearToCopy = 3;"),
    ("adaptive: 4 KiB of run slack", PATTERN,
     "  static constexpr std::uint64_t kRunSlack = 16 * 1024;",
     "  static constexpr std::uint64_t kRunSlack = 4 * 1024;"),
    ("adaptive: copy windows never grow", PATTERN,
     "      return std::max(wanted, std::min(cap, 2 * last_size));", "      return wanted;"),
    ("adaptive: runs not learned", PATTERN,
     "      learned_ = std::min(cap, reach + reach / 4);", "      learned_ = 0;"),
    ("adaptive: single-use windows do not shrink the next", PATTERN,
     "      learned_ /= 2;\n", "\n"),
    # Copy windows' memory and reads.
    ("copy mode: a scan's growing windows are not near", "src/policy/adaptive_windows.cpp",
     "std::max({window / 2, ALLOCATIONGRANULARITY, pattern.run_on_bytes()})",
     "std::max({window / 2, ALLOCATIONGRANULARITY})"),
    ("copies: a window read past from one byte further goes", "src/core/manager_core.cpp",
     "offset - left.ofs_end() < std::max<std::uint64_t>(left.size(), kRunOn);",
     "offset - left.ofs_end() <= std::max<std::uint64_t>(left.size(), kRunOn);"),
    ("copy blocks: no empty chunk kept", "src/core/copy_blocks.cpp",
     "static constexpr std::size_t kEmptyChunksKept = kMostWrittenFree / kChunkSize;",
     "static constexpr std::size_t kEmptyChunksKept = 0;"),
    ("copy blocks: split halves overlapping", "src/core/copy_blocks.cpp",
     "insert_free(Place{place.chunk, place.page + (std::size_t{1} << from)}, from);",
     "insert_free(Place{place.chunk, place.page + (std::size_t{1} << from) / 2}, from);"),
    ("copy blocks: every free block keeps its memory", "src/core/copy_blocks.cpp",
     "if (batches_ == 0 && written_free_pages_ + written > kMostWrittenFree / kPage) {",
     "if (false) {"),
    ("copy blocks: a batch keeps every free page", "src/core/copy_blocks.cpp",
     "    release_beyond_kept();\n", "\n"),
    ("copy blocks: buddies never merge", "src/core/copy_blocks.cpp",
     "if (chunk.free_order[buddy] != order) break;", "break;"),
    ("copies: windows grow to 2 MiB", "src/policy/adaptive_windows.cpp",
     "constexpr std::uint64_t kMostGrownCopyWindow = 256 * 1024;",
     "constexpr std::uint64_t kMostGrownCopyWindow = kChunkSize;"),
    ("copies: a window left once for the next page goes", "src/core/manager_core.cpp",
     "return left.owner().pattern().scanning() && left.pins() == 0",
     "return left.pins() == 0"),
    ("copies: a window read past stays", "src/core/manager_core.cpp",
     "if (left_copy_window && passed_locked(*old, offset)) {", "if (false) {"),
    ("copy blocks: memory never given back", "src/core/copy_blocks.cpp",
     "      free_chunk(chunk.base);\n", "\n"),
    ("copy read: EINTR not retried", "src/port/posix/mapping.cpp",
     "    if (got < 0 && errno == EINTR) continue;\n", "\n"),
    # The buffer and standalone regions.
    ("buffer: absolute indices", "src/api/buffer.cpp",
     "  std::uint64_t position = offset_ + index;", "  std::uint64_t position = index;"),
    ("buffer: read past its size", "src/api/buffer.cpp",
     "  if (index >= size_ || cursor_ == nullptr) return 0;", "  if (cursor_ == nullptr) return 0;"),
    ("MapRegion: unaligned offsets accepted", "src/api/region.cpp",
     "  if (ofs % ALLOCATIONGRANULARITY != 0 || ofs >= file.size()) {", "  if (ofs >= file.size()) {"),
    # The SIGBUS guard.
    ("guard: any SIGBUS taken for the copy's own", "src/port/posix/guarded_copy.cpp",
     "  if (pc < reinterpret_cast<std::uintptr_t>(&smmap_guarded_memcpy) ||",
     "  if (false && pc < reinterpret_cast<std::uintptr_t>(&smmap_guarded_memcpy) ||"),
    ("guard: armed after a fault", "src/port/posix/guarded_copy.cpp",
     "  this_thread.copying = 0;\n  registers[REG_RAX]", "  registers[REG_RAX]"),
    ("guard: a handed-back fault not let through", "src/port/posix/guarded_copy.cpp",
     "      self.copying = 2;\n      return;\n", "\n"),
    ("guard: the first lost byte from the fault address only", "src/port/guarded_copy.cpp",
     "  if (now >= 0 && static_cast<std::uint64_t>(now) < file_offset + size) {",
     "  if (false) {"),
]


def run(command, **kwargs):
    return subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kwargs)


def configure(build):
    run(["cmake", "-S", ".", "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
         "-DSMMAP_BUILD_BENCHMARKS=OFF", "-DSMMAP_BUILD_EXAMPLES=OFF",
         "-DPython3_EXECUTABLE=/usr/bin/python3"], check=True)


# The stages, cheapest first: the C++ test programs, then the command-line
# and Python tests. The consumer and documentation tests check the install
# and the docs, not the library's behaviour.
CPP_PROGRAMS = ("smmap_tests", "smmap_reliability_tests")
CTEST_STAGES = (("command line", "^cli_"), ("Python", "^python_"))


def catching_stage(build):
    """The stage whose tests fail, or None when every test passes."""
    if run(["cmake", "--build", build, "-j", str(os.cpu_count() or 2)]).returncode != 0:
        return "build"
    for program in CPP_PROGRAMS:
        try:
            result = run([os.path.join(build, "tests", program), "--gtest_brief=1"], timeout=600)
        except subprocess.TimeoutExpired:
            return f"C++ ({program}, timeout)"
        if result.returncode != 0:
            return f"C++ ({program})"
    for stage, pattern in CTEST_STAGES:
        try:
            result = run(["ctest", "--test-dir", build, "-R", pattern, "-j",
                          str(os.cpu_count() or 2), "--stop-on-failure"], timeout=900)
        except subprocess.TimeoutExpired:
            return f"{stage} (timeout)"
        if result.returncode != 0:
            return stage
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build-mutation")
    parser.add_argument("--only", help="run the mutations whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--check-snippets", action="store_true",
                        help="only check that each snippet is found once in its file (no build)")
    args = parser.parse_args()
    if args.check_snippets:
        stale = [(name, relative) for name, relative, original, _ in MUTATIONS
                 if open(os.path.join(ROOT, relative)).read().count(original) != 1]
        for name, relative in stale:
            print(f"STALE     {name}: snippet not found once in {relative}")
        print(f"{len(MUTATIONS) - len(stale)} of {len(MUTATIONS)} snippets found once")
        sys.exit(1 if stale else 0)
    if args.list:
        for name, relative, _, _ in MUTATIONS:
            print(f"{relative}: {name}")
        print(f"{len(MUTATIONS)} mutations in {len({m[1] for m in MUTATIONS})} files")
        return
    build = os.path.join(ROOT, args.build)
    configure(build)
    if catching_stage(build) is not None:
        sys.exit("the tests fail without any mutation; fix them first")

    caught, survived, stale = [], [], []
    # Mutations of public headers rebuild everything: they go last.
    for name, relative, original, mutated in sorted(MUTATIONS, key=lambda m: m[1].startswith("include/")):
        if args.only and args.only not in name:
            continue
        path = os.path.join(ROOT, relative)
        with open(path) as f:
            source = f.read()
        if source.count(original) != 1:
            stale.append(name)
            print(f"STALE     {name}: snippet not found once in {relative}", flush=True)
            continue
        started = time.monotonic()
        try:
            with open(path, "w") as f:
                f.write(source.replace(original, mutated))
            stage = catching_stage(build)
        finally:
            with open(path, "w") as f:
                f.write(source)
        seconds = time.monotonic() - started
        if stage is None:
            survived.append(name)
            print(f"SURVIVED  {name} ({seconds:.0f} s)", flush=True)
        else:
            caught.append(name)
            print(f"caught    {name} by {stage} ({seconds:.0f} s)", flush=True)
    run(["cmake", "--build", build, "-j", str(os.cpu_count() or 2)])  # back to the real code
    total = len(caught) + len(survived)
    print(f"\n{len(caught)} of {total} mutations caught, {len(survived)} survived, {len(stale)} stale")
    sys.exit(1 if survived or stale else 0)


if __name__ == "__main__":
    main()
