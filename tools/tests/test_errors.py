"""Bad arguments and unreadable files: one line on stderr, a non-zero status.

An error about a file has the library's form, whichever command meets it:
"smmap: <operation> '<file>'[ at offset N][ size M]: <reason>".
"""
import errno
import os

import pytest

from conftest import run, write_data


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("errors") / "small.bin"
    write_data(path, 1000, seed=7)
    return path


def assert_one_line_error(result, status, *words):
    assert result.returncode == status, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("smmap: ")
    for word in words:
        assert str(word) in lines[0]


@pytest.mark.parametrize("args,words", [
    (["nope"], ["nope"]),
    (["help", "nope"], ["nope"]),
    (["scan", "--bogus"], ["--bogus"]),
    (["scan", "--window"], ["--window"]),
    (["scan", "--window", "12Q"], ["12Q"]),
    (["scan", "--window", "-1"], ["-1"]),
    (["scan", "--max-memory", ""], ["--max-memory"]),
    (["scan", "--max-handles", "0"], ["--max-handles"]),
    (["scan", "--max-handles", "1M"], ["--max-handles"]),
    (["scan", "--window", "99999999999T"], ["99999999999T"]),
    (["cat"], ["FILE"]),
    (["cat", "--bogus", "x"], ["--bogus"]),
])
def test_usage_errors_exit_2(args, words):
    assert_one_line_error(run(*args), 2, *words)


def test_bad_offsets_exit_2(small_file):
    assert_one_line_error(run("cat", small_file, "ten"), 2, "ten")
    assert_one_line_error(run("cat", small_file, "1", "-2"), 2, "-2")
    assert_one_line_error(run("cat", small_file, "1", "2", "3"), 2)


def test_no_arguments_prints_usage_and_exits_2():
    result = run()
    assert result.returncode == 2
    assert "Usage: smmap" in result.stderr


def assert_error_line(result, line):
    """|result| failed with status 1 and wrote exactly "smmap: |line|"."""
    assert result.returncode == 1, result.stderr
    assert result.stderr == "smmap: " + line + "\n"


@pytest.mark.parametrize("command", ["scan", "cat", "bench"])
def test_missing_file_names_the_path(tmp_path, command):
    missing = tmp_path / "no-such-file"
    assert_error_line(run(command, missing),
                      f"stat '{missing}': {os.strerror(errno.ENOENT)}")


@pytest.mark.parametrize("command", ["scan", "cat", "bench"])
def test_directory_is_a_directory_not_a_failed_map(tmp_path, command):
    assert_error_line(run(command, tmp_path), f"read '{tmp_path}': {os.strerror(errno.EISDIR)}")


def test_bench_checks_every_file_before_reading_any(tmp_path, small_file):
    # The library's own errors, in the library's form, not the standard
    # library's "filesystem error: cannot get file size".
    missing = tmp_path / "missing.bin"
    assert_error_line(run("bench", small_file, missing),
                      f"stat '{missing}': {os.strerror(errno.ENOENT)}")
    tiny = tmp_path / "tiny.bin"
    write_data(tiny, 64, seed=3)
    assert_error_line(run("bench", small_file, tiny),
                      f"read '{tiny}': too small to benchmark (64 bytes; it needs more than 64)")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["cat"], ["scan"]])
def test_write_error_names_standard_output(small_file, args):
    with open("/dev/full", "wb") as full:
        result = run(*args, small_file, stdout=full)
    assert_error_line(result, f"write 'standard output': {os.strerror(errno.ENOSPC)}")


def test_scan_reports_a_bad_file_and_scans_the_others(tmp_path, small_file):
    missing = tmp_path / "missing.bin"
    result = run("scan", small_file, missing, small_file)
    assert_one_line_error(result, 1, missing)
    assert result.stdout.decode().count(str(small_file)) == 2


def test_offset_past_the_end(small_file):
    assert_error_line(run("cat", small_file, 1001),
                      f"read '{small_file}' at offset 1001: past the end of the file (1000 bytes)")


def test_a_file_named_like_an_option(tmp_path):
    path = tmp_path / "--window"
    data = write_data(path, 10, seed=1)
    result = run("cat", "--", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == data
