"""The `edition` command: parse the arguments, run a command, report, and exit.

User mistakes (bad source, a missing file, an unwritable folder) end with a message and a
non-zero exit, never a traceback. Exit codes: 0 done, 1 the sources have errors, 2 usage or
environment problem (see the README).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from . import __version__
from .build import ALL_FORMATS, FORMATS, Report, Warm, build, build_readers, explain, read_job
from .errors import DamagedPackage, EditionError, SourceError, display_path
from .gate import output_folder, printable
from .layout.parallel import available_cores
from .project import find_project
from .sources.check import checked_edition, run_checks
from .sources.profiles import load_profile

EXIT_OK, EXIT_SOURCE, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edition", description="Publish the edition from its XML sources.")
    parser.add_argument("--version", action="version", version=f"edition {__version__}")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    commands = parser.add_subparsers(dest="command", required=True)

    build_command = commands.add_parser("build", help="build the PDF and the EPUB into dist/")
    watch_command = commands.add_parser("watch", help="build, then build again after every save")
    for command in (build_command, watch_command):
        command.add_argument(
            "--format",
            choices=ALL_FORMATS,
            action="append",
            help="build only this format (repeatable); kepub (Kobo) and azw3 (Kindle, by Calibre) only when named",
        )
        command.add_argument("--out", type=Path, help="write here instead of dist/")
        command.add_argument(
            "--jobs",
            type=_positive,
            default=available_cores(),
            metavar="N",
            help="lay the print edition's parts out in N processes at most (default: the cores, here %(default)s)",
        )
    build_command.add_argument(
        "--reader",
        type=Path,
        action="append",
        metavar="FILE.toml",
        help="build a course reader described by this profile (repeatable; a folder: each profile in it)",
    )
    watch_command.add_argument(
        "--reader", type=Path, metavar="FILE.toml", help="build a course reader described by this profile"
    )

    build_command.add_argument(
        "--explain",
        action="store_true",
        help="say, for each output, whether it is up to date or which parts of it changed; build nothing",
    )

    check_command = commands.add_parser("check", help="report every problem in the sources, with its code")
    check_command.add_argument(
        "--suspects", action="store_true", help="also list the words that look like damage from a scan (S001–S005)"
    )
    check_command.add_argument(
        "--mentions", action="store_true", help="also list the names the register knows, left unmarked (M001–M003)"
    )
    check_command.add_argument(
        "--accept", action="append", default=[], metavar="FILE:LINE:COL", help="record this suspect's reading"
    )
    check_command.add_argument(
        "--apply", action="store_true", help="with --mentions: mark every unambiguous name the last check listed"
    )

    archive_command = commands.add_parser("archive", help="build this version and add it to the edition's OCFL object")
    archive_command.add_argument(
        "--into", type=Path, help="the OCFL storage root (default: dist/archive); with --bag, where the bag goes"
    )
    archive_command.add_argument(
        "--allow-version", metavar="REASON", help="archive a version number the version rule refuses, for this reason"
    )
    archive_command.add_argument(
        "--bag", metavar="VERSION", help="export this version (v2 or 0.2.0) of the object as a BagIt package instead"
    )
    archive_command.add_argument("--from", dest="source", type=Path, help="with --bag: the storage root to export from")

    new_command = commands.add_parser("new", help="make a new edition project, which builds at once")
    new_command.add_argument("folder", type=Path, help="the project's folder (new, or empty)")
    new_command.add_argument("--title", default="", help="the edition's title (default: the folder's name)")
    new_command.add_argument("--editor", action="append", default=[], help="an editor's name (repeatable)")

    import_command = commands.add_parser("import", help="take a document in as a text of the edition")
    import_command.add_argument("file", type=Path, help="a .docx, .odt, .md, .html or .txt file")
    import_command.add_argument("--id", default="", help="the text's id and file name (default: author-year)")
    import_command.add_argument("--title", default="", help="its title, if the document does not say it")
    import_command.add_argument("--author", default="", help="its author, if the document does not say it")
    import_command.add_argument("--date", default="", help="its date, as 1988, 1988-05 or 1988-05-14")
    import_command.add_argument("--source", default="", help="where it was first published (its credit line)")
    import_command.add_argument("--rights", default="", help="by whose permission it is reproduced")
    import_command.add_argument(
        "--reading", action="store_true", help="a reading for course readers, which the edition itself does not print"
    )
    diff_command = commands.add_parser("diff", help="say what changed between two versions, and where each ¶ went")
    for name in ("old", "new"):
        diff_command.add_argument(name, help="a version in the OCFL object (v1, 0.2.0), a git revision, or a folder")
    diff_command.add_argument("--html", type=Path, metavar="FILE", help="also write the comparison as a web page")
    diff_command.add_argument("--json", action="store_true", help="print the comparison as JSON")
    diff_command.add_argument("--from", dest="source", type=Path, help="the OCFL storage root (default: dist/archive)")

    verify_command = commands.add_parser(
        "verify", help="check an OCFL object or storage root, or a BagIt package: structure and every checksum"
    )
    verify_command.add_argument("path", type=Path, help="the object's, storage root's or package's folder")
    return parser


def run() -> None:
    """The `edition` command (and `python -m edition`): `main`, and then the process ends at
    once. The interpreter's own ending would free, one by one, the objects a build made (a third
    of a second for this edition's pages, more for a longer one) with nothing left to do: by
    then every output is written and closed and every worker joined.

    What would have been left to do is removing temporary files that objects remove when they
    are freed (WeasyPrint copies the faces into a folder of its own, removed with its font
    configuration): every temporary file of the command goes into one folder, removed before
    the process ends."""
    # `kill` (SIGTERM) ends the command as a Ctrl-C does: through the code that cleans up.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    with tempfile.TemporaryDirectory(prefix="edition-") as scratch:
        tempfile.tempdir = scratch  # for this process and the workers it forks
        try:
            code = main()
        except SystemExit as stop:  # argparse's --help, --version and usage errors
            if not isinstance(stop.code, int):
                raise
            code = stop.code
        finally:
            tempfile.tempdir = None
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # what read the output stopped reading (see `main`)
        code = 128 + signal.SIGPIPE
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "verify":
            from .keeping.archive import main_verify  # BagIt, OCFL and what they import: for these commands only

            return main_verify(args.path)
        if args.command == "new":
            return _new(args)
        project = find_project(args.project)
        if args.command == "check":
            return _check(project, args)
        if args.command == "build" and args.explain:
            return _explain(project, args)
        if args.command == "build":
            return _build(project, args)
        if args.command == "watch":
            return _watch(project, args)
        if args.command == "archive":
            return _archive(project, args)
        if args.command == "import":
            return _import(project, args)
        if args.command == "diff":
            return _diff(project, args)
    except (SourceError, EditionError) as error:
        return _report_error(error)
    except KeyboardInterrupt:
        print("edition: interrupted; earlier outputs are untouched", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # What reads the output stopped reading (`edition check --suspects | head`): stop too, as
        # a command killed by SIGPIPE does, without a word; the output goes nowhere from here, or
        # the interpreter's own flush at exit would fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return EXIT_OK


def _report_error(error: EditionError) -> int:
    """Print what went wrong, and return the exit code it calls for."""
    if isinstance(error, SourceError):
        for diagnostic in error.diagnostics:
            print(diagnostic, file=sys.stderr)
        if len(error.diagnostics) > 1:
            print(f"edition: {len(error.diagnostics)} problems in the sources; nothing was written", file=sys.stderr)
        return EXIT_SOURCE
    print(f"edition: {printable(str(error))}", file=sys.stderr)  # one line, whatever it quotes
    return EXIT_SOURCE if isinstance(error, DamagedPackage) else EXIT_USAGE


def _check(project, args) -> int:
    if args.accept or args.apply:
        return _assist_changes(project, args)
    problems = run_checks(project)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"edition: {len(problems)} problem{'s' if len(problems) > 1 else ''} in the sources", file=sys.stderr)
        return EXIT_SOURCE
    print("edition: the sources are clean")
    if args.suspects or args.mentions:
        from .ingest.assistant import assist

        findings = assist(project, args.suspects, args.mentions)
        for line in findings.lines:
            print(line)
        print(f"edition: {_counted(findings.suspects, 'suspect')}, {_counted(findings.unmarked, 'unmarked mention')}")
    return EXIT_OK


def _assist_changes(project, args) -> int:
    from .ingest.assistant import accept, apply_mentions

    if args.apply and not args.mentions:
        raise EditionError("--apply marks the mentions that `edition check --mentions` lists: give both")
    said = accept(project, args.accept) if args.accept else apply_mentions(project)
    for line in said:
        print(line)
    problems = run_checks(project)
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_SOURCE if problems else EXIT_OK


def _build(project, args, warm: Warm | None = None) -> int:
    formats = tuple(dict.fromkeys(args.format)) if args.format else FORMATS
    readers = _readers(args.reader)
    with _progress() as progress:
        if len(readers) > 1:
            reports = build_readers(project, formats, _named_folder(args.out), readers, progress, jobs=args.jobs)
        else:
            warm = warm or Warm(jobs=args.jobs)
            reports = [build(project, formats, _named_folder(args.out), readers[0], warm, progress)]
    for report in reports:
        _print_report(project, report)
    return EXIT_OK


def _positive(text: str) -> int:
    """A whole number of at least 1, for `--jobs`."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _readers(named: list[Path] | Path | None) -> list[Path | None]:
    """The profiles `build --reader` names, a folder standing for the profiles (`*.toml`) in it,
    in the order of their names; [None], the edition itself, if none is named. `watch` names
    one profile, which is taken as it is (a folder there is refused as the profile it is not)."""
    if named is None or isinstance(named, Path):
        return [named]
    profiles: list[Path | None] = []
    for path in named:
        if not path.is_dir():
            profiles.append(path)
            continue
        try:
            found = sorted(path / entry.name for entry in os.scandir(path) if entry.name.endswith(".toml"))
        except OSError as error:
            raise EditionError(f"{printable(str(path))}: cannot be read: {error.strerror or error}") from None
        if not found:
            raise EditionError(f"{printable(str(path))}: a folder with no reader profile (FILE.toml) in it")
        profiles += found
    return profiles


