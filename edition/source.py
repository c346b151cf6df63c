"""Read the sources: parse every XML file safely, validate it, and build the in-memory `Edition`.

This is the only module that reads `source/`. It hands on an `Edition` (see `model`) that is
complete and consistent, or raises `SourceError` with every problem found, located by file,
line and column. Parsing never resolves entities, loads a DTD or touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from .apparatus import editorial_notes, read_commentary
from .errors import Diagnostic, EditionError, SourceError, display_path
from .gate import inside_project
from .model import (
    Block,
    Change,
    Commentary,
    Correction,
    Edition,
    Essay,
    FrontMatter,
    Heading,
    Inline,
    Note,
    Paragraph,
    Quotation,
    RegisterSection,
    Span,
)
from .project import Project
from .register import link_mentions, read_register
from .tei import NS, XML_ID, XML_LANG

# XML white space only: a no-break space in the text is a character of the text.
XML_SPACE = re.compile(r"[ \t\r\n]+")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        # An XML editor's comments and tracked changes are processing instructions: not text.
        remove_pis=True,
    )


def parse_xml(path: Path, project: Project) -> etree._ElementTree:
    """Parse one source file, refusing DTDs and entity declarations outright."""
    shown = display_path(path, project.root)
    if not path.is_file() and not path.is_symlink():
        raise SourceError([Diagnostic(shown, 0, 0, "E001", "file not found")])
    path = inside_project(path, project.root)
    try:
        tree = etree.parse(str(path), _parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position
        message = error.msg.split(f"{path}:", 1)[-1].strip() if error.msg else "not well-formed"
        raise SourceError([Diagnostic(shown, line, column, "E002", message)]) from None
    except OSError as error:  # libxml2 stops reading: bytes that are not UTF-8, or no permission
        raise SourceError([_unreadable(path, shown, error)]) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SourceError([Diagnostic(shown, 1, 1, "E003", "a DOCTYPE is not allowed in a source file")])
    return tree


def _unreadable(path: Path, shown: str, error: OSError) -> Diagnostic:
    """Where and why a file could not be read: the first byte that is not UTF-8, if one is."""
    try:
        data = path.read_bytes()
    except OSError as reading:
        return Diagnostic(shown, 0, 0, "E001", f"cannot be read: {reading.strerror}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = data.count(b"\n", 0, bad.start) + 1
        column = len(data[data.rfind(b"\n", 0, bad.start) + 1 : bad.start].decode("utf-8", "replace")) + 1
        byte = data[bad.start]
        return Diagnostic(shown, line, column, "E002", f"byte 0x{byte:02X} is not UTF-8: save the file as UTF-8")
    return Diagnostic(shown, 0, 0, "E002", f"cannot be read: {error}")


def validate(tree: etree._ElementTree, path: Path, project: Project, schema: etree.RelaxNG) -> list[Diagnostic]:
    """Schema errors of one parsed file, as diagnostics."""
    if schema.validate(tree):
        return []
    shown = display_path(path, project.root)
    return [Diagnostic(shown, error.line, error.column, "E010", error.message) for error in schema.error_log]


def load_schema(project: Project) -> etree.RelaxNG:
    try:
        tree = parse_xml(project.schema, project)
        _check_includes(tree, project.schema, project, {project.schema.resolve()})
        return etree.RelaxNG(tree)
    except SourceError as error:
        raise EditionError(f"the schema cannot be read: {error.diagnostics[0]}") from None
    except etree.RelaxNGParseError as error:
        raise EditionError(f"{display_path(project.schema, project.root)}: schema is broken: {error}") from None


RNG = "{http://relaxng.org/ns/structure/1.0}"


def _check_includes(tree: etree._ElementTree, path: Path, project: Project, seen: set[Path]) -> None:
    """Every schema a RelaxNG schema includes is a local file inside the project, and so are
    theirs: libxml2 would read any path or URL an `include` or `externalRef` names."""
    for element in tree.getroot().iter(f"{RNG}include", f"{RNG}externalRef"):
        href = element.get("href", "")
        shown = f"{display_path(path, project.root)}:{element.sourceline}"
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href):
            raise EditionError(f"{shown}: the schema includes {href!r}: only files inside the project are read")
        included = inside_project(path.parent / href, project.root)
        if included not in seen:
            seen.add(included)
            _check_includes(parse_xml(included, project), included, project, seen)


def load_edition(project: Project) -> Edition:
    """Parse and validate every source file and build the edition, or raise `SourceError`."""
    schema = load_schema(project)
    edition_tree = parse_xml(project.edition_file, project)
    problems = validate(edition_tree, project.edition_file, project, schema)
    if problems:
        raise SourceError(problems)

    essay_paths = _essay_paths(edition_tree, project)
    trees: dict[Path, etree._ElementTree] = {}
    for path in essay_paths:
        try:
            trees[path] = parse_xml(path, project)
        except SourceError as error:
            problems += error.diagnostics
            continue
        problems += validate(trees[path], path, project, schema)
    if problems:
        raise SourceError(problems)

    essays = []
    for path, tree in trees.items():
        essay, essay_problems = _read_essay(tree, path, project)
        essays.append(essay)
        problems += essay_problems
    if problems:
        raise SourceError(problems)

    register_path = project.source_dir / "register.xml"
    commentary_path = project.source_dir / "commentary.xml"
    sections: list[RegisterSection] = []
    shown = {essay.id: display_path(essay.source, project.root) for essay in essays}
    if _lists(edition_tree, "register"):
        sections, lines = read_register(_read_valid(register_path, project, schema), _editors_inline)
        shown["register"] = display_path(register_path, project.root)
        problems = link_mentions(essays, sections, shown, lines)
        if problems:
            raise SourceError(problems)
    commentary: list[Commentary] = []
    commentary_lines: dict[str, int] = {}
    if _lists(edition_tree, "commentary"):
        commentary, commentary_lines = read_commentary(_read_valid(commentary_path, project, schema), _editors_inline)
        shown["commentary"] = display_path(commentary_path, project.root)
    entries = {entry.id: entry for section in sections for entry in section.entries}
    notes, problems = editorial_notes(essays, entries, commentary, shown, commentary_lines)
    if problems:
        raise SourceError(problems)
    sources = [
        project.edition_file,
        *essay_paths,
        *([register_path] if sections else []),
        *([commentary_path] if commentary else []),
        project.schema,
    ]
    edition = _read_edition(edition_tree, essays, sections, sources)
    edition.notes = notes
    return edition


def listed_sources(project: Project) -> list[Path]:
    """The source files the edition lists, edition.xml first, that exist as files in source/ (a
    missing or misplaced one is reported by `load_edition`); none if edition.xml cannot be read."""
    try:
        tree = parse_xml(project.edition_file, project)
    except (SourceError, EditionError):
        return []
    paths = [project.edition_file]
    for ptr in tree.iterfind("tei:text/tei:body/tei:ptr", NS):
        path = project.source_dir / ptr.get("target", "")
        if "/" not in ptr.get("target", "/") and path.is_file() and path not in paths:
            paths.append(path)
    return paths


def _lists(tree: etree._ElementTree, kind: str) -> bool:
    """Whether the edition file lists a part of this kind (the register, the commentary)."""
    return tree.find(f"tei:text/tei:body/tei:ptr[@type='{kind}']", NS) is not None


def _read_valid(path: Path, project: Project, schema: etree.RelaxNG) -> etree._ElementTree:
    tree = parse_xml(path, project)
    problems = validate(tree, path, project, schema)
    if problems:
        raise SourceError(problems)
    return tree


def _editors_inline(element: etree._Element) -> list[Inline]:
    """The editors' own text (register, commentary): read as the essays are, with no corrections."""
    return _inline(element, _ignore)


