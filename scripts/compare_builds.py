#!/usr/bin/env python3
"""Compares two builds of the library, A/B: `smmap bench` and a few Google
Benchmark programs, run alternately (A B B A ...) so that a drift of the
machine's speed falls on both, with the ratio after/before taken pair by pair.

    scripts/compare_builds.py --before BUILD_DIR --after BUILD_DIR [--rounds 6]
        [--micro REGEX | --no-micro] [--json FILE] [FILE ...]

Each build directory needs the targets smmap_cli and smmap_benchmarks built
(configure the older revision in a worktree of its own). The files are read
by `smmap bench` (default: its demo data, written anew by each run; give
files so that both builds read the same page cache). Prints, per figure, the
median CPU ns per read (or per iteration) of each build and the median,
minimum and maximum of the after/before ratios: a ratio under 1 is faster.
"""
import argparse
import json
import os
import statistics
import subprocess

MICRO = ("BM_CursorHitCopy64/range:1048576|BM_RegionHitCopy64|BM_MissMapsNewWindow|"
         "BM_MissBookkeeping|BM_EvictionBookkeeping/1000|"
         "BM_RandomReadsWithEviction/window:1048576/align:0")


def bench_figures(build, files):
    """CPU ns per read of `smmap bench` by (pattern, strategy), and wall ns
    per read (which counts what other threads, such as the prefetcher, do
    while the reader waits)."""
    out = subprocess.run([os.path.join(build, "tools", "smmap"), "bench", "--strategy", "sliding",
                          "--strategy", "pread", "--json", *files], check=True,
                         capture_output=True, text=True).stdout
    figures = {}
    for result in json.loads(out)["results"]:
        name = f"bench {result['pattern']} {result['strategy']}"
        figures[name] = result["ns_per_read"]
        figures[name + " (wall)"] = result["wall_ns_per_read"]
    return figures


def micro_figures(build, chosen):
    """CPU ns per iteration of the Google Benchmark programs |chosen| names."""
    out = subprocess.run([os.path.join(build, "benchmarks", "smmap_benchmarks"),
                          f"--benchmark_filter={chosen}", "--benchmark_min_time=0.2",
                          "--benchmark_format=json"], check=True, capture_output=True,
                         text=True).stdout
    return {f"micro {b['name']}": b["cpu_time"] for b in json.loads(out)["benchmarks"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--no-micro", action="store_true",
                        help="smmap bench only, not the Google Benchmark programs")
    parser.add_argument("--micro", default=MICRO,
                        help="the Google Benchmark programs to run, a --benchmark_filter "
                             "regex (default: six of the library's own costs)")
    parser.add_argument("--json", help="write every figure of every run here")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()

    runs = {"before": [], "after": []}
    for round_ in range(args.rounds):
        order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
        for which in order:
            build = getattr(args, which)
            micro = {} if args.no_micro else micro_figures(build, args.micro)
            runs[which].append({**bench_figures(build, args.files), **micro})

    rows = []
    for name in runs["after"][0]:
        before = [run[name] for run in runs["before"]]
        after = [run[name] for run in runs["after"]]
        ratios = [a / b for a, b in zip(after, before)]
        rows.append({"figure": name, "before_ns": statistics.median(before),
                     "after_ns": statistics.median(after),
                     "ratio_median": statistics.median(ratios), "ratio_min": min(ratios),
                     "ratio_max": max(ratios)})
        print(f"{name:58} {rows[-1]['before_ns']:10.1f} {rows[-1]['after_ns']:10.1f}  "
              f"{rows[-1]['ratio_median']:.3f} ({min(ratios):.3f}-{max(ratios):.3f})")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rounds": args.rounds, "rows": rows, "runs": runs}, out, indent=1)


if __name__ == "__main__":
    main()
