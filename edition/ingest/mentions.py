"""Names the register knows, found where an essay leaves them unmarked; names it lacks.

`register_names` reads the register into `Name`s: every form an entry is known by — its display
name and variants (`type="variant"`), a work's titles (and each without a leading article, or
before its subtitle's colon), and a person's surname where no other person shares it — each with
the element a mark of that entry takes (`persName`, `orgName`, `name type="event"`, `term`,
`title`). `find_mentions` reads an essay's text (outside its header and outside every element
that marks or quotes something) and gives:

- M001 an unmarked name of one entry: `apply` marks it, inserting the element around it (or, for
  a title already marked as a title, its `ref`), and changes nothing else in the file;
- M002 a name two entries share, or one that is also a common word: listed, for the editor;
- M003 a capitalised name that recurs (three times or more) and that the register lacks.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from lxml import etree

from ..sources.tei import NS, XML_ID
from .rawxml import Run, edited, line_and_column, runs
from .suspects import COMMON, frequency, known

# What marks an entry of each list, as docs/encoding.md has it.
KINDS = {
    "person": ("persName", ""),
    "org": ("orgName", ""),
    "event": ("name", ' type="event"'),
    "item": ("term", ""),
    "bibl": ("title", ""),
}
NAME_ELEMENTS = ("persName", "orgName", "label", "term", "title")
MARKS = ("persName", "orgName", "name", "term", "title")
# Where a name is not a mention to mark: the header, the essay's own head (its title, byline and
# date), a mark or a correction already made, another language, a link or a note call.
NOT_SCANNED = ("teiHeader", "docTitle", "byline", "docDate", *MARKS, "choice", "foreign", "ref")
RECURS = 3
ARTICLE = re.compile(r"^(?:The|A|An) ")
# What a label adds to the name the essays use: "(the purges)", " of 1917", ", 1918–1923".
QUALIFIED = re.compile(r"\s*\([^)]*\)|,? (?:of )?\d{4}(?:[–-]\d{2,4})?$")


@dataclass(frozen=True)
class Name:
    text: str
    entry: str
    element: str  # persName, orgName, name, term, title
    extra: str = ""  # more attributes of the element: ' type="event"', ' level="m"'


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    code: str
    text: str
    entries: tuple[str, ...]
    insertion: tuple[tuple[int, int, str], ...] = ()  # what `apply` puts in, for an M001

    def line(self, path: str, source: str) -> str:
        line, column = line_and_column(source, self.start)
        if self.code == "M001":
            what = f"names #{self.entries[0]}, unmarked"
        elif self.code == "M002":
            what = "may name " + " or ".join(f"#{entry}" for entry in self.entries) + ": mark it by hand"
        else:
            what = f"recurs {self.entries[0]} times, and the register has no entry for it"
        return f"{path}:{line}:{column}: {self.code} {self.text!r} {what}"


def register_names(register: etree._ElementTree) -> list[Name]:
    """Every form by which the register's entries are known, with the element each takes."""
    names: list[Name] = []
    surnames: dict[str, set[str]] = defaultdict(set)
    for entry in register.getroot().iter():
        kind = etree.QName(entry).localname if isinstance(entry.tag, str) else ""
        entry_id = entry.get(XML_ID)
        if kind not in KINDS or not entry_id:
            continue
        element, extra = KINDS[kind]
        for name in _own_names(entry, kind):
            text = " ".join("".join(name.itertext()).split())
            level = f' level="{name.get("level")}"' if kind == "bibl" and name.get("level") else ""
            forms = {text, QUALIFIED.sub("", text).strip()}
            if kind == "bibl":
                forms |= {ARTICLE.sub("", text), text.split(":")[0].strip()}
            if kind == "person" and len(text.split()) > 1:
                surnames[text.split()[-1]].add(entry_id)
            names += [Name(form, entry_id, element, extra + level) for form in forms if form]
    known_forms = {name.text for name in names}
    for surname, entries in surnames.items():
        names += [Name(surname, entry, "persName") for entry in entries if surname not in known_forms]
    return names


def _own_names(entry: etree._Element, kind: str) -> list[etree._Element]:
    """The elements that name the entry: for a work, its first title and its short titles (the
    other titles of its record name the works it appeared in)."""
    found = [
        name
        for name in entry.iter(*(f"{{{NS['tei']}}}{tag}" for tag in NAME_ELEMENTS))
        if etree.QName(name.getparent()).localname != "note"
    ]
    if kind == "bibl":
        return found[:1] + [title for title in found[1:] if title.get("type") == "short"]
    return found


