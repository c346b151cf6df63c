"""The pagination policy at its edges, on hand-written page summaries as in test_breaks.py: a
note carried over more than one page, a note whose text never landed, an essay that opens with a
heading, the register's entries as places to resume from, the second page, and a carried note with
no movable block after its call. Milliseconds, no WeasyPrint."""

from __future__ import annotations

from types import SimpleNamespace

from edition.html import PrintPart
from edition.layout.breaks import PageBreaks, carried_to, footnotes, movable_blocks, resumable_blocks, resumable_pages
from edition.layout.pages import Block, Call, NewPage
from edition.sources.model import Heading, Paragraph
from tests.layout.test_breaks import MOVABLE, PART, laid_out


def test_a_note_carried_over_two_pages_marks_both_and_no_page_after():
    pages = laid_out((("p1",), ("p1",), (Call("e1", "p1"),)), ((), ("p1",), ()), ((), ("p2",), ()),
                     (("e1",), ("p2",), ()), ((), ("p3",), ()))  # fmt: skip
    assert carried_to(pages) == {1, 2, 3}
    assert carried_to(pages[:2] + laid_out((("e1",), ("p2",), ()))) == {1, 2}


def test_a_note_whose_text_landed_on_no_page_counts_as_on_the_page_of_its_call():
    pages = laid_out(
        (("p1",), ("p1",), (Call("e1", "p1"),)), ((), ("p2",), (Call("e2", "p2"),)), (("e2",), ("p2",), ())
    )
    assert [(note.block, note.call_page, note.note_page) for note in footnotes(pages)] == [("p1", 0, 0), ("p2", 1, 2)]
    assert carried_to(pages) == {2}


def test_an_essay_that_opens_with_a_heading_keeps_its_first_paragraph_under_it():
    essay = SimpleNamespace(
        body=[Heading("h1", []), Paragraph("p1", 1, []), Heading("h2", []), Heading("h3", []), Paragraph("p2", 2, [])],
        notes=[],
    )
    assert movable_blocks(PrintPart("essay", essay)) == {"p1": None, "p2": "h2"}


def test_a_layout_may_resume_from_an_essays_movable_blocks_and_the_registers_entries():
    assert resumable_blocks(PART) == set(MOVABLE)
    assert resumable_blocks(PrintPart("register", entries=("serge", "kulak"))) == {"serge", "kulak"}


def test_the_second_page_is_a_page_to_resume_from_and_the_first_is_not():
    pages = laid_out((("p1",), ("p1",), ()), (("p2",), ("p2",), ()), (("p3",), ("p3",), ()))
    assert resumable_pages(pages, {"p1", "p2", "p3"}) == [(1, "p2"), (2, "p3")]


def test_a_carried_note_with_no_movable_block_from_its_call_on_makes_no_break():
    """Called in the register's entries, which never move: WeasyPrint's page stands."""
    carrying = NewPage((Block("p4", "text"), Block("serge", "text")), (Call("e1", "serge"),), ("e1",))
    assert PageBreaks(MOVABLE).for_page(carrying) is None
    moved = NewPage((Block("serge", "text"), Block("p4", "text")), (Call("e1", "serge"),), ("e1",))
    assert PageBreaks(MOVABLE).for_page(moved) == ("p4", "e1")
