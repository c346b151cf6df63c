"""The e-reader edition: valid by EPUBCheck, complete, and cited like the print edition."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from edition.sources.bibliography import cited_in
from edition.sources.model import Edition, plain
from tests.names import PDF
from tests.pdf_text import pdf_pages
from tests.validators import epubcheck_problems

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
    assert epubcheck_problems(outputs["epub"]) == []  # started when the EPUB was built


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
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    identifier = opf.findtext("opf:metadata/dc:identifier", namespaces=OPF_NS)
    assert identifier.startswith("urn:uuid:")


def test_every_paragraph_is_there_with_its_number(documents: dict[str, etree._Element], edition: Edition):
    for essay in edition.essays:
        document = documents[f"{essay.id}.xhtml"]
        numbered = document.xpath("//x:p[@class='para']", namespaces=XHTML_NS)
        assert [p.get("id") for p in numbered] == [p.id for p in essay.paragraphs]
        numbers = [p.xpath("string(x:span[@class='pnum'])", namespaces=XHTML_NS) for p in numbered]
        assert numbers == [str(p.number) for p in essay.paragraphs]


def test_every_note_call_and_backlink_resolves(documents: dict[str, etree._Element], edition: Edition):
    authors_notes = {f"{essay.id}.xhtml": len(essay.notes) for essay in edition.essays}
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
        assert len(notes) == authors_notes.get(name, 0)
        for note in [*notes, *footnotes]:
            backlink = note.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=XHTML_NS)
            assert backlink and backlink[-1][1:] in ids


def test_every_epub_type_in_the_content_has_its_aria_role(documents: dict[str, etree._Element]):
    roles = {
        "noteref": "doc-noteref",
        "endnotes": "doc-endnotes",
        "footnote": "doc-footnote",
        "endnote": None,
        "index": "doc-index",  # DPUB-ARIA 1.1 deprecates doc-endnote: the list item needs no role
        "chapter": "doc-chapter",
        "colophon": "doc-colophon",
        "pagebreak": "doc-pagebreak",
        "cover": "doc-cover",
        "bibliography": "doc-bibliography",
    }
    for name, document in documents.items():
        if name == "nav.xhtml":
            continue
        for element in document.xpath("//*[@epub:type]", namespaces=XHTML_NS):
            kind = element.get("{http://www.idpf.org/2007/ops}type")
            assert element.get("role") == roles[kind], f"{name}: {kind}"


def page_list(documents: dict[str, etree._Element]) -> list[tuple[str, str]]:
    nav = documents["nav.xhtml"]
    links = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=XHTML_NS)
    return [(link.text, link.get("href")) for link in links]


def first_text_of_each_page(path: Path) -> dict[str, str]:
    """The letters and digits that open each page of the PDF that prints its number, set in text
    sizes (running heads, folios, paragraph numbers and note markers are smaller)."""
    firsts = {}
    for page in pdf_pages(path):
        label = page.label
        front = not label.isdigit()  # the front matter has no running heads
        parts = [piece.text for piece in page.pieces if front or piece.size * abs(piece.tm[0] * piece.cm[0]) >= 9]
        words = page.text.split()
        text = "".join(ch for ch in "".join(parts) if ch.isalnum())
        # The head of the table of corrections is repeated on each page it spans.
        text = text.removeprefix("WhereThecapturereadsThiseditionreads")
        # A front-matter page is numbered if its folio is printed (the title page's is not).
        numbered = label.isdigit() or (words and words[-1] == label)
        if numbered and text:
            firsts[label] = text
    return firsts


def test_the_page_list_has_one_entry_per_page_of_the_print_body(outputs, documents):
    labels = [label for label, _ in page_list(documents)]
    assert labels and labels == list(first_text_of_each_page(outputs["pdf"]))


def test_each_page_marker_stands_where_that_print_page_begins(outputs, documents):
    """After each marker comes the text that opens that page of the PDF, or, where the page
    begins inside a word or a link, the text after that word or link; no marker stands inside a
    heading, a link or a word (DAISY's guidance on page markers)."""
    opening = first_text_of_each_page(outputs["pdf"])
    moved = 0
    for label, href in page_list(documents):
        name, anchor = href.split("#")
        (marker,) = documents[name].xpath(f"//*[@id='{anchor}']")
        assert marker.get("{http://www.idpf.org/2007/ops}type") == "pagebreak"
        assert marker.get("role") == "doc-pagebreak" and marker.get("aria-label") == label
        assert not marker.xpath("ancestor::x:a | ancestor::x:h1 | ancestor::x:h2 | ancestor::x:h3", namespaces=XHTML_NS)
        before = "".join(marker.xpath("preceding::text()[1]"))
        after = "".join(marker.xpath("following::text()[1]"))
        assert not (before[-1:].isalnum() and after[:1].isalnum()), f"page {label} is marked inside a word"
        following = "".join(
            ch
            for ch in "".join(marker.xpath("following::text()[not(ancestor::*[@class='pnum' or @class='fnref'])]"))
            if ch.isalnum()
        )
        # A word or a link is at most 40 letters long.
        skipped = next((k for k in range(40) if opening[label][k : k + 14] == following[:14]), None)
        assert skipped is not None, label
        moved += skipped > 0
    assert moved < len(opening) / 4


def test_the_ncx_lists_the_same_pages(epub_zip: zipfile.ZipFile, documents):
    ncx = etree.fromstring(epub_zip.read("EPUB/toc.ncx"))
    targets = ncx.xpath("//n:pageTarget", namespaces={"n": "http://www.daisy.org/z3986/2005/ncx/"})
    assert [(t.findtext("{*}navLabel/{*}text"), t[1].get("src")) for t in targets] == page_list(documents)
    assert all(t.get("value") == t.findtext("{*}navLabel/{*}text") for t in targets if t.get("type") == "normal")


def test_accessibility_cover_and_pagination_source_are_declared(epub_zip: zipfile.ZipFile, documents):
    opf = etree.fromstring(epub_zip.read("EPUB/content.opf"))

    def meta(name: str) -> list[str]:
        return [m.text for m in opf.iterfind(f"opf:metadata/opf:meta[@property='{name}']", OPF_NS)]

    assert meta("schema:accessMode") and meta("schema:accessModeSufficient") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "pageBreakMarkers", "alternativeText"} <= set(
        meta("schema:accessibilityFeature")
    )
    assert meta("schema:accessibilityHazard") == ["none"] and meta("schema:accessibilitySummary")
    assert meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    source = opf.find("opf:metadata/dc:source", OPF_NS)
    assert PDF in source.text
    assert opf.find("opf:metadata/opf:meta[@refines='#print-source']", OPF_NS).text == "pagination"
    (cover,) = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF_NS)
    assert opf.find("opf:metadata/opf:meta[@name='cover']", OPF_NS).get("content") == cover.get("id")
    assert epub_zip.read("EPUB/" + cover.get("href"))[:8] == b"\x89PNG\r\n\x1a\n"
    (image,) = documents["cover.xhtml"].xpath("//x:img", namespaces=XHTML_NS)
    assert "Victor Serge and the Critique of Stalinism" in image.get("alt")


