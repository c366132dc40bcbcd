"""Times the hot paths of whichever smmap is first on sys.path.

    PYTHONPATH=build/python /usr/bin/python3 python/benchmarks/compare.py   # this package
    /usr/bin/python3 python/benchmarks/compare.py                           # Debian's python3-smmap

Prints nanoseconds per operation, best of several runs, page cache warm.
"""
import os
import random
import sys
import tempfile
import time

import smmap

FILE_SIZE = 64 << 20
N = 100_000


def best_ns(run, count, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(count)
        best = min(best, time.perf_counter() - start)
    return best * 1e9 / count


def main():
    backend = getattr(smmap, "__backend__", "python")
    with tempfile.NamedTemporaryFile(prefix="smmap-bench-") as file:
        file.write(os.urandom(1 << 20) * (FILE_SIZE >> 20))
        file.flush()
        offsets = [random.randrange(FILE_SIZE - 64) for _ in range(N)]

        def timed(name, manager, body, count=N):
            # most accesses miss with small windows: each costs a map and an
            # unmap, so fewer of them make the point
            cursor = manager.make_cursor(file.name)
            ns = best_ns(lambda n: body(cursor, n), count)
            print("%-52s %8.0f ns" % (name, ns))

        def use_and_read(cursor, count):
            for o in offsets[:count]:
                cursor.use_region(o, 64).buffer().tobytes()

        def buffer_index(cursor, count):
            buf = smmap.SlidingWindowMapBuffer(cursor)
            for o in offsets[:count]:
                buf[o]

        def buffer_slice(cursor, count):
            buf = smmap.SlidingWindowMapBuffer(cursor)
            for o in offsets[:count]:
                buf[o:o + 64]

        print("smmap backend: %s (%s)" % (backend, os.path.dirname(smmap.__file__)))
        timed("use_region(rand, 64) + 64-byte read, defaults", smmap.SlidingWindowMapManager(), use_and_read)
        timed("same, 1 MiB windows, 16 MiB limit", smmap.SlidingWindowMapManager(1 << 20, 16 << 20), use_and_read, 2000)
        timed("buffer[rand], defaults", smmap.SlidingWindowMapManager(), buffer_index)
        timed("buffer[rand], 1 MiB windows, 16 MiB limit", smmap.SlidingWindowMapManager(1 << 20, 16 << 20), buffer_index, 2000)
        timed("buffer[rand:rand + 64], defaults", smmap.SlidingWindowMapManager(), buffer_slice)


if __name__ == "__main__":
    sys.exit(main())
