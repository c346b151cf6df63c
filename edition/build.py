"""Build the edition: load the sources once, render the chosen formats, write them safely.

Each output is written to a temporary file beside its destination and moved into place only
when complete, so a failed or interrupted build leaves the previous outputs as they were.
Hands the CLI a list of `Stage` timings and the paths written.
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

from .check import lint
from .epub import PrintPages, build_epub
from .errors import EditionError, SourceError
from .model import Edition, Imprint
from .pages import page_starts
from .pdf import first_page_of, layout, write_pdf
from .project import Project
from .provenance import commit
from .reader import DEFAULT, Profile, apply_profile, load_profile
from .source import load_edition

FORMATS = ("pdf", "epub")


@dataclass
class Report:
    """What a build did: the time each stage took, and the files it wrote."""

    stages: list[tuple[str, float]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

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
) -> Report:
    """Build the given formats into `out_dir` (default `dist/`), for a course reader if given."""
    out_dir = out_dir or project.dist_dir
    report = Report()
    profile = load_profile(profile_path) if profile_path else DEFAULT
    with report.stage("read and check sources"):
        problems = lint(project)
        if problems:
            raise SourceError(problems)
        edition = apply_profile(load_edition(project), profile, profile_path)
    when = build_time(edition)
    imprint = Imprint(commit(project), when.isoformat(timespec="seconds"), profile.course)
    _prepare(out_dir)

    name = profile_path.stem if profile_path else ""
    # Both outputs need the print layout: the EPUB marks where its pages begin.
    with report.stage("lay out the print edition"):
        document = layout(edition, project, imprint, profile)
    renderers: dict[str, Callable[[], bytes]] = {
        "pdf": lambda: write_pdf(document, edition, project, when),
        "epub": lambda: build_epub(edition, project, imprint, when, _print_pages(edition, document, profile, name)),
    }
    for fmt in formats:
        with report.stage(f"write the {fmt.upper()}"):
            data = renderers[fmt]()
        target = output_path(edition, out_dir, fmt, name)
        write_atomically(target, data)
        report.written.append(target)
    return report


def _print_pages(edition: Edition, document, profile: Profile, name: str) -> PrintPages:
    pdf = output_path(edition, Path(), "pdf", name).name
    source = f"{edition.full_title}, version {edition.version}, print edition on {profile.page_size} ({pdf})"
    return PrintPages(source, page_starts(document, first_page_of(document, edition.essays[0].id)))


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
