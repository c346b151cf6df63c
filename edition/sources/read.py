"""Read the sources: parse every XML file safely, validate it, and build the in-memory `Edition`.

This is the only module that reads `source/`. `read_sources` parses the schema and the files
the edition lists, once (`Sources`); `check` runs the editor's checks over those trees, and
`edition_from` builds from them an `Edition` (see `model`) that is complete and consistent, or
raises `SourceError` with every problem found, located by file, line and column. Parsing never
resolves entities, loads a DTD or touches the network.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import Diagnostic, EditionError, SourceError, display_path
from ..gate import inside_project
from ..project import Project
from .apparatus import editorial_notes, read_commentary
from .bibliography import read_works, tie_citations
from .dates import CARRIED, EARLIEST, LATEST, first_day
from .model import (
    Block,
    Change,
    Commentary,
    Correction,
    Edition,
    EditorialNote,
    Essay,
    FrontMatter,
    Heading,
    Inline,
    ItemList,
    Note,
    Paragraph,
    Quotation,
    RegisterSection,
    Work,
    plain,
)
from .phrase import Record, editors_inline, element_text, read_inline
from .register import link_mentions, read_register
from .tei import NS, XML_ID, XML_LANG


def _parser() -> etree.XMLParser:
    """No entities, DTDs, network or huge trees; no comments, nor processing instructions, which
    are an XML editor's comments and tracked changes: not text."""
    safe = {"resolve_entities": False, "load_dtd": False, "no_network": True, "huge_tree": False}
    return etree.XMLParser(**safe, remove_comments=True, remove_pis=True)


# The largest source file read: a book of 100,000 words is about 1 MB of TEI, this edition's
# largest file 43 KB. Past it, parsing and checking alone take seconds, and the layout minutes.
SOURCE_LIMIT = 8_000_000


def parse_xml(path: Path, project: Project) -> etree._ElementTree:
    """Parse one source file, refusing DTDs and entity declarations outright. A file that is not
    there is E001; one that is there but is not a regular file inside the project, or is over
    `SOURCE_LIMIT`, is refused at the gate (`EditionError`), as what it is."""
    shown = display_path(path, project.root)
    if not os.path.lexists(path):
        raise SourceError([Diagnostic(shown, 0, 0, "E001", "file not found")])
    path = inside_project(path, project.root, SOURCE_LIMIT, "a source file")
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


@dataclass
class Sources:
    """The files the edition lists, each parsed once, and validated once where it is read.

    `read_sources` makes it: the schema, edition.xml, and every file edition.xml lists. The
    editor's checks (`check.lint`) read its `trees`, and `edition_from` builds the edition from
    the same trees: nothing in source/ is parsed twice, and a file the edition does not list is
    not read at all. A file that cannot be parsed is kept as its diagnostics, reported by the
    stage that needs it, as a `SourceError`.
    """

    project: Project
    schema: etree.RelaxNG
    listed: list[Path] = field(default_factory=list)  # edition.xml first, then what it lists
    # By the file's real path: each file's tree or why it does not parse, and its schema errors.
    _parsed: dict[Path, etree._ElementTree | SourceError] = field(default_factory=dict, init=False, repr=False)
    _invalid: dict[Path, list[Diagnostic]] = field(default_factory=dict, init=False, repr=False)

    def parse(self, path: Path) -> etree._ElementTree:
        """The file's tree, parsed on the first call only (`parse_xml`), or its `SourceError`."""
        key = Path(os.path.realpath(path))
        if key not in self._parsed:
            try:
                self._parsed[key] = parse_xml(path, self.project)
            except SourceError as error:
                self._parsed[key] = error
        parsed = self._parsed[key]
        if isinstance(parsed, SourceError):
            raise parsed
        return parsed

    def valid(self, path: Path) -> etree._ElementTree:
        """The file's tree if it parses and is valid against the schema (validated once), else
        `SourceError` with its problems."""
        tree = self.parse(path)
        key = Path(os.path.realpath(path))
        if key not in self._invalid:
            self._invalid[key] = validate(tree, path, self.project, self.schema)
        if self._invalid[key]:
            raise SourceError(self._invalid[key])
        return tree

    @property
    def trees(self) -> dict[Path, etree._ElementTree]:
        """Every listed file that parses, in the order listed: what the editor's checks read."""
        trees = {}
        for path in self.listed:
            try:
                trees[path] = self.parse(path)
            except SourceError:
                continue  # reported by `edition_from`, where the edition needs the file
        return trees


