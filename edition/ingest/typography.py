"""The typographic rules an imported text goes through, and nothing else.

A text taken in keeps every character as received, except these, which turn a typewriter's
marks into a typesetter's (as Standard Ebooks' `se typogrify` does, and as `edition check`
asks with E050 and E051):

- `...` (three full stops, unspaced) becomes an ellipsis `…`; spaced stops `. . .` are a style of
  their own and are kept;
- `---` becomes an em dash `—`; `--` between figures an en dash `–` (a range), elsewhere an em dash;
- a straight double quote `"` becomes `“` where it opens a quotation (at the start of a block, or
  after white space, an opening bracket or a dash) and `”` elsewhere;
- a straight single quote `'` becomes `’` inside a word or after one (an apostrophe: it's,
  writers', '30s), `‘` where it opens a quotation as above, and `’` elsewhere.

`Typographer` applies them to a block's text runs in order, carrying the last character from one
run to the next (a quote may open in one run and its word begin in the next), and counts each
kind of change for the import's report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

OPENS_AFTER = " \t\n\u00a0([{\u2014\u2013-/\u2018\u201c"  # what a quotation mark opens after
ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
EM_DASH = re.compile(r"---")
DOUBLE_HYPHEN = re.compile(r"--")


@dataclass
class Typographer:
    """The rules above, applied run by run through one block; `counts` by kind of change."""

    counts: Counter = field(default_factory=Counter)
    previous: str = ""  # the last character of the text before the current run, in this block

    def start_block(self) -> None:
        self.previous = ""

    def __call__(self, text: str) -> str:
        if not text:
            return text
        text, n = ELLIPSIS.subn("…", text)
        self.counts["ellipsis"] += n
        text, n = EM_DASH.subn("—", text)
        self.counts["dash"] += n
        text = DOUBLE_HYPHEN.sub(self._double_hyphen, text)
        out = []
        for index, character in enumerate(text):
            before = out[-1] if out else self.previous
            after = text[index + 1] if index + 1 < len(text) else ""
            if character == '"':
                character = "“" if before == "" or before in OPENS_AFTER else "”"
                self.counts["double quote"] += 1
            elif character == "'":
                if before.isalnum() or (after.isdigit() and (before == "" or before in OPENS_AFTER)):
                    character = "’"
                    self.counts["apostrophe"] += 1
                else:
                    character = "‘" if before == "" or before in OPENS_AFTER else "’"
                    self.counts["single quote"] += 1
            out.append(character)
        self.previous = out[-1]
        return "".join(out)

    def _double_hyphen(self, match: re.Match) -> str:
        text, start, end = match.string, match.start(), match.end()
        between_figures = start > 0 and text[start - 1].isdigit() and end < len(text) and text[end].isdigit()
        self.counts["dash"] += 1
        return "–" if between_figures else "—"
