"""Turn the in-memory edition into markup: one HTML document for print, XHTML files for the EPUB.

Both come from the same Jinja templates (autoescaped), so the print and e-reader editions show
the same text, paragraph numbers and notes. Phrase-level content is rendered here in Python,
because it nests; the templates lay out the blocks. Hands on strings: `print_part` to `pdf`;
`epub_chapters` (the navigation document among them) and `epub_ncx` to `epub`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import lxml.html
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from .model import (
    Edition,
    Entry,
    Essay,
    Heading,
    Imprint,
    Inline,
    Mention,
    PageStart,
    Paragraph,
    Quotation,
    Span,
    alnum,
    plain,
)


@dataclass
class Target:
    """What differs between the two outputs: the XHTML serialisation and EPUB semantics."""

    epub: bool

    def lang(self, code: str) -> Markup:
        """Language attributes: `lang` for HTML, and `xml:lang` too for XHTML readers."""
        if self.epub:
            return Markup(' lang="{0}" xml:lang="{0}"').format(code)
        return Markup(' lang="{0}"').format(code)


def essay_label(essay: Essay) -> str:
    """How a reader cites the essay: the author's surname."""
    return essay.author.split()[-1]


def upper_first(content: list[Inline]) -> list[Inline]:
    """The content with a capital first letter, for a sentence that stands alone (after a citation)."""
    if content and isinstance(content[0], str):
        return [content[0][:1].upper() + content[0][1:], *content[1:]]
    return content


def places(entry: Entry, essays: list[Essay]) -> list[tuple[Essay, list[Mention]]]:
    """Where each essay names an entry: one mention per paragraph or note, in reading order."""
    grouped = []
    for essay in essays:
        seen: dict[str, Mention] = {}
        for mention in entry.mentions:
            if mention.essay_id == essay.id:
                seen.setdefault(mention.where, mention)
        if seen:
            grouped.append((essay, list(seen.values())))
    return grouped


PRINT = Target(epub=False)
EPUB = Target(epub=True)

Marks = Mapping[str, Sequence[tuple[int, str]]]  # by block: (letters and digits before it, page label)


def page_marks(page_starts: list[PageStart]) -> Marks:
    """Where each print page begins, by block, in page order."""
    marks: dict[str, list[tuple[int, str]]] = {}
    for start in page_starts:
        marks.setdefault(start.block, []).append((start.offset, start.label))
    return marks


def reading_order(essay: Essay) -> Iterator[list[Inline]]:
    """The phrase-level content of an essay in the order the templates set it: the matter before
    it, its blocks, the afterword, the author's notes."""
    for item in essay.front:
        yield item.content
    for block in essay.body:
        if isinstance(block, Quotation):
            yield from block.paragraphs
            yield block.reference
        else:
            yield block.content
    yield from essay.afterword
    for note in essay.notes:
        yield note.content


def call_numbers(essays: list[Essay]) -> dict[int, int]:
    """Each call of an author's note (by the identity of its span): which call of that note it is
    in its essay, in reading order, from 1. The first is the one the note's backlink returns to."""
    numbers: dict[int, int] = {}

    def walk(content: list[Inline], counts: dict[str, int]) -> None:
        for part in content:
            if isinstance(part, Span):
                walk(part.children, counts)
                if part.kind == "noteref":
                    counts[part.attrs["note"]] = numbers[id(part)] = counts.get(part.attrs["note"], 0) + 1

    for essay in essays:
        counts: dict[str, int] = {}
        for content in reading_order(essay):
            walk(content, counts)
    return numbers


