#!/usr/bin/python3
"""Times the same workloads with Debian's python3-smmap and with this project's
Python package, each in its own process, and prints the ratios.

    make bench-python                      # builds, then runs this
    /usr/bin/python3 scripts/bench_python.py [--build build] [--json out.json]

Both run under /usr/bin/python3 (where Debian's smmap lives); this project's
package is imported from BUILD/python. When it is not built, only smmap is
timed and the table says so. Each workload runs alternately with both
implementations, --repeat times (default 3), and the best time of each is
kept: the machine is shared, so only side-by-side ratios mean much.

The data are files whose every byte depends on its offset (64 MiB for the
default window, 256 MiB for 1 MiB windows), written to a temporary
directory and removed afterwards. A third column times the same operation on
Python's own whole-file mmap: the floor that memory access alone costs.
"""
import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time

DATA_SIZE = 256 << 20
READ = 64
SLICE = 4096
OFFSETS = 1 << 16
BATCH = 1000

SMALL_SIZE = 64 << 20

# name: (description, window_size, max_memory_size, operation, target ratio).
# A name ending in "-mapped" runs this package with adaptive windows off
# (set_adaptive(False)): mapped windows only, as smmap maps them.
# With the default window the data is 64 MiB (one region); with 1 MiB windows
# and a 64 MiB limit it is 256 MiB, so three reads in four miss.
WORKLOADS = {
    "cursor-defaults": ("use_region(rand, 64) + 64-byte read, defaults", -1, 0, "cursor", 2.0),
    "index-defaults": ("buffer[rand], defaults", -1, 0, "index", 4.0),
    "cursor-1m-64m": ("use_region(rand, 64) + 64-byte read, 1 MiB windows, 64 MiB limit",
                      1 << 20, 64 << 20, "cursor", 5.0),
    "index-1m-64m": ("buffer[rand], 1 MiB windows, 64 MiB limit", 1 << 20, 64 << 20, "index", 5.0),
    "slice-1m-64m": ("bytes(buffer[rand:rand + 4096]), 1 MiB windows, 64 MiB limit",
                     1 << 20, 64 << 20, "slice", 5.0),
    "slice-1m-64m-mapped": ("the same, adaptive windows off (ours)", 1 << 20, 64 << 20, "slice",
                            None),
}

# "mmap" is the floor: the same operation on Python's own whole-file mmap.
IMPLEMENTATIONS = ("python3-smmap", "ours", "mmap")


