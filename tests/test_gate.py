"""The gate, function by function, on files made here: what it lets in (the file, its bytes,
its resolved path), what it refuses and the exact line it says, where it lets outputs be written,
and what it removes of a killed run. (The commands' refusals of hostile projects:
tests/test_inputs_hostile.py.)"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from pathlib import Path

import pytest

from edition import gate
from edition.errors import EditionError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project folder holding a file of 10 bytes, with a file outside it beside."""
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "ten.txt").write_bytes(b"0123456789")
    (tmp_path / "outside.txt").write_text("TOP-SECRET")
    return tmp_path / "project"


def refusal(call, *args) -> str:
    with pytest.raises(EditionError) as raised:
        call(*args)
    return str(raised.value)


# Reading a project's files.


def test_a_file_inside_the_project_comes_back_resolved_and_its_bytes_whole(root: Path, monkeypatch):
    (root / "sub").mkdir()
    (root / "sub" / "link").symlink_to(root / "ten.txt")
    assert gate.inside_project(root / "sub" / "link", root) == root / "ten.txt"
    assert gate.inside_project(root / "ten.txt", root, limit=10) == root / "ten.txt"
    assert gate.read_inside(root / "sub" / "link", root, 10, "a text") == b"0123456789"
    monkeypatch.chdir(root)  # a relative path is the project's
    assert gate.read_inside(Path("ten.txt"), root, 10, "a text") == b"0123456789"


def test_a_file_one_byte_over_its_limit_is_refused_with_its_size_and_the_limit(root: Path):
    (root / "big.txt").write_bytes(b"x" * 1001)
    message = "big.txt: refused: it has 1,001 bytes; a text may have at most 1,000 (the README says why)"
    assert refusal(gate.inside_project, root / "big.txt", root, 1000, "a text") == message
    assert gate.read_inside(root / "big.txt", root, 1001, "a text") == b"x" * 1001
    assert refusal(gate.inside_project, root / "big.txt", root, 10) == (
        "big.txt: refused: it has 1,001 bytes; a file may have at most 10 (the README says why)"
    )
    # Its size is told, not how far the reader would have read.
    assert refusal(gate.read_inside, root / "big.txt", root, 10, "a text") == (
        "big.txt: refused: it has 1,001 bytes; a text may have at most 10 (the README says why)"
    )


def test_each_refusal_names_the_path_in_the_project_and_why(root: Path):
    (root / "out").symlink_to(root.parent / "outside.txt")
    (root / "nothing").symlink_to(root / "gone")
    (root / "loop").symlink_to(root / "loop")
    (root / "folder").mkdir()
    os.mkfifo(root / "fifo")
    outside = root.parent.resolve() / "outside.txt"
    assert refusal(gate.inside_project, root / "out", root) == (
        f"out: refused: it resolves to {outside}, outside the project; only the project's own files are read"
    )
    assert refusal(gate.inside_project, root / ".." / "outside.txt", root) == (
        f"{root / '..' / 'outside.txt'}: refused: it resolves to {outside}, outside the project; "
        "only the project's own files are read"
    )
    assert refusal(gate.inside_project, root / "nothing", root) == "nothing: file not found (or a symlink to nothing)"
    assert refusal(gate.inside_project, root / "loop", root) == "loop: refused: it is a loop of symlinks"
    assert refusal(gate.inside_project, root / "folder", root) == "folder: refused: it is a folder, not a regular file"
    assert refusal(gate.inside_project, root / "fifo", root) == "fifo: refused: it is a FIFO, not a regular file"
    assert refusal(gate.inside_project, Path("/dev/null"), root) == (
        "/dev/null: refused: it resolves to /dev/null, outside the project; only the project's own files are read"
    )


def test_a_device_and_a_socket_are_named_as_such(root: Path):
    for status, kind in [(os.stat("/dev/null"), "a character device")]:
        assert refusal(gate._check_file, "x", status, None, "a file") == f"x: refused: it is {kind}, not a regular file"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(root / "socket"))
        assert refusal(gate.inside_project, root / "socket", root) == (
            "socket: refused: it is a socket, not a regular file"
        )


