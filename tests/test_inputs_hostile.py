"""Hostile inputs: each a realistic mistake or a file from outside the project, in a copy of the
project; each ends with its exit code and one clear line, never a traceback, and never a broken
output with exit 0. Then the same bytes from two folders and either font subsetter. All on the
mini-edition: what is checked is the tool's."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
import tinycss2
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from edition.build import output_path, read_job
from edition.errors import EditionError, SourceError
from edition.gate import inside_project
from edition.html import FRONT, epub_chapters, print_part, print_parts
from edition.layout.pdf import Typesetter, css_string
from edition.layout.typeset import FONT_EPOCH_OFFSET, page_drawings, subset_font
from edition.project import Project
from edition.sources.check import WORD_LIMIT, run_checks
from edition.sources.dates import build_time
from edition.sources.fonts import read_faces
from edition.sources.model import Imprint, plain
from edition.sources.profiles import FIELD_LIMITS, PROFILE_LIMIT, load_profile
from edition.sources.read import LONGEST_SLUG, SOURCE_LIMIT, load_edition
from edition.sources.stylesheets import STYLESHEET_LIMIT
from tests import command
from tests.edits import edit
from tests.mini import EPUB, ESSAY, IN_PARAGRAPH, PDF, STEM, essay, make_mini

ROOT = Path(__file__).resolve().parent.parent


def copy_project(folder: Path) -> Project:
    """A clean copy of the mini-edition in `folder`."""
    return make_mini(folder)


# Long enough for a loaded machine; a case that hangs (a FIFO read for ever) fails after it.
TIMEOUT = 300
# The line of a rule added after the e-reader's stylesheet ("\nbody { … }"), from its length.
CSS_LINE = len((ROOT / "styles" / "ereader.css").read_text().splitlines()) + 2


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return command.run(*args, cwd=cwd, env=env, timeout=TIMEOUT)


def in_paragraph(project: Project, markup: str) -> None:
    edit(essay(project), IN_PARAGRAPH, IN_PARAGRAPH + markup)


def replace_bytes(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


# Planted in every file outside the project that a case links to: a refusal that read such a
# file and showed or copied any of it would carry it into a message or a file written.
SECRET = "TOP-SECRET-5d2e"


def with_secret(path: Path) -> None:
    """Plant `SECRET` in a file, keeping it what it was: a comment in XML and CSS, trailing bytes
    in a font."""
    data = path.read_bytes()
    if path.suffix in (".xml", ".rng"):
        data = (
            data.replace(b"?>", f"?><!-- {SECRET} -->".encode(), 1)
            if b"?>" in data
            else data + f"<!-- {SECRET} -->".encode()
        )
    elif path.suffix == ".css":
        data = f"/* {SECRET} */\n".encode() + data
    else:
        data += SECRET.encode()
    path.write_bytes(data)


def link_out(path: Path, outside: Path) -> None:
    """Replace `path` by a symlink to a copy of it outside the project, with `SECRET` in it."""
    outside.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, outside)
    with_secret(outside)
    path.unlink()
    path.symlink_to(outside)


def profile(project: Project, text: str) -> str:
    path = project.root / "reader.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def add(path: Path, before: str = "", after: str = "") -> None:
    path.write_text(before + path.read_text() + after)


def overwrite(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def folder_for(path: Path) -> None:
    path.unlink()
    path.mkdir()


def import_cycle(project: Project) -> None:
    (project.styles_dir / "more.css").write_text('@import "print.css";\n')
    edit(project.styles_dir / "print.css", "@font-face", '@import "more.css";\n@font-face')


def include_outside(project: Project, outside: Path) -> None:
    (outside / "outside.rng").write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0"/>')
    with_secret(outside / "outside.rng")
    edit(project.schema, "<define ", f'<include href="{outside / "outside.rng"}"/>\n  <define ')


# Each case: how to make the input (given the project copy and a folder outside it; it may
# return extra arguments), the command, the exit code, and a fragment of the one line printed.
Case = tuple[Callable[[Project, Path], list[str] | None], list[str], int, str]

CASES: dict[str, Case] = {
    # 1. Tracebacks on realistic mistakes
    "invalid-utf8": (
        lambda p, o: replace_bytes(essay(p), b"WRITERS", b"WRI\xffTERS"),
        ["check"], 1, "source/ames-2001.xml:27:36: E002 byte 0xFF is not UTF-8",
    ),
    "latin1-word": (
        lambda p, o: replace_bytes(essay(p), b"WRITERS", "WRITÓRS".encode("latin-1")),
        ["build", "--format", "epub"], 1, "E002 byte 0xD3 is not UTF-8",
    ),
    "essay-ptr-names-register": (
        lambda p, o: edit(p.edition_file, 'target="ames-2001.xml"', 'target="register.xml"'),
        ["check"], 1, "E004 'register.xml' is the register, not an essay",
    ),
    "essay-ptr-names-edition": (
        lambda p, o: edit(p.edition_file, 'target="ames-2001.xml"', 'target="edition.xml"'),
        ["build", "--format", "epub"], 1, "E004 'edition.xml' is the edition file, not an essay",
    ),
    "essay-listed-twice": (
        lambda p, o: edit(
            p.edition_file,
            '<ptr type="essay" target="ames-2001.xml"/>',
            '<ptr type="essay" target="ames-2001.xml"/><ptr type="essay" target="ames-2001.xml"/>',
        ),
        ["check"], 1, "E004 essay 'ames-2001.xml' is listed twice",
    ),
    "240-nested-elements": (
        lambda p, o: in_paragraph(p, "<emph>" * 240 + "deep" + "</emph>" * 240),
        ["build", "--format", "pdf"], 1, "E056 elements nested more than 40 deep, here <emph>",
    ),
    "missing-print-css": (
        lambda p, o: (p.styles_dir / "print.css").unlink(),
        ["build", "--format", "epub"], 2, "edition: styles/print.css: file not found",
    ),
    "print-css-is-a-folder": (
        lambda p, o: folder_for(p.styles_dir / "print.css"),
        ["build", "--format", "pdf"], 2, "edition: styles/print.css: refused: it is a folder, not a regular file",
    ),
    "css-import-cycle": (
        lambda p, o: import_cycle(p),
        ["build", "--format", "pdf"], 2, "import each other in a cycle: styles/print.css → styles/more.css",
    ),
    "deeply-nested-toml": (
        lambda p, o: ["--reader", profile(p, "x = " + "[" * 5000 + "]" * 5000 + "\n")],
        ["build", "--format", "epub"], 2, "nested too deeply",
    ),
    "profile-is-a-folder": (
        lambda p, o: (p.root / "folder.toml").mkdir() or ["--reader", str(p.root / "folder.toml")],
        ["build", "--format", "epub"], 2, "folder.toml: a folder with no reader profile (FILE.toml) in it",
    ),
    # 2. Files from outside the project
    "register-symlinked-outside": (
        lambda p, o: link_out(p.source_dir / "register.xml", o / "register.xml"),
        ["build", "--format", "epub"], 2, "source/register.xml: refused: it resolves to",
    ),
    "edition-symlinked-outside": (
        lambda p, o: link_out(p.edition_file, o / "edition.xml"),
        ["check"], 2, "source/edition.xml: refused: it resolves to",
    ),
    "ereader-css-symlinked-outside": (
        lambda p, o: link_out(p.styles_dir / "ereader.css", o / "ereader.css"),
        ["build", "--format", "epub"], 2, "styles/ereader.css: refused: it resolves to",
    ),
    "font-symlinked-outside": (
        lambda p, o: link_out(p.styles_dir / "fonts" / "SourceSerifPro-It.ttf", o / "It.ttf"),
        ["build", "--format", "pdf"], 2, "styles/fonts/SourceSerifPro-It.ttf: refused: it resolves to",
    ),
    "rng-include-outside": (
        lambda p, o: include_outside(p, o),
        ["check"], 2, "outside.rng: refused: it resolves to",
    ),
    "rng-include-remote": (
        lambda p, o: edit(p.schema, "<define ", '<include href="http://127.0.0.1:9/x.rng"/>\n  <define '),
        ["check"], 2, "the schema includes 'http://127.0.0.1:9/x.rng': only files inside the project are read",
    ),
    # 3. Link targets
    **{
        f"ref-target-{scheme.rstrip(':')}": (
            lambda p, o, target=target: in_paragraph(p, f' <ref target="{target}">here</ref>'),
            ["build", "--format", "epub"], 1, f"E054 link target {target!r} is not allowed",
        )
        for scheme, target in [
            ("javascript:", "javascript:alert(1)"),
            ("data:", "data:text/html;base64,PHNjcmlwdD4="),
            ("file:", "file:///etc/passwd"),
            ("relative:", "../secret.html"),
        ]
    },
    "ref-target-missing-id": (
        lambda p, o: in_paragraph(p, ' <ref target="#nowhere">here</ref>'),
        ["check"], 1, "E054 link target '#nowhere' points at no xml:id in the edition",
    ),
    "ereader-css-remote-url": (
        lambda p, o: add(p.styles_dir / "ereader.css", after="\nbody { background: url(https://example.com/t.png) }"),
        ["build", "--format", "epub"], 2, "url(https://example.com/t.png) is not allowed in the e-reader's stylesheet",
    ),
    "ereader-css-remote-import": (
        lambda p, o: add(p.styles_dir / "ereader.css", before='@import url("https://example.com/x.css");\n'),
        ["build", "--format", "epub"], 2, "styles/ereader.css:1: an @import is not allowed",
    ),
    # 4. Broken outputs with exit 0
    "course-title-with-cr": (
        lambda p, o: ["--reader", profile(p, 'course_title = "Soviet History\\rPart 2"\n')],
        ["build", "--format", "pdf"], 2, "course_title holds a control character (U+000D) at character 15",
    ),
    "course-code-with-formfeed": (
        lambda p, o: ["--reader", profile(p, 'course_code = "HIST\\f101"\n')],
        ["build", "--format", "epub"], 2, "course_code holds a control character (U+000C)",
    ),
    "course-title-with-nul": (
        lambda p, o: ["--reader", profile(p, 'course_title = "A\\u0000B"\n')],
        ["build", "--format", "epub"], 2, "course_title holds a control character (U+0000)",
    ),
    "essay-twice-in-profile": (
        lambda p, o: ["--reader", profile(p, 'essays = ["ames-2001", "ames-2001"]\n')],
        ["build", "--format", "epub"], 2, "essays lists 'ames-2001' more than once",
    ),
    "essay-id-nav": (
        lambda p, o: edit(essay(p), 'xml:id="ames-2001"', 'xml:id="nav"'),
        ["build", "--format", "epub"], 1, "E055 essay id 'nav' is the name of one of the EPUB's own files",
    ),
    "essay-id-cover": (
        lambda p, o: edit(essay(p), 'xml:id="ames-2001"', 'xml:id="Cover"'),
        ["check"], 1, "E055 essay id 'Cover'",
    ),
    "truncated-font": (
        lambda p, o: truncate(p.styles_dir / "fonts" / "SourceSerifPro-Regular.ttf"),
        ["build", "--format", "epub"], 2, "styles/fonts/SourceSerifPro-Regular.ttf: the font cannot be read",
    ),
    "not-a-font": (
        lambda p, o: overwrite(p.styles_dir / "fonts" / "SourceSerifPro-It.ttf", b"not a font"),
        ["build", "--format", "pdf"], 2, "styles/fonts/SourceSerifPro-It.ttf: the font cannot be read",
    ),
    "cjk-character": (
        lambda p, o: in_paragraph(p, " 斯大林 "),
        ["build", "--format", "pdf"], 2, "no glyph for '斯' U+65AF at source/ames-2001.xml:27",
    ),
    "emoji": (
        lambda p, o: in_paragraph(p, " 😀 "),
        ["build", "--format", "pdf"], 2, "no glyph for '😀' U+1F600 at source/ames-2001.xml:27",
    ),
    "emoji-in-course-title": (
        lambda p, o: ["--reader", profile(p, 'course_title = "Serge 🚩"\n')],
        ["build", "--format", "pdf"], 2, "no glyph for '🚩' U+1F6A9 at the reader profile's course",
    ),
    # 6. The second round (issue 29). Names from the sources are data, never paths:
    "slug-a-path-out-of-the-output-folder": (
        lambda p, o: edit(p.edition_file, ">mini</idno>", ">../../outside/pwn</idno>"),
        ["build", "--format", "epub"], 1, "E080 slug '../../outside/pwn' is not",
    ),
    "no-slug": (
        lambda p, o: edit(p.edition_file, '<idno type="slug">mini</idno>', ""),
        ["build", "--format", "epub"], 1, "source/edition.xml:18:0: E080 the edition has no slug",
    ),
    "no-edition-statement": (
        lambda p, o: edit(p.edition_file, EDITION_STATEMENT, ""),
        ["build", "--format", "epub"], 1, "E080 the edition has no version",
    ),
    # every input has a limit, checked before anything is laid out:
    "word-of-200000-characters": (
        lambda p, o: in_paragraph(p, " " + "x" * 200_000 + " "),
        ["build", "--format", "epub"], 1, "source/ames-2001.xml:27:0: E081 a word of 200,000 characters",
    ),
    "spaced-stops-no-line-can-break": (  # no line may break before a stop, spaces or not
        lambda p, o: in_paragraph(p, " " + ". " * 20_000),
        ["build", "--format", "epub"], 1, "source/ames-2001.xml:27:0: E081 a word of 40,00",
    ),
    "course-title-of-1-mb": (
        lambda p, o: ["--reader", profile(p, f'course_title = "{"Soviet history " * 70_000}"\n')],
        ["build", "--format", "epub"], 2, "reader.toml: refused: it has 1,050,018 bytes; a reader profile may have",
    ),
    "course-title-over-its-length": (
        lambda p, o: ["--reader", profile(p, f'course_title = "{"x" * 201}"\n')],
        ["build", "--format", "epub"], 2, "course_title has 201 characters; it may have at most 200",
    ),
    "print-css-of-8-mb": (
        lambda p, o: add(p.styles_dir / "print.css", after="p { margin: 0 }\n" * 500_000),
        ["build", "--format", "epub"], 2, "styles/print.css: refused: it has 8,",
    ),
    "source-file-over-its-size": (
        lambda p, o: add(essay(p), after="<!-- " + "x" * 9_000_000 + " -->\n"),
        ["check"], 2, "source/ames-2001.xml: refused: it has 9,",
    ),
    # one gate for every file, profiles included:
    "reader-is-a-fifo": (
        lambda p, o: os.mkfifo(p.root / "fifo.toml") or ["--reader", str(p.root / "fifo.toml")],
        ["build", "--format", "epub"], 2, "fifo.toml: refused: it is a FIFO, not a regular file",
    ),
    **{
        f"reader-is-{device.replace('/', '-').strip('-')}": (
            lambda p, o, device=device: ["--reader", device],
            ["build", "--format", "epub"], 2, f"{device}: refused: it is a character device, not a regular file",
        )
        for device in ("/dev/zero", "/dev/urandom")
    },
    "reader-in-the-project-a-symlink-to-etc-passwd": (
        lambda p, o: (p.root / "readers" / "passwd.toml").symlink_to("/etc/passwd")
        or ["--reader", "readers/passwd.toml"],
        ["build", "--format", "epub"], 2, "readers/passwd.toml: refused: it resolves to /etc/passwd, outside the",
    ),
    "reader-named-outside-a-symlink-to-etc-passwd": (
        lambda p, o: (o / "course.toml").symlink_to("/etc/passwd") or ["--reader", str(o / "course.toml")],
        ["build", "--format", "epub"], 2, "course.toml: refused: it is a symlink; outside the project",
    ),
    "readers-folder-in-the-project-with-a-symlink-to-etc-passwd": (
        lambda p, o: (p.root / "readers" / "passwd.toml").symlink_to("/etc/passwd") or ["--reader", "readers"],
        ["build", "--format", "epub"], 2, "readers/passwd.toml: refused: it resolves to /etc/passwd, outside the",
    ),
    "readers-folder-named-outside-with-a-symlink-to-etc-passwd": (
        lambda p, o: (o / "course.toml").symlink_to("/etc/passwd") or ["--reader", str(o)],
        ["build", "--format", "epub"], 2, "course.toml: refused: it is a symlink; outside the project",
    ),
    "essay-a-symlink-loop": (
        lambda p, o: (essay(p).unlink(), essay(p).symlink_to(essay(p))),
        ["build", "--format", "epub"], 2, "source/ames-2001.xml: refused: it is a loop of symlinks",
    ),
    "essay-a-fifo": (
        lambda p, o: (essay(p).unlink(), os.mkfifo(essay(p))),
        ["check"], 2, "source/ames-2001.xml: refused: it is a FIFO, not a regular file",
    ),
    "schema-a-fifo": (
        lambda p, o: (p.schema.unlink(), os.mkfifo(p.schema)),
        ["check"], 2, "source/schema/edition.rng: refused: it is a FIFO, not a regular file",
    ),
    "dist-a-symlink-out-of-the-project": (
        lambda p, o: (o / "dist").mkdir() or (p.root / "dist").symlink_to(o / "dist"),
        ["build", "--format", "epub"], 2, "dist: refused: it resolves to",
    ),
    "archive-through-dist-a-symlink-out-of-the-project": (
        lambda p, o: (o / "dist").mkdir() or (p.root / "dist").symlink_to(o / "dist"),
        ["archive"], 2, "dist/archive: refused: it resolves to",
    ),
    # ids and dates, checked before they break an output:
    "register-entry-id-register-intro": (
        lambda p, o: (
            edit(p.source_dir / "register.xml", 'xml:id="kulak"', 'xml:id="register-intro"'),
            edit(p.source_dir / "brook-2002.xml", 'ref="#kulak"', 'ref="#register-intro"'),
        ),
        ["build", "--format", "epub"], 1, "E082 xml:id 'register-intro' is an id the outputs give",
    ),
    "note-taller-than-a-page": (  # WeasyPrint would draw it over the text and the running head
        lambda p, o: edit(p.source_dir / "register.xml", "labour.</note>", "labour." + " And more." * 1500 + "</note>"),
        ["build", "--format", "pdf"], 2,
        "identification of 'kulak' (source/register.xml), a note in brook-2002, is too long for the foot of a page",
    ),
    "commentary-taller-than-a-page": (
        lambda p, o: edit(p.source_dir / "commentary.xml", "on his behalf;", "on his behalf;" + " And more." * 1500),
        ["build", "--format", "pdf"], 2,
        "the note of commentary at brook-c-release (source/commentary.xml) is too long for the foot of a page",
    ),
    "impossible-date": (
        lambda p, o: edit(p.edition_file, 'when="2026-01-15">15', 'when="2026-02-30">30'),
        ["build", "--format", "epub"], 1, "source/edition.xml:16:0: E083 '2026-02-30' is not a date",
    ),
    "source-date-epoch-in-year-1": (
        lambda p, o: None,
        ["build", "--format", "epub"], 2, "SOURCE_DATE_EPOCH=-62135596800 is 0001-01-01",
    ),
    # the EPUB's stylesheets, on their tokens:
    **{
        f"ereader-css-{name}": (
            lambda p, o, rule=rule: add(p.styles_dir / "ereader.css", after=f"\nbody {{ {rule} }}\n"),
            ["build", "--format", "epub"], 2,
            f"styles/ereader.css:{CSS_LINE}: {shown} is not allowed in the e-reader's",
        )
        for name, rule, shown in [
            ("image-set", 'background-image: image-set("http://127.0.0.1:9/x.png" 1x)', "image-set()"),
            ("image-set-escaped", 'background-image: im\\61ge-set("http://127.0.0.1:9/x.png" 1x)', "image-set()"),
            ("url-escaped", 'background-image: \\75 rl("http://127.0.0.1:9/x.png")', "url(http://127.0.0.1:9/x.png)"),
            ("image", 'background-image: image("file:///etc/passwd")', "image()"),
            ("cross-fade", 'background-image: cross-fade(url(a.png), "http://127.0.0.1:9/x.png")', "cross-fade()"),
            ("element", "background-image: element(#x)", "element()"),
            ("src", 'background-image: src("http://127.0.0.1:9/x.png")', "src()"),
            ("font-face", '} @font-face { font-family: x; src: local(x) } p {', "an @font-face"),
            ("nested-import", '} @media screen { @import "http://127.0.0.1:9/x.css"; } p {', "an @import"),
        ]
    },
}  # fmt: skip
# What the environment sets for a case, beside the tests' own.
ENVIRONMENTS = {"source-date-epoch-in-year-1": {"SOURCE_DATE_EPOCH": "-62135596800"}}
EDITION_STATEMENT = """<editionStmt>
        <edition n="1.0.0">Version 1.0.0, <date when="2026-01-15">15 January 2026</date></edition>
      </editionStmt>"""


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_input_ends_with_one_clear_line(name: str, tmp_path: Path):
    make, command, code, fragment = CASES[name]
    project = copy_project(tmp_path / "project")
    outside = tmp_path / "outside"
    outside.mkdir()
    extra = make(project, outside) or []
    extra = extra if isinstance(extra, list) else []
    before = tree_of(outside)
    env = {**os.environ, **ENVIRONMENTS.get(name, {})}
    result = run(*command, *extra, cwd=project.root, env=env)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    if code == 2:
        assert len(lines) == 1, lines  # one line
    else:
        assert all(line.startswith("source/") or line.startswith("edition: ") for line in lines), lines
    dist = project.root / "dist"
    # Nothing written but, where the build got as far as its output folder, that folder's lock.
    assert not dist.exists() or [path.name for path in dist.iterdir()] in ([], [".edition-build.lock"])
    assert SECRET not in result.stdout + result.stderr
    assert "root:" not in result.stdout + result.stderr  # no line of /etc/passwd
    assert not [path for path in written_in(project.root) if SECRET.encode() in path.read_bytes()]
    assert tree_of(outside) == before  # nothing written outside the project


def written_in(folder: Path) -> list[Path]:
    """Every regular file under `folder`, symlinks not followed (those of the cases lead out)."""
    return [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]


def tree_of(folder: Path) -> list[tuple[str, int]]:
    """Every path under `folder`, with its size, symlinks not followed."""
    return sorted((str(path.relative_to(folder)), path.lstat().st_size) for path in folder.rglob("*"))


# The second round's probes that end at exit 0, or are about one rule.


def test_an_impossible_date_is_named_once_by_e083_and_other_schema_errors_still_stand(tmp_path: Path):
    """The schema's own messages on an impossible date (three or four on its line, one on "line
    0") give way to E083; a schema error elsewhere in the file is still reported."""
    project = copy_project(tmp_path / "project")
    edit(project.edition_file, 'when="2026-01-15">15', 'when="2026-02-30">30')
    edit(project.edition_file, "</titleStmt>", "<bogus/></titleStmt>")
    problems = run_checks(project)
    assert [problem.code for problem in problems].count("E083") == 1
    assert [(problem.code, problem.line) for problem in problems if problem.code == "E010"] != []
    e083 = next(problem for problem in problems if problem.code == "E083")
    assert not [p for p in problems if p.code == "E010" and p.line in (0, e083.line)], problems
    assert any(p.code == "E010" and "bogus" in p.message for p in problems), problems


