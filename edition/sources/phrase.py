"""Read TEI phrase-level content (what a paragraph, a note or a heading holds) into `Inline`s.

Used by `read` for the essays, and by `register` and `apparatus` for the editors' own text
(`editors_inline`). Reads parsed, validated elements; knows nothing of files.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from .model import Inline, Span
from .tei import NS, XML_ID, XML_LANG

# Told of a correction (the reading replaced and the correction, each with the word before and
# after it, and the language it stands in where not its text's); gives back its key,
# "<essay>-<n>" for the essay's n-th correction (the row of the corrections table), or None where
# none are kept.
Record = Callable[[str, str, str], str | None]

# XML white space only: a no-break space in the text is a character of the text.
XML_SPACE = re.compile(r"[ \t\r\n]+")


def element_text(element: etree._Element | None) -> str:
    """The plain text of an element (of none, ""), its XML white space normalised."""
    if element is None:
        return ""
    return XML_SPACE.sub(" ", "".join(element.itertext())).strip()


def editors_inline(element: etree._Element) -> list[Inline]:
    """The editors' own text (register, commentary): read as the essays are, with no corrections."""
    return read_inline(element, _ignore)


def _ignore(sic: str, corr: str, lang: str) -> None:
    """Corrections are recorded for the essays only; the editors' own text has none."""


# Elements whose markup the renderers do not need: their text flows on.
TRANSPARENT = {
    "date",
    "bibl",
    "author",
    "editor",
    "publisher",
    "pubPlace",
    "biblScope",
    "idno",
    "persName",
    "orgName",
    "name",
    "term",
    "edition",
    "extent",
    "relatedItem",
    "p",  # in a note: the register of 0.1.0 wrote each identification as a paragraph (`edition diff` reads it)
}
# Elements that, with a @ref, mention a register entry.
MENTIONS = {"persName", "orgName", "name", "term", "title"}


def read_inline(element: etree._Element, record: Record) -> list[Inline]:
    """The phrase-level content of an element, with XML white space normalised; `record(sic,
    corr, lang)` is told of each correction, with the word before and after it, and the language
    it stands in where that is not its text's ("" where it is); it gives back the correction's
    key (`Record`), if it keeps them."""
    content = _children(element, record)
    return _trim(content)


def _children(element: etree._Element, record: Record) -> list[Inline]:
    content: list[Inline] = []
    if element.text:
        content.append(XML_SPACE.sub(" ", element.text))
    for child in element:
        content.extend(_span(child, record))
        if child.tail:
            content.append(XML_SPACE.sub(" ", child.tail))
    return content


def _span(element: etree._Element, record: Record) -> list[Inline]:
    tag = etree.QName(element).localname
    attrs = {}
    if element.get(XML_LANG):
        attrs["lang"] = element.get(XML_LANG)
    if element.get("ref") and tag in MENTIONS:
        content = _children(element, record)
        if tag == "title":
            content = [Span("title", content, {**attrs, "level": element.get("level", "m")})]
        return [
            Span("mention", content, {"ref": element.get("ref").removeprefix("#"), "line": str(element.sourceline)})
        ]
    if tag in TRANSPARENT:
        return _children(element, record)
    if tag == "choice":
        sic = _reading(element.find("tei:sic", NS))
        corr_element = element.find("tei:corr", NS)
        corr = _reading(corr_element)
        before, after = _context(element)
        key = record(before + sic + after, before + corr + after, _language(element))
        attrs = {"sic": sic, **({"key": key} if key else {})}
        return [Span("correction", _children(corr_element, record), attrs)]
    if tag == "hi":
        return [Span(element.get("rend"), _children(element, record), attrs)]
    if tag == "title":
        attrs["level"] = element.get("level", "m")
        return [Span("title", _children(element, record), attrs)]
    if tag == "note":
        return [Span("interpolation", _children(element, record), attrs)]
    if tag == "ref":
        target = element.get("target", "")
        if element.get("type") == "noteref":
            return [Span("noteref", _children(element, record), {"note": target.removeprefix("#")})]
        return [Span("ref", _children(element, record), {"target": target})]
    if tag == "ptr":  # an editors' note citing a work in short form (see `bibliography.cite`)
        return [Span("citation", [Span("cite", [], {"work": element.get("target", "").removeprefix("#")})])]
    if tag == "anchor":
        return [Span("anchor", [], {"id": element.get(XML_ID), "line": str(element.sourceline)})]
    return [Span(tag, _children(element, record), attrs)]  # title, foreign, emph, q, lb: a kind of the same name


def _reading(element: etree._Element) -> str:
    """A correction's text as the note on the text shows it: a note call as "(n)", as received."""
    text = element.text or ""
    for child in element:
        inner = _reading(child)
        text += f"({inner})" if child.get("type") == "noteref" else inner
        text += child.tail or ""
    return text


def _language(element: etree._Element) -> str:
    """The language an element of an essay stands in, where it is not the essay's own: that of
    its nearest ancestor marked with one below the root; "" if none is."""
    marked = element.xpath("ancestor::*[@xml:lang][1]")
    return "" if not marked or marked[0].getparent() is None else marked[0].get(XML_LANG)


def _context(element: etree._Element) -> tuple[str, str]:
    """The word before and after a correction, so a change of a space or a stop can be read."""
    previous = element.getprevious()
    before = (previous.tail if previous is not None else element.getparent().text) or ""
    words_before = re.findall(r"\S+$", XML_SPACE.sub(" ", before))
    words_after = re.findall(r"^\S+", XML_SPACE.sub(" ", element.tail or ""))
    return (words_before[0] if words_before else ""), (words_after[0] if words_after else "")


def _trim(content: list[Inline]) -> list[Inline]:
    """Drop the white space that indentation leaves at the start and end of a block."""
    if content and isinstance(content[0], str):
        content[0] = content[0].lstrip()
    if content and isinstance(content[-1], str):
        content[-1] = content[-1].rstrip()
    return [part for part in content if part != ""]
