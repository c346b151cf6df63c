"""What each output is made of, and whether the output already in place was made of the same.

A key is a content hash of everything that can change an output's bytes: the tool (its code,
templates and the versions of the libraries that render), the sources the edition lists (and the
schema), the reader profile, the commit named in the colophon, SOURCE_DATE_EPOCH, the output's
name, and the stylesheets and fonts that output reads. The EPUB also marks where the print pages
begin, so its key includes those places, as the print layout gave them.

Only what the build reads is read and hashed (`print_files`, `ereader_files`, the edition's
`sources`), each through `gate.inside_project`: a file in source/ that the edition does not list,
or a font no stylesheet uses, is never opened, and the archive bags exactly these files.

A record of the last build is kept beside the outputs, in `.edition-build.json` (`"format": 2`):
for each output, the named parts its key is made of (`PDF_PARTS`, `EPUB_PARTS`: each a SHA-256),
the key, and the hash of the bytes written; and the print layout's page starts. An output is up
to date when its key is unchanged and the file is still the one written; `explain` says which
parts changed. A record that is not exactly of this shape, or of an earlier format, is not
trusted (`read_record`): the build is then a full one. Nothing here imports WeasyPrint, so a
build with nothing to do is over in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..gate import RECORD_FILE, inside_project, regular_file_opener
from ..project import Project
from ..sources.model import PageStart, roman
from ..sources.stylesheets import ereader_files, print_files
from .provenance import DEPENDENCIES

KEPT_LAYOUTS = 8
PACKAGE = Path(__file__).resolve().parent.parent  # the whole package: its code and templates


def digest_files(paths: list[Path], root: Path) -> str:
    """A hash of the files' names (relative to `root`) and contents, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# What `edition new` copies into a new project (styles, schema, a profile): a project's own files,
# which each output's key holds as such, not code that renders.
SKELETON = "skeleton"


def files_under(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and SKELETON not in path.relative_to(folder).parts
    )


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


# The named parts of each output's key, in the order they are hashed. Both read the tool, the
# sources, the profile, the commit and SOURCE_DATE_EPOCH; the PDF (and the print layout) its
# stylesheets and the fonts they name; the EPUB its stylesheets, its cover's fonts, and the
# page starts of the print layout it marks ("layout").
COMMON_PARTS = ("tool", "sources", "profile", "commit", "source_date_epoch")
PDF_PARTS = (*COMMON_PARTS, "print_styles", "fonts")
EPUB_PARTS = (*COMMON_PARTS, "ereader_styles", "fonts", "layout")
PARTS = {"pdf": PDF_PARTS, "epub": EPUB_PARTS}


def key_of(kind: str, name: str, parts: dict[str, str]) -> str:
    """An output's key: a hash of its kind, its file name and its named parts."""
    return digest(kind, name, *(f"{part}={parts[part]}" for part in PARTS.get(kind, PDF_PARTS)))


@dataclass(frozen=True)
class Inputs:
    """The hashes of what a build reads, from which each output's key is made."""

    common: dict[str, str]  # COMMON_PARTS
    print_styles: str  # all the print edition reads from styles/ (the typesetter's key)
    print_parts: dict[str, str]  # the same, as the parts "print_styles" and "fonts"
    ereader_parts: dict[str, str]  # "ereader_styles", and the cover's "fonts"

    def pdf_parts(self) -> dict[str, str]:
        return {**self.common, **self.print_parts}

    def epub_parts(self, page_starts: list[PageStart]) -> dict[str, str]:
        starts = json.dumps([asdict(start) for start in page_starts])
        return {**self.common, **self.ereader_parts, "layout": digest(starts)}

    @property
    def layout_key(self) -> str:
        """The print layout, which the PDF is drawn from and the EPUB's page list follows."""
        return key_of("layout", "", self.pdf_parts())

    def pdf_key(self, name: str) -> str:
        return key_of("pdf", name, self.pdf_parts())

    def epub_key(self, name: str, page_starts: list[PageStart]) -> str:
        return key_of("epub", name, self.epub_parts(page_starts))


