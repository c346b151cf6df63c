"""`edition diff`'s three forms of a `diff.Diff`: lines for the terminal, JSON, and an HTML page.

The terminal's lines show each changed passage with its changed words marked as `[-removed-]`
and `{+added+}` (git's word diff), with the unchanged words between changes shortened, and the
citation map in runs ("¶1–11 → ¶1–11"). The JSON holds everything, the citation map paragraph by
paragraph (`essays[].citations`). The HTML page (`templates/diff.html.j2`) is self-contained: its
styles in the page, no script, no link out; the changed words as `del` and `ins`, each with a
word for a screen reader, the citation map of each essay as a table of every paragraph.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import jinja2

from ..errors import EditionError
from .diff import Diff, EssayChanges, Passage, Words, span
from .rule import level, next_version, parse_version

KINDS = {
    "same": "the same text",
    "changed": "changed",
    "split": "split",
    "joined": "joined",
    "inserted": "new",
    "deleted": "deleted",
}
CONTEXT = 6  # words of unchanged text kept on each side of a change, in the terminal


def verdict(diff: Diff) -> dict | None:
    """What the version rule says of the two versions (`follows`: whether NEW has the number the
    rule gives after OLD; None if the two have the same number); None where either number is not
    MAJOR.MINOR.PATCH."""
    try:
        expected = next_version(diff.old_version, level(diff)[0])
        parse_version(diff.new_version)
    except EditionError:
        return None
    raised, reasons = level(diff)
    follows = None if diff.new_version == diff.old_version else diff.new_version == expected
    return {"level": raised, "reasons": reasons, "next": expected, "follows": follows, "said": _follows(diff, follows)}


def _follows(diff: Diff, follows: bool | None) -> str:
    if follows is None:
        return f"both are numbered {diff.new_version}"
    return f"{diff.new_version} {'follows it' if follows else 'does not follow it'}"


def as_json(diff: Diff) -> str:
    essays = [
        {
            "id": essay.id,
            "name": essay.name,
            "present": essay.present,
            "citations": [
                {"old": passage.old_numbers, "new": passage.new_numbers, "kind": passage.kind}
                for passage in essay.paragraphs
            ],
            "changes": [asdict(passage) for passage in essay.changed],
        }
        for essay in diff.essays
    ]
    data = {
        "old": {"label": diff.old, "version": diff.old_version},
        "new": {"label": diff.new, "version": diff.new_version},
        "rule": verdict(diff),
        "essays": essays,
        **{part: [asdict(item) for item in getattr(diff, part)] for part in PARTS},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


PARTS = {"corrections": "Recorded corrections", "entries": "The register", "commentary": "Commentary",
         "mentions": "Mentions of register entries"}  # fmt: skip


def as_text(diff: Diff) -> list[str]:
    lines = [f"{diff.old} → {diff.new}"]
    rule = verdict(diff)
    if rule:
        reasons = rule["reasons"]
        more = f" and {len(reasons) - 1} more" if len(reasons) > 1 else ""
        lines.append(
            f"version rule: a {rule['level']} change ({reasons[0]}{more}): after {diff.old_version} comes "
            f"{rule['next']}; {rule['said']}"
        )
    lines += ["", "The reading text"]
    changed = [(essay, passage) for essay in diff.essays for passage in essay.changed]
    for essay, passage in changed:
        lines.append(f"  {essay.name} {heading(passage)}")
        if passage.words:
            lines.append(f"    {marked(passage.words)}")
    if not changed:
        lines.append("  no change")
    lines += ["", "Where each citation went"]
    for essay in diff.essays:
        lines += [f"  {essay.name}: {run}" for run in runs(essay)]
    for part, title in PARTS.items():
        items = getattr(diff, part)
        lines += ["", title] + [f"  {item.kind:8} {said(part, item)}" for item in items] + ([] if items else ["  none"])
    return lines


def heading(passage: Passage) -> str:
    """A passage as a reader finds it: where it was, where it is, what happened to it."""
    old, new = span(passage.old), span(passage.new)
    if passage.kind == "inserted":
        return f"{new}: new"
    if passage.kind == "deleted":
        return f"{old}: deleted"
    place = new if old == new else f"{old} → {new}"
    if passage.kind == "changed":
        return f"{place}: {'a recorded correction' if passage.corrected else 'changed'}"
    return f"{place}: {KINDS[passage.kind]}"


def said(part: str, item) -> str:
    """An item of the apparatus in a line."""
    if part == "corrections":
        if item.kind == "changed":
            return f"{item.label}: “{item.id}” now read as “{item.new}” (was “{item.old}”)"
        return f"{item.label}: “{item.old}” read as “{item.new}”"
    if part == "mentions":
        return f"{item.label}: {item.new} ({item.id})"
    if part == "commentary":
        return f"{item.id} at {item.label}"
    return f"{item.label} ({item.id})" + (": identification" if item.kind == "changed" else "")


def marked(words: tuple[Words, ...]) -> str:
    """The words of a change, git's way, with long unchanged runs shortened to their ends."""
    out = []
    last = len(words) - 1
    for index, run in enumerate(words):
        if run.kind == "removed":
            out.append(f"[-{run.text}-]")
        elif run.kind == "added":
            out.append(f"{{+{run.text}+}}")
        else:
            out.append(_shortened(run.text, CONTEXT if index else 0, CONTEXT if index < last else 0))
    return "".join(out)


def _shortened(text: str, before: int, after: int) -> str:
    """An unchanged run with only `before` words kept at its start and `after` at its end."""
    words = text.split()
    if len(words) <= before + after + 1:
        return text
    kept = [*words[:before], "…", *words[len(words) - after :]]
    return (" " if text[:1].isspace() else "") + " ".join(kept) + (" " if text[-1:].isspace() else "")


def runs(essay: EssayChanges) -> list[str]:
    """The citation map in runs: paragraphs matched one to one at the same offset together."""
    lines: list[str] = []
    group: list[Passage] = []

    def close() -> None:
        if group:
            old = [n for p in group for n in p.old_numbers]
            new = [n for p in group for n in p.new_numbers]
            lines.append(f"{_numbers(old)} → {_numbers(new)}")
            group.clear()

    for passage in essay.paragraphs:
        one_to_one = passage.kind in ("same", "changed")
        follows = one_to_one and group and passage.old_numbers[0] == group[-1].old_numbers[0] + 1
        if follows and _offset(passage) == _offset(group[-1]):
            group.append(passage)
            continue
        close()
        if one_to_one:
            group.append(passage)
        elif passage.kind == "inserted":
            lines.append(f"{span(passage.new)} new")
        elif passage.kind == "deleted":
            lines.append(f"{span(passage.old)} deleted")
        else:
            lines.append(f"{span(passage.old)} {passage.kind} into {span(passage.new)}")
    close()
    return lines or ["no paragraphs"]


def _offset(passage: Passage) -> int:
    return passage.new_numbers[0] - passage.old_numbers[0]


def _numbers(numbers: list[int]) -> str:
    return f"¶{numbers[0]}" if len(numbers) == 1 else f"¶{numbers[0]}–{numbers[-1]}"


def as_html(diff: Diff) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("diff.html.j2")
    return template.render(
        diff=diff, rule=verdict(diff), parts=PARTS, kinds=KINDS, heading=heading, said=said, span=span
    )
