"""An editor's change to a copy of a project's file, for the tests that need one."""

from __future__ import annotations

import os
from pathlib import Path


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file with `new`; `old` must be there. Saved as an editor
    saves, whole: written beside the file and renamed over it, so that a watcher woken between
    a truncation and a write never reads an empty or half-written file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    beside = path.with_name(f"{path.name}~")  # a name watchfiles ignores, as an editor's backup
    beside.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(beside, path)
