"""Render the print edition: the HTML from `html`, laid out by WeasyPrint, as PDF/A-3b bytes.

Everything WeasyPrint reads goes through `LocalFetcher`; the stylesheets reach it as CSS objects
made with that fetcher, and every source file of the edition is embedded in the PDF as an
attachment (relationship Source), so the PDF carries what it was made from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import pydyf
import weasyprint.layout
from weasyprint import CSS, HTML, Attachment
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.boxes import Box, PageBox
from weasyprint.layout import LayoutContext
from weasyprint.text.fonts import FontConfiguration

from .errors import EditionError
from .fetcher import LocalFetcher, RefusedResource
from .html import FRONT, PrintPart, continue_from, print_part, print_parts
from .inputs import digest
from .model import Edition, Imprint, Paragraph
from .pages import boxes_in_blocks, page_starts, text_in_blocks
from .project import PRINT_STYLES, Project
from .reader import Profile

# Told, as the layout goes, what has been laid out.
Progress = Callable[[str], None]


class Typesetter:
    """WeasyPrint set up for one project and paper: the fonts, counter styles and stylesheets,
    read once and shared by every part, and the parts it has laid out.

    A part whose HTML has not changed since the last layout is not laid out again; `edition
    watch` keeps one typesetter for as long as the styles stay the same.
    """

    def __init__(self, project: Project, page_size: str, styles: str = ""):
        self.project = project
        self.page_size = page_size
        # The hash of the stylesheets and fonts it read (`inputs.Inputs.print_styles`), by which
        # `typesetter_for` knows whether it may still serve.
        self.styles = styles
        self.fetcher = LocalFetcher([project.styles_dir, project.source_dir])
        self.fonts = FontConfiguration()
        self.counters = CounterStyle()  # shared, so an @counter-style of one stylesheet serves them all
        try:
            self.stylesheets = [
                CSS(
                    url=(project.styles_dir / name).as_uri(),
                    url_fetcher=self.fetcher,
                    font_config=self.fonts,
                    counter_style=self.counters,
                )
                for name in PRINT_STYLES
            ]
        except RefusedResource as refused:
            raise EditionError(str(refused)) from None
        self.laid_out: dict[str, Document] = {}
        self.used: set[str] = set()

    def reuse(self, key: str, lay_out: Callable[[], Document]) -> Document:
        """The document laid out for `key` before, else `lay_out()`'s. The documents asked for
        since the last `forget_unused` are kept."""
        self.used.add(key)
        if key not in self.laid_out:
            self.laid_out[key] = lay_out()
        return self.laid_out[key]

    def forget_unused(self) -> None:
        """Keep only the parts of the last layout."""
        self.laid_out = {key: document for key, document in self.laid_out.items() if key in self.used}
        self.used = set()

    def render(self, html: str, first_page: int, course: str, heads: tuple[str, str] | None = None) -> Document:
        """The HTML laid out in pages numbered from `first_page`, the course in their foot.

        A part opens on a right-hand page. A layout that continues a part (`heads` given: the
        left and the right running head) starts on the side its first page number falls on,
        and with the running heads that the part's title and byline set."""
        # The paper, where the numbers start, and the course: the only rules not in the stylesheets.
        rules = f"@page {{ size: {self.page_size}; }} @page :first {{ counter-reset: page {first_page}; }}"
        if course:
            rules += f" @page main {{ @bottom-center {{ content: {css_string('Course reader for ' + course)}; }} }}"
        if heads:
            left, right = map(css_string, heads)
            rules += f" @page main:left {{ @top-left {{ content: {left}; }} }}"
            rules += f" @page main:right {{ @top-right {{ content: {right}; }} }}"
            if first_page % 2 == 0:
                rules += " html { break-before: left; }"
        try:
            return HTML(string=html, base_url=self.project.styles_dir.as_uri() + "/", url_fetcher=self.fetcher).render(
                font_config=self.fonts,
                counter_style=self.counters,
                stylesheets=[*self.stylesheets, CSS(string=rules, url_fetcher=self.fetcher, font_config=self.fonts)],
            )
        except RefusedResource as refused:
            raise EditionError(str(refused)) from None

    def lay_out(
        self,
        html: str,
        first_page: int,
        course: str,
        heads: tuple[str, str] | None,
        breakable: set[str],
        breaks: set[str],
    ) -> tuple[Document, str | None]:
        """As `render`, but the layout ends with the first page from which the note of a call on
        it is carried over to the next page. The pages, and the id of the block (one of
        `breakable`, the blocks that may start a page) to start on a new page so that the note
        stays with its call; None if the layout went to the end, or if only blocks in `breaks`,
        which start a page already, could be moved."""
        with _until_a_footnote_is_carried_over(breakable, breaks) as to_break:
            document = self.render(html, first_page, course, heads)
        return document, next(iter(to_break), None)