def read_inputs(project: Project, sources: list[Path], profile: str, commit: str, epoch: str) -> Inputs:
    """The hashes of what a build of the edition whose `sources` are given reads (`profile`: the
    reader profile's text as the gate read it, or ""; `epoch`: the SOURCE_DATE_EPOCH the build
    stamps, or "")."""
    common = {
        "tool": tool_key(),
        "sources": _combined(_hashed(list(dict.fromkeys(sources)), project.root)),
        "profile": digest(profile),
        "commit": digest(commit),
        "source_date_epoch": digest(epoch),
    }
    printed = _hashed(print_files(project), project.root)
    ereader = _hashed(ereader_files(project), project.root)
    return Inputs(
        common,
        _combined(printed),
        {"print_styles": _combined(printed, css=True), "fonts": _combined(printed, css=False)},
        {"ereader_styles": _combined(ereader, css=True), "fonts": _combined(ereader, css=False)},
    )


def _hashed(paths: list[Path], root: Path) -> list[tuple[str, bytes]]:
    """Each file's name (relative to `root`) and SHA-256, each read once, through the gate."""
    return [
        (os.path.relpath(path, root), hashlib.sha256(inside_project(path, root).read_bytes()).digest())
        for path in paths
    ]


def _combined(hashed: list[tuple[str, bytes]], css: bool | None = None) -> str:
    """A hash of the files' names and hashes (`_hashed`), in order: of all of them, or only of
    the stylesheets (`css`), or only of the other files (the fonts)."""
    combined = hashlib.sha256()
    for name, sha in hashed:
        if css is None or name.lower().endswith(".css") == css:
            combined.update(name.encode("utf-8", "surrogateescape") + b"\0")
            combined.update(sha)
    return combined.hexdigest()


FORMAT = 2  # of the record: 2 names the parts of each key; 1, the first, had no "format"


@dataclass
class BuildRecord:
    """What the outputs in a folder were built from (`RECORD_FILE`)."""

    # file name → its "key", the named "parts" the key is made of, and the "sha256" of the bytes
    outputs: dict[str, dict] = field(default_factory=dict)
    # The page starts of the latest print layouts (the full edition, course readers), by key.
    layouts: dict[str, list[PageStart]] = field(default_factory=dict)

    def up_to_date(self, path: Path, key: str) -> bool:
        recorded = self.outputs.get(path.name)
        return bool(recorded) and recorded["key"] == key and self.intact(path)

    def intact(self, path: Path) -> bool:
        """Whether the output is still the file this record says was written."""
        recorded = self.outputs.get(path.name)
        try:  # the output itself, never what a symlink in its place leads to, nor a FIFO
            with open(path, "rb", buffering=0, opener=regular_file_opener) as stream:
                written = hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError:
            return False
        return bool(recorded) and written == recorded["sha256"]

    def wrote(self, path: Path, key: str, parts: dict[str, str], data: bytes) -> None:
        self.outputs[path.name] = {"key": key, "parts": dict(parts), "sha256": hashlib.sha256(data).hexdigest()}

    def starts_for(self, layout_key: str) -> list[PageStart] | None:
        return self.layouts.get(layout_key)

    def keep_layout(self, layout_key: str, starts: list[PageStart]) -> None:
        self.layouts.pop(layout_key, None)
        self.layouts[layout_key] = starts
        for old in list(self.layouts)[:-KEPT_LAYOUTS]:
            del self.layouts[old]

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=1).encode()


