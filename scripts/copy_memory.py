#!/usr/bin/python3
"""Private memory held for copy windows, as a user sees it: the process's
RssAnon (/proc/self/status) while random 64-byte reads run through a
SlidingWindowMapManager of the Python package, after collect(), and after
the manager is gone, for several copy budgets, each in a fresh process.

    scripts/copy_memory.py [--build build] [--budget MiB ...] [FILE ...]

Reads 400,000 random 64-byte pieces of the files with 1 MiB windows under a
256 MiB memory limit; with no FILE, writes four 256 MiB files of random
bytes to a temporary directory first. Budgets default to the library's and
8, 64 and 256 MiB. Linux only (RssAnon).
"""
import argparse
import os
import subprocess
import sys
import tempfile

MiB = 1 << 20

CHILD = r"""
import gc, random, sys
from smmap import SlidingWindowMapManager
MiB = 1 << 20
def anon():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
budget, files = sys.argv[1], sys.argv[2:]
base = anon()
manager = SlidingWindowMapManager(window_size=MiB, max_memory_size=256 * MiB)
if budget != "default":
    manager.set_max_copy_memory(int(budget) * MiB)
cursors = [manager.make_cursor(f) for f in files]
sizes = [c.file_size() for c in cursors]
rnd = random.Random(1)
peak = 0.0
for i in range(400000):
    k = rnd.randrange(len(cursors))
    cursors[k].use_region(rnd.randrange(sizes[k] - 64), 64)
    if i % 10000 == 0:
        peak = max(peak, anon() - base)
peak = max(peak, anon() - base)
manager.collect()
collected = anon() - base
stats = manager.stats()
del cursors, manager
gc.collect()
print("%s %.1f %.1f %.1f %d %.1f %d" % (budget, peak, collected, anon() - base,
      stats.copy_windows, stats.peak_copy_window_bytes / MiB, stats.copy_budget_full))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--budget", action="append", help="MiB, or 'default'")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    budgets = args.budget or ["default", "8", "64", "256"]
    env = dict(os.environ, PYTHONPATH=os.path.join(args.build, "python"))
    with tempfile.TemporaryDirectory() as scratch:
        files = args.files
        if not files:
            files = [os.path.join(scratch, "data%d" % i) for i in range(4)]
            for path in files:
                with open(path, "wb") as out:
                    for _ in range(256):
                        out.write(os.urandom(MiB))
        print("%-8s %12s %14s %14s %12s %16s %12s" % (
            "budget", "peak MiB", "collected MiB", "after MiB", "copy windows",
            "peak copy MiB", "budget full"))
        for budget in budgets:
            out = subprocess.run([sys.executable, "-c", CHILD, budget, *files], env=env,
                                 check=True, capture_output=True, text=True).stdout.split()
            print("%-8s %12s %14s %14s %12s %16s %12s" % tuple(out))


if __name__ == "__main__":
    main()
