"""The examples of docs/cli.md, run as they are written.

Every fenced block of docs/cli.md whose first line starts with "$ " is an
example: each "$ COMMAND" line is run with /bin/sh, in order, all blocks in
one fresh directory (so a block may use the files an earlier one made), with
`smmap` on PATH being the program under test and standard error merged into
standard output. The lines after a command, up to the next command, are its
output. They must match exactly, except for what docs/cli.md says varies from
run to run: times and speeds, and the random name of the demo's directory.
"""
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import CLI_DOC, command

# What varies from run to run, and what it is compared as.
VARYING = [
    (re.compile(r"in [\d.]+ s \([\d.,]+ [KMGT]?i?B/s\)"), "in <time> s (<speed>/s)"),
    (re.compile(r"smmap-demo-[A-Za-z0-9]{6}"), "smmap-demo-XXXXXX"),
]


def fenced_blocks(text):
    """(language, lines) of each fenced block of Markdown |text|, unindented."""
    blocks, inside = [], None
    for line in text.splitlines():
        fence = re.fullmatch(r"( *)```(\w*)", line)
        if inside is None and fence:
            inside = (fence.group(1), fence.group(2), [])
        elif inside is not None and line == inside[0] + "```":
            blocks.append((inside[1], inside[2]))
            inside = None
        elif inside is not None:
            inside[2].append(line[len(inside[0]):])
    return blocks


def examples(text):
    """[(command, [expected output lines])] of every example block, in order."""
    found = []
    for language, lines in fenced_blocks(text):
        if language or not lines or not lines[0].startswith("$ "):
            continue
        for line in lines:
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
    return found


def normalized(lines):
    out = []
    for line in lines:
        for pattern, replacement in VARYING:
            line = pattern.sub(replacement, line)
        out.append(line)
    return out


EXAMPLES = examples(CLI_DOC.read_text())


def test_the_doc_has_examples():
    commands = [command for command, _ in EXAMPLES]
    assert commands[:2] == ["seq 200000 > numbers.txt", "seq -w 600000 > big.txt"]
    assert sum(command.startswith("smmap scan") for command in commands) >= 2
    assert sum(command.startswith("smmap cat") for command in commands) >= 3


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """The directory the examples run in, and their environment."""
    directory = tmp_path_factory.mktemp("examples")
    bin_dir = tmp_path_factory.mktemp("bin")
    # `smmap` on the PATH: the program, or a script running it under the emulator.
    wrapper = bin_dir / "smmap"
    wrapper.write_text("#!/bin/sh\nexec " + shlex.join(command()) + ' "$@"\n')
    wrapper.chmod(0o755)
    temp = tmp_path_factory.mktemp("tmp")  # the demo's $TMPDIR, shown as /tmp
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
               TMPDIR=str(temp), LC_ALL="C")
    return directory, env, str(temp)


@pytest.mark.parametrize("command,expected", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_example(workdir, command, expected):
    directory, env, temp = workdir
    result = subprocess.run(["/bin/sh", "-c", command], cwd=directory, env=env, timeout=600,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    actual = result.stdout.decode().replace(temp, "/tmp").splitlines()
    assert normalized(actual) == normalized(expected)
