"""Build the edition: load the sources once, render the chosen formats, write them safely.

Each output is written to a temporary file beside its destination and moved into place only
when complete, so a failed or interrupted build leaves the previous outputs as they were; an
output already made of the same inputs is not built again. Before anything is written, the
output folder and every name the build may write there are checked (`gate.output_folder`,
`gate.output_file`): a name from the sources is a file name in that folder, never a path.
Hands the CLI a `Report`: the time of each stage, the paths written and those left as they
were. `explain` says, from the build record, why each output would be built again (`edition
build --explain`).

One build at a time writes to an output folder: a build holds the lock of the folder
(`.edition-build.lock`, `fcntl.flock`) from reading the build record to writing it, and a second
build into that folder meanwhile stops at once with "another build is writing to …" (exit 2),
so that the record and the files always agree. Holding the lock, a build removes the temporary
files that a killed build left there (`.<output>.<random>.part`, only those).
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import EditionError, display_path
from .gate import RECORD_FILE, output_file, output_folder, write_atomically, writing_to
from .keeping.provenance import commit
from .keeping.record import EARLIER_FORMAT, BuildRecord, Inputs, read_inputs, read_record
from .layout.memory import collected_less_often
from .project import Project
from .sources.check import checked_edition
from .sources.dates import build_time, source_date_epoch
from .sources.model import Edition, Imprint
from .sources.profiles import DEFAULT, Profile, apply_profile, load_profile

if TYPE_CHECKING:  # pdf imports WeasyPrint, which only a build with work to do loads (see `build`)
    from weasyprint.document import Document

    from .layout.pdf import DrawnAhead, Typesetter

FORMATS = ("pdf", "epub")  # what a build writes unless told which
# Built only when asked for (`--format`): the Kobo edition and the Kindle edition, each made from
# the EPUB (the Kindle edition by Calibre, where it is installed).
READER_FORMATS = ("kepub", "azw3")
ALL_FORMATS = FORMATS + READER_FORMATS
SUFFIXES = {"pdf": "pdf", "epub": "epub", "kepub": "kepub.epub", "azw3": "azw3", "apnx": "apnx"}
Progress = Callable[[str], None]  # told what the build is doing, as it goes


@dataclass
class Report:
    """What a build did: the time each stage took, and the files it wrote."""

    stages: list[tuple[str, float]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # up to date already, left untouched
    notices: list[str] = field(default_factory=list)  # one line each, for the user: nothing failed
    pages_laid_out: int | None = None  # by WeasyPrint, if the print edition was laid out (not those kept)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.stages.append((name, time.perf_counter() - start))


def output_path(edition: Edition, out_dir: Path, fmt: str, name: str = "", proof: bool = False) -> Path:
    """`<slug>-<version>.<fmt>`, or `<slug>-<version>-<name>.<fmt>` for a course reader, in
    `out_dir` and nowhere else (`gate.output_file`: an `EditionError` if the name is not one plain
    file name); with `proof`, `<…>-proof.pdf`, the proof `edition watch` writes after a save."""
    stem = f"{edition.slug}-{edition.version}{'-' + name if name else ''}{'-proof' if proof else ''}"
    return output_file(out_dir, f"{stem}.{SUFFIXES[fmt]}")


@dataclass(frozen=True)
class Job:
    """What a build (or `explain`) reads before anything is written: the project, the edition as
    the profile shapes it, the course reader's name ("" for the edition), the output folder, the
    inputs' hashes, the date to stamp and the imprint."""

    project: Project
    edition: Edition
    profile: Profile
    name: str
    out_dir: Path
    inputs: Inputs
    when: datetime
    imprint: Imprint

    def target(self, fmt: str) -> Path:
        return output_path(self.edition, self.out_dir, fmt, self.name)


