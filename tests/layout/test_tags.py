"""The print edition as a screen reader meets it (issue 28): PDF/A-3a and PDF/UA-1 claimed, and
held to them. `pdfua` finds nothing in the A4 edition or the course reader (the mini-edition's, on Letter); and what it
does not check, read back with pikepdf and pdfplumber (`tests/pdf_tags.py`): every note a Note
with an ID that its call refers to, the tree's reading order the essays' with each footnote after
its paragraph, running heads and folios pagination artifacts, paragraph numbers real content,
header cells with a scope, every link described. And the tagging changes nothing drawn."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pikepdf
import pytest
from pdfua import validate
from pdfua.model import Severity
from weasyprint.document import Document

from edition.html import print_part, print_parts
from edition.layout.typeset import write
from edition.sources.model import Edition, Imprint, Paragraph
from tests.conftest import BOTH, book_of
from tests.pdf_tags import Node, Tagged, structure
from tests.pdf_text import pdf_chars

MM = 72 / 25.4
# pdfua 0.1.3's check that no heading is empty stops with an error on a heading whose /K is an
# array (it asks pikepdf for `is_integer` on the array, which pikepdf 10 refuses): it cannot
# run on this edition's headings, each of which holds several pieces of text.
# `test_no_heading_is_empty` checks what it would have.
PDFUA_CANNOT_RUN = {"UA-14-001"}


def pdf_of(request: pytest.FixtureRequest, which: str) -> Path:
    return request.getfixturevalue("outputs")["pdf"] if which == "edition" else request.getfixturevalue("reader_pdf")


@pytest.mark.parametrize("which", BOTH)
def test_pdfua_finds_no_error_and_no_warning(which: str, request: pytest.FixtureRequest):
    report = validate(str(pdf_of(request, which)))
    findings = [
        (outcome.rule_id, finding.severity.name, finding.message)
        for outcome in report.outcomes
        for finding in outcome.findings
        if finding.severity in (Severity.ERROR, Severity.WARNING)
    ]
    assert findings == []
    skipped = {outcome.rule_id: outcome.skipped_reason for outcome in report.outcomes if outcome.skipped_reason}
    assert set(skipped) <= PDFUA_CANNOT_RUN, skipped
    assert len(report.outcomes) == 12  # every check it has ran (or is named above)


def notes(tagged: Tagged) -> list[Node]:
    return [node for node in tagged.root.walk() if node.tag == "Note"]


def note_ids(essays: Edition) -> tuple[set[str], set[str]]:
    """The ids of the editorial footnotes (their elements' in the print HTML) and of the
    authors' notes."""
    editorial = {f"note-{note.anchor}" for essay in essays.essays for note in essays.notes_of(essay)}
    return editorial, {note.id for essay in essays.essays for note in essay.notes}


@pytest.mark.parametrize("which", BOTH)
def test_every_note_is_a_note_with_an_id_that_its_call_refers_to(
    which: str, request: pytest.FixtureRequest, edition: Edition
):
    """Every editorial footnote and every author's note of the essays the PDF holds (in version
    0.2.0 of the edition, 103 and 28)."""
    editorial, authors = note_ids(book_of(request, which))
    tagged = structure(pdf_of(request, which))
    found = notes(tagged)
    ids = [note.id for note in found]
    assert len(ids) == len(set(ids)) and set(ids) == editorial | authors
    by_objgen = {note.objgen: note for note in found}
    assert {key: by_objgen[value].id for key, value in tagged.id_tree.items() if value in by_objgen} == {
        note.id: note.id for note in found
    }
    # Each note's call: a Link to it, in a Reference, in a paragraph (or heading, or an
    # author's note) before it.
    calls: dict[str, list[Node]] = defaultdict(list)
    for node in tagged.root.walk():
        if node.tag == "Link" and node.parent.tag == "Reference":
            for destination in node.destinations:
                calls[destination].append(node)
    order = {id(node): index for index, node in enumerate(tagged.root.walk())}
    for note in found:
        called = [
            call
            for call in calls[note.id]
            if any(block.tag in ("P", "H1", "H2", "H3", "Note") for block in call.ancestors())
            and order[id(call)] < order[id(note)]
        ]
        assert called, f"{note.id}: no call refers to it"
        assert all(call.alt for call in called)


def footnote_calls(tagged: Tagged, footnotes: set[str]) -> set[int]:
    """The References of the editorial footnotes' calls (their letters are generated)."""
    return {
        id(node)
        for node in tagged.root.walk()
        if node.tag == "Reference" and any(set(link.destinations) & footnotes for link in node.walk())
    }


def first_difference(read: str, expected: str) -> str:
    at = next((index for index, pair in enumerate(zip(read, expected, strict=False)) if pair[0] != pair[1]), 0)
    return f"the tree reads …{read[at - 40 : at + 40]}… where the text has …{expected[at - 40 : at + 40]}…"


def letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def reading_text(element: lxml.html.HtmlElement) -> tuple[str, list[str]]:
    """The text of an element of the print HTML as it should be read: without its footnotes,
    and, for a block after which notes are read (a paragraph, heading, list item or table cell,
    or a quotation as a whole), the footnotes called in it after it; and the footnotes it hands
    on to the block around it."""
    classes = element.get("class", "").split()
    if "footnote" in classes:
        return "", [element.text_content()]
    if "backlink" in classes:  # not printed
        return "", []
    text, notes_in = element.text or "", []
    for child in element:
        inner, called = reading_text(child)
        text += inner + (child.tail or "")
        notes_in += called
    quoted = any(ancestor.tag == "blockquote" for ancestor in element.iterancestors())
    if (element.tag == "blockquote" and not quoted) or (element.tag in READ_AFTER and not quoted):
        return text + "".join(notes_in), []
    return text, notes_in


READ_AFTER = {"p", "h1", "h2", "h3", "li", "td", "th"}


@pytest.mark.parametrize("which", BOTH)
def test_the_tree_reads_each_essay_in_its_order_with_each_footnote_after_its_paragraph(
    which: str, request: pytest.FixtureRequest, edition: Edition
):
    """The text of each essay's section in the tree, read in order (generated labels and the
    footnotes' call letters left out), is the HTML's, each footnote moved from its call to after
    its paragraph; the authors' notes stay in the essay's list of notes, where the author put
    them."""
    essays = book_of(request, which)
    footnotes, _ = note_ids(essays)
    tagged = structure(pdf_of(request, which))
    generated = footnote_calls(tagged, footnotes)
    sections = [node for node in tagged.root.kids if isinstance(node, Node) and node.tag == "Sect"]
    for part in print_parts(essays):
        if not part.essay:
            continue
        html = lxml.html.document_fromstring(print_part(essays, Imprint(), part, defaultdict(str)))
        expected = letters_and_digits(reading_text(html.body)[0])
        (section,) = [
            node for node in sections if any(h.tag == "H1" and h.text() == part.essay.title for h in node.walk())
        ]
        read = letters_and_digits(section.text(lambda node: node.tag == "Lbl" or id(node) in generated))
        assert read == expected, f"{part.name}: {first_difference(read, expected)}"
        # Each footnote directly after the block of its call, or after the notes before it there.
        for note in (node for node in section.walk() if node.tag == "Note" and node.id in footnotes):
            siblings = note.parent.kids
            before = siblings[: siblings.index(note)]
            block = next(node for node in reversed(before) if isinstance(node, Node) and node.id not in footnotes)
            assert any(note.id in link.destinations for link in block.walk() if link.tag == "Link"), note.id
            assert all(node.id in footnotes for node in before[before.index(block) + 1 :])


def marked_content(path: Path) -> list[list[tuple[str, dict, str]]]:
    """For each page, every piece of content that is shown — text, a path or an image — with
    the innermost marked-content sequence around it: its tag and its properties."""
    shown = {"Tj": "text", "TJ": "text", "'": "text", '"': "text", "S": "path", "f": "path", "F": "path"}
    shown |= {"B": "path", "b": "path", "f*": "path", "B*": "path", "Do": "image"}
    pages = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            stack: list[tuple[str, dict]] = []
            found = []
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    properties = operands[1] if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) else {}
                    stack.append((str(operands[0]), {str(k): str(v) for k, v in dict(properties).items()}))
                elif name == "EMC":
                    stack.pop()
                elif name in shown:
                    found.append((*(stack[-1] if stack else ("", {})), shown[name]))
            pages.append(found)
    return pages


