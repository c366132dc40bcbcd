#!/usr/bin/python3
"""Turns the benchmark JSON in docs/benchmarks/ into a chart and a summary.

    /usr/bin/python3 scripts/bench_chart.py [DIR]      # DIR: docs/benchmarks
    /usr/bin/python3 scripts/bench_chart.py --markdown [DIR]   # the tables of the docs

Reads DIR/smmap_bench.json (from `smmap bench --json`) and draws
DIR/smmap_bench.png: CPU ns per read, by access pattern and strategy, on a
log scale. Then prints the performance targets of docs/benchmarks.md with
the ratios measured, from DIR/micro.json (Google Benchmark), DIR/smmap_bench.json
and DIR/python.json (scripts/bench_python.py), whichever exist.
"""
import json
import os
import sys

STRATEGY_ORDER = ["whole-map", "static", "sliding", "pread", "mmap-per-read"]
COLOURS = {"whole-map": "#4c72b0", "static": "#55a868", "sliding": "#8172b2",
           "pread": "#c44e52", "mmap-per-read": "#937860"}


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def chart(bench, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = bench["results"]
    patterns = []
    for r in results:
        if r["pattern"] not in patterns:
            patterns.append(r["pattern"])
    strategies = [s for s in STRATEGY_ORDER if any(r["strategy"] == s for r in results)]
    width = 0.8 / len(strategies)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    for i, strategy in enumerate(strategies):
        xs, ys = [], []
        for j, pattern in enumerate(patterns):
            for r in results:
                if r["pattern"] == pattern and r["strategy"] == strategy and r["reads"]:
                    xs.append(j + (i - (len(strategies) - 1) / 2) * width)
                    ys.append(r["ns_per_read"])
        bars = ax.bar(xs, ys, width, label=strategy, color=COLOURS.get(strategy))
        for bar, y in zip(bars, ys):
            label = "%.0f" % y if y >= 10 else "%.1f" % y
            ax.annotate(label, (bar.get_x() + bar.get_width() / 2, y), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 2), textcoords="offset points")
    config = bench["config"]
    reads = {"random": "64 B", "clustered": "64 B", "sequential": "%d KiB" % (config["scan_read_bytes"] >> 10)}
    ax.set_xticks(range(len(patterns)))
    ax.set_xticklabels(["%s (%s reads)" % (p, reads.get(p, "?")) for p in patterns])
    ax.set_yscale("log")
    ax.set_ylabel("CPU ns per read (log scale, lower is better)")
    ax.set_title("smmap bench: %d files, %d MiB; sliding: %s\n%s, %s" % (
        config["files"], config["total_bytes"] >> 20, config["limits"],
        bench["machine"]["cpu"], bench["machine"]["kernel"]), fontsize=9)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print("wrote %s" % out)


