"""The gate between the tool and the file system: nothing from outside the project gets in, and
nothing half-written gets out.

`inside_project` is called before a project file is read, hashed or copied. It follows symlinks
and accepts the file only if what they lead to is a regular file inside the project: a symlink to
/etc/passwd, a path with `..`, a FIFO that would block the reader, a device, a folder, a loop of
symlinks or a missing file is refused with one line naming the path and why (an `EditionError`:
exit 2), before anything is laid out; so is a file over the size limit its reader gives.
`read_inside` reads such a file, and `read_named` a file the user named on the command line (a
reader profile), which may be outside the project but is then read only if it is itself a regular
file. Files that nothing reads are not looked at.

Outputs go only where they say: `output_folder` refuses an output folder inside the project (dist/,
the archive folder) that a symlink leads out of it, and `output_file` an output's name that is not
one plain file name in its folder, before anything is written.

Every output, build record and archive package is written through `write_atomically` (beside its
destination, then moved into place whole) into a folder whose lock the writer holds
(`writing_to`), which also removes what a killed run of ours left there.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import EditionError

KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}  # fmt: skip


def inside_project(path: Path, root: Path, limit: int | None = None, what: str = "a file") -> Path:
    """`path` with its symlinks resolved, if that is a regular file inside `root` (of at most
    `limit` bytes, if given: `what` names such a file in the message); else `EditionError`, whose
    one-line message names the path (relative to `root`) and why."""
    shown = _shown(path, root)
    try:
        # Equivalent mutants: strict=False, whose path to nothing the next line's stat() refuses
        # with the same FileNotFoundError (a loop of symlinks raises either way).
        resolved = path.resolve(strict=True)  # pragma: no mutate
        status = resolved.stat()
    except FileNotFoundError:
        raise EditionError(f"{shown}: file not found (or a symlink to nothing)") from None
    except RuntimeError:  # a symlink loop, as Python 3.11 and 3.12 report it (later ones: ELOOP)
        raise EditionError(f"{shown}: refused: it is a loop of symlinks") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise EditionError(f"{shown}: refused: it is a loop of symlinks") from None
        raise EditionError(f"{shown}: cannot be read: {error.strerror or error}") from None
    if not resolved.is_relative_to(root.resolve()):
        raise EditionError(
            f"{shown}: refused: it resolves to {printable(str(resolved))}, outside the project; "
            "only the project's own files are read"
        )
    _check_file(shown, status, limit, what)
    return resolved


def read_inside(path: Path, root: Path, limit: int, what: str) -> bytes:
    """The bytes of a project file that `inside_project` lets through with this `limit`."""
    return _read_bounded(inside_project(path, root, limit, what), _shown(path, root), limit, what)


def read_named(path: Path, root: Path, limit: int, what: str) -> bytes:
    """The bytes of a file the user named on the command line (a reader profile). Inside the
    project, as written, it is read as the project's files are (`read_inside`); outside it, the
    user chose it, so it is read, but only if it is itself a regular file of at most `limit`
    bytes: not a symlink (one that leads to a system file is the hostile case, and cannot be told
    from another), a FIFO, a device or a folder."""
    absolute = Path(os.path.abspath(path))
    if absolute.is_relative_to(root.absolute()) or absolute.is_relative_to(root.resolve()):
        return read_inside(path, root, limit, what)
    shown = printable(str(path))
    try:
        status = absolute.lstat()
    except FileNotFoundError:
        raise EditionError(f"{shown}: file not found") from None
    except OSError as error:
        raise EditionError(f"{shown}: cannot be read: {error.strerror or error}") from None
    if stat.S_ISLNK(status.st_mode):
        raise EditionError(
            f"{shown}: refused: it is a symlink; outside the project only a regular file is read, "
            "so name the file it leads to"
        )
    _check_file(shown, status, limit, what)
    return _read_bounded(absolute, shown, limit, what)


def _check_file(shown: str, status: os.stat_result, limit: int | None, what: str) -> None:
    """A regular file, of at most `limit` bytes; else `EditionError` saying what it is."""
    if not stat.S_ISREG(status.st_mode):
        # Equivalent mutants of the default: no file that stat() or lstat() gives here is of a
        # kind KINDS lacks (a symlink is resolved or refused before), so it is never used.
        kind = KINDS.get(stat.S_IFMT(status.st_mode), "not a regular file")  # pragma: no mutate
        raise EditionError(f"{shown}: refused: it is {kind}, not a regular file")
    if limit is not None and status.st_size > limit:
        raise _too_large(shown, status.st_size, limit, what)


def _too_large(shown: str, size: int, limit: int, what: str) -> EditionError:
    return EditionError(
        f"{shown}: refused: it has {size:,} bytes; {what} may have at most {limit:,} (the README says why)"
    )


def _read_bounded(path: Path, shown: str, limit: int, what: str) -> bytes:
    """At most `limit` bytes of the regular file `path`, opened so that nothing else is (not
    through a symlink, not a FIFO); a file that grew past `limit` since it was looked at is refused."""
    try:
        # (Mutants of `buffering` survive, equivalent: a buffered read of `limit + 1` bytes gives
        # the same bytes. The line's other mutants, the opener's, matter.)
        with open(path, "rb", buffering=0, opener=regular_file_opener) as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise EditionError(f"{shown}: cannot be read: {error.strerror or error}") from None
    if len(data) > limit:
        raise _too_large(shown, len(data), limit, what)
    return data


def regular_file_opener(path: str, flags: int) -> int:
    """An `open(…, opener=…)` that opens `path` only if it is a regular file itself: not a
    symlink (O_NOFOLLOW), and not a FIFO, which would block (O_NONBLOCK, then a check of what
    was opened)."""
    descriptor = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(errno.EINVAL, "not a regular file", path)
    return descriptor


def printable(text: str) -> str:
    """`text` on one line: control characters, and bytes that were not UTF-8, escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _shown(path: Path, root: Path) -> str:
    """The path as the user knows it: relative to the project where it is inside it."""
    # (The mutant `path.is_absolute() and False` survives, equivalent: the working folder joined
    # to an absolute path is that path. The line's other mutant matters.)
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return printable(str(Path(os.path.normpath(absolute)).relative_to(root.resolve())))
    except ValueError:
        return printable(str(path))


