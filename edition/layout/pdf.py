"""Render the print edition: the HTML from `html`, laid out by WeasyPrint, as PDF/A-3a bytes,
tagged for reading and identified as PDF/UA-1 (see `typeset.write`).

Everything WeasyPrint reads goes through `LocalFetcher`; the stylesheets reach it as CSS objects
made with that fetcher, and every source file of the edition is embedded in the PDF as an
attachment (relationship Source), so the PDF carries what it was made from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from weasyprint import CSS, Attachment
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, Page
from weasyprint.text.fonts import FontConfiguration

from ..errors import EditionError
from ..html import FRONT, PrintPart, continue_from, print_part, print_parts
from ..project import PRINT_STYLES, Project
from ..sources.fonts import check_characters, read_faces
from ..sources.model import Edition, Imprint, PageStart
from ..sources.profiles import Profile
from .breaks import PageBreaks, movable_blocks, resumable_blocks, resumable_page
from .fetcher import LocalFetcher, RefusedResource
from .memory import kept_from_collection
from .pages import BreakBefore, NewPage, PageLayout, first_pages, front_matter_pages, page_starts
from .parallel import LaidOut, beside, side_by_side
from .rejoin import Rejoin, edit_between
from .typeset import (
    COURSE_LINE,
    Drawings,
    DrawnAhead,
    draw_ahead,
    drawn_ahead_read,
    drawn_ahead_sent,
    html_document,
    laid_out_once,
    notes_too_tall,
    page_layouts,
    pickled,
    renumber,
    stopping_when,
    unpickled,
    write,
)
from .typeset import write_proof as typeset_proof

# Told, as the layout goes, what has been laid out.
Progress = Callable[[str], None]
T = TypeVar("T")
# Handed the summaries of the pages a layout has made so far, the last just made: something to
# end the layout with that page, a block to start on a new page where it stands, or None.
Decide = Callable[[list[NewPage]], T | BreakBefore | None]
# What ends the layout of a part early: the index of the last layout's page from which its
# pages are kept (`rejoin`), or a window run out (`rejoin`); or, ending nothing, a block to
# start on a new page to bring a note back to its call's (`breaks`).
OUT_OF_WINDOW = "out of window"
Decision = int | str | BreakBefore | None


@dataclass
class PartLayout:
    """A part as it was last laid out: its HTML, the number its first page prints (see
    `_renumbered`), the course in its foot, and its pages; and, if the typesetter keeps them,
    the lines its layouts broke, which the next layout of it need not break again (see
    `typeset.laid_out_once`)."""

    html: str
    first_page: int
    course: str
    document: Document
    lines: dict | None = None

    @functools.cached_property
    def pages(self) -> list[PageLayout]:
        """The summaries of its pages, made when a later layout of the part first asks for
        them: a build that lays the edition out once never does."""
        return page_layouts(self.document.pages)


class Typesetter:
    """WeasyPrint set up for one project and paper: the fonts, counter styles and stylesheets,
    read once and shared by every part, and the last layout of each part.

    A part whose HTML has not changed since its last layout is not laid out again, and one that
    has is laid out again only from the edit to where its pages fall back into step with the
    last layout (see `rejoin`); `edition watch` keeps one typesetter for as long as the styles
    stay the same.
    """

    def __init__(
        self, project: Project, page_size: str, styles: str = "", rejoin: bool = True, keeps_lines: bool = False
    ):
        self.project = project
        self.page_size = page_size
        # False: each part is laid out in its order, where it stands, and whole unless it is as
        # last laid out there (the tests compare the two).
        self.rejoin = rejoin
        # True: each part's layout keeps the lines it broke for the next (`PartLayout.lines`),
        # as `edition watch` has it; a build that lays out once has no use for them.
        self.keeps_lines = keeps_lines
        # The hash of the stylesheets and fonts it read (`record.Inputs.print_styles`), by which
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
        self.parts: dict[str, PartLayout] = {}  # by part name
        # Pages with nothing on them, laid out for their numbers (`folio_sheet`): by course,
        # number, and whether it is its document's first.
        self.sheet: dict[tuple[str, int, bool], Page] = {}
        self.pages_laid_out = 0  # by the last `layout`: the pages WeasyPrint made, not those kept
        self.drawings = Drawings()  # what the proofs of its layouts share (`write_proof`)

    def render(
        self,
        html: str,
        first_page: int,
        course: str,
        heads: tuple[str, str] | None = None,
        lines: dict | None = None,
    ) -> Document:
        """The HTML laid out in pages numbered from `first_page`, on the side that number falls
        on (a part opens on a right-hand page, an odd one), the course in their foot.

        A layout that resumes a part from a page within it (`heads`: its running heads) sets the
        running heads that the part's title would have set. A text broken into `lines` before
        (by an earlier layout) is not broken again, and the lines it breaks are added there."""
        # The paper, where the numbers start, and the course: the only rules not in the stylesheets.
        rules = f"@page {{ size: {self.page_size}; }} @page :first {{ counter-reset: page {first_page}; }}"
        if course:
            rules += f" @page main {{ {COURSE_LINE} {{ content: {css_string('Course reader for ' + course)}; }} }}"
        if heads:
            rules += f" @page main:left {{ @top-left {{ content: {css_string(heads[0])}; }} }}"
            rules += f" @page main:right {{ @top-right {{ content: {css_string(heads[1])}; }} }}"
        if first_page % 2 == 0:
            rules += " html { break-before: left; }"
        source = html_document(html, self.project.styles_dir.as_uri() + "/", self.fetcher)
        try:
            stylesheets = [*self.stylesheets, CSS(string=rules, url_fetcher=self.fetcher, font_config=self.fonts)]
            with laid_out_once(lines):  # see `typeset`: the same pages, sooner
                document = source.render(font_config=self.fonts, counter_style=self.counters, stylesheets=stylesheets)
        except RefusedResource as refused:
            raise EditionError(str(refused)) from None
        self.pages_laid_out += len(document.pages)
        return document

    def render_until(
        self,
        html: str,
        first_page: int,
        course: str,
        heads: tuple[str, str] | None,
        decide: Decide[T],
        every_page: bool = True,
        lines: dict | None = None,
    ) -> tuple[Document, T | None]:
        """As `render`, but the layout ends with the first page for which `decide`, handed the
        summaries of the pages made so far, returns something other than a `BreakBefore`, which
        starts a block on a new page and goes on (see `typeset.stopping_when`; without
        `every_page`, only a page that carries a note over is handed on). The pages, and what
        `decide` returned (None if the layout went to the end)."""
        with stopping_when(decide, every_page) as found:
            document = self.render(html, first_page, course, heads, lines)
        return document, next(iter(found), None)

    def folio_sheet(
        self, edition: Edition, imprint: Imprint, course: str, wanted: list[tuple[int, bool]]
    ) -> list[Page]:
        """Pages with nothing on them but what the main text's pages (an essay's, the
        register's…) print in their margins, one for each number wanted, that page its
        document's first (`:first`) or not, as a part's first page is: laid out once for each
        number, course and firstness, and kept (see `_renumbered`)."""
        missing = sorted({(number, first) for number, first in wanted if (course, number, first) not in self.sheet})
        # A first page is the first of a sheet of its own; the others are laid out in one sheet,
        # from the page before the first of them.
        runs = [(number, number) for number, first in missing if first]
        later = [number for number, first in missing if not first]
        runs += [(later[0] - 1, later[-1])] if later else []
        laid_out = self.pages_laid_out  # of the edition's pages: these are not among them
        for start, end in runs:
            sheet = PrintPart("folios", blank=end - start + 1)
            document = self.render(print_part(edition, imprint, sheet, {}), start, course)
            self.sheet.update({(course, start + index, not index): page for index, page in enumerate(document.pages)})
        self.pages_laid_out = laid_out
        return [self.sheet[course, number, first] for number, first in wanted]


def typesetter_for(
    project: Project, page_size: str, styles: str, previous: Typesetter | None, keeps_lines: bool = False
) -> Typesetter:
    """`previous`, if it was set up for the same paper, stylesheets and fonts (`styles`); else a
    new one, which keeps its parts' lines if asked to (`Typesetter.keeps_lines`)."""
    if previous is not None and (previous.page_size, previous.styles) == (page_size, styles):
        return previous
    return Typesetter(project, page_size, styles, keeps_lines=keeps_lines)


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
    jobs: int = 1,
    ahead: DrawnAhead | None = None,
) -> Document:
    """The print edition laid out in pages, before it is written as PDF.

    Each part (see `html.print_parts`) is laid out on its own and opens on a right-hand page,
    after a blank page if need be: first the parts that print no page numbers (the essays, the
    further reading, the note on the text), each numbered where it stood in the typesetter's
    last layout or, the first time, after those laid out before it; then the register, which
    prints the pages of the essays' places; then the front matter, whose contents list the pages
    of the parts. The parts are joined in their order, each numbered where it stands (see
    `_renumbered`). So no page is laid out twice for page references (as WeasyPrint does for
    `target-counter`), the cost of a long corpus grows with its length, not faster, and only
    the register and the contents wait for the pages of the others. With more than one of
    `jobs`, the parts that print no page numbers and have no last layout are laid out side by
    side (`_side_by_side`).
    """
    typesetter = typesetter or Typesetter(project, profile.page_size)
    typesetter.pages_laid_out = 0
    course = imprint.course or ""
    check_characters([(course, "the reader profile's course")], typesetter.faces)  # the sources' are checked
    with kept_from_collection() as set_aside:  # see `memory`: each part's pages, once laid out
        parts = print_parts(edition)
        unnumbered = [part for part in parts if typesetter.rejoin and not part.cites_pages]
        fresh = [part for part in unnumbered if part.name not in typesetter.parts]  # no last layout
        if jobs > 1 and len(fresh) > 1:
            _side_by_side(typesetter, edition, imprint, parts, fresh, course, jobs)
            set_aside(typesetter.pages_laid_out)
        after = 1  # the first page after the parts laid out so far, on the right
        for part in unnumbered:
            last = typesetter.parts.get(part.name)
            first_page = last.first_page if last else after
            document = _lay_out_part(typesetter, edition, imprint, part, {}, first_page, course)
            after += len(document.pages) + len(document.pages) % 2
            set_aside(typesetter.pages_laid_out)
        folios: dict[str, str] = {}  # anchor → the printed number of the page it begins on
        main: list[Page | None] = []  # None: a blank page, filled in at the end
        for number, part in enumerate(parts, start=1):
            main += [None] * (len(main) % 2)
            if part.cites_pages and ahead and jobs > 1 and any(main) and part.name not in typesetter.parts:
                # Laid out in a worker while this process and another worker draw the pages before
                # it, as printed, for the PDF (`typeset.draw_ahead`): a part that cites pages
                # waits for them, and the PDF for it. (`document`, the part before it, lends them
                # its colour profiles.)
                first_page = len(main) + 1
                lay_out = functools.partial(
                    _lay_out_part, typesetter, edition, imprint, folios=folios, first_page=first_page, course=course
                )
                drawing = document.copy([page for page in main if page is not None])
                meanwhile = functools.partial(_drawn_ahead, drawing, ahead)
                _in_workers(typesetter, [part], 1, lay_out, meanwhile=meanwhile)
                document = typesetter.parts[part.name].document
            elif part.cites_pages or not typesetter.rejoin:
                document = _lay_out_part(typesetter, edition, imprint, part, folios, len(main) + 1, course)
            else:
                kept = _renumbered(typesetter, edition, imprint, typesetter.parts[part.name], len(main) + 1, course)
                document = (
                    kept.document
                    if kept
                    else _lay_out_part(typesetter, edition, imprint, part, folios, len(main) + 1, course)
                )
            for anchor, index in first_pages(document.pages).items():
                folios.setdefault(anchor, str(len(main) + 1 + index))
            main += document.pages
            set_aside(len(main))
            if progress:
                progress(f"laid out {part.name}: part {number} of {len(parts)}, {len(main)} pages")
        front = _lay_out_part(typesetter, edition, imprint, FRONT, folios, 1, course)
        body = [*front.pages, *[None] * (len(front.pages) % 2), *main]
        if profile.pad_to_four:
            body += [None] * (-len(body) % 4)
        blanks = iter(_blank_pages(typesetter, edition, imprint, body.count(None), course))
        laid_out = front.copy([next(blanks) if page is None else page for page in body])
    for note, height in notes_too_tall(laid_out.pages):  # see `typeset`: drawn over the text
        raise EditionError(
            f"{_named(edition, note)} is too long for the foot of a page: with the notes beside it, it is "
            f"{height:.1f} times the height of the page's text; shorten it"
        )
    return laid_out


