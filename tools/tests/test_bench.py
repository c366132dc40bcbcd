"""smmap bench: a short run, its output, and progress only on a terminal."""
import pytest

from conftest import run, run_on_a_terminal

# A run of well under a second: one small demo file, few reads.
SHORT = ["bench", "--files", "1", "--file-size", "1M", "--reads", "2000", "--time", "0.05",
         "--pattern", "random", "--pattern", "sequential", "--strategy", "pread",
         "--strategy", "sliding"]


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_nothing_on_stderr_in_a_pipe(extra):
    result = run(*SHORT, *extra)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr
    assert result.stderr == ""
    out = result.stdout.decode()
    for word in ("random", "sequential", "pread", "sliding"):
        assert word in out


def test_progress_on_a_terminal():
    result, drawn = run_on_a_terminal(*SHORT)
    assert result.returncode == 0, drawn
    assert "writing 1 demo files" in drawn
    assert "\rrandom" in drawn and "\rsequential" in drawn
    assert b"\r" not in result.stdout
