"""Shared fixtures.

Two editions serve the tests. The real one (`project`, `edition`, and one build of both outputs,
`outputs`, whose layout `document` reuses) for the tests about this edition: its transcription,
apparatus, register, layout, and the conformance of its PDF and EPUBs. The mini-edition of
`tests/mini.py` (`mini_project`, `mini_built`) for the tests about the tool: its command line,
rebuilds, archives, and what it does with hostile input.

The tests that use a build of the real edition run on one pytest-xdist worker (the "edition"
group), those that use the course reader's (the mini-edition's, `readers/mini.toml`) on one
worker (the "reader" group), so that each is built once in a run; each other file runs on
whichever worker is free, as with `--dist loadfile`, the longest first (by the last run's
durations, in pytest's cache)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from edition.build import Warm, build
from edition.project import Project
from edition.sources.model import Edition, Imprint
from edition.sources.profiles import DEFAULT, CourseReader, apply_profile, load_profile
from edition.sources.read import load_edition
from tests import validators
from tests.mini import EDITION as MINI
from tests.mini import make_mini

if TYPE_CHECKING:  # WeasyPrint takes a second to import, which pytest's controller need not pay
    from weasyprint.document import Document

ROOT = Path(__file__).resolve().parent.parent

# EPUBCheck runs in a JVM for a few seconds: compiling with the client compiler alone, on one
# compiler thread, and collecting garbage serially halves the processor time it takes (the
# edition's EPUB: 12 s, 5 s), and leaves what it checks as it is. A JVM without these options
# ignores them.
os.environ.setdefault(
    "JAVA_TOOL_OPTIONS",
    "-XX:+IgnoreUnrecognizedVMOptions -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC",
)

# The fixtures that build or lay out the real edition and the course reader (the mini-edition's):
# a test that uses them joins the "edition" or "reader" group, each of which runs on one
# pytest-xdist worker, so that each is built once in a run (the real edition takes 7 s of CPU;
# its validators and the reading of its PDF, 20 s more). Any other test runs with the rest of its
# file, as with `--dist loadfile`: the built mini-edition (`mini_built`, a second) is built by
# each worker whose files use it, which costs less than one long group left to run at the end
# while the other worker has nothing to do. A test that gets them by `request.getfixturevalue`
# names its group itself (`IN_EDITION`, `IN_READER`, `BOTH`).
EDITION_BUILDS = {"outputs", "document"}
READER_BUILDS = {"reader_outputs", "reader_epub", "reader_pdf"}
IN_EDITION, IN_READER = pytest.mark.edition_group("edition"), pytest.mark.edition_group("reader")
BOTH = [pytest.param("edition", marks=IN_EDITION), pytest.param("reader", marks=IN_READER)]
GROUPS = "EDITION_TEST_GROUPS"  # where the workers write each test's group, for the controller


def epub_of(request: pytest.FixtureRequest, which: str) -> Path:
    """The EPUB of the edition or of the course reader (`BOTH`)."""
    return request.getfixturevalue("outputs" if which == "edition" else "reader_outputs")["epub"]


def book_of(request: pytest.FixtureRequest, which: str) -> Edition:
    """The edition, or the course reader as its build reads it (`BOTH`)."""
    return request.getfixturevalue("edition" if which == "edition" else "reader_book")


def whole_of(request: pytest.FixtureRequest, which: str) -> Edition:
    """The whole edition a `BOTH` output is of: the real edition, or the mini-edition."""
    return request.getfixturevalue("edition") if which == "edition" else MINI


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "edition_group(name): the group of tests one xdist worker runs together")
    # The builds stamp the edition's own date unless a test sets SOURCE_DATE_EPOCH itself: the
    # shell's, if it has one, would change what the tests of the dates see.
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        # The controller, before it starts the workers, which inherit this.
        os.environ[GROUPS] = str(Path(tempfile.mkdtemp(prefix="edition-test-groups-")) / "groups")
    if hasattr(config, "workerinput"):
        # Each worker on cores of its own (the suite runs as many workers as cores): a build a test
        # runs lays out with as many processes as it has cores (`--jobs`), and it, or a browser or
        # JVM a test starts, stays on its worker's cores rather than taking the other worker's.
        cores = sorted(os.sched_getaffinity(0))
        index, count = config.workerinput["workerid"].removeprefix("gw"), config.workerinput["workercount"]
        os.sched_setaffinity(0, cores[int(index) % len(cores) :: count] or cores)


def pytest_unconfigure(config: pytest.Config) -> None:
    if GROUPS in os.environ and not hasattr(config, "workerinput"):
        shutil.rmtree(Path(os.environ.pop(GROUPS)).parent, ignore_errors=True)


def _group(item: pytest.Item) -> str:
    marker = item.get_closest_marker("edition_group")
    if marker:
        return marker.args[0]
    used = set(getattr(item, "fixturenames", ()))
    for group, fixtures in [("edition", EDITION_BUILDS), ("reader", READER_BUILDS)]:
        if used & fixtures:
            return group
    return item.path.name


# How long each group (or file) took: in pytest's cache, in the last run with workers; where
# there is no cache (a new clone, as CI's), as committed in tests/durations.json, which
# `cp .pytest_cache/v/edition/seconds-by-group tests/durations.json` after a run on an idle
# machine brings up to date (a figure out of date only hands its file out earlier or later).
SECONDS = "edition/seconds-by-group"
DURATIONS = Path(__file__).with_name("durations.json")
_groups: dict[str, str] = {}  # the controller's: each test's group, as the workers wrote it down
_seconds: dict[str, float] = {}  # the controller's: how long each group has taken in this run


def _scope(nodeid: str) -> str:
    """The group of a test, on the controller, once every worker has collected."""
    if not _groups:  # every worker has written the same groups
        stem = Path(os.environ[GROUPS])
        _groups.update(json.loads(next(stem.parent.glob(f"{stem.name}.*.json")).read_text()))
    return _groups.get(nodeid) or nodeid.split("::", 1)[0]


def in_order(items: list[pytest.Item], seconds: dict[str, float]) -> list[pytest.Item]:
    """The two groups that build first, one on each worker; then the other groups, each a file,
    the longest first by `seconds` (the last run's), in their order where it has none: each goes
    to the first worker free, so that one long file does not run alone at the end."""
    first = {"edition": 0, "reader": 1}
    return sorted(items, key=lambda item: (first.get(_group(item), 2), -seconds.get(_group(item), 0.0)))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The groups in the order the scheduler hands them out (`in_order`, and
    `--no-loadscope-reorder`). A worker writes down each test's group for the controller's
    scheduler (`pytest_xdist_make_scheduler`)."""
    cache = getattr(config, "cache", None)
    items[:] = in_order(items, {**json.loads(DURATIONS.read_text()), **(cache.get(SECONDS, {}) if cache else {})})
    if hasattr(config, "workerinput") and GROUPS in os.environ:
        path = Path(f"{os.environ[GROUPS]}.{config.workerinput['workerid']}.json")
        path.with_suffix(".part").write_text(json.dumps({item.nodeid: _group(item) for item in items}))
        path.with_suffix(".part").replace(path)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if GROUPS in os.environ and hasattr(report, "node"):  # on the controller, a worker's report
        scope = _scope(report.nodeid)
        _seconds[scope] = _seconds.get(scope, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    cache = getattr(session.config, "cache", None)
    if _seconds and cache and not hasattr(session.config, "workerinput"):
        cache.set(SECONDS, {**cache.get(SECONDS, {}), **{scope: round(s, 2) for scope, s in _seconds.items()}})


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist's scheduling by scope, each group a scope. (Its own `--dist loadgroup` does
    not group here, with pytest 9.2 and pytest-xdist 3.8: tests marked with one `xdist_group`
    ran on both workers.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return ByGroup(config, log)


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def edition(project: Project) -> Edition:
    return load_edition(project)


@pytest.fixture(scope="session")
def warm() -> Warm:
    """WeasyPrint kept warm for the session: the real edition's parts are laid out once."""
    return Warm()


@pytest.fixture(scope="session")
def outputs(
    project: Project, warm: Warm, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Path]:
    """The PDF and the EPUB, built once for the whole session into a temporary folder; EPUBCheck
    and Ace start on the EPUB at once (`tests.validators`)."""
    report = build(project, out_dir=tmp_path_factory.mktemp("dist"), warm=warm)
    return _checked(
        report.written, request, tmp_path_factory.mktemp("ace"),
        epubcheck="test_epubcheck_reports_no_errors_and_no_warnings", ace="test_ace_reports_no_violation[edition]",
    )  # fmt: skip


def _checked(written: list[Path], request: pytest.FixtureRequest, folder: Path, **wanted: str) -> dict[str, Path]:
    """A build's outputs by format, with EPUBCheck and Ace started on its EPUB for the tests
    `wanted` names (`validators.start`)."""
    outputs = {path.suffix.lstrip("."): path for path in written}
    validators.start(request, outputs["epub"], folder, **wanted)
    return outputs


@pytest.fixture(scope="session")
def document(project: Project, edition: Edition, outputs: dict[str, Path], warm: Warm) -> Document:
    """The print edition as WeasyPrint laid it out: pages, boxes, and the anchors on each. The
    parts the build of `outputs` laid out are taken as they were laid out (as `edition watch`
    does); only the front matter, whose colophon names no commit here, is laid out again."""
    from edition.layout.pdf import layout

    return layout(edition, project, Imprint(), DEFAULT, warm.typesetter)


@pytest.fixture(scope="session")
def reader_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the mini-edition for its course reader (`readers/mini.toml`: the second essay
    before the first, on US Letter, padded to four pages): the course reader of the tests, whose
    pages are every kind a course reader has (the course's title, each text's credit line, the
    essays in the profile's order) in a tenth of the real edition's text."""
    return make_mini(tmp_path_factory.mktemp("reader") / "mini")


@pytest.fixture(scope="session")
def reader_book(reader_project: Project) -> CourseReader:
    """The course reader as the build reads it: the mini-edition narrowed by its profile."""
    path = reader_project.root / "readers" / "mini.toml"
    return apply_profile(load_edition(reader_project), load_profile(path, reader_project.root), path)


@pytest.fixture(scope="session")
def reader_outputs(
    reader_project: Project, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Path]:
    """The PDF and the EPUB of the course reader, built once for the session; EPUBCheck and Ace
    start on the EPUB at once (`tests.validators`)."""
    profile = reader_project.root / "readers" / "mini.toml"
    report = build(reader_project, out_dir=reader_project.root / "dist", profile_path=profile)
    return _checked(
        report.written, request, tmp_path_factory.mktemp("ace"),
        epubcheck="test_a_course_reader_epub_passes_epubcheck", ace="test_ace_reports_no_violation[reader]",
    )  # fmt: skip


@pytest.fixture(scope="session")
def reader_epub(reader_outputs: dict[str, Path]) -> Path:
    return reader_outputs["epub"]


@pytest.fixture(scope="session")
def reader_pdf(reader_outputs: dict[str, Path]) -> Path:
    return reader_outputs["pdf"]


@pytest.fixture
def scratch_project(project: Project, tmp_path: Path) -> Project:
    """A copy of the real project's sources and styles that a test may break."""
    for folder in ("source", "styles"):
        shutil.copytree(project.root / folder, tmp_path / folder)
    return Project(tmp_path)


@pytest.fixture
def mini_project(tmp_path: Path) -> Project:
    """A fresh copy of the mini-edition, unbuilt, that a test may break."""
    return make_mini(tmp_path / "mini")


@pytest.fixture(scope="session")
def mini_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini-edition, both outputs built once into its dist/ (with the build record)."""
    project = make_mini(tmp_path_factory.mktemp("mini-built") / "mini")
    build(project)
    return project.root


@pytest.fixture
def mini_copy(mini_built: Path, tmp_path: Path) -> Project:
    """The built mini-edition, outputs and build record included, for one test to change."""
    shutil.copytree(mini_built, tmp_path / "project", symlinks=True)
    return Project(tmp_path / "project")
