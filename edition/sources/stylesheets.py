"""The stylesheets checked before anything is laid out or packaged.

The print stylesheets may `@import` others in styles/, but not in a cycle (WeasyPrint would
recurse until Python stops it). The e-reader's stylesheets are copied into the EPUB as one
file, so an `@import` or a `url()` of theirs would name something the EPUB does not hold, or a
remote resource a reading system would fetch: both are refused. Each problem is an
`EditionError` naming the file and line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import tinycss2

from ..errors import EditionError, display_path
from ..gate import inside_project
from ..project import EREADER_STYLES, PRINT_STYLES, Project

# A URL with a scheme (http:, file:, data:…) or a network path (//host/…).
NOT_A_RELATIVE_FILE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)")
# The faces `cover.cover_png` draws the EPUB's cover with (the EPUB reads them; its key and the
# archive include them); a test checks that cover.py names these and no others.
COVER_FONTS = ("SourceSerifPro-Semibold.ttf", "SourceSerifPro-Regular.ttf", "SourceSerifPro-It.ttf")


def check_styles(project: Project) -> None:
    """The print stylesheets' imports, and the e-reader stylesheets' imports and URLs."""
    for name in PRINT_STYLES:
        _check_imports(project.styles_dir / name, project, [])
    for name in EREADER_STYLES:
        check_ereader_stylesheet(project.styles_dir / name, project)


def check_ereader_stylesheet(path: Path, project: Project) -> bytes:
    """The stylesheet's bytes, if it names no other file or URL; else an `EditionError`.
    (This is what the EPUB should copy: read once, checked.)"""
    data = inside_project(path, project.root).read_bytes()
    for token, line in _urls_and_imports(_parse(data, path, project)):
        what = "an @import" if token == "@import" else f"url({token})"
        raise EditionError(
            f"{display_path(path, project.root)}:{line}: {what} is not allowed in the e-reader's stylesheet: "
            "the EPUB carries one stylesheet and no other resource; a remote one would be fetched by the reader"
        )
    return data


def _check_imports(path: Path, project: Project, chain: list[Path]) -> None:
    resolved = inside_project(path, project.root)
    if resolved in chain:
        cycle = " → ".join(display_path(p, project.root) for p in [*chain[chain.index(resolved) :], resolved])
        raise EditionError(f"the stylesheets import each other in a cycle: {cycle}")
    for rule in _parse(resolved.read_bytes(), path, project):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            target = _import_target(rule)
            if target is None or NOT_A_RELATIVE_FILE.match(target):
                continue  # refused by the fetcher with its own message when the layout asks for it
            _check_imports(resolved.parent / target, project, [*chain, resolved])


def _parse(data: bytes, path: Path, project: Project) -> list:
    try:
        rules, _ = tinycss2.parse_stylesheet_bytes(data, skip_comments=True, skip_whitespace=True)
    except (UnicodeDecodeError, LookupError) as error:
        raise EditionError(f"{display_path(path, project.root)}: cannot be read as CSS: {error}") from None
    return rules


def _import_target(rule) -> str | None:
    for token in rule.prelude:
        if token.type in ("string", "url"):
            return token.value
        if token.type == "function" and token.lower_name == "url":
            return next((arg.value for arg in token.arguments if arg.type == "string"), None)
    return None


def _urls_and_imports(nodes) -> list[tuple[str, int]]:
    """Every @import and every url() with a scheme or a path, with its line, in any depth."""
    found = []
    for node in nodes:
        if node.type == "at-rule" and node.lower_at_keyword == "import":
            found.append(("@import", node.source_line))
        if node.type == "url":
            found.append((node.value, node.source_line))
        elif node.type == "function" and node.lower_name in ("url", "src"):
            value = next((arg.value for arg in node.arguments if arg.type == "string"), "")
            found.append((value, node.source_line))
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if children:
                found += _urls_and_imports(children)
    return found


def print_files(project: Project) -> list[Path]:
    """What the print edition reads from styles/: its stylesheets, and the fonts (and any other
    file) they name with `url()` or `@import`, in the order they are named."""
    project = Project(project.root.absolute())
    found: dict[Path, None] = {}
    queue = [project.styles_dir / name for name in PRINT_STYLES]
    while queue:
        path = queue.pop(0)
        if path in found:
            continue
        found[path] = None
        if path.suffix.lower() == ".css":
            css = inside_project(path, project.root).read_bytes()
            queue += [named for named in _named_by(css, path) if _fetchable(named, project) and named not in found]
    return list(found)


def ereader_files(project: Project) -> list[Path]:
    """What the EPUB reads from styles/: its stylesheets (as text: it fetches nothing they name),
    and the fonts its cover is drawn with."""
    return [project.styles_dir / name for name in EREADER_STYLES] + [
        project.styles_dir / "fonts" / name for name in COVER_FONTS
    ]


def _named_by(css: bytes, stylesheet: Path) -> list[Path]:
    """The local files a stylesheet names (`url()`, `@import`), as paths; other URLs are left
    to the fetcher, which refuses them."""
    rules, _ = tinycss2.parse_stylesheet_bytes(css, skip_comments=True, skip_whitespace=True)
    urls: list[str] = []
    nodes = list(rules)
    while nodes:
        node = nodes.pop(0)
        kind = getattr(node, "type", "")
        if kind == "url":
            urls.append(node.value)
        elif kind == "function" and node.lower_name == "url":
            urls += [arg.value for arg in node.arguments if arg.type == "string"][:1]
        if kind == "at-rule" and node.lower_at_keyword == "import":
            urls += [token.value for token in node.prelude if token.type == "string"][:1]
        for attribute in ("prelude", "content", "arguments"):
            nodes += getattr(node, attribute, None) or []
    paths = []
    for url in urls:
        parts = urlsplit(urljoin(stylesheet.as_uri(), url))
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            paths.append(Path(os.path.normpath(url2pathname(parts.path))))
    return paths


def _fetchable(path: Path, project: Project) -> bool:
    """Whether the path is, as written, in a folder the print edition may read (`fetcher`); one
    that is not is refused by the fetcher with its own message, and never read here."""
    return any(path.is_relative_to(folder) for folder in (project.styles_dir, project.source_dir))
