"""Compare two editions: what changed in the reading text and in the apparatus, and where each
citation went.

`compare(old, new)` takes two `Edition`s (from any revision: `revisions`) and hands on a `Diff`,
which `report` prints for the terminal, as JSON and as an HTML page, and `rule` judges.

The reading text is each essay's text as a reader reads it: its title, front matter, paragraphs,
headings, quotations, the author's notes and note about themself, corrections applied. Each
essay's paragraphs are matched between the two editions (`align`), and so, apart, is the rest of
its text: first every paragraph whose text is the same in both (in order, by difflib's longest
matching runs); between two such, the paragraphs left are matched so that as many of their
words as possible are matched, by paragraph (changed), one to several (split), several to one
(joined), or with none (inserted, deleted): a pair needs half its words in common, unless both
paragraphs carry the same stable id (an `xml:id` in the source), which matches them whatever
their text. Every paragraph of both editions is in exactly one `Passage`: the essay's
`paragraphs` are its citation map, old ¶ numbers to new. A changed passage whose received text
(each recorded correction read as it was received) is the same in both changed only by its
recorded corrections (`Passage.corrected`).

The apparatus: recorded corrections (by essay, received and corrected reading), register entries
(by id: added, removed, or with another name, dates or identification), notes of commentary (by
id: added, removed, changed in text or place), and mentions of entries (by essay, entry and the
place a reader cites, an old place read through the citation map).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from ..sources.model import Edition, Essay, Heading, Inline, Paragraph, Quotation, plain
from ..sources.register import labelled_content

PassageKind = Literal["same", "changed", "split", "joined", "inserted", "deleted"]
ItemKind = Literal["added", "removed", "changed"]

# A pair of paragraphs is matched if at least this share of their words is common to both.
SIMILAR = 0.5
# At most this many paragraphs are one paragraph split, or are joined into one.
MOST = 3


@dataclass(frozen=True)
class Words:
    """A run of a word-by-word comparison: the same in both, or only in the old or the new."""

    kind: Literal["same", "removed", "added"]
    text: str


@dataclass(frozen=True)
class Passage:
    """Pieces of an essay's text matched between the editions: the places a reader cites them by
    in each (`¶12`, `headnote`, `n. 3`), how they match, and, where the text differs, its words."""

    kind: PassageKind
    old: tuple[str, ...]
    new: tuple[str, ...]
    words: tuple[Words, ...] = ()
    corrected: bool = False  # changed, and only by recorded corrections

    @property
    def old_numbers(self) -> list[int]:
        return [int(label[1:]) for label in self.old]

    @property
    def new_numbers(self) -> list[int]:
        return [int(label[1:]) for label in self.new]


@dataclass
class EssayChanges:
    """One essay in the two editions: its paragraphs' map, and the rest of its text that differs."""

    id: str
    name: str  # as a citation names it: "Weissman"
    present: Literal["both", "added", "removed"]
    paragraphs: list[Passage]
    other: list[Passage]  # not `same`

    @property
    def changed(self) -> list[Passage]:
        """Every passage whose text differs, paragraphs first (a paragraph only renumbered is in
        the citation map alone)."""
        return [p for p in self.paragraphs if p.kind != "same"] + self.other


@dataclass(frozen=True)
class Item:
    """A change to the apparatus: what (`id`), where or who (`label`), and its texts."""

    kind: ItemKind
    id: str
    label: str
    old: str = ""
    new: str = ""
    words: tuple[Words, ...] = ()


@dataclass
class Diff:
    old: str  # what each edition is, as `revisions.Revision.label` says
    new: str
    old_version: str
    new_version: str
    essays: list[EssayChanges]
    corrections: list[Item] = field(default_factory=list)
    entries: list[Item] = field(default_factory=list)
    commentary: list[Item] = field(default_factory=list)
    mentions: list[Item] = field(default_factory=list)


def compare(old: Edition, new: Edition, old_label: str = "", new_label: str = "") -> Diff:
    """What changed from `old` to `new` (see the module docstring)."""
    old_essays = {essay.id: essay for essay in old.essays}
    new_essays = {essay.id: essay for essay in new.essays}
    order = list(dict.fromkeys([*new_essays, *old_essays]))
    essays = [_essay(old_essays.get(key), new_essays.get(key)) for key in order]
    diff = Diff(
        old_label or old.version, new_label or new.version, old.version, new.version, essays,
        corrections=_corrections(old, new),
        entries=_entries(old, new),
        commentary=_commentary(old, new),
        mentions=_mentions(old, new, {essay.id: essay for essay in essays}),
    )  # fmt: skip
    return diff


