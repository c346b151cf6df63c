"""`./run bench`: our build against the peer pipelines, and against editions many times as large.

Every pipeline runs in fresh processes (see `measure`), `--repeat` times, ours and the peers
taking turns: a figure is the median time and the highest peak memory. Prints a table, and
writes every figure as JSON (default dist/benchmarks/latest.json) and the tables as Markdown
beside it (latest.md), for the README.
What is measured and why: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import corpus
import peer
import pypandoc
from imports import ASSISTANT_TARGET, IMPORT_TARGET, bench_assistant, bench_import
from loop import bench_loop
from measure import PipelineError, Run, measure
from pypdf import PdfReader
from words import LENGTHS, SWEEP_LENGTHS, bench_words
from write import WRITE_VS_BEFORE, bench_write

from edition.keeping.provenance import commit
from edition.project import Project
from edition.sources.read import load_edition

ROOT = Path(__file__).resolve().parent.parent
EDITION = str(Path(sys.executable).with_name("edition"))
# The targets: ours against the plain peer and the fair one (issue 26), and a large edition
# against the edition itself.
PER_PAGE_VS_PEER, TOTAL_VS_PEER = 1.0, 1.25
TOTAL_VS_FAIR_PEER = 0.8
PER_PAGE_AT_SCALE, MEMORY_AT_SCALE_MB = 1.2, 2000.0  # 2 GB as 2 × 10⁹ bytes
# The editor's loop: from a save to a fresh proof, in seconds, and its median against the peer's
# full build of PDF and EPUB.
LOOP_MEDIAN, LOOP_MAX, LOOP_VS_PEER = 1.0, 2.0, 1.0
# Archiving a version, against the build it starts.
ARCHIVE_VS_BUILD = 1.5


@dataclass(frozen=True)
class Figures:
    """One pipeline over its repeats: median time, highest peak memory, the pages of its PDF."""

    seconds: float
    max_rss_mb: float
    pages: int | None
    runs: list[float]

    @classmethod
    def of(cls, runs: list[Run], pages: int | None) -> Figures:
        seconds = [run.seconds for run in runs]
        return cls(statistics.median(seconds), max(run.max_rss_mb for run in runs), pages, seconds)

    @property
    def seconds_per_page(self) -> float | None:
        return self.seconds / self.pages if self.pages else None

    def as_json(self) -> dict:
        return {**asdict(self), "seconds_per_page": self.seconds_per_page}


def main() -> int:
    args = _arguments()
    results: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    results["repeat"], results["scale_repeat"] = args.repeat, args.scale_repeat
    try:
        with tempfile.TemporaryDirectory(prefix="edition-bench-") as work:
            results["pipelines"], fair_notes = bench_cold(Path(work), args.repeat, peers=not args.skip_peer)
            if fair_notes:
                results["fair_notes"] = fair_notes
                results["comparison"] = compare(results["pipelines"])
            if not args.skip_write:
                results["write"] = bench_write(ROOT, args.write_repeat)
                write = results["write"]
                _say(f"write the PDF: {write['tagged_cpu']:.2f} s, {write['cpu_ratio']:.2f} of before (processor time)")
            if not args.skip_loop:
                results["loop"] = bench_loop(ROOT, Path(work), EDITION)
                _say(
                    f"save → fresh proof: median {results['loop']['median']:.2f} s, max {results['loop']['max']:.2f} s"
                )
                results["loop"].update(loop_targets(results["loop"], results["pipelines"].get("peer")))
            if not args.skip_import:
                results["import"] = bench_import(Path(work), EDITION, args.repeat)
                results["import"]["assistant"] = bench_assistant(Path(work), EDITION, args.repeat, ROOT)
            if not args.skip_archive:
                results["archive"] = bench_archive(Path(work), args.repeat)
            if not args.skip_words:
                results["words"] = bench_words(ROOT, args.repeat, _say)
            if not args.skip_scale:
                results["scale"] = bench_scale(Path(work), args.scales, args.scale_repeat)
    except PipelineError as error:
        print(f"bench: a measured pipeline failed:\n{error}", file=sys.stderr)
        return 1
    _write(results, args.json)
    print(report(results, markdown=False))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./run bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=_positive, default=3, help="runs of each pipeline (default 3)")
    parser.add_argument(
        "--scales", type=_factors, default=[1, 25], help="copies of each essay (default 1,25: about 800 pages)"
    )
    parser.add_argument(
        "--scale-repeat", type=_positive, default=1, help="runs of each scale factor (default 1: they are long)"
    )
    parser.add_argument("--skip-scale", action="store_true", help="measure no larger edition")
    parser.add_argument("--skip-peer", action="store_true", help="measure no peer pipeline")
    parser.add_argument("--skip-loop", action="store_true", help="measure no save → proof under edition watch")
    parser.add_argument("--skip-import", action="store_true", help="measure no edition import")
    parser.add_argument("--skip-archive", action="store_true", help="measure no archive of a version")
    parser.add_argument(
        "--write-repeat", type=_positive, default=9, help="writes of the PDF each way, in one process (default 9)"
    )
    parser.add_argument("--skip-write", action="store_true", help="measure no writing of the PDF alone")
    parser.add_argument("--skip-words", action="store_true", help="measure no layout of long paragraphs and words")
    parser.add_argument(
        "--json",
        type=Path,
        default=ROOT / "dist" / "benchmarks" / "latest.json",
        help="where to write the figures; the Markdown goes beside it",
    )
    return parser.parse_args()


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of at least 1: {text!r}")
    return int(text)


def _factors(text: str) -> list[int]:
    return sorted({_positive(part.strip()) for part in text.split(",")})


def _say(message: str) -> None:
    """Progress, on stderr, so a long run shows it is alive and stdout stays the report."""
    print(message, file=sys.stderr, flush=True)


def machine() -> dict[str, str | int | float]:
    """What the figures were measured on, and with which versions of the tools."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return {
        "cpu": cpu.group(1) if cpu else platform.machine(),
        "cores": os.cpu_count() or 0,
        "ram_gb": round(int(memory.group(1)) * 1024 / 1e9, 1) if memory else 0.0,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "weasyprint": metadata.version("weasyprint"),
        "pandoc": pypandoc.get_pandoc_version(),
        "edition": commit(Project(ROOT)),
    }


