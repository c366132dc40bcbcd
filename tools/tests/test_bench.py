"""smmap bench: a short run, its output, progress only on a terminal, and
the private memory each strategy used."""
import json
import os
import sys

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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RssAnon is Linux's")
def test_private_memory_of_each_strategy_and_the_copy_budget():
    # 32 MiB of files under a 4 MiB limit: random reads move to copy windows
    # and read-throughs, whose private memory stays within the copy budget
    # and a few MiB (the pool's chunk, the region nodes, the page tables).
    result = run("bench", "--files", "2", "--file-size", "16M", "--window", "256K",
                 "--max-memory", "4M", "--max-copy-memory", "2M", "--reads", "30000",
                 "--pattern", "random", "--strategy", "sliding", "--strategy", "pread",
                 "--strategy", "whole-map", "--json")
    assert result.returncode == 0, result.stderr
    results = {r["strategy"]: r for r in json.loads(result.stdout)["results"]}
    for strategy in ("sliding", "pread", "whole-map"):
        assert isinstance(results[strategy]["peak_private_bytes"], int)
    # How the sliding manager served them: far misses read through, some cached.
    sliding = results["sliding"]
    assert sliding["read_throughs"] > 0 and sliding["copy_windows"] > 0
    assert results["pread"]["read_throughs"] == results["pread"]["copy_windows"] == 0
    if "ASAN_OPTIONS" in os.environ or "TSAN_OPTIONS" in os.environ:
        return  # `make test-asan` / `test-tsan`: the sanitizers' shadow memory is private too
    assert results["sliding"]["peak_private_bytes"] <= (2 + 8) * 2**20
    assert results["whole-map"]["peak_private_bytes"] < 2**20  # file pages are not private
