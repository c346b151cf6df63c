"""The command line, run as a user runs it: outputs, messages and exit codes, on the mini-edition."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from edition import __version__
from edition.project import Project
from tests import command
from tests.mini import EPUB, PDF


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return command.run(*args, cwd=cwd, timeout=300)


def test_build_writes_both_formats_and_reports_each_stage(mini_project: Project):
    result = run("build", cwd=mini_project.root)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (mini_project.root / "dist").iterdir())
    assert written == [".edition-build.json", ".edition-build.lock", EPUB, PDF]
    assert f"wrote dist/{PDF}" in result.stdout
    assert "read and check sources" in result.stdout and " s  " in result.stdout


def test_format_and_out_choose_what_is_written_where(mini_project: Project, tmp_path: Path):
    out = tmp_path / "elsewhere"
    result = run("build", "--format", "epub", "--out", str(out), cwd=mini_project.root)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".edition-build.json", ".edition-build.lock", EPUB]
    assert not (mini_project.root / "dist").exists()


def test_invalid_source_is_reported_by_file_line_and_column_and_nothing_is_lost(mini_project: Project):
    assert run("build", "--format", "epub", cwd=mini_project.root).returncode == 0
    built = mini_project.root / "dist" / EPUB
    before = built.read_bytes()

    essay = mini_project.source_dir / "brook-2002.xml"
    essay.write_text(essay.read_text().replace("<body>", "<body><heading>Oops</heading>", 1))
    result = run("build", "--format", "epub", cwd=mini_project.root)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    path, line, column, message = first.split(":", 3)
    assert path == "source/brook-2002.xml" and int(line) > 0 and column.isdigit()
    assert "heading" in message
    assert built.read_bytes() == before


def test_malformed_xml_is_reported_with_its_position(mini_project: Project):
    essay = mini_project.source_dir / "ames-2001.xml"
    essay.write_text(essay.read_text().replace("</head>", "</hed>", 1))
    result = run("build", cwd=mini_project.root)
    assert result.returncode == 1
    assert result.stderr.startswith("source/ames-2001.xml:")
    assert "Traceback" not in result.stderr


def test_a_note_call_without_a_note_is_an_error(mini_project: Project):
    essay = mini_project.source_dir / "ames-2001.xml"
    essay.write_text(essay.read_text().replace('target="#ames-n1"', 'target="#ames-n99"'))
    result = run("build", cwd=mini_project.root)
    assert result.returncode == 1
    assert "note call points at no note: #ames-n99" in result.stderr
    assert "note ames-n1 is never called" in result.stderr


def test_outside_a_project_the_message_says_so(tmp_path: Path):
    result = run("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("edition: no edition project here")
    assert "Traceback" not in result.stderr


def test_a_missing_font_is_a_one_line_message(mini_project: Project):
    (mini_project.styles_dir / "fonts" / "SourceSerifPro-It.ttf").unlink()
    result = run("build", "--format", "pdf", cwd=mini_project.root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "SourceSerifPro-It.ttf" in result.stderr


def test_an_output_folder_that_cannot_be_made_is_a_one_line_message(mini_project: Project, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("build", "--format", "epub", "--out", str(blocker / "out"), cwd=mini_project.root)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "cannot create the output folder" in result.stderr


def test_a_missing_source_file_is_a_one_line_message(mini_project: Project):
    (mini_project.source_dir / "ames-2001.xml").unlink()
    result = run("build", cwd=mini_project.root)
    assert result.returncode == 1
    assert re.fullmatch(r"source/edition.xml:\d+:0: E001 essay 'ames-2001.xml' not found\n", result.stderr)


def test_a_folder_of_reader_profiles_stands_for_each_profile_in_it_in_the_order_of_their_names(tmp_path: Path):
    from edition.cli import _readers

    for name in ("b.toml", "a.toml", "notes.txt"):
        (tmp_path / name).write_text("")
    single = tmp_path / "c.toml"
    assert _readers([tmp_path, single]) == [tmp_path / "a.toml", tmp_path / "b.toml", single]
    assert _readers(None) == [None] and _readers(single) == [single]
    assert _readers(tmp_path) == [tmp_path]  # `watch`'s one profile: a folder is refused as a profile


def test_several_readers_that_cannot_all_be_built_are_refused_in_one_line_before_anything_is_written(
    mini_project: Project, tmp_path: Path
):
    root = mini_project.root
    (tmp_path / "empty").mkdir()
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "mini.toml").write_text((root / "readers" / "mini.toml").read_text())
    cases = {
        (str(tmp_path / "empty"),): (
            f"edition: {tmp_path / 'empty'}: a folder with no reader profile (FILE.toml) in it\n"
        ),
        ("readers/mini.toml", str(tmp_path / "again")): (
            "edition: two reader profiles are named mini: their outputs would have the same names\n"
        ),
    }
    for readers, message in cases.items():
        result = run("build", *(arg for reader in readers for arg in ("--reader", reader)), cwd=root)
        assert (result.returncode, result.stderr) == (2, message), readers
        assert not (root / "dist").exists()


def test_output_into_a_pipe_no_one_reads_ends_the_command_without_a_traceback(mini_project: Project):
    """As `edition build --explain | head -0`: what reads the output has closed before the
    command writes it. The command stops as one killed by SIGPIPE would, and says nothing."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "edition", "build", "--explain"],
            cwd=mini_project.root, stdout=write, stderr=subprocess.PIPE, timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (141, b"")


