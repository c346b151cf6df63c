"""`edition check`: every problem in the sources, in one run, each with a stable code.

The codes E001–E031 come from reading and validating the sources (`read`, `register`,
`apparatus`); this module adds the checks an editor needs beyond the schema (E040–E071), and
those of what would break an output (E080–E083, `output_hazards`), which read the XML as it is,
so they run even where the schema or the references fail. Both kinds read
the same parse of the sources (`read.Sources`). Each code is documented in the README.
`checked_edition` hands the build the edition, or every problem of both kinds at once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ..errors import Diagnostic, SourceError, display_path
from ..gate import inside_project
from ..project import EREADER_STYLES, PRINT_STYLES, Project
from .bibliography import WORKS
from .dates import first_day
from .model import Edition
from .read import NOT_ESSAYS, Sources, edition_from, imprint_problems, read_sources
from .tei import NS, TEI, XML_ID, XML_LANG

if TYPE_CHECKING:
    from .fonts import Faces

# Elements that make no sense empty (lb, ptr, sic, birth… are empty by design).
MUST_HAVE_TEXT = {
    "p", "head", "quote", "note", "title", "persName", "orgName", "name", "term", "foreign", "hi",
    "emph", "q", "label", "item", "titlePart", "docAuthor", "bibl", "author", "editor",
}  # fmt: skip
# What typography forbids in the text: pattern, code, message.
TEXT_RULES = [
    (re.compile(r"[\"']"), "E050", "straight quote {} : use ‘ ’ “ ” (and ’ for an apostrophe)"),
    (re.compile(r"--"), "E051", "double hyphen: use an en dash – for ranges or an em dash — in prose"),
]


def run_checks(project: Project) -> list[Diagnostic]:
    """Every problem: those that stop the sources being read, and the editor's checks."""
    try:
        checked_edition(project)
    except SourceError as error:
        return error.diagnostics
    return []


def checked_edition(project: Project) -> Edition:
    """The edition, read from one parse of the sources (`read.read_sources`), if they have no
    problem: neither one that stops them being read nor one of the editor's checks; else a
    `SourceError` with every problem of both kinds. `edition check` and every build run this."""
    from .fonts import check_characters  # fontTools: for a build or a check, not for `verify`

    faces = check_files(project)
    sources = read_sources(project)
    problems = lint(sources)
    try:
        edition = edition_from(sources)
    except SourceError as error:
        problems += error.diagnostics
    if problems:
        raise SourceError(sorted(set(_said_once(problems))))
    check_characters(_texts_of(sources), faces)
    return edition


def _said_once(problems: list[Diagnostic]) -> list[Diagnostic]:
    """The problems, less the schema's own messages on an impossible date that E083 names: the
    schema sees only that none of the date types it allows fits, which libxml2 reports as three
    or four messages on the element's line, and one on no line at all ("line 0")."""
    dated = {(problem.path, problem.line) for problem in problems if problem.code == "E083"}
    files = {path for path, _ in dated}

    def echo(problem: Diagnostic) -> bool:
        at = (problem.path, problem.line)
        return problem.code == "E010" and (at in dated or (problem.line == 0 and problem.path in files))

    return [problem for problem in problems if not echo(problem)]


def _texts_of(sources: Sources) -> Iterator[tuple[str, str]]:
    """Every run of text of the sources, with the file and line it stands on."""
    for path, tree in sources.trees.items():
        shown = display_path(path, sources.project.root)
        for _element, text, line in _texts(tree):
            yield text, f"{shown}:{line}"


def lint(sources: Sources) -> list[Diagnostic]:
    """The editor's checks over every source file the edition lists that parses (a draft in
    source/ that it does not list is neither read nor checked)."""
    project = sources.project
    trees = sources.trees
    terms = foreign_terms(trees.get(project.source_dir / "register.xml"))
    problems = _duplicate_ids(trees, project)
    problems += _citations_of_works(trees, project)
    ids = {element.get(XML_ID) for tree in trees.values() for element in tree.getroot().iter(etree.Element)}
    for path, tree in trees.items():
        shown = display_path(path, project.root)
        problems += _deep_nesting(tree, shown)
        problems += _link_targets(tree, shown, ids)
        if path.name not in NOT_ESSAYS:
            problems += _reserved_ids(tree, shown)
        problems += _text_problems(tree, shown)
        problems += _empty_elements(tree, shown)
        if tree.getroot().find("tei:text", NS) is not None:
            problems += _untagged_foreign_terms(tree, shown, terms)
        if path == project.edition_file:
            problems += _unlogged_version(tree, shown)
    problems += output_hazards(trees, project)
    return problems


