"""The editor's loop: the time from a save to a fresh proof PDF on disk, against a running
`edition watch`.

The project's sources and styles are copied into a temporary folder, and `edition watch` runs
there in a process of its own. The scripted edits (`EDITS`: words and phrases added, replaced
and deleted in both essays, identifications in the register, a note of commentary) are saved
one after another, as in an editing session, each after the watcher has reported the last and a
pause in which an editor looks at the page; then, shown apart (`APART`), the saves that renumber
what follows them: a new paragraph, a deleted paragraph, a new note of commentary, and a passage
that adds a page to the first essay. Each is timed from the moment its file is written to the
moment the proof PDF is replaced on disk (a new file moved into place: a new inode), polled
every 2 ms; it must have written the proof, not reported a problem. (A new note of commentary
takes two saves, the note and then its anchor in the essay: only the second is timed.)
"""

from __future__ import annotations

import os
import queue
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from measure import PipelineError

PAUSE = 1.0  # seconds between the watcher's report of one save and the next save
POLL = 0.002
TIMEOUT = 300.0
W, F, R, C = "weissman-1988.xml", "filtzer-1998.xml", "register.xml", "commentary.xml"
NEW = "<p>The added paragraph stands here so that the layout must make room for it, and it goes on for some lines.</p>"


@dataclass(frozen=True)
class Edit:
    """A save: in `source/<file>`, the first `old` replaced by `new`; after `first`, a save
    made before it and not timed, if there is one."""

    name: str
    file: str
    old: str
    new: str
    first: Edit | None = None


EDITS = [
    Edit("Weissman: a word added", W, "affected the lives of millions", "affected the daily lives of millions"),
    Edit(
        "Filtzer: a phrase added",
        F,
        "during the past fifteen years—offer us",
        "during the past fifteen years, and then only slowly—offer us",
    ),
    Edit(
        "register: an identification reworded (a note in Filtzer)",
        R,
        "Croatian communist in the USSR 1926–35;",
        "Croatian communist who lived in the USSR from 1926 to 1935;",
    ),
    Edit("Weissman: a phrase replaced", W, "This can be attributed partially to", "This can be attributed in part to"),
    Edit(
        "commentary: a note reworded",
        C,
        "He spent 1918 interned in France",
        "He spent 1918 interned in a French camp",
    ),
    Edit(
        "register: an identification lengthened (a note in Weissman)",
        R,
        "replaced requisitioning with a tax in kind",
        "replaced the requisitioning of grain with a tax in kind",
    ),
    Edit(
        "Filtzer: a word added",
        F,
        "Western socialists—at least middle-aged non-Stalinists",
        "Western socialists—at least the middle-aged non-Stalinists",
    ),
    Edit("Weissman: a phrase deleted", W, "in order to meet quantity quotas, ", ""),
]
# Measured after them and shown apart, not in the median or the longest (`APART`): the saves the
# issue's second target is for (issue 26). A new or deleted paragraph numbers every later
# paragraph anew, and a new note letters every later note anew, so the rest of its essay, the
# register's places and the note on the text print differently and are laid out again, whatever
# the tool.
RENUMBERING = Edit(
    "Weissman: a new paragraph (every later ¶ renumbered)",
    W,
    "      <p>This produced a very high rate",
    f"      {NEW}\n      <p>This produced a very high rate",
)
DELETED = Edit(
    "Weissman: a paragraph deleted (every later ¶ renumbered)",
    W,
    '      <p>In this one episode <persName ref="#serge">Serge</persName> expressed the basic contradiction of a'
    " regime that manifestly fears the proletariat because it has usurped their political power. The same pattern"
    " of regime response to strikes can be seen today.</p>\n",
    "",
)
# The note first, which the watcher reports as pointing at no anchor; then, timed, its anchor.
NOTE_FIRST = Edit(
    "commentary: a note written (no anchor yet)",
    C,
    "    </listAnnotation>",
    '      <note xml:id="c-weissman-relationship" type="commentary" target="#weissman-c-relationship">A note of'
    " commentary added while the proof is open, long enough to take two or three lines at the foot of the"
    " page.</note>\n    </listAnnotation>",
)
NEW_NOTE = Edit(
    "Weissman: a new note of commentary (every later note's letter changes)",
    W,
    "without accurate information to assess the real possibility of carrying them out;",
    'without accurate information to assess the real possibility of carrying them out<anchor xml:id="weissman-c-'
    'relationship"/>;',
    first=NOTE_FIRST,
)
# A page more in Filtzer's review, in a paragraph (no ¶ renumbered): Weissman's essay and the back
# matter start two pages later, and the register prints other pages for the places after the edit.
A_PAGE = Edit(
    "Filtzer: a page added (Weissman and the back matter start two pages later)",
    F,
    "these authors do not transcend their own experiences",
    (NEW.removeprefix("<p>").removesuffix("</p>") + " ") * 30 + "these authors do not transcend their own experiences",
)
APART = [RENUMBERING, DELETED, NEW_NOTE, A_PAGE]