@pytest.mark.parametrize("which", BOTH)
def test_running_heads_and_folios_are_pagination_artifacts_and_the_rest_is_content(
    which: str, request: pytest.FixtureRequest
):
    """The text in the head and foot margins is drawn as /Artifact /Pagination (/Header,
    /Footer), every other text as tagged content; rules and borders (the footnote rule) are
    /Layout artifacts; blank pages hold nothing the tree refers to."""
    path = pdf_of(request, which)
    pages = marked_content(path)
    for index, shown in enumerate(pages):
        for tag, properties, kind in shown:
            if kind == "text" and tag == "/Artifact":
                assert properties.get("/Type") == "/Pagination" and properties["/Subtype"] in ("/Header", "/Footer")
            elif kind == "text":
                assert tag and "/MCID" in properties, (index, tag)
            else:
                assert (tag, properties.get("/Type")) == ("/Artifact", "/Layout"), (index, tag, properties)
    for index, page in enumerate(pdf_chars(path)):
        for char in page.chars:
            middle = (char["top"] + char["bottom"]) / 2  # a descender may reach the margin
            margin = middle < 24 * MM or middle > page.height - 30 * MM
            assert (char.get("tag") == "Artifact") == margin, (index, char["text"])
    tagged = structure(path)
    used = {node.page for node in tagged.root.walk() if node.text()}
    blank = {index for index, shown in enumerate(pages) if not any(kind == "text" for *_, kind in shown)}
    assert blank and not blank & used


