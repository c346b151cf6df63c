"""The editorial notes: which footnotes the essays carry, and where each is called.

Two kinds of note serve the reader. An *identification* answers "who or what is this?" where an
essay first names a register entry; an entry marked register-only gets none, nor does a name
first met in an author's own note (those notes are references already, and the register
identifies all they cite), and a work named in the same block as its author (or editor) shares
one note with them rather than repeating it. A *commentary* note, read here from
`source/commentary.xml`, is called at an `anchor` in an essay: where the essay errs, where
historians disagree, or where a passage needs context.

Called by `read` with the essays the register stage returned, every mention anchored; hands
on new values: the notes, keyed by the anchor that calls each, in reading order
(`Edition.notes`), and the problems.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from ..errors import Diagnostic
from .model import Commentary, EditorialNote, Entry, Essay, Inline, Span
from .phrase import editors_inline
from .register import labelled_content
from .tei import NS, XML_ID


def read_commentary(tree: etree._ElementTree) -> tuple[list[Commentary], dict[str, int]]:
    """The commentary notes in source order (read as the essays are: `phrase`), and each note's
    source line."""
    notes, lines = [], {}
    for note in tree.getroot().iterfind("tei:standOff/tei:listAnnotation/tei:note", NS):
        notes.append(Commentary(note.get(XML_ID), note.get("target").removeprefix("#"), editors_inline(note)))
        lines[notes[-1].id] = note.sourceline
    return notes, lines


def editorial_notes(
    essays: list[Essay],
    entries: dict[str, Entry],
    commentary: list[Commentary],
    shown: dict[str, str],
    lines: dict[str, int],
) -> tuple[dict[str, EditorialNote], list[Diagnostic]]:
    """Every essay's editorial notes in reading order, by the anchor that calls each; and a
    problem for each commentary note whose anchor is missing, and each anchor with no note.

    `shown` maps an essay id (and "commentary") to the path shown in messages.
    """
    by_anchor: dict[str, Commentary] = {}
    problems = []
    for note in commentary:
        if note.anchor in by_anchor:  # one passage, one note: two would stand at one call
            message = f"commentary {note.id} targets #{note.anchor}, as {by_anchor[note.anchor].id} does"
            problems.append(Diagnostic(shown["commentary"], lines[note.id], 0, "E022", message))
        by_anchor.setdefault(note.anchor, note)
    notes: dict[str, EditorialNote] = {}
    for essay in essays:
        authors_notes = {note.id for note in essay.notes}
        for block, _where, content in labelled_content(essay):
            identify = block not in authors_notes
            for anchor, entry_ids, note in _calls(content, entries, by_anchor, identify):
                if entry_ids or note:
                    notes[anchor] = EditorialNote(anchor, essay.id, block, entry_ids, note)
                else:
                    line = int(_anchor_line(content, anchor))
                    message = f"anchor {anchor} is the target of no commentary note"
                    problems.append(Diagnostic(shown[essay.id], line, 0, "E023", message))
    called = {note.commentary.id for note in notes.values() if note.commentary}
    for note in commentary:
        if note.id not in called and by_anchor.get(note.anchor) is note:
            message = f"commentary {note.id} points at no anchor in an essay: #{note.anchor}"
            problems.append(Diagnostic(shown["commentary"], lines[note.id], 0, "E022", message))
    return notes, problems


def _anchor_line(content: list[Inline], anchor: str) -> str:
    return next(span.attrs["line"] for span in _spans(content, "anchor") if span.attrs["id"] == anchor)


def _calls(
    content: list[Inline], entries: dict[str, Entry], commentary: dict[str, Commentary], identify: bool
) -> Iterator[tuple[str, tuple[str, ...], Commentary | None]]:
    """The notes one block calls, in reading order: (anchor, entries identified, commentary).
    Where `identify` is false, only its commentary."""
    firsts = [
        span
        for span in _spans(content, "mention", "anchor")
        if span.kind == "anchor"
        or (identify and span.attrs.get("first") and not entries[span.attrs["ref"]].register_only)
    ]
    named = [span.attrs["ref"] for span in firsts if span.kind == "mention"]
    group = _named_together(named, entries)
    for span in firsts:
        if span.kind == "anchor":
            yield span.attrs["id"], (), commentary.get(span.attrs["id"])
            continue
        ref = span.attrs["ref"]
        members = tuple(other for other in named if group[other] == group[ref])
        if ref == members[-1]:  # a shared note is called after the last name it covers
            yield span.attrs["anchor"], members, None


def _named_together(named: list[str], entries: dict[str, Entry]) -> dict[str, str]:
    """For each entry named in a block, the first of those it shares a note with: a work, its
    authors and editors, and their other works named there."""
    group = {ref: ref for ref in named}

    def root(ref: str) -> str:
        while group[ref] != ref:
            ref = group[ref]
        return ref

    for ref in named:
        for person in entries[ref].related:
            if person in group:
                first, second = sorted((root(ref), root(person)), key=named.index)
                group[second] = first
    return {ref: root(ref) for ref in named}


def _spans(content: list[Inline], *kinds: str) -> Iterator[Span]:
    for part in content:
        if isinstance(part, Span):
            if part.kind in kinds:
                yield part
            yield from _spans(part.children, *kinds)
