"""DOCX, ODT, Markdown and HTML, read through Pandoc's document model.

Pandoc (the binary that the `pypandoc-binary` wheel ships, pinned in the locks) reads the
document into its JSON AST; `read_document` turns that into a `Received`: paragraphs, headings,
block quotations, lists, italic and bold, superscripts, links to web addresses, a language marked
on a span (`foreign`), line breaks, and footnotes and endnotes as the author's notes, called where
the document calls them. Pandoc runs with `--sandbox` (it reads nothing but the bytes it is given
and fetches nothing: a remote image in an HTML file stays remote, and is left out), with its own
typographic conversion ("smart") off, so that `typography` alone decides, and with raw HTML and
TeX off, so that a script or an unknown tag is never carried into the text.

What the edition's encoding has no place for (images, tables, code, raw markup, a horizontal
rule, a link to something that is not a web address) is left out or kept as plain text, and
named in `Received.left_out`.

Where Pandoc is, inside the `pypandoc` package, is the one thing here that depends on a
library's internals: `pandoc_binary`, with its test in tests/ingest/test_pandoc.py.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from lxml import etree

from ..errors import EditionError
from .received import Heading, Received, append_text, end_note, note_call, tei

# The formats Pandoc reads for us, by the file's suffix, with the extensions each is read with.
FORMATS = {
    ".docx": "docx",
    ".odt": "odt",
    ".md": "markdown-smart-raw_html-raw_tex-raw_attribute",
    ".markdown": "markdown-smart-raw_html-raw_tex-raw_attribute",
    ".html": "html-raw_html",
    ".htm": "html-raw_html",
    ".xhtml": "html-raw_html",
}
TIMEOUT = 120  # seconds: a 50,000-word document takes about one
WEB_ADDRESS = ("http://", "https://", "mailto:")


def pandoc_binary() -> Path:
    """The Pandoc that `pypandoc-binary` ships (in `pypandoc/files/`, as its own code finds it)."""
    try:
        import pypandoc
    except ImportError:
        raise EditionError(
            "Pandoc is missing: install the package pypandoc-binary (it is in requirements.lock)"
        ) from None
    binary = Path(pypandoc.__file__).parent / "files" / "pandoc"
    if not os.access(binary, os.X_OK):
        raise EditionError(f"Pandoc is missing: {binary} is not there; reinstall the package pypandoc-binary")
    return binary


def read_document(data: bytes, suffix: str, shown: str) -> Received:
    """The document `data` (a file of the format its `suffix` names), as a `Received`; `shown`
    names it in messages."""
    command = [str(pandoc_binary()), "--sandbox", "--from", FORMATS[suffix], "--to", "json"]
    try:
        ran = subprocess.run(command, input=data, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise EditionError(f"{shown}: Pandoc did not finish reading it in {TIMEOUT} s") from None
    if ran.returncode != 0:
        reason = ran.stderr.decode("utf-8", "replace").strip().splitlines()
        raise EditionError(
            f"{shown}: cannot be read as {suffix[1:].upper()}: {reason[0] if reason else 'Pandoc failed'}"
        )
    return _Reader().document(json.loads(ran.stdout))


class _Reader:
    """One document's AST to TEI; it keeps the notes found so far and what was left out."""

    def __init__(self) -> None:
        self.notes: list[etree._Element] = []
        self.left_out: list[str] = []

    def document(self, document: dict) -> Received:
        meta = document.get("meta", {})
        received = Received(
            title=_meta_text(meta.get("title")),
            author=_meta_text(meta.get("author")),
            date=_meta_text(meta.get("date") or meta.get("dcterms.date")),  # HTML has it as dcterms.date
        )
        received.blocks = self.blocks(document.get("blocks", []))
        if (
            received.blocks
            and isinstance(received.blocks[0], Heading)
            and received.title
            and "".join(received.blocks[0].head.itertext()).strip() == received.title
        ):
            received.blocks.pop(0)  # the document's title, printed again as its first heading
        received.notes = self.notes
        received.left_out = self.left_out
        return received

    def blocks(self, blocks: list[dict]) -> list:
        out: list = []
        for block in blocks:
            kind, content = block["t"], block.get("c")
            if kind in ("Para", "Plain"):
                out.append(self.inlines(content, tei("p")))
            elif kind == "LineBlock":
                paragraph = tei("p")
                for number, line in enumerate(content):
                    if number:
                        paragraph.append(tei("lb"))
                    self.inlines(line, paragraph)
                out.append(paragraph)
            elif kind == "Header":
                level, _, inlines = content
                out.append(Heading(level, self.inlines(inlines, tei("head"))))
            elif kind == "BlockQuote":
                quote = tei("quote")
                for inner in self.blocks(content):
                    quote.extend(self.as_paragraphs(inner))
                if len(quote):
                    out.append(quote)
            elif kind in ("BulletList", "OrderedList"):
                items = content if kind == "BulletList" else content[1]
                listing = tei("list", type="bulleted" if kind == "BulletList" else "ordered")
                for item in items:
                    listing.append(self.joined(item, tei("item")))
                out.append(listing)
            elif kind == "DefinitionList":
                for term, definitions in content:
                    out.append(self.inlines(term, tei("p")))
                    out += [self.joined(definition, tei("p")) for definition in definitions]
            elif kind == "Div":
                out += self.blocks(content[1])
            elif kind == "Figure":
                caption = content[1][1]
                self.left_out.append(
                    "a figure (its image left out" + (", its caption kept as a paragraph)" if caption else ")")
                )
                out += self.blocks(caption)
            elif kind == "CodeBlock":
                self.left_out.append("a code block, kept as a paragraph with its lines, untouched by the typography")
                code = tei("p", rend="code")  # `essay` sets no typography in it
                for number, line in enumerate(content[1].split("\n")):
                    if number:
                        code.append(tei("lb"))
                    append_text(code, ("\n" if number else "") + line)
                out.append(code)
            else:  # Table, RawBlock, HorizontalRule: no place in an essay
                self.left_out.append(f"a {_named(kind)}")
        return out

    def as_paragraphs(self, block) -> list[etree._Element]:
        """A block inside a quotation, as the quotation's paragraphs (a quotation holds only those)."""
        if isinstance(block, Heading):
            paragraph = tei("p")
            paragraph.append(block.head)
            return [_unwrapped(block.head, paragraph)]
        if block.tag == tei("p").tag:
            return [block]
        if block.tag == tei("quote").tag:
            return list(block)
        return [_unwrapped(item, tei("p")) for item in block]  # a list's items

    def joined(self, blocks: list[dict], into: etree._Element) -> etree._Element:
        """Several blocks as the phrase-level content of one element, with a line break between."""
        for number, block in enumerate(self.blocks(blocks)):
            if number:
                into.append(tei("lb"))
            for paragraph in self.as_paragraphs(block):
                _unwrapped(paragraph, into)
        return into

    def inlines(self, inlines: list[dict], into: etree._Element) -> etree._Element:
        for inline in inlines:
            kind, content = inline["t"], inline.get("c")
            if kind == "Str":
                append_text(into, content)
            elif kind in ("Space", "SoftBreak"):
                append_text(into, " ")
            elif kind == "LineBreak":
                into.append(tei("lb"))
                append_text(into, "\n")
            elif kind in ("Emph", "Strong", "Superscript"):
                rend = {"Emph": "italic", "Strong": "bold", "Superscript": "sup"}[kind]
                into.append(self.inlines(content, tei("hi", rend=rend)))
            elif kind == "Quoted":
                marks = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
                append_text(into, marks[0])
                self.inlines(content[1], into)
                append_text(into, marks[1])
            elif kind == "Span":
                language = dict(content[0][2]).get("lang")
                if language:
                    into.append(self.inlines(content[1], tei("foreign", xml_lang=language)))
                else:
                    self.inlines(content[1], into)
            elif kind == "Link":
                target = content[2][0]
                if target.lower().startswith(WEB_ADDRESS):
                    into.append(self.inlines(content[1], tei("ref", target=target)))
                else:
                    self.left_out.append(f"a link to {target!r} (not a web address): its text kept")
                    self.inlines(content[1], into)
            elif kind == "Note":
                self.note(content, into)
            elif kind == "Code" or kind == "Math":
                append_text(into, content[1])
            elif kind == "Image":
                self.left_out.append(f"an image ({content[2][0] or 'no source'})")
            elif kind == "RawInline":
                self.left_out.append(f"raw {content[0]} markup")
            else:  # Subscript, Strikeout, Underline, SmallCaps, Cite: their text, without the form
                self.inlines(content[-1] if isinstance(content[-1], list) else content, into)
        return into

    def note(self, blocks: list[dict], into: etree._Element) -> None:
        """A footnote or endnote: the author's note of the next number, called here."""
        number = len(self.notes) + 1
        into.append(note_call(number))
        note = end_note(number)
        self.notes.append(note)
        self.joined(blocks, note)


def _unwrapped(source: etree._Element, into: etree._Element) -> etree._Element:
    """`source`'s content moved to the end of `into`."""
    append_text(into, source.text or "")
    for child in list(source):
        into.append(child)
    return into


def _meta_text(value: dict | None) -> str:
    """A metadata field as plain text (a list of authors joined with "and")."""
    if not value:
        return ""
    kind, content = value["t"], value.get("c")
    if kind == "MetaString":
        return content
    if kind == "MetaList":
        return " and ".join(filter(None, (_meta_text(item) for item in content)))
    if kind in ("MetaInlines", "MetaBlocks"):
        element = tei("p")
        reader = _Reader()
        if kind == "MetaInlines":
            reader.inlines(content, element)
        else:
            for block in reader.blocks(content):
                if not isinstance(block, Heading):
                    _unwrapped(block, element)
        return " ".join("".join(element.itertext()).split())
    return ""


def _named(kind: str) -> str:
    return {"RawBlock": "block of raw markup", "HorizontalRule": "horizontal rule", "Table": "table"}.get(kind, kind)
