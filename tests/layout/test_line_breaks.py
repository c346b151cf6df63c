"""The lines of the printed page as a reader sees them, read back from the PDF with pdfplumber
(its characters grouped by baseline): no line of the text block begins with a note call (a
superior figure or letter) or with closing punctuation, and no page opens with the last line
of a paragraph begun on the page before (a widow) while the stylesheet promises `widows`. On the
A4 edition and on the course reader (the mini-edition's, on US Letter), whose lines fall elsewhere."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pikepdf
import pytest

from edition.html import print_part, print_parts
from edition.sources.model import Edition, Imprint
from tests.conftest import BOTH, ROOT, book_of
from tests.pdf_text import CharPage, pdf_chars

MM = 72 / 25.4
# The text block lies within the page's margins (styles/print.css: 24 mm at the head, 30 mm at
# the foot); running heads and folios stand outside it, paragraph numbers left of it.
TOP, FOOT = 24 * MM, 30 * MM
# A character smaller than this share of its line's text, set above its baseline, is a superior.
SUPERIOR = 0.8
# Text smaller than this is a superior or a paragraph number (the footnotes are set in 8 pt).
SMALL = 7.95
# Closing punctuation: closing brackets and final quotes (Unicode's Pe and Pf), and the marks that
# end a phrase. A line may begin with ’ as an apostrophe (’30s), never as a closing quote.
ENDING = set(".,;:!?…")
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "div", "tr", "blockquote"}


@dataclass(frozen=True)
class Char:
    text: str
    x: float
    baseline: float  # from the top of the page
    size: float


@dataclass
class PrintedLine:
    baseline: float
    chars: list[Char]
    size: float = 0.0  # the size of its text (set once the line is whole)

    @property
    def first(self) -> Char:
        return min(self.chars, key=lambda char: char.x)

    @property
    def text(self) -> str:
        return "".join(char.text for char in sorted(self.chars, key=lambda char: char.x))


@dataclass(frozen=True)
class PrintedPage:
    number: int  # from 1, as a viewer counts
    lines: list[PrintedLine]


def lines_of(page: CharPage) -> list[PrintedLine]:
    """The lines of the page's text block, top to bottom: every visible character between the
    head and foot margins and not left of the block (paragraph numbers hang there), grouped by
    baseline. A smaller character (a superior) joins the line whose baseline is nearest; one
    alone on its line stands among text of the page's usual size."""
    chars = [
        Char(c["text"], c["x0"], page.height - c["matrix"][5], c["size"])
        for c in page.chars
        if c["text"].strip() and c["top"] >= TOP - 1 and c["bottom"] <= page.height - FOOT + 1
    ]
    if not chars:
        return []
    left = min(char.x for char in chars if char.size >= SMALL)
    chars = [char for char in chars if char.x >= left - 0.5]
    usual = Counter(round(char.size, 1) for char in chars).most_common(1)[0][0]
    lines: list[PrintedLine] = []
    # The full-size characters first, each line by its baseline; then the smaller ones.
    for char in sorted(chars, key=lambda char: (char.size < SMALL, char.baseline)):
        near = min(lines, key=lambda line: abs(line.baseline - char.baseline), default=None)
        distance = abs(near.baseline - char.baseline) if near else 99
        if distance < 0.5 or (char.size < SMALL and distance < 6):
            near.chars.append(char)
        else:
            lines.append(PrintedLine(char.baseline, [char]))
    for line in lines:
        line.size = max(char.size for char in line.chars)
        if line.size < SMALL:  # superiors alone on their line
            line.size = usual
    return sorted(lines, key=lambda line: line.baseline)


@functools.cache
def printed_pages(path: Path) -> list[PrintedPage]:
    return [PrintedPage(number, lines_of(page)) for number, page in enumerate(pdf_chars(path), start=1)]


def begins_with_a_superior(line: PrintedLine) -> bool:
    """Its first character is smaller than its text and raised above its baseline, or stands
    alone with other small ones on a line of its own."""
    first = line.first
    alone = all(char.size < SMALL for char in line.chars)
    return first.size < SUPERIOR * line.size and (alone or first.baseline < line.baseline - 0.5)


