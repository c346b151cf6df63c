"""The Kobo edition: the EPUB's own documents with the span structure Kobo's renderer reads, as a
`.kepub.epub`.

A Kobo renders a sideloaded `.epub` with Adobe's engine, which opens no note in a pop-up; a
`.kepub.epub` goes to Kobo's own renderer, which pops notes up, keeps highlights and reading
position, and reads pages and sentences, from spans of class `koboSpan` with ids
`kobo.<paragraph>.<segment>` around every run of text, a sentence each (kobolabs' epub-spec; as
Standard Ebooks' `se build --kobo` and kepubify make them). Every call of a note also carries
the epub:type `endnote` beside `noteref`, the type Kobo's renderer opens a pop-up for (as
Standard Ebooks does). The navigation document is left as it is: its entries are the reading
system's menus, not text to page through. Hands `kepub` the EPUB's bytes and gets the Kobo
edition's back, written with the EPUB's own fixed zip (`epub.reproducible_zip`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from .epub import EPUB_TYPE, XHTML_NS, reproducible_zip, spine_documents

KOBO_SPAN = "koboSpan"
# A sentence, with what closes it (a full stop, question or exclamation mark, colon or ellipsis,
# and any closing quotation mark or bracket) and the space after it; or the rest of the text.
SENTENCE = re.compile(r"[^.!?:…]*(?:[.!?:…]+[’”\"')\]]*\s*|$)")


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence, every character kept, each piece with its trailing space."""
    return [piece for piece in SENTENCE.findall(text) if piece]


@dataclass
class _Counter:
    """Where the next span stands: a paragraph (any run of text between two elements) and the
    sentence within it, both counted from 1 through the document, so every id is unique."""

    paragraph: int = 1
    segment: int = 0

    def span(self, text: str) -> etree._Element:
        self.segment += 1
        span = etree.Element(f"{{{XHTML_NS}}}span", {"class": KOBO_SPAN, "id": f"kobo.{self.paragraph}.{self.segment}"})
        span.text = text
        return span

    def next_paragraph(self) -> None:
        self.paragraph += 1
        self.segment = 0


def add_kobo_spans(body: etree._Element) -> None:
    """Every run of text under `body` that holds more than white space put in `koboSpan`s."""
    counter = _Counter()

    def spans(text: str | None) -> list[etree._Element]:
        return [counter.span(piece) for piece in sentences(text)] if text and text.strip() else []

    def walk(element: etree._Element) -> None:
        children = list(element)
        runs = spans(element.text)
        if runs:
            element.text = None
            for index, run in enumerate(runs):
                element.insert(index, run)
        for child in children:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                continue
            if child.tag == f"{{{XHTML_NS}}}img":  # an image is a place in the text too, as Kobo's own books mark it
                span = counter.span("")
                span.text, span.tail, child.tail = None, child.tail, None
                child.addprevious(span)
                span.append(child)
                child = span
            else:
                walk(child)
            counter.next_paragraph()
            runs = spans(child.tail)
            if runs:
                child.tail = None
                position = element.index(child) + 1
                for offset, run in enumerate(runs):
                    element.insert(position + offset, run)

    walk(body)


def kobo_document(xhtml: bytes) -> bytes:
    """One content document of the Kobo edition: its text in `koboSpan`s, each note call typed
    `endnote` as well as `noteref`."""
    root = etree.fromstring(xhtml)
    for call in root.iter(f"{{{XHTML_NS}}}a"):
        if call.get(EPUB_TYPE) == "noteref":
            call.set(EPUB_TYPE, "noteref endnote")
    add_kobo_spans(root.find(f"{{{XHTML_NS}}}body"))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def kepub(epub: bytes, when: datetime) -> bytes:
    """The Kobo edition of the EPUB `epub` (its bytes), dated `when` as the EPUB is."""
    return reproducible_zip(epub, when, {name: kobo_document for name in spine_documents(epub, navigation=False)})
