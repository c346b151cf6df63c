"""What each output is made of, and whether the output already in place was made of the same.

A key is a content hash of everything that can change an output's bytes: the tool (its code,
templates and the versions of the libraries that render), the sources, the reader profile, the
commit named in the colophon, SOURCE_DATE_EPOCH, the output's name, and the stylesheets and fonts
that output reads. The EPUB also marks where the print pages begin, so its key includes those
places, as the print layout gave them.

A record of the last build is kept beside the outputs, in `.edition-build.json`: each output's
key and the hash of the bytes written, and the print layout's page starts. An output is up to
date when its key is unchanged and the file is still the one written. Nothing here imports
WeasyPrint, so a build with nothing to do is over in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

from . import __version__
from .model import PageStart
from .project import EREADER_STYLES, PRINT_STYLES, Project
from .provenance import DEPENDENCIES

RECORD_FILE = ".edition-build.json"
KEPT_LAYOUTS = 8
PACKAGE = Path(__file__).resolve().parent


def digest_files(paths: list[Path], root: Path) -> str:
    """A hash of the files' names (relative to `root`) and contents, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts)


@cache
def tool_key() -> str:
    """The tool's own code and templates, and the versions of the libraries it renders with."""
    versions = ",".join(f"{name}={metadata.version(name)}" for name in DEPENDENCIES)
    return hashlib.sha256(
        f"{__version__}\0{versions}\0{digest_files(files_under(PACKAGE), PACKAGE)}".encode()
    ).hexdigest()


def digest(*parts: str) -> str:
    """A hash of the strings, in order."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """The hashes of what a build reads, from which each output's key is made."""

    common: str  # tool, sources, profile, commit, SOURCE_DATE_EPOCH
    print_styles: str
    ereader_styles: str

    @property
    def layout_key(self) -> str:
        """The print layout, which the PDF is drawn from and the EPUB's page list follows."""
        return digest("layout", self.common, self.print_styles)

    def pdf_key(self, name: str) -> str:
        return digest("pdf", name, self.common, self.print_styles)

    def epub_key(self, name: str, page_starts: list[PageStart]) -> str:
        starts = json.dumps([asdict(start) for start in page_starts])
        return digest("epub", name, self.common, self.ereader_styles, starts)


def read_inputs(project: Project, profile_path: Path | None, commit: str) -> Inputs:
    styles, fonts = project.styles_dir, files_under(project.styles_dir / "fonts")
    profile = profile_path.read_bytes().decode("utf-8", "replace") if profile_path else ""
    common = digest(
        tool_key(),
        digest_files(files_under(project.source_dir), project.root),
        profile,
        commit,
        os.environ.get("SOURCE_DATE_EPOCH", ""),
    )
    return Inputs(
        common,
        digest_files([styles / name for name in PRINT_STYLES] + fonts, styles),
        digest_files([styles / name for name in EREADER_STYLES] + fonts, styles),
    )


@dataclass
class BuildRecord:
    """What the outputs in a folder were built from (`RECORD_FILE`)."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # file name → key, sha256
    # The page starts of the latest print layouts (the full edition, course readers), by key.
    layouts: dict[str, list[PageStart]] = field(default_factory=dict)

    def up_to_date(self, path: Path, key: str) -> bool:
        recorded = self.outputs.get(path.name)
        if not recorded or recorded["key"] != key or not path.is_file():
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == recorded["sha256"]

    def wrote(self, path: Path, key: str, data: bytes) -> None:
        self.outputs[path.name] = {"key": key, "sha256": hashlib.sha256(data).hexdigest()}

    def starts_for(self, layout_key: str) -> list[PageStart] | None:
        return self.layouts.get(layout_key)

    def keep_layout(self, layout_key: str, starts: list[PageStart]) -> None:
        self.layouts.pop(layout_key, None)
        self.layouts[layout_key] = starts
        for old in list(self.layouts)[:-KEPT_LAYOUTS]:
            del self.layouts[old]

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode()


def read_record(out_dir: Path) -> BuildRecord:
    """The record in `out_dir`; an empty one if there is none or it cannot be read (a full build)."""
    try:
        data = json.loads((out_dir / RECORD_FILE).read_text(encoding="utf-8"))
        return BuildRecord(
            {name: dict(entry) for name, entry in data["outputs"].items()},
            {key: [PageStart(**start) for start in starts] for key, starts in data["layouts"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return BuildRecord()
