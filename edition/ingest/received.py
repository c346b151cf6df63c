"""A document as a reader takes it in: its metadata, its blocks as TEI, its notes.

Both readers (`pandoc` for DOCX, ODT, Markdown and HTML; `plaintext` for a scanned text) hand on
a `Received`: the title, author and date the document itself gives (if any), its blocks as TEI
elements in reading order (`p`, `quote`, `list`) with its headings as `Heading`s (their level
decides the sections `essay` nests them in), the author's notes as TEI `note`s numbered in the
order they are called (`essay` gives them, and their calls, the essay's ids), and a line for
everything the reader could not place. `essay` writes the whole as an essay of the edition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ..sources.tei import TEI


@dataclass
class Heading:
    """A heading of the document, at its level (1 the highest)."""

    level: int
    head: etree._Element


Block = etree._Element | Heading


@dataclass
class Received:
    title: str = ""  # as the document's metadata give them, or ""
    author: str = ""
    date: str = ""
    blocks: list[Block] = field(default_factory=list)
    notes: list[etree._Element] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def tei(tag: str, text: str = "", **attributes: str) -> etree._Element:
    """A TEI element (`xml_id`, `xml_lang` for the XML attributes)."""
    element = etree.Element(f"{{{TEI}}}{tag}", nsmap={None: TEI})
    for name, value in attributes.items():
        element.set(f"{{http://www.w3.org/XML/1998/namespace}}{name[4:]}" if name.startswith("xml_") else name, value)
    element.text = text or None
    return element


def note_call(number: int) -> etree._Element:
    """The call of the author's note `number`; `essay.essay_file` points it at the note."""
    return tei("ref", str(number), type="noteref", n=str(number))


def end_note(number: int) -> etree._Element:
    """The author's note `number`, empty, to be filled by the reader; `essay.essay_file` gives it
    its id."""
    return tei("note", n=str(number), place="end")


def append_text(element: etree._Element, text: str) -> None:
    """Add text at the end of `element`'s content (after its last child, if any)."""
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text
