"""The further reading: the works the editorial notes rely on, and every citation of them.

`read_works` turns `source/further-reading.xml` into `Work`s in the order a reference list
prints them (by the authors' surnames, then the year), each with its full reference, the first
author's name inverted ("Viola, Lynne"), and its short form ("Viola 1996"). `cite` returns an
editors' note with each citation tied to its work: a bare `ptr` (which `phrase` reads as a
"citation" holding an empty "cite") gets the work's short form, and pointers side by side make
one bracketed citation; a `ref` around the words that name a work becomes a "cite" of those
words. `tie_citations` does so in every identification and commentary note, and gives each work
the notes that cite it. Called by `read`; hands on `Work`s, and the notes anew.

A pointer to no work is left as it is, for `check` to report (E070): every build checks first.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator

from lxml import etree

from .model import Commentary, Inline, RegisterSection, Span, Work, plain
from .phrase import editors_inline, element_text
from .tei import NS, XML_ID, XML_LANG

# The works of the further reading, in its own file.
WORKS = "tei:standOff/tei:listBibl[@type='further-reading']/tei:bibl"


def read_works(tree: etree._ElementTree) -> list[Work]:
    """The works of the further reading, sorted as a reference list is (nothing cites them yet)."""
    works = [_work(bibl) for bibl in tree.getroot().iterfind(WORKS, NS)]
    return sorted(works, key=lambda work: work.sort_key)


def _work(bibl: etree._Element) -> Work:
    # Who the work is by: its authors, or else its editors (not its translators). The last word
    # of a name is taken for the surname; an empty name is passed over (it is `check`'s E053).
    named = [name for name in bibl.iterfind("tei:author", NS) if element_text(name)]
    names = named or [
        name for name in bibl.iterfind("tei:editor", NS) if name.get("role") != "translator" and element_text(name)
    ]
    surnames = [element_text(name).split()[-1] for name in names]
    date = bibl.find("tei:date[@when]", NS)
    year = date.get("when")[:4] if date is not None else "n.d."
    title = bibl.find("tei:title", NS)
    if surnames:
        short: list[Inline] = [f"{_joined(surnames)} {year}"]
    else:  # a work without an author or editor is cited by its title (the schema asks for one)
        attrs = {"level": title.get("level", "m")} | ({"lang": title.get(XML_LANG)} if title.get(XML_LANG) else {})
        short = [Span("title", [element_text(title)], attrs), f" {year}"]
    reference = copy.deepcopy(bibl)
    if names:  # the list is in the order of surnames: the first name is inverted
        first = reference[bibl.index(names[0])]
        *given, surname = element_text(first).split()
        for child in list(first):
            first.remove(child)
        first.text = f"{surname}, {' '.join(given)}" if given else surname
    sort_key = f"{' '.join(surnames) or plain(short)} {year} {element_text(title)}"
    return Work(bibl.get(XML_ID), editors_inline(reference), short, sort_key.casefold())


def _joined(surnames: list[str]) -> str:
    """Viola; Davies and Wheatcroft; Getty, Rittersporn and Zemskov; Smith et al. (four or more)."""
    if len(surnames) > 3:
        return f"{surnames[0]} et al."
    return " and ".join([", ".join(surnames[:-1]), surnames[-1]]) if len(surnames) > 1 else surnames[0]


def cite(content: list[Inline], works: dict[str, Work]) -> list[Inline]:
    """An editors' note with each citation of a work tied to it: a pointer's short form filled
    in, and pointers side by side (white space between them aside) made one citation; a link
    (`ref`) to a work made a "cite" of the words it wraps."""
    out: list[Inline] = []
    for part in content:
        if _is_citation(part):  # a pointer: `phrase` reads each as a citation of one work
            cites = [_short(cited, works) for cited in part.children if isinstance(cited, Span)]
            if len(out) > 1 and isinstance(out[-1], str) and not out[-1].strip() and _is_citation(out[-2]):
                out.pop()  # nothing but white space between two pointers
            if out and _is_citation(out[-1]):
                out[-1] = Span("citation", [*out[-1].children, "; ", *cites])
            else:
                out.append(Span("citation", cites))
        elif isinstance(part, Span) and part.kind == "ref" and part.attrs["target"].removeprefix("#") in works:
            out.append(Span("cite", cite(part.children, works), {"work": part.attrs["target"].removeprefix("#")}))
        elif isinstance(part, Span):
            out.append(Span(part.kind, cite(part.children, works), part.attrs))
        else:
            out.append(part)
    return out


def _is_citation(part: Inline) -> bool:
    return isinstance(part, Span) and part.kind == "citation"


def _short(cited: Span, works: dict[str, Work]) -> Span:
    work = works.get(cited.attrs["work"])
    return Span("cite", list(work.short) if work else [], cited.attrs)


def cited_in(content: list[Inline]) -> Iterator[str]:
    """The ids of the works a note cites, in the order it cites them."""
    for part in content:
        if isinstance(part, Span):
            if part.kind == "cite":
                yield part.attrs["work"]
            yield from cited_in(part.children)


def tie_citations(
    works: list[Work], sections: list[RegisterSection], commentary: list[Commentary]
) -> tuple[list[Work], list[RegisterSection], list[Commentary]]:
    """The works, each with what cites it; the register's sections and the commentary, each
    identification and note with its citations tied to their works (`cite`). New values:
    what it is given is left as it was."""
    by_id = {work.id: work for work in works}
    sections = [
        RegisterSection(
            section.title,
            [dataclasses.replace(entry, identification=cite(entry.identification, by_id)) for entry in section.entries],
        )
        for section in sections
    ]
    commentary = [dataclasses.replace(note, content=cite(note.content, by_id)) for note in commentary]
    notes = [(note.id, note.content) for note in commentary]
    notes += [(entry.id, entry.identification) for section in sections for entry in section.entries]
    works = [
        dataclasses.replace(work, cited_by=tuple(note for note, content in notes if work.id in cited_in(content)))
        for work in works
    ]
    return works, sections, commentary