def test_a_loop_reported_by_the_system_and_another_error_are_one_line_each(root: Path, monkeypatch):
    real = Path.stat

    def fails(code: int):
        def stat(self, **kwargs):
            if self.name == "ten.txt":
                raise OSError(code, os.strerror(code))
            return real(self, **kwargs)

        return stat

    monkeypatch.setattr(Path, "stat", fails(errno.ELOOP))
    assert refusal(gate.inside_project, root / "ten.txt", root) == "ten.txt: refused: it is a loop of symlinks"
    monkeypatch.setattr(Path, "stat", fails(errno.EACCES))
    assert refusal(gate.inside_project, root / "ten.txt", root) == "ten.txt: cannot be read: Permission denied"


def test_a_file_that_grows_past_its_limit_after_it_was_looked_at_is_refused(root: Path):
    (root / "growing.txt").write_bytes(b"x" * 20)
    assert refusal(gate._read_bounded, root / "growing.txt", "growing.txt", 10, "a text") == (
        "growing.txt: refused: it has 11 bytes; a text may have at most 10 (the README says why)"
    )
    assert gate._read_bounded(root / "growing.txt", "growing.txt", 20, "a text") == b"x" * 20


def test_the_reader_opens_neither_a_symlink_nor_a_fifo(root: Path):
    (root / "link").symlink_to(root / "ten.txt")
    os.mkfifo(root / "fifo")
    assert refusal(gate._read_bounded, root / "link", "link", 100, "a text").startswith("link: cannot be read: ")
    assert (
        refusal(gate._read_bounded, root / "fifo", "fifo", 100, "a text") == "fifo: cannot be read: not a regular file"
    )
    with pytest.raises(OSError) as raised:  # as os.open fails: an errno, and the file named
        gate.regular_file_opener(str(root / "fifo"), os.O_RDONLY)
    assert (raised.value.errno, raised.value.filename) == (errno.EINVAL, str(root / "fifo"))
    descriptor = gate.regular_file_opener(str(root / "ten.txt"), os.O_RDONLY)
    try:
        assert os.read(descriptor, 100) == b"0123456789"
    finally:
        os.close(descriptor)


def test_a_file_named_outside_the_project_is_read_only_if_it_is_a_regular_file_itself(root: Path):
    outside = root.parent / "outside.txt"
    (root.parent / "link.toml").symlink_to(outside)
    os.mkfifo(root.parent / "fifo")
    assert gate.read_named(outside, root, 100, "a profile") == b"TOP-SECRET"
    assert refusal(gate.read_named, root.parent / "link.toml", root, 100, "a profile") == (
        f"{root.parent / 'link.toml'}: refused: it is a symlink; outside the project only a regular file is read, "
        "so name the file it leads to"
    )
    assert refusal(gate.read_named, root.parent / "fifo", root, 100, "a profile") == (
        f"{root.parent / 'fifo'}: refused: it is a FIFO, not a regular file"
    )
    assert refusal(gate.read_named, root.parent / "gone", root, 100, "a profile") == (
        f"{root.parent / 'gone'}: file not found"
    )
    assert refusal(gate.read_named, outside, root, 5, "a profile") == (
        f"{outside}: refused: it has 10 bytes; a profile may have at most 5 (the README says why)"
    )
    assert refusal(gate.read_named, outside / "under", root, 100, "a profile") == (
        f"{outside / 'under'}: cannot be read: Not a directory"
    )


def test_a_file_that_cannot_be_read_or_grew_is_refused_by_its_name_and_what_it_is(root: Path, monkeypatch):
    outside = root.parent / "outside.txt"

    def unreadable(path, flags):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(gate, "regular_file_opener", unreadable)
    assert refusal(gate.read_named, outside, root, 100, "a profile") == f"{outside}: cannot be read: Permission denied"
    assert (
        refusal(gate.read_inside, root / "ten.txt", root, 100, "a text") == "ten.txt: cannot be read: Permission denied"
    )
    monkeypatch.undo()
    monkeypatch.setattr(gate, "_check_file", lambda *args: None)  # as if it grew after it was looked at
    assert refusal(gate.read_named, outside, root, 5, "a profile") == (
        f"{outside}: refused: it has 6 bytes; a profile may have at most 5 (the README says why)"
    )
    assert refusal(gate.read_inside, root / "ten.txt", root, 5, "a text") == (
        "ten.txt: refused: it has 6 bytes; a text may have at most 5 (the README says why)"
    )


