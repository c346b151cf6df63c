"""The helper the command-line tests run `python -m edition` with (tests/command.py) gives what a
new interpreter gives: the same exit code, output and error, for a command that succeeds, one that
finds problems, one that refuses its input and one that argparse refuses; what it imports ahead
prints nothing and starts no thread; and a command that runs too long is killed, as
`subprocess.run` kills it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from edition.project import Project
from tests import command
from tests.edits import edit
from tests.mini import IN_PARAGRAPH, essay


def test_a_command_from_the_helper_exits_and_prints_as_from_a_new_interpreter(mini_project: Project):
    cases = [
        ["check"],
        ["build", "--format", "nope"],
        ["verify", str(essay(mini_project))],
        ["--project", str(mini_project.root / "missing"), "check"],
    ]
    edit(essay(mini_project), IN_PARAGRAPH, IN_PARAGRAPH + ' "straight" -- ')
    cases.append(["check"])
    for args in cases:
        new = subprocess.run(
            [sys.executable, "-m", "edition", *args], cwd=mini_project.root, capture_output=True, text=True
        )
        forked = command.run(*args, cwd=mini_project.root)
        assert (forked.returncode, forked.stdout, forked.stderr) == (new.returncode, new.stdout, new.stderr), args
    assert {result.returncode for result in [new, forked]} == {1}  # the last: two problems found


def test_what_the_helper_imports_ahead_prints_nothing_and_starts_no_thread(tmp_path):
    """A command would print what these imports print on its own standard error, which the tests
    read; and a process forked from one with a thread besides its own has only that one."""
    imports = [line for line in command.HELPER.splitlines() if line.startswith("import edition")]
    assert len(imports) == 2
    program = "\n".join([*imports, "import os", "print(len(os.listdir('/proc/self/task')))"])
    result = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1\n", "")


def test_a_command_that_runs_too_long_is_killed(mini_project: Project):
    with pytest.raises(subprocess.TimeoutExpired):
        command.run("watch", "--format", "epub", cwd=mini_project.root, timeout=0.5)
    assert command.run("check", cwd=mini_project.root, timeout=60).returncode == 0  # and the helper serves on


# Each command of the edition, as an editor runs them one after another to make a new edition of
# their own, from `edition new` to `edition diff`: (the folder it runs in, under the working
# folder, and its arguments). `watch` runs in a process of its own in tests/test_build.py.
SESSION = [
    (".", ["new", "reader", "--title", "Readings on Planning", "--editor", "Jane Roe"]),
    ("reader", ["import", "../essay.md"]),
    ("reader", ["check", "--suspects"]),
    ("reader", ["check", "--mentions"]),
    ("reader", ["build"]),
    ("reader", ["build", "--explain"]),
    ("reader", ["archive"]),
    ("reader", ["verify", "dist/archive"]),
    ("reader", ["diff", "v1", "."]),
    ("reader", ["build", "--format", "nope"]),
]
ESSAY = """---
title: On Planning
author: Ann Smith
date: 1999-05
---

The plan was revised twice.[^1] Its targets were never met.

[^1]: In 1929.
"""


def printed(text: str, folder: Path) -> str:
    """What a command printed, with its folder and the seconds a step took left out."""
    return re.sub(r"\d+\.\d+ s\b", "N s", text.replace(str(folder), "FOLDER"))


def test_every_command_in_a_new_interpreter_ends_in_time_and_does_what_it_does_through_the_helper(tmp_path: Path):
    """The same session twice, in two folders: through the helper, and each command as a new
    `python -m edition`, which must end within a minute (a thread left running would keep a new
    interpreter alive after its work, where a fork ends at once). Each gives the same exit code
    and prints the same, and the two folders end with the same outputs and archive."""
    helper, new = tmp_path / "helper", tmp_path / "new"
    for folder in (helper, new):
        folder.mkdir()
        (folder / "essay.md").write_text(ESSAY)
    codes = []
    for where, args in SESSION:
        forked = command.run(*args, cwd=helper / where, timeout=120)
        alone = subprocess.run(
            [sys.executable, "-m", "edition", *args], cwd=new / where, capture_output=True, text=True, timeout=60
        )
        assert (forked.returncode, printed(forked.stdout, helper), printed(forked.stderr, helper)) == (
            alone.returncode, printed(alone.stdout, new), printed(alone.stderr, new)
        ), args  # fmt: skip
        codes.append(alone.returncode)
    assert codes == [0] * (len(SESSION) - 1) + [2]
    dist = [
        sorted(
            (path.relative_to(folder), path.read_bytes())
            for path in (folder / "reader" / "dist").rglob("*")
            if path.is_file()
        )
        for folder in (helper, new)
    ]
    assert dist[0] == dist[1] and any(name.suffix == ".epub" for name, _ in dist[0])