def read_job(
    project: Project,
    out_dir: Path | None,
    profile_path: Path | None,
    epoch: str | None,
    checked: Edition | None = None,
) -> Job:
    """Check the sources and read what a build of them into `out_dir` (default `dist/`), for a
    course reader if `profile_path`, is made of. `epoch` is the SOURCE_DATE_EPOCH to stamp
    (default: the environment's); `checked`, the edition as `checked_edition` read it already
    (for several course readers, whose sources are read and checked once)."""
    epoch = source_date_epoch() if epoch is None else epoch
    out_dir = output_folder(out_dir or project.dist_dir, project.root)
    profile = load_profile(profile_path, project.root) if profile_path else DEFAULT
    edition = apply_profile(checked if checked is not None else checked_edition(project), profile, profile_path)
    imprint_commit = commit(project)
    inputs = read_inputs(project, edition.sources, profile.text, imprint_commit, epoch)
    when = build_time(edition, epoch)  # a SOURCE_DATE_EPOCH a build would refuse is refused here
    imprint = Imprint(imprint_commit, when.isoformat(timespec="seconds"), profile.course)
    name = profile_path.stem if profile_path else ""
    for fmt in ALL_FORMATS:  # every name it may write, checked before anything is written
        output_path(edition, out_dir, fmt, name)
    output_path(edition, out_dir, "pdf", name, proof=True)
    output_path(edition, out_dir, "apnx", name)
    return Job(project, edition, profile, name, out_dir, inputs, when, imprint)


def build(
    project: Project,
    formats: tuple[str, ...] = FORMATS,
    out_dir: Path | None = None,
    profile_path: Path | None = None,
    warm: Warm | None = None,
    progress: Callable[[str], None] | None = None,
    epoch: str | None = None,
    proof: bool = False,
) -> Report:
    """Build the given formats into `out_dir` (default `dist/`), for a course reader if given.

    An output whose inputs have not changed since it was written is left as it is (see
    `keeping.record`); the print edition is laid out only if the PDF must be written, or the EPUB needs
    page starts that the last build did not record. `warm` keeps WeasyPrint warm between
    builds (`edition watch`); `progress` is told what the build is doing, as it goes. `epoch`
    is the SOURCE_DATE_EPOCH to stamp (default: the environment's).

    With `proof` (`edition watch`, after a save), the build writes only the proof PDF
    (`output_path(…, proof=True)`): the archival PDF's pages, written for the eye alone (see
    `pdf.write_proof`), and neither the archival outputs nor the build record.
    """
    report = Report()
    with collected_less_often():  # see `layout.memory`
        with report.stage("read and check sources"):
            job = read_job(project, out_dir, profile_path, epoch)
        return _build_job(job, formats, warm or Warm(), progress, proof, report)


def build_readers(
    project: Project,
    formats: tuple[str, ...],
    out_dir: Path | None,
    profile_paths: list[Path],
    progress: Callable[[str], None] | None = None,
    epoch: str | None = None,
    jobs: int = 1,
) -> list[Report]:
    """Several course readers in one command (`edition build --reader a.toml --reader b.toml`,
    or a folder of profiles), each as `build` builds it, one report each, in their order: the
    sources read and checked once, and every profile read before anything is written (a
    mistake in the last stops the first); the readers on the same paper laid out by one
    typesetter, which reads the fonts and stylesheets once and keeps any part another reader
    laid out the same (`layout.pdf`: the same HTML, on the same side, its page numbers and
    course line laid out apart). Each paper's layouts may use `jobs` processes (see `Warm`)."""
    stems = [path.stem for path in profile_paths]
    twice = sorted({stem for stem in stems if stems.count(stem) > 1})
    if twice:
        raise EditionError(f"two reader profiles are named {twice[0]}: their outputs would have the same names")
    with collected_less_often():  # see `layout.memory`
        reports = [Report() for _ in profile_paths]
        with reports[0].stage("read and check sources"):
            checked = checked_edition(project)
            readers = [read_job(project, out_dir, path, epoch, checked) for path in profile_paths]
        warm_by_paper: dict[str, Warm] = {}
        later: list[int] = []  # readers on a paper another reader has been laid out on
        for index, (job, report) in enumerate(zip(readers, reports, strict=True)):
            if jobs > 1 and job.profile.page_size in warm_by_paper:
                later.append(index)
                continue
            warm = warm_by_paper.setdefault(job.profile.page_size, Warm(jobs=jobs))
            _build_job(job, formats, warm, progress, False, report)
        if later:
            if progress:
                progress(f"building {len(later)} more readers side by side")
            made = _made_side_by_side([readers[index] for index in later], formats, warm_by_paper, jobs)
            for index, report in zip(later, made, strict=True):
                reports[index] = report
        return reports


