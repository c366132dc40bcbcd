"""The managers: defaults, limits, true LRU eviction, statistics, errors."""
import errno
import os
import sys

import pytest

from smmap import SlidingWindowMapManager, StaticWindowMapManager
from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G, is_64_bit

MiB = 1024 * 1024


def test_defaults():
    static, sliding = StaticWindowMapManager(), SlidingWindowMapManager()
    assert isinstance(sliding, StaticWindowMapManager)
    assert static.window_size() == 0
    assert sliding.window_size() == (1024 if sys.maxsize > 2**32 else 64) * MiB
    for manager in (static, sliding):
        assert manager.num_file_handles() == 0 and manager.num_open_files() == 0
        assert manager.mapped_memory_size() == 0
        assert manager.max_mapped_memory_size() == (8192 if sys.maxsize > 2**32 else 1024) * MiB
        assert manager.max_file_handles() == sys.maxsize
        assert manager._collect_lru_region(0) == 0
        assert manager._collect_lru_region(10) == 0
        assert manager._collect_lru_region(sys.maxsize) == 0
        assert manager._collect_lru_region(2**80) == 0
        assert manager.collect() == 0
        assert manager.force_map_handle_removal_win("/") == 0


def test_keyword_arguments_and_alignment():
    manager = SlidingWindowMapManager(window_size=G + 1, max_memory_size=10 * G, max_open_handles=7)
    assert manager.window_size() == 2 * G
    assert manager.max_mapped_memory_size() == 10 * G
    assert manager.max_file_handles() == 7
    with pytest.raises(ValueError):
        SlidingWindowMapManager(max_memory_size=-1)
    with pytest.raises(ValueError):
        SlidingWindowMapManager(max_open_handles=-1)
    assert SlidingWindowMapManager(window_size=-5).window_size() == SlidingWindowMapManager().window_size()


