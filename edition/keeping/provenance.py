"""Where a build comes from: the commit of the sources and the versions of the tools.

Used by the colophon (the commit) and by the archive's build record (everything).
"""

from __future__ import annotations

import os
import platform
import re
from importlib import metadata

from .. import __version__
from ..errors import EditionError
from ..project import Project
from . import git


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
    """The last commit that changed what the edition is made of, `+modified` if the tree differs
    from it; "unknown" if the project is not a git checkout of its own, or git cannot say. Git is
    run so that nothing the project's configuration names runs (`git.run`)."""
    try:
        top = git.run(project.root, "rev-parse", "--show-toplevel").decode().strip()
        if top != str(project.root.resolve()):
            return "unknown"  # the project is not a checkout of its own
        head = git.run(project.root, "log", "-1", "--format=%H", "--", *MADE_OF).decode().strip()
        return (head or "unknown") + ("+modified" if head and _differs(project, head) else "")
    except EditionError:
        return "unknown"


def _differs(project: Project, head: str) -> bool:
    """Whether a file of what the edition is made of differs from `head`: changed, gone, or new
    and not ignored."""
    listing = git.run(project.root, "ls-tree", "-r", "-z", head, "--", *MADE_OF).split(b"\0")
    for entry in filter(None, listing):
        meta, _, name = entry.partition(b"\t")
        mode, _, blob = meta.decode().split(" ")
        path = project.root / os.fsdecode(name)
        try:
            data = os.fsencode(os.readlink(path)) if mode == "120000" else path.read_bytes()
        except OSError:
            return True
        if git.blob_id(data) != blob:
            return True
    return bool(git.run(project.root, "ls-files", "-z", "--others", "--exclude-standard", "--", *MADE_OF))


def build_record(project: Project, epoch: int) -> dict:
    return {
        "tool": {"name": "edition", "version": __version__},
        "python": platform.python_version(),
        "dependencies": {name: metadata.version(name) for name in DEPENDENCIES},
        "commit": commit(project),
        "SOURCE_DATE_EPOCH": epoch,
    }
