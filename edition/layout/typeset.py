"""Every use of WeasyPrint and pydyf beyond their documented API, in one place.

The rest of the edition uses only WeasyPrint's documented API (`HTML`, `CSS`, `Document` and
`Page` with their `pages`, `anchors`, `copy` and `write_pdf`, `FontConfiguration`, `CounterStyle`,
the URL fetcher, the `finisher` hook) and, for what a layout holds, the plain summaries made here
(frozen dataclasses, defined in `pages`, which imports no WeasyPrint):

- `html_document`: WeasyPrint's `HTML` of a part, parsed by the XML parser rather than by
  WeasyPrint's HTML5 parser, twenty times as fast, into the same tree.
- `page_layouts`: for each page of a document, its anchors, whether it prints a folio, the body
  text block by block and the note calls (`PageLayout`); `breaks` and `pages` read these.
- `laid_out_once`: a page's footnote area measured again without laying out again a note at a
  place where it was laid out, and a text not broken into lines again that was broken before in
  the same width and style (in the same measurement, or in an earlier layout of the part).
- `stopping_when`: WeasyPrint's pagination, stopped at a page that ends where the page of the
  same number ended in the part's last layout (as `rejoin` decides), and a block started on a
  new page where a page carries a note over (as `breaks` decides), from the summaries of the
  pages made so far (`NewPage`).
- `notes_too_tall`: the pages whose footnotes rise over their text (a note taller than a page).
- `write`: the PDF written with fixed page labels, reproducible font subsets, pydyf's page
  references listed once, its streams deflated in threads beside the writing and its objects
  serialized once; for the
  archival PDF, tagged for reading (`_tagged_for_reading`, `_read_in_order`: each element whole
  across page breaks, footnotes as Notes after the paragraph of their call, running heads and
  folios as artifacts) and identified as PDF/UA-1;
  `write_proof`, the same pages for the eye alone, each page that a layout kept from the last
  drawn once, and each text drawn before not shaped again (`Drawings`).
- `draw_ahead`: pages drawn for the archival PDF before it is written (while a worker lays out
  the register), which `write` then takes as drawn (`DrawnAhead`): the same bytes;
  `drawn_ahead_sent` and `drawn_ahead_read`, pages drawn so in a worker process and taken back.
- `renumber`: a page kept from an earlier layout made to print the number it now has, from a
  page laid out for that number (`pdf`'s folio sheet).
- `page_drawings`: what each page draws and where (`PageDrawing`), for the tests of the print.
- `pickled`, `unpickled`: a layout sent from one process to another (`parallel`): its pages
  as bytes, and back, sharing the fonts, counter styles and URL fetcher of the process that
  reads them.

A WeasyPrint or pydyf upgrade changes this module and no other; tests/layout/test_typeset.py checks
on tiny documents, and by name, everything it relies on, and fails loudly if any of it moved.
"""

from __future__ import annotations

import contextlib
import copy
import copyreg
import functools
import hashlib
import io
import pickle
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import inf
from typing import TypeVar
from xml.etree import ElementTree

import cssselect2
import pydyf
import weasyprint
import weasyprint.document
import weasyprint.draw
import weasyprint.draw.text
import weasyprint.layout
import weasyprint.layout.block
import weasyprint.layout.inline
from fontTools import subset as fonttools_subset
from fontTools.ttLib import TTFont, TTLibError
from weasyprint.document import Document, Page
from weasyprint.draw import draw_stacking_context
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.matrix import Matrix
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.pdf import tags as weasyprint_tags
from weasyprint.pdf.stream import Stream
from weasyprint.stacking import StackingContext
from weasyprint.text.fonts import get_pango_font_key

from ..errors import EditionError
from ..sources.model import alnum
from .pages import Block, BreakBefore, Call, Line, Link, NewPage, PageDrawing, PageLayout, ParagraphLines, Text
from .parallel import available_cores, beside

# Parsing a part ----------------------------------------------------------------------------
#
# `weasyprint.HTML(string=…)` parses with tinyhtml5, an HTML5 parser in pure Python: for the
# edition's four parts that print no page numbers (130,000 characters), 0.08–0.10 s, against
# 4 ms for the XML parser of Python's standard library (expat, in C), which makes the same kind
# of tree (`xml.etree.ElementTree` elements, with no namespace: tinyhtml5 is called with
# `namespace_html_elements=False`). The print HTML is well-formed XML (the templates write the
# XHTML the EPUB shares, and `html.print.continue_from` serializes as XML), and has nothing that
# an HTML5 parser places elsewhere than the XML parser does: no text outside `head` and `body`
# (print.html.j2), no element HTML5 closes or opens by itself (the templates keep to XHTML's
# content model, which EPUBCheck checks in the EPUB they also write), no foreign content; the
# tests compare the two trees for every part of the edition and of the mini-edition, whole and
# cut. `HTML.__init__`, once it has parsed, sets `base_url` (from a `<base>` element, if any),
# `url_fetcher`, `media_type`, `wrapper_element` and `etree_element`; so does `html_document`.


def html_document(html: str, base_url: str, url_fetcher) -> weasyprint.HTML:
    """The HTML of a part as WeasyPrint's `HTML`, for the print: parsed as XML (see above); or,
    if it is not well-formed XML (which the templates never write: the tests check it), as
    WeasyPrint parses it, so that such a part costs time, not the build."""
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    document = weasyprint.HTML.__new__(weasyprint.HTML)
    document.base_url = weasyprint._find_base_url(root, base_url)
    document.url_fetcher = url_fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document


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
    # Text in a margin box at the page's foot: the folio, or a course reader's course line.
    return any(
        isinstance(box, boxes.MarginBox)
        and box.at_keyword.startswith("@bottom")
        and any(isinstance(text, boxes.TextBox) and alnum(text.text) for text in box.descendants())
        for box in page_box.children
    )


# Folios ------------------------------------------------------------------------------------
#
# What a page prints of its number is laid out in its margin boxes (`boxes.MarginBox`, children
# of the page box after the html box and the footnote area, each known by its `at_keyword`)
# whose computed `content` names the `page` counter (`("counter()", ("page", style))`); nothing
# else on a page depends on its number. So a part laid out where it stood in an earlier layout
# takes those boxes from pages laid out with nothing on them for the numbers it has now, of the
# same kind (`PageType`, the page box's `page_type`: its `name`, `side`, `blank`, and `index` 0
# for `:first`; and the boxes' computed style): the page box's children, a tuple, replaced in
# place. The PDF is drawn and tagged from them (`draw_page`, `_tagged_for_reading`), so it is
# what a layout of the part where it now stands gives.


# Where `pdf` sets a course reader's course line: in the foot of the main text's pages, as the
# folio is, and taken from the sheet's page as the folio is (`_numbered`).
COURSE_LINE = "@bottom-center"


def renumber(pages: Sequence[Page], first_page: int, sheet: Callable[[list[tuple[int, bool]]], list[Page]]) -> bool:
    """The pages made to print the numbers they have from `first_page`, and the sheet's course
    line: each page's margin boxes that print its number or the course (`_numbered`) replaced,
    in place, by those of the `sheet`'s page for that number, handed the number and whether the
    page was its document's first (`:first`: a part's first page, or the first of a layout
    resumed within it) of each page (a page that prints neither is left as it is). False, and
    nothing changed, if a page's would look otherwise than the sheet's page's but for their text
    (see `_kind`): the part must be laid out where it stands."""
    sources = sheet([(first_page + index, page._page_box.page_type.index == 0) for index, page in enumerate(pages)])
    replaced = []
    for page, source in zip(pages, sources, strict=True):
        old = _numbered(page._page_box)
        if old:
            new = _numbered(source._page_box)
            if _kind(page._page_box, old) != _kind(source._page_box, new):
                return False
            replaced.append((page._page_box, new))
    for box, new in replaced:
        box.children = tuple(new.get(getattr(child, "at_keyword", None), child) for child in box.children)
    return True


# What a margin box's look depends on, beside its text: which boxes there are, the page's name,
# side, whether it is blank or a document's first (the page selectors a stylesheet may name, but
# for `:nth()`), and the face, size, colour and alignment each box was given.
_LOOK = ("font_family", "font_size", "font_weight", "font_style", "color", "text_align_all", "vertical_align")


def _kind(page_box, numbered: dict[str, boxes.MarginBox]) -> tuple:
    page_type = page_box.page_type
    looks = tuple((key, *(box.style[name] for name in _LOOK)) for key, box in sorted(numbered.items()))
    return page_type.name, page_type.side, page_type.blank, page_type.index == 0, looks


