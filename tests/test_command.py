"""The helper the command-line tests run `python -m edition` with (tests/command.py) gives what a
new interpreter gives: the same exit code, output and error, for a command that succeeds, one that
finds problems, one that refuses its input and one that argparse refuses; and a command that runs
too long is killed, as `subprocess.run` kills it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from edition.project import Project
from tests import command
from tests.mini import IN_PARAGRAPH, essay

from .test_check import edit


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


def test_a_command_that_runs_too_long_is_killed(mini_project: Project):
    with pytest.raises(subprocess.TimeoutExpired):
        command.run("watch", "--format", "epub", cwd=mini_project.root, timeout=0.5)
    assert command.run("check", cwd=mini_project.root, timeout=60).returncode == 0  # and the helper serves on
