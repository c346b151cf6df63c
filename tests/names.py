"""The names of the project's outputs, from its own sources: no test names a version, so an
editor who releases one (README, "Versions and archives") changes no test."""

from __future__ import annotations

from pathlib import Path

from edition.project import Project
from edition.sources.read import load_edition

EDITION = load_edition(Project(Path(__file__).resolve().parent.parent))
VERSION = EDITION.version
STEM = f"{EDITION.slug}-{VERSION}"  # the package's folder name in an archive, too
PDF, EPUB = f"{STEM}.pdf", f"{STEM}.epub"
