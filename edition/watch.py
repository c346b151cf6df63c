"""`edition watch`: build, then build again after every save, in one long-lived process.

The process keeps WeasyPrint imported and its typesetter warm (`build.Warm`): fonts and
stylesheets read once, and every part of the print edition whose HTML did not change reused as
laid out. So the time from a save to a fresh PDF is the layout of what the save changed, and
writing the files. Watches `source/`, `styles/` and the reader profile; `rebuild` is told which
files changed, and must report a broken save itself, so that watching goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from threading import Event

import watchfiles

from .errors import display_path
from .project import Project


def watch(
    project: Project,
    profile_path: Path | None,
    rebuild: Callable[[list[str]], None],
    stop: Event | None = None,
) -> None:
    """Call `rebuild([])` now, then `rebuild(changed files)` after each save, until `stop` is set
    or the user interrupts."""
    paths = [project.source_dir, project.styles_dir, *([profile_path] if profile_path else [])]
    started = False
    # The first build runs once the watcher is in place (its first timeout), so that a save
    # made during that build is seen; a save during any build is reported when it ends.
    for changes in watchfiles.watch(
        *paths, stop_event=stop, raise_interrupt=False, rust_timeout=200, yield_on_timeout=True
    ):
        if not started or changes:
            rebuild(sorted({display_path(Path(path), project.root) for _, path in changes}))
            started = True
