"""`edition import FILE`: a document taken into the project as an essay of the edition.

`import_document` reads the file (DOCX, ODT, Markdown and HTML through `pandoc`, plain text
through `plaintext`), writes it as `source/<id>.xml` (`essay`), lists it in `source/edition.xml`
(a `ptr`, after the texts already listed, and a line at the head of the change log), and keeps
the file as received in `tests/received/<id><suffix>` for the fidelity tests. The new text must
then pass `edition check`; if it does not, or anything else fails, every file is put back as it
was and the problems are reported. Hands the command line an `Imported`: what was written, and
what the import did (blocks, notes, typographic changes, what it could not place).

The file is the one the user named: it may lie outside the project, but it must be a regular
file itself (not a symlink, a FIFO, a device or a folder), of at most `MAX_BYTES`, and of a
format the import reads. Nothing it names is fetched or run.
"""

from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from ..errors import EditionError, SourceError, display_path
from ..gate import KINDS, inside_project, regular_file_opener, write_atomically
from ..project import Project
from ..sources.check import EPUB_NAMES, foreign_terms, run_checks
from ..sources.dates import source_date_epoch
from ..sources.read import parse_xml
from ..sources.tei import NS
from . import pandoc, plaintext
from .essay import Metadata, essay_file
from .plaintext import PROSE
from .received import Heading, Received, tei

MAX_BYTES = 50 << 20  # a book-length DOCX with images is a few MB; more is not a text
ESSAY_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
ISO_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")
ZIP_MEMBER = {".docx": "word/document.xml", ".odt": "content.xml"}
OLE = b"\xd0\xcf\x11\xe0"  # an encrypted Office file (or an old .doc) is an OLE compound file
TEXT_SUFFIXES = (".txt",)


@dataclass(frozen=True)
class Request:
    """What the editor asked for: the file, and what it cannot say of itself."""

    path: Path
    essay_id: str = ""
    title: str = ""
    author: str = ""
    date: str = ""
    source: str = ""
    rights: str = ""
    reading: bool = False  # a text for course readers only, which the edition does not print


@dataclass
class Imported:
    essay: Path
    received: Path
    blocks: Counter = field(default_factory=Counter)
    notes: int = 0
    typography: Counter = field(default_factory=Counter)
    languages_marked: int = 0  # the register's terms of another language, marked where they stand
    left_out: list[str] = field(default_factory=list)


def import_document(project: Project, request: Request) -> Imported:
    """Take the file in; see the module docstring. `EditionError` (exit 2) for a file or a
    request the import refuses, `SourceError` (exit 1) if the text written would not pass the
    checks; in both cases the project is left as it was."""
    path = request.path
    shown = str(path)
    data = _read(path, shown)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        if not (request.title and request.author):
            raise EditionError(f"{shown}: a plain text does not say its title and author: give --title and --author")
        received = plaintext.read_text(_decoded(data, shown))
    elif suffix in pandoc.FORMATS:
        _check_container(data, suffix, shown)
        received = pandoc.read_document(data, suffix, shown)
    else:
        known = ", ".join(sorted({*pandoc.FORMATS, *TEXT_SUFFIXES}))
        raise EditionError(f"{shown}: the import does not read {suffix or 'files without a suffix'}; it reads {known}")
    edition = parse_xml(project.edition_file, project)
    metadata = _metadata(edition, request, received, shown)
    _leave_out_the_title_lines(received, metadata)
    essay = project.source_dir / f"{metadata.essay_id}.xml"
    copy = project.received_dir / f"{metadata.essay_id}{suffix}"
    for target in (essay, copy):
        if os.path.lexists(target):
            raise EditionError(f"{display_path(target, project.root)} exists already: choose another --id")
    text, typography, marked = essay_file(received, metadata, _foreign_terms(project, edition))
    edition_before = inside_project(project.edition_file, project.root).read_bytes()
    problems_before = _problems(project)
    edition_after = listed(edition_before, metadata, request, _today())
    written: list[Path] = []
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        for target, content in ((essay, text), (copy, data)):
            write_atomically(target, content)
            written.append(target)
        write_atomically(project.edition_file, edition_after)
        _check_new_text(project, problems_before)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        write_atomically(project.edition_file, edition_before)
        raise
    left_out = [f"{item} (×{count})" if count > 1 else item for item, count in Counter(received.left_out).items()]
    return Imported(essay, copy, _blocks(received), len(received.notes), +typography, marked, left_out)