def _numbered(page_box) -> dict[str, boxes.MarginBox]:
    """The page's margin boxes that print its number, and its course line, by their at-keyword."""
    return {
        box.at_keyword: box
        for box in page_box.children
        if isinstance(box, boxes.MarginBox) and (_names_the_page(box.style["content"]) or box.at_keyword == COURSE_LINE)
    }


def _names_the_page(content) -> bool:
    return isinstance(content, tuple | list) and any(
        kind in ("counter()", "counters()") and value[0] == "page" for kind, value in content
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


def _boxes_in_blocks(box, prune=lambda box: False) -> Iterator[tuple[object, str]]:
    """Every box under `box` in document order, with the id of its nearest block-level ancestor
    (or table row) that has one; `prune` leaves out a box and everything in it. (A stack of the
    boxes' children still to see, not a generator for each level: a box deep in a page passed
    through one generator for each box above it, and the page's summary took twice as long.)"""
    stack = [(iter(getattr(box, "children", ())), "")]
    while stack:
        children, block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        if prune(child):
            continue
        element = child.element
        named = isinstance(child, _NAMING_BOXES) and element is not None
        inner = (element.get("id") if named else None) or block
        yield child, inner
        stack.append((iter(getattr(child, "children", ())), inner))


_NAMING_BOXES = (boxes.BlockLevelBox, boxes.TableRowBox)  # whose element's id names the block


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


def notes_too_tall(pages: Sequence[Page]) -> list[tuple[str, float]]:
    """For each page whose footnote area rises above the top of its text, the id of its tallest
    note and the area's height against the height of the page's text. WeasyPrint 70 cannot
    split a footnote over two pages: a note taller than the page, with those beside it, is put
    at the foot all the same, and drawn over the text and the running head above it."""
    found = []
    for page in pages:
        page_box = page._page_box
        for area in page_box.children:
            if isinstance(area, boxes.FootnoteAreaBox) and area.children and area.position_y < page_box.content_box_y():
                tallest = max(area.children, key=lambda note: note.margin_height())
                found.append((tallest.element.get("id", ""), area.margin_height() / page_box.height))
    return found


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


# Stopping the pagination, and breaking a page in it ---------------------------------------
#
# WeasyPrint 70 carries a footnote over to the next page, whatever the `footnote-policy`, when
# that lets the paragraph at the foot of the page keep its first two lines there (`orphans`;
# its issue 2432), and offers no way to see it happen. Its pagination is a generator,
# `weasyprint.layout.make_all_pages(context, root_box, html, pages)`, which `layout_document`
# calls by its name in `weasyprint.layout`, and which yields each page box as it is made; the
# notes carried from the page just made are then in `context.reported_footnotes` (footnote
# boxes; a call's box names its note as `.footnote`). Rebinding that name while a part is laid
# out lets `decide` see each page as it is made, and end the pagination there.
#
# `layout_document` paginates again (up to `max_loops` times) while a page of
# `context.page_maker` (the state from which each page is made: where it resumes, its counters)
# is marked `content_changed`, re-making that page and every later one whose state changed, and
# keeping the pages before it as they were: WeasyPrint's way of re-making a page once a counter
# it printed is known. A block is started on a new page where it stands by the same means: its
# box in the formatting structure (`root_box`) is given `break-before: page`, as a stylesheet
# would give it, and the page where it begins is marked to be made again, with the notes that
# were carried into it (`reported_footnotes`, which a page kept is not made again to set), and
# so is every page after it: the state of a page after the last is marked unchanged, and WeasyPrint,
# finding no page of the last pagination to keep there, would fail (`IndexError`). So
# the pages before it are not laid out again, nor the document read, styled and boxed again.
# There is at most one such break for each note, so `layout_document` is allowed one more
# pagination for each (`document.layout_document`, called by that name in `Document._render`).
# A layout that stops early clears the marks of the pages after it, so that it is not
# paginated again.

T = TypeVar("T")


@contextmanager
def stopping_when(
    decide: Callable[[list[NewPage]], T | BreakBefore | None], every_page: bool = True
) -> Iterator[list[T]]:
    """While in this context, WeasyPrint ends a layout with the first page for which `decide`
    returns something, which is put in the list this yields; for `BreakBefore(block)`, it starts
    that block on a new page instead, and goes on from the page where it began. `decide` is
    handed the pages made so far, the last just made (less those from a page made again);
    without `every_page`, only when that page carries a note over (the pages before it are then
    not summed up, which saves walking their boxes).

    Stopping `make_all_pages` early leaves a document of the pages made so far, with their
    running heads and numbers."""
    paginate, lay_out = weasyprint.layout.make_all_pages, weasyprint.document.layout_document
    found: list[T] = []
    made: list[tuple[int, NewPage]] = []  # the pages handed to `decide`, by their index
    page_boxes: list[boxes.PageBox] = []  # every page made so far
    carried_into: list[list] = [[]]  # the notes carried into each of them, and into the next

    def make_all_pages(context, root_box, html, pages) -> Iterator[boxes.PageBox]:
        for index, page_box in enumerate(paginate(context, root_box, html, pages)):
            yield page_box
            if index < len(page_boxes):  # kept from the last pagination, and decided on then
                continue
            page_boxes.append(page_box)
            carried_into.append(list(context.reported_footnotes))
            if not every_page and not context.reported_footnotes:
                continue
            carried = tuple(note.element.get("id", "") for note in context.reported_footnotes)
            made.append((index, NewPage(_blocks(page_box), _calls(page_box), carried)))
            decided = decide([page for _, page in made])
            if isinstance(decided, BreakBefore):
                again = _break_before(root_box, decided.block, page_boxes)
                for state in context.page_maker[again:]:  # and the pages after it, made again as need be
                    state[-1]["content_changed"] = True
                context.reported_footnotes = list(carried_into[again])
                del page_boxes[again:], carried_into[again + 1 :]
                made[:] = [(at, page) for at, page in made if at < again]
                return
            if decided is not None:
                found[:] = [decided]
                for state in context.page_maker[index + 1 :]:
                    state[-1]["content_changed"] = False
                return

    def layout_document(html, root_box, context, max_loops=8):
        return lay_out(html, root_box, context, max_loops + len(context.footnotes))

    weasyprint.layout.make_all_pages, weasyprint.document.layout_document = make_all_pages, layout_document
    try:
        yield found
    finally:
        weasyprint.layout.make_all_pages, weasyprint.document.layout_document = paginate, lay_out


def _break_before(root_box, block: str, pages: Sequence[boxes.PageBox]) -> int:
    """The box of the element with the id `block` given `break-before: page`; the index of the
    first page it stands on, of the `pages` up to the last one it stands on (or after)."""
    for box in root_box.descendants():
        if isinstance(box, boxes.BlockLevelBox) and box.element is not None and box.element.get("id") == block:
            box.style["break_before"] = "page"
            break
    first = len(pages) - 1
    while first > 0 and any(run.id == block for run in _blocks(pages[first - 1])):
        first -= 1
    return first


# Laying out once what was laid out before ------------------------------------------------
#
# Each time a note is called on a page, WeasyPrint 70 lays the page's whole footnote area out
# again to learn its height (`LayoutContext._update_footnote_area`: a copy of the area, laid
# out, measured and thrown away), so each of a page's n notes is laid out up to n times, the
# same note at the same place each time: a page's first note at the top of its area, its second
# below the first... While an area is measured, `laid_out_once` has WeasyPrint lay each note out
# once for each place it takes in the area: `layout.block.block_level_layout` (the name
# `_in_flow_layout` calls for each child of the area) returns, for the same note at the same
# place, with the same width, margins and page, what it returned the first time in that
# document: the laid-out note (which the measurement only reads: it never draws, moves or keeps
# it), with fresh copies of the lists and mapping the caller adds to. A note whose layout left a
# mark outside its box (a float, an absolutely placed box, a footnote or a break of its own, the
# margins list it was given changed in place otherwise than by appending) is not remembered:
# laid out again each time, as before. The note's style and element are the same objects in
# every copy of the area (a copy shares its boxes' styles and elements), and are kept with what
# was remembered, so that no other takes their ids. The area a page keeps is laid out after the
# measurements, without this.
#
# And `layout.inline.split_first_line` (the name `split_text_box` calls, for each line of a text)
# returns, for the same text, width and options in a style the same in every property it reads
# (`LINE_STYLE`), what it returned the first time: within the measurements of a document's
# footnote areas, or, given the lines of earlier layouts (`lines`, which `edition watch` keeps
# for each part: `pdf.PartLayout`), in the whole layout. So a paragraph that only moved, as
# every paragraph after a new one does, is not broken into lines again. What it returns is the
# line's width, height, baseline, length and Pango layout; the layout is released already
# (`Layout.deactivate`: what remains is its text and a few numbers, which pickle), and is handed
# out as a copy, since drawing a line may change its text (`draw_first_line`, for an ellipsis).
# The fonts are the typesetter's, the same for all its layouts; `context` is read only for its
# hyphenation dictionaries, which depend on the language and limits alone.
LINE_STYLE = (
    "direction",
    "font_family",
    "font_feature_settings",
    "font_kerning",
    "font_language_override",
    "font_size",
    "font_stretch",
    "font_style",
    "font_variant_alternates",
    "font_variant_caps",
    "font_variant_east_asian",
    "font_variant_ligatures",
    "font_variant_numeric",
    "font_variant_position",
    "font_variation_settings",
    "font_weight",
    "hyphenate_character",
    "hyphenate_limit_chars",
    "hyphenate_limit_zone",
    "hyphens",
    "lang",
    "letter_spacing",
    "line_height",
    "overflow_wrap",
    "tab_size",
    "text_decoration_line",
    "white_space",
    "word_break",
    "word_spacing",
)


@contextmanager
def laid_out_once(lines: dict | None = None) -> Iterator[None]:
    """While in this context, a footnote area measured again lays out no note again at a place
    where it was laid out before, and no text is broken into lines again that was broken before
    at the same width in the same style: within the measurements of a footnote area, or, given
    `lines` (the lines of earlier layouts, to which this one's are added), anywhere (see above).
    The pages are the same."""
    measure = weasyprint.layout.LayoutContext._update_footnote_area
    split = weasyprint.layout.inline.split_first_line
    block_layout = weasyprint.layout.block.block_level_layout
    # While an area is measured: its document's lines, by what they were broken from, and its
    # notes laid out, by where (kept in the document's layout context, for as long as it lives).
    measuring: list[tuple[dict, dict]] = []
    styles: dict[int, tuple] = {}  # each style's `LINE_STYLE` values, by id (the style kept with them)

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        broken = lines if lines is not None else measuring[-1][0] if measuring else None
        line_style = broken is not None and _line_style(style, styles)
        if not line_style:
            return split(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        key = (text, line_style, max_width, justification_spacing, is_line_start, minimum)
        if key not in broken:
            broken[key] = split(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        layout, *metrics = broken[key]
        return (copy.copy(layout), *metrics)

    def block_level_layout(context, box, bottom_space, skip_stack, containing_block, *args, **options):
        # `_in_flow_layout` passes, after these: page_is_empty, absolute_boxes, fixed_boxes,
        # adjoining_margins, first_letter_style, first_line_style, discard, max_lines.
        if not (
            measuring
            and isinstance(containing_block, boxes.FootnoteAreaBox)
            and bottom_space == -inf  # as the measurement lays the area out: no page to break
            and skip_stack is None
            and not options
            and len(args) == 8
            and args[4] is None  # no ::first-letter or ::first-line style handed down
            and args[5] is None
        ):
            return block_layout(context, box, bottom_space, skip_stack, containing_block, *args, **options)
        page_is_empty, absolute_boxes, fixed_boxes, margins, _, _, discard, max_lines = args
        key = (
            id(box.style),
            id(box.element),
            box.position_x,
            box.position_y,
            containing_block.width,
            page_is_empty,
            tuple(margins),
            discard,
            max_lines,
            context.current_page > 1,  # with `forced_break`, whether a top margin is truncated
            context.forced_break,
        )
        notes = measuring[-1][1]
        if key not in notes:
            given = list(margins)

            def marks() -> tuple[int, ...]:
                return (
                    len(context.excluded_shapes),
                    len(context.broken_out_of_flow),
                    len(context.footnotes),
                    len(context.current_page_footnotes),
                    len(context.reported_footnotes),
                    len(absolute_boxes),
                    len(fixed_boxes),
                )

            before = marks()
            laid_out = block_layout(context, box, bottom_space, skip_stack, containing_block, *args)
            if marks() != before or margins[: len(given)] != given:
                return laid_out
            notes[key] = (box.style, box.element, margins[len(given) :], laid_out)
        _, _, appended, (note, resume_at, next_page, next_margins, collapsing, lines_left) = notes[key]
        margins.extend(appended)
        return note, resume_at, dict(next_page), list(next_margins), collapsing, lines_left

    def measured(context) -> bool:
        measuring.append(context.__dict__.setdefault("edition_measured", ({}, {})))
        try:
            return measure(context)
        finally:
            measuring.pop()

    weasyprint.layout.LayoutContext._update_footnote_area = measured
    weasyprint.layout.inline.split_first_line = split_first_line
    weasyprint.layout.block.block_level_layout = block_level_layout
    try:
        yield
    finally:
        weasyprint.layout.LayoutContext._update_footnote_area = measure
        weasyprint.layout.inline.split_first_line = split
        weasyprint.layout.block.block_level_layout = block_layout


def _line_style(style, known: dict[int, tuple]) -> tuple | None:
    """The style's values of `LINE_STYLE`, by which a text's lines are known (remembered in
    `known` by the style's id, with the style, so that no other takes its id); None if a value
    cannot be compared so (a length in `calc()`, which may depend on more, or a list)."""
    if id(style) not in known:
        # A set (`text_decoration_line`'s lines) compared as one.
        values = tuple(
            frozenset(value) if isinstance(value, set) else value for value in (style[name] for name in LINE_STYLE)
        )
        zone = style["hyphenate_limit_zone"]
        try:
            hash(values)
        except TypeError:
            values = None
        known[id(style)] = (style, values if getattr(zone, "unit", None) is not None else None)
    return known[id(style)][1]


# Writing the PDF ---------------------------------------------------------------------------


def write(
    document: Document,
    front_pages: int,
    when: datetime,
    endnotes: Mapping[str, str] | None = None,
    ahead: DrawnAhead | None = None,
    jobs: int = 1,
    **options,
) -> tuple[bytes, dict[str, str]]:
    """The document as PDF (`options` are `Document.write_pdf`'s), its pages labelled as they
    are printed: i, ii … for the `front_pages` first, then 1, 2 …; and the faces embedded,
    family by the hash of the font file.

    Its font subsets are dated `when`, and the same bytes on any machine (see
    `_reproducible_font_subsets`); pydyf lists the pages' references once (see
    `_page_references_listed_once`). With `endnotes` (the ids of the notes that are not
    footnotes, each with the mark its calls show), the PDF is tagged for reading and identified as PDF/UA-1 (see
    `_tagged_for_reading`), which asks for a PDF/A variant of level a (tagged, with XMP). The
    pages in `ahead` are not drawn again (see `draw_ahead`). A PDF of many objects has them
    serialized in `jobs` processes at most (see `_serialized_once`)."""
    if endnotes is not None and options.get("pdf_variant") not in ("pdf/a-1a", "pdf/a-2a", "pdf/a-3a"):
        raise ValueError("a PDF tagged for reading is written as PDF/A level a")

    # The finisher is WeasyPrint's documented hook; what it is handed is pydyf's PDF object,
    # and the catalog entry is made of pydyf's objects.
    def finish(document: Document, pdf: pydyf.PDF) -> None:
        pdf.catalog["PageLabels"] = pydyf.Dictionary(
            {"Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/r"}), front_pages, pydyf.Dictionary({"S": "/D"})])}
        )
        if made is not None:
            _read_in_order(pdf, document, made, endnotes)
            _identify_pdf_ua(pdf)
        _compressed_beside(pdf, threads)  # last: every stream is as it will be written
        _serialized_once(pdf, jobs)

    tagging = _tagged_for_reading(document) if endnotes is not None else contextlib.nullcontext()
    with (
        _page_references_listed_once(),
        _reproducible_font_subsets(when) as embedded,
        tagging as made,
        _pages_drawn_ahead(ahead) if ahead else contextlib.nullcontext(),
        ThreadPoolExecutor(available_cores()) as threads,
    ):
        data = document.write_pdf(finisher=finish, **options)
    return data, embedded


