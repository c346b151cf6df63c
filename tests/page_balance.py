"""How much of each printed page the editorial footnotes take, measured from the PDF itself.

WeasyPrint draws the footnote area's top rule as the border of a rectangle that runs from the
rule to the foot of the text block; its height over the text block's is the share the notes
take. The words inside it are the words the footnotes set. Used by tests/sources/test_apparatus.py, and
as a script for the README's figures: `python -m tests.page_balance dist/serge-stalinism-*.pdf`.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from pdfplumber.utils import extract_words

from tests.pdf_text import pdf_chars

MM = 72 / 25.4
TOP, BOTTOM = 24 * MM, 30 * MM  # the text block's margins in styles/print.css (@page)


@dataclass(frozen=True)
class PageBalance:
    page: int  # from 1, as pdftoppm counts
    share: float  # of the text block's height that the footnote area takes
    words: int  # set in the footnote area


def balance(pdf: Path) -> list[PageBalance]:
    """One entry for every page that has a footnote area."""
    found = []
    for number, page in enumerate(pdf_chars(pdf), start=1):  # read once for every test that reads the file
        block_bottom = page.height - BOTTOM
        areas = [
            rect
            for rect in page.rects
            if abs(rect["bottom"] - block_bottom) < 2 and rect["top"] > TOP and rect["width"] > 100
        ]
        if not areas:
            continue
        top = min(rect["top"] for rect in areas)
        words = [word for word in extract_words(page.chars) if word["top"] >= top and word["bottom"] <= block_bottom]
        found.append(PageBalance(number, (block_bottom - top) / (block_bottom - TOP), len(words)))
    return found


def summary(pages: list[PageBalance]) -> str:
    shares = [page.share for page in pages]
    worst = max(pages, key=lambda page: page.share)
    return (
        f"{len(pages)} pages with footnotes; footnote area {statistics.mean(shares):.1%} of the text block "
        f"on average, at most {worst.share:.1%} (page {worst.page}); "
        f"{sum(page.words for page in pages):,} words in footnotes"
    )


if __name__ == "__main__":
    print(summary(balance(Path(sys.argv[1]))))
