"""A received document written as an essay of the edition: the TEI file `sources` then reads.

`essay_file` takes a `Received` and what the editor said of it (`Metadata`: its title, author and
date, where it was first published and by whose permission it is reproduced) and gives the bytes
of `source/<id>.xml`, encoded as docs/encoding.md describes: the header (title, author, the
publication statement, the source), the front matter (title, byline, date), the body (paragraphs,
block quotations and lists, sections nested by the headings' levels), and the author's notes at
the back. Every text run goes through the typographic rules (`typography`), block by block, and
nothing else is changed; the counts of each rule are handed back for the import's report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date as Date

from lxml import etree

from ..sources.tei import TEI, XML_ID, XML_LANG
from .received import Heading, Received, tei
from .typography import Typographer

PROLOGUE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<?xml-model href="schema/edition.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
)
# The elements that hold only other elements, which the file lays out one to a line; the text of
# every other element is left exactly as it is.
CONTAINERS = {
    f"{{{TEI}}}{tag}"
    for tag in ("TEI", "teiHeader", "fileDesc", "titleStmt", "publicationStmt", "availability", "sourceDesc",
                "text", "front", "docTitle", "byline", "body", "back", "div", "quote", "list")
}  # fmt: skip
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


@dataclass(frozen=True)
class Metadata:
    """What the essay's header and front say of it."""

    essay_id: str
    title: str
    author: str
    date: str  # ISO 8601: a year, a year and month, or a day; or ""
    source: str  # where it was first published, as the credit line gives it; or ""
    rights: str  # by whose permission it is reproduced; or ""
    edition_title: str
    publisher: str
    received_from: str  # the file's name, for the publication statement


def essay_file(received: Received, metadata: Metadata, foreign: dict[str, str]) -> tuple[bytes, Counter, int]:
    """The essay's TEI file, how many of each typographic change it made, and how many words it
    marked with their language: those of `foreign`, the register's terms of another language
    (kolkhoz → ru), wherever the text has them unmarked, as `edition check` asks (E052)."""
    typographer = Typographer()
    metadata = _typeset_metadata(metadata, typographer)
    root = tei("TEI", xml_id=metadata.essay_id, xml_lang="en")
    root.append(_header(metadata))
    text = etree.SubElement(root, tei("text").tag)
    text.append(_front(metadata))
    body = etree.SubElement(text, tei("body").tag)
    _sections(received.blocks, body)
    _name_notes(text, received.notes, metadata.essay_id)
    if received.notes:
        back = etree.SubElement(text, tei("back").tag)
        notes = etree.SubElement(back, tei("div").tag, type="notes")
        etree.SubElement(notes, tei("head").tag).text = "Notes"
        notes.extend(received.notes)
    for block in body.iter(*(tei(tag).tag for tag in ("head", "p", "item"))):
        typographer.start_block()
        _typeset(block, typographer)
    for note in received.notes:
        typographer.start_block()
        _typeset(note, typographer)
    marked = _mark_languages(body, foreign) + sum(_mark_languages(note, foreign) for note in received.notes)
    etree.cleanup_namespaces(root, top_nsmap={None: TEI})
    _indent(root)
    return (PROLOGUE + etree.tostring(root, encoding="unicode") + "\n").encode(), typographer.counts, marked


def _typeset_metadata(metadata: Metadata, typographer: Typographer) -> Metadata:
    """The editor's words for the header and front go through the same rules as the text."""
    typeset = {}
    for name in ("title", "author", "source", "rights"):
        typographer.start_block()
        typeset[name] = typographer(getattr(metadata, name))
    return replace(metadata, **typeset)


def _header(metadata: Metadata) -> etree._Element:
    header = tei("teiHeader")
    description = etree.SubElement(header, tei("fileDesc").tag)
    statement = etree.SubElement(description, tei("titleStmt").tag)
    statement.append(tei("title", metadata.title, type="main"))
    statement.append(tei("author", metadata.author))
    publication = etree.SubElement(description, tei("publicationStmt").tag)
    if metadata.rights:  # TEI's structured statement: who publishes this transcription, on what terms
        publication.append(tei("publisher", metadata.publisher))
        availability = etree.SubElement(publication, tei("availability").tag)
        availability.append(tei("licence", metadata.rights))
    else:
        statement_p = tei("p", "A transcription for the edition ")
        title = etree.SubElement(statement_p, tei("title").tag, level="m")
        title.text = metadata.edition_title
        title.tail = f", imported from {metadata.received_from}."
        publication.append(statement_p)
    source = etree.SubElement(description, tei("sourceDesc").tag)
    source.append(_bibl(metadata))
    return header