# The peers (see `peer`), by the name their figures go under, with the name they are called by:
# the plain one, on Markdown made from our edition, and the fair one, on our EPUB.
PEERS = {"peer": "plain", "fair": "fair"}


def bench_cold(work: Path, repeat: int, peers: bool) -> tuple[dict[str, Figures], dict[str, int]]:
    """`edition build` of this project, each run into a fresh folder, so each is a full build;
    with `peers`, each run followed by one of each peer, so that whatever else the machine is
    doing falls on all three alike. The peers' inputs are made untimed: the plain peer's Markdown
    from our in-memory edition, the fair peer's EPUB by our first build. Returns the figures,
    and the fair peer's notes against our EPUB's (none without `peers`)."""
    ours: list[Run] = []
    runs: dict[str, dict[str, list[Run]]] = {name: {"pdf": [], "epub": []} for name in PEERS}
    pipelines: dict[str, dict[str, list[list[str]]]] = {}
    for number in range(repeat):
        out = work / f"ours-{number}"
        ours.append(measure([[EDITION, "build", "--out", str(out)]], ROOT))
        progress = f"ours, run {number + 1}/{repeat}: {ours[-1].seconds:.1f} s"
        if peers and not pipelines:
            pipelines = _peer_pipelines(work, out)
        for name, outputs in pipelines.items():
            for output, commands in outputs.items():
                runs[name][output].append(measure(commands, work / name))
            progress += f"; {PEERS[name]} peer: {sum(done[-1].seconds for done in runs[name].values()):.1f} s"
        _say(progress)
    figures = {"ours": Figures.of(ours, _pdf_pages(out))}
    if not peers:
        return figures, {}
    for name in PEERS:
        figures |= _peer_figures(name, runs[name], work / name)
    fair_notes = peer.notes(_edition_epub(work / "fair"), work / "fair" / "fair.html")
    if fair_notes["footnotes"] != fair_notes["noterefs"] - fair_notes["nested"]:
        raise PipelineError(f"the fair peer's footnotes are not our EPUB's notes: {fair_notes}")
    return figures, fair_notes


def _peer_pipelines(work: Path, ours: Path) -> dict[str, dict[str, list[list[str]]]]:
    """Each peer's folder, with its input, and its commands by peer and output."""
    plain, fair = work / "peer", work / "fair"
    plain.mkdir()
    fair.mkdir()
    source = plain / "peer.md"
    source.write_text(peer.markdown(load_edition(Project(ROOT))), encoding="utf-8")
    edition_epub = fair / "edition.epub"
    shutil.copyfile(_edition_epub(ours), edition_epub)
    return {"peer": peer.commands(source, plain), "fair": peer.fair_commands(edition_epub, fair)}


