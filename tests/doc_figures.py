#!/usr/bin/python3
"""Checks that the README quotes the measured figures of docs/benchmarks.md.

The README's "Why" cites the cost of a cursor hit and of a `pread`; the
measurements are docs/benchmarks/micro.json (written by `make bench`, and
shown in docs/benchmarks.md). Each figure the README gives must be within
10% of the median there, so a new measurement that moves them makes this
test fail until the README follows.
"""
import json
import re
import sys
from pathlib import Path

SOURCE_DIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
# README phrase -> (benchmark whose median it quotes, factor to the README's unit)
QUOTED = {
    r"a cursor hit and a 64-byte copy\s+take ~([\d.]+) ns": ("BM_CursorHitCopy64/range:67108864", 1),
    r"a 64-byte `pread` ~([\d.]+) µs": ("BM_Pread64", 1e-3),
}


def main() -> int:
    readme = (SOURCE_DIR / "README.md").read_text()
    runs = json.loads((SOURCE_DIR / "docs/benchmarks/micro.json").read_text())["benchmarks"]
    medians = {run["run_name"]: run["cpu_time"] for run in runs
               if run.get("aggregate_name") == "median"}
    failures = 0
    for phrase, (benchmark, factor) in QUOTED.items():
        match = re.search(phrase, readme)
        measured = medians[benchmark] * factor
        if match is None:
            print(f"FAILED: README.md no longer says /{phrase}/ (measured: {measured:.3g})")
            failures += 1
        elif abs(float(match.group(1)) - measured) > 0.1 * measured:
            print(f"FAILED: README.md says {match.group(0)!r}; {benchmark} measured {measured:.3g}")
            failures += 1
        else:
            print(f"ok: {match.group(0)!r} ({benchmark}: {measured:.3g})")
    print(f"{len(QUOTED) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
