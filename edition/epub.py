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
from datetime import datetime

from ebooklib import epub

from .html import Chapter, epub_chapters, epub_navigation, epub_ncx
from .model import Edition, Imprint
from .project import Project

XHTML = "application/xhtml+xml"
STYLESHEET = "css/edition.css"
STYLE_SOURCES = ("shared.css", "ereader.css")

ACCESSIBILITY = [
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityHazard", "none"),
    (
        "schema:accessibilitySummary",
        "The text is fully navigable by headings and a table of contents, in a logical reading "
        "order; notes are linked to their calls and back. There are no images, sounds or "
        "animations, and no colour or typeface is imposed on the reader.",
    ),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
]


def identifier(edition: Edition) -> str:
    """A stable identifier for this version of this edition: the same source, the same id."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"edition:{edition.slug}:{edition.version}").urn


def build_epub(edition: Edition, project: Project, imprint: Imprint, when: datetime) -> bytes:
    """The EPUB 3 of the edition, dated `when`."""
    book = epub.EpubBook()
    uid = identifier(edition)
    _describe(book, edition, uid, when)

    stylesheet = b"\n".join((project.styles_dir / name).read_bytes() for name in STYLE_SOURCES)
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=stylesheet))

    chapters = epub_chapters(edition, imprint, STYLESHEET)
    nav = _item("nav", "nav.xhtml", epub_navigation(edition, chapters, STYLESHEET), ["nav"])
    book.add_item(nav)
    book.add_item(
        epub.EpubItem(
            uid="ncx",
            file_name="toc.ncx",
            media_type="application/x-dtbncx+xml",
            content=epub_ncx(edition, chapters, uid).encode(),
        )
    )
    items = [_item(_item_id(chapter), chapter.file_name, chapter.xhtml) for chapter in chapters]
    for item in items:
        book.add_item(item)
    book.spine = [items[0], items[1], nav, *items[2:]]

    raw = io.BytesIO()
    epub.write_epub(raw, book, {"mtime": when, "epub2_guide": False, "epub3_pages": False, "raise_exceptions": True})
    return _reproducible_zip(raw.getvalue(), when)


def _describe(book: epub.EpubBook, edition: Edition, uid: str, when: datetime) -> None:
    book.set_identifier(uid)
    book.set_title(edition.full_title)
    book.set_language(edition.language)
    for number, author in enumerate(edition.authors, start=1):
        book.add_author(author, uid=f"author-{number}")
    for editor in edition.editors:
        book.add_metadata("DC", "contributor", editor)
    book.add_metadata("DC", "publisher", edition.publisher)
    book.add_metadata("DC", "date", edition.date)
    book.add_metadata("DC", "rights", edition.licence)
    book.add_metadata("DC", "description", edition.description)
    for keyword in edition.keywords:
        book.add_metadata("DC", "subject", keyword)
    for name, value in ACCESSIBILITY:
        book.add_metadata(None, "meta", value, {"property": name})
    book.add_metadata(None, "meta", f"{edition.version}", {"property": "schema:version"})


def _item(uid: str, file_name: str, xhtml: str, properties: list[str] | None = None) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML, content=xhtml.encode())
    item.properties = properties or []
    return item


def _item_id(chapter: Chapter) -> str:
    return "x-" + chapter.file_name.removesuffix(".xhtml")


def _reproducible_zip(data: bytes, when: datetime) -> bytes:
    """The same zip with `mimetype` first and stored, and fixed times and attributes."""
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
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
