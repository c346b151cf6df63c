"""Package the e-reader edition: the XHTML from `html`, with our own navigation, as EPUB 3 bytes.

ebooklib writes the package document and the zip. It re-parses `EpubHtml` content and writes a
navigation of its own, so every content document, the navigation and the NCX are handed to it as
plain items, exactly as `html` made them. The zip ebooklib writes is then rewritten with fixed
entry times and order, `mimetype` first and stored, so the same source gives the same bytes.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime

from ebooklib import epub
from lxml import etree

from ..html import NAVIGATION, Chapter, epub_chapters, epub_ncx, page_targets
from ..project import EREADER_STYLES, Project
from ..sources.model import Edition, Imprint, PageStart
from ..sources.profiles import CourseReader
from ..sources.stylesheets import check_ereader_stylesheet
from ..sources.tei import XML_LANG
from .cover import cover_alt, cover_png

XHTML = "application/xhtml+xml"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = "EPUB/content.opf"
OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
STYLESHEET = "css/edition.css"
COVER = "images/cover.png"

ACCESSIBILITY = [
    ("schema:accessMode", "textual"),
    ("schema:accessMode", "visual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityFeature", "pageBreakMarkers"),
    ("schema:accessibilityFeature", "pageNavigation"),
    ("schema:accessibilityHazard", "none"),
    (
        "schema:accessibilitySummary",
        "The text is fully navigable by headings and a table of contents, in a logical reading "
        "order; notes are linked to their calls and back, and the pages of the print edition are "
        "marked and listed: every numbered page of the print body, register and note on the text, "
        "and the pages of the front matter that carry a number; blank pages are not listed. The "
        "editorial notes follow each essay and open from their calls. The only image, the cover, "
        "has a text alternative. No colour or typeface is imposed on the reader.",
    ),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
]


@dataclass(frozen=True)
class PrintPages:
    """The print edition the EPUB's page-list follows: what it is, and where its pages begin."""

    source: str
    starts: list[PageStart]


def identifier(edition: Edition) -> str:
    """A stable identifier for this version of this edition: the same source, the same id. A
    course reader is a book of its own: its id also depends on every setting of its profile."""
    if not isinstance(edition, CourseReader):
        return edition_identifier(edition)
    name = f"edition:{edition.slug}:{edition.version}:reader:{edition.profile.digest}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def edition_identifier(edition: Edition) -> str:
    """The identifier of the whole edition this version of `edition` (a course reader or not) is of."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"edition:{edition.slug}:{edition.version}").urn


def book_title(edition: Edition) -> str:
    """The title in the package: the edition's, or for a course reader its own, naming the course."""
    return edition.book_title if isinstance(edition, CourseReader) else edition.full_title


def file_as(name: str) -> str:
    """How a catalogue sorts a name: "Filtzer, Donald"; a body named with an article ("The …
    Project") sorts without it. A name of one word stays as it is."""
    article, _, rest = name.partition(" ")
    if article in ("The", "A", "An") and rest:
        return rest
    *given, family = name.split()
    return f"{family}, {' '.join(given)}" if given else name


def build_epub(edition: Edition, project: Project, imprint: Imprint, when: datetime, print_pages: PrintPages) -> bytes:
    """The EPUB 3 of the edition, dated `when`, with the page breaks of the print edition."""
    book = epub.EpubBook()
    uid = identifier(edition)
    _describe(book, edition, uid, when, print_pages.source)

    stylesheet = b"\n".join(check_ereader_stylesheet(project.styles_dir / name, project) for name in EREADER_STYLES)
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=stylesheet))
    cover = epub.EpubItem(
        uid="cover-image", file_name=COVER, media_type="image/png", content=cover_png(edition, project)
    )
    cover.properties = ["cover-image"]
    book.add_item(cover)

    chapters = epub_chapters(edition, imprint, STYLESHEET, print_pages.starts, (COVER, cover_alt(edition)))
    page_list = page_targets(chapters)
    book.add_item(
        epub.EpubItem(
            uid="ncx",
            file_name="toc.ncx",
            media_type="application/x-dtbncx+xml",
            content=epub_ncx(edition, chapters, page_list, uid).encode(),
        )
    )
    # Cover, title page and colophon, then the table of contents, then the text.
    book.spine = []
    for chapter in chapters:
        if chapter.file_name == NAVIGATION:
            item = _item("nav", NAVIGATION, chapter.xhtml, ["nav"])
        else:
            item = _item(_item_id(chapter), chapter.file_name, chapter.xhtml)
        book.add_item(item)
        book.spine.append(item)

    raw = io.BytesIO()
    epub.write_epub(raw, book, {"mtime": when, "epub2_guide": False, "epub3_pages": False, "raise_exceptions": True})
    return reproducible_zip(raw.getvalue(), when, {OPF: _package_language(edition.language)})