def _made_side_by_side(
    readers: list[Job], formats: tuple[str, ...], warm_by_paper: dict[str, Warm], jobs: int
) -> list[Report]:
    """The readers, each built in one of `jobs` worker processes (`layout.parallel`) forked from
    this one, whose typesetters have laid out a reader on each paper already (so each worker
    keeps the parts that reader laid out, as a build of the readers one after another does);
    what each would write is sent back and written here, in their order, with the build record,
    in the output folder's lock. Their reports, in their order.

    Each reader after the first on its paper spends four fifths of its time writing its PDF
    (five readers of this edition: 0.3–0.45 s of layout, 1.3–1.4 s of PDF and EPUB each), which
    two processes do side by side. The same bytes as a build of the readers one after another:
    a part kept from another reader's layout prints what it would print laid out anew."""
    from .layout.parallel import side_by_side

    out_dir = readers[0].out_dir  # `build_readers` builds every reader into one folder
    with _record_in_lock(out_dir, readers[0].project.root) as (record, notice):

        def made(index: int) -> tuple[bytes, int]:  # in a worker
            job, report, writes = readers[index], Report(), []
            warm = warm_by_paper[job.profile.page_size]
            warm.jobs = 1  # this worker is one of the build's processes already
            _build(job, formats, record, warm, None, report, lambda path, data: writes.append((path, data)))
            laid_out = record.starts_for(job.inputs.layout_key) if report.pages_laid_out is not None else None
            names = {job.target(fmt).name for fmt in formats}
            outputs = {name: entry for name, entry in record.outputs.items() if name in names}
            return pickle.dumps((report, writes, laid_out, outputs)), 0

        names = [job.name for job in readers]
        sent, _ = side_by_side(names, jobs, made, lambda name, data: pickle.loads(data))
        reports = []
        for job in readers:
            report, writes, laid_out, outputs = sent[job.name]
            report.notices[:0] = [notice] if notice else []
            if laid_out is not None:
                record.keep_layout(job.inputs.layout_key, laid_out)
            record.outputs.update(outputs)
            for path, data in writes:
                write_atomically(path, record.to_json() if path.name == RECORD_FILE else data)
            reports.append(report)
    return reports


def _build_job(
    job: Job, formats: tuple[str, ...], warm: Warm, progress: Progress | None, proof: bool, report: Report
) -> Report:
    """A build of what `read_job` read, in the output folder's lock (see `build`)."""
    _prepare(job.out_dir)
    with _record_in_lock(job.out_dir, job.project.root) as (record, notice):
        report.notices += [notice] if notice else []
        if proof:
            _build_proof(job, warm, progress, report)
        else:
            _build(job, formats, record, warm, progress, report)
    return report


@contextmanager
def _record_in_lock(out_dir: Path, root: Path) -> Iterator[tuple[BuildRecord, str]]:
    """The output folder's lock held (`gate.writing_to`): its build record, and a notice for the
    report if the record is not trusted ("" if it is)."""
    busy = f"another build is writing to {display_path(out_dir, root)}/; try again when it has finished"
    with writing_to(out_dir, busy):
        record, distrust = read_record(out_dir)
        shown = display_path(out_dir / RECORD_FILE, root)
        notice = f"the build record {shown} is not trusted ({distrust}): building everything again"
        yield record, (notice if distrust else "")