# The reading text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A piece of an essay's text: where a reader cites it, its text as read and as received,
    and its stable id (a paragraph's or a note's `xml:id`), if it has one."""

    label: str
    text: str
    received: str
    key: str = ""


def _essay(old: Essay | None, new: Essay | None) -> EssayChanges:
    essay = new or old
    name = _name(essay)
    present = "both" if old and new else ("added" if new else "removed")
    paragraphs = _passages(_paragraphs(old), _paragraphs(new))
    other = [passage for passage in _passages(_others(old), _others(new)) if passage.kind != "same"]
    return EssayChanges(essay.id, name, present, paragraphs, other)


def _name(essay: Essay) -> str:
    """An essay as a citation names it: its author's surname (Weissman ¶12)."""
    return essay.author.split()[-1] if essay.author.strip() else essay.id


def _paragraphs(essay: Essay | None) -> list[Piece]:
    if essay is None:
        return []
    return [Piece(f"¶{p.number}", _read(p.content), _received(p.content), p.source_id) for p in essay.paragraphs]


def _others(essay: Essay | None) -> list[Piece]:
    """Every piece of an essay's text that is not a paragraph, in reading order."""
    if essay is None:
        return []
    labels = {"reviewed": "the reviewed book", "headnote": "headnote"}
    pieces = [Piece("title", essay.title, essay.title)]
    pieces += [_piece(labels.get(item.kind, item.kind), item.content) for item in essay.front]
    last, headings = "the start", 0
    for block in essay.body:
        if isinstance(block, Paragraph):
            last = f"¶{block.number}"
        elif isinstance(block, Heading):
            headings += 1
            pieces.append(_piece(f"heading {headings}", block.content))
        elif isinstance(block, Quotation):
            pieces += [_piece(f"quotation after {last}", paragraph) for paragraph in block.paragraphs]
            if block.reference:
                pieces.append(_piece(f"reference of the quotation after {last}", block.reference))
    pieces += [_piece(f"n. {note.number}", note.content, note.id) for note in essay.notes]
    pieces += [_piece("author’s note", paragraph) for paragraph in essay.afterword]
    return pieces


def _piece(label: str, content: list[Inline], key: str = "") -> Piece:
    return Piece(label, _read(content), _received(content), key)


def _read(content: list[Inline]) -> str:
    return " ".join(plain(content).split())


def _received(content: list[Inline]) -> str:
    """The text as received: each recorded correction read as its `sic`."""

    def walk(parts: list[Inline]) -> Iterator[str]:
        for part in parts:
            if isinstance(part, str):
                yield part
            elif part.kind == "correction":
                yield part.attrs.get("sic", "")
            else:
                yield from walk(part.children)

    return " ".join("".join(walk(content)).split())


def _passages(old: list[Piece], new: list[Piece]) -> list[Passage]:
    passages = []
    for olds, news in align(old, new):
        before, after = [old[i] for i in olds], [new[j] for j in news]
        labels = (tuple(p.label for p in before), tuple(p.label for p in after))
        if not before or not after:
            passages.append(Passage("inserted" if after else "deleted", *labels))
            continue
        # a ¶ sign where one paragraph ends and the next begins, so that the word-by-word
        # comparison shows where a paragraph was split or joined
        old_text, new_text = " ¶ ".join(p.text for p in before), " ¶ ".join(p.text for p in after)
        if len(before) == len(after) == 1:
            if old_text == new_text:
                passages.append(Passage("same", *labels))
                continue
            corrected = before[0].received == after[0].received
            passages.append(Passage("changed", *labels, words_of(old_text, new_text), corrected))
        else:
            kind = "split" if len(after) > 1 else "joined"
            passages.append(Passage(kind, *labels, words_of(old_text, new_text)))
    return passages


