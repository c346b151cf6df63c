"""The parts that print no page numbers laid out side by side in worker processes
(`layout.parallel`): the same PDF, byte for byte, as one process makes; each worker taking the
next part as it finishes the last; and a worker that fails, or stops without a word, stops the
build with a message."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import weasyprint.document

from edition.build import Warm, build
from edition.ereader import epub
from edition.errors import EditionError
from edition.html import print_parts
from edition.layout import pdf
from edition.layout.parallel import beside, side_by_side


def as_sent(name: str, data: bytes) -> bytes:
    return data


def test_each_worker_takes_the_next_part_as_it_finishes_the_last():
    def lay_out(index: int) -> tuple[bytes, int]:
        time.sleep(0.2 if index == 0 else 0.05)
        return str(os.getpid()).encode(), 1

    laid_out, pages = side_by_side(["a", "b", "c", "d"], 2, lay_out, as_sent)
    assert pages == 4 and laid_out.keys() == {"a", "b", "c", "d"}
    assert laid_out["b"] == laid_out["c"] == laid_out["d"] != laid_out["a"]  # while the first was on "a"


def test_two_workers_make_the_pdf_and_epub_one_process_makes(
    reader_project, reader_book, reader_pdf, reader_epub, tmp_path, monkeypatch
):
    """The course reader of the tests (the mini-edition's essays, on Letter, with a course line
    that the folio sheet lays out), built with two jobs: its parts laid out by the workers, and
    not again here; an essay that follows another renumbered here as soon as both have arrived,
    while the workers are still at work; the PDF the same bytes as the session's, built in one
    process. The register laid out by a worker too, while this process draws the first half of
    the essays' pages for the PDF and another worker the second half, which the PDF does not draw
    again; and the EPUB made by a worker while this process writes the PDF, the same bytes as the
    session's."""
    sent: list[str] = []
    here: list[str] = []  # the parts laid out in this process (a worker's list is its own)
    numbered: list[str] = []  # the parts renumbered here while the workers were at work

    def spied(names, *rest):
        sent.extend(names)
        numbered.append("")  # from here on, the workers are at work
        try:
            return side_by_side(names, *rest)
        finally:
            numbered.append("")

    def lay_out_anew(typesetter, edition, imprint, part, *rest):
        if os.getpid() == main:
            here.append(part.name)
        return laid_out_anew(typesetter, edition, imprint, part, *rest)

    def renumbered(typesetter, edition, imprint, part, first_page, course):
        if numbered.count("") == 1 and part.first_page != first_page:
            numbered.append(next(name for name, kept in typesetter.parts.items() if kept is part))
        return renumbered_as_before(typesetter, edition, imprint, part, first_page, course)

    ahead: list = []  # the pages drawn here while the register is laid out
    by_worker: list = []  # the pages a worker drew meanwhile
    read_back: list = []  # of those, the pages taken here as it drew them (not those with a font not made here)
    drawn: list = []  # every page drawn here, by its page box
    essays_pages: list = []  # the pages drawn ahead, here or in the worker

    def draw_ahead(document, drawings, pages):
        essays_pages.extend(page._page_box for page in document.pages)
        ahead.extend(page._page_box for page in pages)
        return draw_ahead_as_before(document, drawings, pages)

    def drawn_ahead_read(document, drawings, data):
        before = set(drawings.pages)
        by_worker.extend(document.pages[index]._page_box for index, *_ in pickle.loads(data))
        drawn_ahead_read_as_before(document, drawings, data)
        read_back.extend(page._page_box for page in document.pages if page in drawings.pages and page not in before)

    def draw_page(box, stream):
        drawn.append(box)
        return draw_page_as_before(box, stream)

    def build_epub(*args):
        (tmp_path / "epub-made-by").write_text(str(os.getpid()))  # in the worker, if it is one
        return build_epub_as_before(*args)

    main, laid_out_anew, renumbered_as_before = os.getpid(), pdf._lay_out_anew, pdf._renumbered
    build_epub_as_before = epub.build_epub
    monkeypatch.setattr(epub, "build_epub", build_epub)
    draw_ahead_as_before, draw_page_as_before = pdf.draw_ahead, weasyprint.document.draw_page
    drawn_ahead_read_as_before = pdf.drawn_ahead_read
    monkeypatch.setattr(pdf, "draw_ahead", draw_ahead)
    monkeypatch.setattr(pdf, "drawn_ahead_read", drawn_ahead_read)
    monkeypatch.setattr(weasyprint.document, "draw_page", draw_page)
    monkeypatch.setattr(pdf, "side_by_side", spied)
    monkeypatch.setattr(pdf, "_lay_out_anew", lay_out_anew)
    monkeypatch.setattr(pdf, "_renumbered", renumbered)
    profile = reader_project.root / "readers" / "mini.toml"
    build(reader_project, ("pdf", "epub"), tmp_path, profile, Warm(jobs=2))
    essays = [part.name for part in print_parts(reader_book) if part.essay]
    assert set(essays) <= set(sent), "no worker laid them out"
    assert not set(sent) & set(here), "laid out by a worker and again here"
    assert [name for name in numbered if name] == essays[1:], "not renumbered as they arrived"
    assert "register" in sent and "register" not in here
    assert ahead and drawn[: len(ahead)] == ahead, "the essays not drawn while the register was laid out"
    assert by_worker and ahead + by_worker == essays_pages, "the second half not drawn by a worker"
    assert not set(map(id, read_back)) & set(map(id, drawn)), "a page taken from the worker drawn again"
    assert {id(box) for box in by_worker if box not in read_back} <= set(map(id, drawn)), "a page not drawn"
    assert len({id(box) for box in drawn}) == len(drawn), "a page drawn ahead drawn again"
    assert (tmp_path / reader_pdf.name).read_bytes() == reader_pdf.read_bytes()
    assert int((tmp_path / "epub-made-by").read_text()) != main, "the EPUB made here"
    assert (tmp_path / reader_epub.name).read_bytes() == reader_epub.read_bytes()


