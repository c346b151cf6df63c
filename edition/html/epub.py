"""The e-reader edition as XHTML: one document per chapter, the navigation document and the NCX,
marking where the print edition's pages begin.

The marks are computed up front from the page starts (`pages.page_starts`): each block's marks,
and which pages each chapter marks (those that begin in one of its blocks: `essay_blocks`,
`register_blocks`, `further_reading_blocks`, `note_on_text_blocks`, which name the blocks the
templates mark; tests/html/test_render.py holds them to it), so nothing depends on the order in
which the templates render. Hands on `epub_chapters` (the navigation document among them),
`page_targets` and `epub_ncx` to `epub`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from ..sources.model import Edition, Essay, Imprint, Inline, PageStart, Quotation, Span, alnum, plain
from .shared import InlineRenderer, Output, render

EPUB = Output(
    "epub",
    note_calls="linked",
    capabilities=frozenset({"xhtml_lang", "chapter_files", "epub_types", "numbers_inline", "correction_links"}),
)

Marks = Mapping[str, Sequence[tuple[int, str]]]  # by block: (letters and digits before it, page label)


def page_marks(page_starts: list[PageStart]) -> Marks:
    """Where each print page begins, by block, in page order."""
    marks: dict[str, list[tuple[int, str]]] = {}
    for start in page_starts:
        marks.setdefault(start.block, []).append((start.offset, start.label))
    return marks


class PageMarkingRenderer(InlineRenderer):
    """The EPUB's renderer: phrase-level content with the marks of the print pages that begin in
    it (`marks`, computed up front: rendering a block twice marks it twice, and nothing is used up)."""

    def __init__(self, output: Output, edition: Edition, marks: Marks):
        super().__init__(output, edition)
        self.marks = marks

    def marked(self, content: list[Inline], block: str) -> list[Inline]:
        return insert_page_breaks(content, self.marks[block]) if block in self.marks else content

    def page_marker(self, block: str) -> Markup:
        """Markers of pages that begin in a block the templates lay out themselves, before it."""
        return Markup("").join(self.page_break(label) for _, label in self.marks.get(block, ()))


# Spans that name one thing: links (a reference, a note call) and names (a mention, which print
# links to the register): a page marker inside one would split its name, so it goes after it.
LINKS = {"mention", "ref", "noteref"}


def insert_page_breaks(content: list[Inline], marks: Sequence[tuple[int, str]]) -> list[Inline]:
    """The content with a page-break span where each page begins: before the letter or digit at
    its offset, or, where that falls inside a word or a link, after the word or the link, as
    DAISY's guidance on page markers asks (never inside a word, a link or a heading)."""
    pending = sorted(marks, key=lambda mark: mark[0])
    count = 0  # letters and digits walked so far
    in_word = False  # the last character walked was a letter or digit
    deferred: list[str] = []  # labels of pages that began inside the current word or link

    def marker(label: str) -> Span:
        return Span("pagebreak", [], {"label": label})

    def due() -> list[str]:
        labels = []
        while pending and count >= pending[0][0]:
            labels.append(pending.pop(0)[1])
        return labels

    def walk(parts: list[Inline]) -> list[Inline]:
        nonlocal count, in_word, deferred
        out: list[Inline] = []
        for part in parts:
            if isinstance(part, Span) and part.kind in LINKS:
                length = alnum(plain([part]))
                if length and not in_word:
                    out += [marker(label) for label in due()]  # the page begins with the link
                count += length - 1
                deferred += due()  # the page begins inside the link: mark it after
                count += 1
                out.append(part)
                in_word = in_word or bool(length)
                continue
            if isinstance(part, Span):
                out.append(Span(part.kind, walk(part.children), part.attrs))
                continue
            piece = ""
            for character in part:
                if not alnum(character):
                    if deferred:
                        out += [piece, *map(marker, deferred)] if piece else [*map(marker, deferred)]
                        piece, deferred = "", []
                    in_word = False
                else:
                    labels = due()
                    if in_word:
                        deferred += labels
                    elif labels:
                        out += [piece, *map(marker, labels)] if piece else [*map(marker, labels)]
                        piece = ""
                    count += 1
                    in_word = True
                piece += character
            if piece:
                out.append(piece)
        return out

    result = walk(content)
    # A page that begins after the last letter of the block (only possible if the outputs
    # differ), or inside its last word, is marked at its end rather than lost.
    result += [marker(label) for label in [*deferred, *(label for _, label in pending)]]
    return result


@dataclass
class Chapter:
    """One XHTML file of the EPUB."""

    file_name: str
    title: str
    xhtml: str
    landmark: str = ""
    pages: list[str] = field(default_factory=list)  # the print pages whose start it marks


NAVIGATION = "nav.xhtml"
CONTENTS = "contents"  # the id of the print edition's table of contents, which the nav stands for


def essay_blocks(essay: Essay) -> set[str]:
    """The blocks of an essay's chapter that can be marked: those `_essay.j2` marks."""
    blocks = {f"{essay.id}-title", *(item.id for item in essay.front)}
    for block in essay.body:
        if isinstance(block, Quotation):
            blocks |= {f"{block.id}-{number}" for number in range(1, len(block.paragraphs) + 1)}
            blocks |= {f"{block.id}-ref"} if block.reference else set()
        else:
            blocks.add(block.id)
    blocks |= {f"{essay.id}-bio{number}" for number in range(1, len(essay.afterword) + 1)}
    if essay.notes:
        blocks |= {f"{essay.id}-notes-head", *(note.id for note in essay.notes)}
    return blocks


