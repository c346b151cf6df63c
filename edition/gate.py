"""The gate every file the tool reads passes through: it must be a regular file inside the project.

A symlink, `..` or an include may point anywhere on the machine; what resolves outside the
project (after symlinks) or is not a regular file (a folder, a device, a pipe) is refused with
one line naming the path and why, before anything is laid out.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import EditionError


def inside_project(path: Path, root: Path) -> Path:
    """`path` resolved, if it is a regular file inside `root`; otherwise `EditionError`."""
    root = root.resolve()
    shown = _shown(path, root)
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise EditionError(f"{shown}: file not found") from None
    except (OSError, RuntimeError) as error:  # a symlink loop, a permission
        raise EditionError(f"{shown}: cannot be read: {getattr(error, 'strerror', None) or error}") from None
    if not resolved.is_relative_to(root):
        raise EditionError(f"{shown}: refused: it resolves to {resolved}, outside the project")
    if resolved.is_dir():
        raise EditionError(f"{shown}: is a folder, not a file")
    if not resolved.is_file():
        raise EditionError(f"{shown}: not a regular file")
    return resolved


def check_folder(folder: Path, root: Path) -> None:
    """Every file and link under `folder` stays inside `root` and is a regular file or a folder."""
    if not folder.exists():
        return
    for current, folders, files in os.walk(folder, followlinks=False):
        for name in [*folders, *files]:
            path = Path(current) / name
            if path.is_symlink() and path.is_dir():
                resolved = path.resolve()
                if not resolved.is_relative_to(root.resolve()):
                    raise EditionError(f"{_shown(path, root)}: refused: it resolves to {resolved}, outside the project")
            elif not path.is_dir() or path.is_symlink():
                inside_project(path, root)


def _shown(path: Path, root: Path) -> str:
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return str(Path(os.path.normpath(absolute)).relative_to(root.resolve()))
    except ValueError:
        return str(path)
