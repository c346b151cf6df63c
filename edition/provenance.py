"""Where a build comes from: the commit of the sources and the versions of the tools.

Used by the colophon (the commit) and by the archive's build record (everything).
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata

from . import __version__
from .project import Project

# The packages whose versions can change the bytes of the outputs.
DEPENDENCIES = ["weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "pyphen", "fonttools",
                "pillow", "ebooklib", "jinja2", "markupsafe", "lxml", "bagit"]  # fmt: skip
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
