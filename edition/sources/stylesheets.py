"""The stylesheets checked before anything is laid out or packaged.

Each stylesheet is read through the gate, at most `STYLESHEET_LIMIT` bytes. The print stylesheets
may `@import` others in styles/, but not in a cycle (WeasyPrint would recurse until Python stops
it); what they fetch, WeasyPrint asks `layout.fetcher` for, which serves local files only. The
e-reader's stylesheets are copied into the EPUB as one file, and a reading system would fetch
whatever they name: so they are checked on their parsed tokens (tinycss2, which resolves CSS
escapes: `\\75 rl(` is `url(`), and only the functions and at-rules of an allow-list, none of
which takes an address, pass (`EREADER_FUNCTIONS`, `EREADER_AT_RULES`); a `url()`, an
`image-set()`, an `@import`, an `@font-face` or anything the list does not name is refused, as
is a token the parser could not read. Each problem is an `EditionError` naming the file and line.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import tinycss2

from ..errors import EditionError, display_path
from ..gate import inside_project, printable, read_inside
from ..project import EREADER_STYLES, PRINT_STYLES, Project

# The largest stylesheet read: 14 times this edition's largest (print.css, 7 KB). WeasyPrint
# matches every rule against every element: 100 KB of rules that all match a paragraph add a
# few seconds to the mini-edition's layout; 8 MB of them took minutes.
STYLESHEET_LIMIT = 100_000
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
    """The stylesheet's bytes, if every function and at-rule in it is one the EPUB allows, and it
    names no URL; else an `EditionError`. (This is what the EPUB should copy: read once, checked.)"""
    data = read_inside(path, project.root, STYLESHEET_LIMIT, "a stylesheet")
    for what, line in _refused_in_ereader(_parse(data, path, project)):
        raise EditionError(
            f"{display_path(path, project.root)}:{line}: {what} is not allowed in the e-reader's stylesheet: "
            "the EPUB carries one stylesheet and no other resource, and a reading system would fetch what it named "
            "(the README lists the functions and at-rules it may use)"
        )
    return data


def _check_imports(path: Path, project: Project, chain: list[Path]) -> None:
    resolved = inside_project(path, project.root, STYLESHEET_LIMIT, "a stylesheet")
    if resolved in chain:
        cycle = " → ".join(display_path(p, project.root) for p in [*chain[chain.index(resolved) :], resolved])
        raise EditionError(f"the stylesheets import each other in a cycle: {cycle}")
    for rule in _parse(read_inside(path, project.root, STYLESHEET_LIMIT, "a stylesheet"), path, project):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            target = _import_target(rule)
            if target is None or NOT_A_RELATIVE_FILE.match(target):
                continue  # refused by the fetcher with its own message when the layout asks for it
            _check_imports(resolved.parent / target, project, [*chain, resolved])


def _parse(data: bytes, path: Path, project: Project) -> tuple:
    try:
        return _rules(data)
    except (UnicodeDecodeError, LookupError) as error:
        raise EditionError(f"{display_path(path, project.root)}: cannot be read as CSS: {error}") from None


@functools.lru_cache(maxsize=32)
def _rules(data: bytes) -> tuple:
    """A stylesheet's parsed rules (which nothing here changes), remembered by its bytes: a build
    parses each stylesheet for several checks, and `edition watch` builds at every save."""
    rules, _ = tinycss2.parse_stylesheet_bytes(data, skip_comments=True, skip_whitespace=True)
    return tuple(rules)


def _import_target(rule) -> str | None:
    for token in rule.prelude:
        if token.type in ("string", "url"):
            return token.value
        if token.type == "function" and token.lower_name == "url":
            return next((arg.value for arg in token.arguments if arg.type == "string"), None)
    return None


# What the e-reader's stylesheets may use: functions and at-rules that name no resource. Selector
# functions, colours, arithmetic, counters, gradients and transforms; not `attr()`, which CSS
# Values 5 lets make a URL of an attribute, nor any function of the print edition (`string()`,
# `target-counter()`…), which a reading system does not know.
EREADER_FUNCTIONS = {
    "not", "is", "where", "has", "nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type",
    "lang", "dir", "selector", "calc", "min", "max", "clamp", "var", "counter", "counters",
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color-mix",
    "linear-gradient", "radial-gradient", "conic-gradient", "repeating-linear-gradient",
    "repeating-radial-gradient", "repeating-conic-gradient", "cubic-bezier", "steps",
    "translate", "translatex", "translatey", "scale", "scalex", "scaley", "rotate", "skew",
    "skewx", "skewy", "matrix",
}  # fmt: skip
# Not `@import` (another file), nor `@font-face` (its `src` fetches a font; the EPUB has none).
EREADER_AT_RULES = {"charset", "namespace", "media", "supports", "page", "layer", "container", "counter-style"}


def _refused_in_ereader(nodes) -> Iterator[tuple[str, int]]:
    """What the allow-list refuses, with its line, at any depth (rules, blocks, arguments)."""
    for node in nodes:
        if node.type == "url" or (node.type == "function" and node.lower_name == "url"):
            value = (
                node.value if node.type == "url" else next((a.value for a in node.arguments if a.type == "string"), "")
            )
            yield f"url({printable(value)})", node.source_line
        elif node.type == "function" and node.lower_name not in EREADER_FUNCTIONS:
            yield f"{printable(node.lower_name)}()", node.source_line
        elif (at := _at_keyword(node)) is not None and at not in EREADER_AT_RULES:
            yield f"an @{printable(at)}", node.source_line
        elif node.type == "error":
            yield f"what the CSS parser could not read ({node.kind})", node.source_line
        for attribute in ("prelude", "content", "arguments"):
            yield from _refused_in_ereader(getattr(node, attribute, None) or [])


def _at_keyword(node) -> str | None:
    """The name of an at-rule, or of an at-keyword inside a block (where the parser leaves a
    nested rule as tokens), lower-cased; None for anything else."""
    if node.type == "at-rule":
        return node.lower_at_keyword
    return node.lower_value if node.type == "at-keyword" else None


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
            css = read_inside(path, project.root, STYLESHEET_LIMIT, "a stylesheet")
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
    urls: list[str] = []
    nodes = list(_rules(css))
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
