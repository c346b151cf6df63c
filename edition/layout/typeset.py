"""Every use of WeasyPrint and pydyf beyond their documented API, in one place.

The rest of the edition uses only WeasyPrint's documented API (`HTML`, `CSS`, `Document` and
`Page` with their `pages`, `anchors`, `copy` and `write_pdf`, `FontConfiguration`, `CounterStyle`,
the URL fetcher, the `finisher` hook) and, for what a layout holds, the plain summaries made here
(frozen dataclasses, defined in `pages`, which imports no WeasyPrint):

- `page_layouts`: for each page of a document, its anchors, whether it prints a folio, the body
  text block by block and the note calls (`PageLayout`); `breaks` and `pages` read these.
- `stopping_when`: WeasyPrint's pagination, stopped at a page that carries a note over (as
  `breaks` decides) or that ends where the page of the same number ended in the part's last
  layout (as `rejoin` decides), from the summaries of the pages made so far (`NewPage`).
- `write`: the PDF written with fixed page labels, reproducible font subsets and pydyf's page
  references listed once; `write_proof`, the same pages for the eye alone, each page that a
  layout kept from the last drawn once (`Drawings`).
- `page_drawings`: what each page draws and where (`PageDrawing`), for the tests of the print.

A WeasyPrint or pydyf upgrade changes this module and no other; tests/layout/test_typeset.py checks
on tiny documents, and by name, everything it relies on, and fails loudly if any of it moved.
"""

from __future__ import annotations

import functools
import hashlib
import io
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import pydyf
import weasyprint.layout
from fontTools import subset as fonttools_subset
from fontTools.ttLib import TTFont, TTLibError
from weasyprint.document import Document, Page
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import fonts as weasyprint_fonts

from ..errors import EditionError
from ..sources.model import alnum
from .pages import Block, Call, Line, Link, NewPage, PageDrawing, PageLayout, ParagraphLines, Text

# Reading a layout --------------------------------------------------------------------------
#
# WeasyPrint documents a page's `anchors`, not its boxes. The summaries are read from the box
# tree of each page (`Page._page_box`, set in `Page.__init__`), whose classes are those of
# `weasyprint.formatting_structure.boxes`. A note call is the box whose `.footnote` names the
# footnote's box (set by WeasyPrint's box builder, `formatting_structure.build`); its element,
# like the footnote's, is the note's element, whose id is the note's.


def page_layouts(pages: Sequence[Page]) -> list[PageLayout]:
    """The summary of each page."""
    return [_page_layout(page) for page in pages]


def _page_layout(page: Page) -> PageLayout:
    page_box = page._page_box
    return PageLayout(tuple(page.anchors), _has_folio(page_box), _blocks(page_box), _calls(page_box))


def _has_folio(page_box) -> bool:
    return any(
        isinstance(box, boxes.MarginBox)
        and box.at_keyword.startswith("@bottom")
        and any(isinstance(text, boxes.TextBox) and alnum(text.text) for text in box.descendants())
        for box in page_box.children
    )


def _blocks(page_box) -> tuple[Block, ...]:
    runs: list[Block] = []
    for box, block in _boxes_in_blocks(page_box, _not_body_text):
        if isinstance(box, boxes.TextBox):
            if runs and runs[-1].id == block:
                runs[-1] = Block(block, runs[-1].text + box.text)
            else:
                runs.append(Block(block, box.text))
    return tuple(runs)


def _calls(page_box) -> tuple[Call, ...]:
    return tuple(
        Call(box.element.get("id", ""), block)
        for box, block in _boxes_in_blocks(page_box)
        if getattr(box, "footnote", None) is not None
    )


def _boxes_in_blocks(box, prune=lambda box: False, block: str = "") -> Iterator[tuple[object, str]]:
    """Every box under `box` in document order, with the id of its nearest block-level ancestor
    (or table row) that has one; `prune` leaves out a box and everything in it."""
    for child in getattr(box, "children", ()):
        if prune(child):
            continue
        element = child.element
        named = isinstance(child, boxes.BlockLevelBox | boxes.TableRowBox) and element is not None
        inner = (element.get("id") if named else None) or block
        yield child, inner
        yield from _boxes_in_blocks(child, prune, inner)