def test_work_beside_is_done_in_a_worker_while_this_process_does_its_own(tmp_path: Path):
    """`beside`: the work done in another process at the same time as this one's: each waits
    for a sign from the other, in vain if one came after the other; the worker gone as soon as
    its work is sent; a failure on either side the build's, with no worker left behind."""

    def signal_and_wait(give: str, wait_for: str) -> bool:
        (tmp_path / give).touch()
        deadline = time.monotonic() + 10
        while not (tmp_path / wait_for).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return (tmp_path / wait_for).exists()

    def work() -> bytes:
        return f"{os.getpid()} {signal_and_wait('worker', 'here')}".encode()

    made, done = beside(work, lambda: (os.getpid(), signal_and_wait("here", "worker")))
    worker, saw_here = made.decode().split()
    assert (saw_here, done) == ("True", (os.getpid(), True)) and int(worker) != os.getpid()

    def ended() -> bool:  # the worker gone, while this process is still at its own work
        deadline = time.monotonic() + 10
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.01)
        return not multiprocessing.active_children()

    made, gone = beside(lambda: b"x" * 1_000_000, ended)  # more than a pipe holds: sent as it is read
    assert gone and len(made) == 1_000_000, "the worker waited with its work until this process was done"

    def failing() -> bytes:
        raise EditionError("the work failed")

    with pytest.raises(EditionError, match="the work failed"):
        beside(failing, lambda: None)

    def failing_here() -> None:
        raise EditionError("this process's work failed")

    with pytest.raises(EditionError, match="this process's work failed"):
        beside(lambda: time.sleep(60) or b"", failing_here)
    assert not multiprocessing.active_children(), "the worker left at work"


def test_a_workers_problem_stops_the_build_with_its_message():
    def lay_out(index: int) -> tuple[bytes, int]:
        if index == 1:
            raise EditionError("the font Garamond has no glyph for U+0416")
        return b"", 0

    with pytest.raises(EditionError, match=r"^the font Garamond has no glyph for U\+0416$"):
        side_by_side(["a", "b"], 2, lay_out, as_sent)


def test_a_worker_that_stops_without_a_word_stops_the_build():
    def lay_out(index: int) -> tuple[bytes, int]:
        if index == 0:
            os._exit(3)
        return b"", 0

    with pytest.raises(
        EditionError,
        match=r"a worker process stopped \(exit code 3\) before it sent what it made; build again with --jobs 1",
    ):
        side_by_side(["a", "b"], 2, lay_out, as_sent)


def test_a_bug_in_a_worker_reaches_the_build_with_its_traceback():
    def lay_out(index: int) -> tuple[bytes, int]:
        return {}["missing"]

    with pytest.raises(RuntimeError, match=r"(?s)a worker process failed:.*KeyError: 'missing'"):
        side_by_side(["a"], 2, lay_out, as_sent)


def test_each_part_arrives_once_under_its_name_with_the_pages_laid_out():
    laid_out, pages = side_by_side(["a", "b", "c"], 2, lambda index: (b"x" * index, 10 + index), as_sent)
    assert laid_out == {"a": b"", "b": b"x", "c": b"xx"} and pages == 33


def test_a_worker_leaves_ctrl_c_to_the_build():
    """Ctrl-C reaches every process of the terminal's group: a worker goes on (the build's own
    process stops, and ends its workers), rather than printing a traceback of its own."""

    def lay_out(index: int) -> tuple[bytes, int]:
        os.kill(os.getpid(), signal.SIGINT)
        return b"laid out", 1

    assert side_by_side(["a"], 2, lay_out, as_sent) == ({"a": b"laid out"}, 1)


def test_workers_end_when_the_build_is_killed(tmp_path):
    """The build's process killed (SIGKILL, as the kernel does when memory runs out) while its
    workers lay out: each ends at its next send, rather than wait for ever to send a layout that
    no one will read."""
    program = f"""
import os, pathlib, signal, threading, time
from edition.layout.parallel import side_by_side

def lay_out(index):
    pathlib.Path("{tmp_path}/worker-%d" % index).write_text(str(os.getpid()))
    time.sleep(0.5)
    return b"x" * 2_000_000, 1  # more than a pipe holds

threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGKILL)).start()
side_by_side(["a", "b"], 2, lay_out, lambda name, data: data)
"""
    subprocess.run([sys.executable, "-c", program], check=False, timeout=60)
    pids = [int(path.read_text()) for path in sorted(tmp_path.glob("worker-*"))]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()], "a worker waits for ever"
