"""Shared helpers for the tests of the smmap command-line program.

The program under test is $SMMAP (set by ctest), else build/tools/smmap; a
program built for another machine runs under $SMMAP_EMULATOR (ctest sets it
to the build's emulator: qemu-aarch64 for `make test-arm64`).
"""
import os
import pty
import random
import re
import shlex
import subprocess
import threading
from pathlib import Path

import pytest

FNV_OFFSET_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    """64-bit FNV-1a, computed independently of the program."""
    h = FNV_OFFSET_BASIS
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


SOURCE_DIR = Path(__file__).resolve().parents[2]
CLI_DOC = SOURCE_DIR / "docs" / "cli.md"


def project_version() -> str:
    """The project's one version, project(smmap VERSION x.y.z) in CMakeLists.txt."""
    cmake = (SOURCE_DIR / "CMakeLists.txt").read_text()
    return re.search(r"project\(smmap VERSION (\d+\.\d+\.\d+)", cmake).group(1)


def program() -> str:
    path = os.environ.get("SMMAP") or str(SOURCE_DIR / "build/tools/smmap")
    if not os.access(path, os.X_OK):
        pytest.fail(f"the smmap program is not built: {path}")
    return path


def command() -> list:
    """What runs the program: the emulator, if any, and the program."""
    return shlex.split(os.environ.get("SMMAP_EMULATOR", "")) + [program()]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    """Runs the program; stdout as bytes (unless stdout= sends it elsewhere),
    stderr as text. The timeout only catches a hang: a scan built with
    ThreadSanitizer on a loaded machine takes over a minute."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    result = subprocess.run([*command(), *map(str, args)], stderr=subprocess.PIPE, timeout=600,
                            **kwargs)
    result.stderr = result.stderr.decode()
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
    return result


def run_on_a_terminal(*args) -> tuple:
    """Runs the program with stderr on a pseudo-terminal; returns the result
    (stdout as bytes) and all that was written to the terminal, as text."""
    master, slave = pty.openpty()
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        result = subprocess.run([*command(), *map(str, args)], stdout=subprocess.PIPE,
                                stderr=slave, timeout=600)
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    return result, b"".join(chunks).decode()


def write_data(path: Path, size: int, seed: int) -> bytes:
    """Writes |size| varied bytes (never all zeros) and returns them."""
    data = random.Random(seed).randbytes(size)
    path.write_bytes(data)
    return data


def stats_of(stdout: bytes) -> dict:
    """The manager statistics the program prints, as {name: int}."""
    stats = {}
    for line in stdout.decode().splitlines():
        name, sep, value = line.rpartition(": ")
        if sep and value.isdigit():
            stats[name] = int(value)
    return stats


def checksums_of(stdout: bytes) -> dict:
    """The "<hex>  <path>" lines of scan's output, as {path: int}."""
    sums = {}
    for line in stdout.decode().splitlines():
        hexdigits, sep, path = line.partition("  ")
        if sep and len(hexdigits) == 16:
            sums[path] = int(hexdigits, 16)
    return sums