# pydyf writes each stream whose `compress` is set (`pydyf.Stream.data`) by joining its items
# (`Stream.stream`, each made bytes by `pydyf._to_bytes`), deflating them with zlib at level 9,
# and setting `/Filter /FlateDecode` and `/Length` in a copy of its dictionary (`Stream.extra`),
# one stream after another, in `PDF.write`: a fifth of the time a PDF takes to write. Once the
# PDF is made, and before it is written, `_compressed_beside` has threads deflate the streams
# (zlib lets go of the interpreter while it works) while this one writes the rest: each stream
# is left holding its deflated bytes, wrapped in an object that waits for them when pydyf asks,
# with `/Filter` set as pydyf would set it, and `compress` off. The same bytes.
DEFLATE_LEVEL = 9


class _Deflated(pydyf.Object):
    """A stream's items, deflated in a thread: its `data` when they are."""

    def __init__(self, deflated: Future[bytes]):
        super().__init__()
        self.deflated = deflated

    @property
    def data(self) -> bytes:
        return self.deflated.result()


def _deflate(raw: bytes) -> bytes:
    deflater = zlib.compressobj(level=DEFLATE_LEVEL)
    return deflater.compress(raw) + deflater.flush()


def _compressed_beside(pdf: pydyf.PDF, threads: ThreadPoolExecutor) -> None:
    for stream in pdf.objects:
        if isinstance(stream, pydyf.Stream) and stream.compress:
            raw = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
            stream.stream, stream.compress = [_Deflated(threads.submit(_deflate, raw))], False
            stream.extra["Filter"] = "/FlateDecode"


