"""How a part of the print edition is laid out: stopped at the first note carried to the next
page, and resumed from a page that opens with a block of its own, giving the same pages as a
layout of the whole part."""

from __future__ import annotations

import lxml.html
import pytest
from weasyprint.document import Page
from weasyprint.formatting_structure import boxes

from edition.html import PrintPart, continue_from, print_part, print_parts
from edition.model import Edition, Imprint
from edition.pdf import Typesetter, footnotes, resumable_blocks, resumable_pages
from edition.project import Project

FIRST_PAGE = 13  # an odd number, as a part opens on a right-hand page


@pytest.fixture(scope="module")
def typesetter(project: Project) -> Typesetter:
    return Typesetter(project, "A4")


@pytest.fixture(scope="module")
def weissman(edition: Edition) -> PrintPart:
    return next(part for part in print_parts(edition) if part.name == "weissman-1988")


@pytest.fixture(scope="module")
def whole(typesetter: Typesetter, edition: Edition, weissman: PrintPart) -> list[Page]:
    """Weissman's essay laid out whole, as WeasyPrint lays it out on its own."""
    return typesetter.render(print_part(edition, Imprint(), weissman, {}), FIRST_PAGE, "").pages


def drawn(page: Page) -> list[tuple[str, float, float]]:
    """Every piece of text on the page, running heads, folios and footnotes included, with its
    position."""
    return [
        (box.text, round(box.position_x, 2), round(box.position_y, 2))
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox)
    ]


def test_a_layout_ends_with_the_first_page_from_which_a_note_is_carried_over(
    typesetter: Typesetter, edition: Edition, weissman: PrintPart, whole: list[Page]
):
    carried = [note for note in footnotes(whole) if note.note_page > note.call_page]
    assert carried, "this test needs a part whose whole layout carries a note over"
    first = min(carried, key=lambda note: note.call_page)

    document, late = typesetter.lay_out(print_part(edition, Imprint(), weissman, {}), FIRST_PAGE, "", None, set())

    assert late == first.block
    assert len(document.pages) == first.call_page + 1 < len(whole)
    assert [drawn(page) for page in document.pages] == [drawn(page) for page in whole[: first.call_page + 1]]


def test_a_layout_goes_on_past_a_note_carried_from_a_block_already_on_a_new_page(
    typesetter: Typesetter, edition: Edition, weissman: PrintPart, whole: list[Page]
):
    blocks = {note.block for note in footnotes(whole) if note.note_page > note.call_page}
    html = print_part(edition, Imprint(), weissman, {})
    document, late = typesetter.lay_out(html, FIRST_PAGE, "", None, blocks)
    assert late is None
    assert len(document.pages) == len(whole)


def test_a_layout_resumed_from_a_page_gives_the_pages_of_the_whole_layout(
    typesetter: Typesetter, edition: Edition, weissman: PrintPart, whole: list[Page]
):
    """From a page opening with a paragraph and from one opening with an author's note: the same
    text in the same places, the running heads, folio, note letters and list numbers too."""
    resumable = resumable_pages(whole, resumable_blocks(weissman))
    notes = {note.id for note in weissman.essay.notes}
    paragraph = next(page for page in resumable if page[1] not in notes)
    note = next(page for page in resumable if page[1] in notes)
    html = print_part(edition, Imprint(), weissman, {})
    heads = (weissman.essay.author, weissman.essay.title)
    for index, block in [paragraph, note]:
        resumed = typesetter.render(continue_from(html, block), FIRST_PAGE + index, "", heads).pages
        assert [drawn(page) for page in resumed] == [drawn(page) for page in whole[index:]], block


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
