"""The print HTML of every part is parsed by the XML parser (`typeset.html_document`) into the
tree that WeasyPrint's own HTML5 parser (tinyhtml5) makes of the same document: the layout
cannot tell the two apart. Checked on the edition's and the mini-edition's parts, whole and cut
as a layout that resumes within a part cuts them (`html.print.continue_from`, which writes XML:
its tree is compared with the HTML5 parser's tree of the same document written as HTML)."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

import lxml.html
import pytest
import tinyhtml5

from edition.html import FRONT, continue_from, print_part, print_parts
from edition.layout.breaks import resumable_blocks
from edition.layout.typeset import html_document
from edition.project import Project
from edition.sources.check import checked_edition
from edition.sources.model import Edition, Imprint

BASE = "file:///styles/"


def parsed(html: str) -> bytes:
    return ElementTree.tostring(html_document(html, BASE, None).etree_element)


def parsed_as_html5(html: str, parse=tinyhtml5.parse) -> bytes:
    return ElementTree.tostring(parse(html, namespace_html_elements=False))


def not_parsed_as_html5(*args, **kwargs):
    raise AssertionError("parsed by WeasyPrint's HTML5 parser, not as XML")


def documents(edition: Edition) -> list[tuple[str, str, str]]:
    """Each part's HTML (with a page for every place and heading the register and contents cite),
    and, for a part with resumable blocks, cuts from every third of them to the end or to a
    later one: (what, as XML, the same as HTML)."""
    folios = defaultdict(lambda: "12")
    found = []
    for part in [*print_parts(edition), FRONT]:
        html = print_part(edition, Imprint(course="HIST 101"), part, folios)
        found.append((part.name, html, html))
        ids = [element.get("id") for element in lxml.html.document_fromstring(html).iter() if element.get("id")]
        blocks = [block for block in ids if block in resumable_blocks(part)]
        for index in range(1, len(blocks), 3):
            until = blocks[index + 4] if index + 4 < len(blocks) else None
            cut = continue_from(html, blocks[index], until)
            as_html = lxml.html.tostring(
                lxml.html.document_fromstring(cut), doctype="<!DOCTYPE html>", encoding="unicode"
            )
            found.append((f"{part.name} from {blocks[index]} to {until}", cut, as_html))
    return found


@pytest.mark.parametrize("which", ["mini-edition", "edition"])
def test_each_part_whole_and_cut_is_the_tree_weasyprints_html5_parser_makes(
    which: str, mini_project: Project, edition: Edition, monkeypatch: pytest.MonkeyPatch
):
    if which == "mini-edition":
        edition = checked_edition(mini_project)
    compared = documents(edition)
    assert len(compared) > len(print_parts(edition)) + 1  # cuts among them
    trees = [(what, parsed_as_html5(as_html)) for what, _, as_html in compared]
    monkeypatch.setattr(tinyhtml5, "parse", not_parsed_as_html5)  # each part parsed as XML
    for (what, html, _), (_, tree) in zip(compared, trees, strict=True):
        assert parsed(html) == tree, what


def test_html_that_is_not_well_formed_xml_is_parsed_as_weasyprint_parses_it():
    html = "<!DOCTYPE html><html><head></head><body><p>a<br>b<p>c</body></html>"
    assert parsed(html) == parsed_as_html5(html)
