"""Render the print edition: the HTML from `html`, laid out by WeasyPrint, as PDF/A-3b bytes.

Everything WeasyPrint reads goes through `LocalFetcher`; the stylesheets reach it as CSS objects
made with that fetcher, and every source file of the edition is embedded in the PDF as an
attachment (relationship Source), so the PDF carries what it was made from.
"""

from __future__ import annotations

from datetime import datetime

import pydyf
from weasyprint import CSS, HTML, Attachment
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration

from .errors import EditionError
from .fetcher import LocalFetcher, RefusedResource
from .html import print_document
from .model import Edition, Imprint
from .pages import boxes_in_blocks
from .project import Project
from .reader import Profile

STYLESHEETS = ("shared.css", "print.css")
MAX_LAYOUTS = 4


def layout(edition: Edition, project: Project, imprint: Imprint, profile: Profile) -> Document:
    """The print edition laid out in pages, before it is written as PDF.

    WeasyPrint carries a footnote that does not fit over to the next page, even with
    `footnote-policy: block`; each paragraph where that happens is then started on a new page,
    and the edition laid out again, so that every note stands on the page of its call. Blank
    pages are added at the end if the profile asks for a multiple of four.
    """
    breaks: set[str] = set()
    for _ in range(MAX_LAYOUTS):
        document = _render(edition, project, imprint, profile, breaks)
        late = deferred_footnotes(document) - breaks
        if not late:
            break
        breaks |= late
    missing = -len(document.pages) % 4
    if profile.pad_to_four and missing:
        document = _render(edition, project, imprint, profile, breaks, pad=missing)
    return document


def _render(
    edition: Edition, project: Project, imprint: Imprint, profile: Profile, breaks: set[str], pad: int = 0
) -> Document:
    fetcher = LocalFetcher([project.styles_dir, project.source_dir])
    fonts = FontConfiguration()
    counters = CounterStyle()  # shared, so an @counter-style of one stylesheet serves them all
    try:
        stylesheets = [
            CSS(
                url=(project.styles_dir / name).as_uri(),
                url_fetcher=fetcher,
                font_config=fonts,
                counter_style=counters,
            )
            for name in STYLESHEETS
        ]
        # The paper is the profile's choice: the only rule not in the stylesheets.
        stylesheets.append(
            CSS(string=f"@page {{ size: {profile.page_size}; }}", url_fetcher=fetcher, font_config=fonts)
        )
        document = HTML(
            string=print_document(edition, imprint, breaks, pad),
            base_url=project.styles_dir.as_uri() + "/",
            url_fetcher=fetcher,
        ).render(font_config=fonts, counter_style=counters, stylesheets=stylesheets)
    except RefusedResource as refused:
        raise EditionError(str(refused)) from None
    return document


def write_pdf(document: Document, edition: Edition, project: Project, when: datetime) -> bytes:
    """The laid-out edition as PDF/A-3b, with the sources attached and fixed dates."""
    fetcher = LocalFetcher([project.source_dir])
    attachments = [
        Attachment(
            url=path.as_uri(),
            url_fetcher=fetcher,
            name=path.name,
            description=f"Source of this edition: {path.relative_to(project.root)}",
            relationship="Source",
            created=when,
            modified=when,
        )
        for path in edition.sources
    ]
    front_pages = first_page_of(document, edition.essays[0].id)

    def page_labels(document: Document, pdf: pydyf.PDF) -> None:
        """Label pages as they are printed: i, ii … for the front matter, then 1, 2 …"""
        pdf.catalog["PageLabels"] = pydyf.Dictionary(
            {"Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/r"}), front_pages, pydyf.Dictionary({"S": "/D"})])}
        )

    try:
        return document.write_pdf(
            pdf_variant="pdf/a-3b",
            pdf_tags=True,
            custom_metadata=True,
            attachments=attachments,
            finisher=page_labels,
        )
    except RefusedResource as refused:
        raise EditionError(str(refused)) from None


def deferred_footnotes(document: Document) -> set[str]:
    """The ids of the blocks (paragraphs, notes) holding a footnote call whose note was carried
    over to a later page."""
    calls: dict[str, tuple[int, str]] = {}
    notes: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            notes.setdefault(anchor, index)
        for box, block in boxes_in_blocks(page._page_box):
            if (box.element_tag or "").endswith("::footnote-call"):
                calls.setdefault(box.element.get("id"), (index, block))
    return {block for note, (index, block) in calls.items() if notes.get(note, index) > index and block}


def first_page_of(document: Document, anchor: str) -> int:
    """The index (from 0) of the page on which the element with this id begins."""
    return next(index for index, page in enumerate(document.pages) if anchor in page.anchors)
