#!/usr/bin/python3
"""Checks claims of the documentation against what they describe.

ctest runs one check per test (tests/CMakeLists.txt):

  doc_claims.py cli-options --smmap PROGRAM   (doc_cli_options)
      The option tables of docs/cli.md against `smmap help COMMAND`: the
      manager options table is what `scan` and `cat` list, the bench table
      what `bench` lists, both ways, with the same value placeholder (and,
      where the usage gives one, the same default); and every option the
      command's sources parse (tools/*.cpp) is in some usage.
  doc_claims.py make-targets                  (doc_make_targets)
      The target table of README.md against the Makefile's targets, both ways
      (`make deps-GROUP` stands for the pattern rule deps-%).
  doc_claims.py constants                     (doc_constants)
      Documented constants and thresholds against the source: every
      "`kName` (N)", "N unit (`kName`)" and "`kName = V`" of the docs against
      the constexpr of that name, and the defaults and limits listed in
      CLAIMS below against the code that sets them.
  doc_claims.py references                    (doc_references)
      What the docs and comments point at exists: GoogleTest names
      (Suite.Test, Suite.*), ctest names (as the CMake files register them),
      files of the repository, quoted
      section names ("docs/design.md, "Adaptive windows"") and #anchors of
      Markdown links; and every test of tests/documented_behaviour_test.cpp
      is named in the docs, as that file says.

  doc_claims.py versions                      (doc_versions)
      The project's one version, project(smmap VERSION ...) in
      CMakeLists.txt, is the one debian/changelog releases, and every version
      of the project that README.md and docs/*.md quote ("5.1.0", "smmap
      5.1.0", "smmap-5.1.0.tar.gz", "_5.1.0_") is it.

Each check prints one line per claim ("ok: ..." or "FAILED: ...") and exits
1 when any failed.
"""
import argparse
import glob
import re
import subprocess
import sys
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[1]
failures = []


def report(ok, what):
    print(("ok: " if ok else "FAILED: ") + what)
    if not ok:
        failures.append(what)


def read(relative):
    return (SOURCE_DIR / relative).read_text()


def docs():
    """README.md and docs/*.md, by relative path."""
    paths = [SOURCE_DIR / "README.md"] + sorted((SOURCE_DIR / "docs").glob("*.md"))
    return {str(p.relative_to(SOURCE_DIR)): p.read_text() for p in paths}


def sources():
    """The text files whose comments make claims: docs, headers, sources,
    tools, tests, scripts and the Python package."""
    patterns = ["README.md", "docs/*.md", "include/smmap/*.hpp", "src/**/*.[ch]pp",
                "tools/**/*.[ch]pp", "tests/**/*.cpp", "tests/**/*.hpp",
                "tests/*.py", "benchmarks/*.cpp", "examples/*.cpp", "fuzz/*.cpp",
                "python/src/*.[ch]pp", "python/smmap/*.py", "python/smmap/*.pyi",
                "python/tests/*.py", "tools/tests/*.py", "scripts/*.py", "scripts/*.sh",
                "Makefile", "CMakeLists.txt", "*/CMakeLists.txt", "*/*/CMakeLists.txt"]
    found = {}
    for pattern in patterns:
        for path in sorted(SOURCE_DIR.glob(pattern)):
            found[str(path.relative_to(SOURCE_DIR))] = path.read_text()
    return found


def flat(text):
    """|text| with comment markers and line breaks folded into single spaces."""
    text = re.sub(r"^\s*(//|#)", " ", text, flags=re.MULTILINE)
    return re.sub(r"\s+", " ", text)


def markdown_tables(text):
    """(line number, header cells, rows of cells) of each table of |text|."""
    tables = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|[-:| ]+\|\s*$",
                                                                      lines[i + 1]):
            header = cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(cells(lines[i].strip()))
                i += 1
            tables.append((i, header, rows))
        else:
            i += 1
    return tables


def cells(line):
    line = line.replace("\\|", "\0")
    return [c.strip().replace("\0", "|") for c in line.strip("|").split("|")]


# -- cli-options -------------------------------------------------------------

USAGE_OPTION = re.compile(r"^  (--[\w-]+)(?: (\S+))?(?:\s+(.*))?$")


