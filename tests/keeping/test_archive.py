"""Versions kept for the long term: the date inside the outputs, BagIt packages, verification, on
the mini-edition. (That two builds in separate processes and folders give the same bytes, build
record included: tests/test_inputs_hostile.py, with either font subsetter.)"""

from __future__ import annotations

import hashlib
import importlib.metadata
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
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archived package, made once; tests that damage it work on copies."""
    where = checkout(tmp_path_factory.mktemp("archived"))
    result = edition("archive", cwd=where)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"archived dist/archive/{PACKAGE}"
    return where / "dist" / "archive" / PACKAGE


def test_an_archived_package_holds_the_edition_its_sources_and_a_build_record(package: Path):
    files = set(digests(package))
    for expected in [
        f"data/edition/{PACKAGE}.pdf",
        f"data/edition/{PACKAGE}.epub",
        "data/source/edition.xml",
        "data/source/schema/edition.rng",
        "data/styles/print.css",
        "data/styles/fonts/SourceSerifPro-Regular.ttf",
        "data/build-record.json",
        "bagit.txt",
        "manifest-sha512.txt",
    ]:
        assert expected in files
    record = (package / "data" / "build-record.json").read_text()
    weasyprint = importlib.metadata.version("weasyprint")
    assert f'"weasyprint": "{weasyprint}"' in record and '"SOURCE_DATE_EPOCH"' in record and '"commit"' in record


def test_an_archived_package_verifies(package: Path):
    result = edition("verify", str(package), cwd=package.parent)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


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
def test_one_flipped_byte_in_any_file_is_found_and_the_file_named(package: Path, tmp_path: Path, name: str):
    copy = tmp_path / PACKAGE
    shutil.copytree(package, copy)
    damaged = bytearray((copy / name).read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (copy / name).write_bytes(damaged)
    result = edition("verify", str(copy), cwd=tmp_path)
    assert result.returncode == 1
    assert f"altered: {name}" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr


def test_missing_and_extra_files_are_named(package: Path, tmp_path: Path):
    copy = tmp_path / PACKAGE
    shutil.copytree(package, copy)
    (copy / "data" / "source" / "edition.xml").unlink()
    (copy / "data" / "stray.txt").write_text("not part of the edition")
    result = edition("verify", str(copy), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["missing: data/source/edition.xml", "extra: data/stray.txt"]


def test_archiving_the_same_version_again_changes_nothing(package: Path):
    before = {path: path.stat().st_mtime_ns for path in package.rglob("*")}
    result = edition("archive", cwd=package.parents[2])
    assert result.returncode == 0, result.stderr
    assert "already holds this version, unchanged" in result.stdout
    assert {path: path.stat().st_mtime_ns for path in package.rglob("*")} == before
    assert sorted(p.name for p in package.parent.iterdir()) == [".edition-build.lock", PACKAGE]


def test_a_changed_source_under_the_same_version_is_refused_and_the_package_kept(package: Path):
    project = Project(package.parents[2])
    before = digests(package)
    essay = project.source_dir / "brook-2002.xml"
    original = essay.read_text()
    essay.write_text(original.replace("He died in Mexico in 1947.", "He died in Mexico in 1947. "))
    try:
        result = edition("archive", cwd=project.root)
    finally:
        essay.write_text(original)
    assert result.returncode == 2
    assert f"already holds version {VERSION} with other contents" in result.stderr
    assert result.stderr.count("\n") == 1
    assert digests(package) == before
    assert sorted(p.name for p in package.parent.iterdir()) == [".edition-build.lock", PACKAGE]


def test_archiving_over_a_package_whose_pdf_was_altered_is_refused_and_the_package_kept(package: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(package.parents[2], project, ignore=shutil.ignore_patterns(".edition-build.lock"))
    copy = project / "dist" / "archive" / PACKAGE
    pdf = copy / "data" / "edition" / f"{PACKAGE}.pdf"
    damaged = bytearray(pdf.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    pdf.write_bytes(damaged)
    before = digests(copy)
    result = edition("archive", cwd=project)
    assert result.returncode == 1
    assert result.stderr == (
        f"edition: {copy} already exists and is damaged (altered: data/edition/{PACKAGE}.pdf); it was left as it "
        f"is, and nothing was archived: `edition verify {copy}` names every problem\n"
    )
    assert digests(copy) == before
    assert sorted(p.name for p in copy.parent.iterdir()) == [".edition-build.lock", PACKAGE]
