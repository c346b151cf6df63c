"""The editor's assistant: `edition check --suspects`, `--mentions`, `--accept` and `--apply`.

`assist` checks the texts the edition lists (essays and readings) for scanning suspects
(`suspects`) and for names the register knows that are left unmarked, or that it lacks
(`mentions`), and hands on one line per finding, `file:line:col: CODE …`. It keeps, beside the
outputs (`dist/.edition-assistant.json`), the hash of each text as it was checked: `accept` (a
suspect's reading recorded as a correction) and `apply` (the unambiguous mentions marked) change
a text only if it is the one the editor last checked, and only at a place the check reported; a
text changed since, or a place that is no longer a suspect, is refused in one line and nothing is
written. Each change inserts markup and leaves every other byte of the file as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EditionError, display_path
from ..gate import inside_project, write_atomically
from ..project import Project
from ..sources.read import NOT_ESSAYS, TEXT_KINDS, parse_xml
from ..sources.tei import NS
from .mentions import Mention, Name, apply, find_mentions, name_words, register_names
from .rawxml import edited, line_and_column, offset_of
from .suspects import Suspect, find_suspects

RECORD = ".edition-assistant.json"
PLACE = re.compile(r"(?P<path>.+):(?P<line>\d+):(?P<column>\d+)")


@dataclass
class Findings:
    lines: list[str] = field(default_factory=list)
    suspects: int = 0
    unmarked: int = 0


def texts(project: Project) -> list[Path]:
    """The essays and readings the edition file lists, in order (not its register, commentary or
    further reading, which are no texts to check for scanning damage or unmarked names)."""
    tree = parse_xml(project.edition_file, project)
    pointers = tree.iterfind("tei:text/tei:body/tei:ptr", NS)
    targets = [ptr.get("target", "") for ptr in pointers if ptr.get("type") in TEXT_KINDS]
    return [project.source_dir / target for target in targets if target not in NOT_ESSAYS and "/" not in target]


def names_of(project: Project) -> list[Name]:
    register = project.source_dir / "register.xml"
    if not register.is_file():
        return []
    return register_names(parse_xml(register, project))


def findings_in(text: str, names: list[Name], suspects: bool, mentions: bool) -> tuple[list[Suspect], list[Mention]]:
    words = name_words(names)
    return (find_suspects(text, words) if suspects else []), (find_mentions(text, names) if mentions else [])


def assist(project: Project, suspects: bool, mentions: bool, only: list[Path] | None = None) -> Findings:
    """Every finding in the texts (or in `only`), and the record of the texts as checked."""
    names = names_of(project)
    findings = Findings()
    record = _record(project)
    for path in only if only is not None else texts(project):
        shown = display_path(path, project.root)
        text = _read(path, project)
        found_suspects, found_mentions = findings_in(text, names, suspects, mentions)
        findings.lines += [suspect.line(shown, text) for suspect in found_suspects]
        findings.lines += [mention.line(shown, text) for mention in found_mentions]
        findings.suspects += len(found_suspects)
        findings.unmarked += sum(mention.code == "M001" for mention in found_mentions)
        record[shown] = _digest(text)
    _keep(project, record)
    return findings


def watch_findings(project: Project, path: Path) -> dict[str, str]:
    """A text's findings for `edition watch`, each by what it says without its place (which
    moves as the text around it is edited): a save prints those it did not have before."""
    text = _read(path, project)
    shown = display_path(path, project.root)
    found_suspects, found_mentions = findings_in(text, names_of(project), suspects=True, mentions=True)
    lines = [item.line(shown, text) for item in [*found_suspects, *found_mentions] if item.code != "M003"]
    occurrences: Counter = Counter()
    keyed = {}
    for line in lines:
        said = line.split(": ", 1)[1]  # "S003 'tum' may be 'turn'", the nth time the text has it
        occurrences[said] += 1
        keyed[f"{said} ({occurrences[said]})"] = line
    return keyed


def accept(project: Project, places: list[str]) -> list[str]:
    """Each suspect at `places` (FILE:LINE:COL, as the last check printed them) recorded as a
    correction; the lines saying so. Every place is checked before any file is written."""
    words = name_words(names_of(project))
    chosen: dict[Path, list[Suspect]] = {}
    for place in places:
        match = PLACE.fullmatch(place)
        if not match:
            raise EditionError(f"--accept {place!r}: give the place as the check printed it, FILE:LINE:COL")
        path = (project.root / match["path"]).absolute()
        text = _checked(project, path, "--suspects")
        at = offset_of(text, int(match["line"]), int(match["column"]))
        suspect = next((s for s in find_suspects(text, words) if s.start == at), None)
        if suspect is None:
            raise EditionError(f"{place}: no suspect stands there; run `edition check --suspects` again")
        chosen.setdefault(path, []).append(suspect)
    said, changed = [], {}
    for path, suspects in chosen.items():
        text = _read(path, project)
        said += [f"accepted {suspect.line(display_path(path, project.root), text)}" for suspect in suspects]
        changed[path] = edited(text, [(s.start, s.end, s.as_choice()) for s in suspects])
    _write_all(project, changed)
    return said


def apply_mentions(project: Project) -> list[str]:
    """Every unambiguous mention the last `--mentions` check found, marked; the lines saying so."""
    names = names_of(project)
    changed, said = {}, []
    for path in texts(project):
        text = _checked(project, path, "--mentions")
        new, marked = apply(text, find_mentions(text, names))
        if marked:
            changed[path] = new
            shown = display_path(path, project.root)
            said += [
                f"marked {shown}:{':'.join(map(str, line_and_column(text, m.start)))}: {m.text!r} as #{m.entries[0]}"
                for m in marked
            ]
    _write_all(project, changed)
    return said


def _write_all(project: Project, changed: dict[Path, str]) -> None:
    record = _record(project)
    for path, text in changed.items():
        write_atomically(path, text.encode("utf-8"))
        record[display_path(path, project.root)] = _digest(text)
    _keep(project, record)


def _checked(project: Project, path: Path, how: str) -> str:
    """The text of `path`, if it is the one the last check read; else `EditionError`."""
    shown = display_path(path, project.root)
    if path not in [p.absolute() for p in texts(project)]:
        raise EditionError(f"{shown}: not a text the edition lists")
    text = _read(path, project)
    recorded = _record(project).get(shown)
    if recorded is None:
        raise EditionError(f"{shown}: run `edition check {how}` first, and read what it finds")
    if recorded != _digest(text):
        raise EditionError(f"{shown} changed since the last `edition check {how}`: run it again; nothing was changed")
    return text


def _read(path: Path, project: Project) -> str:
    return inside_project(path, project.root).read_bytes().decode("utf-8")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(project: Project) -> dict[str, str]:
    path = project.dist_dir / RECORD
    try:
        data = json.loads(inside_project(path, project.root).read_bytes())
    except (EditionError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _keep(project: Project, record: dict[str, str]) -> None:
    project.dist_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(project.dist_dir / RECORD, (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
