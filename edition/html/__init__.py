"""Rendering to HTML: the in-memory edition as HTML documents for print, XHTML files for the EPUB.

Takes the `Edition` (from `sources`); gives the print edition's parts as HTML for `layout` and the
EPUB's chapters, navigation and NCX as XHTML for `ereader`. Open `shared.py` first. The templates
are in `templates/`, beside the renderers that use them.

One renderer per output, over what they share:

- `shared`: phrase-level rendering (`InlineRenderer`), the Jinja environment and the helpers the
  templates call. What differs between the outputs is a set of named capabilities on one
  `Output` value (`xhtml_lang`, `note_calls`, `name_links`, `break_hints`, …), which the renderer
  and the templates (`templates/`, autoescaped) test by name.
- `print`: the print edition's parts, for WeasyPrint (`pdf`), and a part from a block on.
- `epub`: the EPUB's chapters, navigation and NCX (for `epub`), with the marks of the print pages.

Both outputs come from the same templates, so they show the same text, paragraph numbers and
notes. The names other modules import are kept here.
"""

from .epub import EPUB, NAVIGATION, Chapter, epub_chapters, epub_ncx, insert_page_breaks, page_targets
from .print import FRONT, PRINT, PrintPart, continue_from, print_part, print_parts
from .shared import InlineRenderer, Output, essay_label, letters, places, upper_first

__all__ = [
    "EPUB",
    "FRONT",
    "NAVIGATION",
    "PRINT",
    "Chapter",
    "InlineRenderer",
    "Output",
    "PrintPart",
    "continue_from",
    "epub_chapters",
    "epub_ncx",
    "essay_label",
    "insert_page_breaks",
    "letters",
    "page_targets",
    "places",
    "print_part",
    "print_parts",
    "upper_first",
]
