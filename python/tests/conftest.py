"""Shared fixtures. The package under test is the one first on sys.path (ctest
puts <build>/python there); a session that imports another smmap stops here."""
import os

import pytest

import smmap
from smmap.test.lib import file_bytes

assert getattr(smmap, "__backend__", None) == "c++", (
    "these tests need the C++-backed smmap first on sys.path, not %s" % smmap.__file__)

G = smmap.ALLOCATIONGRANULARITY


def pytest_report_header(config):
    return "smmap under test: %s" % os.path.dirname(smmap.__file__)


@pytest.fixture
def make_file(tmp_path):
    """make_file(size, name='data') -> path of a file holding file_bytes(size)."""
    def make(size, name="data"):
        path = tmp_path / name
        path.write_bytes(file_bytes(size))
        return str(path)
    return make


@pytest.fixture
def open_fd():
    """open_fd(path) -> a read-only descriptor, closed after the test."""
    fds = []

    def open_(path):
        fds.append(os.open(path, os.O_RDONLY))
        return fds[-1]
    yield open_
    for fd in fds:
        os.close(fd)


@pytest.fixture
def data(request):
    """file_bytes(SIZE), SIZE being the test module's."""
    return file_bytes(request.module.SIZE)


@pytest.fixture
def path(make_file, request):
    """A file of the test module's SIZE holding file_bytes(SIZE)."""
    return make_file(request.module.SIZE)
