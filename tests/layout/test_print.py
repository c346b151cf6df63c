"""The print edition as a copy shop and a library check it: structure, standards, paper."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from weasyprint.document import Document

from edition.layout.typeset import page_drawings
from edition.sources.model import Edition, Span, plain
from tests.conftest import BOTH
from tests.pdf_text import pdf_pages

MM = 72 / 25.4


def folios(path: Path) -> list[str]:
    """The page number printed in the foot of each page (empty where none is printed)."""
    numbers = []
    for page in pdf_pages(path):
        found = [
            piece.text.strip()
            for piece in page.pieces
            if piece.tm[5] * piece.cm[3] + piece.cm[5] < 25 * MM and piece.text.strip() and piece.text.strip().isalnum()
        ]
        numbers.append(found[0] if found else "")
    return numbers


def test_page_labels_are_the_printed_numbers(outputs):
    labels = [page.label for page in pdf_pages(outputs["pdf"])]
    assert labels[:5] == ["i", "ii", "iii", "iv", "1"]
    for label, printed in zip(labels, folios(outputs["pdf"]), strict=True):
        assert printed in ("", label)
    # Only blank pages and the first page of a part print no number: at least three pages in four do.
    printed = sum(1 for label, folio in zip(labels, folios(outputs["pdf"]), strict=True) if folio == label)
    assert printed >= 3 * len(labels) / 4


def test_every_essay_and_the_back_matter_begin_on_a_right_hand_odd_page(outputs, edition: Edition):
    pages = pdf_pages(outputs["pdf"])
    starts = {}
    for index, page in enumerate(pages):
        text = page.text
        for essay in edition.essays:
            if essay.id not in starts and essay.title in text and essay.author in text and "Contents" not in text:
                starts[essay.id] = index
    assert set(starts) == {essay.id for essay in edition.essays}
    for index in starts.values():
        assert index % 2 == 0  # the 1st, 3rd, 5th … page: a recto
        assert int(pages[index].label) % 2 == 1


def test_the_outline_has_every_essay_its_sections_and_the_back_matter(outputs, edition: Edition):
    with pikepdf.open(outputs["pdf"]) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
        children = {item.title: [child.title for child in item.children] for item in outline.root}
    for essay in edition.essays:
        assert essay.title in titles
    assert titles[-3:] == ["Register", "Further reading", "A note on the text"]
    assert "The Bloody Rupture" in children["Victor Serge’s Critique of Stalinism, Part II"]
    assert "Persons" in children["Register"]


def test_the_further_reading_follows_the_register_in_full_and_the_notes_cite_it_in_short_form(
    outputs, edition: Edition
):
    pages = pdf_pages(outputs["pdf"])

    def text(of) -> str:  # without white space: pypdf ends a line broken at a hyphen with one
        return "".join("".join(page.text for page in of).split())

    heads = [page.text.lstrip().split("\n")[0] for page in pages]
    start, end = heads.index("Further reading"), heads.index("A note on the text")
    assert heads.index("Register") < start < end
    assert int(pages[start].label) % 2 == 1  # it opens on a right-hand page
    listed = text(pages[start:end])
    for work in edition.works:
        assert "".join(plain(work.citation).split()) in listed, work.id
    essays = text(pages[: heads.index("Register")])
    citations = [
        part
        for note in edition.notes.values()
        if note.commentary
        for part in note.commentary.content
        if isinstance(part, Span) and part.kind == "citation"
    ]
    assert len(citations) >= 10  # the commentary cites in short form in thirteen places
    for citation in citations:
        assert "".join(f"({plain(citation.children)})".split()) in essays


def test_the_pdf_declares_pdfa_3a_is_tagged_and_carries_full_metadata(outputs, edition: Edition):
    with pikepdf.open(outputs["pdf"]) as pdf:
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:part"] == "3"
            assert xmp["pdfaid:conformance"] == "A"
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        assert str(pdf.Root.Lang) == "en"
        info = pdf.docinfo
        assert str(info["/Title"]) == edition.full_title
        assert str(info["/version"]) == edition.version  # WeasyPrint lower-cases custom keys
        assert str(info["/editors"]) == ", ".join(edition.editors)
        assert "Victor Serge" in str(info["/Keywords"])
        for attachment in pdf.attachments.values():
            assert attachment.obj.AFRelationship == "/Source"


@pytest.mark.parametrize("which", BOTH)
def test_no_text_in_the_outer_5_mm_of_any_page(which: str, request: pytest.FixtureRequest):
    """On A4, and on US Letter in the example course reader (conftest). That a reader prints
    only its essays, on its paper, padded: tests/test_course_reader.py."""
    path = request.getfixturevalue("outputs")["pdf"] if which == "edition" else request.getfixturevalue("reader_pdf")
    for page in pdf_pages(path):
        for piece in page.pieces:
            if piece.text.strip():
                x, y = piece.tm[4] * piece.cm[0] + piece.cm[4], piece.tm[5] * piece.cm[3] + piece.cm[5]
                assert 5 * MM < x < page.width - 5 * MM and 5 * MM < y < page.height - 5 * MM, piece.text


def test_no_line_is_broken_short_inside_a_paragraph(document: Document):
    """Every line of a paragraph (of an essay, a note, the register…) but its last on the page
    fills most of the measure, unless the text breaks it: WeasyPrint 70 can break a line far too
    early before an inline element (see html.InlineRenderer)."""
    short = []
    for index, page in enumerate(page_drawings(document.pages)):
        for paragraph in page.paragraphs:
            if not paragraph.forced_break:
                for line in paragraph.lines[:-1]:
                    if line.filled < 0.6 * paragraph.measure:
                        short.append((index, paragraph.id))
    assert short == []
