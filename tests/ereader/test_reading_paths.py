"""What a student meets on a screen: note calls and backlinks a finger can hit, calls that never
read as part of a number, and calls where Chicago sets them, in both outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from edition.ereader.epub import spine_documents
from edition.html import epub_chapters, print_parts
from edition.html.print import print_part
from edition.html.shared import CALL_LETTERS, letters, no_break_spaces, reading_order
from edition.sources.model import Edition, Essay, Imprint, PageStart, Span, plain
from edition.sources.profiles import Profile, apply_profile
from tests.conftest import BOTH, epub_of, whole_of

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ACE_CHROMIUM", "/usr/bin/chromium")
# An editorial call in either output: the EPUB's linked letter, or print's note (whose call
# WeasyPrint draws from a counter: the letter is the note's place among the essay's notes).
EPUB_CALL = re.compile(r'<a class="fnref"[^>]*>([a-z]+)</a>')
PRINT_CALL = re.compile(r'<span class="footnote" id="note-')


def test_no_call_letter_is_i_l_or_o_and_print_counts_with_the_same_letters():
    assert not set(CALL_LETTERS) & set("ilo") and len(set(CALL_LETTERS)) == 23
    assert all(not set(letters(number)) & set("ilo") for number in range(1, 2000))
    css = (ROOT / "styles" / "print.css").read_text()
    symbols = re.search(r"@counter-style editorial \{[^}]*symbols: ([^;]+);", css).group(1).split()
    assert "".join(symbols) == CALL_LETTERS


def _documents(edition: Edition) -> dict[str, list[str]]:
    """The real edition's essays as each output renders them (no layout needed)."""
    starts = [PageStart("1", edition.essays[0].body[0].id, 0)]
    chapters = epub_chapters(edition, Imprint(), "s.css", starts, ("c.png", "C"))
    pages = defaultdict(lambda: "1")  # any folio will do
    return {
        "epub": [
            chapter.xhtml
            for chapter in chapters
            if chapter.file_name.removesuffix(".xhtml") in {e.id for e in edition.essays}
        ],
        "print": [print_part(edition, Imprint(), part, pages) for part in print_parts(edition)],
    }


def test_no_editorial_call_stands_before_a_comma_full_stop_colon_or_semicolon(edition: Edition):
    documents = _documents(edition)
    epub_calls = [m for document in documents["epub"] for m in EPUB_CALL.finditer(document)]
    assert len(epub_calls) == len(edition.notes)
    for document in documents["epub"]:
        for call in EPUB_CALL.finditer(document):
            after = re.sub(r"<[^>]+>", "", document[call.end() : call.end() + 200])
            assert after[:1] not in ",.:;", f"call {call.group(1)} before {after[:20]!r}"
    printed = 0
    for document in documents["print"]:
        for call in PRINT_CALL.finditer(document):
            printed += 1
            close = document.index("</span>", call.end())  # the note's own text ends with its span
            while document.count("<span", call.end(), close) > document.count("</span>", call.end(), close):
                close = document.index("</span>", close + 1)
            after = re.sub(r"<[^>]+>", "", document[close + 7 : close + 200])
            assert after[:1] not in ",.:;", (
                f"print note {document[call.end() : call.end() + 40]!r} before {after[:20]!r}"
            )
    assert printed == len(edition.notes)