def _peer_figures(name: str, runs: dict[str, list[Run]], folder: Path) -> dict[str, Figures]:
    """A peer's PDF, its EPUB, and both (each run's PDF and EPUB one after the other)."""
    pdf, epub = runs["pdf"], runs["epub"]
    both = [Run(p.seconds + e.seconds, max(p.max_rss_mb, e.max_rss_mb)) for p, e in zip(pdf, epub, strict=True)]
    pages = _pdf_pages(folder)
    return {
        f"{name}_pdf": Figures.of(pdf, pages),
        f"{name}_epub": Figures.of(epub, None),
        name: Figures.of(both, pages),
    }


def _edition_epub(folder: Path) -> Path:
    """The one EPUB in `folder` that is not a peer's own."""
    (epub,) = (path for path in folder.glob("*.epub") if path.stem not in PEERS)
    return epub


def compare(pipelines: dict[str, Figures]) -> dict[str, dict[str, float | bool]]:
    """Ours against each peer, both PDF and EPUB: time per PDF page, and total time; the plain
    peer's targets are on both, the fair peer's (issue 26) on the total time."""
    ours = pipelines["ours"]
    comparison = {}
    for name in PEERS:
        rival = pipelines[name]
        comparison[name] = {
            "time_ratio": ours.seconds / rival.seconds,
            "per_page_ratio": ours.seconds_per_page / rival.seconds_per_page,
        }
    plain, fair = comparison["peer"], comparison["fair"]
    plain["per_page_target_met"] = plain["per_page_ratio"] <= PER_PAGE_VS_PEER
    plain["total_target_met"] = plain["time_ratio"] <= TOTAL_VS_PEER
    fair["total_target_met"] = fair["time_ratio"] <= TOTAL_VS_FAIR_PEER
    return comparison


def loop_targets(loop: dict, peer: Figures | None) -> dict[str, float | bool]:
    """The editor's loop against its targets, and its median against the peer's full build."""
    met: dict[str, float | bool] = {
        "median_target_met": loop["median"] <= LOOP_MEDIAN,
        "max_target_met": loop["max"] <= LOOP_MAX,
    }
    if peer:
        ratio = loop["median"] / peer.seconds
        met |= {"peer_seconds": peer.seconds, "median_vs_peer": ratio, "vs_peer_target_met": ratio <= LOOP_VS_PEER}
    return met


def bench_archive(work: Path, repeat: int) -> dict:
    """`edition archive` of a new version into an OCFL object that holds the one before (as an
    editor archives a release: the object checked, the last version's sources read and compared
    under the version rule, the edition built, the version added), against `edition build` of the
    same version into a fresh folder; both on a copy of the project, each run in fresh processes,
    with a fresh copy of the object and a fresh output folder (each a full build)."""
    project = work / "archive-project"
    for folder in ("source", "styles"):
        shutil.copytree(ROOT / folder, project / folder)
    first = work / "archive-first"
    measure([[EDITION, "--project", str(project), "archive", "--into", str(first)]], project)
    _next_patch(project / "source" / "edition.xml", load_edition(Project(project)).version)
    builds, archives = [], []
    for number in range(repeat):
        out = work / f"archive-build-{number}"
        builds.append(measure([[EDITION, "--project", str(project), "build", "--out", str(out)]], project))
        root = work / f"archive-root-{number}"
        shutil.copytree(first, root)
        archives.append(measure([[EDITION, "--project", str(project), "archive", "--into", str(root)]], project))
        _say(f"archive, run {number + 1}/{repeat}: {archives[-1].seconds:.1f} s (build: {builds[-1].seconds:.1f} s)")
    build, archive = Figures.of(builds, _pdf_pages(out)), Figures.of(archives, None)
    kept = root / load_edition(Project(project)).slug
    inventory = json.loads((kept / "inventory.json").read_text(encoding="utf-8"))
    stored = [path for path in kept.glob("v*/content/**/*") if path.is_file()]
    held = sum(len(paths) for version in inventory["versions"].values() for paths in version["state"].values())
    ratio = archive.seconds / build.seconds
    return {
        "build": build,
        "archive": archive,
        "ratio": ratio,
        "target_met": ratio <= ARCHIVE_VS_BUILD,
        "versions": len(inventory["versions"]),
        "files_held": held,
        "files_stored": len(stored),
        "object_mb": sum(path.stat().st_size for path in kept.rglob("*") if path.is_file()) / 1e6,
        "stored_in_last_version": sorted(
            str(path.relative_to(kept)) for path in stored if path.is_relative_to(kept / inventory["head"])
        ),
    }


