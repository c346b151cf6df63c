"""Every version of the mini-edition in one OCFL object: after the first, a recorded correction, a
new register entry and a new paragraph, each numbered as the version rule says; ocfl-py's
validator passes the object, each file is stored once, each version can be exported as a bag that
`edition verify` and the `bagit` library accept; the same version again changes nothing, another
with the same number is refused; and the object's bytes depend on the sources and their date
only. (`edition archive` itself, with its build: test_archive.py; damage and kills:
test_ocfl_hostile.py.)"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import bagit
import pytest

from edition import cli
from edition.errors import EditionError
from edition.keeping import ocfl
from edition.keeping.archive import archive, export_bag
from edition.project import Project
from tests.edits import edit
from tests.keeping.versions import KINDS, copying, essay, raise_version, with_typo
from tests.mini import make_mini

FIRST = "1.0.0"  # the mini-edition's own version


def verify(path: Path) -> tuple[int, str]:
    """`edition verify PATH`, in this process: its exit code and what it prints on stderr."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = cli.main(["verify", str(path)])
    return code, stderr.getvalue()


def reference_errors(path: Path) -> list[str]:
    """ocfl-py's validator on the object, as its command `ocfl-validate.py` runs it: the errors."""
    validator = ocfl.ocfl_py()[0](check_digests=True)
    validator.validate_object(str(path))
    return validator.log.messages


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `folder`: when it was last written, and its bytes."""
    return {
        str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def outputs(mini_built: Path) -> Path:
    return mini_built / "dist"


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory, outputs: Path) -> tuple[Project, Path]:
    """The mini-edition archived four times into one object: as first received, with a typo
    (1.0.0); then each kind of version of `KINDS`, one after another (1.0.1, 1.1.0, 2.0.0)."""
    project = make_mini(tmp_path_factory.mktemp("kept") / "mini")
    root = project.dist_dir / "archive"
    with_typo(project)
    archive(project, root, copying(outputs))
    for change, version in KINDS.values():
        change(project)
        raise_version(project, version, f"Version {version}.")
        archive(project, root, copying(outputs))
    return project, root / "mini"


def inventory(path: Path) -> dict:
    return json.loads((path / "inventory.json").read_text())


def test_four_versions_in_one_object_that_the_reference_validator_passes(kept: tuple[Project, Path]):
    _, path = kept
    assert reference_errors(path) == []
    assert verify(path) == (0, "")
    assert verify(path.parent) == (0, "")  # the storage root, and each object in it
    versions = inventory(path)["versions"]
    assert list(versions) == ["v1", "v2", "v3", "v4"]
    assert [version["message"] for version in versions.values()] == [
        "Version 1.0.0 (2026-01-15): First version.",
        "Version 1.0.1 (2026-01-15): Version 1.0.1.",
        "Version 1.1.0 (2026-01-15): Version 1.1.0.",
        "Version 2.0.0 (2026-01-15): Version 2.0.0.",
    ]
    assert {version["created"] for version in versions.values()} == {"2026-01-15T00:00:00Z"}
    assert {json.dumps(version["user"]) for version in versions.values()} == {'{"name": "The Test Editors"}'}
    root = path.parent
    assert (root / "0=ocfl_1.1").read_text() == "ocfl_1.1\n"
    assert json.loads((root / "ocfl_layout.json").read_text())["extension"] == "0002-flat-direct-storage-layout"


def test_each_file_is_stored_once_in_the_object(kept: tuple[Project, Path]):
    _, path = kept
    stored = sorted(file.relative_to(path).as_posix() for file in path.glob("v*/content/**/*") if file.is_file())
    named = [name for name in stored if name.endswith(("SourceSerifPro-Regular.ttf", "edition.rng", "OFL.txt"))]
    assert named == [
        "v1/content/source/schema/edition.rng",
        "v1/content/styles/fonts/OFL.txt",
        "v1/content/styles/fonts/SourceSerifPro-Regular.ttf",
    ]
    assert len([name for name in stored if name.endswith(".ttf")]) == 4  # the four faces, once
    manifest = inventory(path)["manifest"]
    assert len(stored) == len(manifest) == sum(len(paths) for paths in manifest.values())
    # what each later version stores: the files that changed, and the build record (its commit)
    assert sorted(name for name in stored if name.startswith("v3/")) == [
        "v3/content/source/ames-2001.xml",
        "v3/content/source/edition.xml",
        "v3/content/source/register.xml",
    ]
    for version in inventory(path)["versions"].values():  # yet every version holds every file
        held = [logical for logicals in version["state"].values() for logical in logicals]
        assert "styles/fonts/SourceSerifPro-Regular.ttf" in held and len(held) == 18  # the mini-edition's files


@pytest.mark.parametrize("version", ["v1", "1.0.1", "v3", "2.0.0"])
def test_each_version_exports_as_a_bag_that_verify_and_bagit_accept(
    kept: tuple[Project, Path], tmp_path: Path, version: str
):
    project, path = kept
    outcome = export_bag(path.parent, project, version, tmp_path / "bags")
    assert outcome.created
    assert verify(outcome.path) == (0, "")
    bag = bagit.Bag(str(outcome.path))
    bag.validate()
    number = {"v1": "1.0.0", "v3": "1.1.0"}.get(version, version)
    assert outcome.path.name == f"mini-{number}" and bag.info["Version"] == number
    # the day the version's outputs are stamped with (the edition's date here), not the clock's
    created = json.loads((path / "inventory.json").read_text())["versions"][outcome_version(path, number)]["created"]
    assert bag.info["Bagging-Date"] == created[:10] != date.today().isoformat()
    assert (outcome.path / "data" / "source" / "edition.xml").read_text().count(f'<edition n="{number}">') == 1
    again = export_bag(path.parent, project, version, tmp_path / "bags")
    assert not again.created


def outcome_version(path: Path, number: str) -> str:
    """The object's name (v3) for an edition's version (1.1.0)."""
    inventory = json.loads((path / "inventory.json").read_text())
    return next(name for name, kept in inventory["versions"].items() if f"Version {number} " in kept["message"])


def test_archiving_a_version_again_changes_nothing(kept: tuple[Project, Path], outputs: Path):
    project, path = kept
    before = snapshot(path.parent)
    outcome = archive(project, path.parent, copying(outputs))
    assert (outcome.created, outcome.version) == (False, "v4")
    assert snapshot(path.parent) == before


def test_another_version_under_a_kept_number_is_refused_and_nothing_is_written(
    kept: tuple[Project, Path], outputs: Path
):
    project, path = kept
    before = snapshot(path.parent)
    original = essay(project, "brook-2002").read_text()
    edit(essay(project, "brook-2002"), "He died in Mexico in 1947.", "He died in Mexico in 1947. ")
    try:
        with pytest.raises(EditionError, match=re.escape("already holds version 2.0.0 (as v4) with other contents")):
            archive(project, path.parent, copying(outputs))
    finally:
        essay(project, "brook-2002").write_text(original)
    assert snapshot(path.parent) == before
    assert sorted(os.listdir(path.parent)) == [".edition-build.lock", "0=ocfl_1.1", "mini", "ocfl_layout.json"]


def test_the_object_depends_on_the_sources_and_their_date_only(tmp_path: Path, outputs: Path, monkeypatch):
    """Two projects in folders at other depths, archived in two different seconds, give the same
    bytes, inventory included; SOURCE_DATE_EPOCH, when set, is the versions' `created`."""
    roots = []
    for where in (tmp_path / "a" / "mini", tmp_path / "b" / "c" / "d" / "mini"):
        project = make_mini(where)
        archive(project, project.dist_dir / "archive", copying(outputs))
        roots.append(project.dist_dir / "archive")
        time.sleep(1 - time.time() % 1)  # the next archive in the next second of the clock
    first, second = ({name: data for name, (_, data) in snapshot(root).items()} for root in roots)
    assert first == second
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    project = make_mini(tmp_path / "e" / "mini")
    archive(project, project.dist_dir / "archive", copying(outputs))
    assert inventory(project.dist_dir / "archive" / "mini")["versions"]["v1"]["created"] == "2001-09-09T01:46:40Z"