def _read(path: Path, shown: str) -> bytes:
    """The named file's bytes, if it is a regular file of at most MAX_BYTES (a symlink, FIFO,
    device or folder is refused before it is opened)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise EditionError(f"{shown}: file not found") from None
    except OSError as error:
        raise EditionError(f"{shown}: cannot be read: {error.strerror}") from None
    if stat.S_ISLNK(mode):
        raise EditionError(f"{shown}: refused: it is a symlink; name the file itself")
    if not stat.S_ISREG(mode):
        raise EditionError(f"{shown}: refused: it is {KINDS.get(stat.S_IFMT(mode), 'not a regular file')}")
    try:
        with open(path, "rb", opener=regular_file_opener) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise EditionError(f"{shown}: cannot be read: {error.strerror}") from None
    if not data:
        raise EditionError(f"{shown}: the file is empty")
    if len(data) > MAX_BYTES:
        raise EditionError(f"{shown}: larger than {MAX_BYTES >> 20} MB: not a text the import takes")
    return data


def _decoded(data: bytes, shown: str) -> str:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise EditionError(f"{shown}: not UTF-8 text (byte {error.start + 1}): save it as UTF-8") from None
    controls = [c for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f"]
    if controls:
        raise EditionError(f"{shown}: binary data, not text (it holds control character U+{ord(controls[0]):04X})")
    if not text.strip():
        raise EditionError(f"{shown}: the file holds no text")
    return text


def _check_container(data: bytes, suffix: str, shown: str) -> None:
    """A DOCX or ODT is a ZIP archive holding its document; say plainly what else it is."""
    if suffix not in ZIP_MEMBER:
        return
    kind = suffix[1:].upper()
    if data.startswith(OLE):
        raise EditionError(f"{shown}: encrypted, or an old binary Word file: save it unprotected as {kind}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise EditionError(f"{shown}: not a {kind} file (not a whole ZIP archive): damaged or cut short?") from None
    if ZIP_MEMBER[suffix] not in names:
        raise EditionError(f"{shown}: a ZIP archive, but not a {kind} file (it has no {ZIP_MEMBER[suffix]})")


def _metadata(edition: etree._ElementTree, request: Request, received: Received, shown: str) -> Metadata:
    title = request.title or received.title
    author = request.author or received.author
    if not title:
        raise EditionError(f"{shown}: the document does not say its title: give --title")
    if not author:
        raise EditionError(f"{shown}: the document does not say its author: give --author")
    date = request.date or received.date
    if date and not ISO_DATE.fullmatch(date):
        if request.date:
            raise EditionError(
                f"--date {date!r}: give a year, a year and month, or a day, as 1988, 1988-05 or 1988-05-14"
            )
        received.left_out.append(f"the document's date {date!r}, which is not a date such as 1988-05-14 (give --date)")
        date = ""
    essay_id = request.essay_id or _id_from(author, date)
    if not essay_id:
        raise EditionError(f"{shown}: give --id (such as roe-2001): the id is made from the author and the year")
    if not ESSAY_ID.fullmatch(essay_id) or essay_id in EPUB_NAMES:
        raise EditionError(
            f"--id {essay_id!r}: an id is lower-case letters and figures joined by hyphens, such as roe-2001, "
            "and not the name of one of the EPUB's own files"
        )
    header = edition.getroot().find("tei:teiHeader/tei:fileDesc", NS)
    titles = [" ".join("".join(t.itertext()).split()) for t in header.iterfind("tei:titleStmt/tei:title", NS)]
    publisher = header.find("tei:publicationStmt/tei:publisher", NS)
    return Metadata(
        essay_id=essay_id,
        title=" ".join(title.split()),
        author=" ".join(author.split()),
        date=date,
        source=" ".join(request.source.split()),
        rights=" ".join(request.rights.split()),
        edition_title=": ".join(titles),
        publisher=" ".join("".join(publisher.itertext()).split()) if publisher is not None else "the editors",
        received_from=request.path.name,
    )


def _leave_out_the_title_lines(received: Received, metadata: Metadata) -> None:
    """The paragraphs, before the first of prose, that print only the title, the author or the
    date (as a plain text, or an ODT, which Pandoc does not read the metadata of, has them): the
    essay's front prints them."""
    wanted = {metadata.title, metadata.author, metadata.date} - {""}
    kept = []
    in_head = True
    for block in received.blocks:
        text = " ".join("".join(block.itertext()).split()) if not isinstance(block, Heading) else ""
        in_head = in_head and len(text) < PROSE
        if in_head and text in wanted and block.tag == tei("p").tag and not len(block):
            wanted.discard(text)
            continue
        kept.append(block)
    received.blocks = kept