def _drawn_ahead(document: Document, ahead: DrawnAhead) -> None:
    """The document's pages drawn ahead for the PDF (`typeset.draw_ahead`): the later half in a
    worker process forked now (`typeset.drawn_ahead_sent`), while this one draws the earlier
    half and another worker lays out the register."""
    half = len(document.pages) // 2
    if not half:
        draw_ahead(document, ahead, document.pages)
        return
    later = range(half, len(document.pages))
    sent, _ = beside(
        lambda: drawn_ahead_sent(document, later), lambda: draw_ahead(document, ahead, document.pages[:half])
    )
    drawn_ahead_read(document, ahead, sent)


def _named(edition: Edition, note_id: str) -> str:
    """An editorial footnote (its id in the print HTML, "note-" and its anchor: see
    `html.shared`), as the editor finds it in the sources."""
    note = edition.notes[note_id.removeprefix("note-")]
    if note.commentary:
        return f"the note of commentary at {note.anchor} (source/commentary.xml)"
    entries = ", ".join(repr(entry) for entry in note.entries)
    return f"the register's identification of {entries} (source/register.xml), a note in {note.essay_id},"


def _side_by_side(
    typesetter: Typesetter,
    edition: Edition,
    imprint: Imprint,
    parts: list[PrintPart],
    fresh: list[PrintPart],
    course: str,
    jobs: int,
) -> None:
    """The `fresh` parts laid out in worker processes (see `parallel`), each from page 1 (a
    part's pages depend on the side it starts on, not on the number: see `typeset.renumber`),
    and kept as the typesetter's last layout of it, which `layout` renumbers where it stands, as
    it does any part it kept. On a cold build (every part of `parts` that prints no page numbers
    fresh), each essay whose essays before it have all arrived is renumbered as it arrives,
    while the workers lay out the others (`_numbered_as_joined`)."""
    cold = all(part in fresh for part in parts if not part.cites_pages)

    def arrived(name: str) -> None:
        if cold:
            _numbered_as_joined(typesetter, edition, imprint, parts, course)

    _in_workers(
        typesetter, fresh, jobs, lambda part: _lay_out_part(typesetter, edition, imprint, part, {}, 1, course), arrived
    )


