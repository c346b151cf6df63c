"""What the toolchain reports to its user: diagnostics located in a file, and the errors that carry them.

Every stage raises `EditionError` (or `SourceError`, which holds diagnostics) for a problem the
user can fix; `cli` prints them and exits non-zero. Anything else is a bug and may traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place: printed as `file:line:col: CODE message`."""

    path: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


class EditionError(Exception):
    """A problem the user can fix; its message is printed as it is, on one line."""


class DamagedPackage(EditionError):
    """An archived package is damaged (exit 1, like a source problem); the message is one line."""


class SourceError(EditionError):
    """The sources have problems; each is a diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def display_path(path: Path, root: Path) -> str:
    """The path as the user should see it: relative to the project when it is inside it."""
    try:  # realpath, not resolve: a loop of symlinks is shown as it is (the gate says what it is)
        return str(Path(os.path.realpath(path)).relative_to(Path(os.path.realpath(root))))
    except ValueError:
        return str(path)
