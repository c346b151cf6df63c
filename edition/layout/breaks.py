"""The page breaks that keep every editorial note on the page of its call, and the pages from
which the layout of a part may resume: the policy, as pure functions of the pages' summaries
(`typeset`), with no WeasyPrint in sight.

WeasyPrint 70 carries a footnote over to the next page, whatever the `footnote-policy`, when that
lets the paragraph at the foot of the page keep its first two lines there (`orphans`; WeasyPrint
issue 2432). For each page that carries a note over, as the pagination makes it
(`typeset.stopping_when`), `PageBreaks.for_page` names a block to start on a new page instead,
which WeasyPrint then does where the block stands, making again only the pages from the
one where it began; `resumable_page` finds the last page before a block from which the layout of
a part can resume, so that what comes before an edit is not laid out again. `pdf` runs this for
each part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..html import PrintPart
from ..sources.model import Heading, Paragraph
from .pages import NewPage, PageLayout, first_page_of, page_starts


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
    # Whether a block other than a heading has come since the essay's title. (Equivalent mutant:
    # None, read only for its truth, is as False.)
    opened = False  # pragma: no mutate
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
    blocks that may be moved (an essay's paragraphs and authors' notes) and the register's
    entries, which have no top margin for the top of a page to take away."""
    return set(movable_blocks(part)) | set(part.entries)


@dataclass
class PageBreaks:
    """The page breaks a layout of one part has made so far, and those it may make."""

    movable: dict[str, str | None]  # see `movable_blocks`
    blocks: set[str] = field(default_factory=set)  # the blocks that start a new page
    notes: set[str] = field(default_factory=set)  # the notes (their ids) those breaks were made for

    def for_page(self, page: NewPage) -> tuple[str, str] | None:
        """For the first note called on this page and carried over from it, the block to start
        on a new page to bring it back, and the note's id; None if no break can.

        The block is the last movable one on the page from the call's on (see `movable_blocks`):
        the note made room for its second line. Moving the paragraph of the call instead would
        also move every one after it and leave the page half empty. A note carried over again
        after a break made for it does not fit beside its call at all, and is left where
        WeasyPrint puts it."""
        if not page.carried:
            return None
        order = list(dict.fromkeys(block.id for block in page.blocks))
        for call in page.calls:
            if call.note not in page.carried or call.block not in order:
                continue
            last = next((block for block in reversed(order[order.index(call.block) :]) if block in self.movable), None)
            block = self.movable[last] if last else None
            if block and block not in self.blocks and call.note not in self.notes:
                return block, call.note
        return None

    def add(self, block: str, note: str) -> None:
        self.blocks.add(block)
        self.notes.add(note)


@dataclass(frozen=True)
class Footnote:
    """Where a footnote landed: the block holding its call, the call's page and the note's."""

    block: str
    call_page: int
    note_page: int


def footnotes(pages: list[PageLayout]) -> list[Footnote]:
    """Every footnote on these pages, in the order of their calls."""
    calls: dict[str, tuple[int, str]] = {}
    notes: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            notes.setdefault(anchor, index)
        for call in page.calls:
            calls.setdefault(call.note, (index, call.block))
    return [Footnote(block, index, notes.get(note, index)) for note, (index, block) in calls.items()]


def resumable_page(pages: list[PageLayout], block: str, resumable: set[str]) -> tuple[int, str] | None:
    """The last page, no later than the one on which `block` begins, from which a layout can
    resume (see `resumable_pages`); None if there is none."""
    first = first_page_of(pages, block)
    return next((page for page in reversed(resumable_pages(pages, resumable)) if page[0] <= first), None)


def resumable_pages(pages: list[PageLayout], resumable: set[str]) -> list[tuple[int, str]]:
    """The pages after the first from which a layout can resume, each with its index and the
    block it opens with: the start of a block in `resumable`, and no footnote carried over from
    an earlier page."""
    carried = carried_to(pages)
    starts = page_starts(pages, 0)  # labelled from 1, as the first page is
    return [
        (index, start.block)
        for start in starts
        if (index := int(start.label) - 1) > 0
        and not start.offset
        and start.block in resumable
        and index not in carried
    ]


def carried_to(pages: list[PageLayout]) -> set[int]:
    """The pages to which a note is carried over from an earlier page."""
    return {page for note in footnotes(pages) for page in range(note.call_page + 1, note.note_page + 1)}