def begins_with_closing_punctuation(line: PrintedLine) -> bool:
    text = line.text
    first = text[:1]
    if first == "’":
        return not text[1:2].isalnum()
    return first in ENDING or unicodedata.category(first or " ") in ("Pe", "Pf")


def pdf_of(request: pytest.FixtureRequest, which: str) -> Path:
    return request.getfixturevalue("outputs")["pdf"] if which == "edition" else request.getfixturevalue("reader_pdf")


@pytest.mark.parametrize("which", BOTH)
def test_no_line_begins_with_a_note_call(which: str, request: pytest.FixtureRequest):
    """A call belongs to the word or mark before it (issue 31: Weissman ¶22's "20" stood alone
    at the start of a line, after "abroad.")."""
    found = [
        (page.number, line.text[:40])
        for page in printed_pages(pdf_of(request, which))
        for line in page.lines
        if begins_with_a_superior(line)
    ]
    assert found == []


@pytest.mark.parametrize("which", BOTH)
def test_no_line_begins_with_closing_punctuation(which: str, request: pytest.FixtureRequest):
    found = [
        (page.number, line.text[:40])
        for page in printed_pages(pdf_of(request, which))
        for line in page.lines
        if begins_with_closing_punctuation(line)
    ]
    assert found == []


def promised_widows() -> int:
    """The `widows` the print stylesheets set on the root, 1 (CSS's initial value) if none."""
    css = "".join((ROOT / "styles" / name).read_text(encoding="utf-8") for name in ("shared.css", "print.css"))
    root = re.search(r"(?ms)^html\s*\{(.*?)\}", css)
    found = re.search(r"widows:\s*(\d+)", root.group(1)) if root else None
    return int(found.group(1)) if found else 1


def block_starts(path: Path, blocks: set[str]) -> dict[int, list[float]]:
    """For each page (from 0), where the blocks with an id that begin on it start: the top of
    each, from the top of the page (WeasyPrint names a destination after every id)."""
    starts: dict[int, list[float]] = {}
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        height = {index: float(page.MediaBox[3]) for index, page in enumerate(pdf.pages)}
        for name, destination in pikepdf.NameTree(pdf.Root.Names.Dests).items():
            if name in blocks:
                index = pages[destination[0].objgen]
                starts.setdefault(index, []).append(height[index] - float(destination[3]))
    return starts


def block_ids(edition: Edition) -> set[str]:
    ids = set()
    for part in print_parts(edition):
        document = lxml.html.document_fromstring(print_part(edition, Imprint(), part, defaultdict(str)))
        ids |= {element.get("id") for element in document.iter() if element.tag in BLOCK_TAGS and element.get("id")}
    return ids


def widows(path: Path, blocks: set[str]) -> list[tuple[int, str]]:
    """The pages whose text block opens with the last line of a paragraph begun on an earlier
    page: the first line starts no block, and the second line starts one (or there is none)."""
    starts = block_starts(path, blocks)
    found = []
    for index, page in enumerate(printed_pages(path)):
        body = [line for line in page.lines if line.size > 8.5]  # not the footnotes, at 8 pt
        if not body:
            continue

        def starts_a_block(line: PrintedLine, index: int = index) -> bool:
            # A block's destination is the top of its box: above its first line's baseline by
            # less than the line's height.
            return any(line.baseline - 1.6 * line.size < start < line.baseline for start in starts.get(index, []))

        if not starts_a_block(body[0]) and (len(body) == 1 or starts_a_block(body[1])):
            found.append((page.number, body[0].text[:40]))
    return found


@pytest.mark.parametrize("which", BOTH)
def test_no_page_opens_with_a_widow(which: str, request: pytest.FixtureRequest):
    if promised_widows() < 2:
        pytest.skip("the stylesheet does not promise widows")
    assert widows(pdf_of(request, which), block_ids(book_of(request, which))) == []
