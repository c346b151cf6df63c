"""An OCFL object damaged or interrupted: `edition verify` names each problem in one line and exits
1, without a traceback and without following a symlink or opening a FIFO; `edition archive`
refuses to write to a damaged object and leaves it as it is; and an archive killed at any moment
leaves an object that ocfl-py's validator passes."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edition import cli
from edition.errors import DamagedPackage
from edition.keeping import ocfl
from edition.keeping.archive import archive
from edition.project import Project
from tests import command
from tests.conftest import ROOT
from tests.keeping.versions import copying, raise_version
from tests.mini import make_mini

HANG = 120  # seconds: a verify that takes longer has opened a FIFO


def verify(path: Path) -> tuple[int, list[str]]:
    """`edition verify PATH` in this process, stopped by an alarm if it hangs."""
    stderr = io.StringIO()
    signal.alarm(HANG)
    try:
        with contextlib.redirect_stderr(stderr):
            code = cli.main(["verify", str(path)])
    finally:
        signal.alarm(0)
    return code, stderr.getvalue().splitlines()


def reference_errors(path: Path) -> list[str]:
    validator = ocfl.ocfl_py()[0](check_digests=True)
    validator.validate_object(str(path))
    return validator.log.messages


@pytest.fixture(scope="module")
def outputs(mini_built: Path) -> Path:
    return mini_built / "dist"


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory, outputs: Path) -> Path:
    """A project whose storage root holds an object of two versions (dist/archive/mini)."""
    project = make_mini(tmp_path_factory.mktemp("intact") / "mini")
    archive(project, project.dist_dir / "archive", copying(outputs))
    raise_version(project, "1.0.1", "A second version.")
    archive(project, project.dist_dir / "archive", copying(outputs))
    return project.root


@pytest.fixture
def copy(intact: Path, tmp_path: Path) -> Path:
    """A copy of the project and its object, for one test to damage: the object's folder."""
    shutil.copytree(intact, tmp_path / "mini", symlinks=True)
    return tmp_path / "mini" / "dist" / "archive" / "mini"


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def replace(path: Path, how: Callable[[Path], None]) -> None:
    path.unlink()
    how(path)


PDF = "v1/content/edition/mini-1.0.0.pdf"
ESSAY = "v1/content/source/ames-2001.xml"

# What is done to an intact object, and the line `verify` must print for it (among others).
DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    ("altered content", lambda o: flip(o / PDF), f"altered: {PDF}"),
    ("missing content", lambda o: (o / ESSAY).unlink(), f"missing: {ESSAY}"),
    ("extra content", lambda o: (o / "v2/content/stray.txt").write_text("not kept"), "extra: v2/content/stray.txt"),
    ("an extra file at the top", lambda o: (o / "notes.txt").write_text("x"), "extra: notes.txt"),
    ("a broken inventory", lambda o: (o / "inventory.json").write_text('{"id": "mini", '),
     "malformed: inventory.json: not JSON (Expecting property name enclosed in double quotes: line 1 column 16 "
     "(char 15))"),
    ("an inventory that is not UTF-8", lambda o: flip_first(o / "inventory.json"),
     "malformed: inventory.json: not UTF-8 text"),
    ("an altered inventory", lambda o: edit_json(o / "inventory.json"),
     "altered: inventory.json or inventory.json.sha512 (the digest in it does not match)"),
    ("a broken inventory sidecar", lambda o: (o / "inventory.json.sha512").write_text("0" * 128 + " inventory.json\n"),
     "altered: inventory.json or inventory.json.sha512 (the digest in it does not match)"),
    ("a sidecar of the wrong form", lambda o: (o / "v1/inventory.json.sha512").write_text("garbage"),
     "malformed: Bad inventory digest file v1/inventory.json.sha512, wrong format"),
    ("a symlink to a secret", lambda o: replace(o / ESSAY, lambda p: os.symlink("/etc/passwd", p)),
     f"not a regular file: {ESSAY} (a symlink)"),
    ("a symlinked folder", lambda o: (shutil.rmtree(o / "v2"), os.symlink("/etc", o / "v2")),
     "not a regular file: v2 (a symlink)"),
    ("a FIFO", lambda o: replace(o / PDF, os.mkfifo), f"not a regular file: {PDF} (a FIFO)"),
    ("a version the inventory does not list", lambda o: shutil.copytree(o / "v2", o / "v3"),
     "extra: v3 (a version folder the inventory does not list)"),
    ("no declaration", lambda o: (o / "0=ocfl_object_1.1").unlink(), "missing: 0=ocfl_object_1.1"),
    ("a version that does not follow", lambda o: renumber(o, "v2", "v3"),
     "malformed: inventory.json: its versions do not follow one another (v1, v2, …)"),
]  # fmt: skip


