"""Archive a version of the edition in its OCFL object, export one as a bag, and verify either.

`archive` builds the edition and adds to the OCFL object (`ocfl`) in the storage root `into` a
version holding the PDF, the EPUB, and exactly the files the build reads — the sources the
edition lists, the schema, the stylesheets and the fonts they use, with the fonts' licence — and
a build record (`provenance`), by the same paths as the bag of earlier versions of this tool.
Each is copied as a regular file inside the project (`gate.inside_project`): a symlink out of the
project, a FIFO or a device is refused before anything is written. The OCFL version's `created`
is the edition's date (or SOURCE_DATE_EPOCH), its `message` the version, date and change-log
line, its `user` the editors.

The rules: a version already in the object with the same contents changes nothing; with other
contents it is refused, and so is any version over a damaged object, which is never written to.
A new version after another must follow the version rule (`rule`), checked against the last
version in the object as `edition diff` compares them, before anything is built; a reason given
with `--allow-version` lets another number through, and is kept in the version's message. One
archive at a time writes to a storage root (its lock, as for a build).

`export_bag` writes one version of the object as a BagIt package (`bag`), for a library that
ingests bags; `verify` checks an OCFL object, a storage root's objects, or a bag, whichever the
folder is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import EditionError, SourceError, display_path
from ..gate import LOCK_FILE, RECORD_FILE, inside_project, writing_to
from ..project import Project
from ..sources.dates import build_time, source_date_epoch
from ..sources.model import Edition
from ..sources.read import load_edition
from ..sources.stylesheets import ereader_files, print_files
from . import bag, ocfl
from .bag import RECORD, Outcome
from .diff import compare
from .provenance import build_record
from .revisions import edition_in_object, object_path
from .rule import check_version

FONT_LICENCE = "fonts/OFL.txt"  # in styles/: the SIL OFL asks that it go with the fonts
# A slug names the object's folder: a name, never a path. (The version, which names a bag's
# folder, is MAJOR.MINOR.PATCH by the schema.)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# Builds the edition's outputs into a folder, stamped with the given SOURCE_DATE_EPOCH: the
# command line hands `archive` the build, which comes before this stage.
BuildInto = Callable[[Path, str], object]


def archive(project: Project, into: Path, build_into: BuildInto, allow_version: str | None = None) -> Outcome:
    """Add this version of the edition to its OCFL object in the storage root `into`, with the
    outputs `build_into` writes; see the module docstring for the rules."""
    edition = load_edition(project)
    if not NAME.fullmatch(edition.slug):
        raise EditionError(f"the edition's slug {edition.slug!r} cannot name a folder: use letters, digits, . - _")
    changes = [change for change in edition.changes if change.version == edition.version]
    if not changes:
        raise EditionError(
            f'version {edition.version} has no <change n="{edition.version}"> in the revisionDesc of '
            "source/edition.xml: say there what changed in it (E060)"
        )
    moment = build_time(edition, source_date_epoch())
    epoch = str(int(moment.timestamp()))
    files = bagged_files(project, edition)  # each checked before anything is written
    bag.make_folder(into)
    path = into / edition.slug
    busy = f"another archive is being written to {display_path(into, project.root)}/; try again when it has finished"
    with writing_to(into, busy, staging=True):
        ocfl.storage_root(into)
        inventory = ocfl.kept_object(path)
        kept = ocfl.kept_versions(inventory)
        if inventory and edition.version not in kept:
            _follows_the_rule(path, inventory, edition, allow_version)
        message = ocfl.message(edition.version, edition.date, changes[0].text, allow_version)
        info = ocfl.VersionInfo(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), message, ", ".join(edition.editors))
        staging = bag.staging_folder(into, edition.slug)
        try:
            try:
                _fill(staging / "files", project, files, epoch, build_into)
                if edition.version in kept:
                    same = _payload(ocfl.digests(staging / "files")) == _payload(
                        ocfl.version_digests(inventory, kept[edition.version])
                    )
                    if not same:
                        raise EditionError(
                            f"{path} already holds version {edition.version} (as {kept[edition.version]}) with other "
                            "contents; raise the version in source/edition.xml to archive this one (the object was "
                            "left as it is)"
                        )
                    return Outcome(path, created=False, version=kept[edition.version])
                head = ocfl.add_version(path, inventory, staging / "files", info, staging)
            except OSError as error:
                raise EditionError(f"cannot write the archive in {into}: {error.strerror or error}") from None
            return Outcome(path, created=True, version=head)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _follows_the_rule(path: Path, inventory: dict, edition: Edition, allow_version: str | None) -> None:
    """Refuse the edition's version unless it follows the version rule after the object's last
    version (`rule.check_version`), or a reason is given to let it through."""
    if allow_version:
        return
    last = ocfl.kept_versions(inventory)
    previous_number = next((number for number, name in last.items() if name == inventory["head"]), None)
    if previous_number is None:
        raise EditionError(f"the last version of {path} ({inventory['head']}) has no edition version in its message")
    try:
        previous = edition_in_object(path, inventory, inventory["head"])
    except EditionError as error:
        why = bag.summary([str(d) for d in error.diagnostics]) if isinstance(error, SourceError) else str(error)
        raise EditionError(
            f"the version rule cannot compare this version with {previous_number}, the last one archived: {why}; "
            "archive with --allow-version REASON to let it through"
        ) from None
    check_version(previous_number, edition.version, compare(previous, edition))


def bagged_files(project: Project, edition: Edition) -> dict[Path, Path]:
    """What a version holds beside the outputs: the files the build reads (the sources, and
    `stylesheets.print_files` and `ereader_files`), and the fonts' licence; by their place in
    the project, each the regular file it is inside the project (else `EditionError`, naming it)."""
    paths = [*edition.sources, *print_files(project), *ereader_files(project)]
    licence = project.styles_dir / FONT_LICENCE
    if os.path.lexists(licence):
        paths.append(licence)
    root = project.root.absolute()
    files: dict[Path, Path] = {}
    for path in paths:
        resolved = inside_project(path, root)
        relative = Path(os.path.relpath(path, root))
        if relative.parts[0] == "..":  # named through a symlink that leads into the project
            relative = resolved.relative_to(root.resolve())
        files.setdefault(relative, resolved)
    return files


def _fill(folder: Path, project: Project, files: dict[Path, Path], epoch: str, build_into: BuildInto) -> None:
    """The files of a version, by their logical paths: the outputs under edition/, the files
    the build read, and the build record."""
    build_into(folder / "edition", epoch)
    for note in (RECORD_FILE, LOCK_FILE):  # notes for the next build, not part of the edition
        (folder / "edition" / note).unlink(missing_ok=True)
    for relative, path in files.items():
        destination = folder / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(inside_project(path, project.root).read_bytes())
    record = json.dumps(build_record(project, int(epoch)), indent=2, sort_keys=True) + "\n"
    (folder / RECORD).write_text(record)


def _payload(digests: dict[str, str]) -> dict[str, str]:
    """A version's files and digests, except the build record's (it names the commit and tools)."""
    return {path: digest for path, digest in digests.items() if path != RECORD}


def export_bag(root: Path, project: Project, version: str, into: Path) -> Outcome:
    """Write the version `version` (`v2`, or the edition's `0.2.0`) of the object in the storage
    root `root` as a BagIt package in `into`."""
    path = object_path(root, project)
    inventory = ocfl.kept_object(path)
    if inventory is None:
        raise EditionError(f"there is no OCFL object at {path}: `edition archive` makes it")
    name = ocfl.kept_versions(inventory).get(version, version)
    if name not in inventory["versions"]:
        raise EditionError(f"{path} holds no version {version}; it holds {', '.join(describe(inventory))}")
    edition = edition_in_object(path, inventory, name)
    files = ocfl.version_files(path, inventory, name)
    day = inventory["versions"][name]["created"][:10]  # the date the version's outputs carry
    return bag.export(into, f"{edition.slug}-{edition.version}", files, bag.bag_info(edition, day))


def describe(inventory: dict) -> list[str]:
    """Each version of an object as `v2 (0.2.0)`, in order."""
    numbers = {name: number for number, name in ocfl.kept_versions(inventory).items()}
    return [f"{name} ({numbers.get(name, 'no edition version')})" for name in inventory["versions"]]


def verify(path: Path) -> list[str]:
    """Every problem of the OCFL object, of each object of the OCFL storage root, or of the
    BagIt package at `path`, one line each; empty if it is intact."""
    if ocfl.is_object(path):
        return ocfl.problems(path)
    if os.path.lexists(path / ocfl.ROOT_DECLARATION):
        found = ocfl.objects_in(path)
        declared = [ocfl.root_problem(path)] if ocfl.root_problem(path) else []
        if not found:
            return [*declared, f"missing: an OCFL object (the storage root {path} holds none)"]
        return declared + [f"{each.name}/: {line}" for each in found for line in ocfl.problems(each)]
    return bag.verify(path)


def main_verify(path: Path) -> int:
    if not path.is_dir():
        raise EditionError(f"{path} is not a folder")
    problems = verify(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
