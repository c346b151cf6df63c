"""The OCFL object that keeps every version of the edition (OCFL 1.1), written and verified.

A storage root (`edition archive --into ROOT`, by default dist/archive/) holds its declaration
`0=ocfl_1.1`, `ocfl_layout.json` naming the flat direct layout (OCFL extension 0002: an object's
folder is named by its id), and the edition's object, `ROOT/<slug>/`. The object's versions v1,
v2, … each hold what a version of the edition is (`archive` says what), by logical path; a file
is stored once, under the version that first held it, and the versions after it name it by its
SHA-512 digest (the inventory's `manifest` and each version's `state`).

Writing. ocfl-py (2.1) writes an object in place: `Object.write_new_version` rewrites the root
inventory with `open(…, "w")`, then its sidecar, and `Object.create` writes the root inventory
before the content it lists. A run killed there leaves an object that does not validate (a
truncated inventory, a sidecar that does not match it, a manifest naming files not yet copied),
and so does OCFL's own order alone (the new version folder first, the inventory last): between
the two, ocfl-py's validator reports a version folder the inventory does not list (E046b), and
between the inventory and its sidecar a digest that does not match (E060). So `add_version`
writes the object itself, and ocfl-py checks what it wrote. A first version is made in a staging
folder beside the object and renamed into place. A later one is made in a staging folder that
holds the whole new object — the files already kept, hard-linked (stored once on disk too), the
new version folder, then the inventories — and the two folders are swapped in one step
(`renameat2(RENAME_EXCHANGE)`): the object is at every moment either the last version's, whole,
or the new one's. A file system that cannot swap two folders (NFS, or a system other than
Linux) is refused, and the object left as it was. The staging folder (`.<slug>.<random>.part/`,
in the storage root) holds the old object after the swap until it is removed; one a killed run
left is removed by the next, under the storage root's lock (`gate.writing_to`).

The bytes: inventory.json is JSON with sorted keys; a version's `created` is the edition's date
(or SOURCE_DATE_EPOCH), its `message` the edition's version, date and change-log line, its
`user` the editors (`VersionInfo`): the object depends on the sources and that date, not on the
clock or the machine. The inventory's id is the edition's slug, which is not a URI, and the
editors have no address: ocfl-py warns of both (W005, W008), which are not errors.

Verification (`problems`). Every entry of the object is first looked at with `lstat`: a symlink,
FIFO, device or socket is reported by name, and then the reference validator is not run (it
would follow the symlink, or wait for ever on the FIFO). Otherwise ocfl-py's validator checks
the object — its declaration, inventories and sidecars, the versions' sequence, and every
file's digest — and each error it finds is one line, named as `verify` names a bag's: missing,
extra, altered, malformed, or the validator's own words.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DamagedPackage, EditionError
from ..gate import LOCK_FILE, TEMPORARY, printable, regular_file_opener, write_atomically
from .bag import Report, intact_at, listing, read_regular

SPEC = "1.1"
ROOT_DECLARATION = f"0=ocfl_{SPEC}"
OBJECT_DECLARATION = f"0=ocfl_object_{SPEC}"
INVENTORY = "inventory.json"
DIGEST = "sha512"
SIDECAR = f"{INVENTORY}.{DIGEST}"
CONTENT = "content"
LAYOUT_FILE = "ocfl_layout.json"
LAYOUT = {
    "extension": "0002-flat-direct-storage-layout",
    "description": "An object's folder is named by its id: the edition's slug.",
}
CHUNK = 1 << 20


@dataclass(frozen=True)
class VersionInfo:
    """What the inventory says of a version besides its files."""

    created: str  # RFC 3339, in UTC
    message: str
    user: str


# The storage root ------------------------------------------------------------------------


def storage_root(root: Path) -> None:
    """Make `root` an OCFL storage root if it is empty (or holds only the lock and the layout
    file a killed run wrote before the declaration), else check that it is one; an
    `EditionError` if it is something else. Called with the root's lock held."""
    declaration = root / ROOT_DECLARATION
    if os.path.lexists(declaration):
        problem = root_problem(root)
        if problem:
            raise DamagedPackage(f"the storage root {root} is damaged ({problem}); it was left as it is")
        return
    others = sorted(
        name for name in os.listdir(root) if name not in (LOCK_FILE, LAYOUT_FILE) and not TEMPORARY.fullmatch(name)
    )
    if others:
        held = ", ".join(printable(name) for name in others[:3]) + (", …" if len(others) > 3 else "")
        raise EditionError(
            f"{root} is neither empty nor an OCFL storage root (it has no {ROOT_DECLARATION}; it holds {held}): "
            "archive into another folder (a package of an earlier `edition archive` can be moved and still checked "
            "with `edition verify`)"
        )
    write_atomically(root / LAYOUT_FILE, (json.dumps(LAYOUT, indent=2, sort_keys=True) + "\n").encode())
    write_atomically(declaration, f"ocfl_{SPEC}\n".encode())  # last: until it is there, the root is not one


