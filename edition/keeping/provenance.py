"""Where a build comes from: the commit of the sources and the versions of the tools.

Used by the colophon (the commit) and by the archive's build record (everything).
"""

from __future__ import annotations

import platform
import re
import subprocess
from importlib import metadata

from .. import __version__
from ..project import Project


def _renders_with(package: str) -> list[str]:
    """A package and those it requires to run (not its extras), as its own metadata lists them:
    a library WeasyPrint comes to render with is recorded without a change here."""
    specs = [spec for spec in metadata.requires(package) or [] if "extra ==" not in spec]
    return [package, *(re.match(r"[A-Za-z0-9._-]+", spec).group().lower() for spec in specs)]


# The packages whose versions can change the bytes of the outputs: WeasyPrint and what it renders
# with, and what the EPUB, the templates, the sources and the archive go through.
DEPENDENCIES = sorted(
    {*_renders_with("weasyprint"), "ebooklib", "jinja2", "markupsafe", "lxml", "bagit"},
    key=str.casefold,
)
# What the edition is made of: a commit that touches none of these cannot change the outputs.
MADE_OF = ["source", "styles", "edition", "pyproject.toml", "requirements.lock"]


def commit(project: Project) -> str:
    """The last commit that changed what the edition is made of, `+modified` if the tree differs."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=project.root, capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()  # fmt: skip
        if top != str(project.root.resolve()):
            return "unknown"  # the project is not a checkout of its own
        head = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *MADE_OF],
            cwd=project.root, capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *MADE_OF],
            cwd=project.root, capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+modified" if dirty else "")


def build_record(project: Project, epoch: int) -> dict:
    return {
        "tool": {"name": "edition", "version": __version__},
        "python": platform.python_version(),
        "dependencies": {name: metadata.version(name) for name in DEPENDENCIES},
        "commit": commit(project),
        "SOURCE_DATE_EPOCH": epoch,
    }