@pytest.fixture(scope="module")
def at_390_px(outputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every document of the EPUB in Chromium, 390 CSS px wide (a phone's), by file name: each
    heading's font size, and each link's box, class and text (`targets.js`). One browser measures
    them all for the tests that judge them."""
    if not Path(CHROMIUM).exists() or not (ROOT / "node_modules" / "puppeteer").is_dir():
        pytest.fail("puppeteer (node_modules/) or Chromium is missing: run ./run test, which installs them")
    folder = tmp_path_factory.mktemp("epub")
    with zipfile.ZipFile(outputs["epub"]) as package:
        package.extractall(folder)
    documents = [folder / name for name in spine_documents(outputs["epub"].read_bytes())]
    done = subprocess.run(
        [shutil.which("node") or "node", str(Path(__file__).with_name("targets.js")), str(ROOT), "390", "844",
         *map(str, documents)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "CHROMIUM": CHROMIUM},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {Path(document).name: found for document, found in json.loads(done.stdout).items()}


CALLS_AND_BACKLINKS = {"noteref", "fnref", "fn-back", "backlink"}


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["left"] + b["width"]
        and b["left"] < a["left"] + a["width"]
        and a["top"] < b["top"] + b["height"]
        and b["top"] < a["top"] + a["height"]
    )


def test_every_call_and_backlink_is_a_target_of_24_px_apart_from_figures_and_other_calls_at_390_px(
    at_390_px: dict[str, dict], edition: Edition
):
    """Both essays of the EPUB in Chromium, 390 CSS px wide: every note call and backlink at
    least 24 × 24 px; no two on one line overlap; no editorial call touches a figure."""
    measured = {
        chapter: [link for link in at_390_px[chapter]["links"] if link["cls"] in CALLS_AND_BACKLINKS]
        for chapter in (f"{essay.id}.xhtml" for essay in edition.essays)
    }
    for chapter, targets in measured.items():
        kinds = {target["cls"] for target in targets}
        assert kinds == {"noteref", "fnref", "fn-back", "backlink"} or kinds == {"fnref", "fn-back"}, kinds
        for target in targets:
            assert target["width"] >= 24 and target["height"] >= 24, f"{chapter}: {target}"
            if target["cls"] == "fnref":
                assert not target["before"].rstrip("\u2060")[-1:].isdigit(), target
                assert not target["after"].lstrip("\u2060")[:1].isdigit(), target
        for index, first in enumerate(targets):
            for second in targets[index + 1 :]:
                same_line = abs(first["top"] - second["top"]) < 4
                assert not (same_line and _overlap(first, second)), f"{chapter}: {first['id']} and {second['id']}"


def test_each_corrected_reading_with_a_letter_links_to_its_row_of_the_corrections_table(edition: Edition):
    chapters = {c.file_name: c.xhtml for c in epub_chapters(edition, Imprint(), "s.css", [], ("c.png", "C"))}
    rows = {
        row: re.sub(r"<[^>]+>", "", cells)
        for row, cells in re.findall(r'<tr id="(correction-[^"]+)">(.*?)</tr>', chapters["note-on-the-text.xhtml"])
    }
    links = [
        (href, re.sub(r"<[^>]+>", "", text))
        for xhtml in chapters.values()
        for href, text in re.findall(r'<a class="correction" href="([^"]+)">(.*?)</a>', xhtml)
    ]
    spans = [span for essay in edition.essays for span in _corrections(essay)]
    readable = {f"correction-{span.attrs['key']}" for span in spans if any(ch.isalnum() for ch in plain([span]))}
    assert len(spans) == len(edition.corrections) and readable
    assert {href.partition("#")[2] for href, _ in links} == readable, (
        "a corrected reading of letters that links nowhere"
    )
    for href, text in links:
        chapter, _, row = href.partition("#")
        assert chapter == "note-on-the-text.xhtml" and row in rows, href
        assert text.strip() and text.strip() in rows[row], (text, rows[row])


def test_the_navigation_hides_its_landmarks_and_page_list_by_css_too(outputs: dict[str, Path]):
    """A reading system that ignores `hidden` (KOReader did: koreader#10703) still hides them."""
    with zipfile.ZipFile(outputs["epub"]) as package:
        nav = package.read("EPUB/nav.xhtml").decode()
        css = package.read("EPUB/css/edition.css").decode()
    hidden = re.findall(r'<nav epub:type="([^"]+)"[^>]*hidden="hidden"', nav)
    assert sorted(hidden) == ["landmarks", "page-list"]
    assert re.search(r"nav\[hidden\]\s*\{\s*display:\s*none;?\s*\}", css)


def _corrections(essay: Essay) -> list[Span]:
    """An essay's corrected readings, as the sources give them (spans of kind "correction")."""
    found: list[Span] = []

    def walk(content: list) -> None:
        for part in content:
            if isinstance(part, Span):
                if part.kind == "correction":
                    found.append(part)
                walk(part.children)

    for content in reading_order(essay):
        walk(content)
    walk(essay.original)
    return found


def test_every_link_of_every_document_meets_wcag_2_2_target_size_at_390_px(at_390_px: dict[str, dict]):
    """WCAG 2.2, 2.5.8 (AA), for every link of every document of the EPUB in Chromium at 390 px
    wide: at least 24 × 24 px; or, smaller, no other target within the 24 px circle centred on
    it; or in a sentence (its block holds text of its own), the criterion's inline exception."""
    failing = []
    for chapter, found in at_390_px.items():
        # Headings in size order, a test of the same run: h1 larger than h2, h2 than h3.
        sizes = {tag: size for tag, size in found["headings"]}
        assert sorted(sizes.values(), reverse=True) == [sizes[tag] for tag in sorted(sizes)], f"{chapter}: {sizes}"
        links = found["links"]
        for link in links:
            if link["inline"] or (link["width"] >= 24 and link["height"] >= 24):
                continue
            centre = (link["left"] + link["width"] / 2, link["top"] + link["height"] / 2)
            for other in links:
                if other is link:
                    continue
                # The nearest point of the other target to this one's centre, within 12 px.
                x = min(max(centre[0], other["left"]), other["left"] + other["width"])
                y = min(max(centre[1], other["top"]), other["top"] + other["height"])
                # And, if it is small too, the distance between the two centres, under 24 px.
                small = other["width"] < 24 or other["height"] < 24
                apart = (other["left"] + other["width"] / 2 - centre[0], other["top"] + other["height"] / 2 - centre[1])
                if (x - centre[0]) ** 2 + (y - centre[1]) ** 2 < 12**2 or (
                    small and apart[0] ** 2 + apart[1] ** 2 < 24**2
                ):
                    failing.append(f"{Path(chapter).name}: {link['text']!r} near {other['text']!r}")
                    break
    assert failing == []


def test_no_break_spaces_stand_where_chicago_puts_them():
    assert no_break_spaces("see p. 12 and pp. 13–54, n. 9") == "see p.\u00a012 and pp.\u00a013–54, n.\u00a09"
    assert no_break_spaces("xlvi + 345 pp. Paper") == "xlvi + 345\u00a0pp. Paper"
    assert no_break_spaces("E. H. Carr and J. Arch Getty") == "E.\u00a0H.\u00a0Carr and J.\u00a0Arch Getty"
    assert no_break_spaces("the U.S. The end. A start") == "the U.S. The end. A start"


def test_a_course_readers_title_says_what_it_is_first_and_names_the_authors_in_the_editions_order(
    edition: Edition,
):
    reversed_order = tuple(essay.id for essay in reversed(edition.essays))
    reader = apply_profile(edition, Profile(essays=reversed_order, course_code="HIST 2301", course_title="Revolution"))
    assert [essay.id for essay in reader.essays] == list(reversed_order)  # printed in the profile's order
    assert reader.authors == edition.authors  # named in the edition's
    assert reader.book_title == f"HIST 2301 Course Reader: {edition.full_title} — Revolution"


@pytest.mark.parametrize("which", BOTH)
def test_the_edition_and_its_course_readers_are_one_series(which: str, request):
    position = "1" if which == "edition" else "2"
    opf = zipfile.ZipFile(epub_of(request, which)).read("EPUB/content.opf").decode()
    whole = whole_of(request, which)
    assert f'<meta property="belongs-to-collection" id="series">{whole.full_title}</meta>' in opf
    assert '<meta refines="#series" property="collection-type">series</meta>' in opf
    assert f'<meta refines="#series" property="group-position">{position}</meta>' in opf


def test_the_editorial_notes_are_an_endnotes_section_with_no_heading_to_leave_standing(edition: Edition):
    """Apple Books, Foliate and Readest hide footnotes in the flow: nothing of the section but the
    notes may show, so it has no heading; it is named for assistive technology and typed."""
    for xhtml in _documents(edition)["epub"]:
        sections = re.findall(r'<section class="editorial-notes"([^>]*)>(.*?)</section>', xhtml, re.S)
        assert len(sections) == 1
        attributes, inside = sections[0]
        assert 'epub:type="endnotes"' in attributes and 'role="doc-endnotes"' in attributes
        assert 'aria-label="Editorial notes"' in attributes
        assert not re.search(r"<h[1-6]", inside)
        assert re.sub(r"<aside .*?</aside>", "", inside, flags=re.S).strip() == ""
