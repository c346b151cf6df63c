"""The one gate through which a project file is read: nothing from outside the project gets in.

`inside_project` is called before a project file is read, hashed or copied. It follows symlinks
and accepts the file only if what they lead to is a regular file inside the project: a symlink to
/etc/passwd, a FIFO that would block the reader, a device, a folder or a missing file is refused
with a message naming the path and why (an `EditionError`: exit 2, one line).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import EditionError

KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}  # fmt: skip


def inside_project(path: Path, root: Path) -> Path:
    """`path` with its symlinks resolved, if that is a regular file inside `root`; else
    `EditionError`, whose one-line message names the path (relative to `root`) and why."""
    shown = printable(os.path.relpath(path, root))
    try:
        resolved = path.resolve(strict=True)
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        raise EditionError(f"{shown}: no such file (or a symlink to nothing)") from None
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python 3.11, 3.12)
        raise EditionError(f"{shown}: cannot be read: {getattr(error, 'strerror', None) or error}") from None
    if not resolved.is_relative_to(root.resolve()):
        raise EditionError(
            f"{shown}: refused: it is a symlink to {printable(str(resolved))}, outside the project; "
            "only the project's own files are read"
        )
    if not stat.S_ISREG(mode):
        kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise EditionError(f"{shown}: refused: it is {kind}, not a regular file")
    return resolved


def printable(text: str) -> str:
    """`text` on one line: control characters, and bytes that were not UTF-8, escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