def _named_folder(folder: Path | None) -> Path | None:
    """An output folder given on the command line, made absolute as written: not resolved, so
    that one inside the project that a symlink leads out of is seen (`gate.output_folder`)."""
    return Path(os.path.abspath(folder)) if folder else None


def _explain(project, args) -> int:
    formats = tuple(dict.fromkeys(args.format)) if args.format else FORMATS
    readers = _readers(args.reader)
    # Several readers: the sources read and checked once, as `build_readers` reads them.
    checked = checked_edition(project) if len(readers) > 1 else None
    for reader in readers:
        for line in explain(read_job(project, _named_folder(args.out), reader, None, checked), formats):
            print(line)
    return EXIT_OK


def _print_report(project, report: Report, proof: bool = False) -> None:
    """The notices, then the time of each stage and each file written; for a `proof`, one line
    instead: where, how long in all, and how many pages were laid out anew."""
    for notice in report.notices:
        print(f"edition: {notice}", file=sys.stderr)
    if proof:
        seconds = sum(seconds for _, seconds in report.stages)
        for path in report.written:
            laid_out = f"{report.pages_laid_out} page{'s' if report.pages_laid_out != 1 else ''} laid out anew"
            shown = display_path(path, project.root)
            print(f"wrote {shown} in {seconds:.2f} s ({laid_out}; a proof: no tags, PDF/A or sources)")
    else:
        for name, seconds in report.stages:
            print(f"{seconds:7.2f} s  {name}")
        for path in report.written:
            print(f"wrote {display_path(path, project.root)}")
    for path in report.unchanged:
        print(f"{display_path(path, project.root)} is up to date")


