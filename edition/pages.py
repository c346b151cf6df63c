"""Where each page of the print edition begins, so the EPUB can mark the same places.

`page_starts` reads WeasyPrint's layout: for every numbered page that holds text, the block
(paragraph, heading, note, register entry…) in which the page's first line stands, and how many
letters and digits of that block come before it. Counting only letters and digits makes the
position independent of what differs between the outputs: white space, hyphenation, paragraph
numbers and the markers of notes. `html.insert_page_breaks` puts the markers into the same places
of the edition's text for the EPUB.
"""

from __future__ import annotations

from collections.abc import Iterator

from weasyprint.document import Page
from weasyprint.formatting_structure import boxes

from .model import PageStart, roman


def alnum(text: str) -> int:
    return sum(character.isalnum() for character in text)


def page_starts(pages: list[Page], first: int) -> list[PageStart]:
    """The start of every page that holds text: from `first` on, labelled 1, 2…; before it, the
    front matter's pages that print a folio, labelled i, ii…"""
    seen: dict[str, int] = {}
    starts = []
    for index, page in enumerate(pages):
        label = str(index - first + 1) if index >= first else roman(index + 1) if has_folio(page) else None
        start = None
        for text, block in text_in_blocks(page._page_box):
            if start is None and label and block and alnum(text):
                start = PageStart(label, block, seen.get(block, 0))
            seen[block] = seen.get(block, 0) + alnum(text)
        if start:
            starts.append(start)
    return starts


def has_folio(page: Page) -> bool:
    """Whether the page prints its number: text in a margin box at its foot."""
    return any(
        isinstance(box, boxes.MarginBox)
        and box.at_keyword.startswith("@bottom")
        and any(isinstance(text, boxes.TextBox) and alnum(text.text) for text in box.descendants())
        for box in page._page_box.children
    )


def first_page_of(pages: list[Page], anchor: str) -> int:
    """The index (from 0) of the page on which the element with this id begins."""
    return next(index for index, page in enumerate(pages) if anchor in page.anchors)


def boxes_in_blocks(box, prune=lambda box: False, block: str = "") -> Iterator[tuple[object, str]]:
    """Every box under `box` in document order, with the id of its nearest block-level ancestor
    (or table row) that has one; `prune` leaves out a box and everything in it."""
    for child in getattr(box, "children", ()):
        if prune(child):
            continue
        element = child.element
        named = isinstance(child, boxes.BlockLevelBox | boxes.TableRowBox) and element is not None
        inner = (element.get("id") if named else None) or block
        yield child, inner
        yield from boxes_in_blocks(child, prune, inner)


def text_in_blocks(page_box) -> Iterator[tuple[str, str]]:
    """The text of the page body in reading order, with its block."""
    for box, block in boxes_in_blocks(page_box, _not_body_text):
        if isinstance(box, boxes.TextBox):
            yield box.text, block


def _not_body_text(box) -> bool:
    """Running heads, footnotes, paragraph numbers, repeated table heads, generated text."""
    element = box.element
    return (
        isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox)
        or "::" in (box.element_tag or "")
        or (element is not None and element.get("class") == "pnum")
        or box.element_tag == "thead"
    )
