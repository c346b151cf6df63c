"""The print edition's faces, read and checked before anything is laid out.

The print edition uses the faces in styles/fonts and nothing else. Each is read and checked
before a build reads anything else (a truncated or damaged file is a clear error, not a PDF
whose text is invisible), the text is checked against them before the layout (WeasyPrint would
silently take a character they lack from a system font, or draw a box), and `pdf` checks the PDF
after the write to embed no other face. Nothing here imports WeasyPrint.
"""

from __future__ import annotations

import functools
import hashlib
import io
import unicodedata
from collections.abc import Iterable

from fontTools.ttLib import TTFont, TTLibError

from ..errors import EditionError
from ..gate import inside_project
from ..project import Project
from .stylesheets import ereader_files, print_files

FONT_SUFFIXES = (".ttf", ".otf")
# Characters no face needs: white space and controls (XML white space is collapsed), and the
# format characters (soft hyphen, zero-width space, joiners) that the shaper handles itself.
NEEDS_NO_GLYPH = {"Cc", "Cf", "Zl", "Zp"}


class Faces:
    """The edition's faces: each file's name by the hash of its bytes, and the characters they
    cover together."""

    def __init__(self) -> None:
        self.by_digest: dict[str, str] = {}
        self.characters: set[str] = set()


def read_faces(project: Project) -> Faces:
    """Read and check every face the outputs use: those the print stylesheets name and those the
    EPUB's cover is drawn with; a face that does not load is an `EditionError` naming its file."""
    faces = Faces()
    print_fonts = [path for path in print_files(project) if path.suffix.lower() in FONT_SUFFIXES]
    if not print_fonts:
        raise EditionError("the print stylesheets name no font: the print edition needs its faces in styles/fonts")
    cover_fonts = [path for path in ereader_files(project) if path.suffix.lower() in FONT_SUFFIXES]
    paths = list(dict.fromkeys([*print_fonts, *cover_fonts]))
    for path in paths:
        data = inside_project(path, project.root).read_bytes()
        try:
            characters = _characters(data)
        except Exception as error:  # fontTools raises many kinds on a damaged file
            shown = path.relative_to(project.root)
            raise EditionError(f"{shown}: the font cannot be read ({error or type(error).__name__})") from None
        faces.by_digest[hashlib.sha256(data).hexdigest()] = path.name
        faces.characters |= characters
    return faces


@functools.lru_cache(maxsize=32)
def _characters(data: bytes) -> frozenset[str]:
    """The characters a face (a font file's bytes) maps to glyphs, once its tables are checked;
    remembered by the bytes, so that `edition watch` reads each face once, not at every save."""
    font = TTFont(io.BytesIO(data), lazy=True)
    for tag, entry in font.reader.tables.items():  # a truncated file ends inside a table
        if entry.offset + entry.length > len(data):
            raise TTLibError(f"the {tag.strip()} table is cut short")
    cmap = font["cmap"].getBestCmap()
    tables = [font[tag] for tag in ("head", "maxp", "hhea", "hmtx")]  # decoded, to check them
    if not cmap or not all(tables):
        raise TTLibError("it maps no character to a glyph")
    return frozenset(map(chr, cmap))


def check_characters(texts: Iterable[tuple[str, str]], faces: Faces) -> None:
    """Every character of `texts` — (text, where it stands) — is in the faces; else an
    `EditionError` naming the characters and the first place of each."""
    missing: dict[str, str] = {}
    for text, where in texts:
        unknown = set(text).difference(faces.characters, missing)
        for ch in sorted(unknown, key=text.index):  # in the order they stand in the text
            if not ch.isspace() and unicodedata.category(ch) not in NEEDS_NO_GLYPH:
                missing[ch] = where
    if missing:
        listed = ", ".join(f"{ch!r} U+{ord(ch):04X} at {where}" for ch, where in list(missing.items())[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        raise EditionError(
            f"the edition's typeface has no glyph for {listed}{more}: use other characters, or add a face"
        )