def bench_loop(root: Path, work: Path, edition_command: str) -> dict:
    """The time from each save in `EDITS` to the fresh proof, and their median and maximum."""
    project = work / "loop"
    for folder in ("source", "styles"):
        shutil.copytree(root / folder, project / folder)
    watcher = _Watcher([edition_command, "--project", str(project), "watch"], project)
    try:
        watcher.wait_for("watching")
        (proof,) = (project / "dist").glob("*-proof.pdf")
        rows = [_time_save(watcher, project / "source" / edit.file, edit, proof) for edit in EDITS]
        apart = [_time_save(watcher, project / "source" / edit.file, edit, proof) for edit in APART]
    finally:
        watcher.stop()
    seconds = [row["seconds"] for row in rows]
    return {
        "edits": rows,
        "median": statistics.median(seconds),
        "max": max(seconds),
        "apart": apart,
        "pause": PAUSE,
    }


def _time_save(watcher: _Watcher, path: Path, edit: Edit, proof: Path) -> dict:
    if edit.first:
        time.sleep(PAUSE)
        first = path.parent / edit.first.file
        first.write_text(_edited(first, edit.first), encoding="utf-8")
        watcher.wait_for("watching")
    time.sleep(PAUSE)
    text = _edited(path, edit)
    before = _identity(proof)
    start = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    deadline = start + TIMEOUT
    while _identity(proof) == before:
        if time.perf_counter() > deadline:
            raise PipelineError(f"no proof {TIMEOUT:.0f} s after the edit {edit.name!r}:\n{watcher.said()}")
        time.sleep(POLL)
    seconds = time.perf_counter() - start
    printed = watcher.wait_for("watching")
    wrote = [line for line in printed if line.startswith("wrote") and "-proof.pdf" in line]
    if not wrote:
        raise PipelineError(f"the edit {edit.name!r} wrote no proof:\n" + "\n".join(printed))
    return {"name": edit.name, "seconds": seconds, "watcher_said": wrote[0]}


def _edited(path: Path, edit: Edit) -> str:
    """The text of `path` with `edit` made."""
    text = path.read_text(encoding="utf-8")
    if edit.old not in text:
        raise PipelineError(f"the edit {edit.name!r} finds no {edit.old!r} in {path.name}")
    return text.replace(edit.old, edit.new, 1)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


class _Watcher:
    """`edition watch` in a process of its own, its output read line by line as it comes."""

    def __init__(self, command: list[str], cwd: Path):
        self.process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "CI": "1"}
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> list[str]:
        """The lines printed from now up to the first that contains `text`."""
        start, deadline = len(self.printed), time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                self.printed.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                continue
            if text in self.printed[-1]:
                return self.printed[start:]
        raise PipelineError(f"no {text!r} from edition watch:\n{self.said()}")

    def said(self) -> str:
        return "\n".join(self.printed[-20:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(120)
        except subprocess.TimeoutExpired:
            self.process.kill()
