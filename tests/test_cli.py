"""The command line, run as a user runs it: outputs, messages and exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from edition.project import Project
from tests.names import EPUB, PDF


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edition", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_build_writes_both_formats_and_reports_each_stage(scratch_project: Project):
    result = run("build", cwd=scratch_project.root)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (scratch_project.root / "dist").iterdir())
    assert written == [".edition-build.json", ".edition-build.lock", EPUB, PDF]
    assert f"wrote dist/{PDF}" in result.stdout
    assert "read and check sources" in result.stdout and " s  " in result.stdout


def test_format_and_out_choose_what_is_written_where(scratch_project: Project, tmp_path: Path):
    out = tmp_path / "elsewhere"
    result = run("build", "--format", "epub", "--out", str(out), cwd=scratch_project.root)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".edition-build.json", ".edition-build.lock", EPUB]
    assert not (scratch_project.root / "dist").exists()


def test_invalid_source_is_reported_by_file_line_and_column_and_nothing_is_lost(scratch_project: Project):
    assert run("build", "--format", "epub", cwd=scratch_project.root).returncode == 0
    built = scratch_project.root / "dist" / EPUB
    before = built.read_bytes()

    essay = scratch_project.source_dir / "filtzer-1998.xml"
    essay.write_text(essay.read_text().replace("<body>", "<body><heading>Oops</heading>", 1))
    result = run("build", "--format", "epub", cwd=scratch_project.root)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    path, line, column, message = first.split(":", 3)
    assert path == "source/filtzer-1998.xml" and int(line) > 0 and column.isdigit()
    assert "heading" in message
    assert built.read_bytes() == before


def test_malformed_xml_is_reported_with_its_position(scratch_project: Project):
    essay = scratch_project.source_dir / "weissman-1988.xml"
    essay.write_text(essay.read_text().replace("</head>", "</hed>", 1))
    result = run("build", cwd=scratch_project.root)
    assert result.returncode == 1
    assert result.stderr.startswith("source/weissman-1988.xml:")
    assert "Traceback" not in result.stderr


def test_a_note_call_without_a_note_is_an_error(scratch_project: Project):
    essay = scratch_project.source_dir / "weissman-1988.xml"
    essay.write_text(essay.read_text().replace('target="#weissman-n7"', 'target="#weissman-n99"'))
    result = run("build", cwd=scratch_project.root)
    assert result.returncode == 1
    assert "note call points at no note: #weissman-n99" in result.stderr
    assert "note weissman-n7 is never called" in result.stderr


def test_outside_a_project_the_message_says_so(tmp_path: Path):
    result = run("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("edition: no edition project here")
    assert "Traceback" not in result.stderr


def test_a_missing_font_is_a_one_line_message(scratch_project: Project):
    (scratch_project.styles_dir / "fonts" / "SourceSerifPro-It.ttf").unlink()
    result = run("build", "--format", "pdf", cwd=scratch_project.root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "SourceSerifPro-It.ttf" in result.stderr


def test_an_output_folder_that_cannot_be_made_is_a_one_line_message(scratch_project: Project, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("build", "--format", "epub", "--out", str(blocker / "out"), cwd=scratch_project.root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "cannot create the output folder" in result.stderr


def test_a_missing_source_file_is_a_one_line_message(scratch_project: Project):
    (scratch_project.source_dir / "filtzer-1998.xml").unlink()
    result = run("build", cwd=scratch_project.root)
    assert result.returncode == 1
    assert re.fullmatch(r"source/edition.xml:\d+:0: E001 essay 'filtzer-1998.xml' not found\n", result.stderr)