def _ignore(sic: str, corr: str) -> None:
    """Corrections are recorded for the essays only; the editors' own text has none."""


# The sources that are not essays, though they are files in source/.
NOT_ESSAYS = {
    "edition.xml": "the edition file, not an essay",
    "register.xml": "the register, not an essay",
    "commentary.xml": "the editors' commentary, not an essay",
}


def _essay_paths(tree: etree._ElementTree, project: Project) -> list[Path]:
    """The essays the edition file lists, in order; each must be a file inside `source/`."""
    paths = []
    shown = display_path(project.edition_file, project.root)
    problems = []
    for ptr in tree.iterfind("tei:text/tei:body/tei:ptr[@type='essay']", NS):
        target = ptr.get("target", "")
        path = (project.source_dir / target).resolve()
        if not path.is_relative_to(project.source_dir.resolve()) or "/" in target:
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E004", f"essay {target!r} is not a file in source/"))
        elif target in NOT_ESSAYS:
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E004", f"{target!r} is {NOT_ESSAYS[target]}"))
        elif not path.is_file():
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E001", f"essay {target!r} not found"))
        elif path in paths:
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E004", f"essay {target!r} is listed twice"))
        else:
            paths.append(path)
    if problems:
        raise SourceError(problems)
    return paths


def _text(element: etree._Element | None) -> str:
    """The normalised plain text of an element."""
    if element is None:
        return ""
    return XML_SPACE.sub(" ", "".join(element.itertext())).strip()


