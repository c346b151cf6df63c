"""Render the print edition: the HTML from `html`, laid out by WeasyPrint, as PDF/A-3b bytes.

Everything WeasyPrint reads goes through `LocalFetcher`; the stylesheets reach it as CSS objects
made with that fetcher, and every source file of the edition is embedded in the PDF as an
attachment (relationship Source), so the PDF carries what it was made from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from weasyprint import CSS, HTML, Attachment
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, Page
from weasyprint.text.fonts import FontConfiguration

from .breaks import PageBreaks, movable_blocks, resumable_blocks, resumable_page
from .errors import EditionError
from .fetcher import LocalFetcher, RefusedResource
from .fonts import check_characters, read_faces
from .html import FRONT, PrintPart, continue_from, print_part, print_parts
from .inputs import digest
from .model import Edition, Essay, Imprint, PageStart
from .pages import first_pages, front_matter_pages, page_starts
from .profiles import Profile
from .project import PRINT_STYLES, Project
from .typeset import page_layouts, stopping_when, write

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
        self.faces = read_faces(project)
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

    def render(self, html: str, first_page: int, course: str, continues: Essay | None = None) -> Document:
        """The HTML laid out in pages numbered from `first_page`, the course in their foot.

        A part opens on a right-hand page. A layout that continues an essay from a page within it
        (`continues`) starts on the side its first page number falls on, with the running heads
        that the essay's title and byline set."""
        # The paper, where the numbers start, and the course: the only rules not in the stylesheets.
        rules = f"@page {{ size: {self.page_size}; }} @page :first {{ counter-reset: page {first_page}; }}"
        if course:
            rules += f" @page main {{ @bottom-center {{ content: {css_string('Course reader for ' + course)}; }} }}"
        if continues:
            rules += f" @page main:left {{ @top-left {{ content: {css_string(continues.author)}; }} }}"
            rules += f" @page main:right {{ @top-right {{ content: {css_string(continues.title)}; }} }}"
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

    def render_until_a_note_is_carried(
        self, html: str, first_page: int, course: str, continues: Essay | None, breaks: PageBreaks
    ) -> tuple[Document, tuple[str, str] | None]:
        """As `render`, but the layout ends with the first page that carries over a note which a
        page break can bring back. The pages, and the block to start on a new page with the id of
        the note it brings back (None if the layout went to the end)."""
        with stopping_when(breaks.for_page) as found:
            document = self.render(html, first_page, course, continues)
        return document, next(iter(found), None)


def typesetter_for(project: Project, page_size: str, styles: str, previous: Typesetter | None) -> Typesetter:
    """`previous`, if it was set up for the same paper, stylesheets and fonts (`styles`); else a
    new one."""
    if previous is not None and (previous.page_size, previous.styles) == (page_size, styles):
        return previous
    return Typesetter(project, page_size, styles)


def css_string(text: str) -> str:
    """`text` as a CSS string: the one serializer for values that reach CSS (CSS Syntax,
    "serialize a string"): `"` and `\\` escaped, and every control character (U+0000–U+001F,
    U+007F) as a hex escape, so no value can end the string, the rule or the stylesheet."""
    return '"' + "".join(_CSS_ESCAPES.get(ch, ch) for ch in text.replace("\0", "\ufffd")) + '"'


_CSS_ESCAPES = {chr(code): f"\\{code:x} " for code in [*range(0x20), 0x7F]} | {'"': '\\"', "\\": "\\\\"}


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
    check_characters([(course, "the reader profile's course")], typesetter.faces)  # the sources' are checked
    folios: dict[str, str] = {}  # anchor → the printed number of the page it begins on
    main: list[Page | None] = []  # None: a blank page, filled in at the end
    parts = print_parts(edition)
    for number, part in enumerate(parts, start=1):
        main += [None] * (len(main) % 2)
        document = _lay_out_part(typesetter, edition, imprint, part, folios, len(main) + 1, course)
        for anchor, index in first_pages(document.pages).items():
            folios.setdefault(anchor, str(len(main) + 1 + index))
        main += document.pages
        if progress:
            progress(f"laid out {part.name}: part {number} of {len(parts)}, {len(main)} pages")
    front = _lay_out_part(typesetter, edition, imprint, FRONT, folios, 1, course)
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
    folios: dict[str, str],
    first_page: int,
    course: str,
) -> Document:
    """The part laid out, or as it was laid out last time if the part shows nothing new.

    Each time WeasyPrint carries a note over to the next page, the layout stops there, a block
    is started on a new page to bring the note back, and the layout resumes from the last page
    before that block that opens with a paragraph or note of its own, keeping the pages before
    it; else from where it last started (see `breaks`).
    """
    html = print_part(edition, imprint, part, folios)
    movable, resumable = movable_blocks(part), resumable_blocks(part)

    def lay_out_part() -> Document:
        kept: list[Page] = []
        start = None  # the block the layout resumes from, if it does not lay out the whole part
        breaks = PageBreaks(movable)
        while True:
            html_now = print_part(edition, imprint, part, folios, breaks.blocks) if breaks.blocks else html
            if start:
                html_now = continue_from(html_now, start)
            continues = part.essay if start else None
            document, to_break = typesetter.render_until_a_note_is_carried(
                html_now, first_page + len(kept), course, continues, breaks
            )
            if to_break is None:
                return document.copy(kept + document.pages) if kept else document
            breaks.add(*to_break)
            if resume := resumable_page(page_layouts(document.pages), to_break[0], resumable):
                index, start = resume
                kept += document.pages[:index]

    return typesetter.reuse(digest(str(first_page), course, html), lay_out_part)


def print_page_starts(document: Document, edition: Edition) -> list[PageStart]:
    """Where each page of the laid-out print edition begins (see `pages.page_starts`)."""
    return page_starts(page_layouts(document.pages), front_matter_pages(document.pages, edition))


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
    faces = read_faces(project)
    try:
        data, embedded = write(
            document,
            front_matter_pages(document.pages, edition),
            when,
            pdf_variant="pdf/a-3b",
            pdf_tags=True,
            custom_metadata=True,
            attachments=attachments,
        )
    except RefusedResource as refused:
        raise EditionError(str(refused)) from None
    foreign = sorted(set(embedded) - set(faces.by_digest))
    if foreign:
        families = ", ".join(sorted({embedded[key] for key in foreign}))
        raise EditionError(
            f"the PDF would embed a system font ({families}), not only the faces in styles/fonts; nothing was written"
        )
    return data
