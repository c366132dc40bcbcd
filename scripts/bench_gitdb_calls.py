#!/usr/bin/python3
"""Nanoseconds per call of what gitdb calls most, with Debian's python3-smmap,
with this project's package and with Python's own mmap, side by side.

    /usr/bin/python3 scripts/bench_gitdb_calls.py [--build build] [--repeat 5] [--rounds 2]

gitdb reads pack indexes by slicing cursor.map() (a 20-byte sha at each step
of its binary search) and struct.unpack_from() on it, and packs through
use_region() + buffer(); the cursor's getters and the buffer's indexing
are timed too. Each implementation runs in its own process
(--rounds of them, alternating), which times Python's mmap too: the mmap
rows are the same code in both columns, a measure of the noise. The best of
--repeat rounds of N calls is kept, less the empty loop, in CPU time of the
thread. The file is 64 MiB of random bytes in the page cache, mapped as one region (the default
window), as gitdb's index files are; the offsets are random in its first
MiB, so the bytes are in the CPU caches and the calls' own cost shows.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

N = 200_000
SIZE = 64 << 20
SPAN = 1 << 20  # the offsets: an index file's worth, in the CPU caches


def calls(implementation, path):
    """name -> function of an offset. Every process also times Python's mmap,
    in the same rounds, so that the comparison with it is side by side."""
    import mmap
    import struct
    unpack = struct.Struct(">L").unpack_from
    with open(path, "rb") as f:
        whole = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    import smmap
    manager = smmap.SlidingWindowMapManager()
    cursor = manager.make_cursor(path)
    cursor.use_region(0, SIZE)
    mapped = cursor.map()
    buf = smmap.SlidingWindowMapBuffer(manager.make_cursor(path))
    return {
        "mmap[a:a+20]": lambda a: whole[a:a + 20],
        "map()[a:a+20]": lambda a: mapped[a:a + 20],
        "mmap[a]": lambda a: whole[a],
        "map()[a]": lambda a: mapped[a],
        "unpack_from(mmap)": lambda a: unpack(whole, a),
        "unpack_from(map())": lambda a: unpack(mapped, a),
        "cursor.map()": lambda a: cursor.map(),
        "cursor.map()[a:a+20]": lambda a: cursor.map()[a:a + 20],
        "use_region+buffer": lambda a: cursor.use_region(a, 20).buffer(),
        "buffer[i]": lambda a: buf[a],
        "buffer[a:a+20]": lambda a: buf[a:a + 20],
        # The cursor's getters, which a reading loop calls around use_region().
        "cursor.includes_ofs(a)": lambda a: cursor.includes_ofs(a),
        "cursor.ofs_begin()": lambda a: cursor.ofs_begin(),
        "cursor.size()": lambda a: cursor.size(),
        "len(buffer)": lambda a: len(buf),
    }


def measure(implementation, path, repeat):
    offsets = [random.Random(7).randrange(SPAN) for _ in range(N)]
    functions = calls(implementation, path)
    functions["(empty loop)"] = None
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeat):  # round-robin, so load from elsewhere hits all alike
        for name, call in functions.items():
            started = time.thread_time()
            if call is None:
                for a in offsets:
                    pass
            else:
                for a in offsets:
                    call(a)
            best[name] = min(best[name], time.thread_time() - started)
    empty = best.pop("(empty loop)")
    return {name: (seconds - empty) / N * 1e9 for name, seconds in best.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.path, args.repeat)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data")
        with open(path, "wb") as f:
            f.write(random.Random(1).randbytes(SIZE))
        results = {"python3-smmap": {}, "ours": {}}
        for round_ in range(args.rounds):  # alternating processes, best of all
            for implementation in results:
                env = dict(os.environ)
                env.pop("PYTHONPATH", None)
                if implementation == "ours":
                    env["PYTHONPATH"] = os.path.abspath(os.path.join(args.build, "python"))
                out = subprocess.run([sys.executable, __file__, "--child", implementation, "--path",
                                      path, "--repeat", str(args.repeat)], env=env, check=True,
                                     stdout=subprocess.PIPE).stdout
                for name, ns in json.loads(out).items():
                    results[implementation][name] = min(results[implementation].get(name, 1e9), ns)
    print("%-22s %14s %10s %12s" % ("ns per call", "python3-smmap", "ours", "smmap/ours"))
    for name, ns in results["ours"].items():
        print("%-22s %14.1f %10.1f %11.2fx" % (name, results["python3-smmap"][name], ns,
                                               results["python3-smmap"][name] / ns))


if __name__ == "__main__":
    main()
