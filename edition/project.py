"""Where things are in an edition project: sources, styles, outputs.

Every other module asks a `Project` for paths instead of building them, so the layout is
written down once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import EditionError

# The stylesheets of each output, in styles/, in the order they apply; both outputs also read
# styles/fonts (the print edition's faces, the EPUB's cover).
PRINT_STYLES = ("shared.css", "print.css")
EREADER_STYLES = ("shared.css", "ereader.css")


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def edition_file(self) -> Path:
        return self.source_dir / "edition.xml"

    @property
    def schema(self) -> Path:
        return self.source_dir / "schema" / "edition.rng"

    @property
    def styles_dir(self) -> Path:
        return self.root / "styles"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"


def find_project(start: Path) -> Project:
    """The project whose `source/edition.xml` is in `start` or one of its parents."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "source" / "edition.xml").is_file():
            return Project(folder)
    raise EditionError(f"no edition project here: source/edition.xml not found in {start} or its parents")
