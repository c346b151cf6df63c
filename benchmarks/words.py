"""The layout of one long paragraph, against its length and the length of its words.

`edition check` refuses a word longer than `check.WORD_LIMIT` (E081): a run of text with no
place a line may break. WeasyPrint looks for the end of a line in the next 4 × (measure ÷ font
size) characters of a paragraph; when there is no place to break in them, it lays out the whole
rest of the paragraph for that line, and a paragraph of such words takes time that grows with the
square of its length. Here a paragraph of 1,000, 10,000 and 100,000 characters, of ordinary words
(Weissman's prose as received, in order) and of the longest word allowed (WORD_LIMIT letters
with no hyphenation point: the worst case), is laid out in the mini-edition's first essay; and
paragraphs of 10,000 and 40,000 characters of words of 10 to 200 letters show where the time
stops growing with the length and starts growing with its square (4 times the text: 4 times the
time, or 16).

Each figure is the median of `repeat` layouts (after one that reads the fonts) of the essay's
print part, in this process, by the edition's own typesetter; the part without the paragraph is
laid out the same way, and "per 1,000 characters" is the difference, divided by the length.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from edition.html import print_part, print_parts
from edition.layout.pdf import Typesetter
from edition.project import Project
from edition.sources.check import WORD_LIMIT
from edition.sources.model import Imprint
from edition.sources.read import load_edition

LENGTHS = (1_000, 10_000, 100_000)
SWEEP_LENGTHS = (10_000, 40_000)
SWEEP_WORDS = (10, WORD_LIMIT, 64, 70, 100, 200)
ESSAY = "ames-2001"  # the mini-edition's first essay, after whose first paragraph the paragraph goes
AFTER = 'from within.<ref type="noteref" target="#ames-n1">1</ref></p>'


def bench_words(root: Path, repeat: int, say: Callable[[str], None]) -> dict:
    """The figures, as rows: what the paragraph is made of, its length, the median seconds, and
    the milliseconds per 1,000 characters over the part without it."""
    prose = " ".join((root / "tests" / "received" / "weissman-1988.txt").read_text().split())
    kinds = {
        "ordinary words": lambda n: _prose(prose, n),
        f"words of {WORD_LIMIT} letters (the longest allowed)": lambda n: _words(WORD_LIMIT, n),
    }
    with tempfile.TemporaryDirectory(prefix="edition-words-") as folder:
        project = _mini(root, Path(folder) / "mini")
        empty = _lay_out(project, "", repeat)
        rows = []
        for kind, made in kinds.items():
            for length in LENGTHS:
                paragraph = made(length)
                rows.append(_row(kind, length, len(paragraph), _lay_out(project, paragraph, repeat), empty))
                say(f"words: {kind}, {length:,} characters: {rows[-1]['seconds']:.2f} s")
        sweep = []
        for word in SWEEP_WORDS:  # one run each: the longest take half a minute
            times = [_lay_out(project, _words(word, length), 1) for length in SWEEP_LENGTHS]
            sweep.append({"word": word, "seconds": times, "ratio": (times[1] - empty) / (times[0] - empty)})
            say(f"words: words of {word}, {' and '.join(f'{t:.2f} s' for t in times)}")
    return {"word_limit": WORD_LIMIT, "empty_seconds": empty, "rows": rows, "sweep": sweep}


def _row(kind: str, length: int, actual: int, seconds: float, empty: float) -> dict:
    """A figure: `length` is the nominal length, `actual` the paragraph's (whole words)."""
    return {"kind": kind, "length": length, "seconds": seconds, "ms_per_1000": (seconds - empty) / actual * 1e6}


def _prose(prose: str, length: int) -> str:
    """The first `length` characters of the prose, whole words, escaped for XML."""
    text = prose[: prose.rfind(" ", 0, length + 1)] if len(prose) > length else prose
    while len(text) < length:
        text += " " + prose[: length - len(text) - 1]
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _words(word: int, length: int) -> str:
    """About `length` characters of words of `word` letters, spaced."""
    return " ".join(["x" * word] * max(1, round((length + 1) / (word + 1))))


def _mini(root: Path, where: Path) -> Project:
    """The mini-edition, as `tests/mini.py` lays it out: its sources, the project's schema and styles."""
    fixture = root / "tests" / "fixtures" / "mini"
    shutil.copytree(fixture / "source", where / "source")
    shutil.copytree(root / "source" / "schema", where / "source" / "schema")
    shutil.copytree(root / "styles", where / "styles")
    return Project(where)


def _lay_out(project: Project, paragraph: str, repeat: int) -> float:
    """The median time to lay out the essay's print part with `paragraph` after its first one."""
    essay = project.source_dir / f"{ESSAY}.xml"
    original = essay.read_text()
    try:
        if paragraph:
            essay.write_text(original.replace(AFTER, f"{AFTER}\n      <p>{paragraph}</p>", 1))
        edition = load_edition(project)
        part = next(part for part in print_parts(edition) if part.essay and part.essay.id == ESSAY)
        html = print_part(edition, Imprint(), part, defaultdict(lambda: "1"))
        typesetter = Typesetter(project, "A4")
        typesetter.render(html, 1, "")  # the fonts and stylesheets, read once
        seconds = []
        for _ in range(repeat):
            start = time.perf_counter()
            typesetter.render(html, 1, "")
            seconds.append(time.perf_counter() - start)
        return statistics.median(seconds)
    finally:
        essay.write_text(original)
