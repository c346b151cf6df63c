"""The print edition as a copy shop and a library check it: structure, standards, paper."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from weasyprint.document import Document

from edition.layout.typeset import page_drawings
from edition.sources.model import Edition, Span, plain
from tests.conftest import BOTH
from tests.pdf_text import pdf_chars, pdf_pages

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
    """Each part the outline lists (the front matter, every essay, the register, the further
    reading, the note on the text) opens on a recto: the 1st, 3rd, 5th … sheet side, numbered odd."""
    labels = [page.label for page in pdf_pages(outputs["pdf"])]
    with pikepdf.open(outputs["pdf"]) as pdf, pdf.open_outline() as outline:
        index = {page.objgen: number for number, page in enumerate(pdf.pages)}
        starts = {item.title: index[item.destination[0].objgen] for item in outline.root}
    assert {essay.title for essay in edition.essays} | {"Register", "A note on the text"} <= set(starts)
    for title, start in starts.items():
        assert start % 2 == 0, f"{title} begins on a verso, the PDF's page {start + 1}"
        assert not labels[start].isdigit() or int(labels[start]) % 2 == 1, (title, labels[start])


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
    """On A4, and on US Letter in the course reader (conftest). That a reader prints
    only its essays, on its paper, padded: tests/test_course_reader.py."""
    path = request.getfixturevalue("outputs")["pdf"] if which == "edition" else request.getfixturevalue("reader_pdf")
    for number, page in enumerate(pdf_chars(path), start=1):  # each glyph's box, from the page's top left
        for char in page.chars:
            if char["text"].strip():
                inside = char["x0"] > 5 * MM and char["x1"] < page.width - 5 * MM
                assert inside and char["top"] > 5 * MM and char["bottom"] < page.height - 5 * MM, (number, char["text"])


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


def first_word(text: str) -> str:
    """The letters and digits of a text's first word, in lower case (small capitals read back
    from a PDF as either case)."""
    found = re.search(r"\w+", text)
    return found.group().lower() if found else ""


def printed_paragraph_numbers(path: Path) -> list[tuple[str, str]]:
    """Each paragraph number printed in the margin, in page order, with the first word of the line
    it stands beside: the figures left of the text block that stand beside a line of body-size
    type (a folio or a note's number stands beside none)."""
    found = []
    for page in pdf_chars(path):
        body = [char for char in page.chars if char["size"] > 9.5]
        if not body:
            continue
        left = min(char["x0"] for char in body)
        figures = sorted((char for char in page.chars if char["x1"] <= left and char["text"].isdigit()), key=_place)
        numbers: dict[float, str] = {}
        for char in figures:
            line = next((top for top in numbers if abs(top - char["top"]) < 2), char["top"])
            numbers[line] = numbers.get(line, "") + char["text"]
        for top, number in numbers.items():
            beside = sorted((char for char in body if abs(char["top"] - top) < 4), key=lambda char: char["x0"])
            if beside:
                found.append((number, first_word("".join(char["text"] for char in beside))))
    return found


def _place(char: dict) -> tuple[float, float]:
    return round(char["top"]), char["x0"]


def epub_paragraph_numbers(path: Path, edition: Edition) -> list[tuple[str, str]]:
    """Each essay's paragraph numbers in the EPUB, in reading order, with the paragraph's first word."""
    found = []
    xhtml = "{http://www.w3.org/1999/xhtml}"
    with zipfile.ZipFile(path) as epub:
        for essay in edition.essays:
            document = etree.fromstring(epub.read(f"EPUB/{essay.id}.xhtml"))
            for paragraph in document.iter(f"{xhtml}p"):
                number = paragraph.find(f"{xhtml}span[@class='pnum']")
                if number is not None:
                    rest = "".join(paragraph.itertext())[len("".join(number.itertext())) :]
                    found.append(("".join(number.itertext()).strip(), first_word(rest)))
    return found


def test_each_printed_paragraph_number_is_the_e_reader_s_for_the_same_paragraph(outputs, edition: Edition):
    """The README's promise to a student who cites "Weissman ¶12": the same number stands beside
    the same paragraph in print and on the e-reader, for every paragraph of every essay."""
    printed, epub = printed_paragraph_numbers(outputs["pdf"]), epub_paragraph_numbers(outputs["epub"], edition)
    assert len(epub) == sum(1 for essay in edition.essays for block in essay.body if getattr(block, "number", None))
    assert printed == epub
