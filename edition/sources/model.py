"""The edition in memory: plain dataclasses that `read` fills and every renderer reads.

Nothing here reads files or knows about HTML. The source stage turns validated TEI into these
objects; `html` turns them into markup for the print and e-reader editions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

# What a phrase-level span can be: a closed set, which the renderers match on.
SpanKind = Literal[
    "title",  # a work's title: attrs["level"] ("m", "a", …), attrs["lang"] if any
    "foreign",  # a word of another language: attrs["lang"]
    "italic", "bold", "lead-in", "sup",  # <hi rend="…">
    "emph",
    "q",  # a quotation in the run of the text
    "lb",  # a line break
    "noteref",  # the call of an author's note: attrs["note"] is the note's id
    "interpolation",  # a note in the text, in brackets
    "correction",  # the corrected reading as children, the received one in attrs["sic"]
    "ref",  # a link: attrs["target"]
    "mention",  # a name of a register entry: attrs["ref"]; see `Span`
    "anchor",  # where a commentary note is called: attrs["id"]
    "cite",  # an editorial note's citation of a work of the further reading: attrs["work"] is its id
    "citation",  # works cited in short form, in brackets, “(Viola 1996; Ellman 2002)”: its children are cites
    "pagebreak",  # where a print page begins (the EPUB's page list): attrs["label"]
    "call",  # an editorial note's call, where the renderers set it (`html.shared.placed_calls`): attrs["anchor"]
    "apart",  # the space between an editorial call and a figure beside it (`html.shared.APART`)
]  # fmt: skip
SPAN_KINDS: frozenset[str] = frozenset(get_args(SpanKind))


@dataclass(frozen=True)
class Span:
    """A phrase-level element: what kind it is (`SpanKind`), its attributes, and what it contains.

    A mention names a register entry: attrs["ref"] is its id and attrs["line"] its source line.
    The source stage makes it without an anchor; the register stage (`register.link_mentions`)
    returns the essays again with each mention that resolves made anew with attrs["anchor"], and
    attrs["first"] on an essay's first mention of its entry. Spans are not changed once made.
    """

    kind: SpanKind
    children: list[Inline] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in SPAN_KINDS:
            raise ValueError(f"not a kind of span: {self.kind!r}")


Inline = str | Span


def plain(content: list[Inline]) -> str:
    """The text a reader sees, without markup."""
    return "".join(part if isinstance(part, str) else plain(part.children) for part in content)


def alnum(text: str) -> int:
    """How many letters and digits `text` holds: the measure of a place in a block that the print
    and e-reader editions share (white space, hyphens, paragraph numbers and note markers differ
    between them; letters and digits do not). `pages` counts with it where a print page begins,
    and `html` with the same rule where to mark it."""
    return sum(map(str.isalnum, text))


@dataclass
class Paragraph:
    """One of the author's paragraphs; `number` is the citable ¶ number within the essay. `id` is
    made from the number, for the outputs; `source_id` is the paragraph's own `xml:id` in the
    source, if it has one, which stays with the paragraph from one version to the next (`edition
    diff` follows a citation by it)."""

    id: str
    number: int
    content: list[Inline]
    source_id: str = ""


@dataclass
class Heading:
    id: str
    content: list[Inline]


@dataclass
class Quotation:
    """A quotation set off from the text, with the page reference that follows it, if any."""

    id: str
    paragraphs: list[list[Inline]]
    reference: list[Inline] = field(default_factory=list)


@dataclass
class ItemList(Quotation):
    """A list set off from the text (`ordered`: its items numbered). Its items are its
    `paragraphs`: unnumbered, like a quotation's, and walked the same way by every stage."""

    ordered: bool = False


Block = Paragraph | Heading | Quotation


@dataclass
class FrontMatter:
    """What the original printed before the essay: the reviewed book or an editors' headnote."""

    id: str
    kind: str
    content: list[Inline]


@dataclass
class Note:
    """An author's numbered note, printed after the essay."""

    id: str
    number: int
    content: list[Inline]


@dataclass
class Correction:
    """A change this edition made to the received text, and where it stands."""

    essay_id: str
    where: str
    sic: str
    corr: str
    lang: str = ""  # the language of the phrase it stands in, where not the essay's (a French title)


