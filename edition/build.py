"""Build the edition: load the sources once, render the chosen formats, write them safely.

Each output is written to a temporary file beside its destination and moved into place only
when complete, so a failed or interrupted build leaves the previous outputs as they were; an
output already made of the same inputs is not built again. Hands the CLI a `Report`: the time
of each stage, the paths written and those left as they were.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .check import lint
from .errors import EditionError, SourceError
from .inputs import RECORD_FILE, read_inputs, read_record
from .model import Edition, Imprint
from .project import Project
from .provenance import commit
from .reader import DEFAULT, Profile, apply_profile, load_profile
from .source import load_edition

if TYPE_CHECKING:  # pdf imports WeasyPrint, which only a build with work to do loads (see `build`)
    from .pdf import Typesetter

FORMATS = ("pdf", "epub")


@dataclass
class Report:
    """What a build did: the time each stage took, and the files it wrote."""

    stages: list[tuple[str, float]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # up to date already, left untouched

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.stages.append((name, time.perf_counter() - start))


def build_time(edition: Edition) -> datetime:
    """The date stamped into the outputs: SOURCE_DATE_EPOCH if set, else the edition's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError):
            raise EditionError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from None
    day = date.fromisoformat(edition.date)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def output_path(edition: Edition, out_dir: Path, fmt: str, name: str = "") -> Path:
    """`<slug>-<version>.<fmt>`, or `<slug>-<version>-<name>.<fmt>` for a course reader."""
    return out_dir / f"{edition.slug}-{edition.version}{'-' + name if name else ''}.{fmt}"


def build(
    project: Project,
    formats: tuple[str, ...] = FORMATS,
    out_dir: Path | None = None,
    profile_path: Path | None = None,
    warm: Warm | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Build the given formats into `out_dir` (default `dist/`), for a course reader if given.

    An output whose inputs have not changed since it was written is left as it is (see
    `inputs`); the print edition is laid out only if the PDF must be written, or the EPUB needs
    page starts that the last build did not record. `warm` keeps WeasyPrint warm between
    builds (`edition watch`); `progress` is told what the build is doing, as it goes.
    """
    out_dir = out_dir or project.dist_dir
    report = Report()
    profile = load_profile(profile_path) if profile_path else DEFAULT
    name = profile_path.stem if profile_path else ""
    with report.stage("read and check sources"):
        problems = lint(project)
        if problems:
            raise SourceError(problems)
        edition = apply_profile(load_edition(project), profile, profile_path)
        imprint_commit = commit(project)
        inputs = read_inputs(project, profile_path, imprint_commit)
        record = read_record(out_dir)
    targets = {fmt: output_path(edition, out_dir, fmt, name) for fmt in formats}
    starts = record.starts_for(inputs.layout_key)

    def stale(fmt: str) -> bool:
        if fmt == "pdf":
            return not record.up_to_date(targets[fmt], inputs.pdf_key(targets[fmt].name))
        return starts is None or not record.up_to_date(targets[fmt], inputs.epub_key(targets[fmt].name, starts))

    todo = [fmt for fmt in formats if stale(fmt)]
    report.unchanged = [targets[fmt] for fmt in formats if fmt not in todo]
    if not todo:
        return report

    from .epub import PrintPages, build_epub

    when = build_time(edition)
    imprint = Imprint(imprint_commit, when.isoformat(timespec="seconds"), profile.course)
    _prepare(out_dir)
    document = None
    if "pdf" in todo or starts is None:
        # Imported only now: WeasyPrint alone takes a second to import, which a build with
        # nothing to do, or with only the EPUB to write, should not pay.
        from .pages import first_page_of, page_starts
        from .pdf import layout, typesetter_for, write_pdf

        with report.stage("lay out the print edition"):
            if progress:
                progress("laying out the print edition")
            warm = warm or Warm()
            warm.typesetter = typesetter_for(project, profile.page_size, inputs.print_styles, warm.typesetter)
            document = layout(edition, project, imprint, profile, warm.typesetter, progress)
            starts = page_starts(document.pages, first_page_of(document.pages, edition.essays[0].id))
        record.keep_layout(inputs.layout_key, starts)
    keys = {"pdf": inputs.pdf_key(targets["pdf"].name)} if "pdf" in todo else {}
    if "epub" in todo:
        keys["epub"] = inputs.epub_key(targets["epub"].name, starts)
        if record.up_to_date(targets["epub"], keys["epub"]):  # the layout changed, not its pages
            todo.remove("epub")
            report.unchanged.append(targets["epub"])
    print_source = _print_source(edition, profile, name)
    renderers: dict[str, Callable[[], bytes]] = {
        "pdf": lambda: write_pdf(document, edition, project, when),
        "epub": lambda: build_epub(edition, project, imprint, when, PrintPages(print_source, starts)),
    }
    for fmt in todo:
        if progress:
            progress(f"writing the {fmt.upper()}")
        with report.stage(f"write the {fmt.upper()}"):
            data = renderers[fmt]()
        write_atomically(targets[fmt], data)
        record.wrote(targets[fmt], keys[fmt], data)
        write_atomically(out_dir / RECORD_FILE, record.to_json())
        report.written.append(targets[fmt])
    return report


@dataclass
class Warm:
    """What `edition watch` keeps from one build to the next: the typesetter, with its fonts,
    stylesheets and the parts it has laid out."""

    typesetter: Typesetter | None = None


def _print_source(edition: Edition, profile: Profile, name: str) -> str:
    pdf = output_path(edition, Path(), "pdf", name).name
    return f"{edition.full_title}, version {edition.version}, print edition on {profile.page_size} ({pdf})"


def _prepare(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EditionError(f"cannot create the output folder {out_dir}: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK):
        raise EditionError(f"cannot write to the output folder {out_dir}")


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that `target` is either the old file or the whole new one."""
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise EditionError(f"cannot write {target}: {error.strerror}") from None
