"""`edition watch`: build, then a proof after every save, in one long-lived process.

The process keeps WeasyPrint imported and its typesetter warm (`build.Warm`): fonts and
stylesheets read once, every part of the print edition whose HTML did not change reused as laid
out, and an edited part laid out again only from the edit to where its pages fall back into step
(`rejoin`). So the time from a save to a fresh proof is the layout of the pages the save changed,
and the proof's writing (`pdf.write_proof`). Watches `source/`, `styles/` and the reader
profile, and the terminal: `rebuild` is told which files changed, or that the archival outputs
are wanted (at the start and when Enter is pressed; `edition watch` builds them once more when
watching stops), and must report a broken save itself, so that watching goes on. Between one
build and the next, what the build left alive is set aside from the garbage collector's scans
(`layout.memory.settled_between_builds`), so that they do not slow the next save.
"""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Event
from typing import TextIO

import watchfiles

from .errors import display_path
from .layout.memory import settled_between_builds
from .project import Project

# Told the files that changed (none: the start, Enter, or the end) and whether the archival
# outputs are wanted.
Rebuild = Callable[[list[str], bool], None]
# How long, in milliseconds, the watcher waits for more changes before it reports a save:
# watchfiles reports changes once a step has passed with no new one, so a save is reported one
# to two steps after it ends (its default step, 50 ms, reported a write 55 ms after it; 10 ms,
# 16 ms after). A save's own changes (a temporary file written, then moved over the file it
# saves) come microseconds apart; a file written in several pieces is reported once its first is,
# whatever the step (watchfiles counts changes, and the same file's count stays at one), and
# its completion is a second save, which builds again.
STEP = 10


def watch(
    project: Project,
    profile_path: Path | None,
    rebuild: Rebuild,
    stop: Event | None = None,
    keys: TextIO | None = None,
) -> None:
    """Call `rebuild([], True)` now, `rebuild(changed files, False)` after each save and
    `rebuild([], True)` for each line read from `keys` (a terminal), until `stop` is set, the
    user interrupts or the process is asked to end (SIGTERM)."""
    paths = [project.source_dir, project.styles_dir, *([profile_path] if profile_path else [])]
    stop = stop or Event()
    started = False
    with _ended_by_sigterm(stop), settled_between_builds() as settle:
        # The first build runs once the watcher is in place (its first timeout), so that a save
        # made during that build is seen; a save during any build is reported when it ends.
        for changes in watchfiles.watch(
            *paths, stop_event=stop, step=STEP, raise_interrupt=False, rust_timeout=200, yield_on_timeout=True
        ):
            if not started or changes:
                rebuild(_saved(changes, project.root), not started)
                started = True
                settle()
            if keys is not None and _line_typed(keys):
                rebuild([], True)
                settle()


def _saved(changes: set[tuple[watchfiles.Change, str]], root: Path) -> list[str]:
    """The files a save changed, as the project shows them: less an editor's temporary file,
    made and gone again within the save (`sed -i` and many editors write the new text to one and
    move it over the file they save)."""
    made = {path for change, path in changes if change == watchfiles.Change.added}
    return sorted({display_path(Path(path), root) for _, path in changes if path not in made or os.path.lexists(path)})


def _line_typed(keys: TextIO) -> bool:
    """Whether a line has been typed on the terminal `keys`; it is read, if so."""
    if not select.select([keys], [], [], 0)[0]:
        return False
    keys.readline()
    return True


@contextmanager
def _ended_by_sigterm(stop: Event) -> Iterator[None]:
    """While in this context, SIGTERM (as from `kill` or a test) sets `stop` instead of ending
    the process at once, so that the archival outputs are written first."""
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def terminal_keys() -> TextIO | None:
    """Standard input, if it is a terminal that a line can be typed on."""
    return sys.stdin if sys.stdin is not None and sys.stdin.isatty() else None