class InlineRenderer:
    """Renders phrase-level content.

    Each call of an author's note has its own id, numbered from the essay up front
    (`call_numbers`). An editorial note is called where the edition's notes say: print sets the
    note in the text, where WeasyPrint floats it to the foot of the page; the EPUB links the call
    to the note, which the essay's template sets after the essay's text (`editorial_notes`).
    `marks` are where the print pages begin, by block (`page_marks`), computed up front: nothing
    is used up as it is rendered.
    """

    def __init__(self, target: Target, edition: Edition, marks: Marks = {}):  # noqa: B006 (only read)
        self.target = target
        self.edition = edition
        self.entries = edition.entries
        self.call_numbers = call_numbers(edition.essays)
        # The EPUB's note calls are letters, as in print, counted again in each essay; a chapter
        # has no pages to tell two notes of one letter apart, so after z come aa, ab, ….
        self.markers = {
            note.anchor: letters(number)
            for essay in edition.essays
            for number, note in enumerate(edition.notes_of(essay), start=1)
        }
        self.marks = marks

    def __call__(self, content: list[Inline], block: str = "") -> Markup:
        if block in self.marks:
            content = insert_page_breaks(content, self.marks[block])
        out = []
        for index, part in enumerate(content):
            before = content[index - 1] if index else ""
            if not self.target.epub and isinstance(part, Span) and isinstance(before, str) and before[-1:].isspace():
                # WeasyPrint 70 sometimes breaks a line far too early before an inline element
                # (a name, a title) that does not fit; a zero-width space where a break is allowed
                # anyway avoids it.
                out.append(Markup("\u200b"))
            out.append(self.render(part))
        return Markup("").join(out)

    def call_id(self, note_id: str, number: int = 1) -> str:
        return f"{note_id}-call{number}"

    def render(self, part: Inline) -> Markup:
        if isinstance(part, str):
            return escape(part)
        inner = self(part.children)
        lang = self.target.lang(part.attrs["lang"]) if "lang" in part.attrs else Markup("")
        match part.kind:
            case "title":
                css = "article" if part.attrs["level"] == "a" else "work"
                return Markup('<cite class="{}"{}>{}</cite>').format(css, lang, inner)
            case "foreign":
                return Markup("<i{}>{}</i>").format(lang, inner)
            case "italic":
                return Markup("<i>{}</i>").format(inner)
            case "emph":
                return Markup("<em>{}</em>").format(inner)
            case "lead-in":
                return Markup('<span class="lead-in">{}</span>').format(inner)
            case "interpolation":
                return Markup('<span class="interpolation">{}</span>').format(inner)
            case "lb":
                return Markup("<br/>")
            case "noteref":
                return self.noteref(part, inner)
            case "ref":
                return Markup('<a href="{}">{}</a>').format(part.attrs["target"], inner)
            case "mention":
                return self.mention(part, inner)
            case "anchor":
                return self.note_call(part.attrs["id"])
            case "pagebreak":
                return self.page_break(part.attrs["label"])
            case _:
                return Markup("<span{}>{}</span>").format(lang, inner)

    def page_break(self, label: str) -> Markup:
        return Markup(
            '<span id="page-{0}" class="page-break" epub:type="pagebreak" role="doc-pagebreak" aria-label="{0}"></span>'
        ).format(label)

    def page_marker(self, block: str) -> Markup:
        """Markers of pages that begin at the start of a block the templates lay out themselves."""
        return Markup("").join(self.page_break(label) for _, label in self.marks.get(block, ()))

    def entry_href(self, entry_id: str) -> str:
        return f"register.xhtml#{entry_id}" if self.target.epub else f"#{entry_id}"

    def place_href(self, mention: Mention) -> str:
        return f"{mention.essay_id}.xhtml#{mention.anchor}" if self.target.epub else f"#{mention.anchor}"

    def mention(self, part: Span, inner: Markup) -> Markup:
        """A name in the text (in print, linked to its entry) and the call of the note it carries, if any."""
        entry = part.attrs["ref"]
        anchor = part.attrs.get("anchor")
        if not anchor:
            return Markup('<a class="xref" href="{}">{}</a>').format(self.entry_href(entry), inner)
        if self.target.epub:
            # No link hidden in the running text, where a tap on a touch reader is meant to turn a
            # page or look up a word: the name's note links to its register entry instead.
            return Markup('<span class="mention" id="{}">{}</span>').format(anchor, inner) + self.note_call(anchor)
        named = Markup('<a class="mention" id="{}" href="{}">{}</a>').format(anchor, self.entry_href(entry), inner)
        return named + self.note_call(anchor)

    def note_call(self, anchor: str) -> Markup:
        """The editorial note called at `anchor`: in print the note itself, which WeasyPrint
        floats to the foot of the page; in the EPUB a link to it."""
        if anchor not in self.edition.notes:
            return Markup("")
        if not self.target.epub:
            return Markup('<span class="footnote" id="note-{}">{}</span>').format(anchor, self.note_text(anchor))
        return Markup(
            '<a class="fnref" id="call-{0}" href="#fn-{0}" epub:type="noteref" role="doc-noteref">{1}</a>'
        ).format(anchor, self.markers[anchor])

    def note_text(self, anchor: str) -> Markup:
        """An editorial note's text: a commentary, or the identification of each entry it names."""
        note = self.edition.notes[anchor]
        if note.commentary:
            return self(note.commentary.content)
        return Markup(" ").join(self.identification(self.entries[entry], linked=True) for entry in note.entries)

    def identification(self, entry: Entry, linked: bool = False) -> Markup:
        """Who or what an entry is: its name in bold (`linked`: a link to its register entry), its
        dates, and the editors' sentence."""
        head = Markup('<b class="fn-name">{}</b>').format(self(entry.head))
        if linked:
            head = Markup('<a class="entry-link" href="{}">{}</a>').format(self.entry_href(entry.id), head)
        if entry.dates:
            head += Markup(" ({})").format(entry.dates)
        return Markup("{}, {}").format(head, self(entry.identification))

    def editorial_notes(self, essay: Essay) -> list[tuple[str, str, Markup]]:
        """The EPUB's notes of an essay, set after its text: (anchor, marker, text) in reading order."""
        return [
            (note.anchor, self.markers[note.anchor], self.note_text(note.anchor))
            for note in self.edition.notes_of(essay)
        ]

    def noteref(self, part: Span, inner: Markup) -> Markup:
        note = part.attrs["note"]
        semantics = Markup(' epub:type="noteref" role="doc-noteref"') if self.target.epub else Markup("")
        return Markup('<a class="noteref" id="{}" href="#{}"{}>{}</a>').format(
            self.call_id(note, self.call_numbers.get(id(part), 1)), note, semantics, inner
        )


