"""Bad arguments and unreadable files: one line on stderr, a non-zero status."""
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


@pytest.mark.parametrize("command", ["scan", "cat"])
def test_missing_file_names_the_path(tmp_path, command):
    missing = tmp_path / "no-such-file"
    result = run(command, missing)
    assert_one_line_error(result, 1, missing, "No such file")


@pytest.mark.parametrize("command", ["scan", "cat"])
def test_directory_names_the_path(tmp_path, command):
    assert_one_line_error(run(command, tmp_path), 1, tmp_path, "directory")


def test_scan_reports_a_bad_file_and_scans_the_others(tmp_path, small_file):
    missing = tmp_path / "missing.bin"
    result = run("scan", small_file, missing, small_file)
    assert_one_line_error(result, 1, missing)
    assert result.stdout.decode().count(str(small_file)) == 2


def test_offset_past_the_end(small_file):
    assert_one_line_error(run("cat", small_file, 1001), 1, small_file, "1001")


def test_a_file_named_like_an_option(tmp_path):
    path = tmp_path / "--window"
    data = write_data(path, 10, seed=1)
    result = run("cat", "--", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == data
