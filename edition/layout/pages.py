"""The pages of the print edition as plain summaries, and where each of them begins, so the EPUB
can mark the same places.

`typeset` reads the summaries from WeasyPrint's layout (`PageLayout` for each page of a
document, `NewPage` for a page being made, `PageDrawing` for what a page draws); nothing here
imports WeasyPrint, and the functions here read only the summaries.

`page_starts` gives, for every numbered page that holds text, the block (paragraph, heading,
note, register entry…) in which the page's first line stands, and how many letters and digits
of that block come before it. Counting only letters and digits makes the position independent of
what differs between the outputs: white space, hyphenation, paragraph numbers and the markers of
notes. `html.epub.insert_page_breaks` puts the markers into the same places of the edition's text for
the EPUB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..sources.model import Edition, PageStart, alnum, roman

# What a page holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A run of the page's body text that stands in one block: the id of its nearest
    block-level ancestor (or table row) that has one, "" if none, and the text, its pieces
    joined as they are drawn (no white space between lines)."""

    id: str
    text: str


@dataclass(frozen=True)
class Call:
    """A note call on the page: the note's id, and the block (as in `Block.id`) holding it."""

    note: str
    block: str


@dataclass(frozen=True)
class PageLayout:
    """A page of a laid-out document.

    `blocks` is the body text in reading order, without running heads, folios, footnotes,
    paragraph numbers, repeated table heads or generated text; consecutive text of one block is
    one `Block`, so a block appears again only after another has come in between."""

    anchors: tuple[str, ...]  # the ids of the elements that begin on it, in document order
    folio: bool  # whether it prints its number: text in a margin box at its foot
    blocks: tuple[Block, ...]
    calls: tuple[Call, ...]  # in document order


@dataclass(frozen=True)
class BreakBefore:
    """What a layout's `decide` returns for a block to start on a new page where it stands, the
    layout going on from there (see `typeset.stopping_when`)."""

    block: str


@dataclass(frozen=True)
class NewPage:
    """A page WeasyPrint's pagination has just made, before its running heads and folio: its
    body text and note calls (as in `PageLayout`), and the notes (their ids) it carries over to
    the next page."""

    blocks: tuple[Block, ...]
    calls: tuple[Call, ...]
    carried: tuple[str, ...]


@dataclass(frozen=True)
class Text:
    """A piece of text drawn on the page (running heads, folios and footnotes included), and
    where: the top left corner of its box, in CSS pixels from the page's."""

    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Line:
    """A line box: where it begins (from the page's left edge), its width, and the width its
    content takes."""

    x: float
    width: float
    filled: float


@dataclass(frozen=True)
class ParagraphLines:
    """A `p` element on the page (or its part there): its id ("" if none), the measure, its
    lines, and whether it holds a `br` (which breaks a line short on purpose)."""

    id: str
    measure: float
    lines: tuple[Line, ...]
    forced_break: bool


@dataclass(frozen=True)
class Link:
    """A link (`a` element) on the page, or the part of it on one line: its `href`, its classes
    and its text."""

    href: str
    classes: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class PageDrawing:
    """What a page draws, and where: for the tests of the print, which compare layouts and
    measure lines."""

    width: float
    texts: tuple[Text, ...]
    lines: tuple[Line, ...]
    paragraphs: tuple[ParagraphLines, ...]
    links: tuple[Link, ...]


# Where pages begin -------------------------------------------------------------------------


class Anchored(Protocol):
    """A page that lists the elements beginning on it: a `PageLayout`, or WeasyPrint's `Page`."""

    @property
    def anchors(self) -> Iterable[str]: ...


def first_pages(pages: Sequence[Anchored]) -> dict[str, int]:
    """The index (from 0) of the page on which each element with an id begins: the first page
    that lists it (an element on several pages is on each one's list, or on the first)."""
    found: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            found.setdefault(anchor, index)
    return found


def first_page_of(pages: Sequence[Anchored], anchor: str) -> int:
    """The index (from 0) of the page on which the element with this id begins (see
    `first_pages`)."""
    return first_pages(pages)[anchor]


def front_matter_pages(pages: Sequence[Anchored], edition: Edition) -> int:
    """How many pages the front matter takes, numbered i, ii…: it ends where the first essay
    begins, on page 1; an edition with no essay yet (a new project's) is front matter alone."""
    return first_page_of(pages, edition.essays[0].id) if edition.essays else len(pages)


def page_starts(pages: Sequence[PageLayout], first: int) -> list[PageStart]:
    """The start of every page that holds text: from `first` on, labelled 1, 2…; before it, the
    front matter's pages that print a folio, labelled i, ii…"""
    seen: dict[str, int] = {}
    starts = []
    for index, page in enumerate(pages):
        label = str(index - first + 1) if index >= first else roman(index + 1) if page.folio else None
        start = None
        for block in page.blocks:
            if start is None and label and block.id and alnum(block.text):
                start = PageStart(label, block.id, seen.get(block.id, 0))
            seen[block.id] = seen.get(block.id, 0) + alnum(block.text)
        if start:
            starts.append(start)
    return starts