def _next_patch(edition: Path, version: str) -> None:
    """The version after `version` by its patch number, with its line in the change log: a
    version that changes nothing else, as the version rule allows."""
    major, minor, patch = version.split(".")
    following = f"{major}.{minor}.{int(patch) + 1}"
    text = edition.read_text(encoding="utf-8")
    text = text.replace(f'n="{version}">Version {version}', f'n="{following}">Version {following}')
    change = f'<change when="2026-12-01" n="{following}">A version for the benchmark: the number alone.</change>'
    edition.write_text(text.replace("<revisionDesc>", f"<revisionDesc>\n      {change}", 1), encoding="utf-8")


def bench_scale(work: Path, factors: list[int], repeat: int) -> dict:
    """Full builds of the corpus at each factor; the cost per page against the smallest factor."""
    rows = []
    for factor in factors:
        project = corpus.make_corpus(ROOT, work / f"corpus-x{factor}", factor)
        _check(project, factor)
        runs = []
        for number in range(repeat):
            shutil.rmtree(project / "dist", ignore_errors=True)
            build = [EDITION, "--project", str(project), "build", "--out", str(project / "dist")]
            runs.append(measure([build], project))
            _say(f"scale ×{factor}, run {number + 1}/{repeat}: {runs[-1].seconds:.1f} s")
        figures = Figures.of(runs, _pdf_pages(project / "dist"))
        shutil.rmtree(project)
        rows.append({"factor": factor, **figures.as_json()})
    for row in rows:
        row["per_page_vs_base"] = row["seconds_per_page"] / rows[0]["seconds_per_page"]
    largest = rows[-1]
    return {
        "base_factor": factors[0],
        "rows": rows,
        "per_page_target_met": largest["per_page_vs_base"] <= PER_PAGE_AT_SCALE,
        "memory_target_met": largest["max_rss_mb"] < MEMORY_AT_SCALE_MB,
    }


def _check(project: Path, factor: int) -> None:
    """The corpus must be clean sources, or its build would measure a failure."""
    check = subprocess.run([EDITION, "--project", str(project), "check"], capture_output=True, text=True, check=False)
    if check.returncode:
        raise PipelineError(f"the corpus ×{factor} fails `edition check`:\n{check.stderr.strip()}")


def _pdf_pages(folder: Path) -> int:
    """The pages of the one PDF a pipeline wrote into `folder`; more than one would be a mix-up."""
    (pdf,) = folder.glob("*.pdf")
    return len(PdfReader(pdf).pages)