@dataclass
class Essay:
    id: str
    title: str
    author: str
    date: str
    original: list[Inline]
    front: list[FrontMatter]
    body: list[Block]
    notes: list[Note]
    afterword: list[list[Inline]]
    corrections: list[Correction]
    source: Path
    # The credit line a course reader prints on the text's first page: its first publication
    # (the header's `sourceDesc/bibl`) and the permission it is reproduced by (`availability`).
    credit: list[Inline] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [block for block in self.body if isinstance(block, Paragraph)]


@dataclass
class Mention:
    """One place where an essay names a register entry: its anchor and how a reader finds it."""

    anchor: str
    essay_id: str
    where: str
    first: bool


@dataclass
class Entry:
    """A register entry: a person, organisation, event, term or work the essays name.

    `head` is how a note names it (a work by its title); `identification` says in a sentence who
    or what it is. `related` lists the entries of a work's authors and editors, whose note it
    shares where they are named together. A `register_only` entry gets no footnote.
    """

    id: str
    section: str
    name: str
    sort_key: str
    dates: str
    head: list[Inline]
    citation: list[Inline]
    identification: list[Inline]
    related: list[str] = field(default_factory=list)
    register_only: bool = False
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Commentary:
    """An editors' note on a passage: where an essay errs, where historians disagree, or what
    a passage needs that an identification cannot give. Called at the anchor `anchor`."""

    id: str
    anchor: str
    content: list[Inline]


@dataclass(frozen=True)
class EditorialNote:
    """One editorial footnote as a reader meets it: called at `anchor` (a mention's anchor or a
    commentary anchor) in block `block` of essay `essay_id`. It identifies `entries` (one, or a
    work with its author named beside it) or carries `commentary`."""

    anchor: str
    essay_id: str
    block: str
    entries: tuple[str, ...] = ()
    commentary: Commentary | None = None


@dataclass
class Work:
    """A work of the further reading: one that the editorial notes rely on.

    `citation` is its full reference, as the list prints it; `short`, how a note cites it in
    short form: its authors' surnames (or its editors', or else its title) and its year, "Viola
    1996". `cited_by` names the commentary notes and register entries whose notes cite it.
    """

    id: str
    citation: list[Inline]
    short: list[Inline]
    sort_key: str
    cited_by: tuple[str, ...] = ()


@dataclass
class RegisterSection:
    title: str
    entries: list[Entry]


@dataclass
class Change:
    """One entry of the changelog."""

    version: str
    date: str
    text: str


@dataclass(frozen=True)
class Imprint:
    """What a build stamps on the edition besides its sources: provenance and the course."""

    commit: str = "unknown"
    built: str = ""  # ISO 8601 date and time
    course: str = ""


@dataclass
class Edition:
    """The whole edition, validated, ready for any renderer."""

    slug: str
    title: str
    subtitle: str
    editors: list[str]
    version: str
    date: str
    language: str
    publisher: str
    licence: str
    licence_url: str
    description: str
    keywords: list[str]
    conventions: list[list[Inline]]
    changes: list[Change]
    essays: list[Essay]
    register: list[RegisterSection]
    sources: list[Path]
    notes: dict[str, EditorialNote] = field(default_factory=dict)  # by the anchor that calls each
    # Texts the project holds that the edition does not print (`ptr type="reading"`): a course
    # reader may choose them (`profiles.apply_profile`); the register's places include theirs
    # until a profile narrows the edition to what it prints.
    readings: list[Essay] = field(default_factory=list)
    # The further reading, in the order it is printed: the works the editorial notes cite.
    works: list[Work] = field(default_factory=list)

    @property
    def authors(self) -> list[str]:
        return [essay.author for essay in self.essays]

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def entries(self) -> dict[str, Entry]:
        return {entry.id: entry for section in self.register for entry in section.entries}

    def notes_of(self, essay: Essay) -> list[EditorialNote]:
        """An essay's editorial notes in reading order."""
        return [note for note in self.notes.values() if note.essay_id == essay.id]

    @property
    def corrections(self) -> list[Correction]:
        return [c for essay in self.essays for c in essay.corrections]


@dataclass(frozen=True)
class PageStart:
    """Where a page of the print edition begins: in which block, after how many letters and digits."""

    label: str
    block: str
    offset: int


def roman(number: int) -> str:
    """1 → i, 4 → iv: the front matter's folios (print.css counts them in lower-roman)."""
    numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out, number = out + numeral, number - value
    return out
