"""Versions kept for the long term, as a user runs `edition archive`: the date inside the outputs,
the version in the OCFL object with its build, the bag exported from it, and verification, on
the mini-edition. (That two builds in separate processes and folders give the same bytes, build
record included: tests/test_inputs_hostile.py, with either font subsetter; the object's rules,
its damage and kills: test_ocfl.py and test_ocfl_hostile.py.)"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from edition.project import Project
from tests import command
from tests.mini import STEM, VERSION, make_mini

PACKAGE = STEM


def edition(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return command.run(*args, cwd=cwd, env={**os.environ, **(env or {})}, timeout=300)


def checkout(where: Path) -> Path:
    """What a clean checkout of the mini-edition holds for building: sources and styles."""
    return make_mini(where).root


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_source_date_epoch_sets_the_dates_inside_both_outputs(tmp_path: Path):
    where = checkout(tmp_path / "project")
    result = edition("build", cwd=where, env={"SOURCE_DATE_EPOCH": "1000000000"})  # 2001-09-09
    assert result.returncode == 0, result.stderr
    with pikepdf.open(where / "dist" / f"{PACKAGE}.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20010909")
        attachment = next(iter(pdf.attachments.values()))
        assert str(attachment.obj.EF.F.Params.ModDate).startswith("D:20010909")
    with zipfile.ZipFile(where / "dist" / f"{PACKAGE}.epub") as epub:
        assert b'"dcterms:modified">2001-09-09T01:46:40Z' in epub.read("EPUB/content.opf")
        assert {info.date_time[:3] for info in epub.infolist()} == {(2001, 9, 9)}


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini-edition archived once, as a user runs `edition archive`: the OCFL object it makes.
    The tests that damage it work on copies."""
    where = checkout(tmp_path_factory.mktemp("archived"))
    result = edition("archive", cwd=where)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "archived dist/archive/mini v1"
    return where / "dist" / "archive" / "mini"


@pytest.fixture(scope="module")
def package(kept: Path) -> Path:
    """Its only version exported as a bag, as a user runs `edition archive --bag`."""
    project = kept.parents[2]
    result = edition("archive", "--bag", "v1", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"exported dist/bags/{PACKAGE}"
    return project / "dist" / "bags" / PACKAGE


def test_an_archived_version_holds_the_edition_its_sources_and_a_build_record(kept: Path):
    (version,) = json.loads((kept / "inventory.json").read_text())["versions"].values()
    files = {logical for logicals in version["state"].values() for logical in logicals}
    for expected in [
        f"edition/{PACKAGE}.pdf",
        f"edition/{PACKAGE}.epub",
        "source/edition.xml",
        "source/schema/edition.rng",
        "styles/print.css",
        "styles/fonts/SourceSerifPro-Regular.ttf",
        "build-record.json",
    ]:
        assert expected in files
    record = (kept / "v1" / "content" / "build-record.json").read_text()
    weasyprint = importlib.metadata.version("weasyprint")
    assert f'"weasyprint": "{weasyprint}"' in record and '"SOURCE_DATE_EPOCH"' in record and '"commit"' in record
    built = kept / "v1" / "content" / "edition"
    assert digests(built) == digests(kept.parents[2] / "dist" / "archive" / "mini" / "v1" / "content" / "edition")


def test_the_object_and_the_bag_verify(kept: Path, package: Path):
    for path in (kept, kept.parent, package):
        result = edition("verify", str(path), cwd=kept.parent)
        assert (result.returncode, result.stderr) == (0, ""), path
    assert {name: digest for name, digest in digests(package / "data").items()} == {
        logical: digest for logical, digest in digests(kept / "v1" / "content").items()
    }  # the bag holds what the version holds


@pytest.mark.parametrize(
    "name",
    [
        f"data/edition/{PACKAGE}.pdf",
        f"data/edition/{PACKAGE}.epub",
        "data/source/ames-2001.xml",
        "data/styles/fonts/SourceSerifPro-It.ttf",
        "data/build-record.json",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ],
)
def test_one_flipped_byte_in_any_file_of_a_bag_is_found_and_the_file_named(package: Path, tmp_path: Path, name: str):
    copy = tmp_path / PACKAGE
    shutil.copytree(package, copy)
    damaged = bytearray((copy / name).read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (copy / name).write_bytes(damaged)
    result = edition("verify", str(copy), cwd=tmp_path)
    assert result.returncode == 1
    assert f"altered: {name}" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr


def test_missing_and_extra_files_of_a_bag_are_named(package: Path, tmp_path: Path):
    copy = tmp_path / PACKAGE
    shutil.copytree(package, copy)
    (copy / "data" / "source" / "edition.xml").unlink()
    (copy / "data" / "stray.txt").write_text("not part of the edition")
    result = edition("verify", str(copy), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["missing: data/source/edition.xml", "extra: data/stray.txt"]


def test_archiving_the_same_version_again_changes_nothing(kept: Path):
    before = {path: path.stat().st_mtime_ns for path in kept.parent.rglob("*")}
    result = edition("archive", cwd=kept.parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "dist/archive/mini already holds this version (v1), unchanged\n"
    assert {path: path.stat().st_mtime_ns for path in kept.parent.rglob("*")} == before


def test_a_changed_source_under_the_same_version_is_refused_and_the_object_kept(kept: Path):
    project = Project(kept.parents[2])
    before = digests(kept.parent)
    essay = project.source_dir / "brook-2002.xml"
    original = essay.read_text()
    essay.write_text(original.replace("He died in Mexico in 1947.", "He died in Mexico in 1947. "))
    try:
        result = edition("archive", cwd=project.root)
    finally:
        essay.write_text(original)
    assert result.returncode == 2
    assert f"already holds version {VERSION} (as v1) with other contents" in result.stderr
    assert result.stderr.count("\n") == 1
    assert digests(kept.parent) == before
    assert sorted(p.name for p in kept.parent.iterdir()) == [
        ".edition-build.lock", "0=ocfl_1.1", "mini", "ocfl_layout.json"
    ]  # fmt: skip
