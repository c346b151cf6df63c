"""The one gate through which a project file is read: nothing from outside the project gets in.

`inside_project` is called before a project file is read, hashed or copied. It follows symlinks
and accepts the file only if what they lead to is a regular file inside the project: a symlink to
/etc/passwd, a path with `..`, a FIFO that would block the reader, a device, a folder or a missing
file is refused with one line naming the path and why (an `EditionError`: exit 2), before anything
is laid out. Files that nothing reads are not looked at.
"""

from __future__ import annotations

import errno
import os
import stat
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
