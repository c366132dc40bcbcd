"""WindowCursor: states, copies, the window it shows, its region, its bytes."""
import copy
import gc
import sys

import pytest

from smmap import MappedBytes, SlidingWindowMapManager, StaticWindowMapManager, WindowCursor
from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G, align_to_mmap

SIZE = 64 * G + 123


def test_unassociated_cursors():
    manager = SlidingWindowMapManager()
    for cursor in (WindowCursor(manager), WindowCursor(), type(WindowCursor())()):
        assert not cursor.is_valid() and not cursor.is_associated()
        assert cursor.size() == 0 and cursor.file_size() == 0
        assert cursor.use_region(0, 10) is cursor and not cursor.is_valid()
        assert cursor.region() is None
        assert len(cursor.buffer()) == 0
        with pytest.raises(ValueError):
            cursor.path_or_fd()
        cursor._destroy()
        cursor._destroy()


def test_associated_cursor_knows_its_file(path):
    manager = SlidingWindowMapManager()
    cursor = manager.make_cursor(path)
    assert cursor.is_associated() and not cursor.is_valid()
    assert cursor.file_size() == SIZE
    assert cursor.path() == path and cursor.path_or_fd() is path
    with pytest.raises(ValueError):
        cursor.fd()
    cursor.unuse_region()
    cursor.unuse_region()  # idempotent


def test_descriptor_cursor(path, open_fd, data):
    fd = open_fd(path)
    cursor = SlidingWindowMapManager().make_cursor(fd)
    assert cursor.path_or_fd() is fd and cursor.fd() == fd
    with pytest.raises(ValueError):
        cursor.path()
    assert bytes(cursor.use_region(10, 10).buffer()) == data[10:20]


def test_path_like_and_bytes_paths(path, data):
    import pathlib
    manager = SlidingWindowMapManager()
    for item in (pathlib.Path(path), path.encode()):
        cursor = manager.make_cursor(item)
        assert cursor.path_or_fd() is item
        assert cursor.use_region(5, 5).buffer().tobytes() == data[5:10]


def test_copy_assign_and_destroy_pin_as_clients(path):
    manager = SlidingWindowMapManager()
    cursor = manager.make_cursor(path)
    twin = copy.copy(cursor)
    assert twin.is_associated() and not twin.is_valid()
    region = cursor.use_region(0, 10).region()
    assert region.client_count() == 2
    clone = copy.copy(cursor)
    deep = copy.deepcopy(cursor)
    assert clone.is_valid() and clone.region() == region
    assert region.client_count() == 4
    other = WindowCursor(manager)
    other.assign(cursor)
    assert other.is_valid() and other.path_or_fd() is path
    assert region.client_count() == 5
    for c in (clone, deep, other):
        c._destroy()
        assert not c.is_associated()
    assert region.client_count() == 2
    del cursor
    gc.collect()
    assert region.client_count() == 1  # only the manager's own reference


def test_cursor_context_manager_releases(path):
    manager = SlidingWindowMapManager()
    with manager.make_cursor(path) as cursor:
        region = cursor.use_region(0, 1).region()
        assert region.client_count() == 2
    assert region.client_count() == 1 and not cursor.is_associated()


@pytest.mark.parametrize("manager_type", [StaticWindowMapManager, SlidingWindowMapManager])
def test_use_region_places_the_window(manager_type, path, data):
    manager = manager_type(window_size=8 * G) if manager_type is SlidingWindowMapManager else manager_type()
    cursor = manager.make_cursor(path)
    assert cursor.use_region(10, 10).is_valid()
    assert (cursor.ofs_begin(), cursor.size(), cursor.ofs_end()) == (10, 10, 20)
    assert bytes(cursor.buffer()) == data[10:20]
    assert cursor.includes_ofs(10) and cursor.includes_ofs(19)
    assert not cursor.includes_ofs(9) and not cursor.includes_ofs(20)
    assert not cursor.includes_ofs(-1) and not cursor.includes_ofs(2**70)
    # as much as possible from an offset
    cursor.use_region(G + 1)
    region = cursor.region()
    assert cursor.ofs_end() == region.ofs_end()
    assert bytes(cursor.buffer()) == data[G + 1:region.ofs_end()]
    assert cursor.map()[:] == data[region.ofs_begin():region.ofs_end()]


def test_offsets_outside_the_file_leave_the_cursor_invalid(path):
    cursor = SlidingWindowMapManager().make_cursor(path)
    assert cursor.use_region(0, 1).is_valid()
    assert not cursor.use_region(SIZE).is_valid()
    assert not cursor.use_region(SIZE + 5, 1).is_valid()
    assert not cursor.use_region(-1).is_valid()
    assert not cursor.use_region(2**70).is_valid()
    assert cursor.is_associated()
    with pytest.raises(ValueError):
        cursor.use_region(0, -1)
    with pytest.raises(TypeError):
        cursor.use_region("0")
    with pytest.raises(TypeError):
        cursor.use_region(0, 1, 0, 0)
    assert cursor.use_region(offset=3, size=2).buffer().tobytes() == file_bytes(5)[3:]


def test_region_counts_and_identity(path):
    manager = SlidingWindowMapManager(window_size=4 * G)
    cursor = manager.make_cursor(path)
    first = cursor.use_region(5000, 10).region()
    assert first.client_count() == 2  # the manager and the cursor
    assert cursor.region() == first and hash(cursor.region()) == hash(first)
    assert first.ofs_begin() == 0 and first.size() == 4 * G
    second = cursor.use_region(40 * G, 10).region()
    assert second != first and second is not first
    assert first.client_count() == 1 and second.client_count() == 2
    assert manager.num_file_handles() == 2
    cursor.unuse_region()
    assert second.client_count() == 1
    assert manager.collect() == 2
    # the described regions are gone; asking is safe
    assert first.client_count() == 0 and second.client_count() == 0
    assert first.ofs_begin() == 0 and first.size() == 4 * G


