"""The stylesheets checked before anything is laid out or packaged.

The print stylesheets may `@import` others in styles/, but not in a cycle (WeasyPrint would
recurse until Python stops it). The e-reader's stylesheets are copied into the EPUB as one
file, so an `@import` or a `url()` of theirs would name something the EPUB does not hold, or a
remote resource a reading system would fetch: both are refused. Each problem is an
`EditionError` naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2

from .errors import EditionError, display_path
from .gate import inside_project
from .project import EREADER_STYLES, PRINT_STYLES, Project

# A URL with a scheme (http:, file:, data:…) or a network path (//host/…).
NOT_A_RELATIVE_FILE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)")


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