def test_a_folder_that_is_not_a_storage_root_is_refused(tmp_path: Path, outputs: Path):
    project = make_mini(tmp_path / "mini")
    root = project.dist_dir / "archive"
    (root / "mini-1.0.0").mkdir(parents=True)  # a bag of an earlier `edition archive`
    with pytest.raises(EditionError, match=r"neither empty nor an OCFL storage root .* it holds mini-1.0.0\)"):
        archive(project, root, copying(outputs))
    assert sorted(os.listdir(root)) == [".edition-build.lock", "mini-1.0.0"]


def test_ocfl_py_is_imported_without_changing_how_the_process_logs():
    """ocfl-py 2.1 imports pairtree, which configures the root logger (INFO, to stderr) as it is
    imported; `ocfl.ocfl_py` puts it back, so that a command prints no library's INFO messages.
    (If an upgrade imports ocfl-py without it, the first half fails: the workaround can go.)"""
    show = "root = logging.getLogger()\nprint(len(root.handlers), logging.getLevelName(root.level))\n"
    plain = "import logging\nimport ocfl.validator\n" + show
    ours = "import logging\nfrom edition.keeping import ocfl\nocfl.ocfl_py()\n" + show
    for program, expected in ((plain, "1 INFO\n"), (ours, "0 WARNING\n")):
        result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
        assert result.stdout == expected