def _not_body_text(box) -> bool:
    """Running heads, footnotes, paragraph numbers, repeated table heads, generated text."""
    element = box.element
    return (
        isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox)
        or "::" in (box.element_tag or "")
        or (element is not None and element.get("class") == "pnum")
        or box.element_tag == "thead"
    )


def page_drawings(pages: Sequence[Page]) -> list[PageDrawing]:
    """What each page draws, and where."""
    return [_page_drawing(page) for page in pages]


def _page_drawing(page: Page) -> PageDrawing:
    texts, lines, paragraphs, links = [], [], [], []
    for box in page._page_box.descendants():
        if isinstance(box, boxes.TextBox):
            texts.append(Text(box.text, box.position_x, box.position_y))
        elif isinstance(box, boxes.LineBox):
            lines.append(_line(box))
        elif isinstance(box, boxes.BlockBox) and box.element_tag == "p":
            paragraphs.append(
                ParagraphLines(
                    box.element.get("id") or "",
                    box.width,
                    tuple(_line(child) for child in box.children if isinstance(child, boxes.LineBox)),
                    any(element.tag.endswith("br") for element in box.element.iter()),
                )
            )
        if box.element_tag == "a" and not isinstance(box, boxes.TextBox):  # its text has its tag too
            text = "".join(child.text for child in box.descendants() if isinstance(child, boxes.TextBox))
            classes = tuple((box.element.get("class") or "").split())
            links.append(Link(box.element.get("href") or "", classes, text))
    return PageDrawing(page.width, tuple(texts), tuple(lines), tuple(paragraphs), tuple(links))


def _line(box) -> Line:
    return Line(box.position_x, box.width, sum(child.margin_width() for child in box.children))


# Stopping the pagination -------------------------------------------------------------------
#
# WeasyPrint 70 carries a footnote over to the next page, whatever the `footnote-policy`, when
# that lets the paragraph at the foot of the page keep its first two lines there (`orphans`;
# its issue 2432), and offers no way to see it happen. Its pagination is a generator,
# `weasyprint.layout.make_all_pages(context, root_box, html, pages)`, which `layout_document`
# calls by its name in `weasyprint.layout`, and which yields each page box as it is made; the
# notes carried from the page just made are then in `context.reported_footnotes` (footnote
# boxes; a call's box names its note as `.footnote`). Rebinding that name while a part is laid
# out lets `decide` see each page as it is made, and end the pagination there.

T = TypeVar("T")


@contextmanager
def stopping_when(decide: Callable[[list[NewPage]], T | None], every_page: bool = True) -> Iterator[list[T]]:
    """While in this context, WeasyPrint ends a layout with the first page for which `decide`
    returns something, which is put in the list this yields. `decide` is handed the pages made
    so far, the last just made; without `every_page`, only when that page carries a note over
    (the pages before it are then not summed up, which saves walking their boxes).

    Stopping `make_all_pages` early leaves a document of the pages made so far, with their
    running heads and numbers. Finding the document unfinished, WeasyPrint paginates again, up
    to 8 times; each time it stops at the same page, having kept the pages before it."""
    paginate = weasyprint.layout.make_all_pages
    found: list[T] = []

    def make_all_pages(context, root_box, html, pages) -> Iterator[boxes.PageBox]:
        made: list[NewPage] = []
        for page_box in paginate(context, root_box, html, pages):
            yield page_box
            if not every_page and not context.reported_footnotes:
                continue
            carried = tuple(note.element.get("id", "") for note in context.reported_footnotes)
            made.append(NewPage(_blocks(page_box), _calls(page_box), carried))
            decided = decide(made)
            if decided is not None:
                found[:] = [decided]
                return

    weasyprint.layout.make_all_pages = make_all_pages
    try:
        yield found
    finally:
        weasyprint.layout.make_all_pages = paginate


