"""The print edition as HTML, for WeasyPrint: the parts it lays out one by one, and a part's HTML
from a given block on, when a layout resumes there.

Hands on `print_parts` and `FRONT` (what `pdf` lays out, in order), `print_part` (one part as an
HTML document) and `continue_from` (that document from a block on) to `pdf` and `breaks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.etree
import lxml.html

from ..sources.model import Edition, Essay, Imprint
from .shared import Output, render

PRINT = Output(
    "print",
    note_calls="floated",
    capabilities=frozenset({"name_links", "break_hints", "page_numbers", "own_typeface", "carries_sources"}),
)


@dataclass(frozen=True)
class PrintPart:
    """A part of the print edition that WeasyPrint lays out on its own: the front matter, an
    essay, the register, the further reading, the note on the text, or (`blank` > 0) that many
    blank pages, or (kind "folios") that many empty pages of the main text, on which `pdf` lays
    out the page numbers of the parts it keeps from an earlier layout.

    `heads` are the running heads of its left and right pages, which a layout resumed within it
    sets itself (see `continue_from`); `entries`, the register's entries or the further
    reading's works, from which such a layout may resume as from an essay's paragraphs (see
    `breaks.resumable_blocks`); `cites_pages`, whether it prints the pages of other parts (the
    register does), which are laid out before it."""

    kind: str
    essay: Essay | None = None
    blank: int = 0
    heads: tuple[str, str] = ("", "")
    entries: tuple[str, ...] = ()
    cites_pages: bool = False

    @property
    def name(self) -> str:
        return self.essay.id if self.essay else self.kind


def print_parts(edition: Edition) -> list[PrintPart]:
    """The numbered parts of the print edition, in order (the front matter comes before them)."""
    parts = [PrintPart("essay", essay, heads=(essay.author, essay.title)) for essay in edition.essays]
    if edition.register:
        entries = tuple(entry.id for section in edition.register for entry in section.entries)
        # print.html.j2's heading; the pages of the essays' places
        parts.append(PrintPart("register", heads=("", "Register"), entries=entries, cites_pages=True))
    if edition.works:
        # After the register: the two lists of works stand together, and the note on the text,
        # the edition's account of itself, stays last.
        works = tuple(work.id for work in edition.works)
        parts.append(PrintPart("further-reading", heads=("", "Further reading"), entries=works))
    return [*parts, PrintPart("note-on-the-text")]


FRONT = PrintPart("front")


def print_part(edition: Edition, imprint: Imprint, part: PrintPart, folios: dict[str, str]) -> str:
    """One part as an HTML document, for WeasyPrint. `folios` maps the anchors of the parts laid
    out before it to their printed page."""
    return render("print.html.j2", PRINT, edition, imprint, part=part, folios=folios)


def continue_from(html: str, block: str | None, until: str | None = None) -> str:
    """A part's HTML from the block with id `block` on (from its start if None), for a layout
    that continues the pages of the part already laid out before it (see `pdf`); and, with
    `until`, only up to the block with that id, for a layout that will stop before it.

    What stands before the block is left out, but the block is laid out as it would be in the
    whole part: the editorial footnotes' counter and a list's numbers go on from the ones left
    out; the sibling just before it stays, hidden and empty, so that selectors such as `p + p`
    still match; and the boxes around it lose what an earlier page already showed of them: their
    id, top margin, padding and border, and their break.
    """
    document = lxml.html.document_fromstring(html)
    body = document.body
    if until:
        _leave_out_from(body, body.get_element_by_id(until))
    if block:
        _leave_out_before(body, body.get_element_by_id(block))
    return lxml.etree.tostring(document, encoding="unicode")  # as XML: see `layout.typeset.html_document`


def _leave_out_before(body: lxml.html.HtmlElement, target: lxml.html.HtmlElement) -> None:
    element, footnotes = target, 0
    while element is not body:
        parent = element.getparent()
        left_out = list(element.itersiblings(preceding=True))
        for sibling in left_out:
            footnotes += sum("footnote" in inner.classes for inner in sibling.iter())
            parent.remove(sibling)
        if element is target:
            if left_out:
                hidden = {"class": left_out[0].get("class", ""), "hidden": ""}
                element.addprevious(lxml.html.Element(left_out[0].tag, hidden))
            if element.tag == "li":
                _add_style(parent, f"counter-reset: list-item {sum(item.tag == 'li' for item in left_out)}")
            _add_style(element, "break-before: auto")
        else:
            element.attrib.pop("id", None)
            element.attrib.pop("aria-labelledby", None)
            _add_style(element, f"break-before: auto; {TOP_EDGE}")
        if parent is body:
            _add_style(element, f"counter-reset: footnote {footnotes}")
        element = parent
    _add_style(body, TOP_EDGE)


def _leave_out_from(body: lxml.html.HtmlElement, target: lxml.html.HtmlElement) -> None:
    """Leave out `target` and everything after it."""
    element = target
    while element is not body:
        for sibling in list(element.itersiblings()):
            element.getparent().remove(sibling)
        element = element.getparent()
    target.getparent().remove(target)


TOP_EDGE = "margin-top: 0; padding-top: 0; border-top-width: 0"


def _add_style(element: lxml.html.HtmlElement, declarations: str) -> None:
    element.set("style", "; ".join(filter(None, [element.get("style"), declarations])))