def root_problem(root: Path) -> str:
    """What is wrong with a storage root's declaration, in a line; "" if nothing is."""
    try:
        declared = read_regular(root / ROOT_DECLARATION)
    except OSError as error:
        return f"unreadable: {ROOT_DECLARATION} ({error.strerror})"
    return "" if declared == f"ocfl_{SPEC}\n".encode() else f"malformed: {ROOT_DECLARATION}: not 'ocfl_{SPEC}'"


def objects_in(root: Path) -> list[Path]:
    """The objects of a storage root: its folders that are objects (`is_object`)."""
    try:
        with os.scandir(root) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if entry.is_dir(follow_symlinks=False) and not TEMPORARY.fullmatch(entry.name) and is_object(Path(entry.path))
    ]


# Reading an object --------------------------------------------------------------------------


def is_object(path: Path) -> bool:
    """Whether `path` is (or was, before some damage) an OCFL object: it holds an object's
    declaration or an inventory."""
    return any(os.path.lexists(path / name) for name in (OBJECT_DECLARATION, INVENTORY))


def kept_object(path: Path) -> dict | None:
    """The inventory of the object at `path`, None if there is none; `DamagedPackage` if the
    object is damaged in any way `problems` finds, `EditionError` if something else is there."""
    if not intact_at(path, "OCFL object", problems):
        return None
    inventory = json.loads(read_regular(path / INVENTORY))
    if inventory.get("digestAlgorithm") != DIGEST or inventory.get("contentDirectory", CONTENT) != CONTENT:
        raise EditionError(f"the OCFL object {path} was not made by `edition archive`: it was left as it is")
    return inventory


# A version's message begins with the edition's version: how `archive`, `diff` and the bag find
# the version `0.2.0` among v1, v2, ….
MESSAGE = re.compile(r"Version (?P<version>\S+) \((?P<date>[^)]*)\): ")


def message(version: str, date: str, change: str, allowance: str | None) -> str:
    """A version's message: the edition's version, its date and its change-log line, and the
    reason given for a number against the version rule, if one was."""
    reason = f" [Numbered against the version rule: {allowance}]" if allowance else ""
    return f"Version {version} ({date}): {change}{reason}"


def kept_versions(inventory: dict | None) -> dict[str, str]:
    """The edition's versions an object holds, each with the name of its OCFL version (`v2`)."""
    found = {}
    for name, version in (inventory or {}).get("versions", {}).items():
        match = MESSAGE.match(version.get("message", ""))
        if match:
            found.setdefault(match["version"], name)
    return found


def version_files(path: Path, inventory: dict, version: str) -> dict[str, Path]:
    """The files of one version of an intact object: each logical path, and the file in the
    object that holds its content."""
    manifest = inventory["manifest"]
    return {
        logical: path / manifest[digest][0]
        for digest, logicals in inventory["versions"][version]["state"].items()
        for logical in logicals
    }


def version_digests(inventory: dict, version: str) -> dict[str, str]:
    """Each logical path of a version, and its content's digest."""
    state = inventory["versions"][version]["state"]
    return {logical: digest for digest, logicals in state.items() for logical in logicals}


def digests(folder: Path) -> dict[str, str]:
    """The SHA-512 of every file under `folder`, by its path there (the logical paths of a version)."""
    found = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory, name)
            with open(path, "rb", buffering=0, opener=regular_file_opener) as stream:
                digest = hashlib.sha512()
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
            found[path.relative_to(folder).as_posix()] = digest.hexdigest()
    return found


# Writing a version ------------------------------------------------------------------------------


