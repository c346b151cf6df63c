"""A plain text as received from a scan or a web capture, read keeping every character.

Plain text says nothing of its structure, so the rules are few, stated here, and every one is
reported by the import:

- **Blocks** are runs of lines between blank lines; a block's lines are kept as lines (a `lb`
  between them), each without the white space that indents it.
- **Title and author** cannot be told from the text: the editor gives them (`--title`,
  `--author`), and the import leaves out the lines that print them (`importer`).
- **Headings**: after the first paragraph of prose, a one-line block of at most 90 characters, in
  title case (most of its longer words capitalised), that ends without a full stop, comma, colon
  or semicolon, and is followed by another block.
- **Block quotations**: the block right after a block that ends with a colon (a quotation set off
  from the sentence that introduces it); the block after that joins the quotation if it ends with
  a page reference in parentheses, "(118-119)", and the quotation's first block does not.
- **Notes**: a trailing run of numbered items, "1. …", "2. …" (after a "Notes" line, if there is
  one), each note running until the next number or a blank line; what follows the last note (a
  footer, a comment form) is left out and named.
- **Note calls**: a figure in parentheses, "(12)", or fused to the end of a word or after its
  punctuation, "Serge1", "defective,12". Of all such candidates, one per note is taken, in
  sequence: for each note from the last to the first, the last candidate of its number before
  the call of the note after it, so that an enumeration "(1) … (2) …" earlier in the text is not
  taken for the first calls. A call is encoded without its parentheses; a note whose call is not
  found is named.
- **Web furniture**: a line that is only a link back to the text ("back to text", "↩") is left
  out, and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .received import Heading, Received, append_text, end_note, note_call, tei

FURNITURE = {"back to text", "return to text", "back to top", "back", "↩", "↩︎", "[back]"}
NOTES_HEADING = {"notes", "endnotes", "footnotes", "references and notes"}
NOTE_ITEM = re.compile(r"(\d{1,3})\.\s+(\S.*)")
CALL = re.compile(r"\((\d{1,3})\)|(?<=[^\W\d_]|[.,;:!?’”)\]])(\d{1,3})(?![\w])")
ENDS_A_CLAUSE = re.compile(r"[.,;:][’”)\]]*$")
PROSE = 200  # characters: a block at least this long is a paragraph of prose
PAGE_REFERENCE = re.compile(r"\(\d+(?:[-–]\d+)?\)$")


@dataclass
class _Block:
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def read_text(text: str) -> Received:
    """The text as a `Received` (which knows no title, author or date: plain text cannot say them)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    furniture = sum(line.strip().casefold() in FURNITURE for line in lines)
    blocks = _blocks(line for line in lines if line.strip().casefold() not in FURNITURE)
    received = Received()
    if furniture:
        received.left_out.append(f"{furniture} line{'s' * (furniture > 1)} of web furniture (links back to the text)")
    body, notes, after = _split_notes(blocks)
    if after:
        shown = "; ".join(block.text[:60] for block in after)
        received.left_out.append(f"{len(after)} block{'s' * (len(after) > 1)} after the notes: {shown}")
    calls = _calls(body, len(notes))
    received.notes = [_note(number, note) for number, note in enumerate(notes, start=1)]
    missing = [str(number) for number in range(1, len(notes) + 1) if number not in calls.values()]
    if missing:
        plural = "s" * (len(missing) > 1)
        received.left_out.append(f"the call of note{plural} {', '.join(missing)} (not found in the text)")
    received.blocks = _structure(body, calls)
    return received


def _blocks(lines) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(_Block(current))
            current = []
    return blocks


def _split_notes(blocks: list[_Block]) -> tuple[list[_Block], list[list[str]], list[_Block]]:
    """The body, the notes (each its lines) and what follows them."""
    for start, block in enumerate(blocks):
        first = NOTE_ITEM.fullmatch(block.lines[0])
        heading = block.text.casefold() in NOTES_HEADING
        if (first and first.group(1) == "1") or (heading and start + 1 < len(blocks)):
            notes_start = start + 1 if heading else start
            notes, after = _notes(blocks[notes_start:])
            if notes:
                return blocks[:start], notes, after
    return blocks, [], []