def test_a_file_named_inside_the_project_is_read_as_the_projects_own(root: Path):
    (root / "link.toml").symlink_to(root.parent / "outside.txt")
    assert gate.read_named(root / "ten.txt", root, 10, "a profile") == b"0123456789"
    assert refusal(gate.read_named, root / "ten.txt", root, 9, "a profile") == (
        "ten.txt: refused: it has 10 bytes; a profile may have at most 9 (the README says why)"
    )
    assert "refused: it resolves to" in refusal(gate.read_named, root / "link.toml", root, 100, "a profile")
    # Inside the project once its own path's symlinks are resolved, too.
    (root.parent / "alias").symlink_to(root)
    assert "refused: it resolves to" in refusal(gate.read_named, root / "link.toml", root.parent / "alias", 100, "x")


def test_a_path_is_shown_in_the_project_and_on_one_line(root: Path, monkeypatch):
    assert gate._shown(root / "a" / ".." / "b.xml", root) == "b.xml"
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")
    assert gate._shown(Path("../ten.txt"), root) == "ten.txt"
    assert gate.printable("C:\\a 'b' \"c\"") == "C:\\a 'b' \"c\""  # printable as it is, backslash and quotes
    assert gate._shown(Path("/elsewhere/x\n.xml"), root) == "/elsewhere/x\\n.xml"
    assert gate.printable("a\tb\x1bc\udcffd é") == "a\\tb\\x1bc\\udcffd é"


# Writing the outputs.


def test_an_output_folder_inside_the_project_must_stay_inside_it(root: Path):
    (root / "dist").mkdir()
    (root / "away").symlink_to(root.parent)
    assert gate.output_folder(root / "dist", root) == root / "dist"
    assert gate.output_folder(root / "dist" / "new", root) == root / "dist" / "new"
    assert gate.output_folder(root.parent / "mine", root) == root.parent / "mine"  # named outside: the user's
    assert refusal(gate.output_folder, root / "away" / "dist", root) == (
        f"away/dist: refused: it resolves to {root.parent.resolve() / 'dist'}, outside the project; "
        "outputs are written inside the project, or into a folder named outside it"
    )


def test_an_output_folder_is_inside_the_project_also_when_the_project_is_named_through_a_symlink(root: Path):
    (root / "away").symlink_to(root.parent)
    (root.parent / "alias").symlink_to(root)
    assert refusal(gate.output_folder, root / "away" / "dist", root.parent / "alias") == (
        f"away/dist: refused: it resolves to {root.parent.resolve() / 'dist'}, outside the project; "
        "outputs are written inside the project, or into a folder named outside it"
    )


@pytest.mark.parametrize("name", ["", ".", "..", ".hidden.pdf", "a/b.pdf", "a\0.pdf", "é" * 121])
def test_an_output_name_that_is_not_one_plain_file_name_is_refused(tmp_path: Path, name: str):
    assert refusal(gate.output_file, tmp_path, name) == (
        f"refused to write {gate.printable(repr(name))}: an output is written in its folder {tmp_path}, "
        "under one plain file name"
    )


def test_an_output_name_of_up_to_240_bytes_is_written_in_its_folder(tmp_path: Path):
    for name in ("a.pdf", "x" * 240, "é" * 120, "a..b.pdf"):
        assert gate.output_file(tmp_path, name) == tmp_path / name