def align(old: list[Piece], new: list[Piece]) -> list[tuple[list[int], list[int]]]:
    """Every piece of `old` and `new` in matched groups, in reading order: (old indices, new
    indices), one to one, one to several, several to one, or one to none (see the module
    docstring)."""
    matcher = difflib.SequenceMatcher(None, [p.text for p in old], [p.text for p in new], autojunk=False)
    groups: list[tuple[list[int], list[int]]] = []
    i = j = 0
    for block in matcher.get_matching_blocks():  # the last is (len(old), len(new), 0)
        groups += _match_gap(old, new, range(i, block.a), range(j, block.b))
        groups += [([block.a + k], [block.b + k]) for k in range(block.size)]
        i, j = block.a + block.size, block.b + block.size
    return groups


def _match_gap(old: list[Piece], new: list[Piece], olds: range, news: range) -> list[tuple[list[int], list[int]]]:
    """The pieces between two runs of the same text, matched so that the most words are matched
    (a dynamic programme over the two runs, from their ends)."""
    m, n = len(olds), len(news)
    words_old = [_words(old[i].text) for i in olds]
    words_new = [_words(new[j].text) for j in news]
    # best[a][b]: the best score of olds[a:] against news[b:], and the first step to it.
    best: list[list[tuple[float, tuple[int, int]]]] = [[(0.0, (0, 0))] * (n + 1) for _ in range(m + 1)]
    for a in range(m, -1, -1):
        for b in range(n, -1, -1):
            if a == m and b == n:
                continue
            options: list[tuple[float, tuple[int, int]]] = []
            if a < m:
                options.append((best[a + 1][b][0], (1, 0)))
            if b < n:
                options.append((best[a][b + 1][0], (0, 1)))
            for take_old, take_new in _shapes(m - a, n - b):
                first_old, first_new = old[olds[a]], new[news[b]]
                same_key = take_old == take_new == 1 and first_old.key and first_old.key == first_new.key
                score = _score(
                    [w for k in range(take_old) for w in words_old[a + k]],
                    [w for k in range(take_new) for w in words_new[b + k]],
                    bool(same_key),
                )
                if score is not None:
                    # a group of more pieces only where it matches more words than one pair does
                    options.append((score - 0.01 * (take_old + take_new - 2) + best[a + take_old][b + take_new][0],
                                    (take_old, take_new)))  # fmt: skip
            best[a][b] = max(options, key=lambda option: option[0])
    groups = []
    a = b = 0
    while a < m or b < n:
        take_old, take_new = best[a][b][1]
        groups.append(([olds[a + k] for k in range(take_old)], [news[b + k] for k in range(take_new)]))
        a, b = a + take_old, b + take_new
    return groups


def _shapes(left_old: int, left_new: int) -> Iterator[tuple[int, int]]:
    """The groups a match may take from here: one to one, one to several, several to one."""
    if left_old and left_new:
        yield 1, 1
        for size in range(2, MOST + 1):
            if size <= left_new:
                yield 1, size
            if size <= left_old:
                yield size, 1


