"""Course reader profiles: which texts, in which order, for which course, on which paper.

A profile is a small TOML file (see `readers/example.toml`). `load_profile` reads it through the
gate, as a file the user named, and checks it, each field within its limit; `apply_profile`
narrows the edition to the chosen essays, so the register, the footnotes, the further reading and
the note on the text speak only of what the reader prints, and makes it a `CourseReader`: a book
of its own, which the EPUB gives its own identifier, title and cover. Hands on an `Edition` (a
`CourseReader` for a reader) and a `Profile`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EditionError
from ..gate import read_named
from .model import Edition, RegisterSection

PAPER = {"a4": "A4", "letter": "letter"}


@dataclass(frozen=True)
class Profile:
    """How one course prints the edition. The default is the full edition on A4."""

    essays: tuple[str, ...] = ()
    course_title: str = ""
    course_code: str = ""
    paper: str = "a4"
    pad_to_four: bool = False
    # The profile as read through the gate, which the build record hashes; not a setting (two
    # profiles with the same settings are the same, whatever their comments).
    text: str = field(default="", compare=False)

    @property
    def page_size(self) -> str:
        return PAPER[self.paper]

    @property
    def course(self) -> str:
        return " · ".join(part for part in (self.course_code, self.course_title) if part)

    @property
    def digest(self) -> str:
        """A hash of every setting: two profiles with the same settings make the same reader,
        whatever else their text holds (comments, spacing)."""
        chosen = {setting.name: getattr(self, setting.name) for setting in dataclasses.fields(self) if setting.compare}
        settings = json.dumps(chosen, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(settings.encode()).hexdigest()


DEFAULT = Profile()


@dataclass
class CourseReader(Edition):
    """The edition as a course's profile narrows it: a book of its own (see `epub`)."""

    profile: Profile = DEFAULT
    # The whole edition's texts in its own order: a reader names its authors in that order, as the
    # edition does, whatever order it prints the texts in, so that a library lists both books alike.
    edition_order: tuple[str, ...] = ()

    @property
    def authors(self) -> list[str]:
        order = {essay_id: index for index, essay_id in enumerate(self.edition_order)}
        return [essay.author for essay in sorted(self.essays, key=lambda essay: order.get(essay.id, len(order)))]

    @property
    def book_title(self) -> str:
        """The title a catalogue lists, saying first what the book is ("HIST 2301 Course Reader:
        …"), so that a list that cuts titles short tells it from the edition; then the course's title."""
        code = f"{self.profile.course_code} " if self.profile.course_code else ""
        course = f" — {self.profile.course_title}" if self.profile.course_title else ""
        return f"{code}Course Reader: {self.full_title}{course}"


# Control characters (line breaks, form feeds, tabs…) and separators no title or code needs:
# they would reach the pages' CSS and the title page's XHTML.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A profile is flat: a few keys, one list. Deeper nesting is not a profile (and tomllib recurses).
MAX_NESTING = 8


def _nesting(text: str) -> int:
    """How deeply brackets and braces nest outside strings and comments, as a guard before
    parsing (roughly: a bracket inside a multi-line string counts too)."""
    depth = deepest = 0
    # Equivalent mutants of both `quote = None`: "", read only for its truth, is as None.
    quote = None  # pragma: no mutate
    for line in text.splitlines():
        for ch in line:
            if quote:
                if ch == quote:
                    quote = None  # pragma: no mutate
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif ch in "]}":
                depth = max(depth - 1, 0)
    return deepest


KEYS = {"essays", "course_title", "course_code", "paper", "pad_to_multiple_of_4"}


# A profile names a few texts and two short fields: the example has 820 bytes.
PROFILE_LIMIT = 65_536
# The course's title and code stand on the title page and in the foot of every page, where a
# long one costs layout time on every page; these are longer than any course's.
FIELD_LIMITS = {"course_title": 200, "course_code": 40}