def _read_edition(
    tree: etree._ElementTree, essays: list[Essay], register: list[RegisterSection], sources: list[Path]
) -> Edition:
    header = tree.getroot().find("tei:teiHeader/tei:fileDesc", NS)
    title_stmt = header.find("tei:titleStmt", NS)
    publication = header.find("tei:publicationStmt", NS)
    edition = header.find("tei:editionStmt/tei:edition", NS)
    licence = publication.find("tei:availability/tei:licence", NS)
    changes = [
        Change(change.get("n", ""), change.get("when"), _text(change))
        for change in tree.getroot().iterfind("tei:teiHeader/tei:revisionDesc/tei:change", NS)
    ]
    conventions = [
        _editors_inline(p) for p in tree.getroot().iterfind("tei:text/tei:front/tei:div[@type='conventions']/tei:p", NS)
    ]
    return Edition(
        slug=_text(publication.find("tei:idno[@type='slug']", NS)),
        title=_text(title_stmt.find("tei:title[@type='main']", NS)),
        subtitle=_text(title_stmt.find("tei:title[@type='sub']", NS)),
        editors=[_text(e) for e in title_stmt.iterfind("tei:editor", NS)],
        version=edition.get("n"),
        date=edition.find("tei:date", NS).get("when"),
        language=tree.getroot().get(XML_LANG, "en"),
        publisher=_text(publication.find("tei:publisher", NS)),
        licence=_text(licence),
        licence_url=licence.get("target", "") if licence is not None else "",
        description=_text(header.find("tei:sourceDesc/tei:p", NS)),
        keywords=[_text(k) for k in publication.iterfind("tei:idno[@type='keyword']", NS)],
        conventions=conventions,
        changes=changes,
        essays=essays,
        register=register,
        sources=sources,
    )


def _read_essay(tree: etree._ElementTree, path: Path, project: Project) -> tuple[Essay, list[Diagnostic]]:
    root = tree.getroot()
    essay_id = root.get(XML_ID)
    header = root.find("tei:teiHeader/tei:fileDesc", NS)
    text = root.find("tei:text", NS)
    corrections: list[Correction] = []

    def recorder(where: str) -> Callable[[str, str], None]:
        return lambda sic, corr: corrections.append(Correction(essay_id, where, sic, corr))

    front = []
    for div in text.iterfind("tei:front/tei:div", NS):
        for block in div.iterfind(".//tei:bibl", NS) if div.get("type") == "reviewed" else div.iterfind("tei:p", NS):
            kind = div.get("type")
            front.append(FrontMatter(f"{essay_id}-front{len(front) + 1}", kind, _inline(block, recorder(kind))))

    body = _read_blocks(text.find("tei:body", NS), essay_id, recorder)
    notes = [
        Note(note.get(XML_ID), int(note.get("n")), _inline(note, recorder(f"note {note.get('n')}")))
        for note in text.iterfind("tei:back/tei:div[@type='notes']/tei:note", NS)
    ]
    afterword = [
        _inline(p, recorder("biographical note")) for p in text.iterfind("tei:back/tei:div[@type='bio']/tei:p", NS)
    ]
    essay = Essay(
        id=essay_id,
        title=_text(header.find("tei:titleStmt/tei:title[@type='main']", NS)),
        author=_text(header.find("tei:titleStmt/tei:author", NS)),
        date=_text(text.find("tei:front/tei:docDate", NS)),
        original=_inline(header.find("tei:sourceDesc/tei:bibl", NS), recorder("header")),
        front=front,
        body=body,
        notes=notes,
        afterword=afterword,
        corrections=corrections,
        source=path,
    )
    return essay, _check_note_calls(root, display_path(path, project.root))


