"""Behaviour where this package once differed from smmap: whole regions,
mixed subclasses, objects made with __new__ alone, errors that name the file."""
import errno
import os
import subprocess
import sys
import textwrap

import pytest

from smmap import (MapRegion, SlidingWindowMapBuffer, SlidingWindowMapManager,
                   StaticWindowMapManager, WindowCursor)
from smmap.test.lib import file_bytes
from smmap.util import ALLOCATIONGRANULARITY as G

SIZE = 100_000


def run_isolated(code, *args):
    """Runs |code| in a fresh interpreter with this smmap (a crash fails the
    test instead of ending the session); returns its output."""
    import smmap
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(smmap.__file__)))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    output = done.stdout.decode(errors="replace")
    assert done.returncode == 0, "exit status %d:\n%s" % (done.returncode, output)
    return output


@pytest.mark.parametrize("manager, offset, size", [
    (lambda: SlidingWindowMapManager(8192), 50_000, 10),
    (lambda: StaticWindowMapManager(4096), 0, 0),
    (lambda: StaticWindowMapManager(4096), 70_000, 5),
    (lambda: SlidingWindowMapManager(), 0, 1),
])
def test_region_of_a_cursor_gives_the_whole_region(manager, offset, size, path, data):
    cursor = manager().make_cursor(path)
    region = cursor.use_region(offset, size).region()
    begin, length = region.ofs_begin(), region.size()
    assert begin <= offset < begin + length
    expected = data[begin:begin + length]
    assert len(region.buffer()) == length and bytes(region.buffer()) == expected
    assert len(region.map()) == length and region.map()[:] == expected
    assert len(cursor.map()) == length and cursor.map()[:] == expected


def test_mixing_buffer_and_cursor_in_one_class_never_crashes(path, data):
    output = run_isolated("""
        import sys
        from smmap import MapRegionList, SlidingWindowMapBuffer, SlidingWindowMapManager, WindowCursor
        path, expected = sys.argv[1], bytes.fromhex(sys.argv[2])
        manager = SlidingWindowMapManager()
        try:
            class X(SlidingWindowMapBuffer, WindowCursor):
                pass

            class Y(SlidingWindowMapBuffer, WindowCursor):
                def __init__(self):
                    SlidingWindowMapBuffer.__init__(self)
                    WindowCursor.__init__(self, manager, MapRegionList(path))

            class Z(WindowCursor, SlidingWindowMapBuffer):
                def __init__(self):
                    WindowCursor.__init__(self, manager, MapRegionList(path))
                    SlidingWindowMapBuffer.__init__(self)
        except TypeError:
            print("refused")
            raise SystemExit(0)
        for make in (X,):
            try:
                x = make()
            except TypeError:
                continue
            for call in (lambda: x.use_region(0, 10), lambda: x.buffer(), lambda: x.map(),
                         lambda: x.is_valid(), lambda: x.size(), lambda: x[0], lambda: len(x),
                         lambda: x.__getitem__(0), lambda: x.__len__(), lambda: x.cursor()):
                try:
                    call()
                except (TypeError, ValueError, IndexError):
                    pass
        for x in (Y(), Z()):
            assert len(x) == 0 and x.cursor() is None and x.size() == 0
            assert x.use_region(0, 10) is x and x.is_valid() and x.size() == 10
            assert bytes(x.buffer()) == expected and x.map()[:10] == expected
            assert x.begin_access(WindowCursor(manager, MapRegionList(path)), 0, 10)
            assert len(x) == 10 and x[0:10] == expected and x.__getitem__(1) == expected[1]
        print("worked")
    """, path, data[:10].hex())
    assert "refused" in output or "worked" in output


def test_buffer_made_with_new_alone_raises_type_error():
    output = run_isolated("""
        from smmap import SlidingWindowMapBuffer
        b = SlidingWindowMapBuffer.__new__(SlidingWindowMapBuffer)
        for name, call in (("b[0]", lambda: b[0]), ("b.__getitem__(0)", lambda: b.__getitem__(0)),
                           ("type(b).__getitem__", lambda: type(b).__getitem__(b, 0)),
                           ("len(b)", lambda: len(b)), ("b.__len__()", lambda: b.__len__()),
                           ("b[0:2]", lambda: b[0:2])):
            try:
                value = call()
            except TypeError:
                continue
            raise SystemExit("%s gave %r, not TypeError" % (name, value))
        print("ok")
    """)
    assert "ok" in output


def test_oserror_of_a_truncated_file_names_it_through_map_and_region(tmp_path):
    path = tmp_path / "shrinking"
    path.write_bytes(file_bytes(8 * G))
    manager = SlidingWindowMapManager()
    cursor = manager.make_cursor(str(path)).use_region(0, 8 * G)
    mapped = cursor.map()
    region_bytes = cursor.region().buffer()
    os.truncate(path, G)  # another program shrinks the file
    for read in (lambda: mapped[5 * G], lambda: mapped[G:], lambda: mapped[5 * G:5 * G + 20],
                 lambda: region_bytes[6 * G], lambda: region_bytes[2 * G:3 * G]):
        with pytest.raises(OSError) as error:
            read()
        assert error.value.errno == errno.EIO
        assert error.value.filename == str(path)


def test_standalone_region_of_size_zero_maps_to_the_end(path, data):
    region = MapRegion(path, 0, 0)
    assert (region.ofs_begin(), region.size()) == (0, SIZE)
    assert bytes(region.buffer()) == data
    tail = MapRegion(path, G, 0)
    assert (tail.ofs_begin(), tail.size()) == (G, SIZE - G)
