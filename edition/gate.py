"""The gate between the tool and the file system: nothing from outside the project gets in, and
nothing half-written gets out.

`inside_project` is called before a project file is read, hashed or copied. It follows symlinks
and accepts the file only if what they lead to is a regular file inside the project: a symlink to
/etc/passwd, a path with `..`, a FIFO that would block the reader, a device, a folder or a missing
file is refused with one line naming the path and why (an `EditionError`: exit 2), before anything
is laid out. Files that nothing reads are not looked at.

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


def inside_project(path: Path, root: Path) -> Path:
    """`path` with its symlinks resolved, if that is a regular file inside `root`; else
    `EditionError`, whose one-line message names the path (relative to `root`) and why."""
    shown = _shown(path, root)
    try:
        resolved = path.resolve(strict=True)
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        raise EditionError(f"{shown}: file not found (or a symlink to nothing)") from None
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python 3.11, 3.12)
        raise EditionError(f"{shown}: cannot be read: {getattr(error, 'strerror', None) or error}") from None
    if not resolved.is_relative_to(root.resolve()):
        raise EditionError(
            f"{shown}: refused: it resolves to {printable(str(resolved))}, outside the project; "
            "only the project's own files are read"
        )
    if not stat.S_ISREG(mode):
        kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise EditionError(f"{shown}: refused: it is {kind}, not a regular file")
    return resolved


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
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return printable(str(Path(os.path.normpath(absolute)).relative_to(root.resolve())))
    except ValueError:
        return printable(str(path))


# Writing. Every output, record and package is written through these: whole or not at all, and
# one writer at a time in a folder.
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
            mode = entry.stat(follow_symlinks=False).st_mode
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