def name_words(names: list[Name]) -> set[str]:
    """Every word of every name: none is a scanning suspect."""
    return {word for name in names for word in re.findall(r"[^\W\d_][\w’'-]*", name.text)}


def find_mentions(text: str, names: list[Name]) -> list[Mention]:
    """The M001, M002 and M003 of an essay's file `text`, in order."""
    by_text: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for name in names:  # a name of several words in any case ("Show trials", "show trials")
        by_text[_form(name.text)].add((name.entry, name.element, name.extra))
    scanned = runs(text)
    found: list[Mention] = []
    if by_text:
        alternatives = "|".join(
            f"(?i:{re.escape(form)})" if " " in form else re.escape(form)
            for form in sorted(by_text, key=len, reverse=True)
        )
        pattern = re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")
        for run in scanned:
            if not run.inside("text"):
                continue
            untitled = _untitled_work(run, by_text)
            if untitled:
                found.append(untitled)
            if run.inside(*NOT_SCANNED):
                continue
            for match in pattern.finditer(run.text):
                if not match.group().isupper():  # "VICTOR SERGE WAS…": an opening set in capitals
                    found.append(_mention(run, match, by_text[_form(match.group())]))
    return sorted(found + _unknown(scanned, set(by_text)), key=lambda mention: mention.start)


def _form(name: str) -> str:
    """How a name is looked up: a name of several words in lower case, a word as it is."""
    return name.lower() if " " in name else name


def _untitled_work(run: Run, by_text) -> Mention | None:
    """A title marked as a title but not as the work of the register it names: its `ref`."""
    innermost = run.within[-1] if run.within else None
    if innermost is None or innermost.name != "title" or "ref" in innermost.attributes:
        return None
    title = " ".join(run.text.split())
    works = {entry for entry, element, _ in by_text.get(_form(title), ()) if element == "title"}
    if len(works) != 1:
        return None
    (work,) = works
    insertion = ((innermost.tag_end, innermost.tag_end, f' ref="#{work}"'),)
    return Mention(run.start, run.start + len(run.text), "M001", run.text, (work,), insertion)


def _mention(run: Run, match: re.Match, named: set[tuple[str, str, str]]) -> Mention:
    start, end = run.start + match.start(), run.start + match.end()
    entries = tuple(sorted({entry for entry, _, _ in named}))
    word = match.group()
    at_sentence_start = re.search(r"(^|[.!?:]\s+|[“‘(]\s*)$", run.text[: match.start()]) is not None
    common = known(word.lower()) and frequency(word.lower()) >= COMMON / 10
    if len(entries) > 1 or (common and (word[:1].islower() or at_sentence_start)):
        return Mention(start, end, "M002", word, entries)
    entry, element, extra = sorted(named)[0]
    insertion = ((start, start, f'<{element}{extra} ref="#{entry}">'), (end, end, f"</{element}>"))
    return Mention(start, end, "M001", word, (entry,), insertion)


def _unknown(scanned: list[Run], known_names: set[str]) -> list[Mention]:
    """Capitalised names, not at a sentence's start, that recur and that no entry has."""
    places: dict[str, list[int]] = defaultdict(list)
    for run in scanned:
        if not run.inside("text") or run.inside("teiHeader", *MARKS, "ref", "choice"):
            continue
        for match in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z]+(?: [A-Z][a-z]+){0,2})", run.text):
            name = match.group()
            if _form(name) in known_names or any(part in known_names for part in name.split()):
                continue
            if len(name.split()) == 1 and known(name.lower()) and frequency(name.lower()) >= COMMON / 10:
                continue
            places[name].append(run.start + match.start())
    counts = Counter({name: len(found) for name, found in places.items()})
    return [
        Mention(places[name][0], places[name][0] + len(name), "M003", name, (str(count),))
        for name, count in counts.items()
        if count >= RECURS
    ]


def apply(text: str, mentions: list[Mention]) -> tuple[str, list[Mention]]:
    """The text with every M001 marked, and those marked (none twice, none inside another)."""
    chosen, taken = [], []
    for mention in mentions:
        if mention.code != "M001" or any(a < mention.end and mention.start < b for a, b in taken):
            continue
        chosen.append(mention)
        taken.append((mention.start, mention.end))
    return edited(text, [change for mention in chosen for change in mention.insertion]), chosen
