"""A build in a hostile or broken output folder: a damaged build record, litter from a killed
build, a second build at the same time, an output replaced by a symlink; and a project whose
folders hold files from outside it that the edition does not read.

The PDF is not the point here: the builds are EPUB only (one layout for the module, kept warm),
of the mini-edition."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from edition.build import Warm, build
from edition.project import Project
from edition.sources import stylesheets
from tests import command
from tests.conftest import ROOT
from tests.mini import EPUB, PDF, make_mini

RECORD = ".edition-build.json"
WARM = Warm()  # the print layout is made once for the module, and kept


class Hung(BaseException):
    """Raised in a test that blocks."""


@pytest.fixture(autouse=True)
def no_hang():
    """A test that blocks (on a FIFO in the output folder, say) fails after five minutes instead."""

    def hung(signum, frame):
        raise Hung("the test hangs")  # not an OSError, which the code under test may catch

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(300)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def edition(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return command.run(*args, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini-edition, its EPUB built once into its dist/."""
    project = make_mini(tmp_path_factory.mktemp("built") / "mini")
    build(project, formats=("epub",), warm=WARM)
    return project.root


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Project:
    shutil.copytree(built, tmp_path / "project", symlinks=True)
    return Project(tmp_path / "project")


def page_list(epub: Path) -> int:
    """The number of print pages the EPUB's page list marks."""
    with zipfile.ZipFile(epub) as book:
        nav = book.read("EPUB/nav.xhtml").decode()
    listed = nav[nav.index('epub:type="page-list"') :]
    return len(re.findall(r"<a [^>]*href=", listed[: listed.index("</nav>")]))