def _notes(blocks: list[_Block]) -> tuple[list[list[str]], list[_Block]]:
    notes: list[list[str]] = []
    for index, block in enumerate(blocks):
        item = NOTE_ITEM.fullmatch(block.lines[0])
        if not item or int(item.group(1)) != len(notes) + 1:
            return notes, blocks[index:]
        for line in block.lines:
            item = NOTE_ITEM.fullmatch(line)
            if item and int(item.group(1)) == len(notes) + 1:
                notes.append([item.group(2)])
            else:
                notes[-1].append(line)
    return notes, []


# A candidate call: (block, line, start, end) in the body's lines, and the note's number.
Place = tuple[int, int, int, int]


def _calls(body: list[_Block], count: int) -> dict[Place, int]:
    candidates: list[tuple[Place, int]] = []
    for b, block in enumerate(body):
        for n, line in enumerate(block.lines):
            for match in CALL.finditer(line):
                number = int(match.group(1) or match.group(2))
                if 1 <= number <= count:
                    candidates.append(((b, n, match.start(), match.end()), number))
    chosen: dict[Place, int] = {}
    limit: Place | None = None
    for number in range(count, 0, -1):
        places = [place for place, n in candidates if n == number and (limit is None or place < limit)]
        if places:
            chosen[places[-1]] = number
            limit = places[-1]
    return chosen


def _structure(body: list[_Block], calls: dict[Place, int]) -> list:
    blocks: list = []
    prose_seen = False
    for b, block in enumerate(body):
        element = tei("p")
        for n, line in enumerate(block.lines):
            if n:
                element.append(tei("lb"))
                append_text(element, "\n")  # the line's end, kept
            _line(element, line, [(place, number) for place, number in calls.items() if place[:2] == (b, n)])
        following = b + 1 < len(body)
        if prose_seen and following and _is_heading(block):
            element.tag = tei("head").tag
            blocks.append(Heading(1, element))
        elif prose_seen and _ends_with_colon(body[b - 1]):
            quote = tei("quote")
            quote.append(element)
            blocks.append(quote)
        elif _closes_quotation(blocks, body[b - 1], block):
            blocks[-1].append(element)
        else:
            blocks.append(element)
        prose_seen = prose_seen or len(block.text) >= PROSE
    return blocks


def _line(element: etree._Element, line: str, calls: list[tuple[Place, int]]) -> None:
    position = 0
    for (_, _, start, end), number in sorted(calls):
        append_text(element, line[position:start])
        element.append(note_call(number))
        position = end
    append_text(element, line[position:])


def _is_heading(block: _Block) -> bool:
    text = block.text
    if len(block.lines) > 1 or len(text) > 90 or ENDS_A_CLAUSE.search(text) or not text[:1].isupper():
        return False
    longer = [word for word in re.findall(r"[^\W\d_][\w’'-]*", text) if len(word) >= 4]
    return bool(longer) and sum(word[0].isupper() for word in longer) >= 0.6 * len(longer)


def _ends_with_colon(block: _Block) -> bool:
    return block.lines[-1].rstrip().endswith(":")


def _closes_quotation(blocks: list, previous: _Block, block: _Block) -> bool:
    """Whether `block` is the last paragraph of the quotation just begun, with its page reference."""
    last = blocks[-1] if blocks else None
    return (
        isinstance(last, etree._Element)
        and last.tag == tei("quote").tag
        and len(last) == 1
        and not PAGE_REFERENCE.search(previous.text)
        and bool(PAGE_REFERENCE.search(block.text))
    )


def _note(number: int, lines: list[str]) -> etree._Element:
    note = end_note(number)
    for n, line in enumerate(lines):
        if n:
            note.append(tei("lb"))
            append_text(note, "\n")
        append_text(note, line)
    return note
