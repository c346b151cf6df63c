"""The page breaks that keep every editorial note on the page of its call, and the pages from
which the layout of a part may resume.

WeasyPrint 70 carries a footnote over to the next page, whatever the `footnote-policy`, when that
lets the paragraph at the foot of the page keep its first two lines there (`orphans`; WeasyPrint
issue 2432). While `stopping_at_a_carried_note` is in force, WeasyPrint ends its pagination with
the first page that carries a note over; `PageBreaks` names the block to start on a new page
instead, which `html.print_part` marks `new-page`; `resumable_page` finds the last page before it
that the layout can resume from, so that what comes before is not laid out again. `pdf` runs
this loop for each part.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import weasyprint.layout
from weasyprint import HTML
from weasyprint.document import Page
from weasyprint.formatting_structure.boxes import Box, PageBox
from weasyprint.layout import LayoutContext

from .html import PrintPart
from .model import Heading, Paragraph
from .pages import boxes_in_blocks, first_page_of, page_starts, text_in_blocks


def movable_blocks(part: PrintPart) -> dict[str, str | None]:
    """For each block of the part that may stand at the foot of a page and be moved to the next
    (an essay's paragraphs and authors' notes), the block to start the new page with: itself, or
    the first of the headings just before it, which must not be left at the foot of the page.
    None where that would leave a heading alone on its page: for the essay's first paragraph
    (its title) and its first note (the heading "Notes")."""
    if not part.essay:
        return {}
    movable: dict[str, str | None] = {}
    headings: list[str] = []  # the headings since the last other block
    opened = False  # whether a block other than a heading has come since the essay's title
    for block in part.essay.body:
        if isinstance(block, Heading):
            headings.append(block.id)
            continue
        if isinstance(block, Paragraph):
            movable[block.id] = (headings[0] if headings else block.id) if opened else None
        opened, headings = True, []
    notes = [note.id for note in part.essay.notes]
    movable.update({note: note if index else None for index, note in enumerate(notes)})
    return movable


def resumable_blocks(part: PrintPart) -> set[str]:
    """The blocks a layout of the part may resume from, when a page opens with one of them: the
    blocks that may be moved (an essay's paragraphs and authors' notes), which have no top margin
    for the top of a page to take away."""
    return set(movable_blocks(part))


@dataclass
class PageBreaks:
    """The page breaks a layout of one part has made so far, and those it may make."""

    movable: dict[str, str | None]  # see `movable_blocks`
    blocks: set[str] = field(default_factory=set)  # the blocks that start a new page
    notes: set[str] = field(default_factory=set)  # the notes (their ids) those breaks were made for

    def for_page(self, page_box: PageBox, carried: list[Box]) -> tuple[str, str] | None:
        """For the first note called on this page and carried over from it (`carried`), the
        block to start on a new page to bring it back, and the note's id; None if no break can.

        The block is the last movable one on the page from the call's on (see `movable_blocks`):
        the note made room for its second line. Moving the paragraph of the call instead would
        also move every one after it and leave the page half empty. A note carried over again
        after a break made for it does not fit beside its call at all, and is left where
        WeasyPrint puts it."""
        if not carried:  # most pages: spare walking their boxes
            return None
        order = list(dict.fromkeys(block for _, block in text_in_blocks(page_box)))
        for box, called_in in boxes_in_blocks(page_box):
            if box.footnote is None or box.footnote not in carried or called_in not in order:
                continue
            note = box.footnote.element.get("id")
            last = next((block for block in reversed(order[order.index(called_in) :]) if block in self.movable), None)
            block = self.movable[last] if last else None
            if block and block not in self.blocks and note not in self.notes:
                return block, note
        return None

    def add(self, block: str, note: str) -> None:
        self.blocks.add(block)
        self.notes.add(note)


@contextmanager
def stopping_at_a_carried_note(breaks: PageBreaks) -> Iterator[list[tuple[str, str]]]:
    """While in this context, WeasyPrint ends a layout with the first page that carries over a
    note that `breaks` can bring back; the block to break and the note are put in the list this
    yields.

    WeasyPrint's pagination (`make_all_pages`) makes the pages one by one; stopping it early
    leaves a document of the pages made so far, with their running heads and numbers. Finding
    the document unfinished, WeasyPrint paginates again, up to 8 times; each time it stops at
    the same page, having kept the pages before it."""
    paginate = weasyprint.layout.make_all_pages
    found: list[tuple[str, str]] = []

    def make_all_pages(context: LayoutContext, root_box: Box, html: HTML, pages: list[PageBox]) -> Iterator[PageBox]:
        for page_box in paginate(context, root_box, html, pages):
            yield page_box
            if to_break := breaks.for_page(page_box, context.reported_footnotes):
                found[:] = [to_break]
                return

    weasyprint.layout.make_all_pages = make_all_pages
    try:
        yield found
    finally:
        weasyprint.layout.make_all_pages = paginate


@dataclass(frozen=True)
class Footnote:
    """Where a footnote landed: the block holding its call, the call's page and the note's."""

    block: str
    call_page: int
    note_page: int


def footnotes(pages: list[Page]) -> list[Footnote]:
    """Every footnote on these pages, in the order of their calls."""
    calls: dict[str, tuple[int, str]] = {}
    notes: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            notes.setdefault(anchor, index)
        for box, block in boxes_in_blocks(page._page_box):
            if (box.element_tag or "").endswith("::footnote-call"):
                calls.setdefault(box.element.get("id"), (index, block))
    return [Footnote(block, index, notes.get(note, index)) for note, (index, block) in calls.items()]


def resumable_page(pages: list[Page], block: str, resumable: set[str]) -> tuple[int, str] | None:
    """The last page, no later than the one on which `block` begins, from which a layout can
    resume (see `resumable_pages`); None if there is none."""
    first = first_page_of(pages, block)
    return next((page for page in reversed(resumable_pages(pages, resumable)) if page[0] <= first), None)


def resumable_pages(pages: list[Page], resumable: set[str]) -> list[tuple[int, str]]:
    """The pages after the first from which a layout can resume, each with its index and the
    block it opens with: the start of a block in `resumable`, and no footnote carried over from
    an earlier page."""
    carried = {page for note in footnotes(pages) for page in range(note.call_page + 1, note.note_page + 1)}
    starts = page_starts(pages, 0)  # labelled from 1, as the first page is
    return [
        (index, start.block)
        for start in starts
        if (index := int(start.label) - 1) > 0
        and not start.offset
        and start.block in resumable
        and index not in carried
    ]
