"""Turn the in-memory edition into markup: one HTML document for print, XHTML files for the EPUB.

Both come from the same Jinja templates (autoescaped), so the print and e-reader editions show
the same text, paragraph numbers and notes. Phrase-level content is rendered here in Python,
because it nests; the templates lay out the blocks. Hands on strings: `print_document` to `pdf`,
`epub_documents` to `epub`.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from .model import Edition, Essay, Heading, Inline, Paragraph, Quotation, Span
from .source import plain


@dataclass
class Target:
    """What differs between the two outputs: the XHTML serialisation and EPUB semantics."""

    epub: bool

    def lang(self, code: str) -> Markup:
        """Language attributes: `lang` for HTML, and `xml:lang` too for XHTML readers."""
        if self.epub:
            return Markup(' lang="{0}" xml:lang="{0}"').format(code)
        return Markup(' lang="{0}"').format(code)


PRINT = Target(epub=False)
EPUB = Target(epub=True)


class InlineRenderer:
    """Renders phrase-level content; remembers each note's calls so every call has its own id."""

    def __init__(self, target: Target):
        self.target = target
        self.calls: dict[str, int] = {}

    def __call__(self, content: list[Inline]) -> Markup:
        return Markup("").join(self.render(part) for part in content)

    def call_id(self, note_id: str, index: int = 1) -> str:
        return f"{note_id}-call{index}"

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
            case _:
                return Markup("<span{}>{}</span>").format(lang, inner)

    def noteref(self, part: Span, inner: Markup) -> Markup:
        note = part.attrs["note"]
        self.calls[note] = self.calls.get(note, 0) + 1
        semantics = Markup(' epub:type="noteref" role="doc-noteref"') if self.target.epub else Markup("")
        return Markup('<a class="noteref" id="{}" href="#{}"{}>{}</a>').format(
            self.call_id(note, self.calls[note]), note, semantics, inner
        )


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
    env.filters["plain"] = plain
    return env


ENVIRONMENT = _environment()


def _render(template: str, target: Target, **context) -> str:
    return ENVIRONMENT.get_template(template).render(target=target, inline=InlineRenderer(target), **context)


def print_document(edition: Edition) -> str:
    """The whole edition as one HTML document, for WeasyPrint."""
    return _render("print.html.j2", PRINT, edition=edition)


@dataclass
class Chapter:
    """One XHTML file of the EPUB."""

    file_name: str
    title: str
    xhtml: str
    landmark: str = ""


def epub_chapters(edition: Edition, stylesheet: str) -> list[Chapter]:
    """The EPUB's content documents, in reading order."""

    def page(template: str, title: str, **context) -> str:
        return _render(template, EPUB, edition=edition, title=title, stylesheet=stylesheet, **context)

    chapters = [
        Chapter("titlepage.xhtml", "Title page", page("epub/titlepage.xhtml.j2", "Title page"), "titlepage"),
        Chapter("colophon.xhtml", "Colophon", page("epub/colophon.xhtml.j2", "Colophon"), "copyright-page"),
    ]
    for number, essay in enumerate(edition.essays, start=1):
        chapters.append(
            Chapter(
                f"{essay.id}.xhtml",
                essay.title,
                page("epub/essay.xhtml.j2", essay.title, essay=essay),
                "bodymatter" if number == 1 else "",
            )
        )
    note_title = "A note on the text"
    chapters.append(Chapter("note-on-the-text.xhtml", note_title, page("epub/note-on-text.xhtml.j2", note_title)))
    return chapters


def epub_navigation(edition: Edition, chapters: list[Chapter], stylesheet: str) -> str:
    """The EPUB 3 navigation document: table of contents and landmarks."""
    return _render(
        "epub/nav.xhtml.j2", EPUB, edition=edition, chapters=chapters, stylesheet=stylesheet, title="Contents"
    )


def essay_label(essay: Essay) -> str:
    """How a reader cites the essay: the author's surname."""
    return essay.author.split()[-1]


def epub_ncx(edition: Edition, chapters: list[Chapter], identifier: str) -> str:
    """The EPUB 2 table of contents, for readers that do not read the EPUB 3 navigation."""
    return _render("epub/toc.ncx.j2", EPUB, edition=edition, chapters=chapters, identifier=identifier)
