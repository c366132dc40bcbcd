"""smmap scan: checksums of given files, and the demo run with no files."""
import os
import re

import pytest

from conftest import checksums_of, fnv1a64, run, run_on_a_terminal, stats_of, write_data

MiB = 1 << 20
SIZES = [0, 1, 4095, 4096, 65537, 300_001, MiB + 123]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """{path: expected checksum} for files of awkward sizes."""
    directory = tmp_path_factory.mktemp("scan")
    expected = {}
    for i, size in enumerate(SIZES):
        path = directory / f"file-{i}.bin"
        expected[str(path)] = fnv1a64(write_data(path, size, seed=i))
    return expected


def test_fnv1a64_reference_values():
    # Published FNV-1a 64 test vectors: the Python helper is the real thing.
    assert fnv1a64(b"") == 0xCBF29CE484222325
    assert fnv1a64(b"a") == 0xAF63DC4C8601EC8C
    assert fnv1a64(b"foobar") == 0x85944171F73967E8


@pytest.mark.parametrize("options", [
    [],
    ["--window", "64K", "--max-memory", "256K"],
    ["--window", "64KiB", "--max-memory", "128K", "--max-handles", "1"],
    ["--window=4K", "--max-handles=2"],
    ["--window", "0"],
])
def test_checksums_match_an_independent_computation(files, options):
    result = run("scan", *options, *files)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert checksums_of(result.stdout) == files
    # Every line of output comes in command-line order.
    assert list(checksums_of(result.stdout)) == list(files)


def test_small_limits_evict_and_stay_under_the_limit(files):
    result = run("scan", "--window", "64K", "--max-memory", "256K", *files)
    assert result.returncode == 0, result.stderr
    stats = stats_of(result.stdout)
    assert stats["unmaps by eviction"] > 0
    assert stats["peak mapped bytes"] <= 256 * 1024 + 64 * 1024
    assert stats["cursor hits"] > 0


def test_the_same_file_twice(files):
    path = max(files, key=lambda p: os.path.getsize(p))
    result = run("scan", "--window", "64K", path, path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == lines[1] == f"{files[path]:016x}  {path}"


def run_demo(tmp_path, *options):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    result = run("scan", *options, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert list(tmp_path.iterdir()) == []  # the demo data is removed
    assert b"checksums match the data written" in result.stdout
    assert len(checksums_of(result.stdout)) == 4
    return stats_of(result.stdout)


def test_demo_evicts_under_its_limit(tmp_path):
    stats = run_demo(tmp_path)
    assert stats["maps"] >= 256  # 256 MiB in windows of 1 MiB
    assert stats["unmaps by eviction"] > 0
    assert 0 < stats["peak mapped bytes"] <= 64 * MiB + 1 * MiB
    # 1 MiB windows; or, where mapping a window costs more than reading it
    # (docs/design.md, "Adaptive windows"), copy windows, some smaller.
    if stats["copy windows (adaptive)"] == 0:
        assert stats["peak regions"] <= 65
    assert stats["cursor hits"] > 0


def test_demo_takes_the_limit_options(tmp_path):
    stats = run_demo(tmp_path, "--max-memory", "8M", "--window", "2M")
    assert stats["unmaps by eviction"] > 0
    assert stats["peak mapped bytes"] <= 8 * MiB + 2 * MiB


def test_progress_bar_on_a_terminal(files):
    path = max(files, key=lambda p: os.path.getsize(p))
    result, drawn = run_on_a_terminal("scan", path)
    assert result.returncode == 0
    assert re.search(r"scan \[#+ *\] +\d+%", drawn), drawn
    assert drawn.endswith("\r\x1b[K")  # erased at the end
    assert checksums_of(result.stdout) == {path: files[path]}
