"""Hostile and random input: refused with a clear message, or escaped; never a traceback."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from edition.check import run_checks
from edition.errors import EditionError, SourceError
from edition.fetcher import LocalFetcher, RefusedResource
from edition.html import FRONT, epub_chapters, print_part, print_parts
from edition.model import Imprint
from edition.project import Project
from edition.source import load_edition

from .test_check import FIRST_PARAGRAPH, edit, essay


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edition", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_an_external_entity_is_refused_and_nothing_is_read(scratch_project: Project, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    edit(essay(scratch_project), "<TEI xmlns", f'<!DOCTYPE TEI [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n<TEI xmlns')
    edit(essay(scratch_project), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi> &x;")
    result = run("build", cwd=scratch_project.root)
    assert result.returncode == 1
    assert "E003 a DOCTYPE is not allowed" in result.stderr
    assert "TOP-SECRET" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_an_entity_expansion_bomb_is_refused_at_once(scratch_project: Project):
    laughs = ['<!ENTITY a0 "ha">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    bomb = "<!DOCTYPE TEI [" + "".join(laughs) + "]>\n<TEI xmlns"
    edit(essay(scratch_project), "<TEI xmlns", bomb)
    edit(essay(scratch_project), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi> &a9;")
    result = run("check", cwd=scratch_project.root)
    assert result.returncode == 1
    # libxml2's own guard against amplification may stop the parse (E002) before the DOCTYPE is
    # seen and refused (E003); either way nothing is expanded.
    assert " E003 a DOCTYPE is not allowed" in result.stderr or " E002 Maximum entity amplification" in result.stderr
    assert "hahaha" not in result.stderr and "Traceback" not in result.stderr


def test_a_remote_stylesheet_is_refused(scratch_project: Project):
    stylesheet = scratch_project.styles_dir / "print.css"
    stylesheet.write_text('@import url("http://127.0.0.1:9/evil.css");\n' + stylesheet.read_text())
    result = run("build", "--format", "pdf", cwd=scratch_project.root)
    assert result.returncode == 2
    assert (
        result.stderr
        == "edition: refused to fetch http://127.0.0.1:9/evil.css: only local files of the project are read\n"
    )


def test_a_path_out_of_the_project_is_refused(scratch_project: Project):
    stylesheet = scratch_project.styles_dir / "print.css"
    stylesheet.write_text(
        stylesheet.read_text().replace('url("fonts/SourceSerifPro-It.ttf")', 'url("../../../../etc/passwd")')
    )
    result = run("build", "--format", "pdf", cwd=scratch_project.root)
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


def test_a_script_element_in_a_paragraph_is_a_schema_error(scratch_project: Project):
    edit(
        essay(scratch_project), "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi><script>alert(1)</script>"
    )
    problems = run_checks(scratch_project)
    assert {problem.code for problem in problems} == {"E010"}


def rendered(project: Project) -> str:
    edition = load_edition(project)
    chapters = epub_chapters(edition, Imprint(), "css/edition.css", [], ("images/cover.png", "Cover"))
    pages = defaultdict(lambda: "1")  # any page number will do
    parts = [FRONT, *print_parts(edition)]
    return "".join(print_part(edition, Imprint(), part, pages) for part in parts) + "".join(c.xhtml for c in chapters)


def test_markup_written_as_text_in_a_paragraph_stays_text(scratch_project: Project):
    edit(
        essay(scratch_project),
        "SERGE’S CONTRIBUTION TO</hi>",
        "SERGE’S CONTRIBUTION TO</hi> &lt;script&gt;alert(1)&lt;/script&gt;",
    )
    output = rendered(scratch_project)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in output
    assert "<script" not in output


# Property-based: whatever an editor types into a paragraph, escaped or not, the sources are
# either read and rendered with the text intact, or refused with diagnostics; never a crash.

settings.register_profile("edition", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("edition")


@given(st.text(min_size=1, max_size=40) | st.sampled_from(["<script>alert(1)</script>", "<?pi x?>", "]]>", "&amp;"]))
@settings(max_examples=20)
def test_any_text_in_a_paragraph_is_rendered_escaped_or_reported(scratch_project: Project, text: str):
    path = essay(scratch_project)
    original = path.read_text()
    try:
        edit(path, "SERGE’S CONTRIBUTION TO</hi>", "SERGE’S CONTRIBUTION TO</hi> " + escape(text) + " ")
        try:
            output = rendered(scratch_project)
        except (SourceError, EditionError) as error:
            assert str(error)
            return
        visible = "".join(ch for ch in text if ch.isalnum())
        assert visible[:20] in "".join(ch for ch in html.unescape(output) if ch.isalnum())
        # The text stays text: no element, attribute or entity of it reaches the output as markup.
        assert "<script" not in output.lower()
        for chapter in epub_chapters(load_edition(scratch_project), Imprint(), "css/edition.css", [], ("c.png", "C")):
            document = etree.fromstring(chapter.xhtml.encode())  # well-formed, whatever the text
            assert not document.xpath("//*[local-name()='script' or local-name()='iframe']")
    finally:
        path.write_text(original)


@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda s: s.encode()))
@settings(max_examples=40)
def test_any_bytes_as_a_source_file_are_reported_never_a_crash(scratch_project: Project, data: bytes):
    path = essay(scratch_project)
    original = path.read_bytes()
    try:
        path.write_bytes(data)
        problems = run_checks(scratch_project)
        assert problems
        assert all(
            str(problem).startswith("source/weissman-1988.xml:") for problem in problems if "weissman" in problem.path
        )
    finally:
        path.write_bytes(original)


def test_a_paragraph_with_markup_inside_text_nodes_builds(scratch_project: Project):
    edit(essay(scratch_project), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " a &amp; b &lt;i&gt; ")
    assert run_checks(scratch_project) == []
