"""The manual page (docs/smmap.1.in, as the build fills it in) against the
program: every command and option `smmap help` shows is in it, with its
default, and nothing else; the exit codes; the version; groff reads it
without a warning."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import project_version, run


def manpage_path() -> Path:
    path = os.environ.get("SMMAP_MANPAGE")
    if not path:
        pytest.skip("SMMAP_MANPAGE is not set (ctest sets it)")
    return Path(path)


def plain(text: str) -> str:
    """Man-page text without font escapes and with plain hyphens."""
    return re.sub(r"\\f[BIRP]|\\c", "", text).replace("\\-", "-")


def manpage_sections() -> dict:
    """{'.SH' or '.SS' title: its lines (the title's own excluded)}."""
    sections, current = {}, None
    for line in manpage_path().read_text().splitlines():
        match = re.match(r'\.S[HS] "?(.*?)"?$', line)
        if match:
            current = plain(match.group(1))
            sections[current] = []
        elif current is not None and not line.startswith('.\\"'):
            sections[current].append(line)
    return sections


def manpage_options(lines: list) -> dict:
    """{option: the text of its paragraph} of one command's subsection: each
    `.TP` is followed by the option's line, then its description."""
    options = {}
    for i, line in enumerate(lines):
        if line == ".TP" and i + 1 < len(lines):
            option = re.search(r"(--[a-z-]+)", plain(lines[i + 1]))
            if option:
                paragraph = []
                for text in lines[i + 2:]:
                    if text.startswith((".TP", ".SS", ".SH")):
                        break
                    paragraph.append(plain(re.sub(r"^\.[A-Z]+ ", "", text)))
                options[option.group(1)] = " ".join(paragraph)
    return options


def commands() -> list:
    text = run("--help").stdout.decode()
    listed = text[text.index("Commands:\n"):].split("\n\n")[0].splitlines()[1:]
    return [line.split()[0] for line in listed]


def help_options(command: str) -> dict:
    """{option: its default as `smmap help COMMAND` words it, or None}."""
    text = run("help", command).stdout.decode()
    options, current = {}, None
    for line in text.splitlines():
        match = re.match(r"  (--[a-z-]+)", line)
        if match:
            current = match.group(1)
            options[current] = line
        elif current and line.startswith("   "):
            options[current] += " " + line.strip()
        else:
            current = None
    defaults = {}
    for option, text in options.items():
        default = re.search(r"\(default:? ([^;)]+)", text)
        defaults[option] = default.group(1).strip() if default else None
    return defaults


def command_section(sections: dict, command: str) -> list:
    titles = [title for title in sections if title.startswith(f"smmap {command} ") or
              title == f"smmap {command}"]
    assert len(titles) == 1, f"the manual page has no subsection for {command}: {list(sections)}"
    return sections[titles[0]]


def test_every_command_has_a_subsection_and_no_other():
    sections = manpage_sections()
    documented = [title.split()[1] for title in sections if title.startswith("smmap ")]
    assert documented == commands() + ["--version"]


@pytest.mark.parametrize("command", ["scan", "cat", "bench"])
def test_the_options_and_their_defaults_are_the_programs(command):
    in_page = manpage_options(command_section(manpage_sections(), command))
    in_help = help_options(command)
    assert sorted(in_page) == sorted(in_help)
    for option, default in in_help.items():
        if default is not None:
            assert default in in_page[option], (option, default, in_page[option])


def test_the_synopsis_names_every_command():
    synopsis = plain("\n".join(manpage_sections()["SYNOPSIS"]))
    for command in commands() + ["--version", "--help"]:
        assert f"smmap {command}" in synopsis


def test_the_exit_codes_are_the_programs():
    usage = run("--help").stdout.decode()
    codes = dict(re.findall(r"(\d+) on (?:a )?([a-z ]+?)[,.]", usage))
    assert set(codes) == {"0", "1", "2"}
    page = manpage_sections()["EXIT STATUS"]
    listed = [plain(page[i + 1]).removeprefix(".B ") for i, line in enumerate(page) if line == ".TP"]
    assert listed == ["0", "1", "2", "128 + signal"]
    assert run("help", "--no-such-option").returncode == 2


def test_the_version_is_the_projects():
    version = project_version()
    title = manpage_path().read_text().split("\n.TH ", 1)[1].splitlines()[0]
    assert f'"smmap {version}"' in title
    assert run("--version").stdout.decode() == f"smmap {version}\n"


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_groff_reads_it_without_a_warning():
    result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(manpage_path())],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr
