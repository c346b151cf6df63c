"""Rebuilds: nothing changed means nothing written; a change rebuilds only the outputs it
affects; `edition watch` rebuilds on a save and survives a broken one. On the mini-edition: what
is checked is the tool's, not this edition's."""

from __future__ import annotations

import gc
import os
import pty
import queue
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from edition.build import Warm, build
from edition.keeping import record
from edition.layout import pdf
from edition.project import Project
from edition.watch import watch
from tests.edits import edit
from tests.keeping.test_record import no_layout  # noqa: F401 (a fixture)
from tests.mini import EDITION, EPUB, FIRST_PARAGRAPH, PDF, essay


@pytest.fixture
def copy(mini_copy: Project) -> Project:
    """The built mini-edition, outputs and build record included, for one test to change."""
    return mini_copy


def snapshot(project: Project, proof: bool = False) -> dict[str, tuple[int, bytes]]:
    """The modification time and bytes of every file in dist/ (the outputs, the build record, its
    lock), the proof left out unless `proof`."""
    paths = sorted(path for path in project.dist_dir.iterdir() if proof or not path.name.endswith("-proof.pdf"))
    return {path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in paths}


def test_without_source_date_epoch_the_outputs_carry_the_edition_s_date(mini_built: Path):
    """The README's promise: the date in source/edition.xml, on every machine and every day."""
    day = EDITION.date  # the mini-edition's: a whole day
    with zipfile.ZipFile(mini_built / "dist" / EPUB) as epub:
        assert {entry.date_time[:3] for entry in epub.infolist()} == {tuple(int(part) for part in day.split("-"))}
        assert f'<meta property="dcterms:modified">{day}T00:00:00Z</meta>' in epub.read("EPUB/content.opf").decode()
    with pikepdf.open(mini_built / "dist" / PDF) as document, document.open_metadata() as xmp:
        stamp = f"D:{day.replace('-', '')}000000"
        assert str(document.docinfo["/CreationDate"]).startswith(stamp)
        assert str(document.docinfo["/ModDate"]).startswith(stamp)
        assert xmp["xmp:CreateDate"].startswith(day) and xmp["xmp:ModifyDate"].startswith(day)


def test_a_build_that_lays_nothing_out_does_not_load_weasyprint(copy: Project):
    """Loading WeasyPrint alone takes about a second: the editor's no-op and EPUB-only builds
    would wait for it."""
    script = (
        "import sys; from pathlib import Path; from edition.build import build; from edition.project import Project; "
        f"print([p.name for p in build(Project(Path({str(copy.root)!r}))).written], 'weasyprint' in sys.modules)"
    )

    def run() -> str:
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout

    assert run() == "[] False\n"
    edit(copy.styles_dir / "ereader.css", "/*", "/* changed */\n/*")
    assert run() == f"[{EPUB!r}] False\n"


def test_a_new_layout_that_moves_no_page_is_kept_for_the_next_build(copy: Project, monkeypatch: pytest.MonkeyPatch):
    """An EPUB-only build after a print style changes lays the print edition out to find its page
    starts; when they have not moved, it writes nothing, but the next build must not lay out again."""
    edit(copy.styles_dir / "print.css", "color: #555;", "color: #444;")
    report = build(copy, formats=("epub",))
    assert report.written == [] and [path.name for path in report.unchanged] == [EPUB]

    def refuse(*args, **kwargs):
        raise AssertionError("the print edition was laid out again")

    monkeypatch.setattr(pdf, "layout", refuse)
    assert build(copy, formats=("epub",)).written == []


def test_a_changed_tool_rebuilds_both(copy: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(record, "tool_key", lambda: "another version of the tool")
    assert [path.name for path in build(copy).written] == [PDF, EPUB]


@pytest.mark.usefixtures("no_layout")
def test_an_output_changed_since_it_was_written_is_written_again(copy: Project):
    (copy.dist_dir / EPUB).write_bytes(b"not an EPUB")
    assert [path.name for path in build(copy).written] == [EPUB]
    assert (copy.dist_dir / EPUB).read_bytes() != b"not an EPUB"


def test_an_unreadable_build_record_means_a_full_build(copy: Project):
    (copy.dist_dir / ".edition-build.json").write_text("{ not json")
    assert [path.name for path in build(copy).written] == [PDF, EPUB]
    assert [path.name for path in build(copy).unchanged] == [PDF, EPUB]


def test_a_warm_rebuild_after_an_edit_gives_the_bytes_of_a_cold_build(copy: Project, tmp_path: Path):
    warm = Warm()
    build(copy, formats=("pdf",), out_dir=tmp_path / "warm", warm=warm)
    edit(essay(copy), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " Indeed,")
    build(copy, formats=("pdf",), out_dir=tmp_path / "warm", warm=warm)
    build(copy, formats=("pdf",), out_dir=tmp_path / "cold")
    assert (tmp_path / "warm" / PDF).read_bytes() == (tmp_path / "cold" / PDF).read_bytes()


def test_a_proof_is_the_pdf_s_pages_and_touches_neither_the_outputs_nor_the_record(copy: Project):
    """`edition watch` writes a proof after each save; the archival files when asked."""
    before = snapshot(copy)
    warm = Warm()
    report = build(copy, warm=warm, proof=True)
    (proof,) = report.written
    assert proof.name == PDF.replace(".pdf", "-proof.pdf") and report.unchanged == []
    assert snapshot(copy) == before  # the outputs and the build record
    assert characters(proof) == characters(copy.dist_dir / PDF)  # text, places, faces, sizes
    assert build(copy, warm=warm, proof=True).unchanged == [proof]  # the same inputs: nothing written
    edit(essay(copy), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " Indeed,")
    assert build(copy, warm=warm, proof=True).written == [proof]
    assert "Indeed," in text_of(proof) and "Indeed," not in text_of(copy.dist_dir / PDF)
    assert build(copy, warm=warm).written == [copy.dist_dir / PDF, copy.dist_dir / EPUB]
    assert characters(proof) == characters(copy.dist_dir / PDF)


def characters(path: Path) -> list[list[tuple[str, float, float, float]]]:
    """Each page's characters as drawn: text, place and size (pdfplumber reads the file anew)."""
    with pdfplumber.open(path) as document:
        return [
            [(c["text"], round(c["x0"], 2), round(c["top"], 2), round(c["size"], 2)) for c in page.chars]
            for page in document.pages
        ]


def text_of(path: Path) -> str:
    return "".join(character for page in characters(path) for character, *_ in page)


class Watcher:
    """`edition watch` in a process of its own, its output read line by line as it comes."""

    def __init__(self, project: Project, *options: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "edition", "--project", str(project.root), "watch", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "CI": "true"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, seconds: float = 240) -> list[str]:
        """The lines printed from now up to the first that contains `text`."""
        start, deadline = len(self.printed), time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.printed.append(self.lines.get(timeout=1))
            except queue.Empty:
                continue
            if text in self.printed[-1]:
                return self.printed[start:]
        raise AssertionError(f"no {text!r} from edition watch; it printed:\n" + "\n".join(self.printed))

    def stop(self) -> list[str]:
        """End it as `kill` would, and what it printed from now on."""
        self.process.terminate()
        self.process.wait(30)
        self.reader.join(10)  # it has read to the end
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return rest


def test_watch_rebuilds_on_a_save_reports_a_broken_save_and_carries_on(copy: Project):
    watcher = Watcher(copy, "--format", "epub")
    try:
        assert f"dist/{EPUB} is up to date" in watcher.wait_for("watching")
        paragraph = FIRST_PARAGRAPH + " Indeed, tbe"
        edit(essay(copy), FIRST_PARAGRAPH, paragraph)
        printed = watcher.wait_for("watching")
        assert f"wrote dist/{EPUB}" in printed
        # the editor's assistant, after the save: the suspect the save brought, and nothing older
        assistant = [line for line in printed if ": S0" in line or ": M0" in line]
        assert assistant == ["source/ames-2001.xml:27:58: S003 'tbe' may be 'the'"], printed
        edit(essay(copy), paragraph, paragraph + "<p>")
        printed = watcher.wait_for("watching")
        assert any(" E002 " in line for line in printed), printed
        assert watcher.process.poll() is None
        edit(essay(copy), paragraph + "<p>", FIRST_PARAGRAPH)
        assert f"wrote dist/{EPUB}" in watcher.wait_for("watching")
    finally:
        watcher.stop()


def test_a_build_on_a_terminal_shows_its_progress_and_in_ci_does_not(copy: Project):
    edit(copy.styles_dir / "print.css", "color: #555;", "color: #444;")  # so that it lays out
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "edition", "build", "--format", "pdf"],
        cwd=copy.root, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=environment,
    )  # fmt: skip
    os.close(terminal)
    shown = b""
    while chunk := _read(main):
        shown += chunk
    assert process.wait(60) == 0
    # The mini-edition lays a part out faster than the status line redraws: some part's line shows,
    # and the PDF's, which takes longer.
    assert re.search(rb"laid out [a-z0-9-]+: part [1-5] of 5", shown), shown
    assert b"writing the PDF" in shown
    assert b"wrote dist/" + PDF.encode() in shown

    edit(copy.styles_dir / "print.css", "color: #444;", "color: #555;")
    logged = subprocess.run(
        [sys.executable, "-m", "edition", "build", "--format", "pdf"],
        cwd=copy.root, capture_output=True, text=True, env=environment, check=True,
    )  # fmt: skip
    assert "laid out" not in logged.stdout + logged.stderr and "\x1b" not in logged.stdout


def _read(descriptor: int) -> bytes:
    """What the terminal shows next; nothing once the program has closed it."""
    try:
        return os.read(descriptor, 65536)
    except OSError:  # EIO: the other end is closed
        return b""


def test_watch_writes_a_proof_after_each_save_and_the_archival_files_when_it_stops(copy: Project):
    proof = copy.dist_dir / PDF.replace(".pdf", "-proof.pdf")
    watcher = Watcher(copy)
    try:
        started = watcher.wait_for("watching")
        assert f"dist/{PDF} is up to date" in started and any(f"wrote dist/{proof.name} in" in line for line in started)
        archived = snapshot(copy)
        edit(essay(copy), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " Indeed,")
        saved = watcher.wait_for("watching")
        assert any(
            re.match(rf"wrote dist/{re.escape(proof.name)} in [0-9.]+ s \(\d+ pages? laid out anew", line)
            for line in saved
        )
        assert "Indeed," in text_of(proof) and snapshot(copy) == archived  # the archival files wait
        edit(essay(copy), FIRST_PARAGRAPH, FIRST_PARAGRAPH + "<p>")
        broken = watcher.wait_for("watching")
        assert any(" E002 " in line for line in broken) and "Indeed," in text_of(proof)
        edit(essay(copy), FIRST_PARAGRAPH + "<p>", FIRST_PARAGRAPH)
        watcher.wait_for("watching")
    finally:
        stopped = watcher.stop()
    assert watcher.process.returncode == 0
    assert "writing the archival files before stopping" in stopped and f"wrote dist/{PDF}" in stopped
    assert characters(proof) == characters(copy.dist_dir / PDF)


def test_a_save_through_a_temporary_file_is_reported_as_the_file_it_saves(copy: Project):
    """`sed -i` and many editors write the new text to a temporary file in the same folder and
    move it over the file they save: the watcher names the file saved, not the temporary."""
    calls: list[list[str]] = []
    stop = threading.Event()

    def rebuild(changed: list[str], archival: bool) -> None:
        calls.append(changed)
        if len(calls) == 1:
            temporary = copy.source_dir / "sedAbC123"
            temporary.write_text(essay(copy).read_text().replace(FIRST_PARAGRAPH, FIRST_PARAGRAPH + " Indeed,"))
            os.replace(temporary, essay(copy))
        else:
            stop.set()

    watch(copy, None, rebuild, stop)
    assert calls == [[], [f"source/{essay(copy).name}"]]


def test_a_line_typed_in_the_watcher_s_terminal_asks_for_the_archival_files(copy: Project):
    """The first call builds the archival files, as does each line typed (Enter); a save asks
    for a proof. Between calls, what the last left alive is set aside from the garbage
    collector's scans, and nothing is left so when watching ends."""
    calls: list[tuple[list[str], bool]] = []
    frozen: list[bool] = []  # at each call: whether what the last call left alive is set aside
    read, write = os.pipe()
    stop = threading.Event()

    def rebuild(changed: list[str], archival: bool) -> None:
        calls.append((changed, archival))
        frozen.append(gc.get_freeze_count() > 0)
        if len(calls) == 1:
            os.write(write, b"\n")
        elif len(calls) == 2:
            edit(essay(copy), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " Indeed,")
        else:
            stop.set()

    with os.fdopen(read) as keys:
        watch(copy, None, rebuild, stop, keys)
    os.close(write)
    assert calls == [([], True), ([], True), ([f"source/{essay(copy).name}"], False)]
    assert frozen == [False, True, True] and gc.get_freeze_count() == 0  # see `layout.memory`