# Writing the PDF ---------------------------------------------------------------------------


def write(document: Document, front_pages: int, when: datetime, **options) -> tuple[bytes, dict[str, str]]:
    """The document as PDF (`options` are `Document.write_pdf`'s), its pages labelled as they
    are printed: i, ii … for the `front_pages` first, then 1, 2 …; and the faces embedded,
    family by the hash of the font file.

    Its font subsets are dated `when`, and the same bytes on any machine (see
    `_reproducible_font_subsets`); pydyf lists the pages' references once (see
    `_page_references_listed_once`)."""

    # The finisher is WeasyPrint's documented hook; what it is handed is pydyf's PDF object,
    # and the catalog entry is made of pydyf's objects.
    def page_labels(document: Document, pdf: pydyf.PDF) -> None:
        pdf.catalog["PageLabels"] = pydyf.Dictionary(
            {"Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/r"}), front_pages, pydyf.Dictionary({"S": "/D"})])}
        )

    with _page_references_listed_once(), _reproducible_font_subsets(when) as embedded:
        data = document.write_pdf(finisher=page_labels, **options)
    return data, embedded


@dataclass
class Drawings:
    """What the proofs written from one typesetter's layouts share, so that a page kept from
    one layout to the next (`rejoin`) is drawn once: the fonts, with every glyph any of them
    drew, and what each page draws (its PDF operators) with the transparency states it needs.
    A page is known by its `Page` object, so a page laid out again is drawn again."""

    fonts: dict = field(default_factory=dict)
    pages: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)


def write_proof(document: Document, front_pages: int, when: datetime, drawings: Drawings) -> bytes:
    """The document as a PDF for the eye: `write`'s pages, with no tags, no PDF/A and the
    streams not compressed; each page kept in `drawings` is not drawn again, and every page
    drawn is kept there. (The faces are subset all the same: embedded whole, the glyphs reached
    through GSUB, such as the old-style figures, would have no Unicode, and a search of the
    proof for "1937" would find nothing.)"""
    # `Document.fonts` is where the drawing of each page adds the fonts and glyphs it uses,
    # and from which WeasyPrint embeds them; one dict for every proof keeps the fonts of the
    # pages not drawn again.
    document.fonts = drawings.fonts
    with _pages_drawn_once(drawings.pages):
        data, _ = write(document, front_pages, when, uncompressed_pdf=True)
    return data


# A page draws into its content stream (`weasyprint.pdf.stream.Stream`, a `pydyf.Stream`) in
# `Page.paint(stream, scale)`, called once a page by WeasyPrint's `generate_pdf`, which first
# sets the stream's initial transform. What the page draws is the operators it appends to
# `stream.stream`; it also registers fonts in `document.fonts` (shared through
# `Drawings.fonts`) and may add images and resources that all pages share (`stream._images`,
# `stream._resources`). A page whose drawing added any but the plain transparency states
# (ExtGState `a…`/`A…`: {'ca': x} or {'CA': x}) is drawn again each time.
_PLAIN_STATE = {"ca", "CA"}


@contextmanager
def _pages_drawn_once(drawn: weakref.WeakKeyDictionary) -> Iterator[None]:
    paint = Page.paint

    def paint_once(page: Page, stream, scale=1) -> None:
        kept = drawn.get(page)
        if kept is not None and kept[0] == scale:
            _, operators, states = kept
            stream.stream.extend(operators)
            for key, value in states.items():
                stream._resources["ExtGState"].setdefault(key, pydyf.Dictionary(value))
            return
        start = len(stream.stream)
        paint(page, stream, scale)
        resources = stream._resources
        shared = [resources[name] for name in ("XObject", "Pattern", "Shading")]
        states = {key: dict(value) for key, value in resources["ExtGState"].items()}
        if not stream._images and not any(shared) and all(set(value) <= _PLAIN_STATE for value in states.values()):
            drawn[page] = (scale, stream.stream[start:], states)

    Page.paint = paint_once
    try:
        yield
    finally:
        Page.paint = paint


