"""Usage texts: every command has one, and docs/cli.md says what they say."""
import re

import pytest

from conftest import CLI_DOC, project_version, run, write_data

MANAGER_OPTIONS = ["--window", "--max-memory", "--max-handles"]


def commands():
    """The command names `smmap --help` lists."""
    result = run("--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    listed = text[text.index("Commands:\n"):].split("\n\n")[0].splitlines()[1:]
    return [line.split()[0] for line in listed]


def usage(command):
    result = run("help", command)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.decode()


def test_every_command_is_listed():
    assert commands() == ["scan", "cat", "bench", "help"]


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["help"]])
def test_the_command_list_exits_0(args):
    result = run(*args)
    assert result.returncode == 0
    assert result.stdout.startswith(b"Usage: smmap COMMAND")
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["scan", "cat", "bench", "help"])
def test_each_command_has_a_usage(command):
    text = usage(command)
    assert text.startswith(f"Usage: smmap {command}")
    for spelling in ["--help", "-h"]:
        result = run(command, spelling)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode() == text


def test_help_help():
    assert usage("help").startswith("Usage: smmap help [COMMAND]")
    assert run("help", "--help").stdout.decode() == usage("help")


def test_help_takes_one_command():
    result = run("help", "scan", "cat")
    assert result.returncode == 2
    assert result.stderr.startswith("smmap: help takes one COMMAND")


def test_the_doc_lists_the_commands():
    rows = re.findall(r"^\| `(\w+)` \|", CLI_DOC.read_text(), re.MULTILINE)
    assert rows == commands()


def test_each_command_heading_is_its_usage_line():
    headings = re.findall(r"^## `(smmap \w+.*)`$", CLI_DOC.read_text(), re.MULTILINE)
    assert [h.split()[1] for h in headings] == ["scan", "cat", "bench"]
    for heading in headings:
        assert usage(heading.split()[1]).splitlines()[0] == "Usage: " + heading


@pytest.mark.parametrize("command", ["scan", "cat"])
@pytest.mark.parametrize("option", MANAGER_OPTIONS)
def test_accepted_manager_options_are_in_the_usage(tmp_path, command, option):
    path = tmp_path / "data.bin"
    data = write_data(path, 5000, seed=3)
    result = run(command, option, "1", path)
    assert result.returncode == 0, result.stderr
    if command == "cat":
        assert result.stdout == data
    synopsis, _, details = usage(command).partition("\n\n")
    assert f"[{option} " in synopsis
    assert re.search(rf"^  {option} ", details, re.MULTILINE), details


def test_version_is_the_projects():
    version = project_version()
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"smmap {version}\n"
    assert result.stderr == ""
    extra = run("--version", "scan")
    assert extra.returncode == 2
    assert extra.stderr.startswith("smmap: --version takes no arguments")