def load_profile(path: Path, root: Path) -> Profile:
    """Read a profile, through the gate as a file the user named (`gate.read_named`: inside the
    project `root` as its own files are; outside it only as a regular file), of at most
    `PROFILE_LIMIT` bytes; every mistake in it is an `EditionError` naming the file."""
    try:
        text = read_named(path, root, PROFILE_LIMIT, "a reader profile").decode("utf-8")
    except UnicodeDecodeError as error:
        raise EditionError(f"{path}: not a valid TOML file: {error}") from None
    if _nesting(text) > MAX_NESTING:
        raise EditionError(f"{path}: not a reader profile: its tables or lists are nested too deeply")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EditionError(f"{path}: not a valid TOML file: {error}") from None
    except RecursionError:
        raise EditionError(f"{path}: not a reader profile: its tables or lists are nested too deeply") from None
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise EditionError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(KEYS))}")
    paper = str(data.get("paper", "a4")).lower()
    if paper not in PAPER:
        raise EditionError(f"{path}: paper must be one of {', '.join(PAPER)}, not {paper!r}")
    essays = data.get("essays", [])
    if not isinstance(essays, list) or not all(isinstance(e, str) for e in essays):
        raise EditionError(f'{path}: essays must be a list of essay ids, such as ["weissman-1988"]')
    if len(set(essays)) < len(essays):
        twice = sorted({e for e in essays if essays.count(e) > 1})
        raise EditionError(f"{path}: essays lists {', '.join(map(repr, twice))} more than once")
    for key in ("course_title", "course_code"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise EditionError(f"{path}: {key} must be text")
        if len(value) > FIELD_LIMITS[key]:
            raise EditionError(f"{path}: {key} has {len(value):,} characters; it may have at most {FIELD_LIMITS[key]}")
        if control := CONTROL.search(value):
            raise EditionError(
                f"{path}: {key} holds a control character (U+{ord(control.group()):04X}) at character "
                f"{control.start() + 1}: it must be plain text on one line"
            )
    if not isinstance(data.get("pad_to_multiple_of_4", False), bool):
        raise EditionError(f"{path}: pad_to_multiple_of_4 must be true or false")
    return Profile(
        essays=tuple(essays),
        course_title=data.get("course_title", ""),
        course_code=data.get("course_code", ""),
        paper=paper,
        pad_to_four=data.get("pad_to_multiple_of_4", False),
        text=text,
    )


def apply_profile(edition: Edition, profile: Profile, source: Path | None = None) -> Edition:
    """The edition narrowed to the profile's texts, in its order (all its essays if it names
    none), as a `CourseReader`; for the default profile and no profile file, the edition itself,
    narrowed to its own essays if the project also holds readings."""
    if profile == DEFAULT and source is None:
        return narrowed(edition, [essay.id for essay in edition.essays]) if edition.readings else edition
    known = [essay.id for essay in [*edition.essays, *edition.readings]]
    if not profile.essays:
        return _reader(narrowed(edition, [essay.id for essay in edition.essays]), profile, known)
    missing = [essay_id for essay_id in profile.essays if essay_id not in known]
    if missing:
        raise EditionError(
            f"{source or 'profile'}: no essay {', '.join(map(repr, missing))}; the edition has {', '.join(known)}"
        )
    return _reader(narrowed(edition, list(profile.essays)), profile, known)


def narrowed(edition: Edition, chosen: list[str]) -> Edition:
    """The edition printing the texts `chosen` (ids of its essays or readings), in that order:
    the register keeps only the places in them, and only the entries with a place left; the
    further reading, only the works that the notes it prints cite (the commentary called in
    those texts, the identifications of the entries kept)."""
    texts = {essay.id: essay for essay in [*edition.essays, *edition.readings]}
    sections = []
    for section in edition.register:
        entries = []
        for entry in section.entries:
            mentions = [m for m in entry.mentions if m.essay_id in chosen]
            if mentions:
                entries.append(dataclasses.replace(entry, mentions=mentions))
        if entries:
            sections.append(RegisterSection(section.title, entries))
    printed = {entry.id for section in sections for entry in section.entries} | {
        note.commentary.id for note in edition.notes.values() if note.commentary and note.essay_id in chosen
    }
    works = [work for work in edition.works if printed & set(work.cited_by)]
    essays = [texts[essay_id] for essay_id in chosen]
    return dataclasses.replace(edition, essays=essays, readings=[], register=sections, works=works)


def _reader(edition: Edition, profile: Profile, order: list[str]) -> CourseReader:
    fields = {field.name: getattr(edition, field.name) for field in dataclasses.fields(Edition)}
    return CourseReader(**fields, profile=profile, edition_order=tuple(order))
