"""A larger edition for the scale benchmark: the project with every essay there `factor` times.

A build reads `source/` (the edition file, the essays, the register, the schema) and `styles/`
(style sheets and fonts); the code and its templates come from the installed `edition` package.
So the corpus is a copy of those two folders in which each essay file gets `factor - 1` copies,
each a valid essay of its own: its file name, every xml:id and every pointer to one of them
carry a suffix such as `-c07`, its titles end "(copy 7)", and `source/edition.xml` lists it
after the essay it copies. Pointers to the register (`ref="#serge"`) are kept, so the register
gathers the mentions of every copy, as it would for a larger edition; each commentary note gets a
copy for each copy of the essay whose anchor it targets. Factor 1 is the edition.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

from lxml import etree

from edition.sources.tei import NS, XML_ID

COPIED = ("source", "styles")
TITLES = "//tei:titleStmt/tei:title[@type='main'] | //tei:docTitle/tei:titlePart"
POINTER = re.compile(r"#([^\s#]+)")


def make_corpus(project: Path, into: Path, factor: int) -> Path:
    """Write the corpus into the new folder `into`, which becomes a project of its own."""
    for name in COPIED:
        shutil.copytree(project / name, into / name)
    edition_file = into / "source" / "edition.xml"
    tree = etree.parse(edition_file)
    for ptr in tree.findall("tei:text/tei:body/tei:ptr[@type='essay']", NS):
        previous = ptr
        for number in range(2, factor + 1):
            listed = copy.deepcopy(ptr)  # with its tail: each copy on a line of its own
            listed.set("target", _copy_essay(into / "source", ptr.get("target"), number))
            previous.addnext(listed)
            previous = listed
    _write(tree, edition_file, edition_file)
    _copy_commentary(into / "source" / "commentary.xml", factor)
    return into


def _copy_commentary(path: Path, factor: int) -> None:
    """Each commentary note again for copies 2 to `factor`, pointing at its anchor in that copy."""
    if not path.exists():
        return
    tree = etree.parse(path)
    for note in tree.findall("tei:standOff/tei:listAnnotation/tei:note", NS):
        previous = note
        for number in range(2, factor + 1):
            suffix = f"-c{number:02d}"
            copied = copy.deepcopy(note)
            copied.set(XML_ID, note.get(XML_ID) + suffix)
            copied.set("target", note.get("target") + suffix)
            previous.addnext(copied)
            previous = copied
    _write(tree, path, path)


def _copy_essay(source: Path, name: str, number: int) -> str:
    """Write copy `number` of essay file `name` beside it; its file name."""
    suffix = f"-c{number:02d}"
    tree = etree.parse(source / name)
    ids = {element.get(XML_ID) for element in tree.iter(etree.Element) if element.get(XML_ID)}
    for element in tree.iter(etree.Element):
        for attribute, value in element.items():
            renamed = value + suffix if attribute == XML_ID else _repoint(value, ids, suffix)
            if renamed != value:
                element.set(attribute, renamed)
    for title in tree.xpath(TITLES, namespaces=NS):
        _append_text(title, f" (copy {number})")
    target = f"{Path(name).stem}{suffix}.xml"
    _write(tree, source / name, source / target)
    return target


def _repoint(value: str, ids: set[str], suffix: str) -> str:
    """The pointers in an attribute that name an id of this essay, renamed; others as they are."""
    return POINTER.sub(lambda match: match.group() + suffix if match.group(1) in ids else match.group(), value)


def _write(tree: etree._ElementTree, original: Path, target: Path) -> None:
    """Write `tree` after the original's prolog as it was (declaration, schema link, comments),
    so every line keeps its number and a diagnostic on a copy points where it does on the original."""
    text = original.read_text(encoding="utf-8")
    prolog = text[: text.index("<TEI")]
    target.write_text(prolog + etree.tostring(tree.getroot(), encoding="unicode") + "\n", encoding="utf-8")


def _append_text(element: etree._Element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text