def span(labels: tuple[str, ...]) -> str:
    """Places as a reader cites them together: `¶31–32` for a run of paragraphs."""
    numbers = [int(label[1:]) for label in labels if re.fullmatch(r"¶\d+", label)]
    if len(numbers) == len(labels) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"¶{numbers[0]}–{numbers[-1]}"
    return ", ".join(labels)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _score(old: list[str], new: list[str], same_key: bool) -> float | None:
    """How many words two texts have in common, in order, if they are similar enough to match
    (or share a stable id, which counts for more than any text); None if they are not."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if not same_key and (not old or not new or matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR):
        return None
    common = sum(block.size for block in matcher.get_matching_blocks())
    if same_key:
        return common + len(old) + len(new) + 1
    return common if 2 * common / (len(old) + len(new)) >= SIMILAR else None


def words_of(old: str, new: str) -> tuple[Words, ...]:
    """The two texts word by word: runs the same in both, removed from the old, added in the new."""
    tokens_old, tokens_new = _tokens(old), _tokens(new)
    runs: list[Words] = []

    def add(kind: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if runs and runs[-1].kind == kind:
            runs[-1] = Words(kind, runs[-1].text + text)
        else:
            runs.append(Words(kind, text))

    matcher = difflib.SequenceMatcher(None, tokens_old, tokens_new, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            add("same", tokens_old[i1:i2])
        else:
            add("removed", tokens_old[i1:i2])
            add("added", tokens_new[j1:j2])
    return tuple(runs)


def _tokens(text: str) -> list[str]:
    """Words, runs of spaces and each mark of punctuation: the units a change is marked in."""
    return re.findall(r"\w+|\s+|[^\w\s]", text)


# The apparatus -------------------------------------------------------------------------------


def _corrections(old: Edition, new: Edition) -> list[Item]:
    """Recorded corrections added, removed, or read otherwise (the same received text, corrected
    to something else), by essay."""
    names = {essay.id: _name(essay) for essay in [*old.essays, *new.essays]}

    def counted(edition: Edition) -> Counter:
        return Counter((c.essay_id, c.sic, c.corr) for c in edition.corrections)

    def place(edition: Edition, key: tuple[str, str, str]) -> str:
        where = next(c.where for c in edition.corrections if (c.essay_id, c.sic, c.corr) == key)
        return f"{names[key[0]]}, {where}"

    before, after = counted(old), counted(new)
    removed, added = sorted((before - after).elements()), sorted((after - before).elements())
    items = []
    for key in added:
        was = next((r for r in removed if r[:2] == key[:2]), None)
        if was:
            removed.remove(was)
            items.append(Item("changed", key[1], place(new, key), was[2], key[2], words_of(was[2], key[2])))
        else:
            items.append(Item("added", key[1], place(new, key), key[1], key[2]))
    items += [Item("removed", key[1], place(old, key), key[1], key[2]) for key in removed]
    return items


def _identification(entry) -> str:
    dates = f", {entry.dates}" if entry.dates else ""
    return f"{entry.name}{dates}: {_read(entry.identification)}"


def _entries(old: Edition, new: Edition) -> list[Item]:
    before, after = old.entries, new.entries
    items = [Item("added", key, entry.name, new=_identification(entry)) for key, entry in after.items()
             if key not in before]  # fmt: skip
    items += [Item("removed", key, entry.name, old=_identification(entry)) for key, entry in before.items()
              if key not in after]  # fmt: skip
    for key, entry in after.items():
        if key in before and _identification(before[key]) != _identification(entry):
            was, now = _identification(before[key]), _identification(entry)
            items.append(Item("changed", key, entry.name, was, now, words_of(was, now)))
    return items


def _commentary(old: Edition, new: Edition) -> list[Item]:
    def notes(edition: Edition) -> dict[str, tuple[str, str]]:
        places = {
            block: f"{_name(essay)} {where}" for essay in edition.essays for block, where, _ in labelled_content(essay)
        }
        return {
            note.commentary.id: (places.get(note.block, note.essay_id), _read(note.commentary.content))
            for note in edition.notes.values()
            if note.commentary
        }

    before, after = notes(old), notes(new)
    items = [Item("added", key, place, new=text) for key, (place, text) in after.items() if key not in before]
    items += [Item("removed", key, place, old=text) for key, (place, text) in before.items() if key not in after]
    for key, (place, text) in after.items():
        if key in before and before[key] != (place, text):
            was_place, was = before[key]
            label = place if place == was_place else f"{place} (was at {was_place})"
            items.append(Item("changed", key, label, was, text, words_of(was, text)))
    return items


def _mentions(old: Edition, new: Edition, essays: dict[str, EssayChanges]) -> list[Item]:
    """Mentions of register entries added and removed, by essay, entry and place: a mention in an
    old paragraph counts as one in the paragraphs it went to."""
    names = {key: entry.name for key, entry in [*old.entries.items(), *new.entries.items()]}

    def places(edition: Edition, side: int) -> Counter:
        found: Counter = Counter()
        for entry in edition.entries.values():
            for mention in entry.mentions:
                changes = essays.get(mention.essay_id)
                group = mention.where
                for passage in changes.paragraphs if changes else []:
                    if mention.where in (passage.old, passage.new)[side]:  # one place for both editions
                        group = span(passage.new) if passage.new else f"{span(passage.old)} of {old.version}"
                        break
                found[(mention.essay_id, entry.id, group)] += 1
        return found

    before, after = places(old, 0), places(new, 1)
    items = []
    for kind, counts in (("added", after - before), ("removed", before - after)):
        for (essay_id, entry_id, where), count in sorted(counts.items()):
            times = f" (×{count})" if count > 1 else ""
            label = f"{essays[essay_id].name} {where}{times}" if essay_id in essays else where
            items.append(Item(kind, entry_id, label, new=names.get(entry_id, entry_id)))
    return items
