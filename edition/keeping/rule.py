"""The version rule of the README, as `edition archive` enforces it.

After version X.Y.Z, the next is:

- (X+1).0.0 if the reading text changed other than by a recorded correction: words of a passage
  whose received text changed, a paragraph (or other passage) added, removed, split or joined,
  an essay added or removed;
- else X.(Y+1).0 if apparatus was added: a register entry, a note of commentary;
- else X.Y.(Z+1): corrections (a recorded correction added, removed or changed, a note
  reworded) and anything else.

`check_version` takes the `diff.Diff` of the last archived version and this one, and refuses
(an `EditionError`, one line) any other number, naming what changed; `archive` lets a number
through against the rule only with a reason (`--allow-version`).
"""

from __future__ import annotations

import re

from ..errors import EditionError
from .diff import Diff, Passage, span

LEVELS = ("patch", "minor", "major")
NUMBER = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")  # as the schema has it


def parse_version(version: str) -> tuple[int, int, int]:
    """MAJOR.MINOR.PATCH as three numbers; `EditionError` if `version` is not of that form."""
    match = NUMBER.fullmatch(version)
    if not match:
        raise EditionError(
            f"the edition's version {version!r} is not MAJOR.MINOR.PATCH (such as 1.2.0): the version rule "
            "of the README numbers every version so"
        )
    return int(match[1]), int(match[2]), int(match[3])


def level(diff: Diff) -> tuple[str, list[str]]:
    """Which number the changes raise (`LEVELS`), and what changed that calls for it."""
    major = [reason for essay in diff.essays for reason in _text_changes(essay)]
    if major:
        return "major", major
    minor = [f"register entry {item.id} added" for item in diff.entries if item.kind == "added"]
    minor += [f"note of commentary {item.id} added ({item.label})" for item in diff.commentary if item.kind == "added"]
    if minor:
        return "minor", minor
    patch = [f"correction in {item.label} {item.kind}" for item in diff.corrections]
    patch += [f"register entry {item.id} {item.kind}" for item in diff.entries]
    patch += [f"note of commentary {item.id} {item.kind}" for item in diff.commentary]
    return "patch", patch or ["no change to the text or apparatus"]


def _text_changes(essay) -> list[str]:
    """What changed in an essay's reading text other than by recorded corrections."""
    if essay.present != "both":
        return [f"the essay {essay.name} ({essay.id}) {essay.present}"]
    return [_said(essay.name, passage) for passage in [*essay.paragraphs, *essay.other] if _unrecorded(passage)]


def _unrecorded(passage: Passage) -> bool:
    return passage.kind not in ("same", "changed") or (passage.kind == "changed" and not passage.corrected)


def _said(name: str, passage: Passage) -> str:
    old, new = span(passage.old), span(passage.new)
    return {
        "changed": f"{name} {new}: words changed, not by a recorded correction",
        "split": f"{name} {old} split into {new}",
        "joined": f"{name} {old} joined into {new}",
        "inserted": f"{name} {new} added",
        "deleted": f"{name} {old} removed",
    }[passage.kind]


def next_version(previous: str, raised: str) -> str:
    major, minor, patch = parse_version(previous)
    if raised == "major":
        return f"{major + 1}.0.0"
    if raised == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def check_version(previous: str, version: str, diff: Diff) -> None:
    """Refuse `version` after `previous` unless it is the number the rule gives for `diff`."""
    parse_version(version)
    raised, reasons = level(diff)
    expected = next_version(previous, raised)
    if version == expected:
        return
    more = f" and {len(reasons) - 1} more change{'s' if len(reasons) > 2 else ''}" if len(reasons) > 1 else ""
    raise EditionError(
        f"version {version} does not follow the version rule: after {previous} the next version is {expected}, "
        f"a {raised} change ({reasons[0]}{more}); number it so in source/edition.xml, or give the reason to keep "
        f"{version} with --allow-version REASON"
    )
