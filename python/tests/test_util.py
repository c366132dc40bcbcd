"""smmap.util: alignment, MapWindow arithmetic, standalone regions, region lists."""
import os
import sys

import pytest

from smmap.test.lib import file_bytes
from smmap.util import (ALLOCATIONGRANULARITY, MapRegion, MapRegionList, MapWindow,
                        align_to_mmap, is_64_bit)

G = ALLOCATIONGRANULARITY


def test_granularity_is_the_page_size():
    assert G == os.sysconf("SC_PAGESIZE")
    assert is_64_bit() is (sys.maxsize > 2**32)


@pytest.mark.parametrize("num, down, up", [
    (0, 0, 0), (1, 0, G), (G - 1, 0, G), (G, G, G), (G + 1, G, 2 * G),
    (-1, -G, 0), (sys.maxsize, sys.maxsize // G * G, sys.maxsize // G * G + G),
    (2**80 + 3, 2**80, 2**80 + G),
])
def test_align_to_mmap_is_exact_for_any_integer(num, down, up):
    assert align_to_mmap(num, False) == down
    assert align_to_mmap(num, True) == up


def test_window_ends_and_equality():
    assert MapWindow(0, 1).ofs_end() == 1
    assert MapWindow(8000, 50).ofs_end() == 8050
    assert MapWindow(3, 4) == MapWindow(3, 4) != MapWindow(3, 5)
    w = MapWindow(1, 2)
    w.ofs, w.size = 10, 20  # writable, as in smmap
    assert (w.ofs, w.size, w.ofs_end()) == (10, 20, 30)
    assert repr(w) == "MapWindow(10, 20)"


def test_window_extension_stays_put_when_touching():
    left, centre = MapWindow(0, 1), MapWindow(1, 1)
    centre.extend_left_to(left, 100)
    assert (centre.ofs, centre.size) == (1, 1)
    left.extend_right_to(centre, 100)
    left.extend_right_to(centre, 100)
    assert (left.ofs, left.size) == (0, 1)


def test_window_extends_left_keeping_its_end_and_the_limit():
    w = MapWindow(10, 5)
    w.extend_left_to(MapWindow(1, 1), 100)
    assert (w.ofs, w.ofs_end()) == (2, 15)
    far = MapWindow(8000, 50)
    far.extend_left_to(w, 100)
    assert (far.size, far.ofs_end()) == (100, 8050)
    far.extend_left_to(w, sys.maxsize)
    assert far.ofs == w.ofs_end() and far.ofs_end() == 8050


def test_window_extends_right_up_to_the_limit_or_the_neighbour():
    w, right = MapWindow(1, 1), MapWindow(8000, 50)
    w.extend_right_to(right, 100)
    assert (w.ofs, w.size) == (1, 100)
    w.extend_right_to(right, sys.maxsize)
    assert (w.ofs, w.ofs_end()) == (1, 8000)


def test_window_align_contains_the_old_window():
    w = MapWindow(G + 5, 10)
    w.align()
    assert (w.ofs, w.size) == (G, G)
    w = MapWindow(G - 1, 2)
    w.align()
    assert (w.ofs, w.size) == (0, 2 * G)


def test_window_arithmetic_never_raises_on_odd_values():
    w = MapWindow(-5, sys.maxsize)
    w.extend_left_to(MapWindow(-100, 0), sys.maxsize * 4)
    w.extend_right_to(MapWindow(2**70, 0), 2**70)
    w.align()
    assert w.ofs % G == 0 and w.size % G == 0
    assert MapWindow(-3, 2).ofs_end() == -1


def test_standalone_region_maps_and_clips(make_file):
    size = 3 * G + 100
    path = make_file(size)
    data = file_bytes(size)
    whole = MapRegion(path, 0, sys.maxsize)
    assert (whole.ofs_begin(), whole.size(), whole.ofs_end()) == (0, size, size)
    assert bytes(whole.buffer()) == data
    assert whole.map()[G:G + 10] == data[G:G + 10]
    tail = MapRegion(path, G, size)
    assert (tail.ofs_begin(), tail.size()) == (G, size - G)
    assert tail.buffer()[0] == data[G]
    half = MapRegion(path, 0, size // 2)
    assert half.size() == size // 2
    assert whole.includes_ofs(0) and whole.includes_ofs(size - 1)
    assert not whole.includes_ofs(-1) and not whole.includes_ofs(size)
    assert not whole.includes_ofs(sys.maxsize) and not whole.includes_ofs(2**100)
    assert whole.client_count() == 1
    alias = whole
    assert alias.client_count() == 1  # holding a reference is not a client
    w = MapWindow.from_region(tail)
    assert (w.ofs, w.ofs_end()) == (tail.ofs_begin(), tail.ofs_end())


def test_standalone_region_from_descriptor(make_file, open_fd):
    path = make_file(G + 1)
    region = MapRegion(open_fd(path), 0, G + 1)
    assert bytes(region.map()) == file_bytes(G + 1)


def test_standalone_region_count_and_release(make_file):
    region = MapRegion(make_file(G), 0, G)
    view = region.buffer()
    assert region.increment_client_count() is False
    assert region.client_count() == 2
    assert region.increment_client_count(-1) is False
    assert region.increment_client_count(-1) is True  # released
    assert region.client_count() == 0
    with pytest.raises(ValueError):
        region.buffer()
    with pytest.raises(ValueError):
        region.increment_client_count(-1)
    assert view[:8] == file_bytes(8)  # what was handed out stays mapped


def test_standalone_region_rejects_bad_arguments(make_file, tmp_path):
    path = make_file(2 * G)
    with pytest.raises(ValueError):
        MapRegion(path, 1, 10)  # unaligned
    with pytest.raises(ValueError):
        MapRegion(path, -G, 10)
    with pytest.raises(ValueError):
        MapRegion(path, 2 * G, 10)  # at the end
    with pytest.raises(ValueError):
        MapRegion(path, 0, -1)
    with pytest.raises(FileNotFoundError):
        MapRegion(str(tmp_path / "missing"), 0, 10)
    with pytest.raises(TypeError):
        MapRegion(1.5, 0, 10)


def test_region_list(make_file, open_fd):
    path = make_file(100, "sample")
    for item in (path, open_fd(path)):
        regions = MapRegionList(item)
        assert len(regions) == 0
        assert regions.path_or_fd() is item
        assert regions.file_size() == 100


def test_region_list_errors(tmp_path):
    with pytest.raises(FileNotFoundError) as missing:
        MapRegionList(str(tmp_path / "nope"))
    assert missing.value.filename == str(tmp_path / "nope")
    with pytest.raises(IsADirectoryError):
        MapRegionList(str(tmp_path))