def _build(
    job: Job,
    formats: tuple[str, ...],
    record: BuildRecord,
    warm: Warm,
    progress: Progress | None,
    report: Report,
    write: Callable[[Path, bytes], None] = write_atomically,
) -> None:
    """The build itself, the folder's lock held: write what is out of date, and the record
    (through `write`: a reader made in a worker hands its files to the build's process)."""
    inputs, edition = job.inputs, job.edition
    targets = {fmt: job.target(fmt) for fmt in formats}
    starts = record.starts_for(inputs.layout_key)

    def stale(fmt: str) -> bool:
        if fmt == "pdf":
            return not record.up_to_date(targets[fmt], inputs.pdf_key(targets[fmt].name))
        return starts is None or not record.up_to_date(targets[fmt], inputs.epub_key(targets[fmt].name, starts))

    todo = [fmt for fmt in formats if stale(fmt)]
    report.unchanged = [targets[fmt] for fmt in formats if fmt not in todo]
    if not todo:
        return

    from .ereader.epub import PrintPages, build_epub
    from .ereader.kepub import kepub
    from .ereader.kindle import azw3
    from .layout.parallel import beside

    document = None
    if "pdf" in todo or starts is None:
        from .layout.pdf import DrawnAhead, print_page_starts, write_pdf

        ahead = DrawnAhead() if "pdf" in todo else None  # pages the layout may draw for the PDF
        document = _lay_out(job, warm, progress, report, ahead)
        starts = print_page_starts(document, edition)
        record.keep_layout(inputs.layout_key, starts)
    keys = {"pdf": inputs.pdf_key(targets["pdf"].name)} if "pdf" in todo else {}
    parts = {"pdf": inputs.pdf_parts()} if "pdf" in todo else {}
    for fmt in [fmt for fmt in todo if fmt != "pdf"]:  # the EPUB and the editions made from it
        keys[fmt] = inputs.epub_key(targets[fmt].name, starts)
        parts[fmt] = inputs.epub_parts(starts)
        if record.up_to_date(targets[fmt], keys[fmt]):  # the layout changed, not its pages
            todo.remove(fmt)
            report.unchanged.append(targets[fmt])
    if document is not None and not todo:
        # A new layout whose page starts moved nothing is kept too, or every later build lays
        # the edition out again to find that out.
        write(job.out_dir / RECORD_FILE, record.to_json())
    print_source = f"{edition.full_title}, version {edition.version}, print edition on {job.profile.page_size}"
    print_source += f" ({job.target('pdf').name})"
    made: dict[str, bytes] = {}  # the EPUB, made once for the formats made from it

    def epub() -> bytes:
        if "epub" not in made:
            made["epub"] = build_epub(edition, job.project, job.imprint, job.when, PrintPages(print_source, starts))
        return made["epub"]

    beside_pdf = warm.jobs > 1 and todo[0] == "pdf" and len(todo) > 1  # the EPUB made in a worker meanwhile

    def pdf() -> bytes:
        if beside_pdf:
            made["epub"], data = beside(
                epub, lambda: write_pdf(document, edition, job.project, job.when, ahead, warm.jobs)
            )
            return data
        return write_pdf(document, edition, job.project, job.when, ahead, warm.jobs)

    renderers: dict[str, Callable[[], bytes | tuple[bytes, bytes]]] = {
        "pdf": pdf,
        "epub": epub,
        "kepub": lambda: kepub(epub(), job.when),
        "azw3": lambda: azw3(epub(), job.when),
    }
    for fmt in todo:
        if progress:
            progress(f"writing the {fmt.upper()}")
        with report.stage(
            f"write the {fmt.upper()}" + (", the EPUB made beside it" if fmt == "pdf" and beside_pdf else "")
        ):
            data = renderers[fmt]()
        if isinstance(data, tuple):  # the AZW3 and its sidecar, the APNX of its print pages
            data, sidecar = data
            write(output_path(edition, job.out_dir, "apnx", job.name), sidecar)
        write(targets[fmt], data)
        record.wrote(targets[fmt], keys[fmt], parts[fmt], data)
        write(job.out_dir / RECORD_FILE, record.to_json())
        report.written.append(targets[fmt])


def _build_proof(job: Job, warm: Warm, progress: Progress | None, report: Report) -> None:
    """Write the proof PDF, unless the one `warm` last wrote is of the same inputs and in place."""
    target = output_path(job.edition, job.out_dir, "pdf", job.name, proof=True)
    key = job.inputs.pdf_key(target.name)
    if warm.proof == (target, key) and target.is_file():
        report.unchanged.append(target)
        return
    from .layout.pdf import write_proof

    document = _lay_out(job, warm, progress, report)
    with report.stage("write the proof PDF"):
        data = write_proof(document, job.edition, job.when, warm.typesetter)
    write_atomically(target, data)
    warm.proof = (target, key)
    report.written.append(target)


