#!/usr/bin/env python3
"""Plants small bugs in the core, one at a time, and checks that the C++ tests
catch each: the measure of how much the tests really pin down.

    scripts/mutation_check.py [--build build-mutation] [--only NAME]

Each mutation replaces one exact snippet of a source file; a snippet that is
no longer found is reported as stale (the list must follow the code). The
file is restored after each run, even on interruption. Prints one line per
mutation and the score; exits 1 when a mutation survives or is stale.
docs/reliability.md has the latest score.
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, file, original, mutated)
MUTATIONS = [
    ("hit path: no window clamp", "include/smmap/cursor.hpp",
     "std::min({size ? size : file_size_, max_request_, region_begin_ + region_size_ - offset})",
     "std::min({size ? size : file_size_, region_begin_ + region_size_ - offset})"),
    ("hit path: no region-end clamp", "include/smmap/cursor.hpp",
     "std::min({size ? size : file_size_, max_request_, region_begin_ + region_size_ - offset})",
     "std::min({size ? size : file_size_, max_request_})"),
    ("hit path: hits not counted", "include/smmap/cursor.hpp",
     "      ++unreported_hits_;\n", "\n"),
    ("placement: no left extension", "src/placement.cpp",
     "  window.extend_left_to(MapWindow(gap.begin, 0), max_window);\n", "\n"),
    ("placement: no right clip", "src/placement.cpp",
     "  if (window.ofs_end() > gap.end) window.size = gap.end - window.ofs;\n", "\n"),
    ("large pages: never aligned", "src/placement.cpp",
     "  if (start > offset) return;", "  return;"),
    ("LRU: evicts the newest", "src/manager_core.cpp",
     "  ManagedRegion* oldest = unpinned_.oldest();", "  ManagedRegion* oldest = unpinned_.newest();"),
    ("LRU: a pinned region stays listed", "src/manager_core.cpp",
     "  if (pins == 0) unpinned_.unlink(region);\n  region->set_pins(pins + 1);",
     "  region->set_pins(pins + 1);"),
    ("memory limit: no room made first", "src/manager_core.cpp",
     "  stats_.unmaps_by_eviction += evict_for_memory_locked(full_window);\n", "\n"),
    ("handle limit: evicts one too late", "src/manager_core.cpp",
     "for (; region_count_ >= limits_.max_open_handles && !unpinned_.empty(); ++evicted)",
     "for (; region_count_ > limits_.max_open_handles && !unpinned_.empty(); ++evicted)"),
    ("handle limit: evictions not counted", "src/manager_core.cpp",
     "  stats_.unmaps_by_eviction += evicted;\n", "\n"),
    ("map failure: no retry", "src/manager_core.cpp",
     "      // Step 4: out of some resource; free every unused region and try once more.\n"
     "      if (retried) throw;", "      throw;"),
    ("copy window failure: no retry", "src/manager_core.cpp",
     "      // Step 4, as for a mapped window.\n      if (retried) throw;", "      throw;"),
    ("adaptive: the measured costs ignored", "src/adaptive_windows.cpp",
     "  return mapping_pays_;", "  return true;"),
    ("adaptive: copy windows never grow", "src/access_pattern.hpp",
     "      return std::max(wanted, std::min(cap, 2 * last_size));", "      return wanted;"),
    ("adaptive: runs not learned", "src/access_pattern.hpp",
     "      learned_ = std::min(cap, reach + reach / 4);", "      learned_ = 0;"),
    ("lookup: live regions ignored", "src/manager_core.cpp",
     "    if (before.includes_ofs(offset) && (sized || !before.copy_window_ || before.pins() != 0)) {",
     "    if (false) {"),
    ("identity: mtime ignored", "src/open_file.hpp",
     "  bool operator==(const FileIdentity&) const = default;",
     "  bool operator==(const FileIdentity& o) const { return device == o.device && inode == o.inode && size == o.size; }"),
    ("identity: replaced files reuse the entry", "src/manager_core.cpp",
     "  if (!slot || slot->identity() != fresh->identity()) {", "  if (!slot) {"),
    ("statistics: region hits not counted", "src/manager_core.cpp",
     "      ++stats_.region_hits;\n", "\n"),
    ("cursor move: source keeps its region", "src/cursor.cpp",
     "  region_ = std::exchange(other.region_, nullptr);", "  region_ = other.region_;"),
    ("cursor copy: no extra pin", "src/cursor.cpp",
     "  if (list_ != nullptr) core_->copy_cursor(entry_of(list_), managed(region_));",
     "  if (list_ != nullptr) core_->copy_cursor(entry_of(list_), nullptr);"),
    ("buffer: absolute indices", "src/buffer.cpp",
     "  std::uint64_t position = offset_ + index;", "  std::uint64_t position = index;"),
    ("descriptor budget: never enforced", "src/manager_core.cpp",
     "  while (descriptors_.size() > max_open_descriptors_ && descriptors_.oldest() != keep) {",
     "  while (false) {"),
    ("descriptor budget: reopen without identity check", "src/file_entry.hpp",
     "    if (again.identity() != file_.identity()) {", "    if (false) {"),
    ("guard: any SIGBUS taken for the copy's own", "src/guarded_copy.cpp",
     "  if (pc < reinterpret_cast<std::uintptr_t>(&smmap_guarded_memcpy) ||",
     "  if (false && pc < reinterpret_cast<std::uintptr_t>(&smmap_guarded_memcpy) ||"),
    ("replaced entry: regions kept after the last cursor", "src/manager_core.cpp",
     "  if (!entry.current_) {\n    // No cursor", "  if (false) {\n    // No cursor"),
]


def run(command, **kwargs):
    return subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kwargs)


def configure(build):
    run(["cmake", "-S", ".", "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
         "-DSMMAP_BUILD_PYTHON=OFF", "-DSMMAP_BUILD_BENCHMARKS=OFF", "-DSMMAP_BUILD_TOOLS=OFF",
         "-DSMMAP_BUILD_EXAMPLES=OFF"], check=True)


def tests_pass(build):
    """True iff the build succeeds and every C++ test passes."""
    if run(["cmake", "--build", build, "-j", str(os.cpu_count() or 2)]).returncode != 0:
        return False  # a mutation that does not compile counts as caught
    for program in ("smmap_tests", "smmap_reliability_tests"):
        try:
            result = run([os.path.join(build, "tests", program), "--gtest_brief=1"], timeout=600)
        except subprocess.TimeoutExpired:
            return False
        if result.returncode != 0:
            return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build-mutation")
    parser.add_argument("--only", help="run the mutations whose name contains this")
    args = parser.parse_args()
    build = os.path.join(ROOT, args.build)
    configure(build)
    if not tests_pass(build):
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
            passed = tests_pass(build)
        finally:
            with open(path, "w") as f:
                f.write(source)
        seconds = time.monotonic() - started
        (survived if passed else caught).append(name)
        print(f"{'SURVIVED' if passed else 'caught  '}  {name} ({seconds:.0f} s)", flush=True)
    run(["cmake", "--build", build, "-j", str(os.cpu_count() or 2)])  # back to the real code
    total = len(caught) + len(survived)
    print(f"\n{len(caught)} of {total} mutations caught, {len(survived)} survived, {len(stale)} stale")
    sys.exit(1 if survived or stale else 0)


if __name__ == "__main__":
    main()
