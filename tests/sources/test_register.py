"""The register: references hold both ways, and every entry is there, with its note and places."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from lxml import etree
from weasyprint.document import Document

from edition.layout.pages import front_matter_pages
from edition.layout.typeset import page_drawings, page_layouts
from edition.project import Project
from edition.sources.model import Edition, Entry, Essay, Mention, Paragraph, RegisterSection, Span
from edition.sources.register import link_mentions
from tests import command

XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return command.run(*args, cwd=cwd)


def page_of(document: Document) -> dict[str, int]:
    """The page (from 0) on which each anchored element begins: read here, not with
    `pages.first_pages`, whose results the register prints."""
    pages: dict[str, int] = {}
    for index, page in enumerate(page_layouts(document.pages)):
        for anchor in page.anchors:
            pages.setdefault(anchor, index)
    return pages


def test_the_register_holds_every_entry_and_is_sorted_in_four_sections(edition: Edition, project: Project):
    entries = edition.entries
    written = etree.parse(str(project.source_dir / "register.xml")).xpath(
        "//tei:standOff/*/*[@xml:id]/@xml:id", namespaces={"tei": "http://www.tei-c.org/ns/1.0"}
    )
    assert written and sorted(entries) == sorted(written)
    assert [section.title for section in edition.register] == [
        "Persons",
        "Organisations and events",
        "Terms",
        "Works",
    ]
    for section in edition.register:
        keys = [entry.sort_key for entry in section.entries]
        assert keys == sorted(keys)


def test_every_entry_is_mentioned_and_every_mention_resolves(edition: Edition):
    entries = edition.entries
    for entry in entries.values():
        assert entry.mentions, entry.id
    mentioned = {m.anchor for e in entries.values() for m in e.mentions}
    assert len(mentioned) == sum(len(e.mentions) for e in entries.values())
    for essay in edition.essays:
        firsts = [m for e in entries.values() for m in e.mentions if m.essay_id == essay.id and m.first]
        assert len(firsts) == len({e.id for e in entries.values() if any(m.essay_id == essay.id for m in e.mentions)})


def test_a_mention_of_nothing_is_an_error_at_its_line(scratch_project: Project):
    essay = scratch_project.source_dir / "weissman-1988.xml"
    text = essay.read_text()
    line = text[: text.index('ref="#trotsky"')].count("\n") + 1
    essay.write_text(text.replace('ref="#trotsky"', 'ref="#trotski"', 1))
    result = run("build", cwd=scratch_project.root)
    assert result.returncode == 1
    assert f"source/weissman-1988.xml:{line}:0: E030 mention points at no register entry: #trotski" in result.stderr


def test_an_entry_nothing_mentions_is_an_error(scratch_project: Project):
    register = scratch_project.source_dir / "register.xml"
    register.write_text(
        register.read_text().replace(
            "<head>Persons</head>",
            '<head>Persons</head><person xml:id="nobody"><persName>Nobody</persName>'
            '<note type="identification">No one.</note></person>',
            1,
        )
    )
    result = run("build", cwd=scratch_project.root)
    assert result.returncode == 1
    assert re.search(r"source/register.xml:\d+:0: E031 register entry nobody is mentioned nowhere", result.stderr)


def test_every_entry_is_in_the_back_matter_of_the_epub_with_links_both_ways(outputs, edition: Edition):
    with zipfile.ZipFile(outputs["epub"]) as epub:
        documents = {
            name.removeprefix("EPUB/"): etree.fromstring(epub.read(name))
            for name in epub.namelist()
            if name.endswith(".xhtml")
        }
    register = documents["register.xhtml"]
    ids = {name: set(doc.xpath("//@id")) for name, doc in documents.items()}
    for entry in edition.entries.values():
        (div,) = register.xpath(f"//x:div[@id='{entry.id}']", namespaces=XHTML)
        links = div.xpath("x:p[@class='places']/x:a/@href", namespaces=XHTML)
        assert links, entry.id
        for link in links:
            name, anchor = link.split("#")
            assert anchor in ids[name]
    for essay in edition.essays:
        document = documents[f"{essay.id}.xhtml"]
        # The running text hides no link (a tap there turns the page): no name links its entry,
        # each note does; the only links are the calls and the corrected readings, which the
        # e-reader's CSS underlines (dotted) so that they are seen.
        assert not document.xpath(
            "//x:p[@class='para']//x:a[not(@epub:type='noteref') and not(@class='correction')]", namespaces=XHTML
        )
        links = document.xpath("//x:aside//x:a[@class='entry-link']/@href", namespaces=XHTML)
        assert len(links) >= len([note for note in edition.notes_of(essay) if note.entries])
        for link in links:
            name, anchor = link.split("#")
            assert name == "register.xhtml" and anchor in ids[name]


def test_every_entry_is_in_the_back_matter_of_the_pdf(document: Document, edition: Edition):
    pages = page_of(document)
    register_start = pages["register"]
    for entry in edition.entries.values():
        assert pages[entry.id] >= register_start


def test_every_page_number_in_the_pdf_register_is_the_page_of_that_mention(document: Document, edition: Edition):
    pages = page_of(document)
    front = front_matter_pages(document.pages, edition)
    printed = {}
    for page in page_drawings(document.pages):
        for link in page.links:
            if "pageref" in link.classes:
                printed.setdefault(link.href[1:], int(link.text.split("\u00a0")[0]))
    listed = {m.anchor for e in edition.entries.values() for m in e.mentions}
    assert printed and set(printed) <= listed
    for anchor, number in printed.items():
        assert number == pages[anchor] - front + 1, anchor


def test_every_editorial_footnote_stands_on_the_page_of_its_call(document: Document, edition: Edition):
    pages = page_of(document)
    calls = {}
    for index, page in enumerate(page_layouts(document.pages)):
        for call in page.calls:
            calls.setdefault(call.note, index)
    assert edition.notes and len(calls) == len(edition.notes)
    for anchor in edition.notes:
        assert pages[f"note-{anchor}"] == calls[f"note-{anchor}"], anchor


def test_the_register_stage_returns_new_values_and_changes_nothing_it_is_given():
    mention = Span("mention", ["Serge"], {"ref": "serge", "line": "3"})
    essay = Essay("e", "T", "A", "", [], [], [Paragraph("e-p1", 1, ["On ", mention, " and ", mention])], [], [], [],
                  Path("e.xml"))  # fmt: skip
    entry = Entry("serge", "Persons", "Victor Serge", "serge", "", ["Victor Serge"], [], ["A writer."])
    sections = [RegisterSection("Persons", [entry])]
    [linked], [section], problems = link_mentions([essay], sections, {"e": "e.xml", "register": "r.xml"}, {})
    assert problems == []
    assert mention.attrs == {"ref": "serge", "line": "3"} and entry.mentions == []  # as given
    assert essay.paragraphs[0].content == ["On ", mention, " and ", mention]
    first, second = linked.paragraphs[0].content[1], linked.paragraphs[0].content[3]
    assert first.attrs == {"ref": "serge", "line": "3", "anchor": "e-p1-m1", "first": "1"}
    assert second.attrs == {"ref": "serge", "line": "3", "anchor": "e-p1-m2"}
    assert section.entries[0].mentions == [Mention("e-p1-m1", "e", "¶1", True), Mention("e-p1-m2", "e", "¶1", False)]
