"""Base classes for tests of code that uses smmap."""
import os
import struct
import tempfile
from unittest import TestCase

__all__ = ["TestBase", "FileCreator", "byte_at", "file_bytes", "pattern_bytes"]

_MASK = (1 << 64) - 1
_pattern = b""


def _block(k):
    # splitmix64 of the 8-byte block index: the pattern of the C++ tests
    # (tools/common/pattern.hpp, seed 0)
    x = (k + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _blocks(first, count):
    """The little-endian bytes of blocks [first, first + count)."""
    try:
        import numpy as np
    except ImportError:
        np = None
    if np is None or count < 4096:
        return struct.pack("<%dQ" % count, *map(_block, range(first, first + count)))
    x = np.arange(first, first + count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x.astype("<u8").tobytes()


def pattern_bytes(offset, size):
    """The bytes [offset, offset + size) of every test file."""
    first = offset // 8
    skip = offset - 8 * first
    return _blocks(first, (skip + size + 7) // 8)[skip:skip + size]


def file_bytes(size):
    """The first size bytes of every test file: each byte depends on its offset,
    so a read from a wrong offset cannot pass unseen."""
    global _pattern
    if len(_pattern) < size:
        _pattern += _blocks(len(_pattern) // 8, (size + 7) // 8 - len(_pattern) // 8)
    return _pattern[:size]


def byte_at(offset):
    """The byte at offset of every test file."""
    return (_block(offset >> 3) >> (8 * (offset & 7))) & 0xFF


class FileCreator:
    """A temporary file of the given size, removed when the instance goes.
    Its bytes are file_bytes(size), never all zeros."""

    __slots__ = ("_size", "_path")

    def __init__(self, size, prefix=""):
        assert size, "Require size to be larger 0"
        self._size = size
        with tempfile.NamedTemporaryFile("wb", prefix=prefix, delete=False) as file:
            self._path = file.name
            file.write(file_bytes(size))
        assert os.path.getsize(self.path) == size

    def __del__(self):
        try:
            os.remove(self.path)
        except (OSError, AttributeError):
            pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.__del__()

    @property
    def path(self):
        return self._path

    @property
    def size(self):
        return self._size


class TestBase(TestCase):
    """Foundation of smmap's tests."""

    k_window_test_size = 1000 * 1000 * 8 + 5195

    @classmethod
    def setUpAll(cls):
        pass
