"""The register: read the stand-off entries and tie every mention in the essays to its entry.

`read_register` turns `source/register.xml` into sections of entries (persons; organisations and
events; terms; works). `link_mentions` gives every mention in the essays an anchor, marks the
first mention of each entry in each essay (it carries the editorial note), records every place
on its entry, and reports a mention of nothing or an entry nothing mentions. Called by `source`;
hands on `RegisterSection`s.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from lxml import etree

from .errors import Diagnostic
from .model import (
    Block,
    Entry,
    Essay,
    Heading,
    Inline,
    Mention,
    Paragraph,
    Quotation,
    RegisterSection,
    Span,
    plain,
)
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


def read_register(tree: etree._ElementTree, inline) -> tuple[list[RegisterSection], dict[str, int]]:
    """The register's sections, entries sorted for a reader, and each entry's source line.

    `inline` is the source stage's phrase-level reader, so notes are read as the essays are.
    """
    stand_off = tree.getroot().find("tei:standOff", NS)
    sections = []
    lines = {}
    for title, kinds in SECTIONS:
        entries = []
        for path, name_path in kinds:
            for element in stand_off.iterfind(path, NS):
                entries.append(_entry(element, name_path, title, inline))
                lines[entries[-1].id] = element.sourceline
        sections.append(RegisterSection(title, sorted(entries, key=lambda e: e.sort_key)))
    return [section for section in sections if section.entries], lines


def _entry(element: etree._Element, name_path: str, section: str, inline) -> Entry:
    note = element.find("tei:note", NS)
    citation: list[Inline] = []
    related: list[str] = []
    work = etree.QName(element).localname == "bibl"
    if work:
        bare = copy.deepcopy(element)
        bare.remove(bare.find("tei:note", NS))
        citation = inline(bare)
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
        identification=inline(note),
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
) -> list[Diagnostic]:
    """Anchor every mention, record it on its entry, and report broken references both ways.

    `shown` maps an essay id (and "register") to the path shown in messages.
    """
    entries = {entry.id: entry for section in sections for entry in section.entries}
    problems = []
    for essay in essays:
        seen: set[str] = set()
        for block, where, content in labelled_content(essay):
            for count, span in enumerate(_mentions(content), start=1):
                ref = span.attrs["ref"]
                line = int(span.attrs.get("line", 0))
                if ref not in entries:
                    problems.append(
                        Diagnostic(shown[essay.id], line, 0, "E030", f"mention points at no register entry: #{ref}")
                    )
                    continue
                # Numbered within its block, so an edit elsewhere changes no anchor here.
                anchor = f"{block}-m{count}"
                span.attrs["anchor"] = anchor
                first = ref not in seen
                if first:
                    span.attrs["first"] = "1"
                    seen.add(ref)
                entries[ref].mentions.append(Mention(anchor, essay.id, where, first))
    for entry in entries.values():
        if not entry.mentions:
            problems.append(
                Diagnostic(
                    shown["register"], lines[entry.id], 0, "E031", f"register entry {entry.id} is mentioned nowhere"
                )
            )
    return problems


def labelled_content(essay: Essay) -> Iterator[tuple[str, str, list[Inline]]]:
    """Every piece of an essay's text in reading order: the id of the element the outputs set it
    in, the place a reader cites it by, and its content."""
    labels = {"reviewed": "head", "headnote": "headnote"}
    for item in essay.front:
        yield item.id, labels.get(item.kind, item.kind), item.content
    last = "¶1"
    for block in essay.body:
        yield from _labelled_block(block, last)
        if isinstance(block, Paragraph):
            last = f"¶{block.number}"
    for note in essay.notes:
        yield note.id, f"n. {note.number}", note.content
    for number, paragraph in enumerate(essay.afterword, start=1):
        yield f"{essay.id}-bio{number}", "author’s note", paragraph


def _labelled_block(block: Block, last: str) -> Iterator[tuple[str, str, list[Inline]]]:
    if isinstance(block, Paragraph):
        yield block.id, f"¶{block.number}", block.content
    elif isinstance(block, Heading):
        yield block.id, "heading", block.content
    elif isinstance(block, Quotation):
        for number, paragraph in enumerate(block.paragraphs, start=1):
            yield f"{block.id}-{number}", last, paragraph
        yield f"{block.id}-ref", last, block.reference


def _mentions(content: list[Inline]) -> Iterator[Span]:
    for part in content:
        if isinstance(part, Span):
            if part.kind == "mention":
                yield part
            yield from _mentions(part.children)
