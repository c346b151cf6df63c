"""Shared fixtures.

Two editions serve the tests. The real one (`project`, `edition`, and one build of both outputs,
`outputs`, whose layout `document` reuses) for the tests about this edition: its transcription,
apparatus, register, layout, and the conformance of its PDF and EPUBs. The mini-edition of
`tests/mini.py` (`mini_project`, `mini_built`) for the tests about the tool: its command line,
rebuilds, archives, and what it does with hostile input.

Every test file that uses a build of the real edition runs on one pytest-xdist worker (the
"edition" group), so the real edition is built once for the whole run, and the example course
reader once; each other file runs on whichever worker is free, as with `--dist loadfile`."""

from __future__ import annotations

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
EXAMPLE = ROOT / "readers" / "example.toml"

# The fixtures that build or lay out the real edition: a test file using any of them joins the
# "edition" group.
REAL_BUILDS = {"outputs", "document", "reader_outputs", "reader_epub", "reader_pdf"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for `--dist loadgroup`: the files that use a build of the real edition
    together, each other file on its own."""
    real = {item.path for item in items if REAL_BUILDS & set(getattr(item, "fixturenames", ()))}
    for item in items:
        item.add_marker(pytest.mark.xdist_group("edition" if item.path in real else item.path.name))


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
