"""A package that was damaged or tampered with, and a project that reaches outside itself: `verify`
and `archive` say what is wrong, in the exit code and one line per problem, and never hang,
traceback, or let anything from outside the project into what they keep.

Most cases work on a small bag made with the `bagit` library, as `archive --bag` makes its
packages; one real archive is made once, of the mini-edition laid with symlinks out of it, and
a small OCFL object stands in the way of others. (A damaged OCFL object: test_ocfl_hostile.py.)"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import bagit
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edition import cli
from edition.keeping import ocfl
from tests import command
from tests.conftest import ROOT
from tests.mini import STEM, make_mini

PACKAGE = STEM
# A verify or archive that does not come back in this time hangs: a FIFO opened, or quadratic work.
HANG = 120


def edition(*args: str, cwd: Path, timeout: float = HANG) -> subprocess.CompletedProcess:
    try:
        return command.run(*args, cwd=cwd, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"edition {' '.join(args)} did not finish in {timeout} s: it hangs")


def make_bag(where: Path) -> Path:
    """A small bag as `archive` makes them (bagit, sha256 and sha512), with a payload in a folder."""
    (where / "sub").mkdir(parents=True)
    (where / "a.txt").write_text("Serge’s critique of Stalinism\n")
    (where / "sub" / "b.bin").write_bytes(bytes(range(256)) * 4)
    (where / "empty.txt").write_bytes(b"")
    bagit.make_bag(str(where), {"Source-Organization": "test"}, checksums=["sha256", "sha512"])
    return where


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bag(tmp_path_factory.mktemp("template") / "bag")


@pytest.fixture
def bag(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "bag", symlinks=True)
    return tmp_path / "bag"


def retag(bag: Path) -> None:
    """Write the tag manifests again, as a careful tamperer would: only the damage under test is left."""
    for algorithm in ("sha256", "sha512"):
        names = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"]
        lines = [f"{hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()} {name}\n" for name in names]
        (bag / f"tagmanifest-{algorithm}.txt").write_text("".join(lines))


def flip_high_bit(path: Path, line: int = 1) -> None:
    """Flip the high bit of the first byte of a line: the line is no longer UTF-8."""
    data = bytearray(path.read_bytes())
    start = 0
    for _ in range(line - 1):
        start = data.index(b"\n", start) + 1
    data[start] ^= 0x80
    path.write_bytes(bytes(data))


def append(path: Path, text: str) -> None:
    with path.open("a") as stream:
        stream.write(text)


def replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def symlink_instead(path: Path, target: str) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    os.symlink(target, path)


SHA256_OF_X = hashlib.sha256(b"x").hexdigest()

# What is done to an intact bag, the exit code of `verify`, and lines its stderr must hold.
DAMAGE: list[tuple[str, Callable[[Path], None], int, list[str]]] = [
    ("intact", lambda bag: None, 0, []),
    ("a FIFO in place of a payload file", lambda bag: replace_with_fifo(bag / "data/a.txt"),
     1, ["not a regular file: data/a.txt (a FIFO)"]),
    ("a FIFO in place of a manifest", lambda bag: replace_with_fifo(bag / "manifest-sha256.txt"),
     1, ["not a regular file: manifest-sha256.txt (a FIFO)"]),
    ("a payload file symlinked to /etc/passwd", lambda bag: symlink_instead(bag / "data/a.txt", "/etc/passwd"),
     1, ["not a regular file: data/a.txt (a symlink)"]),
    ("a payload file symlinked to /dev/zero", lambda bag: symlink_instead(bag / "data/a.txt", "/dev/zero"),
     1, ["not a regular file: data/a.txt (a symlink)"]),
    ("a payload folder symlinked to /etc", lambda bag: symlink_instead(bag / "data/sub", "/etc"),
     1, ["not a regular file: data/sub (a symlink)", "missing: data/sub/b.bin"]),
    ("a manifest with a flipped high bit", lambda bag: flip_high_bit(bag / "manifest-sha256.txt", 2),
     1, ["malformed: manifest-sha256.txt line 2: not UTF-8 text", "altered: manifest-sha256.txt"]),
    ("bag-info.txt with a flipped high bit", lambda bag: flip_high_bit(bag / "bag-info.txt"),
     1, ["malformed: bag-info.txt line 1: not UTF-8 text", "altered: bag-info.txt"]),
    ("bagit.txt with a flipped high bit", lambda bag: flip_high_bit(bag / "bagit.txt"),
     1, ["malformed: bagit.txt line 1: not UTF-8 text", "malformed: bagit.txt: no BagIt-Version"]),
    ("a tag manifest with a flipped high bit", lambda bag: flip_high_bit(bag / "tagmanifest-sha512.txt", 2),
     1, ["altered: tagmanifest-sha512.txt"]),
    ("a malformed manifest line", lambda bag: (append(bag / "manifest-sha256.txt", "garbage\n"), retag(bag)),
     1, ["malformed: manifest-sha256.txt line 4: not '<checksum>  <path>'"]),
    ("a checksum too short", lambda bag: (append(bag / "manifest-sha256.txt", "abc  data/a.txt\n"), retag(bag)),
     1, ["malformed: manifest-sha256.txt line 4: a sha256 checksum has 64 hex digits, not 3"]),
    ("a path out of the bag", lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  ../../etc/passwd\n"),
                                           retag(bag)),
     1, ["malformed: manifest-sha256.txt line 4: '../../etc/passwd' is not a path inside the package"]),
    ("an absolute path", lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  /etc/passwd\n"), retag(bag)),
     1, ["malformed: manifest-sha256.txt line 4: '/etc/passwd' is not a path inside the package"]),
    ("a payload path listed twice", lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  data/a.txt\n"),
                                                 retag(bag)),
     1, ["malformed: manifest-sha256.txt line 4: 'data/a.txt' is listed again (first on line 1)"]),
    ("a file listed in one payload manifest only", lambda bag: (
        append(bag / "manifest-sha256.txt", f"{hashlib.sha256(b'').hexdigest()}  data/new.txt\n"),
        (bag / "data/new.txt").write_bytes(b""), retag(bag)),
     1, ["inconsistent: data/new.txt is listed in manifest-sha256.txt but not in manifest-sha512.txt",
         "altered: manifest-sha512.txt"]),
    ("a top-level extra folder", lambda bag: ((bag / "extra-dir").mkdir(), (bag / "extra-dir/f").write_text("f")),
     1, ["extra: extra-dir/f"]),
    ("an extra payload file", lambda bag: (bag / "data/sub/c.txt").write_text("c"), 1, ["extra: data/sub/c.txt"]),
    ("an extra file whose name is not UTF-8", lambda bag: (bag / os.fsdecode(b"data/\xff.txt")).write_text("c"),
     1, ["extra: data/\\udcff.txt"]),
    ("an extra file whose name holds a newline", lambda bag: (bag / "data/x\ny").write_text("c"),
     1, ["extra: data/x\\ny"]),
    ("deleted tag manifests", lambda bag: [(bag / f"tagmanifest-{a}.txt").unlink() for a in ("sha256", "sha512")],
     1, ["missing: tagmanifest-sha256.txt", "missing: tagmanifest-sha512.txt"]),
    ("deleted payload manifests", lambda bag: [(bag / f"manifest-{a}.txt").unlink() for a in ("sha256", "sha512")],
     1, ["missing: manifest-sha256.txt", "missing: manifest-sha512.txt"]),
    ("no bagit.txt", lambda bag: (bag / "bagit.txt").unlink(), 1, ["missing: bagit.txt"]),
    ("no data folder", lambda bag: shutil.rmtree(bag / "data"), 1, ["missing: data/", "missing: data/a.txt"]),
    ("a payload file deleted", lambda bag: (bag / "data/sub/b.bin").unlink(), 1, ["missing: data/sub/b.bin"]),
    ("a payload byte changed", lambda bag: (bag / "data/a.txt").write_text("Serge’s critique of Stalinism!"),
     1, ["altered: data/a.txt"]),
]  # fmt: skip


@pytest.mark.parametrize(("damage", "expected_exit", "expected_lines"), [row[1:] for row in DAMAGE],
                         ids=[row[0] for row in DAMAGE])  # fmt: skip
def test_verify_names_the_damage(
    bag: Path, damage: Callable[[Path], None], expected_exit: int, expected_lines: list[str]
):
    damage(bag)
    result = edition("verify", str(bag), cwd=bag.parent)
    assert result.returncode == expected_exit, result.stderr
    lines = result.stderr.splitlines()
    for line in expected_lines:
        assert line in lines
    assert "Traceback" not in result.stderr and all(line.count(":") >= 1 for line in lines)
    if expected_exit == 0:
        assert result.stderr == ""


def test_deleted_tag_manifests_are_missing_and_nothing_else(bag: Path):
    for algorithm in ("sha256", "sha512"):
        (bag / f"tagmanifest-{algorithm}.txt").unlink()
    result = edition("verify", str(bag), cwd=bag.parent)
    assert result.stderr.splitlines() == ["missing: tagmanifest-sha256.txt", "missing: tagmanifest-sha512.txt"]


def test_verify_of_what_is_not_a_folder_is_a_one_line_message(bag: Path):
    result = edition("verify", str(bag / "bagit.txt"), cwd=bag.parent)
    assert result.returncode == 2
    assert result.stderr == f"edition: {bag / 'bagit.txt'} is not a folder\n"


def test_verify_is_linear_in_the_number_of_entries(bag: Path):
    """100,000 entries listed and missing. Verify lists the package's files once into a set, reads
    each manifest once into a dict, and looks each entry up in both: linear, about 2 s for 100,000
    entries on a loaded two-core machine (printing 100,000 lines included). The quadratic lookups
    it had before took 57 s for 100,000 on the probe's machine, 131 s on a busy two-core one:
    beyond the 30 s allowed here."""
    count = 100_000
    for algorithm in ("sha256", "sha512"):
        checksum = hashlib.new(algorithm, b"x").hexdigest()
        append(bag / f"manifest-{algorithm}.txt", "".join(f"{checksum}  data/gone/{n:07d}\n" for n in range(count)))
    retag(bag)
    result = edition("verify", str(bag), cwd=bag.parent, timeout=30)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == count
    assert lines[0] == "missing: data/gone/0000000" and lines[-1] == f"missing: data/gone/{count - 1:07d}"


def _verify_in_process(bag: Path) -> tuple[int, str]:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = cli.main(["verify", str(bag)])
    return code, stderr.getvalue()


FILES = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt",
         "tagmanifest-sha512.txt", "data/a.txt", "data/sub/b.bin"]  # fmt: skip
mutation = st.tuples(
    st.sampled_from(FILES),
    st.floats(min_value=0, max_value=1, exclude_max=True),  # where in the file
    st.sampled_from(["xor", "insert", "delete", "truncate"]),
    st.integers(min_value=1, max_value=255),  # the mask, or the byte inserted
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_verify_of_randomly_damaged_bags_never_tracebacks_and_finds_every_change_a_manifest_covers(
    template: Path, mutations: list
):
    with tempfile.TemporaryDirectory() as folder:
        bag = Path(folder) / "bag"
        shutil.copytree(template, bag)
        for name, where, how, byte in mutations:
            data = bytearray((bag / name).read_bytes())
            at = int(where * len(data))
            if how == "xor" and data:
                data[at] ^= byte
            elif how == "insert":
                data.insert(at, byte)
            elif how == "delete" and data:
                del data[at]
            elif how == "truncate":
                del data[at:]
            (bag / name).write_bytes(bytes(data))
        # Every file but the tag manifests is in a tag manifest (bagit.txt, bag-info.txt, the
        # payload manifests) or a payload manifest: any change to one is damage to be found. A
        # change to a tag manifest alone may leave it saying the same (a line ending).
        covered_changed = any(
            (bag / name).read_bytes() != (template / name).read_bytes()
            for name in FILES
            if not name.startswith("tagmanifest-")
        )
        code, stderr = _verify_in_process(bag)
    assert code in (0, 1), stderr
    if covered_changed:
        assert code == 1, mutations
    if code == 0:
        assert stderr == ""


# `archive`: a project laid with symlinks out of it, and a package already in place that is damaged.


# In every file outside the project that a hostile case links to.
MARKER = "MARKER-8c1f-outside"


def checkout(where: Path) -> Path:
    """A clean checkout of the mini-edition."""
    return make_mini(where).root


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files outside any project, a secret among them, and a copy of a real font and essay."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.txt").write_text(f"root:x:0:0:{MARKER}\n")
    (folder / "folder").mkdir()
    (folder / "folder" / "secret.xml").write_text("<secret/>\n")
    # The files the hostile projects link to, each with the marker in it, where a refusal that
    # read them and showed or kept any of it would carry it.
    font = (ROOT / "styles/fonts/SourceSerifPro-It.ttf").read_bytes() + MARKER.encode()
    (folder / "font.ttf").write_bytes(font)
    (folder / "print.css").write_text(f"/* {MARKER} */\n" + (ROOT / "styles/print.css").read_text())
    (folder / "edition.xml").write_text(
        (ROOT / "source/edition.xml").read_text().replace("?>", f"?><!-- {MARKER} -->", 1)
    )
    return folder


@pytest.fixture(scope="module")
def archived_with_symlinks_around(tmp_path_factory: pytest.TempPathFactory, outside: Path) -> Path:
    """A project whose source/ and styles/ hold symlinks out of it, that the edition does not
    read, archived once: the OCFL object it makes."""
    project = checkout(tmp_path_factory.mktemp("symlinked"))
    os.symlink(outside / "secret.txt", project / "source/notes.xml")
    os.symlink(outside / "secret.txt", project / "styles/fonts/x.ttf")
    os.symlink(outside / "folder", project / "source/more")
    os.mkfifo(project / "styles/fonts/pipe.ttf")
    result = edition("archive", cwd=project, timeout=600)
    assert result.returncode == 0, result.stderr
    return project / "dist" / "archive" / "mini"


def test_archive_keeps_only_what_the_build_reads(archived_with_symlinks_around: Path):
    kept = archived_with_symlinks_around
    files = sorted(str(path.relative_to(kept)) for path in kept.rglob("*") if not path.is_dir())
    assert files == [
        "0=ocfl_object_1.1",
        "inventory.json",
        "inventory.json.sha512",
        "v1/content/build-record.json",
        f"v1/content/edition/{PACKAGE}.epub",
        f"v1/content/edition/{PACKAGE}.pdf",
        "v1/content/source/ames-2001.xml",
        "v1/content/source/brook-2002.xml",
        "v1/content/source/commentary.xml",
        "v1/content/source/edition.xml",
        "v1/content/source/further-reading.xml",
        "v1/content/source/register.xml",
        "v1/content/source/schema/edition.rng",
        "v1/content/styles/ereader.css",
        "v1/content/styles/fonts/OFL.txt",
        "v1/content/styles/fonts/SourceSerifPro-It.ttf",
        "v1/content/styles/fonts/SourceSerifPro-Regular.ttf",
        "v1/content/styles/fonts/SourceSerifPro-Semibold.ttf",
        "v1/content/styles/fonts/SourceSerifPro-SemiboldIt.ttf",
        "v1/content/styles/print.css",
        "v1/content/styles/shared.css",
        "v1/inventory.json",
        "v1/inventory.json.sha512",
    ]
    assert not any(path.is_symlink() for path in kept.parent.rglob("*"))
    assert MARKER.encode() not in b"".join(path.read_bytes() for path in kept.rglob("*") if path.is_file())
    assert edition("verify", str(kept), cwd=kept.parent).returncode == 0


def _symlink_out(project: Path, outside: Path, inside: str, target: str) -> None:
    (project / inside).unlink()
    os.symlink(outside / target, project / inside)


# What is done to a clean project, the exit code of `archive`, and what its one line says.
HOSTILE_PROJECTS: list[tuple[str, Callable[[Path, Path], None], int, str]] = [
    ("a font the print edition uses, symlinked out of the project",
     lambda project, outside: _symlink_out(project, outside, "styles/fonts/SourceSerifPro-It.ttf", "font.ttf"),
     2, "styles/fonts/SourceSerifPro-It.ttf: refused: it resolves to "),
    ("a stylesheet symlinked out of the project",
     lambda project, outside: _symlink_out(project, outside, "styles/print.css", "print.css"),
     2, "styles/print.css: refused: it resolves to "),
    ("the edition file symlinked out of the project",
     lambda project, outside: _symlink_out(project, outside, "source/edition.xml", "edition.xml"),
     2, "source/edition.xml: refused: it resolves to "),
    ("a font the print edition uses, a FIFO",
     lambda project, outside: replace_with_fifo(project / "styles/fonts/SourceSerifPro-Semibold.ttf"),
     2, "styles/fonts/SourceSerifPro-Semibold.ttf: refused: it is a FIFO, not a regular file"),
    ("the stylesheet of the EPUB, a folder",
     lambda project, outside: ((project / "styles/ereader.css").unlink(), (project / "styles/ereader.css").mkdir()),
     2, "styles/ereader.css: refused: it is a folder, not a regular file"),
    ("an object in place that is a file",
     lambda project, outside: _root_holding(project, lambda root: (root / "mini").write_text("not an object")),
     2, "dist/archive/mini exists and is not an OCFL object's folder; it was left as it is"),
    ("an archive folder that holds something else",
     lambda project, outside: ((project / "dist/archive").mkdir(parents=True),
                               (project / "dist/archive/notes.txt").write_text("mine")),
     2, "dist/archive is neither empty nor an OCFL storage root (it has no 0=ocfl_1.1; it holds notes.txt)"),
    ("a storage root whose declaration was altered",
     lambda project, outside: _root_holding(project, lambda root: (root / "0=ocfl_1.1").write_text("ocfl_1.0\n")),
     1, "/dist/archive is damaged (malformed: 0=ocfl_1.1: not 'ocfl_1.1'); it was left as it is"),
    ("an object in place with an altered file",
     lambda project, outside: _object_in_place(project, lambda o: (o / "v1/content/a.txt").write_text("altered")),
     1, "is damaged (altered: v1/content/a.txt); it was left as it is, and nothing was written"),
    ("an object in place with a FIFO",
     lambda project, outside: _object_in_place(project, lambda o: replace_with_fifo(o / "v1/content/a.txt")),
     1, "is damaged (not a regular file: v1/content/a.txt (a FIFO))"),
    ("an object in place whose inventory has a flipped high bit",
     lambda project, outside: _object_in_place(project, lambda o: flip_high_bit(o / "inventory.json")),
     1, "is damaged (malformed: inventory.json: not UTF-8 text)"),
]  # fmt: skip


def _root_holding(project: Path, lay: Callable[[Path], None]) -> None:
    """An OCFL storage root in dist/archive, with what `lay` puts there."""
    root = project / "dist" / "archive"
    root.mkdir(parents=True)
    ocfl.storage_root(root)
    lay(root)


def _object_in_place(project: Path, damage: Callable[[Path], None]) -> None:
    """A small object of one version in the storage root dist/archive, damaged by `damage`."""

    def lay(root: Path) -> None:
        files, staging = Path(tempfile.mkdtemp(dir=root.parent)), Path(tempfile.mkdtemp(dir=root.parent))
        (files / "a.txt").write_text("Serge’s critique of Stalinism\n")
        info = ocfl.VersionInfo("2026-01-15T00:00:00Z", "Version 1.0.0 (2026-01-15): First version.", "T")
        ocfl.add_version(root / "mini", None, files, info, staging)
        shutil.rmtree(files)
        shutil.rmtree(staging)
        damage(root / "mini")

    _root_holding(project, lay)


def _state(folder: Path) -> dict[str, tuple[str, bytes]]:
    """What a folder holds, without reading a FIFO or following a symlink."""
    state = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or path.is_fifo() or path.is_dir():
            state[str(path.relative_to(folder))] = ("other", b"")
        else:
            state[str(path.relative_to(folder))] = ("file", path.read_bytes())
    return state


@pytest.mark.parametrize(("lay", "expected_exit", "expected"), [row[1:] for row in HOSTILE_PROJECTS],
                         ids=[row[0] for row in HOSTILE_PROJECTS])  # fmt: skip
def test_archive_refuses_what_reaches_out_or_is_damaged_before_writing_anything(
    tmp_path: Path, outside: Path, lay: Callable[[Path, Path], None], expected_exit: int, expected: str
):
    project = checkout(tmp_path / "project")
    lay(project, outside)
    before = _state(project)
    result = edition("archive", cwd=project)
    assert result.returncode == expected_exit, result.stderr
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert MARKER not in result.stdout + result.stderr
    after = _state(project)
    assert not [name for name, state in after.items() if MARKER.encode() in state[-1]]  # nor in any file
    assert {name: state for name, state in after.items() if not name.endswith(".edition-build.lock")} == before
