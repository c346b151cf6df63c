"""The edition at a revision, for `edition diff` and the version rule: a project folder, a version
kept in the OCFL object, or a git revision of the project.

Whatever the revision, its sources are read by the `sources` stage as a project's are: the files
of a kept version or of a git revision are written into a temporary folder, as `source/…`, and
read from there; nothing in them is run. A source of an old revision that this tool cannot read
is reported as a source problem, its path prefixed with the revision.

A git revision is read with git's plumbing only, through `git.run` (which starts git with the
repository's configuration unable to name a program for it to run): `rev-parse --verify` names
the commit, `ls-tree` lists its `source/` folder and `cat-file --batch` gives each file's bytes
as they were committed. None of these applies a filter, a text conversion or a hook. Git reads the
repository the project is in, wherever its objects are (a worktree's are in the main checkout's
`.git`); a symlink or a submodule in `source/` at that revision is not read (as a file missing).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import EditionError, SourceError
from ..project import Project
from ..sources.model import Edition
from ..sources.read import load_edition
from . import git, ocfl
from .bag import read_regular

OCFL_VERSION = re.compile(r"v[1-9][0-9]*|[0-9]+\.[0-9]+\.[0-9]+")


@dataclass(frozen=True)
class Revision:
    """An edition as `diff` names it: which version it is, and where it was read from."""

    label: str  # "0.2.0 (v2 of dist/archive/serge-stalinism)", "0.1.0 (git 361ae1b)", "0.2.0 (the folder .)"
    edition: Edition


def revision(spec: str, project: Project, root: Path) -> Revision:
    """The edition `spec` names: a project folder (one that holds source/edition.xml), else a
    version of the OCFL object in the storage root `root` (`v2`, or the edition's `0.2.0`),
    else a git revision of the project; `EditionError` if it is none of these."""
    folder = Path(spec)
    if folder.is_dir() and (folder / "source" / "edition.xml").is_file():
        edition = _loaded(Project(folder.resolve()), spec)
        return Revision(f"{edition.version} (the folder {spec})", edition)
    if OCFL_VERSION.fullmatch(spec):
        path = object_path(root, project)
        inventory = ocfl.kept_object(path)
        name = ocfl.kept_versions(inventory).get(spec, spec)
        if inventory and name in inventory["versions"]:
            edition = edition_in_object(path, inventory, name)
            return Revision(f"{edition.version} ({name} of {_shown(path, project)})", edition)
    try:
        commit = git.run(project.root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}")
    except EditionError:
        commit = b""
    if not commit.strip():
        raise EditionError(
            f"{spec!r} is neither a project folder, nor a version in the OCFL object under {_shown(root, project)}/, "
            "nor a git revision of this project"
        )
    edition = edition_in_git(project, commit.decode().strip(), spec)
    return Revision(f"{edition.version} (git {spec})", edition)


def object_path(root: Path, project: Project) -> Path:
    """The edition's object in the storage root: the only one there, or else the one its slug names."""
    found = ocfl.objects_in(root)
    if len(found) == 1:
        return found[0]
    return root / load_edition(project).slug


def edition_in_object(path: Path, inventory: dict, name: str) -> Edition:
    """The edition of the version `name` of an intact object, read from the sources it keeps."""
    files = {
        logical: read_regular(content)
        for logical, content in ocfl.version_files(path, inventory, name).items()
        if logical.startswith("source/")
    }
    return _from_files(files, f"{path.name} {name}")


def edition_in_git(project: Project, commit: str, spec: str) -> Edition:
    """The edition at a commit of the project's repository, from its `source/` folder."""
    listing = git.run(project.root, "ls-tree", "-r", "-z", commit, "--", "source")
    blobs: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, digest = meta.decode().split()
        if kind == "blob" and mode in ("100644", "100755"):  # not a symlink (120000)
            blobs[os.fsdecode(name)] = digest
    contents = git.run(project.root, "cat-file", "--batch", stdin="".join(f"{d}\n" for d in blobs.values()).encode())
    files, at = {}, 0
    for name, digest in blobs.items():
        header_end = contents.index(b"\n", at)
        found, kind, size = contents[at:header_end].decode().split()
        if found != digest or kind != "blob":
            raise EditionError(f"git gave {found} {kind} for {name} at {spec}")
        start = header_end + 1
        files[name] = contents[start : start + int(size)]
        at = start + int(size) + 1
    return _from_files(files, spec)


def _from_files(files: dict[str, bytes], label: str) -> Edition:
    """The edition read from a project made of `files` (bytes by path), in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="edition-revision-") as folder:
        for name, data in files.items():
            parts = name.split("/")
            if any(part in ("", ".", "..") for part in parts):
                raise EditionError(f"{label} holds a file named {name!r}, which is not a path inside a project")
            path = Path(folder, *parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return _loaded(Project(Path(folder)), label)


def _loaded(project: Project, label: str) -> Edition:
    """The edition of `project`; its source problems named with `label` before each path."""
    try:
        return load_edition(project)
    except SourceError as error:
        raise SourceError([replace(d, path=f"{label}:{d.path}") for d in error.diagnostics]) from None
    except EditionError as error:
        raise EditionError(f"{label}: {error}") from None


def _shown(path: Path, project: Project) -> str:
    try:
        return str(path.resolve().relative_to(project.root.resolve()))
    except ValueError:
        return str(path)