# pydyf serializes each object of the PDF twice in `PDF.write`: once to write it (a dictionary or
# array into the object stream), and once more, with a PDF identifier (which every PDF/A has),
# to hash the whole PDF's objects for the identifier (`obj.data for obj in self.objects`): two
# fifths of the writing's time. Once the PDF is made, `_serialized_once` puts in place of each
# object that goes into the object stream (`compressible`: not a stream) one that holds its
# bytes, with its number: the same bytes, made once. Serializing is Python, at about 16 µs an
# object; with `SHARED_FROM` objects or more (the ×25 edition's PDF has 183,000, this edition's
# 8,700) and more than one job, a worker process forked for it serializes every other object
# while this one serializes the rest (forking a process of a long edition's size, and sending
# the bytes back, costs about a tenth of a second).
SHARED_FROM = 50_000


class _Serialized(pydyf.Object):
    """An object of the PDF, as its bytes."""

    def __init__(self, made: pydyf.Object, data: bytes):
        # What `pydyf.Object.__init__` sets, as `made` has it (not calling it: a third faster,
        # for the 183,000 objects of a long edition).
        self.number, self.generation, self.offset, self.free = made.number, made.generation, made.offset, made.free
        self.bytes = data

    @property
    def data(self) -> bytes:
        return self.bytes


def _serialized_once(pdf: pydyf.PDF, jobs: int) -> None:
    """Each object of `pdf` that goes into the object stream as its bytes (see above)."""
    indexes = [index for index, made in enumerate(pdf.objects) if made.free == "n" and made.compressible]

    def serialized(some: list[int]) -> list[bytes]:
        return [pdf.objects[index].data for index in some]

    if jobs > 1 and len(indexes) >= SHARED_FROM:
        # Every other object to the worker: objects of a kind (the pages, the structure tree's
        # elements…) are made together, and some kinds take longer than others.
        theirs, ours = beside(lambda: pickle.dumps(serialized(indexes[1::2])), lambda: serialized(indexes[::2]))
        data = [None] * len(indexes)
        data[::2], data[1::2] = ours, pickle.loads(theirs)
    else:
        data = serialized(indexes)
    for index, made in zip(indexes, data, strict=True):
        pdf.objects[index] = _Serialized(pdf.objects[index], made)


# Tagging for reading -----------------------------------------------------------------------
#
# WeasyPrint 70 tags a PDF page by page. `weasyprint.pdf.tags._build_box_tree(box, parent,
# pdf, page_number, nums, annotations, tags)` is a generator that makes the structure element
# of a box (a pydyf Dictionary, added to the PDF) and yields it once its children are made; it
# calls itself by its module name, and `add_tags` calls it for each page box, under one
# Document element. The text of every TextBox is marked content with an MCID (`Stream.marked`,
# which the drawing calls for each text box) that the element of its box takes back from
# `stream._tags`; `Stream.artifact` marks borders and backgrounds. For a screen reader that
# gives: a paragraph cut in two at every page break, a page's footnotes after its text, no
# Note, running heads and folios as the content of elements that are not in the tree (neither
# real content nor artifacts), and header cells without /Scope.
#
# While an accessible PDF is written (`_tagged_for_reading`), the margin boxes' text is marked
# as pagination artifacts instead, and left out of the tree; borders and backgrounds are layout
# artifacts; and the finisher (`_read_in_order`) rebuilds the tree from the elements
# `_build_box_tree` made, each known by the box it was made for (`Made`).

# The elements after which an editorial note is read: the paragraph (or heading, table cell,
# author's note) of its call. In a list item with no paragraph, the note ends the item's body.
NOTE_FOLLOWS = {"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/Note", "/TD", "/TH", "/LBody"}
# Marks of joins and break hints that are not part of a link's text.
FORMAT_CHARACTERS = dict.fromkeys(map(ord, "\u200b\u2060\u00ad"))


@dataclass(frozen=True)
class Made:
    """A structure element WeasyPrint made: the box it was made for, and the page (from 0)."""

    box: object
    page: int

    @property
    def element(self):
        return self.box.element

    @property
    def tag(self) -> str:
        return self.box.element_tag or ""

    def attribute(self, name: str) -> str:
        element = self.box.element
        return (element.get(name) or "") if element is not None else ""


@contextmanager
def _tagged_for_reading(document: Document) -> Iterator[dict[int, Made]]:
    """While in this context, the PDF's running heads and folios are pagination artifacts, its
    borders and backgrounds layout artifacts (see `_marked_for_reading`), and WeasyPrint's
    structure elements are noted, by object number, in the dict this yields (for
    `_read_in_order`)."""
    made: dict[int, Made] = {}
    build = weasyprint_tags._build_box_tree

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
        if isinstance(box, boxes.MarginBox):
            return  # its text is an artifact (see `_marked_for_reading`)
        for element in build(box, parent, pdf, page_number, nums, annotations, tags):
            # The box's own element comes first; the page box, `html` and `body` hand on
            # their children's.
            made.setdefault(element.number, Made(box, page_number))
            yield element

    weasyprint_tags._build_box_tree = build_box_tree
    try:
        with _marked_for_reading(document.pages):
            yield made
    finally:
        weasyprint_tags._build_box_tree = build


@contextmanager
def _marked_for_reading(pages: Sequence[Page]) -> Iterator[None]:
    """While in this context, the text of the pages' margin boxes (running heads, folios) is
    drawn as pagination artifacts, and borders and backgrounds as layout artifacts, in a
    stream that is tagged."""
    heads = {}  # id of a margin box's text box → the artifact's subtype (the boxes outlive this)
    for page in pages:
        for box in page._page_box.children:
            if isinstance(box, boxes.MarginBox):
                subtype = "/Header" if box.at_keyword.startswith("@top") else "/Footer"
                heads.update({id(text): subtype for text in box.descendants() if isinstance(text, boxes.TextBox)})
    marked, artifact = Stream.marked, Stream.artifact

    def marked_or_artifact(stream, box, tag):
        # The original's context manager itself, not one around it: this runs for every text box.
        if id(box) not in heads or stream._tags is None:
            return marked(stream, box, tag)
        return _marked_as(stream, "Artifact", {"Type": "/Pagination", "Subtype": heads[id(box)]})

    def layout_artifact(stream):
        if stream._tags is None:
            return artifact(stream)
        return _marked_as(stream, "Artifact", {"Type": "/Layout"})

    Stream.marked, Stream.artifact = marked_or_artifact, layout_artifact
    try:
        yield
    finally:
        Stream.marked, Stream.artifact = marked, artifact


@contextmanager
def _marked_as(stream: Stream, tag: str, properties: dict[str, str]) -> Iterator[None]:
    """What is drawn in this context, marked as `tag` with `properties` (pydyf's operators)."""
    pydyf.Stream.begin_marked_content(stream, tag, pydyf.Dictionary(properties))
    try:
        yield
    finally:
        pydyf.Stream.end_marked_content(stream)


