"""Base classes for tests of code that uses smmap."""
import os
import struct
import tempfile
from unittest import TestCase

__all__ = ["TestBase", "FileCreator", "byte_at", "file_bytes"]

_MASK = (1 << 64) - 1
_pattern = b""


def _block(k):
    # splitmix64 of the 8-byte block index: tests/test_files.cpp's byte_at
    x = (k + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def file_bytes(size):
    """The first size bytes of every test file: each byte depends on its offset,
    so a read from a wrong offset cannot pass unseen."""
    global _pattern
    if len(_pattern) < size:
        have = len(_pattern) // 8
        need = (size + 7) // 8
        _pattern += struct.pack("<%dQ" % (need - have), *map(_block, range(have, need)))
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
