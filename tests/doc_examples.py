#!/usr/bin/python3
"""Compiles and runs the C++ examples of the documentation, so they cannot drift.

ctest runs it twice (tests/CMakeLists.txt):

  doc_examples.py --headers ...   the example that opens each public header,
                                  include/smmap/*.hpp, and each template of a
                                  generated one, include/smmap/*.hpp.in
  doc_examples.py --markdown ...  every ```cpp block of README.md and docs/*.md

Where the examples are found:
  - A header's example is the last run of lines starting with "//   " (a
    comment indented two spaces more than its prose) in the comment that
    opens the file (after blank lines or `#pragma once`), before its first
    line of code. Every public header must have one.
  - A Markdown example is a ```cpp fenced block.

How they are built: an example that defines `int main(` is a complete
program and is compiled as it is. Any other example is a fragment: its
`#include` lines go to the top of a translation unit, after the header it
comes from (for a header's example) and nothing else, and its other lines
become the body of a function that main() calls. So an example states every
other include it needs (<cassert>, <iostream>, ...) and declares every object
it uses. It is compiled with the compiler and flags the library was built
with, -std=c++20 -Wall -Wextra -Werror (unused variables allowed: examples
show values they do not use), without NDEBUG, and linked with the library.

What they run on: every string literal of an example that looks like a
relative file name ("big.pack", "objects/pack/x.pack") names a file that is
made, before the example runs, in a fresh directory the example runs in.
Each is DATA_SIZE bytes whose 8-byte word i (little-endian) is
i + WORD_BASE, so every byte depends on its offset and none of the files is
all zeros. An example passes when it exits 0 (an exception or a failed
assert fails it).
"""
import argparse
import array
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

DATA_SIZE = 128 << 20  # past the largest offset an example reads (123456789)
WORD_BASE = 0x0123456789ABCDEF
FILE_NAME = re.compile(r'"([\w.-]+(?:/[\w.-]+)*\.\w+)"')
EXAMPLE_LINE = "//   "


def header_example(path: Path) -> list:
    """The lines of the example in the comment that opens |path|."""
    runs, current = [], None
    lines = path.read_text().splitlines()
    while lines and (not lines[0].strip() or lines[0].strip() == "#pragma once"):
        lines.pop(0)
    for line in lines:
        if not line.startswith("//"):
            break
        if line.startswith(EXAMPLE_LINE):
            if current is None:
                current = []
                runs.append(current)
            current.append(line[len(EXAMPLE_LINE):])
        else:
            current = None
    return runs[-1] if runs else []


def markdown_examples(path: Path) -> list:
    """The lines of each ```cpp block of |path|, with their first line number."""
    blocks = []
    lines = path.read_text().splitlines()
    start = None
    for number, line in enumerate(lines, 1):
        if start is None and line.strip() == "```cpp":
            start = number
        elif start is not None and line.strip() == "```":
            blocks.append((start + 1, lines[start:number - 1]))
            start = None
    return blocks


def program_text(lines: list, origin: str, header: str = None) -> str:
    """A complete program: |lines| as they are, or wrapped as a fragment."""
    if any("int main(" in line for line in lines):
        return f"// {origin}\n" + "\n".join(lines) + "\n"
    includes = [f"#include <{header}>"] if header else []
    includes += [line.strip() for line in lines if line.strip().startswith("#include")]
    body = ["  " + line for line in lines if not line.strip().startswith("#include")]
    return "\n".join([f"// {origin}, wrapped by tests/doc_examples.py", *includes, "",
                      "static void example() {", *body, "}", "",
                      "int main() {", "  example();", "  return 0;", "}", ""])


