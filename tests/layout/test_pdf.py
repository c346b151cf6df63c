"""The print edition: metadata, fonts and the complete text, read back from the PDF itself."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from edition.sources.model import Edition, Quotation, plain
from tests.pdf_text import pdf_pages


@pytest.fixture(scope="module")
def pdf(outputs: dict[str, Path]) -> pikepdf.Pdf:
    return pikepdf.open(outputs["pdf"])


def letters(text: str) -> str:
    """Only the letters: hyphenation, line breaks, ligatures and paragraph numbers fall away."""
    return "".join(ch for ch in text.lower() if ch.isalpha())


def body_text(path: Path) -> str:
    """The text set at 9 pt or more: the essays and the authors' notes, without running heads,
    folios, paragraph numbers, note calls or the editorial footnotes, which would interrupt it."""
    return "".join(
        piece.text
        for page in pdf_pages(path)
        for piece in page.pieces
        if piece.size * abs(piece.tm[0] * piece.cm[0]) >= 9
    )


def test_metadata_names_the_title_and_both_authors(outputs: dict[str, Path], edition: Edition):
    info = PdfReader(outputs["pdf"]).metadata
    assert info.title == edition.full_title
    assert "Donald Filtzer" in info.author and "Suzi Weissman" in info.author
    with pikepdf.open(outputs["pdf"]) as pdf, pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == edition.full_title
        assert "Suzi Weissman" in str(xmp["dc:creator"])


def test_every_font_is_embedded_and_is_the_book_face(pdf: pikepdf.Pdf):
    fonts = {}
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            fonts[str(font.BaseFont)] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} is not embedded"
        # A subset prefix, then our face: no system font slipped in (e.g. for a missing glyph).
        assert name.split("+", 1)[1].startswith("Source-Serif-Pro"), name
        assert "Oblique" not in name, f"{name}: a glyph is missing from a face and was faked"


def test_the_text_of_every_paragraph_of_both_essays_is_in_the_pdf(outputs: dict[str, Path], edition: Edition):
    text = letters(body_text(outputs["pdf"]))
    for essay in edition.essays:
        for block in essay.body:
            pieces = block.paragraphs if isinstance(block, Quotation) else [block.content]
            for piece in pieces:
                assert letters(plain(piece)) in text, f"{essay.id}: {plain(piece)[:60]}…"
        for note in essay.notes:
            assert letters(plain(note.content)) in text, f"{essay.id} note {note.number}"


def test_pages_are_a4_and_the_pdf_is_well_formed(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        width, height = float(page.MediaBox[2]), float(page.MediaBox[3])
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    assert pdf.check_pdf_syntax() == []


def test_the_sources_are_attached(outputs: dict[str, Path], edition: Edition):
    with pikepdf.open(outputs["pdf"]) as pdf:
        attached = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
    assert attached == {path.name: path.read_bytes() for path in edition.sources}