@pytest.mark.parametrize(("when", "stamped"), [("2026", "2026-01-01"), ("2026-05", "2026-05-01")])
def test_a_year_or_a_month_as_the_edition_date_is_stamped_as_its_first_day(tmp_path: Path, when: str, stamped: str):
    project = copy_project(tmp_path / "project")
    edit(project.edition_file, 'when="2026-01-15"', f'when="{when}"')
    assert read_job(project, None, None, "").when == datetime.fromisoformat(stamped).replace(tzinfo=UTC)
    result = run("build", "--explain", cwd=project.root, env={**os.environ, "SOURCE_DATE_EPOCH": ""})
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


@pytest.mark.parametrize(
    ("epoch", "refused"),
    [("315532800", False), ("315532799", True), ("4354819199", False), ("4354819200", True), ("-62135596800", True),
     ("99999999999999999999", True)],
)  # fmt: skip
def test_source_date_epoch_is_one_a_zip_file_can_carry(tmp_path_factory, epoch: str, refused: bool):
    """1980-01-01T00:00:00Z to 2107-12-31T23:59:59Z: a zip file's entries date from 1980 to 2107."""
    edition = _edition(tmp_path_factory)
    if refused:
        with pytest.raises(EditionError, match=rf"SOURCE_DATE_EPOCH={epoch}.* outside the dates the outputs can carry"):
            build_time(edition, epoch)
    else:
        assert build_time(edition, epoch).year in (1980, 2107)