def check_files(project: Project) -> Faces:
    """The stylesheets are there, they import and name only what they may (`stylesheets`), and
    every file of styles/ the outputs read — stylesheets and the fonts they name — is a regular
    file inside the project and loads (`fonts`); else an `EditionError` naming the file, before
    anything is laid out; the faces, against which `checked_edition` checks every character of the
    sources. (Each source the edition lists passes the same gate as it is parsed; files in
    source/ or styles/ that nothing reads are not read at all.)"""
    from .fonts import read_faces  # fontTools and tinycss2 are needed by these checks only
    from .stylesheets import check_styles

    for name in dict.fromkeys(PRINT_STYLES + EREADER_STYLES):
        inside_project(project.styles_dir / name, project.root)
    check_styles(project)
    return read_faces(project)


def _texts(tree: etree._ElementTree) -> Iterator[tuple[etree._Element, str, int]]:
    """Every run of text with the element it belongs to and the line it starts on."""
    for element in tree.getroot().iter(etree.Element):
        if element.text:
            yield element, element.text, element.sourceline
        if element.tail and element.getparent() is not None:
            following = element.getnext()
            line = following.sourceline - element.tail.count("\n") if following is not None else element.sourceline
            yield element.getparent(), element.tail, line


def _line_of(text: str, start: int, first_line: int) -> int:
    return first_line + text[:start].count("\n")


# What the outputs make of a link (`ref/@target`) that is not a footnote call: a web page, a
# mail address, or a place in the edition. Anything else (javascript:, data:, file:, a path on
# the editor's machine) would reach both outputs as a live link.
SAFE_TARGET = re.compile(r"(?i:https?)://\S+|(?i:mailto):\S+|#[\w.-]+")


def _link_targets(tree: etree._ElementTree, shown: str, ids: set[str | None]) -> list[Diagnostic]:
    problems = []
    citations = set(_citations(tree))
    for ref in tree.getroot().iterfind(".//tei:ref[@target]", NS):
        if ref.get("type") == "noteref" or ref in citations:
            continue  # E020, E070
        target = ref.get("target")
        if not SAFE_TARGET.fullmatch(target):
            message = f"link target {target!r} is not allowed: use an http(s): or mailto: address, or #id"
        elif target.startswith("#") and target[1:] not in ids:
            message = f"link target {target!r} points at no xml:id in the edition"
        else:
            continue
        problems.append(Diagnostic(shown, ref.sourceline, 0, "E054", message))
    return problems


# The editors' notes, in which a `ptr`, and a `ref` to an `#id`, cite a work of the further reading.
EDITORS_NOTES = ".//tei:note[@type='commentary'] | .//tei:note[@type='identification']"


def _citations(tree: etree._ElementTree) -> Iterator[etree._Element]:
    """The citations in a file's editorial notes: each `ptr`, and each `ref` to an `#id`."""
    for note in tree.getroot().xpath(EDITORS_NOTES, namespaces=NS):
        for element in note.iter(f"{{{TEI}}}ptr", f"{{{TEI}}}ref"):
            if etree.QName(element).localname == "ptr" or element.get("target", "").startswith("#"):
                yield element


def _citations_of_works(trees: dict[Path, etree._ElementTree], project: Project) -> list[Diagnostic]:
    """Every citation in the editorial notes points at a work of the further reading (E070), and
    every work there is cited by a note (E071)."""
    further_reading = project.source_dir / "further-reading.xml"
    listed = trees.get(further_reading)
    works = {bibl.get(XML_ID): bibl for bibl in listed.getroot().iterfind(WORKS, NS)} if listed is not None else {}
    cited: set[str] = set()
    problems = []
    for path, tree in trees.items():
        for citation in _citations(tree):
            target = citation.get("target", "").removeprefix("#")
            if target in works:
                cited.add(target)
                continue
            message = f"a citation points at no work of the further reading: #{target}"
            problems.append(Diagnostic(display_path(path, project.root), citation.sourceline, 0, "E070", message))
    shown = display_path(further_reading, project.root)
    for work, bibl in works.items():
        if work not in cited:
            message = f"work {work} of the further reading is cited by no note"
            problems.append(Diagnostic(shown, bibl.sourceline, 0, "E071", message))
    return problems


