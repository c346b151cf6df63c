"""The Kobo edition (`--format kepub`): the EPUB's documents with Kobo's sentence spans, so that a
Kobo opens each note in a pop-up; valid by EPUBCheck. Made from the built mini-edition's EPUB."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from edition.ereader.epub import spine_documents
from edition.ereader.kepub import kepub, sentences
from edition.sources.check import generated_ids
from tests import validators
from tests.mini import EPUB

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
WHEN = datetime(2026, 12, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def kobo(mini_built: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    path = tmp_path_factory.mktemp("kepub") / "mini.kepub.epub"
    path.write_bytes(kepub((mini_built / "dist" / EPUB).read_bytes(), WHEN))
    validators.start(request, path, path.parent, epubcheck="test_epubcheck_passes_the_kepub")
    return path


def test_sentences_keep_every_character_and_end_after_the_stop_and_its_quote():
    text = "He wrote: “No.” Then? Yes! And 1932-33… so on"
    assert sentences(text) == ["He wrote: ", "“No.” ", "Then? ", "Yes! ", "And 1932-33… ", "so on"]
    assert "".join(sentences(text)) == text


def test_epubcheck_passes_the_kepub(kobo: Path):
    assert validators.epubcheck_problems(kobo) == []  # started when the KEPUB was made


def test_every_note_call_is_in_a_kobo_paragraph_and_links_forward_to_a_note_kobo_pops_up(kobo: Path):
    """Kobo's renderer pops up a note whose call is in koboSpan-structured text and links forward,
    in its own document, to a note of 9 to 5,000 characters."""
    package = zipfile.ZipFile(kobo)
    calls = 0
    for name in spine_documents(kobo.read_bytes(), navigation=False):
        root = etree.fromstring(package.read(name))
        notes = {element.get("id"): element for element in root.iter() if element.get("id")}
        order = {element: index for index, element in enumerate(root.iter())}
        for call in root.iter(f"{X}a"):
            if "noteref" not in (call.get(EPUB_TYPE) or "").split():
                continue
            calls += 1
            assert "endnote" in call.get(EPUB_TYPE).split(), "Kobo opens a pop-up for the endnote type"
            paragraph = next(call.iterancestors(f"{X}p", f"{X}li"))
            assert paragraph.find(f".//{X}span[@class='koboSpan']") is not None, call.get("id")
            assert call.find(f"{X}span[@class='koboSpan']") is not None, call.get("id")
            note = notes[call.get("href").removeprefix("#")]
            assert order[note] > order[call], f"{call.get('id')} links backward"
            assert 9 <= len("".join(note.itertext()).strip()) <= 5000, call.get("id")
    assert calls >= 4  # the mini-edition's author's note and editorial notes


def test_every_run_of_text_is_in_a_kobo_span_with_a_unique_reserved_id(kobo: Path):
    package = zipfile.ZipFile(kobo)
    reserved = [pattern for pattern, _ in generated_ids([], [])]
    for name in spine_documents(kobo.read_bytes(), navigation=False):
        body = etree.fromstring(package.read(name)).find(f"{X}body")
        ids = [span.get("id") for span in body.iter(f"{X}span") if span.get("class") == "koboSpan"]
        assert ids and len(ids) == len(set(ids)), name
        assert all(
            re.fullmatch(r"kobo\.\d+\.\d+", value) and any(p.fullmatch(value) for p in reserved) for value in ids
        )
        for element in body.iter():
            runs = [element.text] if element.get("class") != "koboSpan" else []
            runs += (
                [element.tail]
                if element.getparent() is not None
                and element.getparent().get("class") != "koboSpan"
                and element is not body
                else []
            )
            assert all(not run or not run.strip() for run in runs), f"{name}: text outside a koboSpan: {runs}"


def test_the_kepub_is_the_same_bytes_from_the_same_epub(mini_built: Path):
    epub = (mini_built / "dist" / EPUB).read_bytes()
    assert kepub(epub, WHEN) == kepub(epub, WHEN)
    assert zipfile.ZipFile(io.BytesIO(kepub(epub, WHEN))).namelist() == zipfile.ZipFile(io.BytesIO(epub)).namelist()