def add_version(path: Path, inventory: dict | None, files: Path, info: VersionInfo, staging: Path) -> str:
    """Add the files under `files` to the object at `path` (whose inventory is `inventory`, or
    None for a new object) as its next version, built in the empty folder `staging` in the
    same storage root and swapped into place (see the module docstring); the version's name."""
    head = f"v{len(inventory['versions']) + 1}" if inventory else "v1"
    new, stored = next_inventory(path.name, inventory, head, digests(files), info)
    made = staging / "object"
    made.mkdir()
    if inventory:
        _link_tree(path, made, leave=(INVENTORY, SIDECAR))
    else:
        (made / OBJECT_DECLARATION).write_bytes(f"ocfl_object_{SPEC}\n".encode())
    for content, logical in stored.items():
        (made / content).parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(files / logical, made / content)
    data = (json.dumps(new, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    sidecar = f"{hashlib.sha512(data).hexdigest()} {INVENTORY}\n".encode()
    for folder in (made / head, made):  # the version's copy first, the object's own last
        (folder / INVENTORY).write_bytes(data)
        (folder / SIDECAR).write_bytes(sidecar)
    _synced(made)
    if inventory:
        exchange(made, path)
    else:
        os.rename(made, path)
    _sync_folder(path.parent)
    return head


def next_inventory(
    identifier: str, inventory: dict | None, head: str, found: dict[str, str], info: VersionInfo
) -> tuple[dict, dict[str, str]]:
    """The inventory with the version `head` added, holding the files `found` (digest by logical
    path), and the files the new version stores (content path → logical path): those whose
    content no earlier version holds, each once."""
    manifest = {digest: list(paths) for digest, paths in (inventory or {}).get("manifest", {}).items()}
    state: dict[str, list[str]] = {}
    stored: dict[str, str] = {}
    for logical, digest in sorted(found.items()):
        state.setdefault(digest, []).append(logical)
        if digest not in manifest:
            content = f"{head}/{CONTENT}/{logical}"
            manifest[digest] = [content]
            stored[content] = logical
    versions = dict((inventory or {}).get("versions", {}))
    versions[head] = {"created": info.created, "message": info.message, "state": state, "user": {"name": info.user}}
    new = {
        "digestAlgorithm": DIGEST,
        "head": head,
        "id": identifier,
        "manifest": manifest,
        "type": f"https://ocfl.io/{SPEC}/spec/#inventory",
        "versions": versions,
    }
    return new, stored


def _link_tree(source: Path, target: Path, leave: tuple[str, ...]) -> None:
    """Hard-link every file of `source` (an intact object: folders and regular files only) into
    `target`, except the files named `leave` at its top."""
    for directory, folders, names in os.walk(source):
        relative = Path(directory).relative_to(source)
        for folder in folders:
            (target / relative / folder).mkdir()
        for name in names:
            if relative == Path() and name in leave:
                continue
            _link_or_copy(Path(directory, name), target / relative / name)


def _link_or_copy(source: Path, target: Path) -> None:
    """`target` as a second name of `source`'s file; a copy where the file system has no hard links."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        target.write_bytes(read_regular(source))


def _synced(folder: Path) -> None:
    """Every file and folder under `folder` on disk, before the object is swapped for it."""
    for directory, _, names in os.walk(folder):
        for name in names:
            descriptor = os.open(Path(directory, name), os.O_RDONLY | os.O_NOFOLLOW)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        _sync_folder(Path(directory))


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


AT_FDCWD, RENAME_EXCHANGE = -100, 2  # from Linux's <fcntl.h> and <linux/fs.h>


def exchange(first: Path, second: Path) -> None:
    """Swap two folders in one step (Linux's `renameat2` with `RENAME_EXCHANGE`, through the C
    library); `EditionError` where the system or the file system cannot, with both left as
    they were."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        code = errno.ENOSYS
    elif renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return
    else:
        code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        raise EditionError(
            f"cannot add a version to {second}: its file system cannot swap two folders in one step "
            "(renameat2 RENAME_EXCHANGE), which keeps the object whole if an archive is interrupted; "
            "archive onto a local file system of Linux (the object was left as it was)"
        )
    raise EditionError(f"cannot add a version to {second}: {os.strerror(code)} (the object was left as it was)")


# Verifying an object ----------------------------------------------------------------------------


def problems(path: Path) -> list[str]:
    """Every problem of the OCFL object at `path`, one line each; empty if it is intact."""
    report = Report()
    _, regular, irregular = listing(path, report)
    report.irregular |= {f"{name} ({kind})" for name, kind in irregular.items()}
    if report.irregular or report.unreadable:
        return report.lines()
    try:
        inventory_text = read_regular(path / INVENTORY).decode("utf-8")
    except FileNotFoundError:
        inventory_text = None  # the validator names it
    except (OSError, UnicodeDecodeError) as error:
        return [f"malformed: {INVENTORY}: {getattr(error, 'strerror', None) or 'not UTF-8 text'}"]
    return _validated(path, regular, inventory_text)


def _validated(path: Path, regular: set[str], inventory_text: str | None) -> list[str]:
    """ocfl-py's validator on an object of folders and regular files only; its errors as lines."""
    from fsspec.implementations.dirfs import DirFileSystem
    from fsspec.implementations.local import LocalFileSystem

    Validator, ValidationLogger = ocfl_py()

    class Errors(ValidationLogger):
        """The errors as the validator finds them: each code with its particulars."""

        def __init__(self) -> None:
            super().__init__(log_warnings=False)
            self.found: list[tuple[str, dict, str]] = []

        def error(self, code: str, **args) -> None:
            super().error(code, **args)
            self.found.append((code, args, self.codes[code]))

    errors = Errors()
    try:
        Validator(log=errors, check_digests=True).validate_object(DirFileSystem(str(path), LocalFileSystem()))
    except Exception as error:  # a third party's code on damaged input: a line, not a traceback
        errors.found.append(("", {}, f"the validator stopped: {type(error).__name__}: {error}"))
    lines = set()
    for code, args, message in errors.found:
        lines |= _lines(code, args, message, regular, inventory_text)
    return sorted(lines, key=_order)


def ocfl_py() -> tuple[type, type]:
    """ocfl-py's `Validator` and `ValidationLogger` (its modules `validator` and
    `validation_logger`, which `_validated` relies on), imported with the root logger left as it
    was: ocfl-py 2.1 imports pairtree, which calls `logging.basicConfig(level=INFO)` as it is
    imported, and every library's INFO messages (WeasyPrint's progress…) would then be printed on
    the standard error. Imported when first needed: with s3fs and aiobotocore, ocfl-py takes
    0.3 s to import, which only the commands that read an object pay."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from ocfl.validation_logger import ValidationLogger
        from ocfl.validator import Validator
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return Validator, ValidationLogger


def _lines(code: str, args: dict, message: str, regular: set[str], inventory_text: str | None) -> set[str]:
    """One error of the validator as the lines `verify` prints: in the words of a bag's
    verification where there are such words, else in the validator's own (code included)."""
    if code == "E092a":
        return {f"altered: {args['content_path']}"}
    if code == "E092b":
        return {f"missing: {args['content_path']}"}
    if code == "E023a":  # the validator names them all in one line: name each from the listing
        listed = {path for paths in json.loads(inventory_text)["manifest"].values() for path in paths}
        extra = {name for name in regular if re.match(r"v\d+/", name) and name.split("/")[1] == CONTENT} - listed
        return {f"extra: {printable(name)}" for name in extra}
    if code in ("E001a", "E001b", "E001c"):
        return {f"extra: {printable(str(next(iter(args.values()))))}"}
    if code == "E046b":
        return {f"extra: {args['dir']} (a version folder the inventory does not list)"}
    if code == "E003a":
        return {f"missing: {OBJECT_DECLARATION}"}
    if code in ("E058a", "E063"):
        return {f"missing: {args.get('path', INVENTORY)}"}
    if code == "E060":
        return {f"altered: {args['inv_file']} or {args['inv_digest_file']} (the digest in it does not match)"}
    if code == "E064":
        return {f"altered: {args['root_inv_file']} or {args['inv_file']} (they must be the same)"}
    if code == "E033":
        return {f"malformed: {_inventory_of(args['where'])}: not JSON ({args['explanation']})"}
    if code == "E010":
        return {f"malformed: {_inventory_of(args['where'])}: its versions do not follow one another (v1, v2, …)"}
    if code == "E061":
        return {f"malformed: {args['description']}"}
    words = re.sub(r" \(see https?://\S+\)$", "", message)
    return {f"invalid: {printable(words)}"}


def _inventory_of(where: str) -> str:
    return INVENTORY if where == "root" else f"{where}/{INVENTORY}"


KINDS_ORDER = ("malformed", "missing", "extra", "altered", "invalid")


def _order(line: str) -> tuple[int, str]:
    kind = line.split(":", 1)[0]
    return (KINDS_ORDER.index(kind) if kind in KINDS_ORDER else len(KINDS_ORDER), line)