def test_unmapped_region_object_maps_again_on_demand(path, data):
    manager = SlidingWindowMapManager(window_size=4 * G)
    cursor = manager.make_cursor(path)
    region = cursor.use_region(8 * G).region()
    cursor._destroy()
    del cursor
    manager.collect()
    assert manager.num_file_handles() == 0
    assert region.client_count() == 0
    assert region.buffer()[:16] == data[8 * G:8 * G + 16]


def test_buffer_is_a_pinned_read_only_memoryview(path, data):
    manager = SlidingWindowMapManager(window_size=4 * G)
    cursor = manager.make_cursor(path)
    view = cursor.use_region(100, 50).buffer()
    assert isinstance(view, memoryview)
    assert view.readonly and view.format == "B" and view.ndim == 1 and view.itemsize == 1
    assert len(view) == 50 and view.tobytes() == data[100:150]
    assert view[0] == data[100] and view[-1] == data[149]
    with pytest.raises(TypeError):
        view[0] = 1
    region = cursor.region()
    cursor.unuse_region()
    assert region.client_count() == 2  # the view pins it
    assert manager.collect() == 0
    assert view.tobytes() == data[100:150]
    view.release()
    assert region.client_count() == 1
    assert manager.collect() == 1


def test_map_returns_mapped_bytes_like_mmap(path, data):
    cursor = SlidingWindowMapManager(window_size=4 * G).make_cursor(path)
    mapped = cursor.use_region(G + 7).map()
    assert isinstance(mapped, MappedBytes)
    region = cursor.region()
    whole = data[region.ofs_begin():region.ofs_end()]
    assert len(mapped) == region.size() == len(whole)
    assert mapped[0] == whole[0] and mapped[-1] == whole[-1]
    assert mapped[:4] == whole[:4] and mapped[-40:-20] == whole[-40:-20]
    assert mapped[10:2:-3] == whole[10:2:-3] and mapped[::997] == whole[::997]
    assert memoryview(mapped)[5] == whole[5]
    assert bytes(mapped) == whole and mapped.tobytes() == whole
    assert list(mapped[:3]) == list(whole[:3]) and list(iter(mapped))[:3] == list(whole[:3])
    with pytest.raises(IndexError):
        mapped[len(whole)]
    import struct
    assert struct.unpack_from(">L", mapped, 8)[0] == struct.unpack_from(">L", whole, 8)[0]


def test_mapped_bytes_close(path):
    manager = SlidingWindowMapManager()
    cursor = manager.make_cursor(path)
    mapped = cursor.use_region().map()
    view = memoryview(mapped)
    with pytest.raises(BufferError):
        mapped.close()
    view.release()
    cursor.unuse_region()
    with mapped:
        assert manager.collect() == 0  # still pinned
    assert mapped.closed and manager.collect() == 1
    with pytest.raises(ValueError):
        mapped[0]
    with pytest.raises(BufferError):
        memoryview(mapped)


def test_sliding_cursor_memory_and_handle_limits(path, data):
    import random
    rng = random.Random(7)
    manager = SlidingWindowMapManager(window_size=4 * G, max_memory_size=12 * G, max_open_handles=3)
    cursor = manager.make_cursor(path)
    for _ in range(500):
        ofs = rng.randrange(SIZE)
        assert cursor.use_region(ofs, 2 * G).is_valid()
        assert bytes(cursor.buffer()) == data[ofs:ofs + cursor.size()]
        assert cursor.includes_ofs(ofs) and cursor.includes_ofs(cursor.ofs_end() - 1)
        assert not cursor.includes_ofs(cursor.ofs_end())
        assert manager.num_file_handles() <= 3
        assert manager.mapped_memory_size() <= 12 * G
    assert align_to_mmap(manager.window_size(), True) == 4 * G


def test_region_handed_out_is_never_a_client_and_never_dangles(path):
    manager = SlidingWindowMapManager(window_size=2 * G, max_memory_size=4 * G)
    cursor = manager.make_cursor(path)
    regions = []
    for i in range(10):
        regions.append(cursor.use_region(i * 4 * G).region())
    cursor._destroy()
    counts = [r.client_count() for r in regions]
    assert max(counts) <= 1 and counts.count(1) == manager.num_file_handles()
    assert [repr(r) for r in regions][0] == "MapRegion<0, %d>" % (2 * G)
    assert sys.getrefcount(regions[0]) >= 2


def test_map_is_reused_while_the_region_stays(path, data):
    manager = SlidingWindowMapManager(window_size=4 * G)
    cursor = manager.make_cursor(path)
    first = cursor.use_region(100, 10).map()
    assert cursor.use_region(200, 10).map() is first  # same region: the same object
    assert first[200:210] == data[200:210]
    first.close()
    again = cursor.map()
    assert again is not first and not again.closed and again[0:4] == data[0:4]
    moved = cursor.use_region(20 * G, 10).map()
    assert moved is not again and moved[0:4] == data[cursor.region().ofs_begin():][:4]
    assert again[0:4] == data[0:4]  # the old one still pins and reads its region
    cursor.unuse_region()
    assert len(cursor.map()) == 0


def test_map_kept_for_reuse_never_blocks_a_move_under_a_handle_limit(path, data):
    manager = SlidingWindowMapManager(window_size=4 * G, max_open_handles=1)
    cursor = manager.make_cursor(path)
    for ofs in (0, 10 * G, 30 * G, 0):
        mapped = cursor.use_region(ofs, 10).map()
        assert mapped[ofs - cursor.region().ofs_begin()] == data[ofs]
        del mapped
    assert manager.num_file_handles() == 1
