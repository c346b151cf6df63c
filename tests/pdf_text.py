"""The text of a PDF as pypdf reads it, page by page, and its characters as pdfplumber reads
them, each read once per file for the whole session: reading a PDF's text takes seconds, and
several tests read the same PDF."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pypdf import PdfReader


@dataclass(frozen=True)
class Piece:
    """A piece of text as pypdf's text visitor is given it: the text, its two matrices, and the
    font size."""

    text: str
    cm: tuple[float, ...]
    tm: tuple[float, ...]
    size: float


@dataclass(frozen=True)
class PageText:
    label: str  # the page label
    width: float
    height: float
    text: str  # what `extract_text` returns
    pieces: tuple[Piece, ...]


@functools.cache
def pdf_pages(path: Path) -> tuple[PageText, ...]:
    reader = PdfReader(path)
    pages = []
    for label, page in zip(reader.page_labels, reader.pages, strict=True):
        pieces: list[Piece] = []

        def keep(text, cm, tm, font, size, pieces=pieces):
            pieces.append(Piece(text, tuple(cm), tuple(tm), size))

        text = page.extract_text(visitor_text=keep)
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        pages.append(PageText(label, width, height, text, tuple(pieces)))
    return tuple(pages)


def whole_text(path: Path) -> str:
    """The text of every page of the PDF, one after another, as pypdf reads it."""
    return "".join(page.text for page in pdf_pages(path))


@dataclass(frozen=True)
class CharPage:
    """A page's characters as pdfplumber reads them (each a dict: text, x0, top, bottom, size,
    matrix, mcid, tag…), and its rectangles, with the page's size."""

    width: float
    height: float
    chars: tuple[dict, ...]
    rects: tuple[dict, ...]


@functools.cache
def pdf_chars(path: Path) -> tuple[CharPage, ...]:
    """Every page's characters and rectangles, read once per file for the session (pdfplumber
    takes seconds)."""
    with pdfplumber.open(path) as document:
        return tuple(CharPage(page.width, page.height, tuple(page.chars), tuple(page.rects)) for page in document.pages)
