"""What `edition import` refuses, each in one line with exit 2 and nothing written; and a text
that would not pass the checks, with exit 1 and the project as it was."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from edition.ingest import pandoc
from tests import command
from tests.mini import make_mini

TOLD = ["--title", "A Title", "--author", "Jane Roe", "--date", "2001"]


def docx(tmp_path: Path) -> bytes:
    source = tmp_path / "d.md"
    source.write_text("Some text.[^1]\n\n[^1]: A note.\n")
    target = tmp_path / "d.docx"
    command.subprocess.run(
        [str(pandoc.pandoc_binary()), "--sandbox", "-t", "docx", "-o", str(target), str(source)], check=True, timeout=60
    )
    return target.read_bytes()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its path, a symlink as where it leads (never read through)."""
    return {
        str(p.relative_to(root)): str(p.readlink()).encode() if p.is_symlink() else p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


CASES = {
    # name: (how to make the file from tmp_path, file name, the message's end)
    "empty": (lambda t: b"", "empty.txt", "the file is empty"),
    "unsupported": (lambda t: b"%PDF-1.7", "paper.pdf", "the import does not read .pdf"),
    "binary as text": (lambda t: bytes(range(256)) * 4, "noise.txt", "not UTF-8 text (byte 129): save it as UTF-8"),
    "control bytes as text": (lambda t: b"text\x00\x01more", "nul.txt", "binary data, not text"),
    "encrypted": (lambda t: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "locked.docx", "encrypted, or an old"),
    "truncated docx": (lambda t: docx(t)[:700], "cut.docx", "not a DOCX file (not a whole ZIP archive)"),
    "a zip that is no docx": (lambda t: zip_of({"a.txt": b"a"}), "other.docx", "a ZIP archive, but not a DOCX"),
    "a zip that is no odt": (lambda t: zip_of({"a.txt": b"a"}), "other.odt", "a ZIP archive, but not a ODT"),
    "a damaged docx": (lambda t: zip_of({"word/document.xml": b"<not xml"}), "bad.docx", "cannot be read as DOCX"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_file_the_import_cannot_read_is_refused_in_one_line(tmp_path: Path, case: str):
    make, name, message = CASES[case]
    project = make_mini(tmp_path / "project")
    (tmp_path / name).write_bytes(make(tmp_path))
    before = snapshot(project.root)
    done = command.run("import", str(tmp_path / name), *TOLD, cwd=project.root, timeout=120)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr and "Traceback" not in done.stderr
    assert snapshot(project.root) == before


def test_a_folder_a_fifo_and_a_symlink_are_refused_before_they_are_opened(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a the text outside the project\n")
    (project.root / "link.txt").symlink_to(secret)
    (tmp_path / "folder.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    before = snapshot(project.root)
    for path, message in [
        (project.root / "link.txt", "refused: it is a symlink; name the file itself"),
        (tmp_path / "folder.txt", "refused: it is a folder"),
        (tmp_path / "pipe.txt", "refused: it is a FIFO"),
        (tmp_path / "missing.txt", "file not found"),
    ]:
        done = command.run("import", str(path), *TOLD, cwd=project.root, timeout=60)
        assert done.returncode == 2 and message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
        assert "TOP-SECRET" not in done.stdout + done.stderr
    assert snapshot(project.root) == before


def test_an_id_already_taken_is_refused_and_nothing_is_written(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    text = tmp_path / "text.txt"
    text.write_text("A Title\n\nA paragraph of the text.\n")
    before = snapshot(project.root)
    done = command.run("import", str(text), *TOLD, "--id", "ames-2001", cwd=project.root, timeout=60)
    assert done.returncode == 2 and "source/ames-2001.xml exists already: choose another --id" in done.stderr
    done = command.run("import", str(text), *TOLD, "--id", "Not An Id", cwd=project.root, timeout=60)
    assert done.returncode == 2 and "an id is lower-case letters and figures" in done.stderr
    assert snapshot(project.root) == before


def test_a_text_that_would_not_pass_the_checks_leaves_the_project_as_it_was(tmp_path: Path):
    """An id the mini-edition's other files already use (E040): the import writes, checks, and
    puts every file back."""
    project = make_mini(tmp_path / "project")
    text = tmp_path / "text.txt"
    text.write_text("A Title\n\nA paragraph of the text.\n")
    before = snapshot(project.root)
    done = command.run("import", str(text), *TOLD, "--id", "serge", cwd=project.root, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "E040 id serge is already used" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(project.root) == before


def test_an_import_reports_what_it_did(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    text = tmp_path / "text.txt"
    text.write_text(
        'A Title\n\nJane Roe\n\nHe said "it\'s planned"...1 and went on.\n\n  1. A note.\n    back to text\n'
    )
    done = command.run("import", str(text), *TOLD, cwd=project.root, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "wrote source/roe-2001.xml: 1 paragraph, 1 note",
        "typographic changes: 1 apostrophe, 2 double quotes, 1 ellipsis",
        "not placed: 1 line of web furniture (links back to the text)",
        "listed it in source/edition.xml as an essay, with a line in the change log",
        "kept the file as received in tests/received/roe-2001.txt",
        "0 suspects of damage from a scan; `edition check --mentions` lists the names",
    ]
    assert command.run("check", cwd=project.root, timeout=60).returncode == 0