def test_paragraph_numbers_are_content_read_as_cited_and_header_cells_have_a_scope(
    outputs: dict[str, Path], edition: Edition
):
    tagged = structure(outputs["pdf"])
    numbers = [node for node in tagged.root.walk() if node.actual_text and node.actual_text.startswith("¶")]
    paragraphs = [block for essay in edition.essays for block in essay.body if isinstance(block, Paragraph)]
    assert [node.actual_text for node in numbers] == [f"¶{block.number} " for block in paragraphs]
    assert all(node.parent.tag == "P" and node.text() == node.actual_text[1:-1] for node in numbers)
    cells = [node for node in tagged.root.walk() if node.tag == "TH"]
    assert cells and all(str(cell.attributes.get("/Scope")) == "/Column" for cell in cells)


def test_no_heading_is_empty(outputs: dict[str, Path]):
    headings = [node for node in structure(outputs["pdf"]).root.walk() if re.fullmatch(r"H\d", node.tag)]
    assert headings and all(heading.text().strip() for heading in headings)


def test_every_link_is_tagged_as_a_link_and_described(outputs: dict[str, Path]):
    with pikepdf.open(outputs["pdf"]) as pdf:
        links = [
            annotation for page in pdf.pages for annotation in page.get("/Annots", []) if annotation.Subtype == "/Link"
        ]
    assert links and all(str(link.get("/Contents", "")).strip() for link in links)
    nodes = list(structure(outputs["pdf"]).root.walk())
    assert sum(node.annotations for node in nodes) == len(links)
    assert all(node.tag == "Link" for node in nodes if node.annotations)  # as PDF/UA 7.18.5 asks
    assert all(node.alt for node in nodes if node.tag == "Link")


def test_the_pdf_claims_pdfa_3a_and_pdfua_1_with_its_title_shown(outputs: dict[str, Path], edition: Edition):
    xmp = structure(outputs["pdf"]).xmp
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp  # declared, as PDF/A asks
    with pikepdf.open(outputs["pdf"]) as pdf:
        assert pdf.Root.ViewerPreferences.DisplayDocTitle and pdf.Root.MarkInfo.Marked
        assert str(pdf.docinfo.Title) == edition.full_title and str(pdf.Root.Lang) == "en"


def drawing(data: bytes) -> list[list[tuple[str, str]]]:
    """Each page's content stream, operator by operator, without marked-content sequences."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            [
                (str(operator), repr(operands))
                for operands, operator in pikepdf.parse_content_stream(page)
                if str(operator) not in ("BDC", "BMC", "EMC")
            ]
            for page in pdf.pages
        ]


def test_the_tagging_changes_nothing_drawn(outputs: dict[str, Path], document: Document):
    """The PDF as the build wrote it, and the pages of the same layout written with WeasyPrint's
    own tags (as the edition was written before): the same drawing, operator for operator, on
    every page but the colophon's, whose commit `document` does not name."""
    plain, _ = write(document, 4, datetime(2026, 1, 1, tzinfo=UTC), pdf_variant="pdf/a-3b", pdf_tags=True)
    colophon = next(index for index, page in enumerate(document.pages) if "colophon" in page.anchors)
    tagged, before = drawing(outputs["pdf"].read_bytes()), drawing(plain)
    assert len(tagged) == len(before)
    assert [page for index, page in enumerate(tagged) if index != colophon] == [
        page for index, page in enumerate(before) if index != colophon
    ]
