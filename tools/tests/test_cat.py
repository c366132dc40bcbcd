"""smmap cat: exactly the requested bytes, across window boundaries."""
import subprocess

import pytest

from conftest import command, run, write_data

SIZE = 300_000  # not a multiple of the page or window size
WINDOW = 64 * 1024


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cat") / "data.bin"
    return path, write_data(path, SIZE, seed=42)


@pytest.mark.parametrize("offset,length", [
    (None, None),
    (0, 1),
    (WINDOW - 1, 2),           # straddles the first window boundary
    (WINDOW - 3, 100_000),     # spans two boundaries
    (2 * WINDOW - 1, 1),
    (4095, 4098),              # page boundaries
    (12345, None),             # to the end
    (SIZE - 1, None),
    (SIZE, None),              # at the end: nothing
    (1000, 10**12),            # a length past the end stops at the end
])
@pytest.mark.parametrize("window", [None, "64K", "4K"])
def test_bytes_equal_a_slice_of_the_file(data_file, offset, length, window):
    path, data = data_file
    args = ["cat"] + (["--window", window] if window else []) + [path]
    if offset is not None:
        args.append(offset)
        if length is not None:
            args.append(length)
    result = run(*args)
    assert result.returncode == 0, result.stderr
    start = offset or 0
    end = SIZE if length is None else min(SIZE, start + length)
    assert result.stdout == data[start:end]


def test_sizes_with_units(data_file):
    path, data = data_file
    result = run("cat", "--window", "64K", "--max-memory", "128K", path, "64K", "1KiB")
    assert result.returncode == 0, result.stderr
    assert result.stdout == data[65536:65536 + 1024]


def test_matches_dd(data_file):
    path, _ = data_file
    dd = subprocess.run(["dd", f"if={path}", "bs=1", "skip=65530", "count=20", "status=none"],
                        stdout=subprocess.PIPE, check=True)
    assert run("cat", "--window", "64K", path, 65530, 20).stdout == dd.stdout


def test_empty_file(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    result = run("cat", path)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", "")


def test_a_write_error_is_reported(data_file):
    path, _ = data_file
    with open("/dev/full", "wb") as full:
        result = subprocess.run([*command(), "cat", str(path)], stdout=full,
                                stderr=subprocess.PIPE, timeout=600)
    assert result.returncode == 1
    assert result.stderr.decode().startswith("smmap: write")
    assert result.stderr.count(b"\n") == 1
