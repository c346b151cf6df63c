"""The pagination policy (`breaks`) and the page starts (`pages`), on hand-written summaries of
pages: no WeasyPrint, no layout; the whole file runs in milliseconds. tests/layout/test_layout.py
checks the same policy on the edition's real layout, and tests/layout/test_typeset.py that the
summaries are what WeasyPrint laid out."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import SimpleNamespace

from edition.html import PrintPart
from edition.layout import breaks, pages
from edition.layout.breaks import Footnote, PageBreaks, footnotes, movable_blocks, resumable_page, resumable_pages
from edition.layout.pages import (
    Block,
    Call,
    NewPage,
    PageLayout,
    first_page_of,
    first_pages,
    front_matter_pages,
    page_starts,
)
from edition.sources.model import Heading, Note, PageStart, Paragraph

# An essay: its first paragraph p1 under the title, p2, a subheading h and p3 under it, p4;
# then its notes n1, n2. The editorial notes e1, e2… are called in the paragraphs.
ESSAY = SimpleNamespace(
    body=[
        Paragraph("p1", 1, []),
        Paragraph("p2", 2, []),
        Heading("h", []),
        Paragraph("p3", 3, []),
        Paragraph("p4", 4, []),
    ],
    notes=[Note("n1", 1, []), Note("n2", 2, [])],
)
PART = PrintPart("essay", ESSAY)
MOVABLE = {"p1": None, "p2": "p2", "p3": "h", "p4": "p4", "n1": None, "n2": "n2"}


def test_a_paragraph_moves_with_the_headings_above_it_and_the_first_paragraph_and_note_stay():
    assert movable_blocks(PART) == MOVABLE
    assert movable_blocks(PrintPart("register")) == {}


def page(*blocks: str, calls: tuple[Call, ...] = (), carried: tuple[str, ...] = ()) -> NewPage:
    return NewPage(tuple(Block(block, "text") for block in blocks), calls, carried)


def test_a_carried_note_is_brought_back_by_moving_the_last_movable_block_of_the_page():
    """The note made room for the second line of the paragraph at the foot of the page: that
    paragraph goes, with the heading above it, not the paragraph of the call."""
    carrying = page("p2", "h", "p3", calls=(Call("e1", "p2"),), carried=("e1",))
    assert PageBreaks(MOVABLE).for_page(carrying) == ("h", "e1")
    carrying = page("p1", "p2", calls=(Call("e1", "p1"), Call("e2", "p2")), carried=("e2",))
    assert PageBreaks(MOVABLE).for_page(carrying) == ("p2", "e2")


def test_no_break_for_a_page_that_carries_nothing_over_or_whose_carried_note_is_called_elsewhere():
    breaks = PageBreaks(MOVABLE)
    assert breaks.for_page(page("p2", "p3", calls=(Call("e1", "p2"),))) is None
    # Called on an earlier page and carried on again, or called in no block of the body text.
    assert breaks.for_page(page("p2", "p3", calls=(Call("e1", "p2"),), carried=("e0",))) is None
    assert breaks.for_page(page("p2", "p3", calls=(Call("e1", "x"),), carried=("e1",))) is None


def test_no_break_that_would_leave_the_title_alone_or_be_made_twice():
    breaks = PageBreaks(MOVABLE)
    assert breaks.for_page(page("p1", calls=(Call("e1", "p1"),), carried=("e1",))) is None  # p1 stays
    carrying = page("p2", "p4", calls=(Call("e1", "p2"),), carried=("e1",))
    assert breaks.for_page(carrying) == ("p4", "e1")
    breaks.add("p4", "e1")
    assert breaks.for_page(carrying) is None  # carried over again after its break: left there
    assert breaks.blocks == {"p4"} and breaks.notes == {"e1"}
    other = page("p2", "p4", calls=(Call("e2", "p2"),), carried=("e2",))
    assert breaks.for_page(other) is None  # p4 starts a new page already


def laid_out(*pages: tuple[tuple[str, ...], tuple[str, ...], tuple[Call, ...]], folio: bool = True) -> list[PageLayout]:
    """Pages from (anchors, blocks, calls), each block holding the text "text"."""
    return [
        PageLayout(anchors, folio, tuple(Block(block, "text") for block in blocks), calls)
        for anchors, blocks, calls in pages
    ]


# Six pages of the essay: e1 is called on page 1 and its note carried to page 2; p3 begins on
# page 3 under its heading, p4 on page 4; n1 on page 4's foot, n2 opens page 5.
PAGES = laid_out(
    (("essay", "p1"), ("p1",), (Call("e1", "p1"),)),
    (("p2",), ("p1", "p2"), (Call("e2", "p2"),)),
    (("e1", "e2"), ("p2",), ()),
    (("h", "p3"), ("h", "p3"), ()),
    (("p4", "notes", "n1"), ("p4", "notes", "n1"), (Call("e3", "p4"),)),
    (("e3", "n2"), ("n2",), ()),
)


def test_footnotes_are_where_their_calls_and_notes_landed():
    assert footnotes(PAGES) == [Footnote("p1", 0, 2), Footnote("p2", 1, 2), Footnote("p4", 4, 5)]


def test_a_layout_resumes_from_a_page_opening_with_a_movable_block_and_carrying_no_note():
    """Page 2 opens inside p1 and page 3 inside p2, and receives the notes carried from pages 1
    and 2; page 4 opens with a heading; page 6 receives e3, carried from page 5: only page 5."""
    resumable = set(MOVABLE)
    assert resumable_pages(PAGES, resumable) == [(4, "p4")]
    assert resumable_page(PAGES, "n2", resumable) == (4, "p4")
    assert resumable_page(PAGES, "n1", resumable) == (4, "p4")
    assert resumable_page(PAGES, "p3", resumable) is None


def test_the_page_of_an_element_is_the_first_that_lists_it():
    assert first_pages(PAGES)["p2"] == 1 and first_page_of(PAGES, "e1") == 2
    assert list(first_pages(PAGES)) == ["essay", "p1", "p2", "e1", "e2", "h", "p3", "p4", "notes", "n1", "e3", "n2"]


def test_page_starts_count_letters_and_digits_before_each_page_and_number_the_front_in_roman():
    front = [
        PageLayout(("title",), False, (Block("title", "A Title"),), ()),
        PageLayout(("contents",), True, (Block("contents", "Contents: 1, 2"),), ()),
        PageLayout((), False, (), ()),  # a blank page
    ]
    body = [
        PageLayout(("essay",), True, (Block("", "—"), Block("essay", "Serge, 1937"), Block("p1", "One two-")), ()),
        PageLayout((), True, (Block("p1", " three."), Block("p2", "Four")), ()),
    ]
    edition = SimpleNamespace(essays=[SimpleNamespace(id="essay")])
    assert front_matter_pages(front + body, edition) == 3
    assert page_starts(front + body, 3) == [
        PageStart("ii", "contents", 0),
        PageStart("1", "essay", 0),
        PageStart("2", "p1", 6),  # "One two" before it
    ]


def test_the_policy_imports_no_weasyprint():
    """Only the standard library and the edition's own modules, not `typeset`, which alone
    imports WeasyPrint (see tests/layout/test_typeset.py)."""
    for module in (breaks, pages):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [
            "." * node.level + (node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ]
        foreign = [
            name
            for name in imported
            if name == ".typeset" or not (name.startswith(".") or name.split(".")[0] in sys.stdlib_module_names)
        ]
        assert not foreign, (module.__name__, foreign)