def _id_from(author: str, date: str) -> str:
    """author-year from the author's last name and the date's year ("" without a year)."""
    if not date or not author.split():
        return ""
    name = unicodedata.normalize("NFKD", author.split()[-1]).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9]+", "", name)
    return f"{name}-{date[:4]}" if name else ""


def listed(edition: bytes, metadata: Metadata, request: Request, today: str) -> bytes:
    """edition.xml with the new text listed after the texts already listed (or first in the
    body) and a line at the head of its change log; every other byte as it was."""
    text = edition.decode("utf-8")
    kind = "reading" if request.reading else "essay"
    pointer = f'<ptr type="{kind}" target="{metadata.essay_id}.xml"/>'
    texts = list(re.finditer(r'(?m)^([ \t]*)<ptr type="(?:essay|reading)"[^>]*/>[ \t]*\n', text))
    if texts:
        last = texts[-1]
        text = text[: last.end()] + last.group(1) + pointer + "\n" + text[last.end() :]
    else:
        body = re.search(r"(?m)^([ \t]*)<body>[ \t]*\n", text)
        if body is None:
            raise EditionError("source/edition.xml: no <body> on a line of its own to list the text in")
        indent = body.group(1) + "  "
        text = text[: body.end()] + indent + pointer + "\n" + text[body.end() :]
    change = re.search(r"(?m)^([ \t]*)<revisionDesc>[ \t]*\n", text)
    if change:
        indent = change.group(1) + "  "
        what = "a reading for course readers" if request.reading else "an essay"
        line = (
            f'<change when="{today}">Added {what}: {escape(metadata.author)}, “{escape(metadata.title)}” '
            f"({metadata.essay_id}.xml), imported from {escape(metadata.received_from)}.</change>"
        )
        text = text[: change.end()] + indent + line + "\n" + text[change.end() :]
    return text.encode("utf-8")


def _today() -> str:
    """The change log's date: SOURCE_DATE_EPOCH's day if set (the tests), else today's."""
    epoch = source_date_epoch()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.date().isoformat()


def _foreign_terms(project: Project, edition: etree._ElementTree) -> dict[str, str]:
    """The register's terms of another language, if the edition file (parsed) lists a register."""
    register = project.source_dir / "register.xml"
    if edition.find("tei:text/tei:body/tei:ptr[@type='register']", NS) is None or not register.is_file():
        return {}
    return foreign_terms(parse_xml(register, project))


def _problems(project: Project) -> set[tuple[str, str, str]]:
    """The checks' problems, each without its line and column (which the import moves)."""
    return {(problem.path, problem.code, problem.message) for problem in run_checks(project)}


def _check_new_text(project: Project, before: set[tuple[str, str, str]]) -> None:
    """`SourceError` with the checks' problems that the import brought, wherever they are
    reported: an id of the new text may be reported in the register that used it first."""
    new = [problem for problem in run_checks(project) if (problem.path, problem.code, problem.message) not in before]
    if new:
        raise SourceError(new)


def _blocks(received: Received) -> Counter:
    counts: Counter = Counter()
    for block in received.blocks:
        if isinstance(block, Heading):
            counts["heading"] += 1
        else:
            kind = etree.QName(block).localname
            counts[{"p": "paragraph", "quote": "block quotation", "list": "list"}[kind]] += 1
    return counts
