"""The sources: valid, consistent, and faithful to the texts as received."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from edition.sources.model import SPAN_KINDS, Edition, Essay, Heading, Inline, Paragraph, Quotation, Span
from edition.sources.tei import NS, TEI
from tests.conftest import ROOT
from tests.names import EDITION as NAMED

SOURCES = sorted((ROOT / "source").glob("*.xml"))
RECEIVED = ROOT / "tests" / "received"
# Every essay edition.xml lists, read when the tests are collected: an essay added is checked too.
ESSAYS = [essay.id for essay in NAMED.essays]
# The two web captures the first edition was transcribed from (tests/received/README.md), which
# `received_lines` reads line by line, their web furniture left out. Every text received, these
# and any other in whatever form (a scan's plain text, a document `edition import` took in), is
# also held to its received text by tests/ingest/test_received_texts.py, which imports it again.
CAPTURED = [essay_id for essay_id in ("filtzer-1998", "weissman-1988") if essay_id in ESSAYS]


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(ROOT / "source" / "schema" / "edition.rng")))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_source_file_is_valid_against_the_schema(path: Path, schema: etree.RelaxNG):
    tree = etree.parse(str(path))
    assert schema.validate(tree), schema.error_log
    assert tree.getroot().tag == f"{{{TEI}}}TEI"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_source_file_names_the_schema_for_xml_editors(path: Path):
    model = [pi for pi in etree.parse(str(path)).xpath("/processing-instruction('xml-model')")]
    assert model and 'href="schema/edition.rng"' in model[0].text
    assert "http://relaxng.org/ns/structure/1.0" in model[0].text


def test_the_edition_prints_filtzer_s_review_then_weissman_s_essay(edition: Edition):
    """The two essays of the first edition, in their order, whatever texts are added after them."""
    first = [(essay.id, essay.author) for essay in edition.essays if essay.id in ("filtzer-1998", "weissman-1988")]
    assert first == [("filtzer-1998", "Donald Filtzer"), ("weissman-1988", "Suzi Weissman")]


@pytest.mark.parametrize("essay_id", ESSAYS)
def test_every_note_call_resolves_and_every_note_is_called_once_in_order(edition: Edition, essay_id: str):
    essay = next(essay for essay in edition.essays if essay.id == essay_id)
    calls = [span.attrs["note"] for block in _all_content(essay) for span in _spans(block, "noteref")]
    assert [note.number for note in essay.notes] == list(range(1, len(essay.notes) + 1))
    # Every note is called once, in order (Weissman's headnote's "(])" is a bracket: see the note
    # on the text).
    assert calls == [note.id for note in essay.notes]


def test_weissman_s_28_notes_are_each_called(edition: Edition):
    (weissman,) = [essay for essay in edition.essays if essay.id == "weissman-1988"]
    assert len(weissman.notes) == 28


def _all_content(essay: Essay) -> list[list[Inline]]:
    content = [item.content for item in essay.front]
    for block in essay.body:
        if isinstance(block, Quotation):
            content += [*block.paragraphs, block.reference]
        else:
            content.append(block.content)
    return content + [note.content for note in essay.notes] + essay.afterword


def _spans(content: list[Inline], kind: str):
    for part in content:
        if not isinstance(part, str):
            if part.kind == kind:
                yield part
            yield from _spans(part.children, kind)


# Fidelity: every block of the transcription, read with the received spellings ("sic"), is the
# corresponding line of the received text. So every paragraph is there, in order, and every
# difference from what was received is a recorded correction.


def received_reading(content: list[Inline]) -> str:
    """The text as the capture has it: corrections undone, note calls as (n)."""
    out = []
    for part in content:
        if isinstance(part, str):
            out.append(part)
        elif part.kind == "correction":
            out.append(part.attrs["sic"])
        elif part.kind == "noteref":
            out.append(f"({received_reading(part.children)})")
        else:
            out.append(received_reading(part.children))
    return "".join(out)


def normalise(text: str) -> str:
    """Collapse white space (the capture has no-break spaces) and "(1)" vs a bare fused "1"."""
    text = re.sub(r"\((\d+)\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def transcribed_lines(essay: Essay) -> list[str]:
    lines = []
    for block in essay.body:
        if isinstance(block, Quotation):
            paragraphs = [received_reading(p) for p in block.paragraphs]
            paragraphs[-1] += " " + received_reading(block.reference)
            lines += paragraphs
        else:
            lines.append(received_reading(block.content))
    return [normalise(line) for line in lines]


def received_lines(essay: Essay) -> tuple[list[str], list[str]]:
    """The body lines and the note lines of the received text, web furniture left out."""
    lines = [normalise(line) for line in (RECEIVED / f"{essay.id}.txt").read_text().splitlines()]
    lines = [line for line in lines if line and line != "back to text"]
    start = next(i for i, line in enumerate(lines) if line.isupper() is False and line[:10].isupper())
    notes_start = next((i for i, line in enumerate(lines) if line.startswith("1. ")), None)
    if notes_start is None:
        bio = next(i for i, line in enumerate(lines) if line.startswith(f"{essay.author} is "))
        return lines[start:bio], []
    footer = next(i for i, line in enumerate(lines) if line.endswith("ATC 14"))
    notes = [re.sub(r"^\d+\. ", "", line) for line in lines[notes_start:footer]]
    return lines[start:notes_start], notes


@pytest.mark.parametrize("essay_id", ESSAYS)
def test_every_essay_has_its_text_as_received(essay_id: str):
    """The fidelity tests need it (README, "Adding a text"): `edition import` keeps it, whatever
    its form; a text typed in by hand needs its copy put there."""
    assert list(RECEIVED.glob(f"{essay_id}.*")), f"no tests/received/{essay_id}.* for the fidelity tests"


@pytest.mark.parametrize("essay_id", CAPTURED)
def test_every_paragraph_matches_the_received_text(edition: Edition, essay_id: str):
    essay = next(essay for essay in edition.essays if essay.id == essay_id)
    body, _ = received_lines(essay)
    assert transcribed_lines(essay) == body


@pytest.mark.parametrize("essay_id", CAPTURED)
def test_paragraph_count_matches_the_received_text(edition: Edition, essay_id: str):
    essay = next(essay for essay in edition.essays if essay.id == essay_id)
    body, _ = received_lines(essay)
    headings = sum(isinstance(block, Heading) for block in essay.body)
    quoted = sum(len(block.paragraphs) for block in essay.body if isinstance(block, Quotation))
    assert len(essay.paragraphs) == len(body) - headings - quoted
    assert [p.number for p in essay.paragraphs] == list(range(1, len(essay.paragraphs) + 1))
    assert all(isinstance(b, Paragraph | Heading | Quotation) for b in essay.body)


@pytest.mark.parametrize("essay_id", CAPTURED)
def test_every_note_matches_the_received_text(edition: Edition, essay_id: str):
    essay = next(essay for essay in edition.essays if essay.id == essay_id)
    _, notes = received_lines(essay)
    assert [normalise(received_reading(note.content)) for note in essay.notes] == notes


def test_every_correction_is_recorded_with_both_readings(edition: Edition):
    corrections = edition.corrections
    assert corrections, "the received texts have known scanning errors"
    for correction in corrections:
        assert correction.sic != correction.corr
        assert correction.where
    readings = {(c.sic.strip(), c.corr.strip()) for c in corrections}
    assert ("Typescnpts,", "Typescripts,") in readings
    assert ("planners—where asunder", "planners—whereas under") in readings


def test_corrections_in_the_xml_are_choice_elements_with_sic_and_corr():
    for path in SOURCES:
        for choice in etree.parse(str(path)).iterfind(".//tei:choice", NS):
            assert choice.find("tei:sic", NS) is not None and choice.find("tei:corr", NS) is not None


def test_a_span_is_of_one_of_the_kinds_model_names(edition: Edition):
    with pytest.raises(ValueError, match="not a kind of span: 'underline'"):
        Span("underline")
    kinds = {span.kind for essay in edition.essays for block in _all_content(essay) for span in _every_span(block)}
    assert kinds <= SPAN_KINDS and {"mention", "noteref", "correction", "title"} <= kinds


def _every_span(content: list[Inline]):
    for part in content:
        if isinstance(part, Span):
            yield part
            yield from _every_span(part.children)