def test_watch_refuses_a_reader_profile_it_cannot_read_in_one_line(mini_project: Project):
    result = run("watch", "--reader", "missing.toml", cwd=mini_project.root)
    refused = "edition: missing.toml: file not found (or a symlink to nothing)\n"
    assert (result.returncode, result.stderr) == (2, refused)


def test_the_command_ends_without_the_interpreters_teardown_once_its_output_is_written(tmp_path: Path):
    """`edition` (`cli.run`) ends the process as soon as the command is done: an exit handler,
    which the interpreter's own ending would run, does not speak; what the command printed into
    a pipe is all there; and the exit code is the command's, or argparse's."""
    script = "import atexit; atexit.register(print, 'torn down'); from edition.cli import run; run()"
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # as for a user
    cases = {("--version",): (0, f"edition {__version__}\n"), ("--project", str(tmp_path), "check"): (2, "")}
    for args, (code, out) in cases.items():
        result = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True, text=True, cwd=tmp_path, env=buffered, timeout=60, check=False,
        )  # fmt: skip
        assert (result.returncode, result.stdout) == (code, out), args
        assert code == 0 or result.stderr.startswith("edition: "), result.stderr


def command_leaving_a_folder(tmp_path: Path, then: str) -> tuple[subprocess.Popen, Path]:
    """`cli.run` in a process of its own, whose `main` makes a temporary folder with a file in it,
    as WeasyPrint makes its copy of the faces (removed only when its font configuration is freed,
    which, the process ending at once, it never is), prints its path and then does `then`; and the
    process's temporary folder (`TMPDIR`)."""
    script = (
        "import pathlib, tempfile, time, edition.cli as cli\n"
        "def main():\n"
        "    folder = pathlib.Path(tempfile.mkdtemp(prefix='weasyprint-'))\n"
        "    (folder / 'face.ttf').write_bytes(b'a face')\n"
        "    print(folder, flush=True)\n"
        f"    {then}\n"
        "cli.main = main\n"
        "cli.run()\n"
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env), temporary


def test_what_the_command_leaves_in_the_temporary_folder_is_removed_as_it_ends(tmp_path: Path):
    """A temporary folder made during the command, and still there when it is done, is gone
    once the process has ended."""
    process, temporary = command_leaving_a_folder(tmp_path, "return 0")
    folder = Path(process.stdout.readline().strip())
    assert process.wait(60) == 0
    assert folder.is_relative_to(temporary)  # made where the command makes them
    assert not list(temporary.iterdir()), "left behind"


def test_a_command_stopped_by_kill_cleans_up_and_exits_143(tmp_path: Path):
    """SIGTERM, as from `kill`: the command ends through the code that cleans up (its temporary
    folder removed, as its workers are stopped), with 128 + 15."""
    process, temporary = command_leaving_a_folder(tmp_path, "time.sleep(60)")
    assert Path(process.stdout.readline().strip()).is_dir()
    process.terminate()
    assert process.wait(30) == 143
    assert not list(temporary.iterdir()), "left behind"