def typesetter_for(project: Project, page_size: str, styles: str, previous: Typesetter | None) -> Typesetter:
    """`previous`, if it was set up for the same paper, stylesheets and fonts (`styles`); else a
    new one."""
    if previous is not None and (previous.page_size, previous.styles) == (page_size, styles):
        return previous
    return Typesetter(project, page_size, styles)


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def layout(
    edition: Edition,
    project: Project,
    imprint: Imprint,
    profile: Profile,
    typesetter: Typesetter | None = None,
    progress: Progress | None = None,
) -> Document:
    """The print edition laid out in pages, before it is written as PDF.

    Each part (see `html.print_parts`) is laid out on its own and opens on a right-hand page,
    after a blank page if need be: the essays first, then the register, which prints the pages
    of their mentions, then the front matter, whose contents list the pages of the parts. So no
    page is laid out twice for page references (as WeasyPrint does for `target-counter`), and the
    cost of a long corpus grows with its length, not faster.
    """
    typesetter = typesetter or Typesetter(project, profile.page_size)
    course = imprint.course or ""
    pages: dict[str, str] = {}  # anchor → printed page
    main: list[Page | None] = []  # None: a blank page, filled in at the end
    parts = print_parts(edition)
    for number, part in enumerate(parts, start=1):
        main += [None] * (len(main) % 2)
        document = _lay_out_part(typesetter, edition, imprint, part, pages, len(main) + 1, course)
        for index, page in enumerate(document.pages, start=len(main) + 1):
            for anchor in page.anchors:  # an element on several pages is on each one's list
                pages.setdefault(anchor, str(index))
        main += document.pages
        if progress:
            progress(f"laid out {part.name}: part {number} of {len(parts)}, {len(main)} pages")
    front = _lay_out_part(typesetter, edition, imprint, FRONT, pages, 1, course)
    body = [*front.pages, *[None] * (len(front.pages) % 2), *main]
    if profile.pad_to_four:
        body += [None] * (-len(body) % 4)
    blanks = iter(_blank_pages(typesetter, edition, imprint, body.count(None), course))
    typesetter.forget_unused()
    return front.copy([next(blanks) if page is None else page for page in body])


def _lay_out_part(
    typesetter: Typesetter,
    edition: Edition,
    imprint: Imprint,
    part: PrintPart,
    pages: dict[str, str],
    first_page: int,
    course: str,
) -> Document:
    """The part laid out, or as it was laid out last time if the part shows nothing new.

    WeasyPrint carries a footnote over to the next page, whatever the `footnote-policy`, when
    that lets the paragraph at the foot of the page keep its first two lines there (WeasyPrint
    issue 2432). So WeasyPrint lays out the part only until it carries over the note of a call
    on the page it has just made; a block is then started on a new page to keep the note with
    its call (see `_block_to_break`). The pages before that block stay, and the layout resumes
    from the last page before it that opens with a paragraph or an author's note of its own
    (see `resumable_page`), else from the start of the part.
    """
    html = print_part(edition, imprint, part, pages)
    heads = (part.essay.author, part.essay.title) if part.essay else None
    breakable = breakable_blocks(part)

    def lay_out() -> Document:
        kept: list[Page] = []
        start = None  # the block the layout resumes from, if it does not lay out the whole part
        breaks: set[str] = set()
        while True:
            html_now = print_part(edition, imprint, part, pages, breaks) if breaks else html
            if start:
                html_now = continue_from(html_now, start)
            number = first_page + len(kept)
            document, late = typesetter.lay_out(html_now, number, course, heads if start else None, breakable, breaks)
            if late is None:
                return document.copy(kept + document.pages) if kept else document
            breaks.add(late)
            if resume := resumable_page(document.pages, late, breakable):
                index, start = resume
                kept += document.pages[:index]

    return typesetter.reuse(digest(str(first_page), course, html), lay_out)


def breakable_blocks(part: PrintPart) -> set[str]:
    """The blocks of the part that may be started on a new page, and from which a layout may
    resume: an essay's paragraphs and its authors' notes. The template gives them the class
    `new-page`, and they have no top margin for the top of a page to take away."""
    if not part.essay:
        return set()
    paragraphs = {block.id for block in part.essay.body if isinstance(block, Paragraph)}
    return paragraphs | {note.id for note in part.essay.notes}


def _blank_pages(typesetter: Typesetter, edition: Edition, imprint: Imprint, count: int, course: str) -> list[Page]:
    """`count` blank pages, each a page of its own: a PDF's structure tree holds a page once."""
    if not count:
        return []
    return typesetter.render(print_part(edition, imprint, PrintPart("blank", blank=count), {}), 1, course).pages


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
    front_pages = first_page_of(document.pages, edition.essays[0].id)

    def page_labels(document: Document, pdf: pydyf.PDF) -> None:
        """Label pages as they are printed: i, ii … for the front matter, then 1, 2 …"""
        pdf.catalog["PageLabels"] = pydyf.Dictionary(
            {"Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/r"}), front_pages, pydyf.Dictionary({"S": "/D"})])}
        )

    with _page_references_listed_once():
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