def read_sources(project: Project) -> Sources:
    """Parse the schema (an `EditionError` if it is broken), edition.xml, and every file it lists
    that is a file in source/. A file that is refused at the gate (`gate.inside_project`) stops
    it with that `EditionError`; one that does not parse is kept as its diagnostics."""
    sources = Sources(project, load_schema(project))
    try:
        edition_tree = sources.parse(project.edition_file)
    except SourceError:
        return sources  # nothing is listed: the edition file's problem is reported by `edition_from`
    sources.listed = listed_sources(edition_tree, project)
    for path in sources.listed:
        try:
            sources.parse(path)
        except SourceError:
            continue
    return sources


def load_edition(project: Project) -> Edition:
    """Parse and validate every source file and build the edition, or raise `SourceError`."""
    return edition_from(read_sources(project))


def edition_from(sources: Sources) -> Edition:
    """The edition built from the parsed sources, or `SourceError` with the problems of the
    first stage that has any: the edition file, the essays' files, the essays' note calls, the
    register and its mentions, the commentary and its anchors. The further reading is read with
    them, and the notes' citations tied to its works (a citation of no work is `check`'s E070)."""
    project = sources.project
    edition_tree = sources.valid(project.edition_file)
    essay_paths = _essay_paths(edition_tree, project)
    trees: dict[Path, etree._ElementTree] = {}
    problems = imprint_problems(edition_tree, display_path(project.edition_file, project.root))
    for path in essay_paths:
        try:
            trees[path] = sources.valid(path)
        except SourceError as error:
            problems += error.diagnostics
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
    further_reading_path = project.source_dir / "further-reading.xml"
    sections: list[RegisterSection] = []
    shown = {essay.id: display_path(essay.source, project.root) for essay in essays}
    if _lists(edition_tree, "register"):
        sections, lines = read_register(sources.valid(register_path))
        shown["register"] = display_path(register_path, project.root)
        essays, sections, problems = link_mentions(essays, sections, shown, lines)
        if problems:
            raise SourceError(problems)
    commentary: list[Commentary] = []
    commentary_lines: dict[str, int] = {}
    if _lists(edition_tree, "commentary"):
        commentary, commentary_lines = read_commentary(sources.valid(commentary_path))
        shown["commentary"] = display_path(commentary_path, project.root)
    works: list[Work] = []
    if _lists(edition_tree, "further-reading"):
        works = read_works(sources.valid(further_reading_path))
    works, sections, commentary = tie_citations(works, sections, commentary)
    entries = {entry.id: entry for section in sections for entry in section.entries}
    notes, problems = editorial_notes(essays, entries, commentary, shown, commentary_lines)
    if problems:
        raise SourceError(problems)
    readings = [essay for essay in essays if essay_paths[essay.source] == "reading"]
    essays = [essay for essay in essays if essay_paths[essay.source] == "essay"]
    sources_read = [
        project.edition_file,
        *essay_paths,
        # Every file edition.xml lists, empty ones too (a new project's register): an archived
        # version that left one out could not be read again (`edition diff`).
        *([register_path] if _lists(edition_tree, "register") else []),
        *([commentary_path] if _lists(edition_tree, "commentary") else []),
        *([further_reading_path] if _lists(edition_tree, "further-reading") else []),
        project.schema,
    ]
    return _read_edition(edition_tree, essays, readings, sections, sources_read, notes, works)


def listed_sources(tree: etree._ElementTree, project: Project) -> list[Path]:
    """The source files the parsed edition file `tree` lists, edition.xml first, that are there
    in source/ (a missing or misplaced one is reported by `edition_from`)."""
    paths = [project.edition_file]
    for ptr in tree.iterfind("tei:text/tei:body/tei:ptr", NS):
        path = project.source_dir / ptr.get("target", "")
        if "/" not in ptr.get("target", "/") and os.path.lexists(path) and path not in paths:
            paths.append(path)  # what is there, whatever it is: the gate says if it may be read
    return paths


def _lists(tree: etree._ElementTree, kind: str) -> bool:
    """Whether the edition file lists a part of this kind (the register, the commentary)."""
    return tree.find(f"tei:text/tei:body/tei:ptr[@type='{kind}']", NS) is not None


# The sources that are not essays, though they are files in source/.
NOT_ESSAYS = {
    "edition.xml": "the edition file, not an essay",
    "register.xml": "the register, not an essay",
    "commentary.xml": "the editors' commentary, not an essay",
    "further-reading.xml": "the further reading, not an essay",
}