def test_a_file_written_atomically_is_whole_readable_by_all_and_leaves_nothing_beside(tmp_path: Path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    gate.write_atomically(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    assert target.stat().st_mode & 0o777 == 0o644
    assert os.listdir(tmp_path) == ["out.pdf"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def fails(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", fails)
    assert refusal(gate.write_atomically, target, b"new") == f"cannot write {target}: No space left on device"
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.pdf"]
    monkeypatch.undo()
    assert refusal(gate.write_atomically, tmp_path / "no" / "out.pdf", b"new") == (
        f"cannot write {tmp_path / 'no' / 'out.pdf'}: No such file or directory"
    )


def test_a_write_killed_midway_leaves_a_temporary_beside_its_target_that_the_next_run_removes(tmp_path, monkeypatch):
    left: list[str] = []

    def killed(descriptor):  # what is in the folder while the data is being made durable
        left.extend(os.listdir(tmp_path))

    monkeypatch.setattr(os, "fsync", killed)
    gate.write_atomically(tmp_path / "out.pdf", b"new")
    assert len(left) == 1 and gate.TEMPORARY.fullmatch(left[0])["name"] == "out.pdf"
    (tmp_path / left[0]).write_bytes(b"half")
    assert gate.remove_stale_temporaries(tmp_path) == left


def test_an_interrupted_write_removes_its_temporary(tmp_path: Path, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        gate.write_atomically(tmp_path / "out.pdf", b"new")
    assert os.listdir(tmp_path) == []


def test_one_writer_at_a_time_and_what_a_killed_one_left_is_removed(tmp_path: Path):
    (tmp_path / ".serge-0.1.0.pdf.abcd1234.part").write_bytes(b"half")
    with gate.writing_to(tmp_path, "busy"):
        assert sorted(os.listdir(tmp_path)) == [gate.LOCK_FILE]
        descriptor = os.open(tmp_path / gate.LOCK_FILE, os.O_RDWR)
        try:  # the lock is held, by an open file of its own
            with pytest.raises(BlockingIOError):
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            assert refusal(lambda: gate.writing_to(tmp_path, "another build is writing").__enter__()) == (
                "another build is writing"
            )
        finally:
            os.close(descriptor)
    descriptor = os.open(tmp_path / gate.LOCK_FILE, os.O_RDWR)
    try:  # and released when the body is done
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(descriptor)


def test_a_folder_that_cannot_hold_the_lock_is_one_line(tmp_path: Path):
    assert refusal(lambda: gate.writing_to(tmp_path / "missing", "busy").__enter__()) == (
        f"cannot write to the output folder {tmp_path / 'missing'}: No such file or directory"
    )


def test_only_our_temporaries_are_removed_and_staging_folders_only_when_asked(tmp_path: Path):
    ours = [".serge-0.1.0.pdf.abcd1234.part", ".serge-0.1.0-x.epub.a_b_c_d_.part", "..edition-build.json.zzzz9999.part"]
    theirs = [".notes.txt.abcd1234.part", ".serge.pdf.ABCD1234.part", ".serge.pdf.abc.part", "serge.pdf.abcd1234.part",
              ".serge.pdf.abcd1234.part.bak", "serge-0.1.0.pdf"]  # fmt: skip
    for name in ours + theirs:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / ".link.pdf.abcd1234.part").symlink_to(tmp_path / "serge-0.1.0.pdf")
    (tmp_path / ".serge-0.1.0.abcd1234.part").mkdir()
    (tmp_path / ".serge-0.1.0.abcd1234.part" / "bagit.txt").write_text("x")
    assert sorted(gate.remove_stale_temporaries(tmp_path)) == sorted(ours)
    assert sorted(os.listdir(tmp_path)) == sorted([*theirs, ".link.pdf.abcd1234.part", ".serge-0.1.0.abcd1234.part"])
    assert gate.remove_stale_temporaries(tmp_path, staging=True) == [".serge-0.1.0.abcd1234.part"]
    assert (tmp_path / "serge-0.1.0.pdf").exists() and (tmp_path / ".link.pdf.abcd1234.part").is_symlink()


def test_a_temporary_that_cannot_be_removed_is_left_unnamed_and_the_others_are_removed(tmp_path: Path, monkeypatch):
    names = [f".serge.pdf.abcd123{n}.part" for n in range(3)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    unlink, failed = os.unlink, []

    def fails_once(path):
        if not failed:
            failed.append(os.path.basename(path))
            raise PermissionError(errno.EPERM, "not permitted")
        unlink(path)

    monkeypatch.setattr(os, "unlink", fails_once)
    removed = gate.remove_stale_temporaries(tmp_path)
    assert sorted(removed + failed) == names and len(removed) == 2 and os.listdir(tmp_path) == failed
