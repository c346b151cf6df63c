"""Shared fixtures: the project, its edition loaded once, one build of both outputs, and the
example course reader's EPUB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from weasyprint.document import Document

from edition.build import build
from edition.model import Edition, Imprint
from edition.pdf import layout
from edition.profiles import DEFAULT
from edition.project import Project
from edition.source import load_edition

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def edition(project: Project) -> Edition:
    return load_edition(project)


@pytest.fixture(scope="session")
def outputs(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The PDF and the EPUB, built once for the whole session into a temporary folder."""
    out = tmp_path_factory.mktemp("dist")
    report = build(project, out_dir=out)
    return {path.suffix.lstrip("."): path for path in report.written}


@pytest.fixture(scope="session")
def reader_epub(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The EPUB of the example course reader (`readers/example.toml`), built once for the session."""
    out = tmp_path_factory.mktemp("reader")
    report = build(project, formats=("epub",), out_dir=out, profile_path=ROOT / "readers" / "example.toml")
    [epub] = report.written
    return epub


@pytest.fixture(scope="session")
def document(project: Project, edition: Edition) -> Document:
    """The print edition as WeasyPrint laid it out: pages, boxes, and the anchors on each."""
    return layout(edition, project, Imprint(), DEFAULT)


@pytest.fixture
def scratch_project(project: Project, tmp_path: Path) -> Project:
    """A copy of the project's sources and styles that a test may break."""
    for folder in ("source", "styles"):
        shutil.copytree(project.root / folder, tmp_path / folder)
    return Project(tmp_path)