def _read_blocks(container: etree._Element, essay_id: str, recorder) -> list[Block]:
    """The body's paragraphs, headings and quotations in reading order, paragraphs numbered."""
    blocks: list[Block] = []
    sections = 0

    def walk(element: etree._Element) -> None:
        nonlocal sections
        for child in element:
            tag = etree.QName(child).localname
            if tag == "p":
                number = sum(isinstance(b, Paragraph) for b in blocks) + 1
                where = f"¶{number}"
                blocks.append(Paragraph(f"{essay_id}-p{number}", number, _inline(child, recorder(where))))
            elif tag == "head":
                sections += 1
                blocks.append(Heading(f"{essay_id}-s{sections}", _inline(child, recorder("heading"))))
            elif tag in ("quote", "cit"):
                quote = child if tag == "quote" else child.find("tei:quote", NS)
                where = f"quotation after ¶{sum(isinstance(b, Paragraph) for b in blocks)}"
                reference = child.find("tei:bibl", NS) if tag == "cit" else None
                quotations = sum(isinstance(b, Quotation) for b in blocks)
                blocks.append(
                    Quotation(
                        f"{essay_id}-q{quotations + 1}",
                        [_inline(p, recorder(where)) for p in quote.iterfind("tei:p", NS)],
                        _inline(reference, recorder(where)) if reference is not None else [],
                    )
                )
            elif tag == "div":
                walk(child)

    walk(container)
    return blocks


def _check_note_calls(root: etree._Element, shown: str) -> list[Diagnostic]:
    """Every note call points at a note of the same essay, and every note is called."""
    notes = {note.get(XML_ID): note for note in root.iterfind(".//tei:note[@place='end']", NS)}
    called = set()
    problems = []
    for call in root.iterfind(".//tei:ref[@type='noteref']", NS):
        target = call.get("target", "").removeprefix("#")
        if target in notes:
            called.add(target)
        else:
            problems.append(Diagnostic(shown, call.sourceline, 0, "E020", f"note call points at no note: #{target}"))
    for note_id, note in notes.items():
        if note_id not in called:
            problems.append(Diagnostic(shown, note.sourceline, 0, "E021", f"note {note_id} is never called"))
    return problems


# Phrase level ----------------------------------------------------------------------------

SPAN_KINDS = {
    "title": "title",
    "foreign": "foreign",
    "emph": "emph",
    "q": "q",
    "lb": "lb",
}
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
}
# Elements that, with a @ref, mention a register entry.
MENTIONS = {"persName", "orgName", "name", "term", "title"}


def _inline(element: etree._Element, record: Callable[[str, str], None]) -> list[Inline]:
    """The phrase-level content of an element, with XML white space normalised."""
    content = _children(element, record)
    return _trim(content)


def _children(element: etree._Element, record: Callable[[str, str], None]) -> list[Inline]:
    content: list[Inline] = []
    if element.text:
        content.append(XML_SPACE.sub(" ", element.text))
    for child in element:
        content.extend(_span(child, record))
        if child.tail:
            content.append(XML_SPACE.sub(" ", child.tail))
    return content


def _span(element: etree._Element, record: Callable[[str, str], None]) -> list[Inline]:
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
        record(before + sic + after, before + corr + after)
        return [Span("correction", _children(corr_element, record), {"sic": sic})]
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
    if tag == "anchor":
        return [Span("anchor", [], {"id": element.get(XML_ID), "line": str(element.sourceline)})]
    return [Span(SPAN_KINDS[tag], _children(element, record), attrs)]


def _reading(element: etree._Element) -> str:
    """A correction's text as the note on the text shows it: a note call as "(n)", as received."""
    text = element.text or ""
    for child in element:
        inner = _reading(child)
        text += f"({inner})" if child.get("type") == "noteref" else inner
        text += child.tail or ""
    return text


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