def test_data():
    """python/smmap/test/lib.py, the one home of the test-data pattern, loaded
    by path: the driver imports neither smmap."""
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "smmap", "test", "lib.py")
    spec = importlib.util.spec_from_file_location("smmap_test_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_data(path, size):
    block = 1 << 20
    pattern_bytes = test_data().pattern_bytes
    with open(path, "wb") as out:
        for start in range(0, size, block):
            out.write(pattern_bytes(start, min(block, size - start)))
        out.flush()
        os.fsync(out.fileno())
    # Drop it from the page cache and read it in again, so that it sits there as
    # data read from disk does (in the large folios of readahead).
    with open(path, "rb") as f:
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while f.read(block):
            pass


# --- worker: one implementation, one workload, in its own process -------------

def worker(args):
    workload = args.workload[0]
    _, window, limit, operation, _ = WORKLOADS[workload]
    size = os.path.getsize(args.file)
    rng = random.Random(7)
    span = SLICE if operation == "slice" else READ
    offsets = [rng.randrange(size - span) for _ in range(OFFSETS)]

    if args.floor:
        import mmap
        backend = "mmap"
        module = mmap.__name__
        with open(args.file, "rb") as f:
            buf = cursor = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
        if operation == "cursor":
            def batch(chunk):
                for o in chunk:
                    buf[o:o + READ]
        elif operation == "index":
            def batch(chunk):
                for o in chunk:
                    buf[o]
        else:
            def batch(chunk):
                for o in chunk:
                    buf[o:o + SLICE]
        operation = "floor-" + operation
    else:
        import smmap
        backend = getattr(smmap, "__backend__", "python")
        module = os.path.dirname(smmap.__file__)
        manager = smmap.SlidingWindowMapManager(window, limit)
        if workload.endswith("-mapped") and hasattr(manager, "set_adaptive"):
            manager.set_adaptive(False)
        cursor = manager.make_cursor(args.file)

    if operation == "cursor":
        def batch(chunk):
            for o in chunk:
                bytes(cursor.use_region(o, READ).buffer())
    elif operation == "index":
        buf = smmap.SlidingWindowMapBuffer(cursor)

        def batch(chunk):
            for o in chunk:
                buf[o]
    elif operation == "slice":
        buf = smmap.SlidingWindowMapBuffer(cursor)

        def batch(chunk):
            for o in chunk:
                bytes(buf[o:o + SLICE])

    # Check a sample against the file before timing.
    with open(args.file, "rb") as f:
        for o in offsets[:200]:
            f.seek(o)
            want = f.read(span)
            if operation == "cursor":
                got = bytes(cursor.use_region(o, READ).buffer())
                ok = want.startswith(got) and len(got) > 0
            elif operation.endswith("index"):
                ok = buf[o] == want[0]
            elif operation.startswith("floor"):
                ok = buf[o:o + span] == want
            else:
                ok = bytes(buf[o:o + SLICE]) == want
            if not ok:
                raise SystemExit("%s: wrong bytes at offset %d" % (workload, o))

    chunks = [offsets[i:i + BATCH] for i in range(0, OFFSETS, BATCH)]
    # Warm-up. With the default window the whole file is one region: fault in
    # every page the offsets touch, so the run times the library, not the
    # kernel. With small windows, misses are part of the workload.
    for chunk in chunks if window < 0 or args.floor else chunks[:1]:
        batch(chunk)
    ops = 0
    start = time.perf_counter()
    cpu_start = time.thread_time()
    while True:
        batch(chunks[(ops // BATCH) % len(chunks)])
        ops += BATCH
        if time.perf_counter() - start >= args.seconds:
            break
    cpu = time.thread_time() - cpu_start
    wall = time.perf_counter() - start
    print(json.dumps({
        "backend": backend, "module": module, "ops": ops,
        "ns_per_op": cpu * 1e9 / ops, "wall_ns_per_op": wall * 1e9 / ops,
    }))


# --- driver -------------------------------------------------------------------

def run_worker(implementation, workload, data, build, seconds):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if implementation == "ours":
        env["PYTHONPATH"] = os.path.join(build, "python")
    command = [sys.executable, os.path.abspath(__file__), "--worker", "--workload", workload,
               "--file", data[WORKLOADS[workload][1] < 0], "--seconds", str(seconds)]
    if implementation == "mmap":
        command.append("--floor")
    # Run from a neutral directory so that no ./smmap shadows the one wanted.
    out = subprocess.run(command, env=env, cwd=tempfile.gettempdir(), check=True,
                         capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    want = {"ours": "c++", "python3-smmap": "python", "mmap": "mmap"}[implementation]
    if result["backend"] != want:
        raise SystemExit("%s: imported the wrong smmap from %s" % (implementation, result["module"]))
    return result


def ours_available(build):
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"), PYTHONDONTWRITEBYTECODE="1")
    probe = "import smmap, sys; sys.exit(0 if getattr(smmap, '__backend__', '') == 'c++' else 1)"
    return subprocess.run([sys.executable, "-c", probe], env=env, cwd=tempfile.gettempdir(),
                          capture_output=True).returncode == 0


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.system() + " " + platform.release(),
            "python": sys.version.split()[0]}


def driver(args):
    have_ours = ours_available(args.build)
    implementations = [i for i in IMPLEMENTATIONS if have_ours or i != "ours"]
    if not have_ours:
        print("note: this project's package is not importable from %s/python; "
              "build it first (make build). Timing python3-smmap only." % args.build, file=sys.stderr)
    workloads = args.workload or list(WORKLOADS)
    directory = tempfile.mkdtemp(prefix="smmap-bench-python-")
    try:
        # data[True]: for the default window; data[False]: for 1 MiB windows.
        data = {True: os.path.join(directory, "small.bin"), False: os.path.join(directory, "big.bin")}
        print("writing %d MiB of test data..." % ((SMALL_SIZE + DATA_SIZE) >> 20), file=sys.stderr)
        write_data(data[True], SMALL_SIZE)
        write_data(data[False], DATA_SIZE)
        best = {}
        for workload in workloads:
            for round_ in range(args.repeat):
                for implementation in implementations:
                    print("\r%-16s %-14s round %d " % (workload, implementation, round_ + 1),
                          end="", file=sys.stderr, flush=True)
                    result = run_worker(implementation, workload, data, args.build, args.seconds)
                    key = (workload, implementation)
                    if key not in best or result["ns_per_op"] < best[key]["ns_per_op"]:
                        best[key] = result
        print("\r" + " " * 50 + "\r", end="", file=sys.stderr)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    rows = []
    for workload in workloads:
        description, _, _, _, target = WORKLOADS[workload]
        theirs = best[(workload, "python3-smmap")]
        mine = best.get((workload, "ours"))
        floor = best[(workload, "mmap")]
        ratio = theirs["ns_per_op"] / mine["ns_per_op"] if mine else None
        rows.append({
            "workload": workload, "description": description,
            "smmap_ns_per_op": round(theirs["ns_per_op"], 1),
            "ours_ns_per_op": round(mine["ns_per_op"], 1) if mine else None,
            "smmap_wall_ns_per_op": round(theirs["wall_ns_per_op"], 1),
            "ours_wall_ns_per_op": round(mine["wall_ns_per_op"], 1) if mine else None,
            "mmap_ns_per_op": round(floor["ns_per_op"], 1),
            "data_bytes": SMALL_SIZE if WORKLOADS[workload][1] < 0 else DATA_SIZE,
            "speedup": round(ratio, 2) if ratio else None, "target": target,
            "met": (ratio >= target) if ratio and target else None,
        })

    print("Python: Debian's python3-smmap vs this project's package, /usr/bin/python3 %s"
          % sys.version.split()[0])
    print("CPU ns per operation, best of %d alternating runs of %.1f s each. Data: 64 MiB with"
          % (args.repeat, args.seconds))
    print("the default window, 256 MiB with 1 MiB windows. mmap: the same operation on")
    print("Python's own whole-file mmap (the floor).\n")
    print("%-62s %9s %9s %8s %8s %7s" % ("workload", "smmap", "ours", "mmap", "speedup", "target"))
    for row in rows:
        ours = "%.0f" % row["ours_ns_per_op"] if row["ours_ns_per_op"] else "-"
        speedup = "%.2fx" % row["speedup"] if row["speedup"] else "-"
        mark = "" if row["met"] is None else (" met" if row["met"] else " missed")
        target = "%.1fx" % row["target"] if row["target"] else "-"
        print("%-62s %9.0f %9s %8.0f %8s %7s%s" % (
            row["description"], row["smmap_ns_per_op"], ours, row["mmap_ns_per_op"], speedup,
            target, mark))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": machine(), "repeat": args.repeat, "seconds": args.seconds,
                       "data_bytes": DATA_SIZE, "time": "thread cpu", "results": rows}, out, indent=2)
            out.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"),
                        help="build directory holding python/smmap (default: build)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=0.5, help="timed seconds per run")
    parser.add_argument("--workload", action="append", choices=list(WORKLOADS))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    if args.worker:
        worker(args)
    else:
        driver(args)


if __name__ == "__main__":
    main()
