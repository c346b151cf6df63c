"""A source file as its text: the runs of text between its tags, each with where it stands.

The editor's assistant (`suspects`, `mentions`) reports places as `file:line:col` and changes a
file by inserting markup at exact offsets, leaving every other byte as it was: no parse and
re-serialisation, which would reformat the file. `runs` scans the file's text (comments,
processing instructions and CDATA passed over) and gives each run of text with its offset and the
elements open around it; `line_and_column` turns an offset into a place; `edited` applies
replacements. The files are those `sources` has already parsed and validated, so the scanner
needs to know no more of XML than they use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKUP = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<(?P<close>/?)(?P<name>[\w:.-]+)(?P<attributes>[^>]*?)(?P<empty>/?)>",
    re.DOTALL,
)
ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Element:
    name: str  # without a prefix: the sources use one namespace
    attributes: dict[str, str]
    tag_end: int  # the offset of its start tag's closing ">", before which an attribute may go


@dataclass(frozen=True)
class Run:
    start: int  # the offset of its first character in the file's text
    text: str  # as written (an entity is not decoded)
    within: tuple[Element, ...]  # the open elements, outermost first

    def inside(self, *names: str) -> bool:
        return any(element.name in names for element in self.within)

    def language(self) -> str:
        """The language the innermost open element that gives one (`xml:lang`) gives, or ""."""
        return next((e.attributes["xml:lang"] for e in reversed(self.within) if "xml:lang" in e.attributes), "")


def runs(text: str) -> list[Run]:
    found: list[Run] = []
    open_elements: list[Element] = []
    position = 0
    for markup in MARKUP.finditer(text):
        if markup.start() > position:
            found.append(Run(position, text[position : markup.start()], tuple(open_elements)))
        position = markup.end()
        name = markup.group("name")
        if name is None:
            continue
        name = name.rpartition(":")[2]
        if markup.group("close"):
            if open_elements and open_elements[-1].name == name:
                open_elements.pop()
        elif not markup.group("empty"):
            attributes = {
                key: double or single for key, double, single in ATTRIBUTE.findall(markup.group("attributes"))
            }
            open_elements.append(Element(name, attributes, markup.end() - 1))
    if position < len(text):
        found.append(Run(position, text[position:], tuple(open_elements)))
    return found


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def offset_of(text: str, line: int, column: int) -> int | None:
    """The offset of a 1-based line and column, or None if there is no such place."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines) or not 1 <= column <= len(lines[line - 1]):
        return None
    return sum(len(before) + 1 for before in lines[: line - 1]) + column - 1


def edited(text: str, replacements: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end, new) replacement made; they must not overlap."""
    out, position = [], 0
    for start, end, new in sorted(replacements):
        out += [text[position:start], new]
        position = end
    return "".join([*out, text[position:]])