# Spans a reader activates: a page marker inside one would become part of the link's name.
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


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("edition", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["paragraph"] = lambda block: isinstance(block, Paragraph)
    env.tests["heading"] = lambda block: isinstance(block, Heading)
    env.tests["quotation"] = lambda block: isinstance(block, Quotation)
    env.globals["essay_label"] = essay_label
    env.globals["places"] = places
    env.globals["upper_first"] = upper_first
    return env


ENVIRONMENT = _environment()


def _render(
    template: str, target: Target, edition: Edition, imprint: Imprint, inline: InlineRenderer | None = None, **context
) -> str:
    inline = inline or InlineRenderer(target, edition)
    return ENVIRONMENT.get_template(template).render(
        target=target, inline=inline, edition=edition, imprint=imprint, **context
    )


def letters(number: int) -> str:
    """1 → a, 26 → z, 27 → aa, 28 → ab: the EPUB's marks of editorial notes."""
    prefix, last = divmod(number - 1, 26)
    return (letters(prefix) if prefix else "") + chr(ord("a") + last)


@dataclass(frozen=True)
class PrintPart:
    """A part of the print edition that WeasyPrint lays out on its own: the front matter, an
    essay, the register, the note on the text, or (`blank` > 0) that many blank pages."""

    kind: str
    essay: Essay | None = None
    blank: int = 0

    @property
    def name(self) -> str:
        return self.essay.id if self.essay else self.kind


def print_parts(edition: Edition) -> list[PrintPart]:
    """The numbered parts of the print edition, in order (the front matter comes before them)."""
    parts = [PrintPart("essay", essay) for essay in edition.essays]
    if edition.register:
        parts.append(PrintPart("register"))
    return [*parts, PrintPart("note-on-the-text")]


FRONT = PrintPart("front")


def print_part(
    edition: Edition, imprint: Imprint, part: PrintPart, pages: dict[str, str], breaks: set[str] = frozenset()
) -> str:
    """One part as an HTML document, for WeasyPrint. `pages` maps the anchors of the parts laid
    out before it to their printed page; `breaks` are the ids of blocks that must start a page."""
    return _render("print.html.j2", PRINT, edition, imprint, part=part, pages=pages, breaks=breaks)


def continue_from(html: str, block: str) -> str:
    """A part's HTML from the block with id `block` on, for a layout that continues the pages of
    the part already laid out before it (see `pdf`).

    What stands before the block is left out, but the block is laid out as it would be in the
    whole part: the editorial footnotes' counter and a list's numbers go on from the ones left
    out; the sibling just before it stays, hidden and empty, so that selectors such as `p + p`
    still match; and the boxes around it lose what an earlier page already showed of them: their
    id, top margin, padding and border, and their break.
    """
    document = lxml.html.document_fromstring(html)
    body = document.body
    target = body.get_element_by_id(block)
    element, footnotes = target, 0
    while element is not body:
        parent = element.getparent()
        left_out = list(element.itersiblings(preceding=True))
        for sibling in left_out:
            footnotes += sum("footnote" in inner.classes for inner in sibling.iter())
            parent.remove(sibling)
        if element is target:
            if left_out:
                hidden = {"class": left_out[0].get("class", ""), "hidden": ""}
                element.addprevious(lxml.html.Element(left_out[0].tag, hidden))
            if element.tag == "li":
                _add_style(parent, f"counter-reset: list-item {sum(item.tag == 'li' for item in left_out)}")
            _add_style(element, "break-before: auto")
        else:
            element.attrib.pop("id", None)
            element.attrib.pop("aria-labelledby", None)
            _add_style(element, f"break-before: auto; {TOP_EDGE}")
        if parent is body:
            _add_style(element, f"counter-reset: footnote {footnotes}")
        element = parent
    _add_style(body, TOP_EDGE)
    return lxml.html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


TOP_EDGE = "margin-top: 0; padding-top: 0; border-top-width: 0"


def _add_style(element: lxml.html.HtmlElement, declarations: str) -> None:
    element.set("style", "; ".join(filter(None, [element.get("style"), declarations])))


NAVIGATION = "nav.xhtml"
CONTENTS = "contents"  # the id of the print edition's table of contents, which the nav stands for


@dataclass
class Chapter:
    """One XHTML file of the EPUB."""

    file_name: str
    title: str
    xhtml: str
    landmark: str = ""
    pages: list[str] = field(default_factory=list)  # the print pages whose start it marks


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
    inline = InlineRenderer(EPUB, edition, page_marks(page_starts))

    def pages_in(blocks: set[str]) -> list[str]:
        """The pages that begin in these blocks, in print order (the chapter's order too)."""
        return [start.label for start in page_starts if start.block in blocks]

    def chapter(file_name: str, title: str, template: str, blocks: set[str], landmark: str = "", **context) -> Chapter:
        xhtml = _render(template, EPUB, edition, imprint, inline, title=title, stylesheet=stylesheet, **context)
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
    chapters.append(
        chapter(
            "note-on-the-text.xhtml", "A note on the text", "epub/note-on-text.xhtml.j2", note_on_text_blocks(edition)
        )
    )
    # The navigation lists every chapter and page, its own included: it is written last.
    body = next(index for index, chapter in enumerate(chapters) if chapter.landmark == "bodymatter")
    navigation.xhtml = _render(
        "epub/nav.xhtml.j2",
        EPUB,
        edition,
        Imprint(),
        inline,
        chapters=chapters,
        contents=chapters[body:],  # as in print: the text and the back matter; landmarks lead to the rest
        pages=page_targets(chapters),
        stylesheet=stylesheet,
        title="Contents",
    )
    return chapters


def page_targets(chapters: list[Chapter]) -> list[tuple[str, str]]:
    """Every print page marked in the chapters, in reading order: (label, href)."""
    return [(label, f"{chapter.file_name}#page-{label}") for chapter in chapters for label in chapter.pages]


def epub_ncx(edition: Edition, chapters: list[Chapter], pages: list[tuple[str, str]], identifier: str) -> str:
    """The EPUB 2 table of contents and page list, for readers that do not read EPUB 3 navigation."""
    max_page = max((int(label) for label, _ in pages if label.isdigit()), default=0)
    return _render(
        "epub/toc.ncx.j2",
        EPUB,
        edition,
        Imprint(),
        chapters=chapters,
        pages=pages,
        identifier=identifier,
        max_page=max_page,
    )
