"""Where things are in an edition project: sources, styles, outputs.

Every other module asks a `Project` for paths instead of building them, so the layout is
written down once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import EditionError

# The stylesheets of each output, in styles/, in the order they apply; both outputs also read
# styles/fonts (the print edition's faces, the EPUB's cover).
PRINT_STYLES = ("shared.css", "print.css")
EREADER_STYLES = ("shared.css", "ereader.css")


# Where each thing is, from the project's folder.
LAYOUT = {
    "source_dir": "source",
    "edition_file": "source/edition.xml",
    "schema": "source/schema/edition.rng",
    "styles_dir": "styles",
    "dist_dir": "dist",
    "received_dir": "tests/received",  # the texts as received, kept by `edition import`
}


@dataclass(frozen=True)
class Project:
    """A project's folder, and where its sources, styles and outputs are (see `LAYOUT`)."""

    root: Path
    source_dir: Path = field(init=False, compare=False, repr=False)
    edition_file: Path = field(init=False, compare=False, repr=False)
    schema: Path = field(init=False, compare=False, repr=False)
    styles_dir: Path = field(init=False, compare=False, repr=False)
    dist_dir: Path = field(init=False, compare=False, repr=False)
    received_dir: Path = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # The files the project's checks accept are compared with its folder as they really are
        # (symlinks followed), so the folder is known as it really is, whatever it was given as.
        object.__setattr__(self, "root", self.root.resolve())
        for name, relative in LAYOUT.items():
            object.__setattr__(self, name, self.root / relative)  # a frozen dataclass's own fields


def find_project(start: Path) -> Project:
    """The project whose `source/edition.xml` is in `start` or one of its parents."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "source" / "edition.xml").is_file():
            return Project(folder)
    raise EditionError(f"no edition project here: source/edition.xml not found in {start} or its parents")
