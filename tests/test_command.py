"""The helper the command-line tests run `python -m edition` with (tests/command.py) gives what a
new interpreter gives: the same exit code, output and error, for a command that succeeds, one that
finds problems, one that refuses its input and one that argparse refuses; what it imports ahead
prints nothing and starts no thread; and a command that runs too long is killed, as
`subprocess.run` kills it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from edition.ingest import pandoc
from edition.project import Project
from tests import command
from tests.conftest import ROOT
from tests.edits import edit
from tests.mini import IN_PARAGRAPH, essay
from tests.pdf_text import whole_text
from tests.validators import epubcheck_problems


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


def test_a_command_that_runs_too_long_is_killed(mini_project: Project, tmp_path: Path):
    """Killed, the command cannot remove its temporary folder: it is in the test's own (TMPDIR)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary)}
    with pytest.raises(subprocess.TimeoutExpired):
        command.run("watch", "--format", "epub", cwd=mini_project.root, timeout=0.5, env=environment)
    assert [path.name[:8] for path in temporary.iterdir()] == ["edition-"]  # not in /tmp
    assert command.run("check", cwd=mini_project.root, timeout=60).returncode == 0  # and the helper serves on


# Each command of the edition, as an editor runs them one after another to make a new edition of
# their own, from `edition new` to `edition diff`: (the folder it runs in, under the working
# folder, and its arguments). `watch` runs in a process of its own in tests/test_build.py.
SESSION = [
    (".", ["new", "reader", "--title", "Readings on Planning", "--editor", "Jane Roe"]),
    ("reader", ["import", "../essay.docx"]),
    ("reader", ["check", "--suspects"]),
    ("reader", ["check", "--mentions"]),
    ("reader", ["build"]),
    ("reader", ["build", "--explain"]),
    ("reader", ["archive"]),
    ("reader", ["verify", "dist/archive"]),
    ("reader", ["diff", "v1", "."]),
    ("reader", ["build", "--format", "nope"]),
]
# The essay, written as a Word document by Pandoc: footnotes and italics, as a colleague sends one.
ESSAY = """---
title: On Planning
author: Ann Smith
date: 1999-05
---

The plan was revised twice.[^1] Its targets were *never* met.[^2]

[^1]: In 1929.

[^2]: See below.
"""
# What the package is made of: its sources and the files that skeleton/ links to.
MADE_OF = ["pyproject.toml", "README.md", "LICENSE", "edition", "styles", "source/schema"]


def installed(folder: Path) -> Path:
    """The `edition` command of a new environment into which the package's wheel is installed.
    The wheel is built from a copy of what the package is made of, and installed without its
    dependencies, which the new environment takes from this one's (a line in a .pth file: nothing
    else of this environment is loaded, and no file of the repository is on its path)."""
    source = folder / "package"
    for name in MADE_OF:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = folder / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, source], check=True, timeout=300)
    environment = folder / "environment"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", environment], check=True, timeout=120)
    python = environment / "bin" / "python"
    subprocess.run(
        [*pip, "--python", python, "install", "--no-deps", "--no-index", *wheels.glob("*.whl")], check=True, timeout=300
    )
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run(  # outside the repository: `python -c` looks in its working folder first
        [python, "-c", "import edition; print(edition.__file__)"],
        capture_output=True, text=True, check=True, cwd=folder,
    )  # fmt: skip
    assert where.stdout.startswith(str(environment)), where.stdout  # the installed package, not the repository's
    return environment / "bin" / "edition"


def printed(text: str, folder: Path) -> str:
    """What a command printed, with its folder and the seconds a step took left out."""
    return re.sub(r"\d+\.\d+ s\b", "N s", text.replace(str(folder), "FOLDER"))


def test_the_installed_package_runs_every_command_in_a_new_interpreter_as_the_helper_does(tmp_path: Path):
    """The package as a user installs it, not this repository (`installed`), and the same session
    twice, in two folders: through the helper, and each command as the installed `edition`, a
    new interpreter, which must end within a minute (a thread left running would keep it alive
    after its work, where a fork ends at once). Each gives the same exit code and prints the
    same; the two folders end with the same outputs and archive; the PDF opens and the EPUB
    passes EPUBCheck. (Ace checks the edition's EPUB and a course reader's, made by the same
    templates: tests/ereader/test_ace.py.)"""
    edition = installed(tmp_path)
    helper, new = tmp_path / "helper", tmp_path / "new"
    markdown = tmp_path / "essay.md"
    markdown.write_text(ESSAY)
    for folder in (helper, new):
        folder.mkdir()
        subprocess.run(
            [pandoc.pandoc_binary(), "--sandbox", "-o", folder / "essay.docx", markdown], check=True, timeout=60
        )
    codes = []
    for where, args in SESSION:
        forked = command.run(*args, cwd=helper / where, timeout=120)
        alone = subprocess.run([edition, *args], cwd=new / where, capture_output=True, text=True, timeout=60)
        assert (forked.returncode, printed(forked.stdout, helper), printed(forked.stderr, helper)) == (
            alone.returncode, printed(alone.stdout, new), printed(alone.stderr, new)
        ), args  # fmt: skip
        codes.append(alone.returncode)
        if args[0] == "import":
            assert "wrote source/smith-1999.xml: 1 paragraph, 2 notes" in alone.stdout
    assert codes == [0] * (len(SESSION) - 1) + [2]
    dist = [
        sorted(
            (path.relative_to(folder), path.read_bytes())
            for path in (folder / "reader" / "dist").rglob("*")
            if path.is_file()
        )
        for folder in (helper, new)
    ]
    assert dist[0] == dist[1]
    pdf, epub = new / "reader" / "dist" / "reader-0.1.0.pdf", new / "reader" / "dist" / "reader-0.1.0.epub"
    text = whole_text(pdf)
    assert "On Planning" in text and "Readings on Planning" in text
    assert epubcheck_problems(epub) == []
