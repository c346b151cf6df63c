"""Shared fixtures.

Two editions serve the tests. The real one (`project`, `edition`, and one build of both outputs,
`outputs`, whose layout `document` reuses) for the tests about this edition: its transcription,
apparatus, register, layout, and the conformance of its PDF and EPUBs. The mini-edition of
`tests/mini.py` (`mini_project`, `mini_built`) for the tests about the tool: its command line,
rebuilds, archives, and what it does with hostile input.

The tests that use a build of the real edition run on one pytest-xdist worker (the "edition"
group), those that use the example course reader's on one worker (the "reader" group), so that
each is built once in a run; each other file runs on whichever worker is free, as with
`--dist loadfile`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from weasyprint.document import Document

from edition.build import Warm, build
from edition.model import Edition, Imprint
from edition.pdf import layout
from edition.profiles import DEFAULT
from edition.project import Project
from edition.source import load_edition
from tests.mini import make_mini

ROOT = Path(__file__).resolve().parent.parent

# EPUBCheck runs in a JVM for a few seconds: compiling with the client compiler alone and
# collecting garbage serially halves the processor time it takes, and leaves what it checks as it is.
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
EXAMPLE = ROOT / "readers" / "example.toml"

# The fixtures that build or lay out the real edition, and the example course reader: a test
# that uses them joins the "edition" or the "reader" group, which pytest-xdist runs each on one
# worker (`--dist loadgroup`), so that each is built once in a run. A test that gets them by
# `request.getfixturevalue` names its group itself (`IN_EDITION`, `IN_READER`, `BOTH`).
EDITION_BUILDS = {"outputs", "document"}
READER_BUILDS = {"reader_outputs", "reader_epub", "reader_pdf"}
IN_EDITION, IN_READER = pytest.mark.xdist_group("edition"), pytest.mark.xdist_group("reader")
BOTH = [pytest.param("edition", marks=IN_EDITION), pytest.param("reader", marks=IN_READER)]


def epub_of(request: pytest.FixtureRequest, which: str) -> Path:
    """The EPUB of the edition or of the example course reader (`BOTH`)."""
    return request.getfixturevalue("outputs")["epub"] if which == "edition" else request.getfixturevalue("reader_epub")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for `--dist loadgroup`: those that use a build of the real edition, those
    that use the example course reader's, and each other file on its own, as `--dist loadfile`."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        used = set(getattr(item, "fixturenames", ()))
        group = "edition" if used & EDITION_BUILDS else "reader" if used & READER_BUILDS else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))
    # The two longest groups first, one on each worker; then the files in their order
    # (`--no-loadscope-reorder`), each to the first worker free.
    first = {"edition": 0, "reader": 1}
    items.sort(key=lambda item: first.get(_group(item), 2))


def _group(item: pytest.Item) -> str:
    marker = item.get_closest_marker("xdist_group")
    return marker.args[0] if marker.args else marker.kwargs.get("name", "")


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
def outputs(project: Project, warm: Warm, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The PDF and the EPUB, built once for the whole session into a temporary folder."""
    out = tmp_path_factory.mktemp("dist")
    report = build(project, out_dir=out, warm=warm)
    return {path.suffix.lstrip("."): path for path in report.written}


@pytest.fixture(scope="session")
def document(project: Project, edition: Edition, outputs: dict[str, Path], warm: Warm) -> Document:
    """The print edition as WeasyPrint laid it out: pages, boxes, and the anchors on each. The
    parts the build of `outputs` laid out are taken as they were laid out (as `edition watch`
    does); only the front matter, whose colophon names no commit here, is laid out again."""
    return layout(edition, project, Imprint(), DEFAULT, warm.typesetter)


@pytest.fixture(scope="session")
def reader_outputs(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The PDF and the EPUB of the example course reader (`readers/example.toml`), built once
    for the session: the EPUB's page list needs the reader's print layout anyway."""
    out = tmp_path_factory.mktemp("reader")
    report = build(project, out_dir=out, profile_path=EXAMPLE)
    return {path.suffix.lstrip("."): path for path in report.written}


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
