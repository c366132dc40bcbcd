"""The package as smmap's users see it: module layout, names, the tutorial."""
import importlib
import importlib.metadata
import re
from pathlib import Path

import smmap
from smmap.test.lib import FileCreator, TestBase, byte_at, file_bytes


def test_module_layout_and_names():
    expected = {
        "smmap.mman": ["StaticWindowMapManager", "SlidingWindowMapManager", "WindowCursor"],
        "smmap.util": ["align_to_mmap", "is_64_bit", "MapWindow", "MapRegion", "MapRegionList",
                       "ALLOCATIONGRANULARITY"],
        "smmap.buf": ["SlidingWindowMapBuffer"],
        "smmap.test.lib": ["TestBase", "FileCreator"],
    }
    for module_name, names in expected.items():
        module = importlib.import_module(module_name)
        for name in names:
            assert hasattr(module, name), (module_name, name)
        if module_name != "smmap.test.lib":
            assert module.__all__ == names
    for name in expected["smmap.mman"] + expected["smmap.buf"]:
        assert getattr(smmap, name) is getattr(importlib.import_module("smmap.mman" if name != "SlidingWindowMapBuffer" else "smmap.buf"), name)
    assert smmap.version_info[0] == 5 and smmap.__version__.startswith("5.")
    assert smmap.StaticWindowMapManager.WindowCursorCls is smmap.WindowCursor
    assert issubclass(TestBase, __import__("unittest").TestCase)
    assert TestBase.k_window_test_size == 1000 * 1000 * 8 + 5195


def test_the_version_is_the_projects():
    cmake = (Path(__file__).resolve().parents[2] / "CMakeLists.txt").read_text()
    version = re.search(r"project\(smmap VERSION (\d+\.\d+\.\d+)", cmake).group(1)
    assert smmap.__version__ == version
    assert smmap.version_info == tuple(int(part) for part in version.split("."))
    assert smmap._smmap.__version__ == version
    # Installed (pip, a wheel, an sdist): the distribution's metadata says the same.
    try:
        distribution = importlib.metadata.distribution("smmap")
    except importlib.metadata.PackageNotFoundError:
        return  # the build tree, with no smmap installed
    if Path(distribution.locate_file("smmap/__init__.py")).resolve() == Path(smmap.__file__).resolve():
        assert distribution.version == version


def test_file_creator_writes_offset_dependent_bytes():
    with FileCreator(100_003, "creator") as fc:
        with open(fc.path, "rb") as f:
            data = f.read()
        assert fc.size == len(data) == 100_003
        assert data == file_bytes(fc.size)
        assert all(data[i] == byte_at(i) for i in (0, 1, 7, 8, 4095, 100_002))
        assert len(set(data[:4096])) > 200  # not a constant, not a short period
        assert data[:4096] != data[4096:8192]


def test_cursor_from_manager_and_region_list():
    with FileCreator(10_000, "regions") as fc:
        manager = smmap.SlidingWindowMapManager()
        cursor = smmap.WindowCursor(manager, smmap.MapRegionList(fc.path))
        assert cursor.is_associated() and cursor.path() == fc.path
        assert cursor.use_region(9_000).buffer()[0] == byte_at(9_000)


def test_tutorial():
    mman = smmap.SlidingWindowMapManager()
    assert mman.num_file_handles() == 0 and mman.mapped_memory_size() == 0
    with FileCreator(1024 * 1024 * 8, "test_file") as fc:
        c = mman.make_cursor(fc.path)
        assert c.is_associated() and not c.is_valid()
        assert c.use_region().is_valid()
        assert c.size()
        assert c.buffer()[0] == byte_at(0)
        assert c.buffer()[1:10].tobytes() == file_bytes(10)[1:]
        assert c.buffer()[c.size() - 1] == byte_at(c.size() - 1)
        assert c.ofs_begin() < c.ofs_end() and c.includes_ofs(100)
        assert not c.use_region(fc.size, 100).is_valid()
        assert c.use_region(100).is_valid()
        c.unuse_region()
        assert not c.is_valid()
        buf = smmap.SlidingWindowMapBuffer(mman.make_cursor(fc.path))
        assert buf.cursor().is_valid()
        assert buf[0] == byte_at(0) and buf[-1] == byte_at(fc.size - 1)
        assert buf[-10:] == file_bytes(fc.size)[-10:]
        buf.end_access()
        assert not buf.cursor().is_valid()
        assert buf.begin_access(offset=10) and buf[0] == byte_at(10)
