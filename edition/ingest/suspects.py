"""Words that look like damage from a scan or a capture: listed, never changed silently.

`find_suspects` reads an essay's text (`rawxml.runs`: outside its header, outside a correction
already made, a word of another language, a title, a name the register knows or a note call) and
gives each suspect with its place, its code and a reading it may be:

- S001 a figure or a stray mark inside a word ("1rente", "p1N’sical", "oppozitsii’25/26") or a
  bracket in parentheses ("(])");
- S002 a missing or stray space: two words fused ("SotsialisticheskiiVestnik", "planning(as",
  "9-32.Translated"), one split ("else where", "organi- zation"), a space in a range ("1927- 1937");
- S003 letters a scanner confuses (rn/m, ri/n, cl/d, li/h, l/I, e/c, 0/o): "tum" may be "turn" —
  where the reading with the other letters is a word far more common than the one received;
- S004 a word no dictionary knows, one letter from one it does;
- S005 a capital in mid-sentence on one of the commonest words ("barely hiding His cynicism"),
  or a sentence run on without its full stop ("rules of work Thus the").

The dictionary is the English word list, with frequencies, that the `pyspellchecker` package
ships (pinned in the locks). Each suspect can be accepted (`accept`): its reading becomes a
recorded `<choice><sic>…</sic><corr>…</corr></choice>`, which the note on the text lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from .rawxml import Run, line_and_column, runs

CODES = {
    "S001": "a figure or a stray mark inside a word",
    "S002": "a missing or stray space",
    "S003": "letters a scanner confuses",
    "S004": "a word no dictionary knows",
    "S005": "a capital in mid-sentence",
}
# The letters a scanner reads for others, each way round.
CONFUSED = [("rn", "m"), ("m", "rn"), ("ri", "n"), ("n", "ri"), ("cl", "d"), ("d", "cl"), ("li", "h"), ("h", "li"),
            ("e", "c"), ("c", "e"), ("0", "o"), ("1", "l"), ("tb", "th"), ("vv", "w")]  # fmt: skip
COMMON = 1e-5  # a word at least this frequent is among the two thousand commonest
RARE = 1e-6  # a word at most this frequent, read for one far commoner, is suspect
FAR_COMMONER = 50  # how many times commoner the other reading must be
# Where a word is no text to check: the header, a correction made, another language, a title, a
# name the register knows, a note call, a commentary anchor, a block of code.
NOT_CHECKED = ("teiHeader", "choice", "foreign", "title", "persName", "orgName", "name", "term", "ref", "bibl")
TOKEN = re.compile(r"\S+")
STRIP = "“”‘’\"'()[]{},.;:!?—–…"
ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s|’s|'s)|’\d\ds")


@dataclass(frozen=True)
class Suspect:
    start: int
    end: int
    code: str
    received: str
    reading: str

    def line(self, path: str, text: str) -> str:
        line, column = line_and_column(text, self.start)
        return f"{path}:{line}:{column}: {self.code} {self.received!r} may be {self.reading!r}"

    def as_choice(self) -> str:
        return f"<choice><sic>{escape(self.received)}</sic><corr>{escape(self.reading)}</corr></choice>"


@cache
def _dictionary():
    from spellchecker import SpellChecker  # its English list loads in a tenth of a second

    return SpellChecker(distance=1)


@cache
def frequency(word: str) -> float:
    return _dictionary().word_usage_frequency(word.lower().replace("’", "'"))


@cache
def known(word: str) -> bool:
    return word.lower().replace("’", "'") in _dictionary()


@cache
def _candidates(word: str) -> tuple[str, ...]:
    return tuple(_dictionary().candidates(word) or ())


def find_suspects(text: str, names: set[str]) -> list[Suspect]:
    """The suspects in an essay's file `text`, in order; `names` are the register's names and
    variants, and their words, which are never suspects."""
    found: dict[int, Suspect] = {}
    scanned = runs(text)
    lower = {word for run in scanned for word in re.findall(r"\b[a-z]+\b", run.text)}  # for S005
    language = next((run.language() for run in scanned if run.within), "")  # the essay's own, on its root
    for run in scanned:
        if not run.inside("text") or run.inside(*NOT_CHECKED) or run.language() != language or _code(run):
            continue
        for suspect in _in_run(run, names, lower):
            found.setdefault(suspect.start, suspect)
    return sorted(found.values(), key=lambda suspect: suspect.start)


def _code(run: Run) -> bool:
    return any(element.attributes.get("rend") == "code" for element in run.within)


def _in_run(run: Run, names: set[str], lower: set[str]) -> list[Suspect]:
    text, base = run.text, run.start
    found = []
    for pattern, code, reading in SPACING:
        for match in pattern.finditer(text):
            found.append(Suspect(base + match.start(), base + match.end(), code, match.group(), reading(match)))
    tokens = list(TOKEN.finditer(text))
    covered = 0  # where the last suspect ended: a token inside it is not looked at again
    for index, token in enumerate(tokens):
        word = token.group().strip(STRIP)
        if not word or base + token.start() < covered:
            continue
        start = base + token.start() + token.group().index(word)
        suspect = _word(word, start, names)
        if suspect is None and index + 1 < len(tokens):
            suspect = _split(word, tokens[index + 1].group().strip(STRIP), start, text, token, tokens[index + 1], base)
        if suspect is None and index > 0 and word.lower() in lower:  # "Soviet", never in lower case: a name
            near = [t.group() for t in tokens[max(0, index - 3) : index + 2] if t is not token]
            suspect = _capital(tokens[index - 1].group(), word, start, [*near, token.group().replace(word, "")])
        if suspect:
            found.append(suspect)
            covered = suspect.end
    return found


# Marks and spaces out of place, each with the reading it may be.
SPACING = [
    (re.compile(r"\(\W\)"), "S001", lambda m: m.group()[1]),  # (])
    (re.compile(r"[^\W\d_]\([^\W\d_]"), "S002", lambda m: m.group()[0] + " " + m.group()[1:]),  # planning(as
    (re.compile(r"[a-z0-9]\.[A-Z][a-z]"), "S002", lambda m: m.group()[:2] + " " + m.group()[2:]),  # 32.Translated
    (re.compile(r"\d- \d|\d -\d"), "S002", lambda m: m.group().replace(" ", "")),  # 1927- 1937
]


def _word(word: str, start: int, names: set[str]) -> Suspect | None:
    end = start + len(word)
    if word in names or word.lower() in names:
        return None
    if re.search(r"[^\W\d_][’'][0-9]", word):  # oppozitsii’25
        cut = re.search(r"[’'](?=[0-9])", word).start()
        return Suspect(start, end, "S001", word, word[:cut] + " " + word[cut + 1 :])
    figures_in_a_word = re.search(r"[^\W\d_]\d|\d[^\W\d_]{2}", word) and not ORDINAL.fullmatch(word)
    if figures_in_a_word:
        return Suspect(start, end, "S001", word, _best_reading(word) or word)
    fused = re.fullmatch(r"([^\W\d_]*[a-z]{4,})([A-Z][a-z]{2,}[^\W\d_]*)", word)
    if fused:
        return Suspect(start, end, "S002", word, f"{fused.group(1)} {fused.group(2)}")
    if not word.isalpha() and "’" not in word and "'" not in word and "-" not in word:
        return None
    reading = _confused(word)
    if reading:
        return Suspect(start, end, "S003", word, reading)
    if word.islower() and word.isalpha() and not known(word) and not known(_american(word)):
        candidates = [c for c in _candidates(word) if c != word and frequency(c) > RARE / 10]
        if candidates:
            return Suspect(start, end, "S004", word, max(candidates, key=frequency))
    return None


# British spellings the dictionary (American) lacks, and the American forms it has: labour → labor.
BRITISH = [("our", "or"), ("ise", "ize"), ("isation", "ization"), ("yse", "yze"), ("tre", "ter"), ("ogue", "og"),
           ("ence", "ense"), ("lled", "led"), ("lling", "ling")]  # fmt: skip


def _american(word: str) -> str:
    for british, american in BRITISH:
        if british in word:
            return word.replace(british, american)
    return word


def _confused(word: str) -> str | None:
    """The reading with letters a scanner confuses put right, if it is a known word and the
    received one is not, or is far rarer."""
    if known(word) and frequency(word) > RARE:
        return None
    if not known(word) and word[:1] == "l" and len(word) > 2 and word[1] not in "aeiouyl":
        return "I" + word[1:]  # lndustrie: no word begins so, and a capital I is read as l
    floor = frequency(word) * FAR_COMMONER if known(word) else 0.0
    readings = [word[:at] + new + word[at + len(old) :]
                for old, new in CONFUSED for at in range(len(word)) if word.startswith(old, at)]  # fmt: skip
    found = [(frequency(reading), reading) for reading in readings if known(reading)]
    best = max((pair for pair in found if pair[0] > floor), default=None)
    return best[1] if best else None


def _best_reading(word: str) -> str | None:
    """A reading of a word with figures in it: the figures read as the letters they resemble."""
    reading = word.replace("1", "l").replace("0", "o").replace("5", "s")
    return reading if known(reading) else None


def _split(word: str, following: str, start: int, text: str, token, next_token, base: int) -> Suspect | None:
    """Two words that are one: "else where", or a word broken at a line's end, "organi- zation"."""
    two_words = word.isalpha() and following.isalpha() and word.islower() and following.islower()
    broken = word.endswith("-") and following.isalpha()
    if not (two_words or broken):
        return None
    joined = word.rstrip("-") + following
    if not known(joined):
        return None
    # Two words are taken for one if the word they make is long and not rare ("else where", not
    # "a part" or "in to"); a word broken at a line's end always.
    if two_words and (len(joined) < 6 or frequency(joined) < RARE):
        return None
    end = base + next_token.start() + next_token.group().index(following) + len(following)
    received = text[start - base : end - base]
    return Suspect(start, end, "S002", received, joined)


def _capital(previous: str, word: str, start: int, near) -> Suspect | None:
    """One of the commonest words with a capital, after a word that ends no sentence, among
    words in lower case (a title in title case, a name or a quotation is left alone)."""
    if not (word[:1].isupper() and word[1:].islower() and len(word) > 1 and word != "I"):
        return None
    if not re.search(r"[a-z,]$", previous) or frequency(word.lower()) < COMMON:
        return None
    if any(mark in token for token in near for mark in '“”‘’"') or any(token[:1].isupper() for token in near):
        return None
    return Suspect(start, start + len(word), "S005", word, word.lower())
