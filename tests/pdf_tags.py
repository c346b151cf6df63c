"""The structure tree of a tagged PDF as a screen reader walks it, read once per file for the
session: each element with its tag, attributes and the text of its marked content (pdfplumber
reads each character's MCID), and each link with the destinations of its annotations."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from tests.pdf_text import pdf_chars


@dataclass
class Node:
    """A structure element: its tag (without the slash), the page (from 0) of its first content,
    /ID, /Alt, /ActualText, its attributes (/A, merged), its kids (elements, and the text of
    each piece of marked content) and, for a link, its annotations and their named destinations."""

    tag: str
    page: int | None
    id: str | None = None
    alt: str | None = None
    actual_text: str | None = None
    attributes: dict[str, object] = field(default_factory=dict)
    kids: list[Node | str] = field(default_factory=list)
    annotations: int = 0  # the annotations it holds (a link's)
    destinations: list[str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    def walk(self) -> Iterator[Node]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.walk()

    def text(self, leave_out=lambda node: False) -> str:
        """The text of its content in the tree's order, leaving out the elements `leave_out` names."""
        return "".join(
            kid if isinstance(kid, str) else kid.text(leave_out)
            for kid in self.kids
            if isinstance(kid, str) or not leave_out(kid)
        )

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(frozen=True)
class Tagged:
    root: Node  # the Document element
    id_tree: dict[str, pikepdf.Object]  # the /IDTree: id → element
    xmp: str


@functools.cache
def structure(path: Path) -> Tagged:
    texts: dict[tuple[int, int], str] = defaultdict(str)
    for index, page in enumerate(pdf_chars(path)):
        for char in page.chars:
            if char.get("mcid") is not None:
                texts[index, char["mcid"]] += char["text"]
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        tree = pdf.Root.StructTreeRoot
        root = _node(tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K, None, pages, texts, None)
        ids = dict(pikepdf.NameTree(tree.IDTree).items()) if "/IDTree" in tree else {}
        id_tree = {str(key): value.objgen for key, value in ids.items()}
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    return Tagged(root, id_tree, xmp)


def _node(element, page, pages, texts, parent) -> Node:
    if "/Pg" in element:
        page = pages[element.Pg.objgen]
    attributes: dict[str, object] = {}
    for attribute in _listed(element.get("/A")):
        attributes.update({str(key): value for key, value in attribute.items()})
    node = Node(
        str(element.S)[1:],
        page,
        str(element.ID) if "/ID" in element else None,
        str(element.Alt) if "/Alt" in element else None,
        str(element.ActualText) if "/ActualText" in element else None,
        attributes,
        parent=parent,
    )
    node.objgen = element.objgen  # type: ignore[attr-defined]
    for kid in _listed(element.get("/K")):
        if isinstance(kid, int):
            node.kids.append(texts[page, kid])
        elif kid.get("/Type") == "/MCR":
            node.kids.append(texts[pages[kid.Pg.objgen], int(kid.MCID)])
        elif kid.get("/Type") == "/OBJR":
            annotation = kid.Obj
            node.annotations += 1
            if "/Dest" in annotation:
                node.destinations.append(str(annotation.Dest))
        else:
            node.kids.append(_node(kid, page, pages, texts, node))
    return node


def _listed(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]
