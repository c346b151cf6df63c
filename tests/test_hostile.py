"""Hostile and random input: refused with a clear message, or escaped; never a traceback. On the
mini-edition."""

from __future__ import annotations

import html
import os
import subprocess
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from edition.errors import EditionError, SourceError
from edition.html import FRONT, epub_chapters, print_part, print_parts
from edition.layout.fetcher import LocalFetcher, RefusedResource
from edition.project import Project
from edition.sources.check import run_checks
from edition.sources.model import Imprint
from edition.sources.read import load_edition
from tests import command
from tests.edits import edit
from tests.mini import ESSAY, FIRST_PARAGRAPH, IN_PARAGRAPH, essay


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return command.run(*args, cwd=cwd, timeout=300)


def test_an_external_entity_is_refused_and_nothing_is_read(mini_project: Project, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    edit(essay(mini_project), "<TEI xmlns", f'<!DOCTYPE TEI [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n<TEI xmlns')
    edit(essay(mini_project), IN_PARAGRAPH, IN_PARAGRAPH + " &x;")
    result = run("build", cwd=mini_project.root)
    assert result.returncode == 1
    assert "E003 a DOCTYPE is not allowed" in result.stderr
    assert "TOP-SECRET" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_an_entity_expansion_bomb_is_refused_at_once(mini_project: Project):
    laughs = ['<!ENTITY a0 "ha">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    bomb = "<!DOCTYPE TEI [" + "".join(laughs) + "]>\n<TEI xmlns"
    edit(essay(mini_project), "<TEI xmlns", bomb)
    edit(essay(mini_project), IN_PARAGRAPH, IN_PARAGRAPH + " &a9;")
    result = run("check", cwd=mini_project.root)
    assert result.returncode == 1
    # libxml2's own guard against amplification may stop the parse (E002) before the DOCTYPE is
    # seen and refused (E003); either way nothing is expanded.
    assert " E003 a DOCTYPE is not allowed" in result.stderr or " E002 Maximum entity amplification" in result.stderr
    assert "hahaha" not in result.stderr and "Traceback" not in result.stderr


def test_a_remote_stylesheet_is_refused(mini_project: Project):
    stylesheet = mini_project.styles_dir / "print.css"
    stylesheet.write_text('@import url("http://127.0.0.1:9/evil.css");\n' + stylesheet.read_text())
    result = run("build", "--format", "pdf", cwd=mini_project.root)
    assert result.returncode == 2
    assert (
        result.stderr
        == "edition: refused to fetch http://127.0.0.1:9/evil.css: only local files of the project are read\n"
    )


def test_a_path_out_of_the_project_is_refused(mini_project: Project):
    stylesheet = mini_project.styles_dir / "print.css"
    stylesheet.write_text(
        stylesheet.read_text().replace('url("fonts/SourceSerifPro-It.ttf")', 'url("../../../../etc/passwd")')
    )
    result = run("build", "--format", "pdf", cwd=mini_project.root)
    assert result.returncode == 2
    assert "outside the project's styles/ and source/" in result.stderr
    assert "root:" not in result.stderr


def test_the_fetcher_serves_only_files_inside_its_folders(tmp_path: Path):
    inside, outside = tmp_path / "styles", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    (inside / "ok.css").write_text("p {}")
    (outside / "secret.css").write_text("secret")
    os.symlink(outside / "secret.css", inside / "link.css")
    fetcher = LocalFetcher([inside])
    assert fetcher.fetch((inside / "ok.css").as_uri()).read() == b"p {}"
    for url in [
        "http://example.com/x.css",
        "data:text/css,p{}",
        (outside / "secret.css").as_uri(),
        (inside / "link.css").as_uri(),  # a symlink out of the folder
        (inside / ".." / "elsewhere" / "secret.css").as_uri(),
        (inside / "missing.css").as_uri(),
    ]:
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)


def test_the_fetcher_serves_a_project_whose_folder_name_holds_a_percent_sign(tmp_path: Path):
    """A folder named x%41y (percent-encoded as x%2541y in its URL) is decoded once, not into xAy."""
    inside = tmp_path / "x%41y" / "styles"
    inside.mkdir(parents=True)
    (inside / "ok.css").write_text("p {}")
    assert "%2541" in (inside / "ok.css").as_uri()
    assert LocalFetcher([inside]).fetch((inside / "ok.css").as_uri()).read() == b"p {}"


def test_a_script_element_in_a_paragraph_is_a_schema_error(mini_project: Project):
    edit(essay(mini_project), IN_PARAGRAPH, IN_PARAGRAPH + "<script>alert(1)</script>")
    problems = run_checks(mini_project)
    assert {problem.code for problem in problems} == {"E010"}


def rendered(project: Project) -> str:
    edition = load_edition(project)
    chapters = epub_chapters(edition, Imprint(), "css/edition.css", [], ("images/cover.png", "Cover"))
    pages = defaultdict(lambda: "1")  # any page number will do
    parts = [FRONT, *print_parts(edition)]
    return "".join(print_part(edition, Imprint(), part, pages) for part in parts) + "".join(c.xhtml for c in chapters)


def test_markup_written_as_text_in_a_paragraph_stays_text(mini_project: Project):
    edit(
        essay(mini_project),
        IN_PARAGRAPH,
        IN_PARAGRAPH + " &lt;script&gt;alert(1)&lt;/script&gt;",
    )
    output = rendered(mini_project)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in output
    assert "<script" not in output


# Property-based: whatever an editor types into a paragraph, escaped or not, the sources are
# either read and rendered with the text intact, or refused with diagnostics; never a crash.

settings.register_profile("edition", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("edition")


@given(st.text(min_size=1, max_size=40) | st.sampled_from(["<script>alert(1)</script>", "<?pi x?>", "]]>", "&amp;"]))
@settings(max_examples=20)
def test_any_text_in_a_paragraph_is_rendered_escaped_or_reported(mini_project: Project, text: str):
    path = essay(mini_project)
    original = path.read_text()
    try:
        edit(path, IN_PARAGRAPH, IN_PARAGRAPH + " " + escape(text) + " ")
        try:
            output = rendered(mini_project)
        except (SourceError, EditionError) as error:
            # Escaped, any text is well-formed XML but for the characters XML forbids.
            assert any(not _xml_char(ch) for ch in text), str(error)
            return
        visible = "".join(ch for ch in text if ch.isalnum())
        assert visible[:20] in "".join(ch for ch in html.unescape(output) if ch.isalnum())
        # The text stays text: no element, attribute or entity of it reaches the output as markup.
        assert "<script" not in output.lower()
        for chapter in epub_chapters(load_edition(mini_project), Imprint(), "css/edition.css", [], ("c.png", "C")):
            document = etree.fromstring(chapter.xhtml.encode())  # well-formed, whatever the text
            assert not document.xpath("//*[local-name()='script' or local-name()='iframe']")
    finally:
        path.write_text(original)


def _xml_char(ch: str) -> bool:
    """Whether XML 1.0 allows the character (its production Char)."""
    code = ord(ch)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda s: s.encode()))
@settings(max_examples=40)
def test_any_bytes_as_a_source_file_are_reported_never_a_crash(mini_project: Project, data: bytes):
    path = essay(mini_project)
    original = path.read_bytes()
    try:
        path.write_bytes(data)
        problems = run_checks(mini_project)
        assert problems
        # Every problem is the essay's, at a place in it: nothing else is blamed for its bytes.
        assert all(str(problem).startswith(f"source/{ESSAY}.xml:") for problem in problems), problems
    finally:
        path.write_bytes(original)


def test_a_paragraph_with_markup_inside_text_nodes_builds(mini_project: Project):
    edit(essay(mini_project), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " a &amp; b &lt;i&gt; ")
    assert run_checks(mini_project) == []