def _essay_paths(tree: etree._ElementTree, project: Project) -> dict[Path, str]:
    """The texts the edition file lists, in order, each with its kind: "essay" (the edition
    prints it) or "reading" (a course reader may); each must be a file inside `source/`."""
    paths: dict[Path, str] = {}
    shown = display_path(project.edition_file, project.root)
    problems = []
    for ptr in tree.iterfind("tei:text/tei:body/tei:ptr", NS):
        kind = ptr.get("type")
        if kind not in TEXT_KINDS:
            continue
        target = ptr.get("target", "")
        listed = project.source_dir / target
        if "/" in target or target in ("", ".", ".."):
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E004", f"{kind} {target!r} is not a file in source/"))
        elif target in NOT_ESSAYS:
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E004", f"{target!r} is {NOT_ESSAYS[target]}"))
        elif not os.path.lexists(listed):
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E001", f"{kind} {target!r} not found"))
        elif not (path := inside_project(listed, project.root)).is_relative_to(project.source_dir.resolve()):
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E004", f"{kind} {target!r} is not a file in source/"))
        elif path in paths:
            problems.append(Diagnostic(shown, ptr.sourceline, 0, "E004", f"{kind} {target!r} is listed twice"))
        else:
            paths[path] = kind
    if problems:
        raise SourceError(problems)
    return paths


# The kinds of text the edition file lists: its own essays, and the readings a course reader may add.
TEXT_KINDS = ("essay", "reading")


# What names the outputs: `<slug>-<version>.pdf`. The schema states the same patterns.
SLUG = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
LONGEST_SLUG = 64
SLUG_RULE = f"ASCII letters and digits in runs joined by single hyphens, {LONGEST_SLUG} at most"
NO_SLUG = 'add <idno type="slug">a-short-name</idno> to publicationStmt, which names the files'
VERSION = re.compile(r"\d+\.\d+\.\d+")