def foreign_phrases(edition: Edition) -> set[tuple[str, str]]:
    """Each phrase the sources mark as another language than the text's: its words (white space
    as one space) and its language."""
    found = set()
    for path in edition.sources:
        root = etree.parse(str(path)).getroot()
        for element in root.iterfind(".//*[@{http://www.w3.org/XML/1998/namespace}lang]"):
            language = element.get("{http://www.w3.org/XML/1998/namespace}lang")
            words = " ".join(read_text(element).split())
            if language != root.get("{http://www.w3.org/XML/1998/namespace}lang") and words:
                found.add((words, language))
    return found


def read_text(element: etree._Element) -> str:
    """The text of a TEI element as the edition prints it: a correction's reading, not the sic."""
    text = element.text or ""
    for child in element:
        if child.tag != "{http://www.tei-c.org/ns/1.0}sic":
            text += read_text(child)
        text += child.tail or ""
    return text


def occurrences(element: etree._Element, phrase: str) -> int:
    return " ".join("".join(element.itertext()).split()).count(phrase)


def test_every_foreign_title_and_phrase_carries_its_language_in_every_document(documents, edition: Edition):
    """Wherever a phrase the sources mark as French or Russian is printed (an essay, a pop-up or
    foot note, the register, the further reading), it stands in an element with its `lang` and
    `xml:lang` (WCAG 3.1.2), counted occurrence by occurrence against the sources' `xml:lang`."""
    phrases = foreign_phrases(edition)
    assert {language.split("-")[0] for _, language in phrases} >= {"fr", "ru"}
    missing, marked = [], 0
    for name, document in documents.items():
        for element in document.xpath("//x:*[@lang]", namespaces=XHTML_NS):
            assert element.get("{http://www.w3.org/XML/1998/namespace}lang") == element.get("lang"), name
        for phrase, language in phrases:
            # Russian is Russian whether or not its tag names the Latin script it is written in.
            primary = language.split("-")[0]
            of = f"(@lang='{primary}' or starts-with(@lang, '{primary}-'))"
            outermost = document.xpath(f"//x:*[{of}][not(ancestor::x:*[{of}])]", namespaces=XHTML_NS)
            inside = sum(occurrences(element, phrase) for element in outermost)
            marked += inside
            if inside < occurrences(document, phrase):
                missing.append(f"{name}: {phrase!r} ({language}) {occurrences(document, phrase) - inside} time(s)")
    assert missing == []
    assert marked >= len(phrases)  # every phrase is printed somewhere
    assert documents["weissman-1988.xhtml"].xpath("//x:i[@lang='ru' and .='udarnichestvo']", namespaces=XHTML_NS)


def test_each_note_links_to_the_works_it_cites_which_the_further_reading_lists_in_full(
    documents: dict[str, etree._Element], edition: Edition
):
    further_reading = documents["further-reading.xhtml"]
    works = further_reading.xpath("//x:ul[@class='works']/x:li", namespaces=XHTML_NS)
    assert [work.get("id") for work in works] == [work.id for work in edition.works]
    for li, work in zip(works, edition.works, strict=True):
        assert " ".join("".join(li.itertext()).split()) == " ".join(plain(work.citation).split())
    cited = 0
    for essay in edition.essays:
        document = documents[f"{essay.id}.xhtml"]
        for note in edition.notes_of(essay):
            identifications = [part for entry in note.entries for part in edition.entries[entry].identification]
            content = note.commentary.content if note.commentary else identifications
            [aside] = document.xpath(f"//x:aside[@id='fn-{note.anchor}']", namespaces=XHTML_NS)
            links = aside.xpath(".//x:a[@class='cite']/@href", namespaces=XHTML_NS)
            assert links == [f"further-reading.xhtml#{work}" for work in cited_in(content)], note.anchor
            cited += len(links)
    assert cited >= 28  # the commentary's and identifications' citations, each a link