def read_record(out_dir: Path) -> tuple[BuildRecord, str]:
    """The record in `out_dir`, and why it is not trusted ("" if it is, or if there is none): a
    record that cannot be read, is of an earlier format, or is not exactly of the shape
    `BuildRecord.to_json` writes is replaced by an empty one, so that the build is a full one."""
    path = out_dir / RECORD_FILE
    try:
        with open(path, "rb", buffering=0, opener=regular_file_opener) as stream:
            data = json.loads(stream.read(MAX_RECORD_BYTES + 1).decode("utf-8"))
    except FileNotFoundError:
        return BuildRecord(), ""
    except (OSError, ValueError) as error:
        return BuildRecord(), f"cannot be read ({getattr(error, 'strerror', None) or type(error).__name__})"
    problem = _record_problem(data)
    if problem:
        return BuildRecord(), problem
    return BuildRecord(
        {name: {**entry, "parts": dict(entry["parts"])} for name, entry in data["outputs"].items()},
        {key: [PageStart(**start) for start in starts] for key, starts in data["layouts"].items()},
    ), ""


MAX_RECORD_BYTES = 16 << 20
HEX64 = re.compile(r"[0-9a-f]{64}")
PAGE_START_FIELDS = {"label": str, "block": str, "offset": int}
EARLIER_FORMAT = "it is of an earlier format, which does not name the parts of each key"


def _record_problem(data: object) -> str:
    """What is wrong with a record read from JSON, or "" if it has the shape of a record."""
    if isinstance(data, dict) and "format" not in data and set(data) == {"outputs", "layouts"}:
        return EARLIER_FORMAT
    if not isinstance(data, dict) or set(data) != {"format", "outputs", "layouts"}:
        return "it is not a record of its format, outputs and layouts"
    if type(data["format"]) is not int or data["format"] != FORMAT:
        return f"its format is not {FORMAT}"
    outputs, layouts = data["outputs"], data["layouts"]
    if not isinstance(outputs, dict) or not isinstance(layouts, dict):
        return "its outputs or layouts are not tables"
    for name, entry in outputs.items():
        kind = name.rsplit(".", 1)[-1]
        hashes = ("key", "sha256")
        if not (isinstance(entry, dict) and set(entry) == {"key", "parts", "sha256"} and kind in PARTS
                and all(isinstance(entry[k], str) and HEX64.fullmatch(entry[k]) for k in hashes)):  # fmt: skip
            return f"its entry for {name!r} is not a key, its parts and a SHA-256"
        parts = entry["parts"]
        if not (isinstance(parts, dict) and list(parts) == list(PARTS[kind])
                and all(isinstance(value, str) and HEX64.fullmatch(value) for value in parts.values())):  # fmt: skip
            return f"the parts of {name!r} are not {', '.join(PARTS[kind])}, each a SHA-256"
        if key_of(kind, name, parts) != entry["key"]:
            return f"the key of {name!r} is not made of its parts"
    for key, starts in layouts.items():
        if not HEX64.fullmatch(key):
            return "a layout's key is not a SHA-256"
        if not isinstance(starts, list) or not starts:
            return "a layout has no page starts"
        for start in starts:
            if not (isinstance(start, dict) and set(start) == set(PAGE_START_FIELDS)
                    and all(type(start[field]) is kind for field, kind in PAGE_START_FIELDS.items())
                    and start["offset"] >= 0 and start["label"] and start["block"]):  # fmt: skip
                return "a page start is not a label, a block and an offset"
        labels = [start["label"] for start in starts]
        front = list(itertools.takewhile(lambda label: not NUMBER.fullmatch(label), labels))
        body = labels[len(front) :]
        # The front matter's roman folios (ii, iii…) first, then the body's numbers, each rising.
        romans = {roman(number): number for number in range(1, 40)}
        if not all(label in romans for label in front) or not all(NUMBER.fullmatch(label) for label in body):
            return "its page labels are not roman numbers, then numbers"
        for numbers in ([romans[label] for label in front], [int(label) for label in body]):
            if numbers != sorted(set(numbers)):
                return "its page labels are not in increasing order"
    return ""


NUMBER = re.compile(r"[0-9]+")  # a body page's label (str.isdigit would take "²", which int refuses)