def test_a_reader_profile_named_outside_the_project_is_read_as_the_user_named_it(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    named = tmp_path / "elsewhere" / "course.toml"
    named.parent.mkdir()
    shutil.copy(project.root / "readers" / "mini.toml", named)
    result = run("build", "--explain", "--reader", str(named), cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert f"dist/{STEM}-course.pdf: no record" in result.stdout


@pytest.mark.parametrize("slug", ["../outside", "a/b", ".hidden", "..", "x" * 300, "nul\0byte"])
def test_an_output_name_that_is_not_a_file_name_in_its_folder_is_refused(tmp_path_factory, slug: str):
    """Behind the schema's pattern and E080: whatever the slug, an output is a file in its folder."""
    edition = dataclasses.replace(_edition(tmp_path_factory), slug=slug)
    out = tmp_path_factory.mktemp("out")
    for proof in (False, True):
        with pytest.raises(EditionError, match=r"an output is written in its folder .* under one plain file name"):
            output_path(edition, out / "dist", "pdf", proof=proof)
    assert list(out.iterdir()) == []


def test_the_limits_are_those_the_readme_states():
    readme = (ROOT / "README.md").read_text()
    for limit in (SOURCE_LIMIT, STYLESHEET_LIMIT, PROFILE_LIMIT, WORD_LIMIT, *FIELD_LIMITS.values(), LONGEST_SLUG):
        assert f"| {limit:,} " in readme, limit


# Exit 0, and the output whole: what is not text is not text, an inside symlink is fine.


def epub_names_and_documents(path: Path) -> list[str]:
    """The EPUB's entry names, after checking each is unique and each XHTML is well-formed."""
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        assert len(names) == len(set(names)), names
        assert book.testzip() is None
        for name in names:
            if name.endswith((".xhtml", ".opf", ".ncx")):
                etree.fromstring(book.read(name))
        return names


def test_processing_instructions_and_comments_in_the_text_are_not_text(tmp_path: Path):
    project = copy_project(tmp_path)
    in_paragraph(project, '<?oxy_comment_start author="ed" comment="check this"?> tracked<?oxy_comment_end?><!-- x -->')
    edit(essay(project), "<head>Notes</head>", '<head><?oxy_insert_start author="ed"?>Notes<?oxy_insert_end?></head>')
    assert run("check", cwd=project.root).returncode == 0
    edition = load_edition(project)
    text = plain(next(e for e in edition.essays if e.id == ESSAY).paragraphs[0].content)
    assert "tracked" in text and "oxy" not in text and "check this" not in text
    result = run("build", "--format", "epub", cwd=project.root)
    assert result.returncode == 0, result.stderr
    names = epub_names_and_documents(next((project.root / "dist").glob("*.epub")))
    assert f"EPUB/{ESSAY}.xhtml" in names


def test_a_symlink_inside_the_project_is_read(tmp_path: Path):
    project = copy_project(tmp_path)
    (project.root / "shared").mkdir()
    shutil.move(project.source_dir / "register.xml", project.root / "shared" / "register.xml")
    (project.source_dir / "register.xml").symlink_to(project.root / "shared" / "register.xml")
    result = run("check", cwd=project.root)
    assert result.returncode == 0, result.stderr


def test_a_project_named_by_a_relative_path_or_through_a_symlink_is_its_real_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`Project(Path("."))` from a script, or a folder reached through a symlink: the faces and
    sources are read as in the folder itself (a relative root was a ValueError traceback)."""
    project = copy_project(tmp_path / "real")
    (tmp_path / "link").symlink_to(project.root)
    monkeypatch.chdir(tmp_path / "link")
    for named in (Path("."), tmp_path / "link"):
        assert read_faces(Project(named)).by_digest.keys() == read_faces(project).by_digest.keys()
        assert Project(named).root == project.root.resolve()


def test_inside_project_names_the_path_and_why(tmp_path: Path):
    root, outside = tmp_path / "project", tmp_path / "outside.txt"
    root.mkdir()
    outside.write_text(SECRET)
    (root / "file.txt").write_text("ok")
    (root / "link").symlink_to(outside)
    (root / "loop").symlink_to(root / "loop")
    (root / "folder").mkdir()
    assert inside_project(root / "file.txt", root) == (root / "file.txt").resolve()
    for name, why in [
        ("link", "refused: it resolves to"),
        ("folder", "is a folder, not a regular file"),
        ("missing", "file not found"),
        ("loop", "refused: it is a loop of symlinks"),
        ("../outside.txt", "refused: it resolves to"),
    ]:
        with pytest.raises(EditionError) as raised:
            inside_project(root / name, root)
        assert why in str(raised.value) and "\n" not in str(raised.value)
        assert SECRET not in str(raised.value)


def test_a_word_longer_than_the_line_breaks_on_the_page(tmp_path: Path):
    """A 2,000-character word with no hyphenation point, 25 lines long: every line stays on the
    page. (A word over the limit, `WORD_LIMIT`, is refused before layout: E081.)"""
    project = copy_project(tmp_path)
    in_paragraph(project, " " + "x" * 2_000 + " ")
    edition = load_edition(project)
    part = next(part for part in print_parts(edition) if part.essay and part.essay.id == ESSAY)
    document = Typesetter(project, "A4").render(print_part(edition, Imprint(), part, defaultdict(lambda: "1")), 1, "")

    for page in page_drawings(document.pages[:4]):
        for line in page.lines:
            assert line.x + line.width <= page.width, "a line runs off the page"


# 5. The same bytes on any machine ---------------------------------------------------------


def build_in(folder: Path, *, harfbuzz_subset: str) -> dict[str, bytes]:
    """Build a copy of the mini-edition in `folder`, without SOURCE_DATE_EPOCH, in a new
    interpreter; every file its dist/ then holds, by name, with its bytes. WeasyPrint subsets
    fonts with HarfBuzz if libharfbuzz-subset is installed, else with fontTools: "absent" builds
    as on a machine without it, "failing" as on one where any call into it fails (so the bytes
    can match only if it is never used)."""
    copy_project(folder)
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    replacement = {"absent": "None", "failing": "Failing()"}[harfbuzz_subset]
    program = (
        "import sys, weasyprint.pdf.fonts as fonts\n"
        "class Failing:\n"
        "    def __getattr__(self, name): raise AssertionError('HarfBuzz-subset was used: ' + name)\n"
        f"fonts.harfbuzz_subset = {replacement}\n"
        "from edition.cli import main\n"
        "sys.exit(main(['build']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=folder, capture_output=True, text=True, timeout=600, env=env
    )
    assert result.returncode == 0, result.stderr
    return {path.name: path.read_bytes() for path in sorted((folder / "dist").iterdir())}


def test_two_builds_from_two_folders_a_second_apart_give_the_same_bytes_on_either_subsetter(tmp_path: Path):
    """Each in a process of its own: as on a machine without HarfBuzz-subset; and, in a folder at
    another depth, begun more than a second after the first ended, as on one where any call into
    it fails (so also as on this machine, where it is never called). The same PDF, EPUB and build
    record (which holds no path and no time of its own), whatever differs between them. (This
    holds the byte-identical rebuilds of tests/keeping/test_archive.py too.)"""
    first = build_in(tmp_path / "one", harfbuzz_subset="absent")
    time.sleep(1.1)  # a second boundary between the two, whatever their own length
    other = build_in(tmp_path / "elsewhere" / "two", harfbuzz_subset="failing")
    assert list(first) == [".edition-build.json", ".edition-build.lock", EPUB, PDF]
    assert list(other) == list(first)
    for name in first:
        assert other[name] == first[name], name


def test_a_pdf_that_would_embed_a_system_font_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The safety net behind the check of the text's characters: with that check off, a Hebrew
    letter, which the edition's faces lack, makes WeasyPrint take a system face (DejaVu here)."""
    from edition.build import build
    from edition.layout import pdf
    from edition.sources import fonts

    project = copy_project(tmp_path / "project")
    in_paragraph(project, " א ")
    monkeypatch.setattr(pdf, "check_characters", lambda *args, **kwargs: None)
    monkeypatch.setattr(fonts, "check_characters", lambda *args, **kwargs: None)
    with pytest.raises(EditionError, match=r"the PDF would embed a system font \(.+\), not only the faces"):
        build(project, ("pdf",), tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_the_font_subsets_carry_the_build_date_not_the_time_of_the_build():
    data = (ROOT / "styles" / "fonts" / "SourceSerifPro-Regular.ttf").read_bytes()
    when = datetime(2026, 11, 22, tzinfo=UTC)
    subset = subset_font(data, 0, frozenset({0, 1, 2, 3}), False, False, when)
    head = TTFont(io.BytesIO(subset))["head"]
    assert head.created == head.modified == int(when.timestamp()) + FONT_EPOCH_OFFSET
    assert subset == subset_font(data, 0, frozenset({0, 1, 2, 3}), False, False, when)


# Properties -------------------------------------------------------------------------------

settings.register_profile("hostile", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("hostile")


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_css_string_gives_one_string_with_exactly_the_text(text: str):
    tokens = [
        token
        for token in tinycss2.parse_component_value_list(f"content: {css_string(text)}; color: red")
        if token.type not in ("whitespace",)
    ]
    assert [token.type for token in tokens] == ["ident", "literal", "string", "literal", "ident", "literal", "ident"]
    assert tokens[2].value == text.replace("\0", "\ufffd")


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string here


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=40), st.text(max_size=10))
@settings(max_examples=60)
def test_any_course_is_refused_in_one_line_or_printed_whole_in_well_formed_pages(tmp_path_factory, title, code):
    path = tmp_path_factory.mktemp("profile") / "reader.toml"
    path.write_text(f"course_title = {toml_string(title)}\ncourse_code = {toml_string(code)}\n", encoding="utf-8")
    try:
        chosen = load_profile(path, path.parent)
    except EditionError as error:
        assert "\n" not in str(error) and "\r" not in str(error)
        assert any(not ch.isprintable() and ch != " " for ch in title + code)
        return
    assert not any(ch < " " or ch == "\x7f" for ch in chosen.course)
    edition = _edition(tmp_path_factory)
    imprint = Imprint("abc", "2026-11-22T00:00:00+00:00", chosen.course)
    chapters = epub_chapters(edition, imprint, "css/edition.css", [], ("images/cover.png", "Cover"))
    for chapter in chapters[:3]:  # cover, title page, colophon
        etree.fromstring(chapter.xhtml.encode())  # well-formed
    if chosen.course.strip():
        shown = etree.fromstring(chapters[1].xhtml.encode())
        assert " ".join(chosen.course.split()) in " ".join("".join(shown.itertext()).split())
    assert tinycss2.parse_one_component_value(css_string(chosen.course)).value == chosen.course


_loaded = {}


def _edition(tmp_path_factory):
    if "edition" not in _loaded:
        _loaded["edition"] = load_edition(copy_project(tmp_path_factory.mktemp("mini")))
    return _loaded["edition"]


# What an editor or an XML editor may leave in a paragraph, raw: markup, PIs, comments, entities.
PIECES = st.sampled_from([
    "a", " ", "é", "<emph>", "</emph>", "<?oxy_comment_start author='x'?>", "<?pi?>", "<!-- c -->",
    "&amp;", "&lt;script&gt;", "<script>", "&nbsp;", "]]>", "<![CDATA[x]]>", '<ref target="#ames-n1">',
    '<ref target="javascript:x">', "</ref>", "<lb/>", "\t", "<hi rend='italic'>", "</hi>", "&#0;", "&#12;",
])  # fmt: skip


@given(st.lists(PIECES, min_size=1, max_size=12))
@example(["&lt;script&gt;"])  # text that reads as markup, in every example run
@settings(max_examples=60)
def test_any_markup_in_a_paragraph_is_reported_or_rendered_well_formed(tmp_path_factory, pieces: list[str]):
    if "markup" not in _loaded:  # one copy of the mini-edition, its essay restored after each example
        _loaded["markup"] = copy_project(tmp_path_factory.mktemp("project"))
    project = _loaded["markup"]
    original = essay(project).read_text()
    try:
        _markup_example(project, pieces)
    finally:
        essay(project).write_text(original)


def _markup_example(project: Project, pieces: list[str]) -> None:
    in_paragraph(project, "".join(pieces))
    try:
        problems = run_checks(project)
    except EditionError as error:
        pytest.fail(f"not a source problem: {error}")
    if problems:
        assert all(problem.path.startswith("source/") and problem.code for problem in problems)
        return
    try:
        edition = load_edition(project)
    except SourceError as error:
        pytest.fail(f"check passed but the edition does not load: {error}")
    chapters = epub_chapters(edition, Imprint(), "css/edition.css", [], ("images/cover.png", "Cover"))
    documents = [etree.fromstring(chapter.xhtml.encode()) for chapter in chapters]  # well-formed XHTML
    # The print edition's every part, the essay with the edited paragraph among them.
    parts = [FRONT, *print_parts(edition)]
    documents += [
        lxml.html.document_fromstring(print_part(edition, Imprint(), part, defaultdict(lambda: "1"))) for part in parts
    ]
    for document in documents:
        assert not document.xpath("//*[local-name()='script']"), "a script element reached an output"
        for href in document.xpath("//@href"):
            assert not href.lower().lstrip().startswith(("javascript:", "data:", "file:")), href


def test_the_fetcher_refuses_a_folder_and_a_pipe(tmp_path: Path):
    from edition.layout.fetcher import LocalFetcher, RefusedResource

    (tmp_path / "folder.css").mkdir()
    os.mkfifo(tmp_path / "pipe.css")
    fetcher = LocalFetcher([tmp_path])
    for name, why in [("folder.css", "is a folder, not a regular file"), ("pipe.css", "not a regular file")]:
        with pytest.raises(RefusedResource, match=why):
            fetcher.fetch((tmp_path / name).as_uri())