@contextmanager
def _progress() -> Iterator[Callable[[str], None] | None]:
    """A line showing what a long build is doing, on a terminal only: not in CI or in a log."""
    if not sys.stdout.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console  # only a terminal needs it

    with Console().status("building…") as status:
        yield status.update


def _watch(project, args) -> int:
    from .watch import terminal_keys, watch  # watchfiles is needed by this command only

    if args.reader:  # refused now, in one line, rather than watched for: a profile is named, not made, here
        load_profile(args.reader, project.root)
    sys.stdout.reconfigure(line_buffering=True)  # each report as it happens, even into a pipe
    warm = Warm(jobs=args.jobs, keeps_lines=True)  # every save lays out again what moved
    proofs = not args.format or "pdf" in args.format
    out_dir = _named_folder(args.out)

    def reported(*steps: Callable[[], object]) -> None:
        """Run the steps in turn; a broken source prints its problems, once, and watching goes on."""
        try:
            for step in steps:
                step()
        except (SourceError, EditionError) as error:
            _report_error(error)

    def archival_files() -> None:
        _build(project, args, warm)

    def proof() -> None:
        _print_report(project, build(project, ("pdf",), out_dir, args.reader, warm, proof=True), proof=True)

    seen: dict[str, set[str]] = {}  # what the assistant found in each text, printed once

    def new_findings(changed: list[str]) -> None:
        """After the proof: the suspects and unmarked mentions a save brought to a text."""
        from .ingest.assistant import texts, watch_findings

        listed = {display_path(path, project.root): path for path in texts(project)}
        for shown in [name for name in changed if name in listed] or ([] if seen else list(listed)):
            found = watch_findings(project, listed[shown])
            if shown in seen:
                for key, line in found.items():
                    if key not in seen[shown]:
                        print(line)
            seen[shown] = set(found)

    def rebuild(changed: list[str], archival: bool) -> None:
        if changed:
            print(f"changed: {', '.join(changed)}")
        wanted = [archival_files] if archival or not proofs else []
        if proofs and (changed or not archival or warm.proof is None):
            wanted.append(proof)
        reported(*wanted, lambda: new_findings(changed))
        if proofs:
            print("watching source/ and styles/: a proof after each save; Enter or Ctrl-C: the archival PDF and EPUB")
        else:
            print("watching source/ and styles/ for changes (Ctrl-C to stop)")

    watch(project, args.reader, rebuild, keys=terminal_keys())
    if proofs:  # the archival files of the last save, when watching stops
        print("writing the archival files before stopping")
        reported(archival_files)
    return EXIT_OK


