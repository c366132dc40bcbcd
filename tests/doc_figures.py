#!/usr/bin/python3
"""Checks that the documentation quotes only the measured figures of
docs/benchmarks.md.

- The README's "Why" cites the cost of a cursor hit and of a `pread`; the
  measurements are docs/benchmarks/micro.json (written by `make bench`, and
  shown in docs/benchmarks.md). Each figure the README gives must be within
  10% of the median there, so a new measurement that moves them makes this
  test fail until the README follows.
- Every figure (a number of ns, µs, ms, × or %) that README.md, the other
  docs/*.md, the comments of include/smmap/*.hpp and src/**/*.hpp or the Python
  package quote must be one that docs/benchmarks.md gives: the same number
  at the precision quoted, or, after "~", "about" or "over", within 10% of
  it. Code blocks and code spans are examples, not claims, and are skipped.
"""
import json
import re
import sys
from pathlib import Path

SOURCE_DIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
# README phrase -> (benchmark whose median it quotes, factor to the README's unit)
QUOTED = {
    r"a cursor hit and a 64-byte copy\s+take ~([\d.]+) ns": ("BM_CursorHitCopy64/range:67108864", 1),
    r"a 64-byte `pread` ~([\d.]+) µs": ("BM_Pread64", 1e-3),
}


# -- every figure quoted outside docs/benchmarks.md is one of its figures ------

# Where figures are quoted: the docs, and the comments of the public headers,
# the internal headers and the Python package.
QUOTING = ["README.md", "docs/*.md", "include/smmap/*.hpp", "src/**/*.hpp", "python/smmap/*.py",
           "python/smmap/*.pyi"]
NUMBER = r"\d[\d,]*(?:\.\d+)?"
FIGURE = re.compile(rf"(~|about |over )?({NUMBER})(?:\s?[–-]\s?({NUMBER}))?\s?(ns|µs|ms|×|%)(?!\s*\d)")
TIME = {"ns": 1.0, "µs": 1e3, "ms": 1e6}


def prose(path):
    """The text of |path| that makes claims: Markdown without code blocks and
    code spans, C++ comments; Python as it is."""
    text = path.read_text()
    if path.suffix == ".md":
        text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
        return re.sub(r"`[^`\n]*`", "", text)
    if path.suffix == ".hpp":
        return "\n".join(line.split("//", 1)[1] for line in text.splitlines() if "//" in line)
    return text


def dimension(unit):
    return "time" if unit in TIME else unit


def in_base(value, unit):
    return value * TIME.get(unit, 1.0)


def to_float(text):
    return float(text.replace(",", ""))


def benchmark_figures(text):
    """(dimension, value in ns or as a ratio) of every figure docs/benchmarks.md
    gives: numbers with a unit, and in tables bare numbers too, in the unit of
    their row ("ms per 256 MiB") or column ("ns/op", "µs"), or, in a table
    whose header names no unit, in the unit the text just before it names
    ("ns per call")."""
    figures = set()
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    for match in FIGURE.finditer(text):
        for number in filter(None, match.group(2, 3)):
            figures.add((dimension(match.group(4)), in_base(to_float(number), match.group(4))))
    unit_word = re.compile(r"\b(ns|µs|ms)\b")
    lines = text.splitlines()
    header = []
    for index, line in enumerate(lines):
        if not line.startswith("|"):
            header = []
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if not header:
            header = cells
            before = [unit_word.findall(l) for l in lines[max(0, index - 6):index]]
            before = [units[-1] for units in before if units]
            table_unit = before[-1] if before and not any(unit_word.search(h) for h in header) \
                else None
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the separator row
        row_unit = unit_word.search(cells[0])
        for column, cell in enumerate(cells[1:], 1):
            column_unit = unit_word.search(header[column]) if column < len(header) else None
            unit = (row_unit or column_unit)
            unit = unit.group(1) if unit else table_unit
            if unit is None:
                continue
            for number in re.findall(rf"(?<![\w.]){NUMBER}(?![\w.]*\s?(?:ns|µs|ms|×|%|[A-Za-z]))",
                                     cell):
                figures.add(("time", in_base(to_float(number), unit)))
    return figures


def decimals(number):
    return len(number.split(".")[1]) if "." in number else 0


def found(figures, number, unit, approximate):
    value = in_base(to_float(number), unit)
    scale = TIME.get(unit, 1.0)
    for kind, measured in figures:
        if kind != dimension(unit):
            continue
        if approximate:
            if abs(measured - value) <= 0.1 * measured:
                return True
        elif round(measured / scale, decimals(number)) == to_float(number):
            return True
    return False


def check_quoted_figures():
    figures = benchmark_figures((SOURCE_DIR / "docs/benchmarks.md").read_text())
    failures = 0
    for pattern in QUOTING:
        for path in sorted(SOURCE_DIR.glob(pattern)):
            if path.name == "benchmarks.md":
                continue
            for match in FIGURE.finditer(prose(path)):
                marker, low, high, unit = match.groups()
                quoted = match.group(0).strip()
                ok = all(found(figures, number, unit, marker is not None)
                         for number in filter(None, (low, high)))
                where = path.relative_to(SOURCE_DIR)
                if ok:
                    print(f"ok: {where}: {quoted!r} is in docs/benchmarks.md")
                else:
                    print(f"FAILED: {where}: {quoted!r} is not a figure of docs/benchmarks.md")
                    failures += 1
    return failures


def main() -> int:
    readme = (SOURCE_DIR / "README.md").read_text()
    runs = json.loads((SOURCE_DIR / "docs/benchmarks/micro.json").read_text())["benchmarks"]
    medians = {run["run_name"]: run["cpu_time"] for run in runs
               if run.get("aggregate_name") == "median"}
    failures = 0
    for phrase, (benchmark, factor) in QUOTED.items():
        match = re.search(phrase, readme)
        measured = medians[benchmark] * factor
        if match is None:
            print(f"FAILED: README.md no longer says /{phrase}/ (measured: {measured:.3g})")
            failures += 1
        elif abs(float(match.group(1)) - measured) > 0.1 * measured:
            print(f"FAILED: README.md says {match.group(0)!r}; {benchmark} measured {measured:.3g}")
            failures += 1
        else:
            print(f"ok: {match.group(0)!r} ({benchmark}: {measured:.3g})")
    failures += check_quoted_figures()
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