@contextmanager
def _page_references_listed_once() -> Iterator[None]:
    """pydyf 0.13 lists the references of all pages each time one is asked for
    (`pydyf.PDF.page_references`, a property), and WeasyPrint asks once per tagged element: time
    grows with the square of the pages (a minute for an 800-page reader). While the PDF is
    written, the list is made once for each page count."""
    listing = pydyf.PDF.page_references
    made: dict[tuple[int, int], tuple[bytes, ...]] = {}

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        key = (id(pdf), len(pdf.pages["Kids"]))
        if key not in made:
            made[key] = listing.fget(pdf)
        return made[key]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = listing


# WeasyPrint 70 subsets each embedded font with HarfBuzz when libharfbuzz-subset is installed,
# else with fontTools (`weasyprint.pdf.fonts.Font.subset`). The two give different bytes, and
# fontTools stamps the subset's `head.modified` with the time of the build: the same source
# gave different PDFs on two machines, or two builds a second apart. While the PDF is written,
# every font is subset with fontTools, with its `head` dates set to the build date, whichever
# library the machine has. What this relies on: `Font.subset(self, to_unicode, hinting)`,
# called from `Font.clean`, and `Font.file_content`, `Font.index`, `Font.missing`,
# `Font.family`.

# Seconds from 1904-01-01 (the epoch of a font's `head` dates) to 1970-01-01.
FONT_EPOCH_OFFSET = 2082844800
# The tables the PDF does not need: the text is shaped already, and WeasyPrint draws no SVG glyphs.
DROPPED_TABLES = ["GSUB", "GPOS", "SVG "]


@functools.lru_cache(maxsize=32)  # a proof after a small edit subsets the same glyphs again
def subset_font(
    data: bytes, index: int, glyphs: frozenset[int], hinting: bool, notdef_outline: bool, when: datetime
) -> bytes:
    """The font keeping only `glyphs` (ids kept), dated `when`: the same bytes on any machine."""
    options = fonttools_subset.Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True)
    options.hinting, options.desubroutinize, options.notdef_outline = hinting, True, notdef_outline
    options.drop_tables += [tag.strip() for tag in DROPPED_TABLES]
    subsetter = fonttools_subset.Subsetter(options)
    subsetter.populate(gids=glyphs)
    font = TTFont(io.BytesIO(data), fontNumber=index, recalcTimestamp=False)
    # Removed before the subsetter reads them: fontTools 4.68 decompiles GSUB and GPOS before it
    # drops them, four fifths of the time a subset takes (0.17 s a face); the bytes are the same.
    for tag in DROPPED_TABLES:
        if tag in font:
            del font[tag]
    subsetter.subset(font)
    stamp = int(when.astimezone(UTC).timestamp()) + FONT_EPOCH_OFFSET
    font["head"].created = font["head"].modified = stamp
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@contextmanager
def _reproducible_font_subsets(when: datetime) -> Iterator[dict[str, str]]:
    """While the PDF is written, fonts are subset by `subset_font`; yields the faces embedded,
    family by hash of the font file."""
    original = weasyprint_fonts.Font.subset
    embedded: dict[str, str] = {}

    def subset(font, to_unicode, hinting) -> None:
        # A document written twice, or proofs sharing their fonts (`Drawings`), subset the same
        # Font again, whose content is by then a subset: it is subset from the whole face, which
        # it is known by.
        if not hasattr(font, "edition_face"):
            font.edition_whole = font.file_content
            font.edition_face = hashlib.sha256(font.file_content).hexdigest()
        embedded[font.edition_face] = font.family
        if not to_unicode:
            return
        try:
            font.file_content = subset_font(
                font.edition_whole, font.index, frozenset(to_unicode), hinting, bool(font.missing), when
            )
        except TTLibError as error:
            raise EditionError(f"cannot embed the font {font.family}: {error}") from None

    weasyprint_fonts.Font.subset = subset
    try:
        yield embedded
    finally:
        weasyprint_fonts.Font.subset = original