def _describe(book: epub.EpubBook, edition: Edition, uid: str, when: datetime, source: str) -> None:
    book.set_identifier(uid)
    book.set_title(book_title(edition))
    book.set_language(edition.language)
    # Each essay's author (MARC relator aut), then the editors (edt), each with a sort name.
    for number, author in enumerate(dict.fromkeys(edition.authors), start=1):
        _agent(book, "creator", f"creator{number}", author, "aut")
    for number, editor in enumerate(dict.fromkeys(edition.editors), start=1):
        _agent(book, "contributor", f"editor{number}", editor, "edt")
    if isinstance(edition, CourseReader):  # drawn from the whole edition
        book.add_metadata("DC", "relation", edition_identifier(edition))
    # The edition and its course readers are one series, which Calibre and Apple Books group:
    # the edition first, a course reader after it.
    book.add_metadata(None, "meta", edition.full_title, {"property": "belongs-to-collection", "id": "series"})
    book.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
    position = "2" if isinstance(edition, CourseReader) else "1"
    book.add_metadata(None, "meta", position, {"refines": "#series", "property": "group-position"})
    book.add_metadata("DC", "publisher", edition.publisher)
    book.add_metadata("DC", "date", edition.date)
    book.add_metadata("DC", "rights", edition.licence)
    book.add_metadata("DC", "description", edition.description)
    for keyword in edition.keywords:
        book.add_metadata("DC", "subject", keyword)
    # The print edition whose pages the page-list follows.
    book.add_metadata("DC", "source", source, {"id": "print-source"})
    book.add_metadata(None, "meta", "pagination", {"refines": "#print-source", "property": "source-of"})
    for name, value in ACCESSIBILITY:
        book.add_metadata(None, "meta", value, {"property": name})
    # The claim is checked by the publisher itself: Ace by DAISY in the tests, and by hand (README).
    book.add_metadata(None, "meta", edition.publisher, {"property": "a11y:certifiedBy"})
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    book.add_metadata(None, "meta", f"{edition.version}", {"property": "schema:version"})


def _agent(book: epub.EpubBook, element: str, uid: str, name: str, role: str) -> None:
    book.add_metadata("DC", element, name, {"id": uid})
    book.add_metadata(None, "meta", role, {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})
    book.add_metadata(None, "meta", file_as(name), {"refines": f"#{uid}", "property": "file-as"})


def _item(uid: str, file_name: str, xhtml: str, properties: list[str] | None = None) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML, content=xhtml.encode())
    item.properties = properties or []
    return item


def _item_id(chapter: Chapter) -> str:
    return "x-" + chapter.file_name.removesuffix(".xhtml")


def _package_language(language: str):
    """ebooklib writes no `xml:lang` on the package element; readers use it for the metadata."""

    def transform(opf: bytes) -> bytes:
        root = etree.fromstring(opf)
        root.set(XML_LANG, language)
        return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)

    return transform


def reproducible_zip(data: bytes, when: datetime, transforms: dict) -> bytes:
    """The same zip with `mimetype` first and stored, fixed times and attributes, and the
    given entries transformed."""
    stamp = max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda name: (name != "mimetype", name))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            content = source.read(name)
            if name in transforms:
                content = transforms[name](content)
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()


def spine_documents(epub: bytes, navigation: bool = True) -> list[str]:
    """The zip entries of the EPUB's content documents in reading order (its spine), the
    navigation document among them unless `navigation` is false."""
    package = zipfile.ZipFile(io.BytesIO(epub))
    opf = etree.fromstring(package.read(OPF))
    items = {item.get("id"): item for item in opf.iterfind("opf:manifest/opf:item", OPF_NS)}
    documents = []
    for ref in opf.iterfind("opf:spine/opf:itemref", OPF_NS):
        item = items[ref.get("idref")]
        if navigation or "nav" not in (item.get("properties") or "").split():
            documents.append("EPUB/" + item.get("href"))
    return documents
