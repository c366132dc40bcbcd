"""The binding of WindowCursor and SlidingWindowMapBuffer: one implementation
per method (the slot and the method run the same code), clean errors from
objects that were never initialised or were let go of, and subclassing."""
import os
import subprocess
import sys
import textwrap

import pytest

from smmap import (MapRegionList, SlidingWindowMapBuffer, SlidingWindowMapManager,
                   WindowCursor)

SIZE = 100_000

# Every public method (and protocol method) with arguments that would work on
# a usable object. `valid` is an initialised cursor, `x` the object under test.
CURSOR_CALLS = {
    "use_region": "x.use_region(0, 10)",
    "use_region(keywords)": "x.use_region(offset=0, size=10)",
    "unuse_region": "x.unuse_region()",
    "buffer": "x.buffer()",
    "map": "x.map()",
    "region": "x.region()",
    "is_valid": "x.is_valid()",
    "is_associated": "x.is_associated()",
    "ofs_begin": "x.ofs_begin()",
    "ofs_end": "x.ofs_end()",
    "size": "x.size()",
    "includes_ofs": "x.includes_ofs(0)",
    "file_size": "x.file_size()",
    "path_or_fd": "x.path_or_fd()",
    "path": "x.path()",
    "fd": "x.fd()",
    "assign": "x.assign(valid)",
    "assign(from)": "valid.assign(x)",
    "__copy__": "copy.copy(x)",
    "__deepcopy__": "copy.deepcopy(x)",
    "_destroy": "x._destroy()",
    "__enter__": "x.__enter__()",
    "__exit__": "x.__exit__(None, None, None)",
    "with": "exec('with x: pass')",
    "buffer of it": "SlidingWindowMapBuffer(x)",
    "begin_access with it": "SlidingWindowMapBuffer().begin_access(x)",
}
BUFFER_CALLS = {
    "begin_access": "x.begin_access(valid, 0, 10)",
    "begin_access(keywords)": "x.begin_access(cursor=valid, offset=0, size=10)",
    "begin_access()": "x.begin_access()",
    "end_access": "x.end_access()",
    "cursor": "x.cursor()",
    "__len__": "x.__len__()",
    "len": "len(x)",
    "type.__len__": "type(x).__len__(x)",
    "__getitem__": "x.__getitem__(0)",
    "index": "x[0]",
    "negative index": "x[-1]",
    "slice": "x[0:2]",
    "step slice": "x[::3]",
    "type.__getitem__": "type(x).__getitem__(x, 0)",
    "type.__getitem__ slice": "type(x).__getitem__(x, slice(0, 2))",
    "__enter__": "x.__enter__()",
    "__exit__": "x.__exit__(None, None, None)",
    "with": "exec('with x: pass')",
    "iter": "list(x)",
    "in": "0 in x",
}

# How the object under test is made, in the child process.
MAKERS = {
    "new": "x = {cls}.__new__({cls})",
    "subclass that skips __init__": ("class Sub({cls}):\n    def __init__(self):\n"
                                     "        pass\nx = Sub()"),
    "destroyed cursor": "x = manager.make_cursor(path).use_region(0, 10)\nx._destroy()",
    "cursor after __exit__": "x = manager.make_cursor(path)\nwith x:\n    pass",
    "ended buffer": "x = SlidingWindowMapBuffer(manager.make_cursor(path), 5)\nx.end_access()",
    "buffer of a destroyed cursor": ("c = manager.make_cursor(path)\n"
                                     "x = SlidingWindowMapBuffer(c, 5)\nc._destroy()"),
}

CHILD = """
import copy, sys
from smmap import SlidingWindowMapBuffer, SlidingWindowMapManager, WindowCursor
path = sys.argv[1]
manager = SlidingWindowMapManager()
calls = {calls!r}
for name, call in calls.items():
    valid = manager.make_cursor(path)
{maker}
    sys.stdout.write(name + "\\t")
    sys.stdout.flush()
    try:
        eval(call)
        outcome = "returned"
    except Exception as error:
        outcome = type(error).__name__
    print(outcome, flush=True)
"""