# Writing. Every output, record and package is written through these: whole or not at all, and
# one writer at a time in a folder; and only where it says.
def output_folder(folder: Path, root: Path) -> Path:
    """`folder`, the place a build or an archive is about to write to, if writing there stays
    where it says: a folder inside the project as written (dist/, dist/archive/) must still be
    inside it once its symlinks are resolved, or the project would write, and read back, files
    outside itself; a folder the user named outside the project (`--out`, `--into`) is theirs.
    Else `EditionError`, before anything is written."""
    absolute = Path(os.path.abspath(folder))
    if not (absolute.is_relative_to(root.absolute()) or absolute.is_relative_to(root.resolve())):
        return folder
    real = Path(os.path.realpath(absolute))
    if not real.is_relative_to(root.resolve()):
        raise EditionError(
            f"{_shown(absolute, root)}: refused: it resolves to {printable(str(real))}, outside the project; "
            "outputs are written inside the project, or into a folder named outside it"
        )
    return folder


# An output's name, with the `.<name>.<random>.part` that `write_atomically` makes of it, must fit
# in a file name (255 bytes on every file system the tool runs on).
LONGEST_NAME = 240


def output_file(folder: Path, name: str) -> Path:
    """`folder / name`, if `name` is one plain file name: no separator, not `.` or `..`, not
    hidden (our temporary files and notes are), no NUL, and short enough to be written; else
    `EditionError`. A name made from the sources (a slug, a version) thus never leaves the
    output folder."""
    plain = (
        # Equivalent mutants: "." and ".." are hidden names too, refused on the next line.
        name not in ("", ".", "..")  # pragma: no mutate
        and not name.startswith(".")
        and "/" not in name
        and "\0" not in name
        and len(os.fsencode(name)) <= LONGEST_NAME
    )
    if not plain:
        raise EditionError(
            f"refused to write {printable(repr(name))}: an output is written in its folder {printable(str(folder))}, "
            "under one plain file name"
        )
    return folder / name


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that `target` is either the old file or the whole new one."""
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            # (Mutants of `missing_ok` survive, equivalent: until it is moved into place, which
            # raises nothing after it, the temporary is there.)
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise EditionError(f"cannot write {target}: {error.strerror}") from None


# The notes a build keeps beside its outputs: the record of what they were made of, and the lock.
RECORD_FILE = ".edition-build.json"
LOCK_FILE = ".edition-build.lock"
# The temporary files `write_atomically` makes for an output or the record, and the folders
# `archive` stages a package in: `.<name>.<8 random characters>.part` (tempfile's pattern).
TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.part")
OURS = re.compile(r".+\.(pdf|epub)|" + re.escape(RECORD_FILE))


@contextmanager
def writing_to(folder: Path, busy: str, staging: bool = False) -> Iterator[None]:
    """Hold `folder`'s lock while the body writes there, having removed what a killed run left
    there (`remove_stale_temporaries`); if another process holds it, `EditionError(busy)`. The
    lock goes with the process, however it ends."""
    try:
        descriptor = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise EditionError(f"cannot write to the output folder {folder}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EditionError(busy) from None
        remove_stale_temporaries(folder, staging)
        yield
    finally:
        os.close(descriptor)


def remove_stale_temporaries(folder: Path, staging: bool = False) -> list[str]:
    """Remove, from `folder` only, what an interrupted run of ours left there: the temporary
    files of an output or of the build record (`.<name>.pdf.<random>.part`, `.epub`,
    `.edition-build.json`), or with `staging` the folders a package is staged in
    (`.<slug>-<version>.<random>.part/`). Called with the folder's lock held, so that no run
    is writing them. The names removed."""
    removed = []
    for entry in os.scandir(folder):
        match = TEMPORARY.fullmatch(entry.name)
        if not match:
            continue
        try:
            # Equivalent mutant: follow_symlinks=None is false, as False is.
            mode = entry.stat(follow_symlinks=False).st_mode  # pragma: no mutate
            if staging and stat.S_ISDIR(mode):
                shutil.rmtree(entry.path)
            elif not staging and stat.S_ISREG(mode) and OURS.fullmatch(match["name"]):
                os.unlink(entry.path)
            else:
                continue
        except OSError:  # not ours to remove after all, or already gone: it does no harm
            continue
        removed.append(entry.name)
    return removed
