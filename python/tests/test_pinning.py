"""Memoryviews and MappedBytes pin their region: no eviction under them."""
import gc

import pytest

from smmap import SlidingWindowMapManager
from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G

SIZE = 64 * G


@pytest.fixture
def manager():
    # room for two windows of 2 pages
    return SlidingWindowMapManager(window_size=2 * G, max_memory_size=4 * G)


def test_live_view_prevents_eviction(manager, make_file):
    data = file_bytes(SIZE)
    # Mapped windows only: the reads below are sparse, and adaptive windows
    # would read most of them through, without windows to evict for.
    manager.set_adaptive(False)
    cursor = manager.make_cursor(make_file(SIZE))
    view = cursor.use_region(G + 3, 100).buffer()
    region = cursor.region()
    for i in range(2, 30):  # many other windows, far more than the limit
        cursor.use_region(i * 2 * G, 10)
    assert region.client_count() == 2  # the manager's reference and the view
    assert view.tobytes() == data[G + 3:G + 103]
    sub = view[10:20]
    del view
    gc.collect()
    assert region.client_count() == 2  # a slice of the view pins as well
    assert sub.tobytes() == data[G + 13:G + 23]
    sub.release()
    assert region.client_count() == 1
    for i in range(2, 6):
        cursor.use_region(i * 2 * G, 10)
    assert region.client_count() == 0  # now it could be evicted, and was


def test_map_of_a_cursor_pins(manager, make_file):
    cursor = manager.make_cursor(make_file(SIZE))
    mapped = cursor.use_region(0).map()
    region = cursor.region()
    cursor.unuse_region()
    assert manager.collect() == 0 and region.client_count() == 2
    mapped.close()
    assert region.client_count() == 1 and manager.collect() == 1


def test_view_outlives_cursor_and_manager(make_file):
    data = file_bytes(SIZE)
    manager = SlidingWindowMapManager(window_size=2 * G)
    cursor = manager.make_cursor(make_file(SIZE))
    view = cursor.use_region(5 * G, 64).buffer()
    del cursor, manager
    gc.collect()
    assert view.tobytes() == data[5 * G:5 * G + 64]


def test_region_object_is_no_client(manager, make_file):
    cursor = manager.make_cursor(make_file(SIZE))
    region = cursor.use_region(0, 1).region()
    again = cursor.region()
    assert region == again and region.client_count() == 2
    cursor.unuse_region()
    assert region.client_count() == 1
    assert manager.collect() == 1 and region.client_count() == 0