def outcomes(path, cls, maker):
    """Runs every call of |cls|'s table on an object made by |maker| in a fresh
    interpreter (a crash ends only it); returns name -> what happened, and the
    child's output."""
    import smmap
    calls = CURSOR_CALLS if cls is WindowCursor else BUFFER_CALLS
    maker = textwrap.indent(MAKERS[maker].format(cls=cls.__name__), "    ")
    code = CHILD.format(calls=calls, maker=maker)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(smmap.__file__)))
    done = subprocess.run([sys.executable, "-c", code, path], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60)
    output = done.stdout.decode(errors="replace")
    found = {}
    for line in output.splitlines():
        name, _, outcome = line.partition("\t")
        if name in calls and outcome:
            found[name] = outcome
    if done.returncode != 0:
        output += "\n(exit status %d)" % done.returncode
    return found, output


@pytest.fixture(scope="module")
def outcome_table(tmp_path_factory):
    """(class, maker) -> outcomes(), each child run once per module."""
    path = tmp_path_factory.mktemp("binding") / "data"
    path.write_bytes(bytes(range(256)) * (SIZE // 256 + 1))
    cache = {}

    def get(cls, maker):
        if (cls, maker) not in cache:
            cache[cls, maker] = outcomes(str(path), cls, maker)
        return cache[cls, maker]
    return get


@pytest.mark.parametrize("maker", ["new", "subclass that skips __init__"])
@pytest.mark.parametrize("cls, name", [(WindowCursor, name) for name in CURSOR_CALLS] +
                         [(SlidingWindowMapBuffer, name) for name in BUFFER_CALLS])
def test_uninitialized_object_raises_type_error(outcome_table, cls, name, maker):
    found, output = outcome_table(cls, maker)
    assert name in found, "the child died at %s:\n%s" % (name, output)
    assert found[name] == "TypeError", output


@pytest.mark.parametrize("cls, maker", [
    (WindowCursor, "destroyed cursor"), (WindowCursor, "cursor after __exit__"),
    (SlidingWindowMapBuffer, "ended buffer"),
    (SlidingWindowMapBuffer, "buffer of a destroyed cursor"),
])
def test_object_let_go_of_never_crashes(outcome_table, cls, maker):
    """After _destroy(), __exit__ or end_access() every call returns or raises
    a plain error: ValueError, or IndexError for an index into an empty buffer."""
    found, output = outcome_table(cls, maker)
    calls = CURSOR_CALLS if cls is WindowCursor else BUFFER_CALLS
    assert set(found) == set(calls), output
    allowed = {"returned", "TypeError", "ValueError", "IndexError"}
    assert set(found.values()) <= allowed, output


def test_the_tables_name_every_public_method():
    def public(cls):
        return {n for n in dir(cls) if not n.startswith("_") or
                n in ("__copy__", "__deepcopy__", "_destroy", "__enter__", "__exit__",
                      "__getitem__", "__len__")}
    named = {name.partition("(")[0] for name in CURSOR_CALLS}
    assert public(WindowCursor) <= named
    named = {name.partition("(")[0] for name in BUFFER_CALLS}
    assert public(SlidingWindowMapBuffer) <= named


def test_a_destroyed_cursor_under_a_buffer_raises_value_error(path):
    cursor = SlidingWindowMapManager().make_cursor(path)
    buf = SlidingWindowMapBuffer(cursor, 5)
    cursor._destroy()
    with pytest.raises(ValueError):
        buf[0]
    with pytest.raises(ValueError):
        buf[0:10]


@pytest.fixture
def buf(path):
    manager = SlidingWindowMapManager(window_size=16 * 1024)
    return SlidingWindowMapBuffer(manager.make_cursor(path), 1000)


@pytest.mark.parametrize("key", [0, 1, 17, -1, -5, SIZE - 1001, 40_000, True,
                                 slice(0, 20), slice(-30, None), slice(None, None, 7),
                                 slice(50_000, 10, -3), slice(5, 5), slice(None)])
def test_the_slot_and_the_method_agree(buf, data, key):
    expected = data[1000:][key]
    assert buf[key] == expected
    assert type(buf).__getitem__(buf, key) == expected
    assert buf.__getitem__(key) == expected


@pytest.mark.parametrize("key", [SIZE - 1000, -(SIZE - 999), 2**70, "a", 1.5])
def test_the_slot_and_the_method_raise_alike(buf, key):
    errors = []
    for read in (lambda: buf[key], lambda: type(buf).__getitem__(buf, key),
                 lambda: buf.__getitem__(key)):
        with pytest.raises((IndexError, TypeError)) as error:
            read()
        errors.append(type(error.value))
    assert len(set(errors)) == 1


def test_iteration_and_in_read_the_bytes(buf, data, path):
    small = SlidingWindowMapBuffer(SlidingWindowMapManager().make_cursor(path), SIZE - 300)
    assert bytes(small) == bytes(list(small)) == data[SIZE - 300:]
    assert data[SIZE - 1] in small and 256 not in small
    import operator
    assert operator.getitem(small, -300) == small[0] == data[SIZE - 300]


def test_len_slot_and_method_agree(buf):
    assert len(buf) == type(buf).__len__(buf) == buf.__len__() == SIZE - 1000
    buf.end_access()
    assert len(buf) == type(buf).__len__(buf) == buf.__len__() == 0


@pytest.mark.parametrize("bases", [(SlidingWindowMapBuffer, WindowCursor),
                                   (WindowCursor, SlidingWindowMapBuffer)])
def test_deriving_from_both_is_refused_at_class_creation(bases):
    with pytest.raises(TypeError):
        type("Both", bases, {})


def test_subclasses_work(path, data):
    manager = SlidingWindowMapManager()

    class Cursor(WindowCursor):
        def __init__(self, path):
            super().__init__(manager, MapRegionList(path))
            self.extra = 1

    class Buffer(SlidingWindowMapBuffer):
        def first(self):
            return self[0]

    cursor = Cursor(path)
    assert cursor.use_region(10, 5) is cursor and bytes(cursor.buffer()) == data[10:15]
    assert "Cursor" in type(cursor).__name__ and cursor.extra == 1
    buf = Buffer(cursor, 3)
    assert buf.first() == data[3] and buf[1:4] == data[4:7] and buf.cursor() is cursor
    assert type(buf).__getitem__(buf, 2) == buf[2] == data[5]
    assert type(cursor.__copy__()) is WindowCursor


def test_keywords_and_bad_arguments(path, data):
    cursor = SlidingWindowMapManager().make_cursor(path)
    assert cursor.use_region(offset=5, size=3).ofs_begin() == 5 and cursor.size() == 3
    assert cursor.use_region(7, size=2, flags=0).ofs_begin() == 7
    with pytest.raises(TypeError):
        cursor.use_region(1, offset=2)
    with pytest.raises(TypeError):
        cursor.use_region(1, 2, 3, 4)
    with pytest.raises(TypeError):
        cursor.use_region(bogus=1)
    with pytest.raises(TypeError):
        cursor.use_region("1")
    with pytest.raises(ValueError):
        cursor.use_region(0, -1)
    assert not cursor.use_region(-1).is_valid()
    buf = SlidingWindowMapBuffer()
    assert buf.begin_access(cursor=cursor, offset=10, size=4) and buf[:] == data[10:14]
    assert buf.begin_access(offset=20) and buf[0] == data[20]
    with pytest.raises(TypeError):
        buf.begin_access(5)
    with pytest.raises(TypeError):
        SlidingWindowMapBuffer(cursor, nope=1)
    other = WindowCursor()
    other.assign(rhs=cursor)
    assert other.path_or_fd() == path
    with pytest.raises(TypeError):
        other.assign()