@pytest.mark.parametrize("manager_type, window", [(StaticWindowMapManager, 0), (SlidingWindowMapManager, 16 * G)])
def test_operation_under_small_limits(manager_type, window, make_file, open_fd):
    size = 100 * G + 77
    path = make_file(size)
    data = file_bytes(size)
    for item in (path, open_fd(path)):
        manager = manager_type(window_size=window, max_memory_size=size // 3, max_open_handles=15)
        cursor = manager.make_cursor(item)
        assert manager.num_open_files() == 0 and manager.mapped_memory_size() == 0
        half = manager.window_size() // 2
        assert cursor.use_region(5000, half).is_valid()
        region = cursor.region()
        assert region.client_count() == 2
        assert manager.num_open_files() == 1 and manager.num_file_handles() == 1
        assert manager.mapped_memory_size() == region.size()
        assert cursor.ofs_begin() == 5000 and region.ofs_begin() == 0
        assert region.size() == (window or size)
        assert bytes(cursor.buffer()) == data[5000:5000 + (half or size - 5000)]
        # the same region serves the start of the file
        nsize = (half or size) - 10
        assert cursor.use_region(0, nsize).region() == region
        assert cursor.size() == nsize and bytes(cursor.buffer()) == data[:nsize]
        # near the end the requested size cannot be kept
        base = size - (half or cursor.size()) + 4000
        assert cursor.use_region(base, half).is_valid()
        if window:
            assert manager.num_file_handles() == 2 and cursor.size() < half
            assert region.client_count() == 1
        tail = cursor.region()
        assert tail.client_count() == 2 and tail.ofs_begin() < cursor.ofs_begin()
        assert tail.ofs_end() <= size
        assert bytes(cursor.buffer()) == data[base:base + cursor.size()]
        cursor.unuse_region()
        assert not cursor.is_valid()
        assert not cursor.use_region(size, half).is_valid()
        assert manager.num_file_handles() and manager.collect()
        assert manager.num_file_handles() == 0 and manager.num_open_files() == 0


def test_eviction_is_true_lru(make_file):
    # three windows fit; the fourth evicts the one released longest ago
    path = make_file(40 * G)
    manager = SlidingWindowMapManager(window_size=4 * G, max_memory_size=12 * G)
    cursor = manager.make_cursor(path)
    a = cursor.use_region(0).region()
    b = cursor.use_region(10 * G).region()
    c = cursor.use_region(20 * G).region()
    cursor.use_region(1)  # a again: now b is the least recently released
    cursor.unuse_region()
    assert [r.client_count() for r in (a, b, c)] == [1, 1, 1]
    d = cursor.use_region(30 * G).region()
    assert b.client_count() == 0, "the least recently used region goes"
    assert a.client_count() == 1 and c.client_count() == 1 and d.client_count() == 2
    stats = manager.stats()
    assert stats.unmaps_by_eviction == 1 and stats.maps == 4 and stats.cursor_hits + stats.region_hits >= 1


def test_pinned_regions_are_never_evicted_and_the_limit_is_soft(make_file):
    path = make_file(40 * G)
    manager = SlidingWindowMapManager(window_size=4 * G, max_memory_size=8 * G)
    cursors = [manager.make_cursor(path).use_region(i * 8 * G) for i in range(4)]
    assert manager.num_file_handles() == 4 and manager.mapped_memory_size() == 16 * G
    for c in cursors:
        c.unuse_region()
    assert manager._collect_lru_region(4 * G) >= 2
    assert manager.mapped_memory_size() <= 4 * G


def test_handle_limit_is_hard(make_file):
    path = make_file(40 * G)
    manager = SlidingWindowMapManager(window_size=4 * G, max_open_handles=2)
    first = manager.make_cursor(path).use_region(0)
    second = manager.make_cursor(path).use_region(10 * G)
    with pytest.raises(OSError) as error:
        manager.make_cursor(path).use_region(20 * G)
    assert error.value.errno == errno.EMFILE and error.value.filename == path
    second.unuse_region()
    assert manager.make_cursor(path).use_region(20 * G).is_valid()
    assert first.is_valid()


def test_make_cursor_errors(tmp_path):
    manager = SlidingWindowMapManager()
    missing = str(tmp_path / "missing")
    with pytest.raises(FileNotFoundError) as error:
        manager.make_cursor(missing)
    assert error.value.errno == errno.ENOENT and error.value.filename == missing
    with pytest.raises(IsADirectoryError):
        manager.make_cursor(str(tmp_path))
    with pytest.raises(OSError) as error:
        manager.make_cursor(10**6)  # not an open descriptor
    assert error.value.errno == errno.EBADF
    with pytest.raises(TypeError):
        manager.make_cursor(1.5)
    with pytest.raises(ValueError):
        manager.make_cursor("a\0b")
    assert manager.num_file_handles() == 0


def test_oserror_names_the_file_once(tmp_path):
    import pathlib
    manager = SlidingWindowMapManager()
    missing = str(tmp_path / "missing")
    directory = str(tmp_path)
    # OSError's str() appends the file name; the message itself leaves it out.
    for source, kind, err, operation, shown in [
            (missing, FileNotFoundError, errno.ENOENT, "stat", repr(missing)),
            (missing.encode(), FileNotFoundError, errno.ENOENT, "stat", repr(missing.encode())),
            (directory, IsADirectoryError, errno.EISDIR, "read", repr(directory)),
            (pathlib.Path(directory), IsADirectoryError, errno.EISDIR, "read",
             repr(pathlib.Path(directory)))]:
        with pytest.raises(kind) as error:
            manager.make_cursor(source)
        assert error.value.errno == err and error.value.filename is source
        assert error.value.strerror == f"{operation}: {os.strerror(err)}"
        assert str(error.value) == f"[Errno {err}] {operation}: {os.strerror(err)}: {shown}"
        assert str(error.value).count(directory) == 1
    # A descriptor has no file name: the message names it, once.
    with pytest.raises(OSError) as error:
        manager.make_cursor(10**6)
    assert error.value.filename is None
    assert str(error.value) == f"[Errno {errno.EBADF}] fstat 'fd 1000000': {os.strerror(errno.EBADF)}"


def test_a_bool_is_not_a_descriptor():
    from smmap import MapRegion, MapRegionList
    for manager in (SlidingWindowMapManager(), StaticWindowMapManager()):
        for flag in (True, False):
            with pytest.raises(TypeError, match="bool"):
                manager.make_cursor(flag)
    with pytest.raises(TypeError, match="bool"):
        MapRegion(True, 0, 1)
    with pytest.raises(TypeError, match="bool"):
        MapRegionList(True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(make_file):
    path = make_file(10)
    os.chmod(path, 0)
    with pytest.raises(PermissionError):
        SlidingWindowMapManager().make_cursor(path)


def test_empty_file(make_file, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    cursor = SlidingWindowMapManager().make_cursor(str(empty))
    assert cursor.is_associated() and cursor.file_size() == 0
    assert not cursor.use_region().is_valid()


def test_replaced_file_gets_a_fresh_entry(tmp_path):
    path = tmp_path / "replaced"
    path.write_bytes(file_bytes(3 * G))
    manager = SlidingWindowMapManager()
    old = manager.make_cursor(str(path)).use_region(0)
    assert old.buffer()[:4].tobytes() == file_bytes(4)
    fresh = tmp_path / "fresh"
    fresh.write_bytes(bytes(reversed(file_bytes(5 * G))))
    os.replace(fresh, path)
    new = manager.make_cursor(str(path)).use_region(0)
    assert new.file_size() == 5 * G and old.file_size() == 3 * G
    assert new.buffer()[:4].tobytes() == bytes(reversed(file_bytes(5 * G)))[:4]
    assert old.buffer()[:4].tobytes() == file_bytes(4)  # the old view stays consistent
    assert manager.stats().replaced_files == 1


def test_cursor_outlives_its_manager(make_file):
    path = make_file(4 * G)
    manager = SlidingWindowMapManager()
    cursor = manager.make_cursor(path)
    del manager
    assert cursor.use_region(G, 4).buffer().tobytes() == file_bytes(G + 4)[G:]


def test_stats_snapshot(make_file):
    manager = SlidingWindowMapManager(window_size=2 * G)
    cursor = manager.make_cursor(make_file(8 * G))
    for ofs in (0, 1, 2, 5 * G, 3):
        cursor.use_region(ofs, 1)
    cursor.unuse_region()
    s = manager.stats()
    # 0 maps [0, 2G); 1 and 2 hit the cursor's region; 5G maps; 3 finds [0, 2G) alive
    assert (s.maps, s.cursor_hits, s.region_hits, s.peak_regions) == (2, 2, 1, 2)
    assert s.peak_mapped_bytes == manager.mapped_memory_size() >= 4 * G
    assert manager.collect() == 2 and manager.stats().unmaps_by_collect == 2
    assert "cursor_hits=2" in repr(s)
    fields = [name for name in dir(s) if not name.startswith("_")]
    assert len(fields) == 24 and all("%s=%d" % (f, getattr(s, f)) in repr(s) for f in fields)


def test_misuse_raises_python_errors(make_file):
    import pickle
    from smmap import SlidingWindowMapBuffer, WindowCursor
    manager = SlidingWindowMapManager()
    assert manager.force_map_handle_removal_win(5) == 0
    with pytest.raises(TypeError):
        WindowCursor.__new__(WindowCursor).use_region(0)
    with pytest.raises(TypeError):
        SlidingWindowMapBuffer.__new__(SlidingWindowMapBuffer)[0]
    cursor = manager.make_cursor(make_file(G))
    with pytest.raises(TypeError):
        pickle.dumps(cursor)
    with pytest.raises(TypeError):
        cursor.assign(5)
    with pytest.raises(TypeError):
        SlidingWindowMapManager("x")
    cursor.assign(cursor)
    assert cursor.is_associated()


def test_adaptive_windows(make_file):
    manager = SlidingWindowMapManager(window_size=4 * G, max_memory_size=8 * G)
    assert manager.adaptive() is True
    path = make_file(256 * G)
    expected = file_bytes(256 * G)
    cursor = manager.make_cursor(path)
    for i in range(200):
        ofs = (i * 7919 * 97) % (256 * G - 64)
        assert cursor.use_region(ofs, 64).buffer().tobytes() == expected[ofs:ofs + 64]
    s = manager.stats()
    # Sparse small reads: read through (with a copy window now and then), the
    # machine's costs measured when the file switched.
    assert s.switches_to_copy == 1 and s.read_throughs > 100 and s.copies >= s.copy_windows
    assert s.small_read_ns > 0 and s.window_copy_ns > 0
    assert cursor.region().size() <= 2 * G  # the request's bytes, or its pages
    manager.set_adaptive(False)
    assert manager.adaptive() is False
    manager.collect()
    cursor.use_region(100 * G + 5, 64)
    assert cursor.region().size() >= 4 * G  # a mapped window
    assert cursor.buffer().tobytes() == expected[100 * G + 5:100 * G + 69]


def test_copy_budget(make_file):
    manager = SlidingWindowMapManager(window_size=4 * G, max_memory_size=64 * G)
    assert manager.max_copy_memory() == (64 if is_64_bit() else 16) * 2**20
    manager.set_max_copy_memory(3 * G)
    assert manager.max_copy_memory() == 3 * G
    path = make_file(256 * G)
    expected = file_bytes(256 * G)
    cursor = manager.make_cursor(path)
    for i in range(400):
        ofs = (i * 7919 * 97) % (256 * G - 64)
        assert cursor.use_region(ofs, 64).buffer().tobytes() == expected[ofs:ofs + 64]
        # Read again: pages that are, get copy windows rather than read-throughs.
        assert cursor.use_region(ofs + 8, 32).buffer().tobytes() == expected[ofs + 8:ofs + 40]
        assert manager.stats().copy_window_bytes <= 3 * G
    s = manager.stats()
    assert s.copy_windows > 100 and s.peak_copy_window_bytes <= 3 * G
    assert s.copy_budget_full == 0  # one cursor pins one window at most
    with pytest.raises(ValueError):
        manager.set_max_copy_memory(-1)


def test_descriptor_budget(tmp_path):
    manager = SlidingWindowMapManager(window_size=4 * G, max_memory_size=64 * G)
    assert manager.max_open_descriptors() >= 1
    manager.set_max_open_descriptors(2)
    assert manager.max_open_descriptors() == 2
    # Five files that differ: file i holds file_bytes shifted by i.
    contents = [file_bytes(16 * G + 5)[i:i + 16 * G] for i in range(5)]
    paths = []
    for i, content in enumerate(contents):
        path = tmp_path / f"data{i}"
        path.write_bytes(content)
        paths.append(str(path))
    cursors = [manager.make_cursor(path) for path in paths]
    for round_ in range(2):
        for i, cursor in enumerate(cursors):
            ofs = (round_ * 5 + i) * 3 * G + 7
            expected = contents[i][ofs:ofs + 64]
            assert cursor.use_region(ofs, 64).buffer().tobytes() == expected
            assert manager.num_open_descriptors() <= 2
    s = manager.stats()
    assert s.descriptor_closes >= 3 and s.descriptor_reopens >= 3
    manager.set_max_open_descriptors(1)
    assert manager.num_open_descriptors() == 1
    manager.set_max_open_descriptors(0)  # at least one, as in C++
    assert manager.max_open_descriptors() == 1
    with pytest.raises(ValueError):
        manager.set_max_open_descriptors(-1)