def make_data(path: Path) -> None:
    """Writes DATA_SIZE bytes: word i is i + WORD_BASE."""
    words_per_chunk = 1 << 17
    with open(path, "wb") as out:
        for first in range(0, DATA_SIZE // 8, words_per_chunk):
            chunk = array.array("Q", range(first + WORD_BASE, first + WORD_BASE + words_per_chunk))
            if sys.byteorder != "little":
                chunk.byteswap()
            out.write(chunk.tobytes())


class Runner:
    def __init__(self, args, work: Path):
        self.args = args
        self.work = work
        self.data = work / "data"
        self.failures = []
        self.count = 0
        self.passed = 0

    def data_file(self) -> Path:
        if not self.data.exists():
            make_data(self.data)
        return self.data

    def check(self, name: str, text: str) -> None:
        """Compiles and runs one program; records a failure."""
        self.count += 1
        directory = self.work / f"example-{self.count}"
        directory.mkdir()
        source = directory / "example.cpp"
        source.write_text(text)
        binary = directory / "example"
        compile_command = [self.args.cxx, *shlex.split(self.args.cxx_flags), "-std=c++20",
                           "-UNDEBUG", "-Wall", "-Wextra", "-Werror", "-Wno-unused-variable",
                           "-Wno-unused-but-set-variable", *[f"-I{include}" for include in self.args.include],
                           str(source), self.args.library, "-pthread",
                           f"-Wl,-rpath,{Path(self.args.library).parent}", "-o", str(binary)]
        built = subprocess.run(compile_command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
        if built.returncode != 0:
            self.fail(name, text, "does not compile", shlex.join(compile_command), built.stdout)
            return
        if not binary.exists() and binary.with_suffix(".exe").exists():
            binary = binary.with_suffix(".exe")  # MinGW names programs .exe
        run_dir = directory / "run"
        run_dir.mkdir()
        for file_name in sorted(set(FILE_NAME.findall(text))):
            target = run_dir / file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(self.data_file(), target)
        command = [*shlex.split(self.args.emulator), str(binary)]
        try:
            ran = subprocess.run(command, cwd=run_dir, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            self.fail(name, text, "timed out", shlex.join(command), "")
            return
        if ran.returncode != 0:
            self.fail(name, text, f"exits with status {ran.returncode}", shlex.join(command),
                      ran.stdout)
            return
        self.passed += 1
        print(f"ok: {name}")

    def fail(self, name, text, what, command, output):
        self.failures.append(name)
        print(f"FAILED: {name} {what}\n--- program\n{text}--- command\n{command}\n"
              f"--- output\n{output}\n---", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--headers", action="store_true", help="the public headers' examples")
    what.add_argument("--markdown", action="store_true", help="README.md and docs/*.md")
    parser.add_argument("--source-dir", required=True, type=Path)
    parser.add_argument("--cxx", required=True, help="the C++ compiler")
    parser.add_argument("--cxx-flags", default="", help="flags the library was built with")
    parser.add_argument("--include", required=True, action="append",
                        help="a public include directory (the sources', the generated)")
    parser.add_argument("--library", required=True, help="the built library")
    parser.add_argument("--emulator", default="", help="runs the programs (32-bit builds)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="smmap-doc-examples-") as work:
        runner = Runner(args, Path(work))
        if args.headers:
            # Generated headers by their template (version.hpp.in).
            headers = sorted([*(args.source_dir / "include" / "smmap").glob("*.hpp"),
                              *(args.source_dir / "include" / "smmap").glob("*.hpp.in")])
            for header in headers:
                name = header.relative_to(args.source_dir).as_posix()
                lines = header_example(header)
                if not lines:
                    runner.failures.append(name)
                    print(f"FAILED: {name} opens with no example ({EXAMPLE_LINE!r} lines)")
                    continue
                included = header.name.removesuffix(".in")
                runner.check(name, program_text(lines, name, f"smmap/{included}"))
        else:
            documents = [args.source_dir / "README.md",
                         *sorted((args.source_dir / "docs").glob("*.md"))]
            for document in documents:
                for line, lines in markdown_examples(document):
                    name = f"{document.relative_to(args.source_dir).as_posix()}:{line}"
                    runner.check(name, program_text(lines, name))
        if runner.count == 0 and not runner.failures:
            print("FAILED: no examples found")
            return 1
        print(f"{runner.passed} passed, {len(runner.failures)} failed")
        return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