# The EPUB's own files and items (see `html.epub.epub_chapters` and `epub`): an essay is written as
# <its xml:id>.xhtml beside them, so an essay may not take one of their names.
EPUB_NAMES = {
    "cover", "titlepage", "colophon", "nav", "toc", "register", "further-reading", "note-on-the-text", "content",
    "container", "mimetype", "css", "images", "ncx", "cover-image",
}  # fmt: skip


def _reserved_ids(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    root = tree.getroot()
    essay_id = root.get(XML_ID)
    if root.find("tei:text", NS) is None or essay_id is None or essay_id.casefold() not in EPUB_NAMES:
        return []
    message = f"essay id {essay_id!r} is the name of one of the EPUB's own files: choose another id"
    return [Diagnostic(shown, root.sourceline, 0, "E055", message)]


# Deeper than any text needs (the edition's sources nest 7 deep); far deeper, WeasyPrint runs
# out of stack laying it out.
MAX_DEPTH = 40


def _deep_nesting(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    depth = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            message = (
                f"elements nested more than {MAX_DEPTH} deep, here <{etree.QName(element).localname}>: unnest them"
            )
            return [Diagnostic(shown, element.sourceline, 0, "E056", message)]
    return []


def _text_problems(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    """The typographic rules over the text, except in a block of code (`p rend="code"`): a
    program's quotes and hyphens are its own."""
    problems = []
    for element, text, line in _texts(tree):
        found = [(match, code, message) for pattern, code, message in TEXT_RULES for match in pattern.finditer(text)]
        if found and not _in_code(element):  # the rules first: they rarely match, and are quicker to run
            problems += [
                Diagnostic(shown, _line_of(text, match.start(), line), 0, code, message.format(match.group()))
                for match, code, message in found
            ]
    return problems


def _in_code(element: etree._Element) -> bool:
    return any(e.get("rend") == "code" for e in (element, *element.iterancestors(f"{{{TEI}}}p")))


def _unlogged_version(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    """The edition's version has its line in the change log (`edition archive` refuses it too)."""
    edition = tree.getroot().find("tei:teiHeader/tei:fileDesc/tei:editionStmt/tei:edition", NS)
    version = edition.get("n") if edition is not None else None
    changes = tree.getroot().iterfind("tei:teiHeader/tei:revisionDesc/tei:change", NS)
    if version is None or any(change.get("n") == version for change in changes):
        return []
    message = f'version {version} has no <change n="{version}"> in revisionDesc: say there what changed in it'
    return [Diagnostic(shown, edition.sourceline, 0, "E060", message)]


def _empty_elements(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    problems = []
    for element in tree.getroot().iter(etree.Element):
        name = etree.QName(element).localname
        if name in MUST_HAVE_TEXT and not "".join(element.itertext()).strip():
            problems.append(
                Diagnostic(shown, element.sourceline, 0, "E053", f"empty <{name}>: give it text or remove it")
            )
    return problems


def _duplicate_ids(trees: dict[Path, etree._ElementTree], project: Project) -> list[Diagnostic]:
    """An id must be unique across the edition: the print edition is one document."""
    seen: dict[str, str] = {}
    problems = []
    for path, tree in trees.items():
        shown = display_path(path, project.root)
        for element in tree.getroot().iter(etree.Element):
            identifier = element.get(XML_ID)
            if identifier is None:
                continue
            if identifier in seen:
                problems.append(
                    Diagnostic(
                        shown, element.sourceline, 0, "E040", f"id {identifier} is already used in {seen[identifier]}"
                    )
                )
            else:
                seen[identifier] = shown
    return problems


def foreign_terms(register: etree._ElementTree | None) -> dict[str, str]:
    """The register's terms in another language, each with its language: kolkhoz → ru."""
    if register is None:
        return {}
    return {
        "".join(term.itertext()).strip(): term.get(XML_LANG)
        for term in register.iterfind(".//tei:list[@type='terms']/tei:item/tei:term", NS)
        if term.get(XML_LANG)
    }


def _untagged_foreign_terms(tree: etree._ElementTree, shown: str, terms: dict[str, str]) -> list[Diagnostic]:
    """A word of another language in an essay, not marked with its language."""
    if not terms:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)) + r")\b")
    problems = []
    body = tree.getroot().find("tei:text", NS)
    for element, text, line in _texts(tree):
        if not _is_inside(element, body) or any(a.get(XML_LANG) for a in _self_and_ancestors(element, body)):
            continue
        for match in pattern.finditer(text):
            word = match.group()
            problems.append(
                Diagnostic(
                    shown,
                    _line_of(text, match.start(), line),
                    0,
                    "E052",
                    f'{word!r} is not English: mark it <foreign xml:lang="{terms[word]}">',
                )
            )
    return problems


def _self_and_ancestors(element: etree._Element, stop: etree._Element) -> Iterator[etree._Element]:
    while element is not None and element is not stop:
        yield element
        element = element.getparent()


def _is_inside(element: etree._Element, container: etree._Element | None) -> bool:
    return container is not None and (element is container or container in element.iterancestors())


# What would break an output rather than the text (E080–E083) -----------------------------------


def output_hazards(trees: dict[Path, etree._ElementTree], project: Project) -> list[Diagnostic]:
    """A name of the outputs that is missing or not a plain name (E080, `read.imprint_problems`),
    a word too long to lay out (E081), a source id the outputs give an element of their own
    (E082), a date that is no day of the calendar (E083)."""
    texts = [
        tree for path, tree in trees.items() if path.name not in NOT_ESSAYS and tree.find("tei:text", NS) is not None
    ]
    essays = [tree.getroot().get(XML_ID) for tree in texts]
    notes = [note.get(XML_ID) for tree in texts for note in tree.iterfind(".//tei:note[@place='end']", NS)]
    generated = generated_ids([essay for essay in essays if essay], [note for note in notes if note])
    problems = []
    for path, tree in trees.items():
        shown = display_path(path, project.root)
        if path == project.edition_file:
            problems += imprint_problems(tree, shown)
        problems += _long_words(tree, shown)
        problems += _generated_id_clashes(tree, shown, generated, essay=tree in texts)
        problems += _impossible_dates(tree, shown)
    return problems


# A word longer than this, in characters, is refused (E081). A word, here, is a run of text with
# no place a line may break in it (`BREAK`). WeasyPrint looks for a line's end in the next
# 4 × (measure ÷ font size) characters, about 140 in the text block; when it finds no place to
# break there, it lays out the whole rest of the paragraph again for each line, and the layout of
# a paragraph takes time that grows with the square of its length: from words of about 65
# characters on (docs/benchmarks.md). 50 keeps a margin for block quotations and lists, which
# are narrower; no word of a language needs more, and a web address breaks at its slashes.
WORD_LIMIT = 50
SPACE = " \t\n\r\f\v\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000"  # not U+00A0…
# Where a line may break, as Unicode's line breaking rules (UAX #14) and Pango allow it, taken
# narrowly, so that no run Pango cannot break is counted short: after spaces before a letter or a
# digit (unless an opening bracket stands before them: `_breaks`); after a zero-width space; after
# a hyphen, dash, slash or soft hyphen between a letter or digit and a letter. ". . . ." has none.
BREAK = re.compile(rf"[{re.escape(SPACE)}]+(?=[^\W_])|(?<=\u200b)|(?<=[^\W_][-/\u00ad\u2010\u2013\u2014])(?=[^\W\d_])")
# The phrase-level elements of the schema, which the outputs set in the line of the text around
# them: a word runs on through them. Every other element stands apart (a paragraph, a note, a
# line break, a reading corrected, which the table of corrections sets in a cell of its own).
RUN_ON = {"hi", "emph", "title", "foreign", "q", "persName", "orgName", "name", "term", "ref", "choice", "corr",
          "anchor", "date", "bibl"}  # fmt: skip


def _long_words(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    problems = []
    for text, lines in _texts_apart(tree):
        for offset, length in _words_too_long(text):
            at, line = max((at, line) for at, line in lines if at <= offset)
            message = (
                f"a word of {length:,} characters with no place a line may break, longer than the "
                f"{WORD_LIMIT} allowed: put a space, or a zero-width space (&#x200B;), where a line may break"
            )
            problems.append(Diagnostic(shown, line + text.count("\n", at, offset), 0, "E081", message))
    return problems


# Remembered by the text: `edition watch` checks every text of the edition at each save, and a
# save changes one or two of them.
@functools.lru_cache(maxsize=16384)
def _words_too_long(text: str) -> tuple[tuple[int, int], ...]:
    """Where each word longer than `WORD_LIMIT` starts in `text`, and its length."""
    found = []
    start = 0
    for end in [*_breaks(text), len(text)]:
        word = text[start:end].strip(SPACE)
        if len(word) > WORD_LIMIT:
            found.append((start + text[start:end].index(word[0]), len(word)))
        start = end
    return tuple(found)


def _breaks(text: str) -> Iterator[int]:
    """The places in `text` where a line may break (`BREAK`)."""
    for match in BREAK.finditer(text):
        if not match.group():
            yield match.start()
        elif not match.start() or unicodedata.category(text[match.start() - 1]) != "Ps":  # "( x" does not break
            yield match.end()


def _texts_apart(tree: etree._ElementTree) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """The text of each element that the outputs set apart, the markup of its phrases taken
    away, with where its pieces start: (offset in that text, line in the file)."""
    text: list[str] = []
    lines: list[tuple[int, int]] = []
    length = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        name = etree.QName(element).localname
        if text and name not in RUN_ON and not (name == "note" and element.get("place") == "inline"):
            yield "".join(text), lines
            text, lines, length = [], [], 0
        piece = (element.text if event == "start" else element.tail) or ""
        if piece:
            lines.append((length, element.sourceline if event == "start" else _tail_line(element)))
            text.append(piece)
            length += len(piece)
    if text:
        yield "".join(text), lines


def _tail_line(element: etree._Element) -> int:
    """The line the text after an element starts on."""
    following = element.getnext()
    return following.sourceline - (element.tail or "").count("\n") if following is not None else element.sourceline


def generated_ids(essays: list[str], notes: list[str]) -> list[tuple[re.Pattern, str]]:
    """The ids the renderers give the elements they make (`html/templates`, `html/shared.py`),
    each as a pattern with what it names: a source id of one of these forms would be a second
    element with that id in the PDF, which is one document, or in an EPUB chapter.
    tests/html/test_render.py holds the renderers to this list."""
    essay = "|".join(map(re.escape, essays)) or "(?!)"
    note = "|".join(map(re.escape, notes)) or "(?!)"
    parts = r"title|credit|notes|notes-head|editorial-notes|editorial-notes-head|(front|p|s|q|l|bio)\d+"
    table = [
        (r"title-page|colophon|colophon-head", "the title page and the colophon"),
        (r"contents|toc|toc-head|landmarks|page-list", "the contents and the navigation"),
        (r"register|register-head", "the register"),
        (r"register-intro", "the register's introduction"),
        (r"register-.+", "the register's sections"),
        (r"works-intro-.+|source-.+", "the register's list of the essays as first published"),
        (r"further-reading|further-reading-.+", "the further reading"),
        (r"note-on-the-text|conventions-.+|corrections|corrections?-.+", "the note on the text"),
        (r"(call|fn|note)-.+", "the editorial notes and their calls"),
        (r"page-.+", "the marks of the print pages"),
        (r"kobo\..+", "the Kobo edition's sentence spans (ereader/kepub.py)"),
        (rf"({essay})-({parts})(-.+)?", "the headings, paragraphs and notes of an essay"),
        (rf"({note})-(call|m)\d+(-.+)?", "the calls of an author's note and the names it marks"),
    ]
    return [(re.compile(pattern), what) for pattern, what in table]


def _generated_id_clashes(
    tree: etree._ElementTree, shown: str, generated: list[tuple[re.Pattern, str]], essay: bool
) -> list[Diagnostic]:
    root = tree.getroot()
    problems = []
    for element in root.iter(etree.Element):
        value = element.get(XML_ID)
        if value is None or (element is root and (not essay or value.casefold() in EPUB_NAMES)):
            continue  # the id of a file that is not a text, which no output prints; or E055's
        what = next((what for pattern, what in generated if pattern.fullmatch(value)), None)
        if what:
            message = f"xml:id {value!r} is an id the outputs give {what}, where it would stand twice: choose another"
            problems.append(Diagnostic(shown, element.sourceline, 0, "E082", message))
    return problems


DATED = ("when", "from", "to", "notBefore", "notAfter")


def _impossible_dates(tree: etree._ElementTree, shown: str) -> list[Diagnostic]:
    """A date of the form TEI gives (`2026`, `2026-05`, `2026-05-14`) that no calendar has."""
    return [
        Diagnostic(shown, element.sourceline, 0, "E083", f"{value!r} is not a date: there is no such day or month")
        for element in tree.getroot().iter(etree.Element)
        for value in (element.get(name) for name in DATED)
        if value and re.fullmatch(r"\d{4}(-\d{2}){0,2}", value) and first_day(value) is None
    ]
