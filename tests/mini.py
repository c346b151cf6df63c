"""The mini-edition (`tests/fixtures/mini/`): two tiny essays (the first with an author's note
and a block quotation, the second with the anchor of a commentary note), a register with an entry
of each kind, a work among them with its author, one note of commentary, which cites the one work
of the further reading, and a course reader profile (`readers/mini.toml`). The tests about the
tool, not about this edition, build it instead of the real one: it lays out in about a second.

Its schema, styles and fonts are the project's own, copied in when a test makes it: the fixture
holds only its sources and its profile."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from edition.project import Project
from edition.sources.read import load_edition

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"

# The essay the tests edit, the start of its first paragraph, and a place in that paragraph to
# insert markup after.
ESSAY = "ames-2001"
FIRST_PARAGRAPH = '<p><hi rend="lead-in">FEW WRITERS SAW</hi>'
IN_PARAGRAPH = "FEW WRITERS SAW</hi>"


def make_mini(where: Path) -> Project:
    """Lay the mini-edition out in `where`, as a clean checkout of it would be: its sources and
    profile, and the project's schema and styles (fonts included)."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURE / "source", where / "source")
    shutil.copytree(FIXTURE / "readers", where / "readers")
    shutil.copytree(ROOT / "source" / "schema", where / "source" / "schema")
    shutil.copytree(ROOT / "styles", where / "styles")
    return Project(where)


def essay(project: Project) -> Path:
    """The mini-edition's essay that the tests edit."""
    return project.source_dir / f"{ESSAY}.xml"


def _edition():
    with tempfile.TemporaryDirectory() as where:
        return load_edition(make_mini(Path(where) / "mini"))


# The names of the mini-edition's outputs, from its own sources, as tests/names.py gives the real ones.
EDITION = _edition()
VERSION = EDITION.version
STEM = f"{EDITION.slug}-{VERSION}"
PDF, EPUB = f"{STEM}.pdf", f"{STEM}.epub"
