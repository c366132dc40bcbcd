"""SlidingWindowMapBuffer: relative indices, slices, windows crossed, errors."""
import pytest

from smmap import SlidingWindowMapBuffer, SlidingWindowMapManager, StaticWindowMapManager, WindowCursor
from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G

SIZE = 50 * G + 321


MANAGERS = [
    lambda: SlidingWindowMapManager(),
    lambda: SlidingWindowMapManager(window_size=2 * G, max_memory_size=6 * G, max_open_handles=4),
    lambda: StaticWindowMapManager(),
]


def test_construction_errors(path):
    cursor = SlidingWindowMapManager().make_cursor(path)
    with pytest.raises(ValueError):
        SlidingWindowMapBuffer(WindowCursor())
    with pytest.raises(ValueError):
        SlidingWindowMapBuffer(type(cursor)())
    with pytest.raises(ValueError):
        SlidingWindowMapBuffer(cursor, SIZE)
    with pytest.raises(ValueError):
        SlidingWindowMapBuffer(cursor, -1)
    with pytest.raises(ValueError):
        SlidingWindowMapBuffer(cursor, 0, -1)
    with pytest.raises(TypeError):
        SlidingWindowMapBuffer(object())


def test_construction_errors_name_the_cause_offset_size_and_file(path):
    # The message is the C++ buffer's (src/api/buffer.cpp), word for word.
    cursor = SlidingWindowMapManager().make_cursor(path)
    with pytest.raises(ValueError) as error:
        SlidingWindowMapBuffer(cursor, SIZE + 5)
    assert str(error.value) == (
        "SlidingWindowMapBuffer: offset %d is not below the size %d of '%s'" % (SIZE + 5, SIZE, path))
    with pytest.raises(ValueError) as error:
        SlidingWindowMapBuffer(cursor, -1)
    assert "offset -1 is not below the size %d" % SIZE in str(error.value)
    with pytest.raises(ValueError) as error:
        SlidingWindowMapBuffer(WindowCursor())
    assert str(error.value) == "SlidingWindowMapBuffer: the cursor is not associated with a file"


def test_access_cycle(path, data):
    cursor = SlidingWindowMapManager().make_cursor(path)
    buf = SlidingWindowMapBuffer()
    assert buf.cursor() is None and len(buf) == 0
    buf.end_access()
    buf.end_access()
    assert buf.begin_access() is False
    assert buf.begin_access(cursor, SIZE) is False
    assert buf.begin_access(cursor, 100) is True
    assert buf.cursor() is cursor and cursor.is_valid()
    assert len(buf) == SIZE - 100
    assert buf[0] == data[100] and buf[-1] == data[-1]  # relative to the offset
    assert buf[:100] == data[100:200]
    assert buf.begin_access() is True and len(buf) == SIZE
    assert buf[0] == data[0] and buf[100] == data[100]
    buf.end_access()
    assert not cursor.is_valid() and cursor.is_associated() and len(buf) == 0
    with pytest.raises(IndexError):
        buf[0]
    assert buf.begin_access(offset=10, size=20) and len(buf) == 20
    assert buf[:] == data[10:30]
    assert buf.begin_access(size=10**30) and len(buf) == SIZE
    assert buf.begin_access(offset=-1) is False


@pytest.mark.parametrize("make_manager", MANAGERS)
@pytest.mark.parametrize("offset", [0, 1, G - 1, 3 * G + 17])
def test_indices_and_slices(make_manager, offset, path, data):
    buf = SlidingWindowMapBuffer(make_manager().make_cursor(path), offset)
    expected = data[offset:]
    n = len(expected)
    assert len(buf) == n
    for i in (0, 1, G - 1, G, 2 * G + 5, n - 1, -1, -n, -G - 3):
        assert buf[i] == expected[i], i
    for s in (slice(None), slice(5, 5 * G + 3), slice(-10, None), slice(None, -G),
              slice(G - 2, 3 * G + 2), slice(n - 3, n + 50), slice(n + 5, None),
              slice(None, None, 3), slice(7, 9 * G, G - 1), slice(None, None, -1),
              slice(-1, -5 * G, -7), slice(4 * G, 2, -(G + 1)), slice(10, 2), slice(0, 0)):
        got = buf[s]
        assert type(got) is bytes and got == expected[s], s
    for bad in (n, -n - 1, 2**70, -(2**70)):
        with pytest.raises(IndexError):
            buf[bad]
    with pytest.raises(TypeError):
        buf["1"]
    with pytest.raises(ValueError):
        buf[::0]


def test_size_limits_the_view(path, data):
    buf = SlidingWindowMapBuffer(SlidingWindowMapManager(window_size=2 * G).make_cursor(path), 5, 3 * G)
    assert len(buf) == 3 * G
    assert buf[-1] == data[5 + 3 * G - 1] and buf[:] == data[5:5 + 3 * G]


def test_large_slices_cross_windows(make_file):
    size = 9 * 1024 * 1024 + 5
    data = file_bytes(size)
    manager = SlidingWindowMapManager(window_size=1024 * 1024, max_memory_size=3 * 1024 * 1024)
    buf = SlidingWindowMapBuffer(manager.make_cursor(make_file(size)), 3)
    assert buf[:] == data[3:]
    assert buf[100:8 * 1024 * 1024] == data[103:8 * 1024 * 1024 + 3]
    assert buf[::-2] == data[3:][::-2]
    assert manager.mapped_memory_size() <= 3 * 1024 * 1024


def test_context_manager_and_cursor_keepalive(path, data):
    manager = SlidingWindowMapManager()
    with SlidingWindowMapBuffer(manager.make_cursor(path)) as buf:  # the buffer keeps its cursor
        assert buf.cursor().is_valid() and buf[-1] == data[-1]
    assert not buf.cursor().is_valid() and len(buf) == 0
    assert manager.collect() == 1


def test_buffer_whose_cursor_was_dropped(path):
    buf = SlidingWindowMapBuffer(SlidingWindowMapManager(window_size=2 * G).make_cursor(path))
    buf.cursor()._destroy()
    with pytest.raises(ValueError):
        buf[10 * G]
    with pytest.raises(ValueError):
        buf[:]
    assert buf.begin_access() is False


def test_buffer_of_descriptor(path, open_fd, data):
    buf = SlidingWindowMapBuffer(StaticWindowMapManager().make_cursor(open_fd(path)))
    assert buf[SIZE // 2] == data[SIZE // 2] and buf[-5:] == data[-5:]


def test_file_truncated_under_the_mapping_raises_eio(tmp_path):
    import errno
    import os
    path = tmp_path / "shrinking"
    path.write_bytes(file_bytes(8 * G))
    manager = SlidingWindowMapManager()
    buf = SlidingWindowMapBuffer(manager.make_cursor(str(path)))
    mapped = buf.cursor().map()
    assert buf[5 * G] == file_bytes(8 * G)[5 * G]
    os.truncate(path, G)  # another program shrinks the file
    for read in (lambda: buf[5 * G], lambda: buf[0:6 * G], lambda: mapped[5 * G],
                 lambda: mapped[G:]):
        with pytest.raises(OSError) as error:
            read()
        assert error.value.errno == errno.EIO
        assert str(error.value).count(str(path)) == 1  # the message names the file, once
    assert buf[10] == file_bytes(20)[10]  # what is left still reads