def _lay_out(
    job: Job, warm: Warm, progress: Progress | None, report: Report, ahead: DrawnAhead | None = None
) -> Document:
    """The print edition laid out, by `warm`'s typesetter if it can still serve (drawing
    `ahead` what it can for the PDF: see `layout.pdf.layout`)."""
    # Imported only now: WeasyPrint alone takes a second to import, which a build with nothing
    # to do, or with only the EPUB to write, should not pay.
    from .layout.pdf import layout, typesetter_for

    with report.stage("lay out the print edition"):
        if progress:
            progress("laying out the print edition")
        warm.typesetter = typesetter_for(
            job.project, job.profile.page_size, job.inputs.print_styles, warm.typesetter, warm.keeps_lines
        )
        document = layout(
            job.edition, job.project, job.imprint, job.profile, warm.typesetter, progress, warm.jobs, ahead
        )
    report.pages_laid_out = warm.typesetter.pages_laid_out
    return document


def explain(job: Job, formats: tuple[str, ...] = FORMATS) -> list[str]:
    """One line for each output of `job`, saying whether a build would write it and why: "up to
    date"; the named parts of its key that changed since the record (`inputs.PDF_PARTS`,
    `inputs.EPUB_PARTS`); that the file was changed or removed since it was written; "no
    record"; or "record not trusted: …". It reads what a build reads, and writes nothing."""
    record, distrust = read_record(job.out_dir)
    return [
        f"{display_path(job.target(fmt), job.project.root)}: "
        + _why(fmt, job.target(fmt), job.target("pdf").name, job.inputs, record, distrust)
        for fmt in formats
    ]


def _why(fmt: str, target: Path, pdf_name: str, inputs: Inputs, record: BuildRecord, distrust: str) -> str:
    if distrust == EARLIER_FORMAT:
        return "no record (the record is of an earlier format): it would be built again"
    if distrust:
        return f"record not trusted: {distrust}"
    entry = record.outputs.get(target.name)
    if entry is None:
        return "no record"
    if fmt == "pdf":
        changed = _changed(entry["parts"], inputs.pdf_parts())
    else:
        starts = record.starts_for(inputs.layout_key)
        changed = _changed(entry["parts"], inputs.epub_parts(starts or []))
        if starts is None:  # the page starts of the print layout these inputs make are not recorded
            changed = [part for part in changed if part != "layout"]
            if changed:
                return f"changed: {', '.join(changed)}; its page starts will come from a new print layout"
            printed = record.outputs.get(pdf_name)
            why = _changed(printed["parts"], inputs.pdf_parts()) if printed else ["print_styles or fonts"]
            relaid = "layout: unknown until the print edition is laid out again"
            relaid += f" ({', '.join(why)} changed)" if why else " (it is not recorded)"
            return f"{relaid}; written again only if its page starts moved"
    if changed:
        return f"changed: {', '.join(changed)}"
    if not record.intact(target):
        return "changed or removed since it was written"
    return "up to date"


def _changed(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """The named parts whose hash is not the recorded one, in the order of the key."""
    return [part for part, value in current.items() if recorded.get(part) != value]


@dataclass
class Warm:
    """What `edition watch` keeps from one build to the next: the typesetter, with its fonts,
    stylesheets and the last layout of each part, and the proof it last wrote (its path and
    key); how many processes its layouts may use, and whether they keep the lines they broke."""

    typesetter: Typesetter | None = None
    proof: tuple[Path, str] | None = None
    jobs: int = 1  # the processes that may lay out parts side by side (`layout.parallel`)
    keeps_lines: bool = False  # each part's layout keeps its lines for the next (`Typesetter.keeps_lines`)


def _prepare(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EditionError(f"cannot create the output folder {out_dir}: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK):
        raise EditionError(f"cannot write to the output folder {out_dir}")
