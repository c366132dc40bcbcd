"""Many Python threads on one manager; large copies release the GIL."""
import random
import threading

from smmap import SlidingWindowMapBuffer, SlidingWindowMapManager
from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G

SIZE = 6 * 1024 * 1024 + 11


def run_threads(count, work):
    errors = []

    def guarded(i):
        try:
            work(i)
        except BaseException as error:  # reported below
            errors.append(error)
    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_threads_with_their_own_cursors(make_file):
    data = file_bytes(SIZE)
    path = make_file(SIZE)
    manager = SlidingWindowMapManager(window_size=16 * G, max_memory_size=64 * G, max_open_handles=8)

    def work(i):
        rng = random.Random(i)
        cursor = manager.make_cursor(path)
        buf = SlidingWindowMapBuffer(manager.make_cursor(path))
        for _ in range(400):
            ofs = rng.randrange(SIZE)
            assert cursor.use_region(ofs, 64).buffer().tobytes() == data[ofs:ofs + cursor.size()]
            assert buf[ofs] == data[ofs]
            end = min(SIZE, ofs + rng.randrange(3 * 1024 * 1024))
            if rng.random() < 0.05:
                assert buf[ofs:end] == data[ofs:end]
    run_threads(4, work)
    assert manager.num_file_handles() <= 8


def test_sharing_a_buffer_across_threads_never_crashes(make_file):
    """Misuse — one buffer and cursor for several threads — gives right bytes or
    a Python exception, never a crash: large copies read through their own pin."""
    data = file_bytes(SIZE)
    manager = SlidingWindowMapManager(window_size=64 * G, max_memory_size=256 * G)
    buf = SlidingWindowMapBuffer(manager.make_cursor(make_file(SIZE)))
    cursor = buf.cursor()

    def work(i):
        rng = random.Random(i)
        for _ in range(60):
            choice = rng.random()
            try:
                if i == 0:
                    if choice < 0.5:
                        buf.end_access()
                    buf.begin_access()
                    cursor.use_region(rng.randrange(SIZE))
                    manager.collect()
                else:
                    got = buf[100:SIZE - 100]
                    assert got == b"" or got == data[100:SIZE - 100]
            except (ValueError, IndexError):
                pass  # the buffer was between end_access and begin_access
    run_threads(3, work)
