"""Documents taken in through Pandoc: DOCX, ODT, Markdown and HTML, each made by Pandoc from one
Markdown source, imported into a fresh project, and every feature found in the TEI written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree

from edition.ingest import pandoc
from edition.ingest.importer import Request, import_document
from edition.ingest.typography import Typographer
from edition.sources.read import load_edition
from edition.sources.tei import NS, XML_LANG
from tests.mini import make_mini

SOURCE = """---
title: On Planning
author: Jane Roe
date: 2001-03-04
---

The planners worked from *Destiny of a Revolution* and **bold claims**.[^1] See the
[archive](https://example.org/archive) and the word [planification]{lang=fr}.

# The First Plan

> A quotation set off from the text,
> in one paragraph.

- a first item
- a second item

[^1]: A note with *italic* words.
"""


def made(tmp_path: Path, suffix: str) -> Path:
    """The source, written by Pandoc in the format of `suffix`."""
    markdown = tmp_path / "source.md"
    markdown.write_text(SOURCE)
    if suffix == ".md":
        return markdown
    target = tmp_path / f"document{suffix}"
    writer = {".docx": "docx", ".odt": "odt", ".html": "html5"}[suffix]
    subprocess.run(
        [str(pandoc.pandoc_binary()), "--sandbox", "--standalone", "-f", "markdown", "-t", writer, "-o", str(target),
         str(markdown)], check=True, timeout=60,
    )  # fmt: skip
    return target


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".md", ".html"])
def test_every_feature_of_a_document_is_found_in_the_tei(tmp_path: Path, suffix: str):
    project = make_mini(tmp_path / "project")
    # Pandoc's ODT reader does not read the document's metadata: the editor gives them
    told = {"title": "On Planning", "author": "Jane Roe", "date": "2001-03-04"} if suffix == ".odt" else {}
    imported = import_document(project, Request(made(tmp_path, suffix), **told))
    assert imported.essay.name == "roe-2001.xml"  # the id from the author and the year
    tree = etree.parse(str(imported.essay))
    text = tree.getroot().find("tei:text", NS)
    assert tree.findtext(".//tei:titleStmt/tei:title", namespaces=NS) == "On Planning"
    assert tree.findtext(".//tei:titleStmt/tei:author", namespaces=NS) == "Jane Roe"
    assert text.find("tei:front/tei:docDate", NS).get("when") == "2001-03-04"
    assert text.findtext(".//tei:div[@type='section']/tei:head", namespaces=NS) == "The First Plan"
    assert text.findtext(".//tei:hi[@rend='italic']", namespaces=NS) == "Destiny of a Revolution"
    assert text.findtext(".//tei:hi[@rend='bold']", namespaces=NS) == "bold claims"
    quotation = text.find(".//tei:quote/tei:p", NS)
    assert " ".join("".join(quotation.itertext()).split()) == "A quotation set off from the text, in one paragraph."
    assert [i.text for i in text.iterfind(".//tei:list/tei:item", NS)] == ["a first item", "a second item"]
    link = text.find(".//tei:ref[@target='https://example.org/archive']", NS)
    assert link is not None and link.text == "archive"
    call = text.find(".//tei:body//tei:ref[@type='noteref']", NS)
    note = text.find("tei:back/tei:div[@type='notes']/tei:note", NS)
    assert call.get("target") == f"#{note.get('{http://www.w3.org/XML/1998/namespace}id')}" and call.text == "1"
    assert "".join(note.itertext()) == "A note with italic words."
    if suffix in (".md", ".html"):  # Pandoc's DOCX and ODT readers do not read a run's language
        foreign = text.find(".//tei:foreign", NS)
        assert foreign.text == "planification" and foreign.get(XML_LANG) == "fr"
    edition = load_edition(project)  # and the sources stage reads it as an essay of the edition
    assert "roe-2001" in [essay.id for essay in edition.essays]


def test_a_reading_is_held_for_course_readers_but_not_printed_by_the_edition(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    import_document(project, Request(made(tmp_path, ".md"), reading=True))
    edition = load_edition(project)
    assert "roe-2001" not in [essay.id for essay in edition.essays]
    assert [essay.id for essay in edition.readings] == ["roe-2001"]
    assert '<ptr type="reading" target="roe-2001.xml"/>' in project.edition_file.read_text()


def test_html_scripts_are_dropped_and_remote_images_left_out_unfetched(tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>A Page</title><meta name='author' content='Jane Roe'>"
        "<script>document.title = 'pwned'</script></head><body><h1>A Page</h1>"
        "<p>Text<img src='http://127.0.0.1:9/tracker.png'><script>alert('x')</script> and more.</p>"
        "<iframe src='http://127.0.0.1:9/'></iframe></body></html>"
    )
    project = make_mini(tmp_path / "project")
    imported = import_document(project, Request(page, date="2001"))
    written = imported.essay.read_text()
    assert "pwned" not in written and "alert" not in written and "127.0.0.1" not in written
    assert "<p>Text</p>" in written and "<p>and more.</p>" in written  # Pandoc ends a paragraph at a script
    assert any("an image (http://127.0.0.1:9/tracker.png)" in item for item in imported.left_out)


def test_pandoc_is_where_pypandoc_binary_puts_it():
    """The one thing the import takes from a library's internals: where the wheel keeps Pandoc.
    A pypandoc-binary that moves it fails here, by name."""
    binary = pandoc.pandoc_binary()
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True, timeout=30)
    assert version.stdout.startswith("pandoc 3.")


@pytest.mark.parametrize(
    "typed, set_",
    [
        ('He said "it\'s done" -- then left...', "He said “it’s done” — then left…"),
        ("pages 12--14 and 1930---33", "pages 12–14 and 1930—33"),
        ("the writers' '30s, 'quoted'", "the writers’ ’30s, ‘quoted’"),
        ("kept . . . as it is", "kept . . . as it is"),
        ('("a") ["b"] —"c"', "(“a”) [“b”] —“c”"),
    ],
)
def test_the_typographic_rules_as_the_readme_states_them(typed: str, set_: str):
    typographer = Typographer()
    assert typographer(typed) == set_


def test_a_quotation_mark_opened_in_one_run_is_closed_in_the_next():
    typographer = Typographer()
    assert [typographer('He wrote "'), typographer("Soviets"), typographer('" in 1929')] == [
        "He wrote “",
        "Soviets",
        "” in 1929",
    ]
