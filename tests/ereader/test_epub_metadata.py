"""What the EPUB's package and navigation say of it: who wrote and edited it, how to find its
register and print pages, and that a course reader is a book of its own, in the real edition's
EPUB and a course reader's (the mini-edition's)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from edition.ereader.cover import cover_png
from edition.ereader.epub import edition_identifier, file_as, identifier
from edition.project import Project
from edition.sources.model import Edition
from edition.sources.profiles import CourseReader
from tests.conftest import BOTH, book_of, epub_of
from tests.mini import EDITION as MINI
from tests.mini import STEM as MINI_STEM
from tests.names import STEM
from tests.validators import epubcheck_problems

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = f"{{{NS['epub']}}}type"


def package(epub: Path) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(epub).read("EPUB/content.opf"))


def part(epub: Path, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(epub).read(f"EPUB/{name}"))


def refinements(opf: etree._Element, uid: str) -> dict[str, tuple[str, str | None]]:
    """The metas refining the element with id `uid`: property -> (value, scheme)."""
    return {
        meta.get("property"): (meta.text, meta.get("scheme"))
        for meta in opf.iterfind(f"opf:metadata/opf:meta[@refines='#{uid}']", NS)
    }


# Who made it


def test_sort_names():
    assert file_as("Donald Filtzer") == "Filtzer, Donald"
    assert file_as("Suzi Weissman") == "Weissman, Suzi"
    assert file_as("The Serge Essays Edition Project") == "Serge Essays Edition Project"
    assert file_as("Homer") == "Homer"


@pytest.mark.parametrize("which", BOTH)
def test_each_author_is_a_creator_and_each_editor_a_contributor_with_role_and_sort_name(which, request):
    epub, book = epub_of(request, which), book_of(request, which)
    opf = package(epub)
    creators = opf.findall("opf:metadata/dc:creator", NS)
    assert [c.text for c in creators] == book.authors
    for creator in creators:
        assert refinements(opf, creator.get("id")) == {
            "role": ("aut", "marc:relators"),
            "file-as": (file_as(creator.text), None),
        }
    assert [refinements(opf, c.get("id"))["file-as"][0] for c in creators] == [
        f"{name.split()[-1]}, {name.split()[0]}" for name in book.authors
    ]
    contributors = opf.findall("opf:metadata/dc:contributor", NS)
    assert [c.text for c in contributors] == book.editors
    for contributor in contributors:
        assert refinements(opf, contributor.get("id")) == {
            "role": ("edt", "marc:relators"),
            "file-as": (file_as(contributor.text), None),
        }


# How to find its parts


@pytest.mark.parametrize("which", BOTH)
def test_ncx_play_order_is_one_sequence_in_reading_order(which, request):
    """Each chapter's navPoint, then the print pages that begin in that chapter, numbered 1, 2, …"""
    ncx = part(epub_of(request, which), "toc.ncx")
    nav_points = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    page_targets = ncx.findall("ncx:pageList/ncx:pageTarget", NS)
    assert page_targets
    reading_order = []
    for point in nav_points:
        chapter = point.find("ncx:content", NS).get("src")
        reading_order.append(point)
        reading_order += [t for t in page_targets if t.find("ncx:content", NS).get("src").split("#")[0] == chapter]
    assert len(reading_order) == len(nav_points) + len(page_targets)
    assert [int(element.get("playOrder")) for element in reading_order] == list(range(1, len(reading_order) + 1))


@pytest.mark.parametrize("which", BOTH)
def test_the_register_is_the_index_landmark_and_an_index(which, request):
    epub = epub_of(request, which)
    landmarks = part(epub, "nav.xhtml").xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    assert [a.get("href") for a in landmarks if a.get(EPUB_TYPE) == "index"] == ["register.xhtml"]
    [section] = part(epub, "register.xhtml").xpath("//x:section[@id='register']", namespaces=NS)
    assert section.get(EPUB_TYPE) == "index"
    assert section.get("role") == "doc-index"


@pytest.mark.parametrize("which", BOTH)
def test_the_further_reading_is_the_bibliography_landmark_after_the_register(which, request):
    epub = epub_of(request, which)
    nav = part(epub, "nav.xhtml")
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    assert [a.get("href") for a in landmarks if a.get(EPUB_TYPE) == "bibliography"] == ["further-reading.xhtml"]
    contents = nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=NS)
    assert contents[-3:] == ["register.xhtml", "further-reading.xhtml", "note-on-the-text.xhtml"]
    spine = [item.get("idref") for item in package(epub).iterfind("opf:spine/opf:itemref", NS)]
    assert spine[-3:] == ["x-register", "x-further-reading", "x-note-on-the-text"]
    [section] = part(epub, "further-reading.xhtml").xpath("//x:section[@id='further-reading']", namespaces=NS)
    assert (section.get(EPUB_TYPE), section.get("role")) == ("bibliography", "doc-bibliography")


# A course reader is a book of its own (that its identifier follows its profile's settings, and
# only them: tests/test_course_reader.py, on the mini-edition)


def test_the_course_reader_epub_names_its_course_its_pdf_and_the_edition(reader_epub, reader_book: CourseReader):
    opf = package(reader_epub)
    uid = opf.findtext("opf:metadata/dc:identifier", namespaces=NS)
    assert uid == identifier(reader_book) != identifier(MINI)  # the whole edition's (next test)
    assert uid == part(reader_epub, "toc.ncx").find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content")
    title = opf.findtext("opf:metadata/dc:title", namespaces=NS)
    # readers/mini.toml: course_code "TEST 101", course_title "Reading the Mini-Edition"
    assert title == f"TEST 101 Course Reader: {MINI.full_title} — Reading the Mini-Edition"
    assert part(reader_epub, "toc.ncx").findtext("ncx:docTitle/ncx:text", namespaces=NS) == title
    # The print edition its page list follows is its own PDF, on its own paper.
    source = opf.findtext("opf:metadata/dc:source", namespaces=NS)
    assert source.endswith(f"print edition on letter ({MINI_STEM}-mini.pdf)")
    # It is drawn from the whole edition, which it names.
    assert opf.findtext("opf:metadata/dc:relation", namespaces=NS) == edition_identifier(MINI)


def test_the_whole_edition_epub_names_itself_its_pdf_and_no_relation(outputs, edition: Edition):
    whole = package(outputs["epub"])
    assert whole.findtext("opf:metadata/dc:identifier", namespaces=NS) == identifier(edition)
    assert whole.findtext("opf:metadata/dc:title", namespaces=NS) == edition.full_title
    assert whole.findtext("opf:metadata/dc:source", namespaces=NS).endswith(f"on A4 ({STEM}.pdf)")
    assert whole.find("opf:metadata/dc:relation", NS) is None
    assert edition_identifier(edition) == identifier(edition)


def test_the_course_reader_cover_names_the_course(reader_epub, reader_project: Project, reader_book: CourseReader):
    assert cover_png(reader_book, reader_project) != cover_png(MINI, reader_project)
    [image] = part(reader_epub, "cover.xhtml").xpath("//x:img", namespaces=NS)
    assert "course reader for TEST 101 · Reading the Mini-Edition" in image.get("alt")
    assert zipfile.ZipFile(reader_epub).read("EPUB/images/cover.png") == cover_png(reader_book, reader_project)


def test_a_course_reader_epub_passes_epubcheck(reader_epub: Path):
    assert epubcheck_problems(reader_epub) == []  # started when the EPUB was built