def renumber(path: Path, old: str, new: str) -> None:
    """The version `old` renamed `new`, in its folder and in the inventories, each with its sidecar
    made anew: a careful tamperer's work, the sequence of versions alone broken."""
    (path / old).rename(path / new)
    data = (path / "inventory.json").read_text().replace(f'"{old}', f'"{new}').encode()
    for folder in (path, path / new):
        (folder / "inventory.json").write_bytes(data)
        (folder / "inventory.json.sha512").write_text(f"{hashlib.sha512(data).hexdigest()} inventory.json\n")


def flip_first(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[0] ^= 0x80
    path.write_bytes(bytes(data))


def edit_json(path: Path) -> None:
    inventory = json.loads(path.read_text())
    inventory["versions"]["v1"]["message"] = "Version 1.0.0 (2026-01-15): Rewritten history."
    path.write_text(json.dumps(inventory, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize(("damage", "expected"), [row[1:] for row in DAMAGE], ids=[row[0] for row in DAMAGE])
def test_verify_names_the_damage_in_one_line_and_exits_1(copy: Path, damage: Callable[[Path], None], expected: str):
    damage(copy)
    code, lines = verify(copy)
    assert code == 1
    assert expected in lines, lines
    assert not any("Traceback" in line for line in lines) and len(lines) == len(set(lines))
    code, lines = verify(copy.parent)  # the storage root: each object's problems, by its folder
    assert code == 1 and f"mini/: {expected}" in lines


@pytest.mark.parametrize(("damage", "expected"), [row[1:] for row in DAMAGE], ids=[row[0] for row in DAMAGE])
def test_archive_writes_nothing_to_an_object_damaged_in_any_way(
    copy: Path, outputs: Path, damage: Callable[[Path], None], expected: str
):
    damage(copy)
    project = Project(copy.parents[2])
    raise_version(project, "1.0.2", "A third version.")
    before = state(copy.parent)
    with pytest.raises(DamagedPackage, match=f"is damaged \\({re.escape(expected.split(' (')[0])}"):
        archive(project, copy.parent, copying(outputs))
    assert state(copy.parent) == before


def test_archive_refuses_a_damaged_object_with_one_line_and_exit_1(copy: Path):
    """As `edition archive` runs it, in a process of its own."""
    flip(copy / PDF)
    before = state(copy.parent)
    result = command.run("archive", cwd=copy.parents[2], timeout=HANG)
    assert result.returncode == 1
    assert result.stderr == (
        f"edition: the OCFL object {copy} is damaged (altered: {PDF}); it was left as it is, and nothing was "
        f"written: `edition verify {copy}` names every problem\n"
    )
    assert state(copy.parent) == before


def state(folder: Path) -> dict[str, bytes | str]:
    """What a folder holds: each file's bytes, each symlink's target, without following a symlink
    or opening a FIFO."""
    found: dict[str, bytes | str] = {}
    for directory, folders, names in os.walk(folder):
        for name in [*folders, *names]:
            path = Path(directory, name)
            shown = str(path.relative_to(folder))
            if path.is_symlink():
                found[shown] = f"-> {os.readlink(path)}"
            elif path.is_fifo() or path.is_dir():
                found[shown] = "FIFO" if path.is_fifo() else "folder"
            else:
                found[shown] = path.read_bytes()
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["inventory.json", "inventory.json.sha512", "v1/inventory.json", "0=ocfl_object_1.1"]),
    where=st.floats(min_value=0, max_value=1, exclude_max=True),
    how=st.sampled_from(["xor", "insert", "delete", "truncate"]),
    byte=st.integers(min_value=1, max_value=255),
)
def test_verify_of_randomly_damaged_inventories_never_tracebacks_and_finds_every_change_to_one(
    intact: Path, name: str, where: float, how: str, byte: int
):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mini"
        shutil.copytree(intact / "dist" / "archive" / "mini", path)
        data = bytearray((path / name).read_bytes())
        at = int(where * len(data))
        if how == "xor":
            data[at] ^= byte
        elif how == "insert":
            data.insert(at, byte)
        elif how == "delete":
            del data[at]
        else:
            del data[at:]
        (path / name).write_bytes(bytes(data))
        code, lines = verify(path)
    assert code in (0, 1) and not any("Traceback" in line for line in lines)
    if name.endswith("inventory.json"):  # an inventory's every byte is in its digest
        assert code == 1 and lines, (name, how)
    if code == 0:  # white space a sidecar or declaration may end with, which ocfl-py reads leniently
        assert lines == []


# A process that archives, in a child of its own, and kills the child (SIGKILL) where it is told:
#   "time SEED LONGEST": after a delay drawn from SEED, between 0 and LONGEST seconds;
#   "step N": just before the child's Nth step that changes the object's own folder (an open for
#   writing, a rename, a link, a folder made or removed, a file removed, the swap: anything whose
#   path is the object's or in it); "step 0" kills nothing, and the child exits with the number
#   of such steps it took;
#   "end": nothing killed, to time an archive.
# It imports everything first (ocfl-py too, which `archive` imports when it first validates), and
# has no thread to lose when it forks.
KILLER = """
import io, json, os, random, shutil, signal, sys, time
from pathlib import Path
from edition.keeping import ocfl
from edition.keeping.archive import archive
from edition.project import Project
from tests.keeping.versions import copying

project, root, build_into = Project(Path(sys.argv[1])), Path(sys.argv[2]), copying(Path(sys.argv[3]))
target = str(root / "mini")
ocfl.ocfl_py()


def steps_until(limit):
    steps = 0

    def watched(module, name, changed):
        original = getattr(module, name)

        def step(*args, **kwargs):
            nonlocal steps
            if any(str(path) == target or str(path).startswith(target + "/") for path in changed(args)):
                steps += 1
                if steps == limit:
                    os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)

        setattr(module, name, step)

    # each step, and the paths it changes (a link changes where it goes, not what it links)
    for module, name, changed in [
        (os, "rename", lambda a: a[:2]), (os, "replace", lambda a: a[:2]), (ocfl, "exchange", lambda a: a[:2]),
        (os, "link", lambda a: a[1:2]), (os, "symlink", lambda a: a[1:2]), (os, "mkdir", lambda a: a[:1]),
        (os, "unlink", lambda a: a[:1]), (os, "rmdir", lambda a: a[:1]), (shutil, "rmtree", lambda a: a[:1]),
        (io, "open", lambda a: a[:1] if len(a) > 1 and any(c in str(a[1]) for c in "wax+") else ()),
    ]:
        watched(module, name, changed)
    return lambda: steps


for line in sys.stdin:
    mode, *rest = line.split()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        steps = steps_until(int(rest[0])) if mode == "step" else (lambda: 0)
        try:
            archive(project, root, build_into)
        except BaseException:
            os._exit(255)
        os._exit(steps())
    if mode == "time":
        time.sleep(random.Random(int(rest[0])).uniform(0, float(rest[1])))
        os.kill(pid, signal.SIGKILL)
    status = os.waitpid(pid, 0)[1]
    print(json.dumps({"killed": os.WIFSIGNALED(status), "exit": os.waitstatus_to_exitcode(status),
                      "seconds": time.perf_counter() - start}), flush=True)
"""
KILLS = 20


def test_an_archive_killed_at_any_moment_leaves_an_object_the_validator_passes(intact: Path, outputs: Path):
    """Twenty archives killed (SIGKILL) after a delay drawn from seeds 0–19, anywhere from the start
    to the end of an archive, and then one killed just before each step that changes the object's
    own folder: after each, ocfl-py's validator passes the object, which holds either the
    version before or the new one, whole; then an archive to the end removes what they left."""
    project = Project(intact.parent / "killed")
    shutil.copytree(intact, project.root)
    root = project.dist_dir / "archive"
    path = root / "mini"
    template = project.edition_file.read_text()
    # What a killed archive leaves in the temporary folder (the revision it was reading) stays
    # in this test's own folder, not in the machine's /tmp, run after run.
    temporary = intact.parent / "tmp"
    temporary.mkdir()
    killer = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(project.root), str(root), str(outputs)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(temporary)},
    )  # fmt: skip

    def attempt(request: str) -> dict:
        """Archive the next patch version as the killer is asked to; the object after it is valid,
        and holds the version before or the new one, whole."""
        before = json.loads((path / "inventory.json").read_text())
        patch = max(int(number.split(".")[2]) for number in ocfl.kept_versions(before)) + 1
        project.edition_file.write_text(template)
        raise_version(project, f"1.0.{patch}", f"Attempt {request}.")
        killer.stdin.write(f"{request}\n")
        killer.stdin.flush()
        outcome = json.loads(killer.stdout.readline())
        assert reference_errors(path) == [], (request, outcome)
        after = json.loads((path / "inventory.json").read_text())
        if after != before:  # the version is there whole, and nothing else changed
            assert ocfl.kept_versions(after)[f"1.0.{patch}"] == after["head"] == f"v{len(before['versions']) + 1}"
            assert {k: v for k, v in after["versions"].items() if k != after["head"]} == before["versions"]
        return {**outcome, "unchanged": after == before}

    try:
        timed = attempt("end")
        assert timed["exit"] == 0 and not timed["unchanged"]
        outcomes = [attempt(f"time {seed} {timed['seconds']}") for seed in range(KILLS)]
        assert any(outcome["killed"] and outcome["unchanged"] for outcome in outcomes), "every kill came too late"
        steps = attempt("step 0")["exit"]
        assert steps >= 1  # the swap, at least
        for step in range(1, steps + 1):
            outcome = attempt(f"step {step}")
            assert outcome["killed"], step
        assert attempt("end")["exit"] == 0
    finally:
        killer.stdin.close()
        killer.wait(timeout=HANG)
    assert verify(path) == (0, [])
    assert sorted(os.listdir(root)) == [".edition-build.lock", "0=ocfl_1.1", "mini", "ocfl_layout.json"]