def usage_options(program, command):
    """{option: (placeholder, default)} of `smmap help COMMAND`."""
    text = subprocess.run([program, "help", command], check=True, capture_output=True,
                          text=True).stdout
    options = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = USAGE_OPTION.match(line)
        if not match:
            continue
        description = match.group(3) or ""
        if i + 1 < len(lines) and lines[i + 1].startswith("    " + " " * 10):
            description += " " + lines[i + 1].strip()
        default = re.search(r"\(default:? ([^;)]+)", description)
        options[match.group(1)] = (match.group(2) or "", default.group(1) if default else None)
    return options


def doc_options(table_rows):
    """{option: (placeholder, default)} of a docs/cli.md option table."""
    options = {}
    for row in table_rows:
        match = re.fullmatch(r"`(--[\w-]+)(?: ([^`]+))?`", row[0])
        if match is None:
            report(False, f"docs/cli.md: option cell {row[0]!r} is not `--name VALUE`")
            continue
        options[match.group(1)] = (match.group(2) or "", row[-1])
    return options


def check_cli_options(program):
    text = read("docs/cli.md")
    tables = [t for t in markdown_tables(text) if t[1] and t[1][0] == "option"]
    # Which commands each option table documents: the manager options table
    # (in "Conventions") is scan's and cat's, the one in bench's section bench's.
    bench_at = text.index("## `smmap bench")
    line_of_bench = text[:bench_at].count("\n")
    manager = [t for t in tables if t[0] < line_of_bench]
    bench = [t for t in tables if t[0] > line_of_bench]
    report(len(manager) == 1 and len(bench) == 1,
           "docs/cli.md has one manager options table and one bench options table")
    if len(manager) != 1 or len(bench) != 1:
        return
    documented = {"scan": doc_options(manager[0][2]), "cat": doc_options(manager[0][2]),
                  "bench": doc_options(bench[0][2])}
    listed = set()
    for command, doc in documented.items():
        usage = usage_options(program, command)
        listed |= set(usage)
        for option in sorted(set(usage) | set(doc)):
            if option not in doc:
                report(False, f"`smmap help {command}` lists {option}, docs/cli.md does not")
            elif option not in usage:
                report(False, f"docs/cli.md lists {option} for {command}, `smmap help {command}` "
                              "does not")
            else:
                placeholder, default = usage[option]
                same = doc[option][0] == placeholder
                if default is not None and default not in ("the library's",):
                    same = same and doc[option][1].startswith(default.split()[0])
                report(same, f"{command} {option} {placeholder}: docs/cli.md says "
                             f"{doc[option]!r}, the usage {usage[option]!r}")
    parsed = set()
    for path in sorted((SOURCE_DIR / "tools").glob("**/*.cpp")):
        parsed |= set(re.findall(r'is_option\("(--[\w-]+)"\)', path.read_text()))
    report(parsed == listed, f"options the commands parse ({len(parsed)}) are the options "
                             f"their usages list ({len(listed)}): {sorted(parsed ^ listed)}")


# -- make-targets -------------------------------------------------------------

def makefile_targets():
    targets = set()
    for line in read("Makefile").splitlines():
        match = re.match(r"^([A-Za-z0-9_%.\- ]+?)\s*:(?![=:])", line)
        if match is None or line.startswith((".", "\t")):
            continue
        for target in match.group(1).split():
            targets.add("deps-GROUP" if target == "deps-%" else target)
    return targets


def check_make_targets():
    text = read("README.md")
    tables = [t for t in markdown_tables(text) if t[1][:2] == ["target", "what it does"]]
    report(len(tables) == 1, "README.md has one table of make targets")
    if not tables:
        return
    documented = set()
    for row in tables[0][2]:
        documented |= set(re.findall(r"`make ([\w-]+)", row[0] + " " + row[1]))
        if re.search(r"`make`", row[0]):
            documented.add("all")  # `make` alone builds the first target
    actual = makefile_targets()
    for target in sorted(actual | documented):
        if target not in documented:
            report(False, f"Makefile target {target} is not in README.md's table")
        elif target not in actual:
            report(False, f"README.md's table lists make {target}, which the Makefile lacks")
        else:
            report(True, f"make {target}")
    first = re.search(r"^([a-z][\w-]*)\s*:", read("Makefile"), re.MULTILINE).group(1)
    report(first == "all", f"`make` alone is `make all` (the Makefile's first target: {first})")