def micro_times(micro):
    """name -> CPU ns, the median when repetitions were run."""
    times = {}
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    for b in micro["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        times[name] = b["cpu_time"] * scale[b.get("time_unit", "ns")]
    return times


def line(what, value, target, met):
    print("  %-72s %8s  target %-7s %s" % (what, value, target, "met" if met else "MISSED"))


def targets(micro, bench, python):
    print("\nTargets (ratios of CPU time, measured side by side in one run):")
    if micro:
        t = micro_times(micro)
        for size, what in ((64 << 20, "64 MiB, memory-bound"), (1 << 20, "1 MiB, in cache")):
            hit, raw = "BM_CursorHitCopy64/range:%d" % size, "BM_RawPointerCopy64/range:%d" % size
            if hit in t and raw in t:
                r = t[hit] / t[raw]
                line("cursor hit + 64-byte copy vs raw pointer into a whole-file map (%s)" % what,
                     "%.2fx" % r, "<=1.3x", r <= 1.3)
        hit = "BM_CursorHitCopy64/range:%d" % (64 << 20)
        if "BM_Pread64" in t and hit in t:
            r = t["BM_Pread64"] / t[hit]
            line("random 64-byte reads, manager without eviction, speed-up over pread", "%.0fx" % r,
                 ">=10x", r >= 10)
        miss = "BM_MissEvicts/window:1048576/align:0"
        for bare, what in (("BM_BareMmapTouchMunmap/window:1048576/shift:0", "unmapping at once"),
                           ("BM_BareRingMmapTouchMunmap/live:32", "32 windows alive")):
            if miss in t and bare in t:
                r = t[miss] / t[bare]
                line("miss (1 MiB windows, limit 1/8) vs mmap+touch+munmap, %s" % what,
                     "%.2fx" % r, "<=1.5x", r <= 1.5)
        if "BM_MissBookkeeping" in t and miss in t:
            print("  library's own share of such a miss (system calls stubbed): %.0f ns of %.0f ns"
                  % (t["BM_MissBookkeeping"], t[miss]))
        for name, what in (("BM_EvictionWithLiveRegions", "with the system calls"),
                           ("BM_EvictionBookkeeping", "bookkeeping alone")):
            ev = [t[k] for k in ("%s/%d" % (name, n) for n in (10, 100, 1000, 10000)) if k in t]
            if len(ev) == 4:
                r = max(ev) / min(ev)
                line("eviction cost, 10 to 10,000 live regions, max/min, %s" % what, "%.2fx" % r,
                     "<=2x", r <= 2)
    if bench:
        for r in bench["results"]:
            if (r["strategy"] in ("static", "sliding") and r["pattern"] == "random" and r["reads"]
                    and r["speedup_vs_pread"] and r["cost_vs_whole_map"]):
                print("  smmap bench, random 64-byte reads, %-8s vs pread: %.1fx faster, %.2fx the whole-file map"
                      % (r["strategy"], r["speedup_vs_pread"], r["cost_vs_whole_map"]))
    if python:
        for row in python["results"]:
            if row["speedup"] is not None:
                line("Python: " + row["description"], "%.2fx" % row["speedup"],
                     ">=%.1fx" % row["target"], row["met"])


def size_text(n):
    if n >= 1 << 20:
        return "%d MiB" % (n >> 20)
    return "%d KiB" % (n >> 10) if n else "0"


def number(x):
    return "{:,.0f}".format(x) if x >= 100 else "%.1f" % x


def times(ratio):
    return "%.2f×" % ratio if ratio else "-"


def markdown(micro, bench, python, directory):
    """The tables of docs/benchmarks.md, from the JSON."""
    if micro:
        t = micro_times(micro)
        print("| benchmark | CPU ns/op |\n|---|---:|")
        for name, value in t.items():
            print("| `%s` | %s |" % (name.replace("BM_", ""), number(value)))
        print()
    if bench:
        print("| pattern | strategy | ns/read | MB/s | peak mapped | peak regions | vs pread (speed-up) "
              "| vs whole-file map (cost) |\n|---|---|---:|---:|---:|---:|---:|---:|")
        for r in bench["results"]:
            print("| %s | %s | %s | %s | %s | %d | %s | %s |" % (
                r["pattern"], r["strategy"], number(r["ns_per_read"]), number(r["mb_per_s"]),
                size_text(r["peak_mapped_bytes"]), r["peak_regions"], times(r["speedup_vs_pread"]),
                times(r["cost_vs_whole_map"])))
        print()
    off = load(os.path.join(directory, "align_off.json"))
    on = load(os.path.join(directory, "align_on.json"))
    if off and on:
        print("| `smmap bench --window 2M --max-memory 32M` | unaligned | aligned | gain |\n|---|---:|---:|---:|")
        for a in off["results"]:
            for b in on["results"]:
                if (a["pattern"], a["strategy"]) == (b["pattern"], b["strategy"]) and a["strategy"] == "sliding":
                    print("| %s, sliding | %s | %s | %.2f× |" % (a["pattern"], number(a["ns_per_read"]),
                                                            number(b["ns_per_read"]),
                                                            a["ns_per_read"] / b["ns_per_read"]))
        print()
    if python:
        print("| workload | python3-smmap | this package | plain `mmap` (floor) | speed-up |\n|---|---:|---:|---:|---:|")
        for row in python["results"]:
            ours = number(row["ours_ns_per_op"]) if row["ours_ns_per_op"] else "-"
            speedup = "%.2f×" % row["speedup"] if row["speedup"] else "-"
            print("| %s | %s | %s | %s | %s |" % (row["description"], number(row["smmap_ns_per_op"]), ours,
                                                 number(row["mmap_ns_per_op"]), speedup))


def main():
    args = [a for a in sys.argv[1:] if a != "--markdown"]
    directory = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "docs", "benchmarks")
    bench = load(os.path.join(directory, "smmap_bench.json"))
    micro = load(os.path.join(directory, "micro.json"))
    python = load(os.path.join(directory, "python.json"))
    if "--markdown" in sys.argv:
        markdown(micro, bench, python, directory)
        return
    if bench:
        chart(bench, os.path.join(directory, "smmap_bench.png"))
    targets(micro, bench, python)


if __name__ == "__main__":
    main()