def _write(results: dict, path: Path) -> None:
    """Every figure as JSON, to compare runs by; the report as Markdown beside it, for the README."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=Figures.as_json) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(report(results, markdown=True) + "\n", encoding="utf-8")


# The report ------------------------------------------------------------------------------

PIPELINES = {
    "ours": "ours: edition build (PDF + EPUB)",
    "peer_pdf": "plain peer PDF: pandoc Markdown → HTML, weasyprint",
    "peer_epub": "plain peer EPUB: pandoc Markdown → EPUB",
    "peer": "plain peer total (PDF + EPUB)",
    "fair_pdf": "fair peer PDF: pandoc our EPUB → HTML, weasyprint footnotes",
    "fair_epub": "fair peer EPUB: pandoc our EPUB → EPUB",
    "fair": "fair peer total (PDF + EPUB)",
}


def report(results: dict, markdown: bool) -> str:
    """The figures as tables, as plain text or as Markdown; targets marked met or missed."""
    header = ["pipeline", "time (s)", "peak memory (MB)", "PDF pages", "s per PDF page"]
    rows = [[PIPELINES[name], *_cells(figures)] for name, figures in results["pipelines"].items()]
    parts = [_machine_line(results), _table(header, rows, markdown)]
    if "comparison" in results:
        parts.append(_lines(_comparison(results["comparison"], results["fair_notes"]), markdown))
    if "write" in results:
        parts += [_write_table(results["write"], markdown), _lines(_write_targets(results["write"]), markdown)]
    if "loop" in results:
        parts += [_loop_table(results["loop"], markdown), _lines(_loop_targets(results["loop"]), markdown)]
    if "import" in results:
        parts.append(_import_table(results["import"], markdown))
    if "archive" in results:
        parts += [_archive_table(results["archive"], markdown), _lines(_archive_lines(results["archive"]), markdown)]
    if "words" in results:
        parts += _words_tables(results["words"], markdown)
    if "scale" in results:
        parts += [_scale_table(results["scale"], markdown), _lines(_scale_targets(results["scale"]), markdown)]
    return "\n\n".join(parts)


def _write_table(write: dict, markdown: bool) -> str:
    header = ["writing the PDF (the edition's laid-out pages)", "time (s)", "processor time (s)"]
    rows = [
        ["before: WeasyPrint's own tags, PDF/A-3b", f"{write['before']:.2f}", f"{write['before_cpu']:.2f}"],
        ["tagged for reading, PDF/A-3a and PDF/UA-1", f"{write['tagged']:.2f}", f"{write['tagged_cpu']:.2f}"],
    ]
    return _table(header, rows, markdown)


def _write_targets(write: dict) -> list[str]:
    return [
        f"writing the PDF tagged for reading / before, processor time: {write['cpu_ratio']:.2f} "
        f"(target ≤ {WRITE_VS_BEFORE:g}: {_verdict(write['target_met'])}); wall time: {write['ratio']:.2f}"
    ]


def _loop_table(loop: dict, markdown: bool) -> str:
    header = ["save under edition watch (in order)", "to a fresh proof (s)"]
    rows = [[row["name"], f"{row['seconds']:.2f}"] for row in loop["edits"]]
    rows += [[f"(apart) {row['name']}", f"{row['seconds']:.2f}"] for row in loop["apart"]]
    return _table(header, rows, markdown)


def _loop_targets(loop: dict) -> list[str]:
    lines = [
        f"save → fresh proof, median: {loop['median']:.2f} s "
        f"(target ≤ {LOOP_MEDIAN:g}: {_verdict(loop['median_target_met'])})",
        f"save → fresh proof, longest: {loop['max']:.2f} s (target ≤ {LOOP_MAX:g}: {_verdict(loop['max_target_met'])})",
    ]
    if "median_vs_peer" in loop:
        lines.append(
            f"median against the peer's full build ({loop['peer_seconds']:.2f} s): {loop['median_vs_peer']:.2f} "
            f"(target ≤ {LOOP_VS_PEER:g}: {_verdict(loop['vs_peer_target_met'])})"
        )
    return lines


def _import_table(imports: dict, markdown: bool) -> str:
    header = ["edition import of a DOCX", "time (s)", f"target < {IMPORT_TARGET:g} s"]
    rows = [[row["name"], f"{row['seconds']:.2f}", _verdict(row["target_met"])] for row in imports["rows"]]
    assistant = imports["assistant"]
    rows.append([f"edition check --suspects --mentions, {assistant['words']:,} words (target < {ASSISTANT_TARGET:g} s)",
                 f"{assistant['seconds']:.2f}", _verdict(assistant["target_met"])])  # fmt: skip
    return _table(header, rows, markdown)


def _archive_table(archive: dict, markdown: bool) -> str:
    header = ["a new version", "time (s)", "peak memory (MB)", "PDF pages", "s per PDF page"]
    rows = [
        ["edition build (PDF + EPUB), fresh folder", *_cells(archive["build"])],
        ["edition archive (that build, the rule, the object)", *_cells(archive["archive"])],
    ]
    return _table(header, rows, markdown)


def _archive_lines(archive: dict) -> list[str]:
    return [
        f"archive / build: {archive['ratio']:.2f} (target ≤ {ARCHIVE_VS_BUILD:g}: {_verdict(archive['target_met'])})",
        f"the object: {archive['versions']} versions holding {archive['files_held']} files, "
        f"{archive['files_stored']} stored ({archive['object_mb']:.1f} MB); the last version stored "
        f"{len(archive['stored_in_last_version'])}: {', '.join(archive['stored_in_last_version'])}",
    ]


def _words_tables(words: dict, markdown: bool) -> list[str]:
    """The paragraphs by length (seconds, and ms per 1,000 characters over the part without
    them); and by the length of their words, with how the time grew with the text."""
    kinds = list(dict.fromkeys(row["kind"] for row in words["rows"]))
    header = ["one paragraph of", *[f"{length:,} characters: s (ms per 1,000)" for length in LENGTHS]]
    rows = [
        [kind, *[f"{row['seconds']:.2f} ({row['ms_per_1000']:.1f})" for row in words["rows"] if row["kind"] == kind]]
        for kind in kinds
    ]
    first, second = SWEEP_LENGTHS
    sweep_header = ["words of (letters)", f"{first:,} characters (s)", f"{second:,} characters (s)", "ratio"]
    sweep = [
        [str(row["word"]), f"{row['seconds'][0]:.2f}", f"{row['seconds'][1]:.2f}", f"{row['ratio']:.1f}"]
        for row in words["sweep"]
    ]
    return [_table(header, rows, markdown), _table(sweep_header, sweep, markdown)]


def _machine_line(results: dict) -> str:
    m = results["machine"]
    return (
        f"{results['date']}, median of {results['repeat']} run(s) ({results['scale_repeat']} at scale); "
        f"{m['cpu']}, {m['cores']} cores, "
        f"{m['ram_gb']} GB RAM, {m['os']}; Python {m['python']}, WeasyPrint {m['weasyprint']}, "
        f"Pandoc {m['pandoc']}; edition at {m['edition']}"
    )


def _cells(figures: Figures | dict) -> list[str]:
    data = figures.as_json() if isinstance(figures, Figures) else figures
    per_page = data["seconds_per_page"]
    return [
        f"{data['seconds']:.2f}",
        f"{data['max_rss_mb']:.0f}",
        str(data["pages"] or "–"),
        f"{per_page:.3f}" if per_page else "–",
    ]


def _comparison(comparison: dict, fair_notes: dict[str, int]) -> list[str]:
    plain, fair = comparison["peer"], comparison["fair"]
    return [
        f"ours / plain peer, time per PDF page: {plain['per_page_ratio']:.2f} "
        f"(target ≤ {PER_PAGE_VS_PEER:g}: {_verdict(plain['per_page_target_met'])})",
        f"ours / plain peer, total time: {plain['time_ratio']:.2f} "
        f"(target ≤ {TOTAL_VS_PEER:g}: {_verdict(plain['total_target_met'])})",
        f"ours / fair peer, time per PDF page: {fair['per_page_ratio']:.2f}",
        f"ours / fair peer, total time: {fair['time_ratio']:.2f} "
        f"(target ≤ {TOTAL_VS_FAIR_PEER:g}: {_verdict(fair['total_target_met'])})",
        f"the fair peer's footnotes: {fair_notes['footnotes']}, of our EPUB's {fair_notes['noterefs']} note "
        f"references ({fair_notes['nested']} inside a note, which Pandoc cannot nest)",
    ]


def _scale_table(scale: dict, markdown: bool) -> str:
    header = ["essays ×", "time (s)", "peak memory (MB)", "PDF pages", "s per PDF page", "per page vs base"]
    rows = [[f"×{row['factor']}", *_cells(row), f"{row['per_page_vs_base']:.2f}"] for row in scale["rows"]]
    return _table(header, rows, markdown)


def _scale_targets(scale: dict) -> list[str]:
    largest = scale["rows"][-1]
    return [
        f"at ×{largest['factor']} ({largest['pages']} pages), time per page vs ×{scale['base_factor']}: "
        f"{largest['per_page_vs_base']:.2f} (target ≤ {PER_PAGE_AT_SCALE:g}: {_verdict(scale['per_page_target_met'])})",
        f"at ×{largest['factor']}, peak memory: {largest['max_rss_mb']:.0f} MB "
        f"(target < {MEMORY_AT_SCALE_MB:.0f}: {_verdict(scale['memory_target_met'])})",
    ]


def _lines(lines: list[str], markdown: bool) -> str:
    """Lines of text; in Markdown, a list, or they would run together as one paragraph."""
    return "\n".join(f"- {line}" if markdown else line for line in lines)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    """A Markdown table, or plain text in aligned columns: names to the left, figures to the right."""
    if markdown:
        lines = [header, ["---", *["---:"] * (len(header) - 1)], *rows]
        return "\n".join(f"| {' | '.join(line)} |" for line in lines)
    widths = [max(len(line[column]) for line in [header, *rows]) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) if column == 0 else cell.rjust(width) for column, (cell, width) in
                  enumerate(zip(line, widths, strict=True)))
        for line in [header, *rows]
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
