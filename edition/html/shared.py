"""What the print and e-reader editions share: phrase-level rendering, the Jinja environment, and
the helpers the templates call (`places`, `essay_label`, `upper_first`, `letters`).

The two outputs differ only in the capabilities an `Output` names (language attributes, how a
note is called, whether names link, WeasyPrint's break hints, …); the renderer and the templates
ask for those by name, never which output they serve. An `InlineRenderer` holds no state that
depends on what it rendered before: every id it writes is derived from the edition up front.
Hands on `Output`, `InlineRenderer` and `render` to `html.print` and `html.epub`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..sources.model import (
    Edition,
    Entry,
    Essay,
    Heading,
    Imprint,
    Inline,
    ItemList,
    Mention,
    Paragraph,
    Quotation,
    Span,
    alnum,
    plain,
)

# What an output may do, by name, and what each means. The renderer and the templates ask an
# `Output` for these by name (`"page_numbers" in output`), never which output it is.
CAPABILITIES = {
    "xhtml_lang": "language attributes carry `xml:lang` beside `lang` (XHTML)",
    "name_links": "a name in the running text links to its register entry (else a plain span: its note links there)",
    "break_hints": "a zero-width space before an inline element that follows a space: WeasyPrint 70 sometimes "
    "breaks a line far too early before one otherwise",
    "chapter_files": "each chapter is a file of its own, so a link to the register or to a place names the file",
    "epub_types": "EPUB structural semantics: `epub:type`, each with its DPUB-ARIA role, and the backlinks' role",
    "page_numbers": "the register gives each place's printed page (the output has pages to give)",
    "own_typeface": "the edition's typeface is set (else the reading system's own shows), as the colophon says",
    "carries_sources": "the TEI sources are attached to this very output (else the colophon points to the PDF)",
    "numbers_inline": "a paragraph's number stands in a box at the start of its first line, joined to the first "
    "word by a narrow no-break space, which justification does not stretch (else it hangs in the margin)",
    "correction_links": "each corrected reading links to its row of the corrections table in the note on the text",
}


@dataclass(frozen=True)
class Output:
    """What one output does: its capabilities (see `CAPABILITIES`), and how an editorial note
    is called: "floated" sets the note itself at the call (WeasyPrint floats it to the foot of
    the page); "linked" links a lettered call to the note, set after the essay. `name` is for
    people."""

    name: str
    note_calls: Literal["floated", "linked"]
    capabilities: frozenset[str]

    def __post_init__(self) -> None:
        if unknown := self.capabilities - CAPABILITIES.keys():
            raise ValueError(f"unknown capabilities: {', '.join(sorted(unknown))}")

    def __contains__(self, capability: str) -> bool:
        return capability in self.capabilities

    def lang(self, code: str) -> Markup:
        """Language attributes: `lang`, and `xml:lang` too where the output asks for it."""
        if "xhtml_lang" in self:
            return markup(' lang="{0}" xml:lang="{0}"', code)
        return markup(' lang="{0}"', code)


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


# The editorial notes' call letters: the alphabet without i, l and o, which read as the figures
# 1 and 0 beside an author's superior figure or a year ("1932-33.⁹ˡ" read as 91). print.css's
# `@counter-style editorial` lists the same letters; tests/html/test_render.py holds them to it.
CALL_LETTERS = "abcdefghjkmnpqrstuvwxyz"


def letters(number: int) -> str:
    """1 → a, 23 → z, 24 → aa, 25 → ab: the marks of editorial notes (`CALL_LETTERS`)."""
    prefix, last = divmod(number - 1, len(CALL_LETTERS))
    return (letters(prefix) if prefix else "") + CALL_LETTERS[last]


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


# Before every note call: U+2060 WORD JOINER, so that no line begins with a call, whatever
# stands before it. WeasyPrint 70 asks Pango whether a line may break between two inline boxes
# from the last letter of one and the first of the next, and Pango allows a break between a
# full stop, comma, colon, semicolon, dash, ? or ! and a figure (".2"): Weissman's call 20
# stood alone at the start of a line after "abroad.". A word joiner allows no break on either
# side; it is a format character, which neither the faces nor a reading system draw.
def markup(template: str, *values: object) -> Markup:
    """`template`'s `{}` fields filled with `values`, each escaped unless it is markup already:
    what `Markup(template).format(*values)` gives, without markupsafe's formatter, which is
    written in Python (the print edition's HTML in 34–39 ms rather than 39–61 ms)."""
    return Markup(template.format(*map(escape, values)))


JOINED = Markup("\u2060")

# What an editorial call stands after, as Chicago sets a note's call (14.26): after a full stop,
# comma, colon, semicolon, question or exclamation mark, ellipsis and closing quotation mark,
# never before them; before a dash. A closing quotation mark moves only where it closes (a
# right single quotation mark before a letter is an apostrophe: "Stalin’s").
AFTER_CALL = re.compile(r"(?:[.,;:?!…]|[’”](?![^\W\d_]))+")
# Between an editorial call and an author's figure (a year, an author's superior figure) or
# another call beside it: a narrow no-break space, so that the letter never reads as part of a
# number ("1918ᵉ") or of another letter ("xy"). Between two calls it is marked as such, and the
# e-reader's CSS widens it there, so that their tap targets do not overlap.
APART = Span("apart", [], {})
BETWEEN_CALLS = Span("apart", [], {"between": "calls"})

# The no-break spaces Chicago asks for (6.117, 10.12): between a page or note abbreviation and
# its number ("p. 12", "n. 9", "pp. 13–54"), between a number and "pp." ("345 pp."), and between
# initials and before the surname that follows them ("E. H. Carr"). A line may break elsewhere.
NO_BREAK = [
    (re.compile(r"\b(pp?|nn?|vols?|chs?|no)\. (?=\d)"), "\\1.\u00a0"),
    (re.compile(r"(\d) (pp\.)"), "\\1\u00a0\\2"),
    (re.compile(r"(?<![\w.])([A-Z]\.) (?=[A-Z])"), "\\1\u00a0"),
]


def no_break_spaces(text: str) -> str:
    """`text` with a no-break space where Chicago puts one (`NO_BREAK`)."""
    for pattern, replacement in NO_BREAK:
        text = pattern.sub(replacement, text)
    return text


# Remembered by the text: every part's HTML is made again at each save under `edition watch`
# (and the print edition's and the EPUB's from the same texts in a build), and a save changes
# one or two of its texts.
@functools.lru_cache(maxsize=65536)
def _text(text: str) -> Markup:
    """A run of the sources' text as HTML: escaped, with its no-break spaces."""
    return escape(no_break_spaces(text))


def is_call(part: Inline) -> bool:
    """An editorial note's call, as `placed_calls` sets it apart from the name it follows."""
    return isinstance(part, Span) and part.kind == "call"


def placed_calls(content: list[Inline], notes: Mapping[str, object]) -> list[Inline]:
    """The content with each editorial note's call as a span of its own ("call"): after its
    name, or out of the span it ends (a call ending a title stands after the title), then after
    the punctuation that follows (`AFTER_CALL`), and apart from an author's figure beside it
    (`APART`). Authors' calls stay where the authors put them."""
    out: list[Inline] = []
    for part in content:
        if isinstance(part, str):
            if out and is_call(out[-1]) and (moved := AFTER_CALL.match(part)):
                call = out.pop()
                out += [moved.group(), call]
                part = part[moved.end() :]
            if part:
                out.append(part)
            continue
        if part.kind == "mention" and part.attrs.get("anchor") in notes:
            out += [part, Span("call", [], {"anchor": part.attrs["anchor"]})]
        elif part.kind == "anchor" and part.attrs["id"] in notes:
            out.append(Span("call", [], {"anchor": part.attrs["id"]}))
        elif part.kind == "anchor":
            continue
        else:
            children = placed_calls(part.children, notes)
            if children == part.children:  # the span itself: an author's call is known by its identity
                out.append(part)
                continue
            trailing = []
            while children and is_call(children[-1]) and part.kind not in ("mention", "noteref"):
                trailing.insert(0, children.pop())
            out += [Span(part.kind, children, part.attrs), *trailing]
    return _apart(out)


def _apart(content: list[Inline]) -> list[Inline]:
    """`APART` between an editorial call and a figure or another call beside it."""
    out: list[Inline] = []
    for part in content:
        before = out[-1] if out else ""
        if (is_call(part) and _figure(before, -1)) or (is_call(before) and _figure(part, 0)):
            out.append(BETWEEN_CALLS if _is_target(before) and _is_target(part) else APART)
        out.append(part)
    return out


def _is_target(part: Inline) -> bool:
    """A call, an author's or an editorial one: a link a reader taps."""
    return isinstance(part, Span) and part.kind in ("noteref", "call")


def _figure(part: Inline, end: int) -> bool:
    """Whether `part` is a call (an author's or an editorial one), or its text's first (`end` 0)
    or last (-1) character is a figure."""
    if _is_target(part):
        return True
    text = plain([part])
    return bool(text) and text[end].isdigit()


class InlineRenderer:
    """Renders phrase-level content for one output.

    Each call of an author's note has its own id, numbered from the essay up front
    (`call_numbers`). An editorial note is called where the edition's notes say, as the output's
    `note_calls` asks. `page_marker` and the `block` of a call are where an output that marks the
    print pages (see `html.epub`) puts its marks; here they mark nothing.
    """

    def __init__(self, output: Output, edition: Edition):
        self.output = output
        self.edition = edition
        self.entries = edition.entries
        self.call_numbers = call_numbers(edition.essays)
        # The notes' calls are letters, counted again in each essay; a chapter has no pages to
        # tell two notes of one letter apart, so after z come aa, ab, ….
        self.markers = {
            note.anchor: letters(number)
            for essay in edition.essays
            for number, note in enumerate(edition.notes_of(essay), start=1)
        }

    def __call__(self, content: list[Inline], block: str = "") -> Markup:
        content = self.marked(placed_calls(content, self.edition.notes), block)
        out = []
        for index, part in enumerate(content):
            before = content[index - 1] if index else ""
            if (
                "break_hints" in self.output
                and isinstance(part, Span)
                and isinstance(before, str)
                and before[-1:].isspace()
            ):
                # WeasyPrint 70 sometimes breaks a line far too early before an inline element
                # (a name, a title) that does not fit; a zero-width space where a break is allowed
                # anyway avoids it.
                out.append(Markup("\u200b"))
            out.append(self.render(part))
        return Markup("").join(out)

    def marked(self, content: list[Inline], block: str) -> list[Inline]:
        """The content of block `block` with any marks the output adds to it: none here."""
        return content

    def page_marker(self, block: str) -> Markup:
        """Marks before a block that the templates lay out themselves: none here."""
        return Markup("")

    def call_id(self, note_id: str, number: int = 1) -> str:
        return f"{note_id}-call{number}"

    def render(self, part: Inline) -> Markup:
        if isinstance(part, str):
            return _text(part)
        inner = self(part.children)
        lang = self.output.lang(part.attrs["lang"]) if "lang" in part.attrs else Markup("")
        match part.kind:
            case "title":
                css = "article" if part.attrs["level"] == "a" else "work"
                return markup('<cite class="{}"{}>{}</cite>', css, lang, inner)
            case "foreign":
                return markup("<i{}>{}</i>", lang, inner)
            case "italic":
                return markup("<i>{}</i>", inner)
            case "bold":
                return markup("<b>{}</b>", inner)
            case "emph":
                return markup("<em>{}</em>", inner)
            case "lead-in":
                return markup('<span class="lead-in">{}</span>', inner)
            case "interpolation":
                return markup('<span class="interpolation">{}</span>', inner)
            case "lb":
                return Markup("<br/>")
            case "noteref":
                return self.noteref(part, inner)
            case "ref":
                return markup('<a href="{}">{}</a>', part.attrs["target"], inner)
            case "mention":
                return self.mention(part, inner)
            case "call":
                return self.note_call(part.attrs["anchor"])
            case "correction" if "correction_links" in self.output and "key" in part.attrs and alnum(plain([part])):
                return self.correction(part, inner)
            case "cite":
                return markup('<a class="cite" href="{}">{}</a>', self.work_href(part.attrs["work"]), inner)
            case "citation":
                return markup('<span class="citation">({})</span>', inner)
            case "apart":
                css = "apart between-calls" if part.attrs.get("between") else "apart"
                return markup('<span class="{}">\u202f</span>', css)
            case "pagebreak":
                return self.page_break(part.attrs["label"])
            case _:
                return markup("<span{}>{}</span>", lang, inner)

    def page_break(self, label: str) -> Markup:
        return markup(
            '<span id="page-{0}" class="page-break" epub:type="pagebreak" role="doc-pagebreak" aria-label="{0}">'
            "</span>",
            label,
        )

    def href(self, chapter: str, anchor: str) -> str:
        """A link to `anchor`, which stands in `chapter` (an essay's id, "register", "further-reading")."""
        return f"{chapter}.xhtml#{anchor}" if "chapter_files" in self.output else f"#{anchor}"

    def entry_href(self, entry_id: str) -> str:
        return self.href("register", entry_id)

    def work_href(self, work_id: str) -> str:
        return self.href("further-reading", work_id)

    def place_href(self, mention: Mention) -> str:
        return self.href(mention.essay_id, mention.anchor)

    def mention(self, part: Span, inner: Markup) -> Markup:
        """A name in the text (linked to its entry where the output links names); the call of the
        note it carries follows it (`placed_calls`)."""
        entry = part.attrs["ref"]
        anchor = part.attrs.get("anchor")
        if not anchor:
            return markup('<a class="xref" href="{}">{}</a>', self.entry_href(entry), inner)
        if "name_links" not in self.output:
            # No link hidden in the running text, where a tap on a touch reader is meant to turn a
            # page or look up a word: the name's note links to its register entry instead.
            return markup('<span class="mention" id="{}">{}</span>', anchor, inner)
        return markup('<a class="mention" id="{}" href="{}">{}</a>', anchor, self.entry_href(entry), inner)

    def correction(self, part: Span, inner: Markup) -> Markup:
        """A corrected reading, linked to its row of the corrections table, which gives the
        reading it replaces. (One with no letter or digit, a space put in or a stop, would be a
        link with nothing to see or tap: it is left as it is, and the table lists it.)"""
        row = self.href("note-on-the-text", f"correction-{part.attrs['key']}")
        return markup('<a class="correction" href="{}">{}</a>', row, inner)

    def note_call(self, anchor: str) -> Markup:
        """The editorial note called at `anchor`: "floated", the note itself, which WeasyPrint
        floats to the foot of the page; "linked", a link to it."""
        if anchor not in self.edition.notes:
            return Markup("")
        if self.output.note_calls == "floated":
            note = markup('<span class="footnote" id="note-{}">{}</span>', anchor, self.note_text(anchor))
            return JOINED + note
        return JOINED + markup(
            '<a class="fnref" id="call-{0}" href="#fn-{0}" epub:type="noteref" role="doc-noteref">{1}</a>',
            anchor,
            self.markers[anchor],
        )

    def note_text(self, anchor: str) -> Markup:
        """An editorial note's text: a commentary, or the identification of each entry it names."""
        note = self.edition.notes[anchor]
        if note.commentary:
            return self(note.commentary.content)
        return Markup(" ").join(self.identification(self.entries[entry], linked=True) for entry in note.entries)

    def identification(self, entry: Entry, linked: bool = False) -> Markup:
        """Who or what an entry is: its name in bold (`linked`: a link to its register entry), its
        dates, and the editors' sentence."""
        head = markup('<b class="fn-name">{}</b>', self(entry.head))
        if linked:
            head = markup('<a class="entry-link" href="{}">{}</a>', self.entry_href(entry.id), head)
        if entry.dates:
            head += markup(" ({})", entry.dates)
        return markup("{}, {}", head, self(entry.identification))

    def editorial_notes(self, essay: Essay) -> list[tuple[str, str, Markup]]:
        """The linked notes of an essay, set after its text: (anchor, marker, text) in reading order."""
        return [
            (note.anchor, self.markers[note.anchor], self.note_text(note.anchor))
            for note in self.edition.notes_of(essay)
        ]

    def noteref(self, part: Span, inner: Markup) -> Markup:
        note = part.attrs["note"]
        semantics = Markup(' epub:type="noteref" role="doc-noteref"') if "epub_types" in self.output else Markup("")
        call = self.call_id(note, self.call_numbers.get(id(part), 1))
        return JOINED + markup('<a class="noteref" id="{}" href="#{}"{}>{}</a>', call, note, semantics, inner)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("edition.html", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["paragraph"] = lambda block: isinstance(block, Paragraph)
    env.tests["heading"] = lambda block: isinstance(block, Heading)
    env.tests["quotation"] = lambda block: isinstance(block, Quotation)
    env.tests["item_list"] = lambda block: isinstance(block, ItemList)
    env.globals["essay_label"] = essay_label
    env.globals["places"] = places
    env.globals["upper_first"] = upper_first
    env.filters["no_break"] = no_break_spaces
    return env


ENVIRONMENT = _environment()


def render(
    template: str, output: Output, edition: Edition, imprint: Imprint, inline: InlineRenderer | None = None, **context
) -> str:
    """A template rendered for `output`, with `inline` (a plain renderer of that output if none)."""
    inline = inline or InlineRenderer(output, edition)
    return ENVIRONMENT.get_template(template).render(
        output=output, inline=inline, edition=edition, imprint=imprint, **context
    )