def _bibl(metadata: Metadata) -> etree._Element:
    """The first publication, as the editor gave it; else the author and title, which is all
    the document says of itself."""
    if metadata.source:
        return tei("bibl", metadata.source)
    bibl = tei("bibl")
    author = etree.SubElement(bibl, tei("author").tag)
    author.text = metadata.author
    author.tail = ", “"
    title = etree.SubElement(bibl, tei("title").tag, level="a")
    title.text = metadata.title
    title.tail = f"”{', ' + shown_date(metadata.date) if metadata.date else ''}."
    return bibl


def _front(metadata: Metadata) -> etree._Element:
    front = tei("front")
    title = etree.SubElement(front, tei("docTitle").tag)
    title.append(tei("titlePart", metadata.title))
    byline = etree.SubElement(front, tei("byline").tag)
    byline.append(tei("docAuthor", metadata.author))
    if metadata.date:
        front.append(tei("docDate", shown_date(metadata.date), when=metadata.date))
    return front


def shown_date(iso: str) -> str:
    """1988 → "1988"; 1988-05 → "May 1988"; 2001-03-04 → "4 March 2001"."""
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    day = Date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _sections(blocks: list, body: etree._Element) -> None:
    """The blocks in `body`, each heading opening a section (`div type="section"`) that holds
    what follows it up to the next heading of its level or higher."""
    open_sections: list[tuple[int, etree._Element]] = [(0, body)]
    for block in blocks:
        if isinstance(block, Heading):
            while open_sections[-1][0] >= block.level:
                open_sections.pop()
            section = etree.SubElement(open_sections[-1][1], tei("div").tag, type="section")
            section.append(block.head)
            open_sections.append((block.level, section))
        else:
            open_sections[-1][1].append(block)


def _name_notes(text: etree._Element, notes: list[etree._Element], essay_id: str) -> None:
    """Each note's id (`<essay id>-n<number>`, as docs/encoding.md has it) and its call's target."""
    for call in text.iter(tei("ref").tag):
        if call.get("type") == "noteref":
            call.set("target", f"#{essay_id}-n{call.attrib.pop('n')}")
    for note in notes:
        note.set(XML_ID, f"{essay_id}-n{note.get('n')}")


def _typeset(element: etree._Element, typographer: Typographer) -> None:
    """The typographic rules over the element's text runs in reading order; a note call's figure
    and a code block are not prose."""
    if (element.tag == tei("ref").tag and element.get("type") == "noteref") or element.get("rend") == "code":
        return
    element.text = typographer(element.text) if element.text else element.text
    for child in element:
        _typeset(child, typographer)
        child.tail = typographer(child.tail) if child.tail else child.tail


def _indent(element: etree._Element, depth: int = 0) -> None:
    """Each child of a container on a line of its own, indented two spaces a level."""
    if element.tag not in CONTAINERS or not len(element):
        return
    element.text = "\n" + "  " * (depth + 1)
    for child in element:
        _indent(child, depth + 1)
        child.tail = "\n" + "  " * (depth + 1)
    element[-1].tail = "\n" + "  " * depth


def _mark_languages(element: etree._Element, foreign: dict[str, str]) -> int:
    """Each whole word of `foreign` in the element's text, outside any element that gives a
    language, wrapped in `<foreign xml:lang="…">`; how many were."""
    if not foreign or element.get(XML_LANG):
        return 0
    pattern = re.compile(r"\b(" + "|".join(re.escape(term) for term in sorted(foreign, key=len, reverse=True)) + r")\b")
    marked = 0
    for child in list(element):
        marked += _mark_languages(child, foreign)
        marked += _wrap(child.tail or "", pattern, foreign, element, element.index(child) + 1, as_tail_of=child)
    return marked + _wrap(element.text or "", pattern, foreign, element, 0, as_tail_of=None)


def _wrap(text: str, pattern: re.Pattern, foreign: dict[str, str], parent, index: int, as_tail_of) -> int:
    """The matches in `text` (the parent's text, or a child's tail) as `foreign` elements placed
    from `index` on in `parent`."""
    matches = list(pattern.finditer(text))
    if not matches:
        return 0
    before = text[: matches[0].start()]
    if as_tail_of is None:
        parent.text = before
    else:
        as_tail_of.tail = before
    for number, match in enumerate(matches):
        word = tei("foreign", match.group(), xml_lang=foreign[match.group()])
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        word.tail = text[match.end() : end]
        parent.insert(index + number, word)
    return len(matches)
