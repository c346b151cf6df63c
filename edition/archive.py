"""Archive a version of the edition as a BagIt package (RFC 8493), and verify such a package.

`archive` builds the edition and bags, under `<slug>-<version>/`, the PDF, the EPUB, the sources,
the schema, the styles and fonts, and a build record. A version already archived with the same
contents is left as it is; with other contents the new package is refused. Nothing here ever
deletes or rewrites an existing package. `verify` names every missing, extra or altered file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bagit

from .build import build, build_time
from .errors import EditionError
from .inputs import RECORD_FILE
from .project import Project
from .provenance import build_record
from .source import load_edition

CHECKSUMS = ["sha256", "sha512"]
RECORD = "build-record.json"


@dataclass
class Outcome:
    path: Path
    created: bool


def archive(project: Project, into: Path) -> Outcome:
    """Bag this version of the edition under `into`; see the module docstring for the rules."""
    edition = load_edition(project)
    epoch = int(build_time(edition).timestamp())
    target = into / f"{edition.slug}-{edition.version}"
    try:
        into.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=into, prefix=f".{target.name}.", suffix=".part"))
    except OSError as error:
        raise EditionError(f"cannot write to the archive folder {into}: {error.strerror}") from None
    try:
        _fill(staging, project, epoch)
        bagit.make_bag(str(staging), _bag_info(edition), checksums=CHECKSUMS)
        if target.exists():
            if _payload(target) != _payload(staging):
                raise EditionError(
                    f"{target} already holds version {edition.version} with other contents; "
                    "raise the version in source/edition.xml to archive this one (the package was left as it is)"
                )
            return Outcome(target, created=False)
        os.rename(staging, target)
        return Outcome(target, created=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _fill(staging: Path, project: Project, epoch: int) -> None:
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        build(project, out_dir=staging / "edition")
        (staging / "edition" / RECORD_FILE).unlink()  # a note for the next build, not part of the edition
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    for folder in ("source", "styles"):
        shutil.copytree(project.root / folder, staging / folder, ignore=shutil.ignore_patterns(".*"))
    record = json.dumps(build_record(project, epoch), indent=2, sort_keys=True) + "\n"
    (staging / RECORD).write_text(record)


def _bag_info(edition) -> dict[str, str]:
    return {
        "Source-Organization": edition.publisher,
        "External-Description": f"{edition.full_title}, version {edition.version} ({edition.date}): "
        "print PDF, EPUB, TEI sources, schema and styles.",
        "External-Identifier": f"{edition.slug}-{edition.version}",
        "Version": edition.version,
    }


def _payload(bag: Path) -> dict[str, str]:
    """The payload's checksums, except the build record's (it names the commit and tools)."""
    entries = {}
    for line in (bag / "manifest-sha256.txt").read_text().splitlines():
        checksum, path = line.split(maxsplit=1)
        if path != f"data/{RECORD}":
            entries[path] = checksum
    return entries


def verify(path: Path) -> list[str]:
    """Every problem of a package, one line each, naming the file; empty if it is intact."""
    logging.getLogger("bagit").setLevel(logging.CRITICAL)  # we report each problem ourselves
    try:
        bag = bagit.Bag(str(path))
        bag._validate_structure()
    except bagit.BagError as error:
        return [f"{path}: not a valid BagIt package: {error}"]
    missing, extra = bag.compare_manifests_with_fs()
    problems = [f"missing: {name}" for name in sorted(missing)]
    problems += [f"extra: {name}" for name in sorted([*extra, *_extra_tag_files(path, bag)])]
    try:
        bag._validate_entries(processes=1)
    except bagit.BagValidationError as error:
        problems += [f"altered: {name}" for name in _altered(error.details, bag) if name not in missing]
    if not problems and not bag.is_valid():
        problems.append(f"{path}: the package does not validate as BagIt")
    return problems


def _extra_tag_files(path: Path, bag: bagit.Bag) -> list[str]:
    known = {"bagit.txt", *(Path(name).name for name in bag.tagfile_entries())}
    known |= {f"tagmanifest-{alg}.txt" for alg in bag.algorithms}
    return [item.name for item in path.iterdir() if item.is_file() and item.name not in known]


def _altered(details: list, bag: bagit.Bag) -> list[str]:
    """The altered files. Where only some manifests disagree with a file that the others agree
    with, those manifests were altered, not the file."""
    failed: dict[str, set[str]] = {}
    for detail in details:
        if isinstance(detail, bagit.ChecksumMismatch):
            failed.setdefault(detail.path, set()).add(detail.algorithm)
    altered = set()
    for name, algorithms in failed.items():
        if len(algorithms) < len(bag.algorithms):
            prefix = "tagmanifest" if name in bag.tagfile_entries() else "manifest"
            altered |= {f"{prefix}-{algorithm}.txt" for algorithm in algorithms}
        else:
            altered.add(name)
    return sorted(altered)


def main_verify(path: Path) -> int:
    if not path.is_dir():
        raise EditionError(f"{path} is not a folder")
    problems = verify(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