def _archive(project, args) -> int:
    from .keeping.archive import archive, export_bag

    storage_root = project.dist_dir / "archive"
    if (args.source and not args.bag) or (args.allow_version and args.bag):
        raise EditionError("--from goes with --bag, and --allow-version without it")
    if args.bag:
        into = output_folder(_named_folder(args.into) or project.dist_dir / "bags", project.root)
        outcome = export_bag((args.source or storage_root).resolve(), project, args.bag, into)
        where = display_path(outcome.path, project.root)
        print(f"exported {where}" if outcome.created else f"{where} already holds this version, unchanged")
        return EXIT_OK
    into = output_folder(_named_folder(args.into) or storage_root, project.root)
    build_into = lambda out_dir, epoch: build(project, out_dir=out_dir, epoch=epoch)  # noqa: E731
    outcome = archive(project, into, build_into, args.allow_version)
    where = display_path(outcome.path, project.root)
    print(f"archived {where} {outcome.version}" if outcome.created else f"{where} already holds this version "
          f"({outcome.version}), unchanged")  # fmt: skip
    return EXIT_OK


def _diff(project, args) -> int:
    from .gate import write_atomically
    from .keeping.diff import compare
    from .keeping.report import as_html, as_json, as_text
    from .keeping.revisions import revision

    root = (args.source or project.dist_dir / "archive").resolve()
    old, new = revision(args.old, project, root), revision(args.new, project, root)
    diff = compare(old.edition, new.edition, old.label, new.label)
    if args.html:
        write_atomically(args.html.resolve(), as_html(diff).encode())
    if args.json:
        sys.stdout.write(as_json(diff))
    else:
        print("\n".join(as_text(diff)))
        if args.html:
            print(f"wrote {display_path(args.html, project.root)}")
    return EXIT_OK


def _new(args) -> int:
    from .ingest.new import new_project

    project = new_project(args.folder, args.title, args.editor, date.today())
    print(f"made the project {project.root}: edit source/edition.xml (its title, editors and note on the text),")
    print("then take a text in with `edition import FILE`, and build with `edition build`")
    return EXIT_OK


def _import(project, args) -> int:
    from .ingest.importer import Request, import_document

    request = Request(
        args.file, args.id, args.title, args.author, args.date, args.source, args.rights, reading=args.reading
    )
    imported = import_document(project, request)
    blocks = ", ".join(_counted(count, kind) for kind, count in sorted(imported.blocks.items())) or "no blocks"
    print(f"wrote {display_path(imported.essay, project.root)}: {blocks}, {_counted(imported.notes, 'note')}")
    changes = ", ".join(_counted(count, kind) for kind, count in sorted(imported.typography.items()))
    print(f"typographic changes: {changes or 'none'}")
    if imported.languages_marked:
        marked = _counted(imported.languages_marked, "word")
        print(f"marked with its language: {marked} that the register gives another language")
    for item in imported.left_out:
        print(f"not placed: {printable(item)}")
    kind = "reading" if args.reading else "essay"
    print(f"listed it in source/edition.xml as an {kind}, with a line in the change log")
    print(f"kept the file as received in {display_path(imported.received, project.root)}")
    from .ingest.assistant import assist

    findings = assist(project, suspects=True, mentions=False, only=[imported.essay])
    for line in findings.lines:
        print(line)
    print(f"{_counted(findings.suspects, 'suspect')} of damage from a scan; `edition check --mentions` lists the names")
    return EXIT_OK


def _counted(count: int, kind: str) -> str:
    """ "1 heading", "2 headings", "3 ellipses"."""
    plural = kind[:-2] + "es" if kind.endswith("is") else kind + "s"
    return f"{count} {kind if count == 1 else plural}"
