"""The register: read the stand-off entries and tie every mention in the essays to its entry.

`read_register` turns `source/register.xml` into sections of entries (persons; organisations and
events; terms; works). `link_mentions` takes the essays as `read` read them and returns them
again, each mention that resolves made anew with its anchor, and the essay's first mention of
each entry marked (it carries the editorial note); with the entries again, each with every place
that mentions it; and a problem for a mention of nothing or an entry nothing mentions. Nothing it
is given is changed. Called by `read`; hands on `Essay`s and `RegisterSection`s.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator

from lxml import etree

from ..errors import Diagnostic
from .model import (
    Entry,
    Essay,
    FrontMatter,
    Heading,
    Inline,
    Mention,
    Note,
    Paragraph,
    Quotation,
    RegisterSection,
    Span,
    plain,
)
from .phrase import editors_inline
from .tei import NS, XML_ID, XML_LANG

# Section title, then the entries it gathers, with the element that holds each entry's name.
SECTIONS = [
    ("Persons", [("tei:listPerson/tei:person", "tei:persName")]),
    (
        "Organisations and events",
        [("tei:listOrg/tei:org", "tei:orgName"), ("tei:listEvent/tei:event", "tei:label")],
    ),
    ("Terms", [("tei:list[@type='terms']/tei:item", "tei:term")]),
    ("Works", [("tei:listBibl/tei:bibl", ".//tei:title")]),
]


def read_register(tree: etree._ElementTree) -> tuple[list[RegisterSection], dict[str, int]]:
    """The register's sections, entries sorted for a reader (no mentions yet), and each entry's
    source line. Notes are read as the essays are (`phrase`)."""
    stand_off = tree.getroot().find("tei:standOff", NS)
    sections = []
    lines = {}
    for title, kinds in SECTIONS:
        entries = []
        for path, name_path in kinds:
            for element in stand_off.iterfind(path, NS):
                entries.append(_entry(element, name_path, title))
                lines[entries[-1].id] = element.sourceline
        sections.append(RegisterSection(title, sorted(entries, key=lambda e: e.sort_key)))
    return [section for section in sections if section.entries], lines


def _entry(element: etree._Element, name_path: str, section: str) -> Entry:
    note = element.find("tei:note", NS)
    citation: list[Inline] = []
    related: list[str] = []
    work = etree.QName(element).localname == "bibl"
    if work:
        bare = copy.deepcopy(element)
        bare.remove(bare.find("tei:note", NS))
        citation = editors_inline(bare)
        # Who wrote or edited the work (not who translated it): named beside it, they share its note.
        related = [
            person.get("ref").removeprefix("#")
            for person in element.xpath("tei:author[@ref] | tei:editor[@ref]", namespaces=NS)
            if person.get("role") != "translator"
        ]
    # A work without a title (an untitled manuscript) is named by its citation.
    named = element.find(name_path, NS)
    name = " ".join("".join(named.itertext() if named is not None else plain(citation)).split())
    head: list[Inline] = [name]
    if work and named is not None:
        title = {"level": named.get("level", "m")} | ({"lang": named.get(XML_LANG)} if named.get(XML_LANG) else {})
        head = [Span("title", [name], title)]
    elif named is not None and named.get(XML_LANG):  # a term of another language, set as the text sets it
        head = [Span("foreign", [name], {"lang": named.get(XML_LANG)})]
    person = section == "Persons"
    sort_name = name.split()[-1] + " " + name if person else name.removeprefix("The ")
    return Entry(
        id=element.get(XML_ID),
        section=section,
        name=name,
        sort_key=sort_name.casefold(),
        dates=_dates(element),
        head=head,
        citation=citation,
        identification=editors_inline(note),
        related=related,
        register_only=element.get("rend") == "register-only",
    )


def _dates(element: etree._Element) -> str:
    """Dates as a reader expects them: 1890–1947, b. 1898, 1919–1920, from 1929."""

    def year(value: str | None) -> str:
        return value[:4] if value else ""

    birth = element.find("tei:birth", NS)
    death = element.find("tei:death", NS)
    if birth is not None or death is not None:
        born = year(birth.get("when")) if birth is not None else ""
        died = year(death.get("when")) if death is not None else ""
        if born and died:
            return f"{born}–{died}"
        return f"b. {born}" if born else f"d. {died}"
    when, start, end = (year(element.get(name)) for name in ("when", "from", "to"))
    if when:
        return when
    if start and end:
        return start if start == end else f"{start}–{end}"
    return f"from {start}" if start else ""


def link_mentions(
    essays: list[Essay], sections: list[RegisterSection], shown: dict[str, str], lines: dict[str, int]
) -> tuple[list[Essay], list[RegisterSection], list[Diagnostic]]:
    """The essays with every mention anchored, the sections with every entry's mentions, and the
    broken references both ways; what it is given is left as it was.

    `shown` maps an essay id (and "register") to the path shown in messages.
    """
    entries = {entry.id: entry for section in sections for entry in section.entries}
    mentions: dict[str, list[Mention]] = {entry_id: [] for entry_id in entries}
    problems: list[Diagnostic] = []
    linked = [_anchored(essay, mentions, shown[essay.id], problems) for essay in essays]
    for entry_id, found in mentions.items():
        if not found:
            message = f"register entry {entry_id} is mentioned nowhere"
            problems.append(Diagnostic(shown["register"], lines[entry_id], 0, "E031", message))
    sections = [
        RegisterSection(
            section.title, [dataclasses.replace(entry, mentions=mentions[entry.id]) for entry in section.entries]
        )
        for section in sections
    ]
    return linked, sections, problems


def _anchored(essay: Essay, mentions: dict[str, list[Mention]], shown: str, problems: list[Diagnostic]) -> Essay:
    """The essay with each mention of an entry in `mentions` made anew with its anchor (and
    "first" on the essay's first mention of the entry), recorded in `mentions`; a mention of
    nothing is a problem."""
    seen: set[str] = set()

    def anchored(block: str, where: str, content: list[Inline]) -> list[Inline]:
        count = 0

        def anchor(part: Inline) -> Inline:
            nonlocal count
            if isinstance(part, str):
                return part
            attrs = part.attrs
            if part.kind == "mention":
                count += 1  # numbered within its block, so an edit elsewhere changes no anchor here
                ref = attrs["ref"]
                if ref not in mentions:
                    message = f"mention points at no register entry: #{ref}"
                    problems.append(Diagnostic(shown, int(attrs.get("line", 0)), 0, "E030", message))
                else:
                    first = ref not in seen
                    seen.add(ref)
                    attrs = {**attrs, "anchor": f"{block}-m{count}"} | ({"first": "1"} if first else {})
                    mentions[ref].append(Mention(attrs["anchor"], essay.id, where, first))
            return Span(part.kind, [anchor(child) for child in part.children], attrs)

        return [anchor(part) for part in content]

    return map_content(essay, anchored)


Change = Callable[[str, str, list[Inline]], list[Inline]]


def map_content(essay: Essay, change: Change) -> Essay:
    """A new essay whose every piece of text is `change(block, where, content)`, called in
    reading order: the id of the element the outputs set it in, the place a reader cites it by,
    and its content."""
    labels = {"reviewed": "head", "headnote": "headnote"}
    front = [
        FrontMatter(item.id, item.kind, change(item.id, labels.get(item.kind, item.kind), item.content))
        for item in essay.front
    ]
    body = []
    last = "¶1"
    for block in essay.body:
        if isinstance(block, Paragraph):
            body.append(dataclasses.replace(block, content=change(block.id, f"¶{block.number}", block.content)))
            last = f"¶{block.number}"
        elif isinstance(block, Heading):
            body.append(Heading(block.id, change(block.id, "heading", block.content)))
        elif isinstance(block, Quotation):
            paragraphs = [
                change(f"{block.id}-{number}", last, paragraph)
                for number, paragraph in enumerate(block.paragraphs, start=1)
            ]
            reference = change(f"{block.id}-ref", last, block.reference)
            body.append(dataclasses.replace(block, paragraphs=paragraphs, reference=reference))  # a list stays one
    # As the page sets them: the author's biographical note, then the author's notes.
    afterword = [
        change(f"{essay.id}-bio{number}", "author’s note", paragraph)
        for number, paragraph in enumerate(essay.afterword, start=1)
    ]
    notes = [Note(note.id, note.number, change(note.id, f"n. {note.number}", note.content)) for note in essay.notes]
    return dataclasses.replace(essay, front=front, body=body, notes=notes, afterword=afterword)


def labelled_content(essay: Essay) -> Iterator[tuple[str, str, list[Inline]]]:
    """Every piece of an essay's text in reading order: the id of the element the outputs set it
    in, the place a reader cites it by, and its content (as `map_content` walks it)."""
    pieces: list[tuple[str, str, list[Inline]]] = []

    def collect(block: str, where: str, content: list[Inline]) -> list[Inline]:
        pieces.append((block, where, content))
        return content

    map_content(essay, collect)
    return iter(pieces)