class _Tree:
    """WeasyPrint's structure tree, as pydyf objects, and what it takes to rebuild it."""

    def __init__(self, pdf: pydyf.PDF, document: Document, made: dict[int, Made]):
        self.pdf, self.document, self.made = pdf, document, made
        self.numbers: dict[bytes, int] = {}  # a reference → the number of its object
        self.root = self.get(pdf.catalog["StructTreeRoot"])
        self.top = self.get(self.root["K"][0])
        self.replaced: dict[bytes, bytes] = {}  # an element merged into another → that one
        self.pages_of: dict[int, tuple[int, int]] = {}  # an element → its first and last pages

    def get(self, reference: bytes) -> pydyf.Dictionary:
        number = self.numbers.get(reference)
        if number is None:
            number = self.numbers[reference] = int(reference.split()[0])
        return self.pdf.objects[number]

    def element(self, item) -> pydyf.Dictionary | None:
        """The structure element an item of a /K array refers to, if it does (not an MCID, a
        marked-content reference or an annotation's)."""
        if isinstance(item, bytes):
            found = self.get(item)
            return found if "S" in found else None
        return None

    def kids(self, element: pydyf.Dictionary) -> list[pydyf.Dictionary]:
        return [kid for item in element["K"] if (kid := self.element(item)) is not None]

    def new(self, tag: str, parent: pydyf.Dictionary, kids: list, page) -> pydyf.Dictionary:
        element = pydyf.Dictionary(
            {"Type": "/StructElem", "S": tag, "K": pydyf.Array(kids), "Pg": page, "P": parent.reference}
        )
        self.pdf.add_object(element)
        for kid in kids:
            if (inner := self.element(kid)) is not None:
                inner["P"] = element.reference
        return element

    def pages(self, element: pydyf.Dictionary) -> tuple[int, int]:
        made = self.made.get(element.number)
        return self.pages_of.get(element.number) or ((made.page, made.page) if made else (-1, -1))

    def absorb(self, into: pydyf.Dictionary, other: pydyf.Dictionary) -> None:
        """`other`'s content at the end of `into`'s, `other` left empty: its MCIDs, on another
        page than `into`'s, as marked-content references to that page."""
        for item in other["K"]:
            if isinstance(item, int) and other["Pg"] != into["Pg"]:
                item = pydyf.Dictionary({"Type": "/MCR", "Pg": other["Pg"], "MCID": item})
            elif (kid := self.element(item)) is not None:
                kid["P"] = into.reference
            into["K"].append(item)
        self.pages_of[into.number] = (self.pages(into)[0], max(self.pages(into)[1], self.pages(other)[1]))
        self.replaced[other.reference] = into.reference
        other.clear()

    def continues(self, before: pydyf.Dictionary, after: pydyf.Dictionary) -> bool:
        """Whether `after` is the rest, on a later page, of the element `before` is part of:
        made for the same element (or one of the same tag and class, in a layout resumed from
        a later block, where the element's id was left out) and the same tag."""
        first, second = self.made.get(before.number), self.made.get(after.number)
        if not first or not second or before["S"] != after["S"] or self.pages(after)[0] <= self.pages(before)[1]:
            return False
        ids = {first.attribute("id"), second.attribute("id")} - {""}
        return (first.tag, first.attribute("class")) == (second.tag, second.attribute("class")) and len(ids) < 2

    def same_box_element(self, parent: pydyf.Dictionary, kid: pydyf.Dictionary) -> bool:
        """Whether `kid` was made for an anonymous box of `parent`'s element, with its tag."""
        outer, inner = self.made.get(parent.number), self.made.get(kid.number)
        return (
            bool(outer and inner)
            and inner.element is outer.element
            and inner.tag == outer.tag
            and (kid["S"] == parent["S"])
        )


def _read_in_order(pdf: pydyf.PDF, document: Document, made: dict[int, Made], endnotes: Mapping[str, str]) -> None:
    """The structure tree rebuilt for reading: each element whole, whatever pages it spans;
    every editorial footnote a Note, read right after the paragraph of its call (or, in a
    quotation, after the quotation), and called by a Reference holding a Link to it; every
    author's note a Note in its list item, its calls Links in References; each Note with an
    /ID in the tree's /IDTree; paragraph numbers read as "¶12"; header cells with /Scope;
    every link described."""
    tree = _Tree(pdf, document, made)
    notes = _notes_out_of_footnote_areas(tree)
    _tidy(tree, tree.top)
    _join(tree, tree.top)
    authors = _authors_notes(tree, endnotes)
    _place_editorial_notes(tree, notes)  # after the authors' notes, which may call one
    notes.update(authors)
    _links(tree)
    _label(tree)
    cells = (tree.pdf.objects[number] for number in tree.made)  # WeasyPrint gives header cells an ID
    ids = {**notes, **{element["ID"].string: element for element in cells if "ID" in element}}
    names = pydyf.Array()
    for key in sorted(ids, key=lambda key: key.encode("utf-16-be")):
        names.extend([pydyf.String(key), ids[key].reference])
    tree.root["IDTree"] = pydyf.Dictionary({"Names": names})
    mapping = tree.get(tree.root["ParentTree"])
    nums = mapping["Nums"]
    for index in range(1, len(nums), 2):
        if isinstance(nums[index], pydyf.Array):
            nums[index] = pydyf.Array(_replaced(tree, item) for item in nums[index])
        else:
            nums[index] = _replaced(tree, nums[index])


def _replaced(tree: _Tree, reference: bytes) -> bytes:
    while reference in tree.replaced:
        reference = tree.replaced[reference]
    return reference


def _notes_out_of_footnote_areas(tree: _Tree) -> dict[str, pydyf.Dictionary]:
    """Each page's footnote area taken out of the tree, and its footnotes made Notes (a footnote
    carried over to another page made whole again), by id; their markers are Lbl."""
    notes: dict[str, pydyf.Dictionary] = {}
    kept = pydyf.Array()
    for item in tree.top["K"]:
        area = tree.element(item)
        made = tree.made.get(area.number) if area is not None else None
        if not made or not isinstance(made.box, boxes.FootnoteAreaBox):
            kept.append(item)
            continue
        for note in tree.kids(area):
            note_id = tree.made[note.number].attribute("id")
            for kid in tree.kids(note):
                if tree.made.get(kid.number) and tree.made[kid.number].tag.endswith("::footnote-marker"):
                    kid["S"] = "/Lbl"
            if note_id in notes:
                tree.absorb(notes[note_id], note)
            else:
                note["S"], note["ID"] = "/Note", pydyf.String(note_id)
                notes[note_id] = note
    tree.top["K"] = kept
    return notes


def _tidy(tree: _Tree, element: pydyf.Dictionary) -> None:
    """Elements with no content left out (a blank page's), and those made for an anonymous box
    of their parent's element replaced by what they hold (a paragraph's lines beside its
    number)."""
    if not any(isinstance(item, bytes) for item in element["K"]):
        return  # its text alone (most elements: a text box's)
    kids = pydyf.Array()
    for item in element["K"]:
        kid = tree.element(item)
        if kid is None:
            kids.append(item)
            continue
        _tidy(tree, kid)
        if not kid["K"]:
            continue
        if tree.same_box_element(element, kid):  # on the same page as its parent
            for inner in kid["K"]:
                if (grandchild := tree.element(inner)) is not None:
                    grandchild["P"] = element.reference
                kids.append(inner)
            tree.replaced[kid.reference] = element.reference
            kid.clear()
            continue
        kids.append(item)
    element["K"] = kids


def _join(tree: _Tree, element: pydyf.Dictionary) -> None:
    """Each element that a page break cut in two (or more) made whole, from the top down."""
    if not any(isinstance(item, bytes) for item in element["K"]):
        return
    kids = pydyf.Array()
    for item in element["K"]:
        kid, last = tree.element(item), tree.element(kids[-1]) if kids else None
        if kid is not None and last is not None and tree.continues(last, kid):
            tree.absorb(last, kid)
        else:
            kids.append(item)
    element["K"] = kids
    for kid in tree.kids(element):
        _join(tree, kid)


def _parent(tree: _Tree, element: pydyf.Dictionary) -> pydyf.Dictionary:
    return tree.get(element["P"])


