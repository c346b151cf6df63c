"""The helper the command-line tests run `python -m edition` with (tests/command.py) gives what a
new interpreter gives: the same exit code, output and error, for a command that succeeds, one that
finds problems, one that refuses its input and one that argparse refuses; what it imports ahead
prints nothing and starts no thread; and a command that runs too long is killed, as
`subprocess.run` kills it."""

from __future__ import annotations

import subprocess
import sys

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
