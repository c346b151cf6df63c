"""How a part of the print edition is laid out: stopped at the first note carried to the next
page, and resumed from a page that opens with a block of its own, giving the same pages as a
layout of the whole part."""

from __future__ import annotations

import itertools
import re

import lxml.html
import pytest
from weasyprint.document import Document

from edition.html import PrintPart, continue_from, print_part, print_parts
from edition.layout.breaks import PageBreaks, footnotes, movable_blocks, resumable_blocks, resumable_pages
from edition.layout.pages import PageLayout
from edition.layout.pdf import PartLayout, Typesetter, _lay_out_anew
from edition.layout.typeset import page_drawings, page_layouts
from edition.project import Project
from edition.sources.model import Edition, Heading, Imprint, Paragraph

FIRST_PAGE = 13  # an odd number, as a part opens on a right-hand page


@pytest.fixture(scope="module")
def typesetter(project: Project) -> Typesetter:
    return Typesetter(project, "A4")


@pytest.fixture(scope="module")
def weissman(edition: Edition) -> PrintPart:
    return next(part for part in print_parts(edition) if part.name == "weissman-1988")


@pytest.fixture(scope="module")
def whole_document(typesetter: Typesetter, edition: Edition, weissman: PrintPart) -> Document:
    """Weissman's essay laid out whole, as WeasyPrint lays it out on its own."""
    return typesetter.render(print_part(edition, Imprint(), weissman, {}), FIRST_PAGE, "")


@pytest.fixture(scope="module")
def whole(whole_document: Document) -> list[PageLayout]:
    return page_layouts(whole_document.pages)


@pytest.fixture(scope="module")
def whole_drawn(whole_document: Document) -> list[list[tuple[str, float, float]]]:
    return drawn(whole_document.pages)


def drawn(pages) -> list[list[tuple[str, float, float]]]:
    """For each page, every piece of text on it, running heads, folios and footnotes included,
    with its position."""
    return [[(text.text, round(text.x, 2), round(text.y, 2)) for text in page.texts] for page in page_drawings(pages)]


def test_a_layout_ends_with_the_first_page_from_which_a_note_is_carried_over(
    typesetter: Typesetter, edition: Edition, weissman: PrintPart, whole: list[PageLayout], whole_drawn
):
    carried = [note for note in footnotes(whole) if note.note_page > note.call_page]
    assert carried, "this test needs a part whose whole layout carries a note over"
    page = min(note.call_page for note in carried)
    html = print_part(edition, Imprint(), weissman, {})

    breaks = PageBreaks(movable_blocks(weissman))
    document, found = typesetter.render_until(html, FIRST_PAGE, "", None, lambda made: breaks.for_page(made[-1]))

    assert found is not None and len(document.pages) == page + 1 < len(whole)
    assert drawn(document.pages) == whole_drawn[: page + 1]
    # The block to move is the paragraph at the foot of the page, whose second line the note
    # made room for, not the paragraph of the call; moved to the next page, it brings every
    # note of the page back.
    block, note = found
    assert block == whole[page].blocks[-1].id and block not in {note.block for note in carried}
    assert note in whole[page + 1].anchors and note not in whole[page].anchors
    broken = html.replace("</head>", f"<style>#{block} {{ break-before: page }}</style></head>")  # as breaks do
    moved = page_layouts(typesetter.render(broken, FIRST_PAGE, "").pages)
    assert all(note.note_page == note.call_page for note in footnotes(moved) if note.call_page <= page)


def test_a_note_a_break_did_not_bring_back_is_left_where_weasyprint_puts_it(
    typesetter: Typesetter, edition: Edition, weissman: PrintPart, whole: list[PageLayout]
):
    html = print_part(edition, Imprint(), weissman, {})
    breaks = PageBreaks(movable_blocks(weissman))
    decide = lambda made: breaks.for_page(made[-1])  # noqa: E731
    _, (_, note) = typesetter.render_until(html, FIRST_PAGE, "", None, decide)
    breaks.notes.add(note)  # as if its break had been made, and the note were carried over again
    document, found = typesetter.render_until(html, FIRST_PAGE, "", None, decide)
    assert found is None
    assert len(document.pages) == len(whole)


def test_a_paragraph_after_a_heading_takes_the_heading_to_the_next_page(edition: Edition):
    """And the first paragraph and the first note, which would leave the title or the heading
    "Notes" alone at the foot of a page, are not moved."""
    filtzer, weissman = print_parts(edition)[:2]
    body, movable = filtzer.essay.body, movable_blocks(filtzer)
    first = next(block for block in body if isinstance(block, Paragraph))
    assert movable[first.id] is None
    pairs = [pair for pair in itertools.pairwise(body) if isinstance(pair[1], Paragraph) and pair[1] is not first]
    headed = [(before, block) for before, block in pairs if isinstance(before, Heading)]
    assert headed, "this test needs an essay with subheadings"
    assert all(movable[block.id] == before.id for before, block in headed)
    assert all(movable[block.id] == block.id for before, block in pairs if isinstance(before, Paragraph))
    notes, movable = weissman.essay.notes, movable_blocks(weissman)
    assert movable[notes[0].id] is None and all(movable[note.id] == note.id for note in notes[1:])