def _place_editorial_notes(tree: _Tree, notes: dict[str, pydyf.Dictionary]) -> None:
    """Each footnote read right after the block of its call (see `NOTE_FOLLOWS`; a quotation,
    if the call is in one), the notes of one block in the order of their calls; each call a
    Link to its note, in a Reference."""
    after: dict[int, pydyf.Dictionary] = {}  # a block → the last note placed after it
    for number in sorted(number for number, made in tree.made.items() if made.tag.endswith("::footnote-call")):
        call = tree.pdf.objects[number]
        note_id = tree.made[number].attribute("id")
        block = _parent(tree, call)
        while block["S"] not in NOTE_FOLLOWS and block is not tree.top:
            block = _parent(tree, block)
        ancestor = block
        while ancestor is not tree.top:
            if ancestor["S"] == "/BlockQuote":
                block = ancestor
            ancestor = _parent(tree, ancestor)
        note = notes[note_id]
        if block["S"] == "/LBody":
            parent = block
            parent["K"].append(note.reference)
        else:
            parent = _parent(tree, block)
            kids = list(parent["K"])
            parent["K"].insert(kids.index(after.get(block.number, block).reference) + 1, note.reference)
        note["P"] = parent.reference
        after[block.number] = note
        _link(tree, call, note_id)
        _in_reference(tree, call)


def _link(tree: _Tree, element: pydyf.Dictionary, target: str) -> None:
    """`element` made a Link to the named destination `target`, over the box it was made for."""
    made = tree.made[element.number]
    page = tree.document.pages[made.page]
    x, y, width, height = made.box.hit_area()
    # CSS pixels to PDF points (`generate_pdf` at zoom 1), the y axis upwards.
    rectangle = [x * 0.75, (page.height - y - height) * 0.75, (x + width) * 0.75, (page.height - y) * 0.75]
    annotation = pydyf.Dictionary(
        {
            "Type": "/Annot",
            "Subtype": "/Link",
            "Rect": pydyf.Array(rectangle),
            "BS": pydyf.Dictionary({"W": 0}),
            "F": 4,  # printed, as PDF/A asks (WeasyPrint's PDF/A step has been and gone)
            "Dest": pydyf.String(target),
        }
    )
    tree.pdf.add_object(annotation)
    page_reference = tree.pdf.page_references[made.page]
    pdf_page = tree.get(page_reference)
    pdf_page.setdefault("Annots", pydyf.Array()).append(annotation.reference)
    nums = tree.get(tree.root["ParentTree"])["Nums"]
    annotation["StructParent"] = key = nums[-2] + 1  # the keys ascend: the last is the largest
    nums.extend([key, element.reference])
    reference = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": page_reference})
    tree.pdf.add_object(reference)
    element["S"] = "/Link"
    element["K"].append(reference.reference)


def _in_reference(tree: _Tree, call: pydyf.Dictionary) -> None:
    """The call put in a Reference of its own, where it stood."""
    parent = _parent(tree, call)
    index = list(parent["K"]).index(call.reference)
    reference = tree.new("/Reference", parent, [call.reference], call["Pg"])
    parent["K"][index] = reference.reference


def _authors_notes(tree: _Tree, marks: Mapping[str, str]) -> dict[str, pydyf.Dictionary]:
    """Each author's note (a list item whose id is in `marks`) a Note in its list item's body;
    each of its calls (a link to it that shows its mark) in a Reference."""
    notes: dict[str, pydyf.Dictionary] = {}
    for number, made in tree.made.items():
        item = tree.pdf.objects[number]
        if item.get("S") != "/LI" or made.attribute("id") not in marks or made.tag != "li":
            continue
        body = next((kid for kid in tree.kids(item) if kid["S"] == "/LBody"), item)
        note = tree.new("/Note", body, list(body["K"]), body["Pg"])
        note["ID"] = pydyf.String(made.attribute("id"))
        tree.replaced[body.reference] = note.reference  # the MCIDs the body held are the note's
        body["K"] = pydyf.Array([note.reference])
        notes[made.attribute("id")] = note
    for number, made in list(tree.made.items()):
        link, target = tree.pdf.objects[number], made.attribute("href")[1:]
        if link.get("S") == "/Link" and target in notes and _text(made) == marks[target]:
            _in_reference(tree, link)
    return notes


def _text(made: Made) -> str:
    """The text of the element a structure element was made for; for a pseudo-element of
    another element than a link (a footnote's call), its generated text."""
    if "::" in made.tag and not made.tag.startswith("a::"):
        text = "".join(box.text for box in made.box.descendants() if isinstance(box, boxes.TextBox))
    else:
        text = "".join(made.element.itertext())
    return " ".join(text.translate(FORMAT_CHARACTERS).split())


def _links(tree: _Tree) -> None:
    """Every link annotation listed in a Link element, as PDF/UA asks (WeasyPrint lists the
    annotation it gives a box within a link, such as a name set in bold, in that box's
    element), and described, on the annotation (/Contents) and the Link (/Alt): a note's call
    as "Note 12", any other link by its text (its address if it has none)."""
    nums = tree.get(tree.root["ParentTree"])["Nums"]
    entries = {nums[index]: index + 1 for index in range(0, len(nums), 2)}  # StructParent → entry
    texts: dict[int, str] = {}
    for page in tree.pdf.page_references:
        for reference in tree.get(page).get("Annots", ()):
            annotation = tree.get(reference)
            if annotation.get("Subtype") != "/Link" or "StructParent" not in annotation:
                continue
            entry = entries[annotation["StructParent"]]
            element = link = tree.get(_replaced(tree, nums[entry]))  # merged since, maybe
            while link["S"] != "/Link" and link is not tree.top:
                link = _parent(tree, link)
            if link is tree.top:
                continue
            if link is not element:
                (listed,) = (item for item in element["K"] if _lists(tree, item, reference))
                element["K"] = pydyf.Array(item for item in element["K"] if item is not listed)
                link["K"].append(listed)
                nums[entry] = link.reference
            if link.number not in texts:
                texts[link.number] = _text(tree.made[link.number])
            text, target = texts[link.number], annotation["Dest"].string if "Dest" in annotation else ""
            call = _parent(tree, link)["S"] == "/Reference"
            described = f"Note {text}" if call else text or target or tree.made[link.number].attribute("href")
            annotation["Contents"] = link["Alt"] = pydyf.String(described)


def _lists(tree: _Tree, item, annotation: bytes) -> bool:
    """Whether an item of a /K array is the object reference to `annotation`."""
    return isinstance(item, bytes) and tree.get(item).get("Obj") == annotation


def _label(tree: _Tree) -> None:
    """Each paragraph number read and copied as "¶12 ", the form in which it is cited; each
    header cell's /Scope from its `scope` (a column's by default)."""
    for number, made in tree.made.items():
        element = tree.pdf.objects[number]
        tag = element.get("S")
        if tag == "/Span" and "pnum" in made.attribute("class").split():
            text = "".join(made.element.itertext()).strip()
            element["ActualText"] = pydyf.String(f"¶{text} ")
        elif tag == "/TH":
            element["A"]["Scope"] = {"row": "/Row", "rowgroup": "/Row"}.get(made.attribute("scope"), "/Column")