def imprint_problems(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    """What the edition file must say for its outputs to be named and dated: its slug and its
    version, which name the files (E080: missing, or not of the pattern the schema states, so
    that a name is never a path), and its date (E080 if missing; E083 if its outputs cannot carry
    it, see `dates`). Checked before the edition is read, and by `edition check`."""
    file_desc = tree.getroot().find("tei:teiHeader/tei:fileDesc", NS)
    if file_desc is None:
        return []  # not an edition file at all: the schema says so (E010)
    found: list[tuple[etree._Element, str, str]] = []
    publication = file_desc.find("tei:publicationStmt", NS)
    slugs = file_desc.findall("tei:publicationStmt/tei:idno[@type='slug']", NS)
    if not slugs:
        found.append((file_desc if publication is None else publication, "E080", f"the edition has no slug: {NO_SLUG}"))
    for slug in slugs:
        text = "".join(slug.itertext())
        if not SLUG.fullmatch(text) or len(text) > LONGEST_SLUG:
            found.append((slug, "E080", f"slug {text[:80]!r} is not {SLUG_RULE}: it names the files"))
    edition = file_desc.find("tei:editionStmt/tei:edition", NS)
    if edition is None:
        found.append((file_desc, "E080", 'the edition has no version: add <editionStmt><edition n="1.0.0">…'))
    else:
        if not VERSION.fullmatch(version := edition.get("n", "")):
            found.append((edition, "E080", f"version {version[:80]!r} is not MAJOR.MINOR.PATCH, such as 1.0.0"))
        date = edition.find("tei:date", NS)
        when = date.get("when", "") if date is not None else ""
        if not when:
            found.append((edition, "E080", 'the edition has no date: add <date when="YYYY-MM-DD">…</date> to it'))
        elif (day := first_day(when)) and not EARLIEST.date() <= day <= LATEST.date():
            found.append((date, "E083", f"the edition's date {when} is outside those its outputs can carry, {CARRIED}"))
    return [Diagnostic(shown, element.sourceline, 0, code, message) for element, code, message in found]


def _read_edition(
    tree: etree._ElementTree,
    essays: list[Essay],
    readings: list[Essay],
    register: list[RegisterSection],
    sources: list[Path],
    notes: dict[str, EditorialNote],
    works: list[Work],
) -> Edition:
    header = tree.getroot().find("tei:teiHeader/tei:fileDesc", NS)
    title_stmt = header.find("tei:titleStmt", NS)
    publication = header.find("tei:publicationStmt", NS)
    edition = header.find("tei:editionStmt/tei:edition", NS)
    licence = publication.find("tei:availability/tei:licence", NS)
    changes = [
        Change(change.get("n", ""), change.get("when"), element_text(change))
        for change in tree.getroot().iterfind("tei:teiHeader/tei:revisionDesc/tei:change", NS)
    ]
    conventions = [
        editors_inline(p) for p in tree.getroot().iterfind("tei:text/tei:front/tei:div[@type='conventions']/tei:p", NS)
    ]
    return Edition(
        slug=_text_at(publication, "tei:idno[@type='slug']"),
        title=_text_at(title_stmt, "tei:title[@type='main']"),
        subtitle=_text_at(title_stmt, "tei:title[@type='sub']"),
        editors=[element_text(e) for e in title_stmt.iterfind("tei:editor", NS)],
        version=edition.get("n"),
        date=edition.find("tei:date", NS).get("when"),
        language=tree.getroot().get(XML_LANG, "en"),
        publisher=_text_at(publication, "tei:publisher"),
        licence=element_text(licence),
        licence_url=licence.get("target", "") if licence is not None else "",
        description=_text_at(header, "tei:sourceDesc/tei:p"),
        keywords=[element_text(k) for k in publication.iterfind("tei:idno[@type='keyword']", NS)],
        conventions=conventions,
        changes=changes,
        essays=essays,
        readings=readings,
        register=register,
        sources=sources,
        notes=notes,
        works=works,
    )


def _read_essay(tree: etree._ElementTree, path: Path, project: Project) -> tuple[Essay, list[Diagnostic]]:
    root = tree.getroot()
    essay_id = root.get(XML_ID)
    header = root.find("tei:teiHeader/tei:fileDesc", NS)
    text = root.find("tei:text", NS)
    corrections: list[Correction] = []

    def recorder(where: str) -> Record:
        def record(sic: str, corr: str, lang: str) -> str:
            corrections.append(Correction(essay_id, where, sic, corr, lang))
            return f"{essay_id}-{len(corrections)}"

        return record

    front = []
    for div in text.iterfind("tei:front/tei:div", NS):
        for block in div.iterfind(".//tei:bibl", NS) if div.get("type") == "reviewed" else div.iterfind("tei:p", NS):
            kind = div.get("type")
            front.append(FrontMatter(f"{essay_id}-front{len(front) + 1}", kind, read_inline(block, recorder(kind))))

    body = _read_blocks(text.find("tei:body", NS), essay_id, recorder)
    source = header.find("tei:sourceDesc/tei:bibl", NS)
    original = read_inline(source, recorder("header")) if source is not None else []
    notes = [
        Note(note.get(XML_ID), int(note.get("n")), read_inline(note, recorder(f"note {note.get('n')}")))
        for note in text.iterfind("tei:back/tei:div[@type='notes']/tei:note", NS)
    ]
    afterword = [
        read_inline(p, recorder("biographical note")) for p in text.iterfind("tei:back/tei:div[@type='bio']/tei:p", NS)
    ]
    essay = Essay(
        id=essay_id,
        title=_text_at(header, "tei:titleStmt/tei:title[@type='main']"),
        author=_text_at(header, "tei:titleStmt/tei:author"),
        date=_text_at(text, "tei:front/tei:docDate"),
        front=front,
        body=body,
        original=original,
        notes=notes,
        afterword=afterword,
        corrections=corrections,
        source=path,
        credit=_credit(original, header.find("tei:publicationStmt/tei:availability/tei:licence", NS)),
    )
    return essay, _check_note_calls(root, display_path(path, project.root))


def _text_at(parent: etree._Element, path: str) -> str:
    """The plain text of the first element at `path` under `parent` ("" if there is none)."""
    return element_text(parent.find(path, NS))


def _credit(original: list[Inline], licence: etree._Element | None) -> list[Inline]:
    """A text's credit line: "First published: <its source>." and the permission it is
    reproduced by, if the header gives one."""
    stop = "" if plain(original).rstrip().endswith(".") else "."
    credit: list[Inline] = ["First published: ", *original, stop] if original else []
    if licence is not None:
        credit += [" " if credit else "", *editors_inline(licence)]
    return credit


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
                content = read_inline(child, recorder(where))
                blocks.append(Paragraph(f"{essay_id}-p{number}", number, content, child.get(XML_ID, "")))
            elif tag == "head":
                sections += 1
                blocks.append(Heading(f"{essay_id}-s{sections}", read_inline(child, recorder("heading"))))
            elif tag in ("quote", "cit"):
                quote = child if tag == "quote" else child.find("tei:quote", NS)
                where = f"quotation after ¶{sum(isinstance(b, Paragraph) for b in blocks)}"
                reference = child.find("tei:bibl", NS) if tag == "cit" else None
                quotations = sum(type(b) is Quotation for b in blocks)
                blocks.append(
                    Quotation(
                        f"{essay_id}-q{quotations + 1}",
                        [read_inline(p, recorder(where)) for p in quote.iterfind("tei:p", NS)],
                        read_inline(reference, recorder(where)) if reference is not None else [],
                    )
                )
            elif tag == "list":
                lists = sum(isinstance(b, ItemList) for b in blocks)
                where = f"list after ¶{sum(isinstance(b, Paragraph) for b in blocks)}"
                items = [read_inline(item, recorder(where)) for item in child.iterfind("tei:item", NS)]
                blocks.append(ItemList(f"{essay_id}-l{lists + 1}", items, ordered=child.get("type") == "ordered"))
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