def damage_record(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def damage(dist: Path) -> None:
        record = json.loads((dist / RECORD).read_text())
        result = change(record)
        (dist / RECORD).write_text(json.dumps(record if result is None else result))

    return damage


def _first_layout(record: dict) -> list:
    return next(iter(record["layouts"].values()))


CORRUPT_RECORDS: list[tuple[str, Callable[[Path], None]]] = [
    ("page starts []", damage_record(lambda r: r["layouts"].update({k: [] for k in r["layouts"]}))),
    ("a page start's offset a string", damage_record(lambda r: _first_layout(r)[0].update(offset="0"))),
    ("a page start without its block", damage_record(lambda r: _first_layout(r)[0].pop("block") and None)),
    ("page labels out of order", damage_record(lambda r: _first_layout(r).reverse())),
    ("a page label a superscript digit", damage_record(lambda r: _first_layout(r)[-1].update(label="²"))),
    ("an output's hash not a SHA-256", damage_record(lambda r: r["outputs"][EPUB].update(sha256="x"))),
    ("outputs a list", damage_record(lambda r: {"format": 2, "outputs": [], "layouts": r["layouts"]})),
    ("an output's part not a SHA-256", damage_record(lambda r: r["outputs"][EPUB]["parts"].update(sources="x"))),
    ("an output without its parts", damage_record(lambda r: r["outputs"][EPUB].pop("parts") and None)),
    ("a key not made of its parts", damage_record(lambda r: r["outputs"][EPUB]["parts"].update(tool="0" * 64))),
    ("a later format", damage_record(lambda r: r.update(format=3))),
    ("the earlier format", damage_record(lambda r: r.pop("format") and None)),
    ("the record null", damage_record(lambda r: [None])),
    ("not JSON", lambda dist: (dist / RECORD).write_bytes(b"{\xff not json")),
    ("a FIFO", lambda dist: ((dist / RECORD).unlink(), os.mkfifo(dist / RECORD))),
]


@pytest.mark.parametrize("damage", [row[1] for row in CORRUPT_RECORDS], ids=[row[0] for row in CORRUPT_RECORDS])
def test_a_damaged_build_record_is_not_trusted_and_the_build_is_a_full_one(
    copy: Project, built: Path, damage: Callable[[Path], None]
):
    pages = page_list(built / "dist" / EPUB)
    assert pages  # a layout's page list, not an empty one
    damage(copy.dist_dir)
    report = build(copy, formats=("epub",), warm=WARM)
    assert [path.name for path in report.written] == [EPUB]
    assert page_list(copy.dist_dir / EPUB) == pages
    again = build(copy, formats=("epub",), warm=WARM)
    assert again.written == []
    assert (copy.dist_dir / EPUB).read_bytes() == (built / "dist" / EPUB).read_bytes()
    assert len(report.notices) == 1 and "building everything again" in report.notices[0]
    assert again.notices == []


def test_a_damaged_build_record_is_one_line_on_the_command_line(copy: Project):
    (copy.dist_dir / RECORD).write_text('{"format": 2, "outputs": {}, "layouts": {"' + "0" * 64 + '": []}}')
    result = edition("build", "--format", "epub", cwd=copy.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "edition: the build record dist/.edition-build.json is not trusted (a layout has no page starts): "
        "building everything again\n"
    )


def test_the_temporary_files_of_a_killed_build_are_removed_by_the_next_and_no_others(copy: Project, tmp_path: Path):
    dist = copy.dist_dir
    ours = [f".{EPUB}.k2x_9qzv.part", f".{PDF}.a1b2c3d4.part", f".{RECORD}.zz9_00aa.part"]
    for name in ours:
        (dist / name).write_bytes(b"half written")
    (tmp_path / "elsewhere.txt").write_text("not ours")
    others = {
        ".notes.txt.a1b2c3d4.part": "a file of another program",  # not an output's name
        f"{EPUB}.a1b2c3d4.part": "no leading dot",
        f".{EPUB}.part": "no random part",
        "keep.part": "the user's",
    }
    for name, text in others.items():
        (dist / name).write_text(text)
    os.symlink(tmp_path / "elsewhere.txt", dist / f".{EPUB}.s1s2s3s4.part")  # a symlink: not what we write
    (dist / f".{EPUB}.d1d2d3d4.part").mkdir()  # a folder: not what a build writes
    report = build(copy, formats=("epub",), warm=WARM)
    assert report.written == []  # nothing to build: the folder is cleaned all the same
    left = sorted(path.name for path in dist.iterdir())
    assert not set(ours) & set(left)
    assert set(others) | {f".{EPUB}.s1s2s3s4.part", f".{EPUB}.d1d2d3d4.part"} <= set(left)
    assert (tmp_path / "elsewhere.txt").read_text() == "not ours"


def test_the_staging_folder_of_a_killed_archive_is_removed_by_the_next(copy: Project):
    archive = copy.dist_dir / "archive"
    stale = archive / ".mini.q8w7e6r5.part"
    (stale / "files" / "edition").mkdir(parents=True)
    (stale / "files" / "edition" / EPUB).write_bytes(b"half")
    (archive / "0=ocfl_1.1").write_text("ocfl_1.1\n")
    (archive / "mini").write_text("in the way")  # so that this archive stops early
    result = edition("archive", cwd=copy.root)
    assert result.returncode == 2
    assert "dist/archive/mini exists and is not an OCFL object's folder" in result.stderr
    assert sorted(path.name for path in archive.iterdir()) == [".edition-build.lock", "0=ocfl_1.1", "mini"]


@pytest.fixture
def locked(copy: Project):
    """The lock of the project's dist/, held as a build in another process would hold it."""
    with open(copy.dist_dir / ".edition-build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield copy


def test_a_second_build_into_the_same_folder_stops_with_one_line_and_touches_nothing(locked: Project):
    copy = locked
    edit = copy.styles_dir / "ereader.css"
    edit.write_text(edit.read_text() + "\n/* changed */\n")  # so that the EPUB is out of date
    before = {path.name: path.read_bytes() for path in copy.dist_dir.iterdir()}
    result = edition("build", "--format", "epub", cwd=copy.root)
    assert result.returncode == 2
    assert result.stderr == "edition: another build is writing to dist/; try again when it has finished\n"
    assert {path.name: path.read_bytes() for path in copy.dist_dir.iterdir()} == before


def test_builds_one_after_another_agree_with_their_record(copy: Project):
    """The lock is the folder's only while a build runs: the next build takes it."""
    edit = copy.styles_dir / "ereader.css"
    edit.write_text(edit.read_text() + "\n/* changed */\n")
    first = edition("build", "--format", "epub", cwd=copy.root)
    second = edition("build", "--format", "epub", cwd=copy.root)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert f"dist/{EPUB} is up to date" in second.stdout


def test_a_second_archive_into_the_same_folder_stops_with_one_line(copy: Project):
    archive = copy.dist_dir / "archive"
    archive.mkdir()
    with open(archive / ".edition-build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = edition("archive", cwd=copy.root)
    assert result.returncode == 2
    assert result.stderr == (
        "edition: another archive is being written to dist/archive/; try again when it has finished\n"
    )
    assert sorted(path.name for path in archive.iterdir()) == [".edition-build.lock"]


def test_an_output_replaced_by_a_symlink_is_not_read_through_it_but_written_again(copy: Project, tmp_path: Path):
    outside = tmp_path / "outside.epub"
    shutil.copy(copy.dist_dir / EPUB, outside)
    (copy.dist_dir / EPUB).unlink()
    os.symlink(outside, copy.dist_dir / EPUB)  # the same bytes as recorded, through a symlink
    report = build(copy, formats=("epub",), warm=WARM)
    assert [path.name for path in report.written] == [EPUB]
    assert not (copy.dist_dir / EPUB).is_symlink()
    assert outside.read_bytes() == (copy.dist_dir / EPUB).read_bytes()  # and the file outside left as it was


def test_files_the_edition_does_not_read_are_not_read_even_through_symlinks_out(copy: Project, tmp_path: Path):
    """An unlisted source and an unused font, each a symlink out of the project: changing what
    they lead to changes no key, so nothing is built; before, both outputs were."""
    secret = tmp_path / "secret.txt"
    secret.write_text("one")
    os.symlink(secret, copy.source_dir / "notes.xml")
    os.symlink(secret, copy.styles_dir / "fonts" / "x.ttf")
    os.mkfifo(copy.styles_dir / "fonts" / "pipe.ttf")
    build(copy, formats=("epub",), warm=WARM)
    secret.write_text("two")
    assert build(copy, formats=("epub",), warm=WARM).written == []


def test_a_font_used_and_symlinked_out_of_the_project_is_refused_by_build(copy: Project, tmp_path: Path):
    font = copy.styles_dir / "fonts" / "SourceSerifPro-Regular.ttf"
    shutil.copy(font, tmp_path / "font.ttf")
    font.unlink()
    os.symlink(tmp_path / "font.ttf", font)
    result = edition("build", "--format", "epub", cwd=copy.root)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "edition: styles/fonts/SourceSerifPro-Regular.ttf: refused: it resolves to "
    ) and result.stderr.endswith(", outside the project; only the project's own files are read\n")


def test_the_date_is_a_parameter_of_the_build_not_the_environment(copy: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = copy.root / "dated"
    build(copy, formats=("epub",), out_dir=out, warm=WARM, epoch="1000000000")  # 2001-09-09
    assert "SOURCE_DATE_EPOCH" not in os.environ
    with zipfile.ZipFile(out / EPUB) as epub:
        assert b'"dcterms:modified">2001-09-09T01:46:40Z' in epub.read("EPUB/content.opf")


def test_the_cover_fonts_the_inputs_name_are_those_cover_py_draws_with():
    cover = (ROOT / "edition" / "ereader" / "cover.py").read_text()
    assert tuple(re.findall(r'"([^"/]+\.(?:ttf|otf))"', cover)) == stylesheets.COVER_FONTS