def register_blocks(edition: Edition) -> set[str]:
    """The blocks of the register's chapter that can be marked: those `_register.j2` marks."""
    blocks = {"register-head", "register-intro"}
    for number, section in enumerate(edition.register, start=1):
        blocks.add(f"register-{number}-head")
        if section.title == "Works":
            blocks |= {"works-intro-1", "works-intro-2", *(f"source-{essay.id}" for essay in edition.essays)}
        blocks |= {entry.id for entry in section.entries}
    return blocks


def further_reading_blocks(edition: Edition) -> set[str]:
    """The blocks of the further reading's chapter that can be marked: those `_further_reading.j2` marks."""
    return {"further-reading-head", "further-reading-intro", *(work.id for work in edition.works)}


def note_on_text_blocks(edition: Edition) -> set[str]:
    """The blocks of the note on the text that can be marked: those `_essay.j2` marks."""
    blocks = {"note-on-the-text-head", "corrections"}
    blocks |= {f"conventions-{number}" for number in range(1, len(edition.conventions) + 1)}
    for essay in edition.essays:
        blocks.add(f"corrections-{essay.id}")
        blocks |= {f"correction-{essay.id}-{number}" for number in range(1, len(essay.corrections) + 1)}
    return blocks


def epub_chapters(
    edition: Edition, imprint: Imprint, stylesheet: str, page_starts: list[PageStart], cover: tuple[str, str]
) -> list[Chapter]:
    """The EPUB's documents in reading order, marking where the print pages begin; among them the
    navigation document ("Contents", after the colophon, as in print), which lists those pages."""
    marks = page_marks(page_starts)
    inline = PageMarkingRenderer(EPUB, edition, marks)

    def pages_in(blocks: set[str]) -> list[str]:
        """The pages that begin in these blocks, in print order (the chapter's order too)."""
        return [start.label for start in page_starts if start.block in blocks]

    def chapter(file_name: str, title: str, template: str, blocks: set[str], landmark: str = "", **context) -> Chapter:
        xhtml = render(template, EPUB, edition, imprint, inline, title=title, stylesheet=stylesheet, **context)
        return Chapter(file_name, title, xhtml, landmark, pages_in(blocks))

    navigation = Chapter(NAVIGATION, "Contents", "", "toc", pages_in({CONTENTS}))
    chapters = [
        chapter("cover.xhtml", "Cover", "epub/cover.xhtml.j2", set(), "cover", cover=cover),
        chapter("titlepage.xhtml", "Title page", "epub/titlepage.xhtml.j2", {"title-page"}, "titlepage"),
        chapter("colophon.xhtml", "Colophon", "epub/colophon.xhtml.j2", {"colophon"}, "copyright-page"),
        navigation,
    ]
    for number, essay in enumerate(edition.essays, start=1):
        landmark = "bodymatter" if number == 1 else ""
        chapters.append(
            chapter(f"{essay.id}.xhtml", essay.title, "epub/essay.xhtml.j2", essay_blocks(essay), landmark, essay=essay)
        )
    if edition.register:
        # The register is an index of names (and the list of works cited).
        chapters.append(
            chapter("register.xhtml", "Register", "epub/register.xhtml.j2", register_blocks(edition), "index")
        )
    if edition.works:
        further_reading = "epub/further-reading.xhtml.j2"
        blocks = further_reading_blocks(edition)
        chapters.append(chapter("further-reading.xhtml", "Further reading", further_reading, blocks, "bibliography"))
    chapters.append(
        chapter(
            "note-on-the-text.xhtml", "A note on the text", "epub/note-on-text.xhtml.j2", note_on_text_blocks(edition)
        )
    )
    # The navigation lists every chapter and page, its own included: it is written last. The
    # contents begin with the first essay, or, in an edition with none yet, after the navigation.
    after_navigation = chapters.index(navigation) + 1
    body = next((index for index, chapter in enumerate(chapters) if chapter.landmark == "bodymatter"), after_navigation)
    navigation.xhtml = render(
        "epub/nav.xhtml.j2",
        EPUB,
        edition,
        Imprint(),
        inline,
        chapters=chapters,
        contents=chapters[body:],  # as in print: the text and the back matter; landmarks lead to the rest
        page_list=page_targets(chapters),
        stylesheet=stylesheet,
        title="Contents",
    )
    return chapters


def page_targets(chapters: list[Chapter]) -> list[tuple[str, str]]:
    """Every print page marked in the chapters, in reading order: (label, href)."""
    return [(label, f"{chapter.file_name}#page-{label}") for chapter in chapters for label in chapter.pages]


def epub_ncx(edition: Edition, chapters: list[Chapter], page_list: list[tuple[str, str]], identifier: str) -> str:
    """The EPUB 2 table of contents and page list, for readers that do not read EPUB 3 navigation."""
    max_page = max((int(label) for label, _ in page_list if label.isdigit()), default=0)
    return render(
        "epub/toc.ncx.j2",
        EPUB,
        edition,
        Imprint(),
        chapters=chapters,
        page_list=page_list,
        identifier=identifier,
        max_page=max_page,
    )
