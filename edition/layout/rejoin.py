"""Where the new layout of an edited part can rejoin its last layout, so that an edit lays out
only the pages it changed (`edition watch`): pure functions of the two versions of the part's
HTML and of the pages' summaries (`pages`), with no WeasyPrint in sight.

An edit cannot change the pages before the block just before it (`Edit.before`): `pdf` keeps
them, and lays the part out again from the last page before that block from which a layout can
resume (`breaks.resumable_page`). Nor can it change how the unchanged rest of the part
(`Edit.rest`) is laid out from a given place: once a new page ends where a page of the last
layout ended, in the same block at the same letter, with the same page number and no note
carried over from either, every page after it is as it was (`Rejoin.page`), and `pdf` keeps
them. The notes' letters and the authors' note numbers come from counters (print.css), so a
rest after an edit that adds or removes a note or a list item before it does not print as
before; nor does any page after an edit to the part's opening, whose title sets the running
heads: such an edit has no rest, and its part is laid out to its end.

WeasyPrint reads, styles and boxes a whole document before it lays out its first page, which
costs more than the two or three pages an edit usually changes; so the new layout is of the
part only up to a few pages into the rest (`Rejoin.end`). It must rejoin before the last pages
of that window (`Rejoin.guard`), where the missing text could change a page: a layout that
reaches them has run out of window (`Rejoin.outrun`), and the part is laid out again, to its end.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..sources.model import alnum
from .breaks import carried_to
from .pages import Block, NewPage, PageLayout, first_pages

# The start tag of an element with an id, in the HTML `html.print_part` writes (attribute values
# escaped, so no `<` or `>` inside a tag).
_WITH_ID = re.compile(r'<[a-zA-Z][^<>]*?\sid="([^"]+)"')
# What the counters of a rest count: editorial footnotes (their calls' letters) and list items
# (the authors' notes' numbers).
_COUNTED = re.compile(r'class="footnote"|<li[\s>]')
# The window: the new layout stops short of the rest's first block that begins this many pages
# after the page where the rest began in the last layout; it must rejoin before the blocks of
# its last GUARD_PAGES pages.
WINDOW_PAGES, GUARD_PAGES = 5, 2


@dataclass(frozen=True)
class Edit:
    """Where a part's HTML changed since its last layout: the resumable block just before the
    first change (None if the change comes before the second resumable block), and the part's
    unchanged rest after the last change, block by block: each resumable block's id, with the
    ids of the elements from its start to the next's (empty if there is no rest, or if it would
    not print as before: see above)."""

    before: str | None
    rest: tuple[tuple[str, frozenset[str]], ...]


def edit_between(old: str, new: str, resumable: Collection[str]) -> Edit:
    """The edit that made `new` of `old`, two versions of a part's HTML, cut at the start of
    every block in `resumable` (see `breaks.resumable_blocks`)."""
    old_pieces, new_pieces = _pieces(old, resumable), _pieces(new, resumable)
    same = min(len(old_pieces), len(new_pieces))
    head = next((index for index in range(same) if old_pieces[index] != new_pieces[index]), same)
    tail = next(
        (count for count in range(same - head) if old_pieces[-1 - count] != new_pieces[-1 - count]), same - head
    )
    before = new_pieces[head - 1][0] if head > 1 else None  # the first piece is what comes before any block
    counted = [
        len(_COUNTED.findall("".join(text for _, text in pieces[: len(pieces) - tail])))
        for pieces in (old_pieces, new_pieces)
    ]
    # The part's opening sets its running heads (`string-set`), which every page prints.
    if not head or not tail or counted[0] != counted[1]:
        return Edit(before, ())
    rest = new_pieces[len(new_pieces) - tail :]
    return Edit(before, tuple((block, frozenset(_WITH_ID.findall(text))) for block, text in rest))


def _pieces(html: str, resumable: Collection[str]) -> list[tuple[str, str]]:
    """The HTML cut before the start tag of each resumable block: what comes before the first
    (with the id ""), then each block with what follows it up to the next."""
    starts = [(match.start(), match[1]) for match in _WITH_ID.finditer(html) if match[1] in resumable]
    cuts = [(0, ""), *starts]
    ends = [start for start, _ in starts] + [len(html)]
    return [(block, html[start:end]) for (start, block), end in zip(cuts, ends, strict=True)]


@dataclass(frozen=True)
class Rejoin:
    """What a new layout of an edited part needs to find the page from which its last layout's
    pages may be kept: where each of those pages ended (`ends`, see `_ends`) and which of them
    a note was carried to (`carried`), the ids in the unchanged rest, and the window: the block
    before which the layout may stop (`end`; None: it goes to the part's end) and the ids of the
    window's last pages (`guard`)."""

    ends: tuple[tuple[str, int] | None, ...]
    carried: frozenset[int]
    rest: frozenset[str]
    end: str | None
    guard: frozenset[str]

    @classmethod
    def of(cls, pages: Sequence[PageLayout], edit: Edit, windowed: bool = True) -> Rejoin:
        """For the `edit` of a part last laid out in `pages`; without a window if not
        `windowed`, or if the rest is too short for one."""
        rest = frozenset().union(*(ids for _, ids in edit.rest))
        ends, carried = _ends([page.blocks for page in pages]), frozenset(carried_to(list(pages)))
        begins = first_pages(pages)
        starts = [begins.get(block) for block, _ in edit.rest]
        if not windowed or not starts or None in starts:
            return cls(ends, carried, rest, None, frozenset())
        end = next((index for index, page in enumerate(starts) if page >= starts[0] + WINDOW_PAGES), None)
        if end is None:
            return cls(ends, carried, rest, None, frozenset())
        guarded = [
            ids
            for (_, ids), page in zip(edit.rest[:end], starts[:end], strict=True)
            if page >= starts[end] - GUARD_PAGES
        ]
        return cls(ends, carried, rest, edit.rest[end][0], frozenset().union(*guarded))

    def page(self, first: int, made: Sequence[NewPage]) -> int | None:
        """The index of the last layout's first page to keep, if the last page of `made` ends
        where the last layout's page of the same number ended: the next page would start where
        the page at that index started. None if not.

        `made` are the new layout's pages so far, from the index `first` of the part on: the
        pages of a layout from the start of the part or of a resumable block, never from within
        one. Both pages must end in the rest, and carry no note over."""
        index = first + len(made)  # of the page that would come next
        if not self.rest or index >= len(self.ends) or made[-1].carried or index in self.carried:
            return None
        new = _ends([page.blocks for page in made])[-1]
        return index if new is not None and new[0] in self.rest and self.ends[index - 1] == new else None

    def outrun(self, page: NewPage) -> bool:
        """Whether the page holds text of the window's last pages: a layout that has not
        rejoined before them may decide nothing more from this window (see above)."""
        return any(block.id in self.guard for block in page.blocks)


def _ends(pages: list[tuple[Block, ...]]) -> tuple[tuple[str, int] | None, ...]:
    """Where each of these pages ends: its last block with letters or digits, and the letters and
    digits of that block on it and the pages before it; None if it has none, or if that block
    has no id."""
    seen: dict[str, int] = {}
    ends = []
    for blocks in pages:
        for block in blocks:
            seen[block.id] = seen.get(block.id, 0) + alnum(block.text)
        last = next((block for block in reversed(blocks) if alnum(block.text)), None)
        ends.append((last.id, seen[last.id]) if last and last.id else None)
    return tuple(ends)