# -- constants ----------------------------------------------------------------

UNITS = {"": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def constant(name):
    """The value of the constexpr |name| in src/ or include/, evaluated."""
    for path in sorted(SOURCE_DIR.glob("src/**/*.[ch]pp")) + sorted(
            SOURCE_DIR.glob("include/smmap/*.hpp")):
        match = re.search(rf"constexpr [\w:<>]+ {name}(?: = |\s*\{{)([^;}}]+)[;}}]",
                          path.read_text())
        if match:
            return evaluate(match.group(1))
    return None


def evaluate(expression):
    expression = re.sub(r"[\w:]+\{(\w+)\}", r"\1", expression)  # std::uint64_t{1}
    expression = re.sub(r"\b(\d+)(?:u|ul|ull|U|UL|ULL)\b", r"\1", expression)
    names = {"true": True, "false": False}
    for name in set(re.findall(r"\bk[A-Z]\w*", expression)):
        names[name] = constant(name)
    return eval(expression, {"__builtins__": {}}, names)  # our own source


def number(text):
    return float(text.replace(",", ""))


def named_constants():
    """(doc, name, value the doc gives) for every named constant the docs quote."""
    quoted = []
    for doc, text in docs().items():
        text = flat(text)
        for name, value in re.findall(r"`(k[A-Z]\w*)` \((\d[\d,.]*)\)", text):
            quoted.append((doc, name, number(value)))
        for value, unit, name in re.findall(r"(\d[\d,.]*) (KiB|MiB|GiB)? ?\(`(k[A-Z]\w*)`\)", text):
            quoted.append((doc, name, number(value) * UNITS[unit]))
        for name, value in re.findall(r"`(k[A-Z]\w*) = (\w+)`", text):
            quoted.append((doc, name, {"true": True, "false": False}.get(value, value)))
        for name in re.findall(r"[Oo]n by default \(`(k[A-Z]\w*)`\)", text):
            quoted.append((doc, name, True))
    return quoted


def source_match(relative, pattern):
    match = re.search(pattern, read(relative))
    return match.groups() if match else None


# Claims of the docs and headers, each against the code that makes it true:
# (what, doc files, pattern in the doc (flattened), source file, pattern in
# the source[, what the source's groups make of the doc's]). Words the doc
# uses for numbers ("half", "four") count as the numbers.
WINDOW_DEFAULT = r"window_size < 0\) return \(is_64_bit\(\) \? (\d+) : (\d+)\) \* kMiB"
MEMORY_DEFAULT = r"max_memory_size == 0\) return \(is_64_bit\(\) \? (\d+) : (\d+)\) \* kMiB"
CLAIMS = [
    ("the default window: 1024 MiB on 64-bit, 64 MiB on 32-bit",
     ["docs/design.md", "include/smmap/manager.hpp"],
     r"negative (?:value )?picks the default \((\d+) MiB on 64-bit, (\d+) MiB on 32-bit\)",
     "src/api/manager.cpp", WINDOW_DEFAULT),
    ("the default window", ["README.md"],
     r"`-1` picks (\d+) MiB on 64-bit \((\d+) MiB on 32-bit\)", "src/api/manager.cpp", WINDOW_DEFAULT),
    ("the default memory limit: 8192 MiB on 64-bit, 1024 MiB on 32-bit",
     ["docs/design.md", "include/smmap/manager.hpp"],
     r"0 picks the default \((\d+) MiB on 64-bit, (\d+) MiB on 32-bit\)",
     "src/api/manager.cpp", MEMORY_DEFAULT),
    ("the default memory limit", ["README.md"],
     r"`max_memory_size`, default (\d+) MiB on 64-bit, (\d+) MiB on 32-bit\)",
     "src/api/manager.cpp", MEMORY_DEFAULT),
    ("the command's default window: 1 GiB (64 MiB on 32-bit)", ["docs/cli.md"],
     r"\| (\d+) GiB \((\d+) MiB on 32-bit\) \|", "src/api/manager.cpp", WINDOW_DEFAULT,
     lambda wide, narrow: [int(wide) >> 10, narrow]),
    ("the command's default memory limit: 8 GiB (1 GiB on 32-bit)", ["docs/cli.md"],
     r"\| (\d+) GiB \((\d+) GiB on 32-bit\) \|", "src/api/manager.cpp", MEMORY_DEFAULT,
     lambda wide, narrow: [int(wide) >> 10, int(narrow) >> 10]),
    ("the detector's thresholds, in words", ["docs/design.md"],
     r"evicted (\w+) times in a row having served at most (\w+) requests each",
     "constexpr:kWastedToCopy,kFewUses", None),
    ("the detector's way back, in words", ["docs/design.md"],
     r"Where mapping pays, (\w+) misses in a row within half a window",
     "constexpr:kNearToMap", None),
    ("the descriptor budget on Windows", ["docs/design.md", "include/smmap/manager.hpp"],
     r"HANDLE`?, (?:a fixed |it is )(\d+)",
     "src/port/windows/open_file.cpp", r"default_max_open_descriptors\(\) noexcept \{[^}]*return (\d+);"),
    ("the descriptor budget: a quarter of the soft RLIMIT_NOFILE, at most 16,384",
     ["docs/design.md", "include/smmap/manager.hpp"],
     r"a (quarter) of the soft `?RLIMIT_NOFILE`?(?: when the manager is made)?,? \(?at most (\d[\d,]*)",
     "src/port/posix/open_file.cpp", r"kMost = rlim_t\{1\} << (\d+);[\s\S]*soft / (\d+)\)",
     lambda shift, divisor: [divisor, (1 << int(shift)) // int(divisor)]),
    ("copy windows run on within 16 KiB", ["docs/design.md"],
     r"or (\d+) KiB if that is more, past its end",
     "src/policy/access_pattern.hpp", r"kRunSlack = (\d+) \* 1024;"),
    ("copy windows of at most 2 MiB", ["docs/design.md"],
     r"request itself is copied up to (\d+) MiB",
     "src/port/memory.hpp", r"kChunkSize = std::size_t\{(\d+)\} << 20;"),
    ("copy windows for requests of at most a quarter window", ["docs/design.md"],
     r"whose pages span at most a (quarter) of `window_size`",
     "src/policy/adaptive_windows.cpp", r"std::min\(window / (4), cap\)"),
    ("copy mode: near is closer than half a window", ["docs/design.md"],
     r"closer than (half) a window is near",
     "src/policy/adaptive_windows.cpp", r"std::max\(\{window / (2), ALLOCATIONGRANULARITY,"),
    ("the copy pool's blocks: one page to 2 MiB, from 2 MiB chunks", ["docs/design.md"],
     r"power-of-two sizes from one page to (\d+) MiB, carved from (\d+) MiB chunks",
     # The largest block is a chunk (a static_assert there).
     "src/core/copy_blocks.cpp", r"kPage = (\d+);[\s\S]*kOrders = (\d+);",
     lambda page, orders: [(int(page) << (int(orders) - 1)) >> 20] * 2),
    ("Python copies of 1 MiB or more release the GIL", ["docs/python.md"],
     r"Copies of (\d+) MiB or more \(buffer and `MappedBytes` slices\) run with the GIL released",
     "python/src/map_view.hpp", r"kReleaseGilBytes = Py_ssize_t\{1\} << (\d+);",
     lambda shift: [(1 << int(shift)) >> 20]),
    ("smmap scan reads 64 KiB at a time over up to four files", ["docs/cli.md"],
     r"How it reads: (\d+) KiB at a time .* round-robin over up to (four) files",
     "tools/scan.cpp", r"kChunkSize = (\d+) \* 1024;\s*constexpr std::uint64_t kMaxInterleave = (\d+);"),
    ("the demo: 4 files of 64 MiB, 1 MiB windows under a 64 MiB limit", ["docs/cli.md"],
     r"It writes (\d+) files of (\d+) MiB \(256 MiB\) .*with \*\*(\d+) MiB windows under a (\d+) MiB",
     "tools/scan.cpp",
     r"kDemoFiles = (\d+);\s*constexpr std::uint64_t kDemoFileSize = (\d+) << 20;\s*"
     r"constexpr std::int64_t kDemoWindow = (\d+) << 20;\s*"
     r"constexpr std::uint64_t kDemoMaxMemory = (\d+) << 20;"),
    ("smmap bench's defaults: 1M windows, 64M limit", ["docs/cli.md"],
     r"`sliding` \(with `--window`, default (\d+)M, and `--max-memory`, default (\d+)M\)",
     "tools/bench.cpp",
     r"kDefaultWindow = (\d+) << 20;\s*constexpr std::uint64_t kDefaultMaxMemory = (\d+) \* kMiB;"),
]
WORDS = {"half": 2, "quarter": 4, "two": 2, "three": 3, "four": 4}


def check_constants():
    for doc, name, value in named_constants():
        actual = constant(name)
        report(actual is not None and actual == value,
               f"{doc}: `{name}` is {value}; the source: {actual}")
    for what, doc_files, doc_pattern, source, source_pattern, *transform in CLAIMS:
        if source.startswith("constexpr:"):
            expected = [constant(name) for name in source[len("constexpr:"):].split(",")]
        else:
            expected = source_match(source, source_pattern)
        if expected is None:
            report(False, f"{source}: no longer matches /{source_pattern}/ ({what})")
            continue
        if transform:
            expected = transform[0](*expected)
        expected = [str(WORDS.get(str(g), g)) for g in expected]
        for doc in doc_files:
            found = re.findall(doc_pattern, flat(read(doc)))
            if not found:
                report(False, f"{doc}: no longer states {what!r} (/{doc_pattern}/)")
            for groups in found:
                groups = [groups] if isinstance(groups, str) else list(groups)
                values = [str(WORDS.get(g, g)).replace(",", "") for g in groups]
                report(values == expected, f"{doc}: {what}: says {values}, {source} has {expected}")


# -- references ---------------------------------------------------------------

def gtest_names():
    names = set()
    for path in sorted(SOURCE_DIR.glob("tests/**/*.cpp")):
        for suite, test in re.findall(r"\bTEST(?:_F|_P)?\(\s*(\w+),\s*(\w+)\)", path.read_text()):
            names.add(f"{suite}.{test}")
    return names


def ctest_names():
    """Every test the CMake files can register (add_test(NAME ...)), with
    the names a foreach() makes expanded; whichever this build registers."""
    names = set()
    for path in sorted(SOURCE_DIR.glob("**/CMakeLists.txt")):
        if not path.relative_to(SOURCE_DIR).parts[0].startswith(("src", "tests", "tools",
                                                                 "python", "examples",
                                                                 "benchmarks", "fuzz")):
            continue
        loops = {}
        for line in path.read_text().splitlines():
            loop = re.match(r"\s*foreach\((\w+)(?: IN ITEMS)? ([^)]*)\)", line)
            if loop and "IN LISTS" not in line:
                loops[loop.group(1)] = loop.group(2).split()
            test = re.match(r"\s*add_test\(NAME (\S+)", line)
            if test:
                name = test.group(1)
                variable = re.search(r"\$\{(\w+)\}", name)
                items = loops.get(variable.group(1), []) if variable else [None]
                names |= {name.replace(variable.group(0), item) if variable else name
                          for item in items}
    return names


def slug(heading):
    """GitHub's anchor for a Markdown heading: lower case, punctuation
    dropped (not - and _), spaces made hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(relative):
    lines = read(relative).splitlines()
    return [line.lstrip("#").strip() for line in lines if re.match(r"^#{1,6} ", line)]


def plain(heading):
    return heading.replace("`", "").replace("*", "")


REPO_DIRS = ("src", "include", "tests", "tools", "python", "scripts", "docs", "benchmarks",
             "examples", "fuzz", "cmake", ".ci")
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w.*{},/-]*[\w*}/])" % "|".join(re.escape(d) for d in REPO_DIRS))


def path_exists(cited, base):
    """Whether |cited| (braces {a,b} and globs allowed) names files of the
    repository, from its root or from |base|, the citing file's folder."""
    cited = cited.rstrip(".")
    braces = re.search(r"\{([^}]*)\}", cited)
    if braces:
        return all(path_exists(cited[:braces.start()] + part + cited[braces.end():], base)
                   for part in braces.group(1).split(","))
    return any(glob.glob(str(folder / cited), recursive=True) for folder in (SOURCE_DIR, SOURCE_DIR / base))


def check_references():
    tests = gtest_names()
    suites = {name.split(".")[0] for name in tests}
    ctests = ctest_names()
    texts = sources()
    for relative, text in texts.items():
        if relative.startswith("tests/") and relative.endswith(".cpp"):
            continue  # a test file names its own tests
        for suite, test in sorted(set(re.findall(r"\b([A-Z]\w*Test)\.(\w+|\*)", text))):
            ok = suite in suites if test == "*" else f"{suite}.{test}" in tests
            report(ok, f"{relative}: test {suite}.{test}")
        if relative.endswith(".md"):
            for name in sorted(set(re.findall(r"`((?:doc|cli|python|consumer)_\w+)`", text)) |
                               set(re.findall(r"ctest -R (\w+)", text))):
                ok = name in ctests or any(t.startswith(name + "_") for t in ctests)
                report(ok, f"{relative}: ctest test {name}")
        for cited in sorted(set(PATH.findall(text))):
            if re.search(r"\{[^},]*\}", cited):
                continue  # a placeholder ({doc}), not a path
            report(path_exists(cited, Path(relative).parent), f"{relative}: path {cited}")
        for doc, section in sorted(set(re.findall(
                r"\b(design|benchmarks|reliability|python|cli)\.md[,]? \(?\"([^\"]+)\"", flat(text)))):
            titles = [plain(h) for h in headings(f"docs/{doc}.md")]
            ok = any(t == section or t.startswith(section + " (") for t in titles)
            report(ok, f"{relative}: section \"{section}\" of docs/{doc}.md")
        if relative.endswith(".md"):
            here = Path(relative)
            for target, anchor in sorted(set(re.findall(r"\]\(([\w./-]*\.md)?#([\w-]+)\)", text))):
                target_path = (here.parent / target) if target else here
                target_path = Path(*[p for p in target_path.parts])
                slugs = [slug(h) for h in headings(str(target_path))]
                report(anchor in slugs, f"{relative}: link {target or ''}#{anchor}")
    documented = "\n".join(docs().values())
    behaviour = read("tests/documented_behaviour_test.cpp")
    for suite, test in re.findall(r"\bTEST(?:_F)?\(\s*(\w+),\s*(\w+)\)", behaviour):
        report(f"{suite}.{test}" in documented,
               f"tests/documented_behaviour_test.cpp: {suite}.{test} is named in the docs")


def check_versions():
    version = re.search(r"project\(smmap VERSION (\d+\.\d+\.\d+)", read("CMakeLists.txt")).group(1)
    changelog = re.match(r"smmap \(([^)]+)\)", read("debian/changelog")).group(1)
    report(changelog == version, f"debian/changelog releases {changelog}, CMakeLists.txt says {version}")
    # Versions of this project: a bare x.y.z with the project's major, and
    # the file names and words that carry one.
    major = version.split(".")[0]
    quoted = re.compile(rf"(?<![\d.])({major}\.\d+\.\d+)(?![\d.])")
    for path, text in docs().items():
        for line_number, line in enumerate(text.splitlines(), 1):
            for match in quoted.finditer(line):
                ok = match.group(1) == version
                if not ok and re.search(r"python3-smmap|smmap [<>=]|upstream", line):
                    continue  # the reference smmap's versions, not this project's
                report(ok, f"{path}:{line_number} quotes version {match.group(1)}")


def main():
    global SOURCE_DIR
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("check", choices=["cli-options", "make-targets", "constants",
                                          "references", "versions"])
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR)
    parser.add_argument("--smmap", help="the smmap program (cli-options)")
    args = parser.parse_args()
    SOURCE_DIR = args.source_dir.resolve()
    if args.check == "cli-options":
        check_cli_options(args.smmap)
    elif args.check == "make-targets":
        check_make_targets()
    elif args.check == "constants":
        check_constants()
    elif args.check == "versions":
        check_versions()
    else:
        check_references()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