@contextmanager
def _page_references_listed_once() -> Iterator[None]:
    """pydyf 0.13 lists the references of all pages each time one is asked for, and WeasyPrint
    asks once per tagged element: time grows with the square of the pages (a minute for an
    800-page reader). While the PDF is written, the list is made once for each page count."""
    listing = pydyf.PDF.page_references
    made: dict[tuple[int, int], tuple[bytes, ...]] = {}

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        key = (id(pdf), len(pdf.pages["Kids"]))
        if key not in made:
            made[key] = listing.fget(pdf)
        return made[key]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = listing


@contextmanager
def _until_a_footnote_is_carried_over(breakable: set[str], breaks: set[str]) -> Iterator[list[str]]:
    """While in this context, WeasyPrint ends a layout after the first page from which it
    carries the note of a call on that page over to the next; the block to start on a new page
    instead (see `_block_to_break`) is put in the list this yields. A note whose block to break
    is one of `breaks` already is left where WeasyPrint puts it: there is no more to be done.

    WeasyPrint's pagination (`make_all_pages`) makes the pages one by one; stopping it early
    leaves a document of the pages made so far, with their running heads and numbers, so
    that a part is not laid out to its end only to be laid out again from an early page."""
    paginate = weasyprint.layout.make_all_pages
    to_break: list[str] = []

    def make_all_pages(context: LayoutContext, root_box: Box, html: HTML, pages: list[PageBox]) -> Iterator[PageBox]:
        for page_box in paginate(context, root_box, html, pages):
            yield page_box
            carried = context.reported_footnotes
            for box, called_in in boxes_in_blocks(page_box):
                if box.footnote is not None and box.footnote in carried and called_in:
                    block = _block_to_break(page_box, called_in, breakable)
                    if block not in breaks:
                        to_break.append(block)
                        return

    weasyprint.layout.make_all_pages = make_all_pages
    try:
        yield to_break
    finally:
        weasyprint.layout.make_all_pages = paginate


def _block_to_break(page_box: PageBox, called_in: str, breakable: set[str]) -> str:
    """The block to start on a new page so that the note called in block `called_in` stays on
    this page: the last one on the page, from that block on, that may start a page (one of
    `breakable`), else the block of the call itself.

    WeasyPrint carries a note over to make room for the second line of the paragraph at the
    foot of the page, so as not to leave its first line alone there (`orphans`): the note may
    have been called several paragraphs earlier. Moving that last paragraph brings the note
    back; moving the paragraph of the call would move all those in between too, and leave the
    page half empty."""
    blocks = list(dict.fromkeys(block for _, block in text_in_blocks(page_box)))
    after = blocks[blocks.index(called_in) :] if called_in in blocks else []
    return next((block for block in reversed(after) if block in breakable), called_in)


@dataclass(frozen=True)
class Footnote:
    """Where a footnote landed: the block holding its call, the call's page and the note's."""

    block: str
    call_page: int
    note_page: int


def footnotes(pages: list[Page]) -> list[Footnote]:
    """Every footnote on these pages, in the order of their calls."""
    calls: dict[str, tuple[int, str]] = {}
    notes: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            notes.setdefault(anchor, index)
        for box, block in boxes_in_blocks(page._page_box):
            if (box.element_tag or "").endswith("::footnote-call"):
                calls.setdefault(box.element.get("id"), (index, block))
    return [Footnote(block, index, notes.get(note, index)) for note, (index, block) in calls.items()]


def resumable_page(pages: list[Page], late: str, resumable: set[str]) -> tuple[int, str] | None:
    """The last page, no later than the one on which the block `late` begins, from which a
    layout can resume (see `resumable_pages`); None if there is none."""
    first_late = first_page_of(pages, late)
    return next((page for page in reversed(resumable_pages(pages, resumable)) if page[0] <= first_late), None)


def resumable_pages(pages: list[Page], resumable: set[str]) -> list[tuple[int, str]]:
    """The pages after the first from which a layout can resume, each with its index and the
    block it opens with: the start of a block in `resumable`, and no footnote carried over from
    an earlier page."""
    carried = {page for note in footnotes(pages) for page in range(note.call_page + 1, note.note_page + 1)}
    return [
        (index, start.block)
        for start in page_starts(pages, 0)
        if (index := int(start.label) - 1) > 0
        and not start.offset
        and start.block in resumable
        and index not in carried
    ]


def first_page_of(pages: list[Page], anchor: str) -> int:
    """The index (from 0) of the page on which the element with this id begins."""
    return next(index for index, page in enumerate(pages) if anchor in page.anchors)
