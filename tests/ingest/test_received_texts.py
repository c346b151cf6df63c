"""The texts as received (tests/received/, each essay's in whatever form it came: the two web
captures of the first edition, a document `edition import` took in since), imported into a fresh
project as a new editor would import them, against this edition's own transcriptions: every paragraph, heading and block
quotation in the same order, Weissman's 28 notes each called where the edition calls it, and no
character changed but by the typographic rules (the edition's corrections read as received)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edition.ingest.importer import Request, import_document
from edition.sources.model import Essay, Heading, Inline, Quotation
from edition.sources.read import load_edition
from tests.conftest import ROOT
from tests.mini import make_mini
from tests.names import EDITION
from tests.sources.test_source import normalise, received_reading

RECEIVED = ROOT / "tests" / "received"
# Each essay's text as received, and what the editor tells the import of it: a plain text says
# nothing of itself. (An essay without one fails tests/sources/test_source.py.)
RECEIVED_AS = {essay.id: next(RECEIVED.glob(f"{essay.id}.*"), None) for essay in EDITION.essays}
TOLD = {essay.id: {"title": essay.title, "author": essay.author} for essay in EDITION.essays if RECEIVED_AS[essay.id]}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Essay]:
    """Each received text imported, under its own id, into one fresh project."""
    project = make_mini(tmp_path_factory.mktemp("fresh") / "project")
    for essay_id, told in TOLD.items():
        import_document(project, Request(RECEIVED_AS[essay_id], essay_id=f"new-{essay_id}", **told))
    edition = load_edition(project)
    return {essay.id.removeprefix("new-"): essay for essay in edition.essays if essay.id.startswith("new-")}


def blocks(essay: Essay) -> list[tuple[str, str]]:
    """The essay's blocks in reading order as (kind, text as received): the matter before the
    body (the dateline and the front) and the afterword as paragraphs, a quotation's page
    reference with its last paragraph, as the capture has them."""
    found = [("p", essay.date)] if essay.date else []
    found += [("p", received_reading(item.content)) for item in essay.front]
    for block in essay.body:
        if isinstance(block, Quotation):
            texts = [received_reading(paragraph) for paragraph in block.paragraphs]
            if block.reference:
                texts[-1] += " " + received_reading(block.reference)
            found += [("quote", text) for text in texts]
        else:
            found.append(("head" if isinstance(block, Heading) else "p", received_reading(block.content)))
    found += [("p", received_reading(paragraph)) for paragraph in essay.afterword]
    return [(kind, normalise(text)) for kind, text in found]


@pytest.mark.parametrize("essay_id", list(TOLD))
def test_every_block_comes_in_as_the_edition_has_it(imported: dict[str, Essay], essay_id: str):
    edition = next(essay for essay in EDITION.essays if essay.id == essay_id)
    assert blocks(imported[essay_id]) == blocks(edition)


def calls(essay: Essay) -> list[tuple[str, str]]:
    """Each note call in the body: its note's number, and the twenty characters before it."""
    found = []

    def walk(content: list[Inline], before: list[str]) -> None:
        for part in content:
            if isinstance(part, str):
                before.append(part)
            elif part.kind == "noteref":
                found.append((received_reading(part.children), normalise("".join(before))[-20:]))
            elif part.kind == "correction":
                before.append(part.attrs["sic"])
            else:
                walk(part.children, before)

    for block in essay.body:
        for content in block.paragraphs if isinstance(block, Quotation) else [block.content]:
            walk(content, [])
    return found


def test_weissman_s_28_notes_are_found_each_called_where_the_edition_calls_it(imported: dict[str, Essay]):
    essay, edition = imported["weissman-1988"], next(e for e in EDITION.essays if e.id == "weissman-1988")
    assert len(essay.notes) == 28
    assert [received_reading(note.content) for note in essay.notes] == [
        received_reading(note.content) for note in edition.notes
    ]
    assert calls(essay) == calls(edition)
    assert [number for number, _ in calls(essay)] == [str(n) for n in range(1, 29)]


def test_filtzer_s_review_has_its_five_headings_and_its_quotation(imported: dict[str, Essay]):
    essay = imported["filtzer-1998"]
    assert [received_reading(b.content) for b in essay.body if isinstance(b, Heading)] == [
        "Memoirs of Life Under Stalinism",
        "Serge and Marxist Theory",
        "Roots of Soviet Degeneration",
        "Dynamics of Stalin’s Terror",
        "Shall We Know the “Truth”?",
    ]
    assert not essay.notes


def test_an_enumeration_before_the_first_call_is_not_taken_for_calls(imported: dict[str, Essay]):
    """Weissman ¶3 enumerates "(1) … (2) …" before her first note is called, in ¶6."""
    paragraphs = imported["weissman-1988"].paragraphs
    third = next(p for p in paragraphs if "(1) democratic planning" in received_reading(p.content))
    assert not [part for part in third.content if not isinstance(part, str) and part.kind == "noteref"]


def test_the_received_file_is_kept_byte_for_byte_beside_the_import(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    told = TOLD["weissman-1988"]
    import_document(project, Request(RECEIVED / "weissman-1988.txt", essay_id="w", **told))
    assert (project.received_dir / "w.txt").read_bytes() == (RECEIVED / "weissman-1988.txt").read_bytes()
    assert re.search(r'<ptr type="essay" target="w.xml"/>', project.edition_file.read_text())


def test_the_import_needs_to_be_told_a_plain_text_s_title_and_author(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    with pytest.raises(Exception, match="give --title and --author"):
        import_document(project, Request(RECEIVED / "weissman-1988.txt", essay_id="w"))
    assert not (project.source_dir / "w.xml").exists()