def test_a_layout_resumed_from_a_page_gives_the_pages_of_the_whole_layout(
    typesetter: Typesetter, edition: Edition, weissman: PrintPart, whole: list[PageLayout], whole_drawn
):
    """From a page opening with a paragraph and from one opening with an author's note: the same
    text in the same places, the running heads, folio, note letters and list numbers too."""
    resumable = resumable_pages(whole, resumable_blocks(weissman))
    notes = {note.id for note in weissman.essay.notes}
    paragraph = next(page for page in resumable if page[1] not in notes)
    note = next(page for page in resumable if page[1] in notes)
    html = print_part(edition, Imprint(), weissman, {})
    for index, block in [paragraph, note]:
        resumed = typesetter.render(continue_from(html, block), FIRST_PAGE + index, "", weissman.heads).pages
        assert drawn(resumed) == whole_drawn[index:], block


HTML = """<!DOCTYPE html><html><head><title>t</title></head><body>
<section class="main essay" id="essay"><header><h1>T<span class="footnote">a</span></h1></header>
<p class="para" id="p1">One<span class="footnote">b</span>.</p>
<p class="para" id="p2">Two<span class="footnote">c</span>.</p>
<section class="endnotes" id="notes" aria-labelledby="notes-head"><h2 id="notes-head">Notes</h2>
<ol><li id="n1">First.</li><li id="n2">Second.</li><li id="n3">Third.</li></ol></section>
</section></body></html>"""


def test_continuing_from_a_paragraph_leaves_out_what_comes_before_but_counts_its_notes():
    body = lxml.html.document_fromstring(continue_from(HTML, "p2")).body
    (section,) = body
    assert section.get("id") is None
    assert "counter-reset: footnote 2" in section.get("style")
    assert "break-before: auto" in section.get("style") and "margin-top: 0" in body.get("style")
    hidden, p2, notes = section
    assert (hidden.tag, hidden.get("class"), hidden.get("hidden"), hidden.text) == ("p", "para", "", None)
    assert p2.get("id") == "p2" and notes.get("id") == "notes"


def test_continuing_from_an_authors_note_goes_on_numbering_the_list():
    body = lxml.html.document_fromstring(continue_from(HTML, "n3")).body
    (section,) = body
    assert "counter-reset: footnote 3" in section.get("style")
    (notes,) = section
    assert notes.get("id") is None and notes.get("aria-labelledby") is None
    (ol,) = notes
    assert "counter-reset: list-item 2" in ol.get("style") and "margin-top: 0" in ol.get("style")
    assert [item.get("id") for item in ol] == [None, "n3"]


def test_a_layout_that_will_stop_before_a_block_leaves_it_out_and_all_after_it():
    body = lxml.html.document_fromstring(continue_from(HTML, None, "n2")).body
    (section,) = body
    assert section.get("id") == "essay" and "counter-reset" not in (section.get("style") or "")
    assert [element.get("id") for element in section.iter() if element.get("id")] == [
        "essay", "p1", "p2", "notes", "notes-head", "n1"
    ]  # fmt: skip
    both = lxml.html.document_fromstring(continue_from(HTML, "p2", "n3")).body
    assert [element.get("id") for element in both.iter() if element.get("id")] == [
        "p2",
        "notes",
        "notes-head",
        "n1",
        "n2",
    ]


def test_an_edit_before_a_page_that_carries_a_note_over_brings_it_back_as_a_whole_layout_does(
    typesetter: Typesetter, edition: Edition, weissman: PrintPart, whole: list[PageLayout]
):
    """A word added to the paragraph whose note WeasyPrint would carry over: the layout from
    the edit, which rejoins the last one, starts the same block on a new page as a layout of the
    whole part does, and gives its pages."""
    carried = min(
        (note for note in footnotes(whole) if note.note_page > note.call_page), key=lambda note: note.call_page
    )
    html = print_part(edition, Imprint(), weissman, {})
    cold = _lay_out_anew(typesetter, edition, Imprint(), weissman, {}, html, FIRST_PAGE, "", None)
    last = PartLayout(html, FIRST_PAGE, "", cold)
    edited, count = re.subn(rf'(id="{carried.block}"><span class="pnum">\d+</span> )', r"\1indeed ", html)
    assert count == 1, "this test needs the note to be called in a paragraph"
    made = typesetter.pages_laid_out
    again = _lay_out_anew(typesetter, edition, Imprint(), weissman, {}, edited, FIRST_PAGE, "", last)
    laid_out_again = typesetter.pages_laid_out - made
    cold = _lay_out_anew(typesetter, edition, Imprint(), weissman, {}, edited, FIRST_PAGE, "", None)
    assert drawn(again.pages) == drawn(cold.pages)
    assert laid_out_again < len(cold.pages), "laid out whole, not from the edit"
    assert all(note.note_page == note.call_page for note in footnotes(page_layouts(cold.pages)))
