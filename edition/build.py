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

from .epub import build_epub
from .errors import EditionError
from .model import Edition, Imprint
from .pdf import layout, write_pdf
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
    with report.stage("read and validate sources"):
        edition = apply_profile(load_edition(project), profile, profile_path)
    when = build_time(edition)
    imprint = Imprint(commit(project), when.isoformat(timespec="seconds"), profile.course)
    _prepare(out_dir)

    renderers: dict[str, Callable[[], bytes]] = {
        "pdf": lambda: _pdf(edition, project, imprint, profile, when, report),
        "epub": lambda: _epub(edition, project, imprint, when, report),
    }
    for fmt in formats:
        data = renderers[fmt]()
        target = output_path(edition, out_dir, fmt, profile_path.stem if profile_path else "")
        write_atomically(target, data)
        report.written.append(target)
    return report


def _pdf(edition: Edition, project: Project, imprint: Imprint, profile: Profile, when: datetime, report: Report):
    with report.stage("lay out the print edition"):
        document = layout(edition, project, imprint, profile)
    with report.stage("write the PDF"):
        return write_pdf(document, edition, project, when)


def _epub(edition: Edition, project: Project, imprint: Imprint, when: datetime, report: Report) -> bytes:
    with report.stage("package the EPUB"):
        return build_epub(edition, project, imprint, when)


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