def _in_workers(
    typesetter: Typesetter,
    parts: list[PrintPart],
    jobs: int,
    lay_out: Callable[[PrintPart], object],
    arrived: Callable[[str], None] = lambda name: None,
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    """The parts laid out by `lay_out` (with this typesetter) in at most `jobs` worker processes
    (see `parallel`), while this process does `meanwhile`; each kept as the typesetter's last
    layout of it as soon as it arrives, and then handed to `arrived` by name."""
    shared = {"fonts": typesetter.fonts, "counters": typesetter.counters, "fetcher": typesetter.fetcher}

    def laid_out(index: int) -> LaidOut:  # in a worker
        before = typesetter.pages_laid_out
        lay_out(parts[index])
        return pickled(typesetter.parts.pop(parts[index].name), shared), typesetter.pages_laid_out - before

    def read(name: str, data: bytes) -> None:
        typesetter.parts[name] = unpickled(data, shared)
        arrived(name)

    _, pages = side_by_side([part.name for part in parts], jobs, laid_out, read, meanwhile)
    typesetter.pages_laid_out += pages


def _numbered_as_joined(
    typesetter: Typesetter, edition: Edition, imprint: Imprint, parts: list[PrintPart], course: str
) -> None:
    """The parts laid out so far, from the first on, up to the first that cites pages or has
    not been laid out, renumbered where `layout` joins them (each on a right-hand page after
    those before it)."""
    pages = 0  # of the main text before the part
    for part in parts:
        if part.cites_pages or part.name not in typesetter.parts:
            return
        pages += pages % 2
        _renumbered(typesetter, edition, imprint, typesetter.parts[part.name], pages + 1, course)
        pages += len(typesetter.parts[part.name].document.pages)


def _lay_out_part(
    typesetter: Typesetter,
    edition: Edition,
    imprint: Imprint,
    part: PrintPart,
    folios: dict[str, str],
    first_page: int,
    course: str,
) -> Document:
    """The part laid out: as it was last time if its HTML and course are the same and it
    starts on the same side; else from the page before its first edit to the page where the
    pages fall back into step with the last layout, if it starts on the same side; else whole
    (see `rejoin`). Either way, its pages then print the numbers they have from `first_page`
    (see `_renumbered`).

    A part's pages do not depend on the number of its first page, only on its side: what
    prints the number is laid out in the page's margin, apart. (A typesetter that does not
    rejoin, which the tests compare with one that does, lays a part out whole again if it starts
    on another page.)"""
    html = print_part(edition, imprint, part, folios)
    last = typesetter.parts.get(part.name)
    same_side = last is not None and last.first_page % 2 == first_page % 2
    # Kept as it is, with another course line if need be (a course reader's part for another
    # course's reader), but not the edition's part for a reader's, whose pages have no course line.
    keepable = same_side and last.html == html and bool(last.course) == bool(course)
    if keepable and (typesetter.rejoin or (last.first_page, last.course) == (first_page, course)):
        kept = _renumbered(typesetter, edition, imprint, last, first_page, course)
        if kept:
            return kept.document
        same_side = False
    rejoinable = last if typesetter.rejoin and same_side and last.course == course else None
    # The lines of its last layout, to which this one's are added (a text broken once is known
    # by its width and style, wherever it stands).
    lines = (last.lines if last and last.lines is not None else {}) if typesetter.keeps_lines else None
    # Laid out again as numbered in the last layout, whose pages it may keep.
    numbered = rejoinable.first_page if rejoinable else first_page
    document = _lay_out_anew(typesetter, edition, imprint, part, folios, html, numbered, course, rejoinable, lines)
    laid_out = _renumbered(
        typesetter, edition, imprint, PartLayout(html, numbered, course, document, lines), first_page, course
    )
    if laid_out is None:
        document = _lay_out_anew(typesetter, edition, imprint, part, folios, html, first_page, course, None, lines)
        laid_out = PartLayout(html, first_page, course, document, lines)
    typesetter.parts[part.name] = laid_out
    return document


def _renumbered(
    typesetter: Typesetter, edition: Edition, imprint: Imprint, part: PartLayout, first_page: int, course: str
) -> PartLayout | None:
    """The part's pages made to print the numbers they have from `first_page`, and `course`, in
    place: their margin boxes that print the page's number or the course line taken from the
    typesetter's folio sheet, laid out in the same stylesheets on pages of the same sides, with
    that course (see `typeset.renumber`). So a part that only starts on another page, or is
    printed for another course, is not laid out again, and prints what a layout of it there would
    print, in the same face, size and place. None if the stylesheets number its pages otherwise
    than the sheet's: it must be laid out there."""
    if (part.first_page, part.course) != (first_page, course):
        sheet = functools.partial(typesetter.folio_sheet, edition, imprint, course)
        if not renumber(part.document.pages, first_page, sheet):
            return None
        part.first_page, part.course = first_page, course
    return part


def _lay_out_anew(
    typesetter: Typesetter,
    edition: Edition,
    imprint: Imprint,
    part: PrintPart,
    folios: dict[str, str],
    html: str,
    first_page: int,
    course: str,
    last: PartLayout | None,
    lines: dict | None = None,
) -> Document:
    """The part laid out, with the `lines` of its earlier layouts, if kept (see `Typesetter.render`).

    With its `last` layout, the pages before the edit are kept, and the layout resumes from the
    last page before the edit that opens with a resumable block of its own; it ends with the
    first page that ends where the page of the same number ended in the last layout
    (`rejoin.Rejoin`), whose pages are kept after it.

    Each time WeasyPrint carries a note over to the next page, a block is started on a new page
    to bring the note back (see `breaks`), and the layout goes on from the page where that block
    began, the pages before it kept (see `typeset.stopping_when`). A layout made again (a window
    run out) finds them again as it goes.
    """
    movable, resumable = movable_blocks(part), resumable_blocks(part)
    kept: list[Page] = []
    start = None  # the block the layout resumes from, if it does not lay out the whole part
    rejoin = None
    if last:
        edit = edit_between(last.html, html, resumable)
        rejoin = Rejoin.of(last.pages, edit)
        if edit.before and (resume := resumable_page(last.pages, edit.before, resumable)):
            index, start = resume
            kept = last.document.pages[:index]
    while True:
        breaks = PageBreaks(movable)  # a layout made again finds the same breaks again, as it goes
        end = rejoin.end if rejoin else None
        html_now = continue_from(html, start, end) if start or end else html
        first = len(kept)

        def decide(
            made: list[NewPage], first: int = first, rejoin: Rejoin | None = rejoin, breaks: PageBreaks = breaks
        ) -> Decision:
            if rejoin and rejoin.outrun(made[-1]):
                return OUT_OF_WINDOW
            rejoined = rejoin.page(first, made) if rejoin else None
            if rejoined is not None:
                return rejoined
            if moved := breaks.for_page(made[-1]):
                breaks.add(*moved)
                return BreakBefore(moved[0])
            return None

        # Without a last layout to rejoin, only a page that carries a note over can end the
        # layout early: the others are not summed up as they are made.
        document, decided = typesetter.render_until(
            html_now,
            first_page + first,
            course,
            part.heads if start else None,
            decide,
            every_page=bool(rejoin and rejoin.rest),
            lines=lines,
        )
        if decided == OUT_OF_WINDOW or (decided is None and rejoin and rejoin.end):
            # Laid out again to the part's end, from the last page before the window's last pages
            # from which a layout can resume: the pages before it are as a layout of the whole
            # rest makes them (see `rejoin`), and are kept.
            layouts = page_layouts(document.pages)
            guarded = next((block.id for page in layouts for block in page.blocks if block.id in rejoin.guard), None)
            if guarded and (resume := resumable_page(layouts, guarded, resumable)):
                index, start = resume
                kept = [*kept, *document.pages[:index]]
            rejoin = Rejoin.of(last.pages, edit, windowed=False)
            continue
        if isinstance(decided, int):  # the last layout's pages from this one follow the new ones
            return document.copy([*kept, *document.pages, *last.document.pages[decided:]])
        return document.copy([*kept, *document.pages]) if kept else document


def print_page_starts(document: Document, edition: Edition) -> list[PageStart]:
    """Where each page of the laid-out print edition begins (see `pages.page_starts`)."""
    return page_starts(page_layouts(document.pages), front_matter_pages(document.pages, edition))


def _blank_pages(typesetter: Typesetter, edition: Edition, imprint: Imprint, count: int, course: str) -> list[Page]:
    """`count` blank pages, each a page of its own: a PDF's structure tree holds a page once."""
    if not count:
        return []
    return _lay_out_part(typesetter, edition, imprint, PrintPart("blank", blank=count), {}, 1, course).pages


def write_pdf(
    document: Document,
    edition: Edition,
    project: Project,
    when: datetime,
    ahead: DrawnAhead | None = None,
    jobs: int = 1,
) -> bytes:
    """The laid-out edition as PDF/A-3a and PDF/UA-1, tagged for reading (see
    `typeset.write`), with the sources attached and fixed dates; the pages `layout` drew
    `ahead` not drawn again; in `jobs` processes at most."""
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
        with kept_from_collection() as set_aside:
            set_aside(len(document.pages))  # the pages, which stay alive while the PDF is written
            data, embedded = write(
                document,
                front_matter_pages(document.pages, edition),
                when,
                endnotes={note.id: str(note.number) for essay in edition.essays for note in essay.notes},
                ahead=ahead,
                jobs=jobs,
                pdf_variant="pdf/a-3a",
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


def write_proof(document: Document, edition: Edition, when: datetime, typesetter: Typesetter) -> bytes:
    """The laid-out edition as a proof, for the eye: the archival PDF's pages, written without
    what only the release needs, in a fraction of the time: no tags, no PDF/A, no attachments,
    and each page kept from the typesetter's last layout not drawn again (see
    `typeset.write_proof`)."""
    with kept_from_collection() as set_aside:
        set_aside(len(document.pages))  # the pages, which stay alive while the proof is written
        return typeset_proof(document, front_matter_pages(document.pages, edition), when, typesetter.drawings)