# The PDF/UA identification, and the PDF/A extension schema that declares its namespace (PDF/A
# admits in the XMP only the properties of its predefined schemas and of those declared so).
PDF_UA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
"""


def _identify_pdf_ua(pdf: pydyf.PDF) -> None:
    """The PDF/UA-1 identification added to the XMP metadata WeasyPrint wrote for PDF/A (its
    `pdf_variant` is one variant, PDF/A or PDF/UA, never both): a pydyf Stream, its one chunk
    the packet, whose RDF ends with `</rdf:RDF>`."""
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    (packet,) = metadata.stream
    if packet.count(b"</rdf:RDF>") != 1:
        raise EditionError("WeasyPrint's XMP metadata changed: the PDF/UA identification has no place to go")
    metadata.stream = [packet.replace(b"</rdf:RDF>", PDF_UA_XMP + b"</rdf:RDF>")]


@dataclass
class Drawings:
    """What the proofs written from one typesetter's layouts share, so that a page kept from
    one layout to the next (`rejoin`) is drawn once: the fonts, with every glyph any of them
    drew, and what each page draws (its PDF operators) with the transparency states it needs.
    A page is known by its `Page` object, so a page laid out again is drawn again; but each
    text it draws that a page drew before, in the same style, is not shaped again (`texts`: see
    `_texts_drawn_once`)."""

    fonts: dict = field(default_factory=dict)
    pages: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)
    texts: dict = field(default_factory=dict)


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
    with _pages_drawn_once(drawings.pages), _texts_drawn_once(drawings.texts):
        data, _ = write(document, front_pages, when, uncompressed_pdf=True)
    return data


# A page draws into its content stream (`weasyprint.pdf.stream.Stream`, a `pydyf.Stream`) in
# `Page.paint(stream, scale)`, called once a page by WeasyPrint's `generate_pdf`, which first
# sets the stream's initial transform. What the page draws is the operators it appends to
# `stream.stream`; it also registers fonts in `document.fonts` (shared through
# `Drawings.fonts`) and may add images and resources that all pages share (`stream._images`,
# `stream._resources`). A page whose drawing added any but the plain transparency states
# (ExtGState `a…`/`A…`: {'ca': x} or {'CA': x}) is drawn again each time. `draw_page` draws the
# page box's children (its html box, footnote area and margin boxes) each as a stacking context
# (`StackingContext.from_box(child, page_box)`, drawn by `draw_stacking_context`), so the
# margin boxes that print the page's number are left out of the page box while it is drawn and
# then drawn alone the same way.
_PLAIN_STATE = {"ca", "CA"}


def _plain_states(stream) -> dict | None:
    """The transparency states the page's drawing uses, if it uses no other resource that all
    pages share; else None (see above)."""
    resources = stream._resources
    shared = [resources[name] for name in ("XObject", "Pattern", "Shading")]
    states = {name: dict(value) for name, value in resources["ExtGState"].items()}
    if stream._images or any(shared) or not all(set(value) <= _PLAIN_STATE for value in states.values()):
        return None
    return states


def _with_states(stream, states: dict) -> None:
    """The transparency states (`_plain_states`) of a page drawn before, added to the resources
    the stream shares with every page, as its drawing would have added them."""
    for name, value in states.items():
        stream._resources["ExtGState"].setdefault(name, pydyf.Dictionary(value))


@contextmanager
def _pages_drawn_once(drawn: weakref.WeakKeyDictionary) -> Iterator[None]:
    paint = Page.paint

    def paint_once(page: Page, stream, scale=1) -> None:
        # What prints the page's number is drawn apart, and kept apart: a page kept from a layout
        # in which it had another number (`renumber`) keeps the rest of its drawing.
        box = page._page_box
        numbers = tuple(_numbered(box).values())
        kept = drawn.get(page)
        if kept is not None and kept[0] == scale:
            _, operators, states, _ = kept
            stream.stream.extend(operators)
            _with_states(stream, states)
        else:
            start, children = len(stream.stream), box.children
            box.children = tuple(child for child in children if child not in numbers)
            try:
                paint(page, stream, scale)
            finally:
                box.children = children
            states = _plain_states(stream)
            kept = (scale, stream.stream[start:], states, None) if states is not None else None
            if kept is not None:
                drawn[page] = kept
        if kept is not None and kept[3] is not None and kept[3][0] == numbers:
            stream.stream.extend(kept[3][1])
            return
        start, before = len(stream.stream), _plain_states(stream)
        for number in numbers:  # as `Page.paint` and `draw_page` draw each child of the page box
            with stream.stacked():
                stream.transform(a=scale, d=scale)
                draw_stacking_context(stream, StackingContext.from_box(number, box))
        if kept is not None and before is not None and _plain_states(stream) == before:
            drawn[page] = (*kept[:3], (numbers, stream.stream[start:]))

    Page.paint = paint_once
    try:
        yield
    finally:
        Page.paint = paint


# A text box draws its text (`draw.text.draw_text`, the name `draw_inline_level` calls): its
# colour, then, in a text object (`BT` … `ET`), its Pango layout made again (`reactivate`) and
# shaped (`draw_first_line`), which sets the text matrix at the box's place and shows its glyphs,
# font by font (`Tf`, `TJ`), adding each glyph to its font in `Document.fonts`. In a proof, whose
# fonts all proofs share (`Drawings.fonts`), a text drawn before in the same style draws the
# same glyphs again, already in those fonts: `_texts_drawn_once` has it draw what it drew the
# first time, its text matrix set at its own place, through the same calls of the stream
# (`Stream.set_font_size` leaves out a font already set, as it would). So the lines of a page
# laid out anew that were drawn before (every line after a new paragraph) are not shaped again.
# A text with decorations (drawn at its place), an ellipsis or emojis, or whose shaping called
# the stream otherwise, is drawn as before, each time.
_SHAPING_READS = {"add_font", "ink_rect", "logical_rect"}  # what `draw_first_line` reads of the stream
_SHAPING_DRAWS = {"set_text_matrix", "set_font_size", "show_text", "set_text_rise"}  # and calls to draw


class _Shaping:
    """The stream as `draw_first_line` sees it, noting what it does: each call that draws, with
    its arguments (but the text matrix's, set again at each place the text is drawn), and None
    for anything else it asks of the stream but the fonts and rectangles it reads."""

    def __init__(self, stream, calls: list):
        self._stream, self._calls = stream, calls

    def __getattr__(self, name):
        if name in _SHAPING_DRAWS:

            def drawn(*args):
                self._calls.append((name, None if name == "set_text_matrix" else args))
                getattr(self._stream, name)(*args)

            return drawn
        if name not in _SHAPING_READS:
            self._calls.append(None)
        return getattr(self._stream, name)


@contextmanager
def _texts_drawn_once(texts: dict) -> Iterator[None]:
    """While in this context, a text box drawn before (in `texts`, by its text, its layout's
    text and justification, and the style's `LINE_STYLE`) draws what it drew then, not shaped
    again (see above)."""
    draw_text = weasyprint.draw.draw_text
    draw_first_line = weasyprint.draw.text.draw_first_line
    styles: dict[int, tuple] = {}

    def drawn_once(stream, textbox, offset_x, text_overflow, block_ellipsis="none"):
        style, layout = textbox.style, textbox.pango_layout
        line_style = (
            style["visibility"] == "visible"
            and style["text_decoration_line"] in ("none", set())
            and (text_overflow, block_ellipsis) == ("clip", "none")
            and _line_style(style, styles)
        )
        if not line_style:
            return draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
        key = (textbox.text, layout.text, layout.justification_spacing, line_style)
        if key not in texts:
            calls: list = []

            def shaped(stream, textbox, text_overflow, block_ellipsis, matrix):
                emojis = draw_first_line(_Shaping(stream, calls), textbox, text_overflow, block_ellipsis, matrix)
                if not emojis and None not in calls:
                    texts[key] = calls
                return emojis

            weasyprint.draw.text.draw_first_line = shaped
            try:
                return draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
            finally:
                weasyprint.draw.text.draw_first_line = draw_first_line
        # As `draw_text` draws it, without its layout made again and shaped.
        x, y = textbox.position_x, textbox.position_y + textbox.baseline
        stream.set_color(style["color"])
        stream.begin_text()
        for name, args in texts[key]:
            if name == "set_text_matrix":
                stream.set_text_matrix(*Matrix(d=-1, e=x, f=y).values)
            else:
                getattr(stream, name)(*args)
        stream.end_text()

    weasyprint.draw.draw_text = drawn_once
    try:
        yield
    finally:
        weasyprint.draw.draw_text = draw_text


# Pages drawn ahead ---------------------------------------------------------------------------
#
# `generate_pdf` makes each page's content stream (`Stream`), gives it its first transform and
# has the page draw into it (`Page.paint`), page after page. The drawing adds each font it uses
# to `document.fonts` (`Stream.add_font`, by `get_pango_font_key`), and to that font the width
# and the text of each glyph it draws the first time (`Font.widths`, `Font.to_unicode`: dicts,
# in whose order the embedded font's ToUnicode map is written); it adds its transparency states
# to the resources every page shares, and takes the MCIDs of its marked content from the
# stream's `_tags`. `draw_ahead` draws pages before the PDF is written (while a worker lays out
# the pages after them: `pdf.layout`), each the same way into a stream of its own whose fonts
# are the page's own (copies of one font, each holding only the glyphs that page draws, in the
# order it draws them: `_StreamAhead`). When `write` reaches such a page, its operators, MCIDs
# and states take their place, and its fonts' glyphs join the document's fonts as the page's
# drawing would have added them, each one not there yet, in the page's order: the same bytes. A
# page that drew anything else that every page shares (an image, a pattern, a group), or a glyph
# that no face has (whose number depends on the glyphs missing before), is not kept: it is drawn
# in its place. So is a page whose stream is not as it was drawn for (another scale or size, or
# another first transform, or not tagged).
SCALE = 0.75  # `generate_pdf`'s at zoom 1: 72 PDF points to 96 CSS pixels


@dataclass(frozen=True)
class _Ahead:
    """A page drawn ahead: for what stream (`scale`, `rectangle`, the operators it held
    `before`), what the page drew, and the transparency states, MCIDs and fonts it drew with."""

    scale: float
    rectangle: tuple[float, float, float, float]
    before: list
    operators: list
    states: dict
    tags: dict
    fonts: dict


@dataclass
class DrawnAhead:
    """The pages of an archival PDF drawn before it is written (`draw_ahead`), for `write`,
    which takes each once; and one font by key, of which the pages' fonts are copies."""

    pages: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)
    fonts: dict = field(default_factory=dict)


class _StreamAhead(Stream):
    """A page's content stream drawn ahead, whose fonts are its own: a copy of the font for
    each key, holding no glyph until the page draws one (see above). `Stream.add_font` as
    WeasyPrint 70 writes it, but for the copy."""

    def __init__(self, fonts: dict, *args, **kwargs):
        super().__init__({}, *args, **kwargs)
        self._originals = fonts

    def add_font(self, pango_font):
        key, description, font_size = get_pango_font_key(pango_font)
        if key not in self._fonts:
            if key not in self._originals:
                self._originals[key] = weasyprint_fonts.Font(pango_font, description, font_size)
            font = copy.copy(self._originals[key])
            font.widths, font.to_unicode, font.missing = {}, {}, {}
            self._fonts[key] = font
        return self._fonts[key], font_size


def draw_ahead(document: Document, drawn: DrawnAhead, pages: Sequence[Page] | None = None) -> None:
    """The document's pages (or those of `pages`) drawn as `write` will draw them in a PDF
    tagged for reading, and kept in `drawn` (see above). Nothing is drawn for a document with
    colour profiles of its own (`@color-profile --name`), which a page's colours name, and which
    `generate_pdf` adds to the stream it makes."""
    if any(name.startswith("--") for name in document.color_profiles):
        return
    with _marked_for_reading(document.pages):
        for page in document.pages if pages is None else pages:
            # As `generate_pdf` makes the page's stream and its first transform.
            left, top = -SCALE * page.bleed["left"], -SCALE * page.bleed["top"]
            width = SCALE * (page.width + page.bleed["left"] + page.bleed["right"])
            height = SCALE * (page.height + page.bleed["top"] + page.bleed["bottom"])
            rectangle = (left / SCALE, top / SCALE, width / SCALE, height / SCALE)
            resources = {name: pydyf.Dictionary() for name in ("ExtGState", "XObject", "Pattern", "Shading")}
            resources["ColorSpace"] = None  # copied by a group or a pattern, whose page is not kept
            stream = _StreamAhead(drawn.fonts, rectangle, resources, {}, {}, {}, document.output_intent)
            stream.transform(d=-1, f=page.height * SCALE)
            before = list(stream.stream)
            page.paint(stream, SCALE)
            states = _plain_states(stream)
            if states is not None and not any(font.missing for font in stream._fonts.values()):
                operators = stream.stream[len(before) :]
                drawn.pages[page] = _Ahead(SCALE, rectangle, before, operators, states, stream._tags, stream._fonts)


# Pages drawn ahead in a worker process forked from this one (`pdf.layout`, beside the register's
# layout) come back as bytes (`drawn_ahead_sent`): each page's operators joined as pydyf joins
# a stream's items (one item, the same bytes once written), its MCIDs by the id of their box
# (a forked process has this one's objects at the same addresses, so the id names the same box
# here), its fonts' glyphs by font key. `drawn_ahead_read` takes them back as drawn here, with
# copies of this process's own fonts; a page whose font this process has not made yet, or whose
# box it does not have, is left to be drawn in its place.


def drawn_ahead_sent(document: Document, indexes: Sequence[int]) -> bytes:
    """In a worker process: the document's pages at `indexes` drawn ahead (`draw_ahead`), as
    bytes for `drawn_ahead_read` in the process it was forked from."""
    drawn = DrawnAhead()
    draw_ahead(document, drawn, [document.pages[index] for index in indexes])
    sent = []
    for index in indexes:
        if (ahead := drawn.pages.get(document.pages[index])) is not None:
            operators = b"\n".join(pydyf._to_bytes(item) for item in ahead.operators)
            tags = [(id(box), value) for box, value in ahead.tags.items()]
            fonts = {key: (font.widths, font.to_unicode) for key, font in ahead.fonts.items()}
            sent.append((index, ahead.scale, ahead.rectangle, ahead.before, operators, ahead.states, tags, fonts))
    return pickle.dumps(sent)


def drawn_ahead_read(document: Document, drawn: DrawnAhead, data: bytes) -> None:
    """The pages `drawn_ahead_sent` drew in a worker forked from this process, kept in `drawn`
    as if drawn here (see above)."""
    for index, scale, rectangle, before, operators, states, tags, fonts in pickle.loads(data):
        page = document.pages[index]
        boxes_by_id = {id(box): box for box in page._page_box.descendants(placeholders=True)}
        if not (fonts.keys() <= drawn.fonts.keys() and all(box in boxes_by_id for box, _ in tags)):
            continue
        copies = {}
        for key, (widths, to_unicode) in fonts.items():
            copies[key] = copy.copy(drawn.fonts[key])
            copies[key].widths, copies[key].to_unicode, copies[key].missing = widths, to_unicode, {}
        marked = {boxes_by_id[box]: value for box, value in tags}
        drawn.pages[page] = _Ahead(scale, rectangle, before, [operators], states, marked, copies)


@contextmanager
def _pages_drawn_ahead(drawn: DrawnAhead) -> Iterator[None]:
    paint = Page.paint

    def paint_or_take(page: Page, stream, scale=1) -> None:
        ahead = drawn.pages.pop(page, None)
        drawn_for = (ahead.scale, ahead.rectangle, ahead.before, {}) if ahead else None
        if drawn_for != (scale, stream.page_rectangle, stream.stream, stream._tags):  # see above
            paint(page, stream, scale)
            return
        stream.stream.extend(ahead.operators)
        stream._tags.update(ahead.tags)
        _with_states(stream, ahead.states)
        for key, font in ahead.fonts.items():
            joined = stream._fonts.setdefault(key, font)
            if joined is not font:
                for glyph, width in font.widths.items():
                    joined.widths.setdefault(glyph, width)
                for glyph, text in font.to_unicode.items():
                    joined.to_unicode.setdefault(glyph, text)

    Page.paint = paint_or_take
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


# Sending a layout to another process ------------------------------------------------------
#
# After layout, WeasyPrint 70's pages are plain Python objects: boxes, their styles (dicts
# with attributes), and for each text box a `text.line_break.Layout` whose Pango objects were
# released (`Layout.deactivate`, called once its line is made; drawing makes them again from
# the text and style, `Layout.reactivate`). What a page holds that is not plain data is shared
# by the whole document and stays in the process: the `FontConfiguration` (every style's
# `font_config`, and the document's), the `CounterStyle` and the URL fetcher, which the
# reading process replaces with its own (`persistent_id`). One class does not pickle as it is:
# `layout.absolute.AbsolutePlaceholder` (an absolutely positioned box, such as a paragraph's
# number in the margin) forwards every attribute, `__setstate__` among them, to the box it
# holds, in `_box` (set with `object.__setattr__`, as is `_layout_done`): it is rebuilt from
# those two.


def _placeholder_rebuilt(placeholder: AbsolutePlaceholder, state: tuple) -> None:
    box, done = state
    object.__setattr__(placeholder, "_box", box)
    object.__setattr__(placeholder, "_layout_done", done)


def _placeholder_reduced(placeholder: AbsolutePlaceholder) -> tuple:
    state = (object.__getattribute__(placeholder, "_box"), object.__getattribute__(placeholder, "_layout_done"))
    return object.__new__, (AbsolutePlaceholder,), state, None, None, _placeholder_rebuilt


class _Pickler(pickle.Pickler):
    dispatch_table = copyreg.dispatch_table | {AbsolutePlaceholder: _placeholder_reduced}

    def __init__(self, file: io.BytesIO, shared: Mapping[str, object]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = {id(value): name for name, value in shared.items()}

    def persistent_id(self, obj: object) -> str | None:
        return self.names.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: Mapping[str, object]):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, name: str) -> object:
        return self.shared[name]


def pickled(layout: object, shared: Mapping[str, object]) -> bytes:
    """A layout (pages, a document, or what holds them) as bytes; each of the `shared` objects
    (by name: the fonts, counter styles and URL fetcher) as its name alone."""
    out = io.BytesIO()
    _Pickler(out, shared).dump(layout)
    return out.getvalue()


def unpickled(data: bytes, shared: Mapping[str, object]) -> object:
    """The layout `pickled` made, its shared objects this process's of the same names."""
    return _Unpickler(io.BytesIO(data), shared).load()
