"""`verify` of a BagIt package names every problem of a damaged one, and nothing else: in this
process (`archive.verify`, as `edition verify` calls it), so that the mutation score sees the
code it runs, and line for line. tests/keeping/test_verify_hostile.py holds the same damage to
the command's exit code and lines it must print; here the whole list is held: a problem
reported twice, under another kind, in another order, or one that is not there, fails."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from edition.errors import EditionError
from edition.keeping import archive, ocfl
from edition.keeping import bag as bagit_package
from tests.keeping.test_verify_hostile import DAMAGE, SHA256_OF_X, append, make_bag, replace_with_fifo, retag

# For each damage of test_verify_hostile.DAMAGE, every line `verify` gives, in order: the kinds
# in the order malformed, not a regular file, unreadable, missing, extra, inconsistent, altered;
# each kind sorted. A manifest with a malformed line is altered too; a file one manifest no
# longer lists (its line unreadable) is listed by the others only.
EVERY_LINE = {
    "intact": [],
    "a FIFO in place of a payload file": ["not a regular file: data/a.txt (a FIFO)"],
    "a FIFO in place of a manifest": ["not a regular file: manifest-sha256.txt (a FIFO)"],
    "a payload file symlinked to /etc/passwd": ["not a regular file: data/a.txt (a symlink)"],
    "a payload file symlinked to /dev/zero": ["not a regular file: data/a.txt (a symlink)"],
    "a payload folder symlinked to /etc": ["not a regular file: data/sub (a symlink)", "missing: data/sub/b.bin"],
    "a manifest with a flipped high bit": [
        "malformed: manifest-sha256.txt line 2: not UTF-8 text",
        "inconsistent: data/empty.txt is listed in manifest-sha512.txt but not in manifest-sha256.txt",
        "altered: manifest-sha256.txt",
    ],
    "bag-info.txt with a flipped high bit": [
        "malformed: bag-info.txt line 1: not UTF-8 text",
        "altered: bag-info.txt",
    ],
    "bagit.txt with a flipped high bit": [
        "malformed: bagit.txt line 1: not UTF-8 text",
        "malformed: bagit.txt: no BagIt-Version",
        "altered: bagit.txt",
    ],
    "a tag manifest with a flipped high bit": [
        "malformed: tagmanifest-sha512.txt line 2: not UTF-8 text",
        "inconsistent: bag-info.txt is listed in tagmanifest-sha256.txt but not in tagmanifest-sha512.txt",
        "altered: tagmanifest-sha512.txt",
    ],
    "a malformed manifest line": [
        "malformed: manifest-sha256.txt line 4: not '<checksum>  <path>'",
        "altered: manifest-sha256.txt",
    ],
    "a checksum too short": [
        "malformed: manifest-sha256.txt line 4: a sha256 checksum has 64 hex digits, not 3",
        "altered: manifest-sha256.txt",
    ],
    "a path out of the bag": [
        "malformed: manifest-sha256.txt line 4: '../../etc/passwd' is not a path inside the package",
        "altered: manifest-sha256.txt",
    ],
    "an absolute path": [
        "malformed: manifest-sha256.txt line 4: '/etc/passwd' is not a path inside the package",
        "altered: manifest-sha256.txt",
    ],
    "a payload path listed twice": [
        "malformed: manifest-sha256.txt line 4: 'data/a.txt' is listed again (first on line 1)",
        "altered: manifest-sha256.txt",
    ],
    "a file listed in one payload manifest only": [
        "inconsistent: data/new.txt is listed in manifest-sha256.txt but not in manifest-sha512.txt",
        "altered: manifest-sha512.txt",
    ],
    "a top-level extra folder": ["extra: extra-dir/f"],
    "an extra payload file": ["extra: data/sub/c.txt"],
    "an extra file whose name is not UTF-8": ["extra: data/\\udcff.txt"],
    "an extra file whose name holds a newline": ["extra: data/x\\ny"],
    "deleted tag manifests": ["missing: tagmanifest-sha256.txt", "missing: tagmanifest-sha512.txt"],
    "deleted payload manifests": [
        "missing: manifest-sha256.txt",
        "missing: manifest-sha512.txt",
        "extra: data/a.txt",
        "extra: data/empty.txt",
        "extra: data/sub/b.bin",
    ],
    "no bagit.txt": ["missing: bagit.txt"],
    "no data folder": ["missing: data/", "missing: data/a.txt", "missing: data/empty.txt", "missing: data/sub/b.bin"],
    "a payload file deleted": ["missing: data/sub/b.bin"],
    "a payload byte changed": ["altered: data/a.txt"],
}


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    """The small bag of test_verify_hostile.py, made anew for one test to damage."""
    return make_bag(tmp_path / "bag")


def test_every_damage_of_the_command_line_tests_has_its_lines_here():
    assert list(EVERY_LINE) == [name for name, *_ in DAMAGE]


@pytest.mark.parametrize(
    ("name", "damage"), [(name, damage) for name, damage, *_ in DAMAGE], ids=[n for n, *_ in DAMAGE]
)
def test_verify_gives_every_problem_of_the_damage_once_and_nothing_else(
    bag: Path, name: str, damage: Callable[[Path], None]
):
    damage(bag)
    assert archive.verify(bag) == EVERY_LINE[name]


def rewrite(bag: Path, name: str, text: str) -> None:
    """Write a tag file of the package anew, and the tag manifests to match: only the problem
    under test is left."""
    (bag / name).write_text(text)
    retag(bag)


# Tag files and manifests written otherwise than a careful packer writes them, and what verify
# says of each, every line.
TAG_FILES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    ("a byte-order mark before bagit.txt",
     lambda bag: (bag / "bagit.txt").write_bytes(b"\xef\xbb\xbf" + (bag / "bagit.txt").read_bytes()),
     ["malformed: bagit.txt line 1: starts with a byte-order mark", "altered: bagit.txt"]),
    ("a BagIt version no one wrote", lambda bag: rewrite(bag, "bagit.txt", "BagIt-Version: 2.0\n"
                                                         "Tag-File-Character-Encoding: UTF-8\n"),
     ["malformed: bagit.txt line 1: BagIt version '2.0' is not 0.97 or 1.0"]),
    ("version 0.97", lambda bag: rewrite(bag, "bagit.txt", "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"),
     []),
    ("tag files in Latin-1", lambda bag: rewrite(bag, "bagit.txt", "BagIt-Version: 1.0\n"
                                                 "Tag-File-Character-Encoding: ISO-8859-1\n"),
     ["malformed: bagit.txt line 2: tag file encoding 'ISO-8859-1' is not UTF-8"]),
    ("no encoding", lambda bag: rewrite(bag, "bagit.txt", "BagIt-Version: 1.0\n"),
     ["malformed: bagit.txt: no Tag-File-Character-Encoding"]),
    ("the version twice, and a line of something else",
     lambda bag: rewrite(bag, "bagit.txt", "BagIt-Version: 1.0\nBagIt-Version: 0.97\n"
                                           "Tag-File-Character-Encoding: UTF-8\nContact: someone\n"),
     ["malformed: bagit.txt line 2: not a BagIt version or tag file encoding",
      "malformed: bagit.txt line 4: not a BagIt version or tag file encoding"]),
    ("bag-info.txt opening with a continued value", lambda bag: rewrite(bag, "bag-info.txt", " continued\nA: b\n"),
     ["malformed: bag-info.txt line 1: not 'Label: value'"]),
    ("bag-info.txt with a continued value and a line that is no label",
     lambda bag: rewrite(bag, "bag-info.txt", "Source-Organization: a\n\tlong one\nno label here\n: empty label\n"),
     ["malformed: bag-info.txt line 3: not 'Label: value'", "malformed: bag-info.txt line 4: not 'Label: value'"]),
    ("a manifest of an algorithm there is no such thing as",
     lambda bag: (bag / "manifest-rot13.txt").write_text(f"{SHA256_OF_X}  data/a.txt\n"),
     ["malformed: manifest-rot13.txt: no such checksum algorithm as 'rot13'", "extra: manifest-rot13.txt"]),
    ("a payload manifest listing a tag file",
     lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  bagit.txt\n"), retag(bag)),
     ["malformed: manifest-sha256.txt line 4: 'bagit.txt' is not in the payload (data/)",
      "altered: manifest-sha256.txt"]),
    ("a payload manifest listing data itself",
     lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  data\n"), retag(bag)),
     ["malformed: manifest-sha256.txt line 4: 'data' is not in the payload (data/)", "altered: manifest-sha256.txt"]),
    ("a tag manifest listing a payload file",
     lambda bag: append(bag / "tagmanifest-sha256.txt", f"{SHA256_OF_X}  data/a.txt\n"),
     ["malformed: tagmanifest-sha256.txt line 5: 'data/a.txt' is in the payload (data/)",
      "altered: tagmanifest-sha256.txt"]),
    ("a tag manifest listing a tag manifest",
     lambda bag: append(bag / "tagmanifest-sha256.txt", f"{SHA256_OF_X}  tagmanifest-sha512.txt\n"),
     ["malformed: tagmanifest-sha256.txt line 5: a tag manifest lists 'tagmanifest-sha512.txt'",
      "altered: tagmanifest-sha256.txt"]),
    ("a path with an empty part", lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  data//a.txt\n"),
                                               retag(bag)),
     ["malformed: manifest-sha256.txt line 4: 'data//a.txt' is not a path inside the package",
      "altered: manifest-sha256.txt"]),
    ("a checksum in capitals, separated by a tab",
     lambda bag: rewrite(bag, "manifest-sha256.txt", (bag / "manifest-sha256.txt").read_text().upper()
                         .replace("  DATA/", "\tdata/").replace("SUB/B.BIN", "sub/b.bin").replace("A.TXT", "a.txt")
                         .replace("EMPTY.TXT", "empty.txt")),
     []),
    ("tag files no tag manifest lists: bag-info.txt, which need not be, and another",
     lambda bag: ((bag / "notes.txt").write_text("n"), *(
         (bag / name).write_text("".join(line + "\n" for line in (bag / name).read_text().splitlines()
                                         if not line.endswith(" bag-info.txt")))
         for name in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"))),
     ["extra: notes.txt"]),
    ("a payload manifest whose tag manifest is missing",
     lambda bag: (shutil.copy(bag / "manifest-sha256.txt", bag / "manifest-sha1.txt"),
                  (bag / "manifest-sha1.txt").write_text("".join(
                      f"{hashlib.sha1((bag / path).read_bytes()).hexdigest()}  {path}\n"
                      for path in ("data/a.txt", "data/empty.txt", "data/sub/b.bin")))),
     ["missing: tagmanifest-sha1.txt"]),
    ("a payload checksum wrong in one manifest only", lambda bag: rewrite(
        bag, "manifest-sha512.txt", (bag / "manifest-sha512.txt").read_text().replace(
            hashlib.sha512((bag / "data/a.txt").read_bytes()).hexdigest(), "0" * 128)),
     ["altered: manifest-sha512.txt"]),
    ("a tag file changed", lambda bag: append(bag / "bag-info.txt", "Contact: another\n"),
     ["altered: bag-info.txt"]),
    ("a version with a colon in it", lambda bag: rewrite(bag, "bagit.txt", "BagIt-Version: 1.0: x\n"
                                                                          "Tag-File-Character-Encoding: UTF-8\n"),
     ["malformed: bagit.txt line 1: BagIt version '1.0: x' is not 0.97 or 1.0"]),
    ("bag-info.txt opening with a label in capitals", lambda bag: rewrite(bag, "bag-info.txt", "X-Source: a\n"), []),
    ("a FIFO in place of bagit.txt", lambda bag: replace_with_fifo(bag / "bagit.txt"),
     ["not a regular file: bagit.txt (a FIFO)"]),
    ("the payload manifests gone but one, a FIFO",
     lambda bag: ((bag / "manifest-sha512.txt").unlink(), replace_with_fifo(bag / "manifest-sha256.txt")),
     ["not a regular file: manifest-sha256.txt (a FIFO)", "missing: manifest-sha512.txt",
      "extra: data/a.txt", "extra: data/empty.txt", "extra: data/sub/b.bin"]),
    ("a path through '.'", lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  data/./a.txt\n"),
                                        retag(bag)),
     ["malformed: manifest-sha256.txt line 4: 'data/./a.txt' is not a path inside the package",
      "altered: manifest-sha256.txt"]),
    ("a FIFO in place of a payload file and another file altered",
     lambda bag: (replace_with_fifo(bag / "data/a.txt"), (bag / "data/sub/b.bin").write_bytes(b"x")),
     ["not a regular file: data/a.txt (a FIFO)", "altered: data/sub/b.bin"]),
    ("two more manifests that lack a file, and no tag manifests of their own",
     lambda bag: [(bag / f"manifest-{algorithm}.txt").write_text("".join(
         f"{hashlib.new(algorithm, (bag / path).read_bytes()).hexdigest()}  {path}\n"
         for path in ("data/a.txt", "data/empty.txt"))) for algorithm in ("md5", "sha1")],
     ["missing: tagmanifest-md5.txt", "missing: tagmanifest-sha1.txt",
      "inconsistent: data/sub/b.bin is listed in manifest-sha256.txt, manifest-sha512.txt "
      "but not in manifest-md5.txt, manifest-sha1.txt",
      "altered: manifest-md5.txt", "altered: manifest-sha1.txt"]),
    ("a malformed line in one manifest, a file missing from the other",
     lambda bag: (append(bag / "manifest-sha512.txt", "garbage\n"),
                  rewrite(bag, "manifest-sha256.txt", "".join(
                      line + "\n" for line in (bag / "manifest-sha256.txt").read_text().splitlines()
                      if not line.endswith("data/empty.txt")))),
     ["malformed: manifest-sha512.txt line 4: not '<checksum>  <path>'",
      "inconsistent: data/empty.txt is listed in manifest-sha512.txt but not in manifest-sha256.txt",
      "altered: manifest-sha256.txt", "altered: manifest-sha512.txt"]),
    ("a file that is not there, listed in one manifest",
     lambda bag: (append(bag / "manifest-sha256.txt", f"{SHA256_OF_X}  data/ghost.txt\n"), retag(bag)),
     ["inconsistent: data/ghost.txt is listed in manifest-sha256.txt but not in manifest-sha512.txt",
      "altered: manifest-sha256.txt"]),
    ("a carriage return in a payload path, as bagit encodes it", lambda bag: (
        (bag / "data/x\ry").write_text("c"),
        append(bag / "manifest-sha256.txt", f"{hashlib.sha256(b'c').hexdigest()}  data/x%0Dy\n"),
        append(bag / "manifest-sha512.txt", f"{hashlib.sha512(b'c').hexdigest()}  data/x%0Dy\n"), retag(bag)),
     []),
    ("a newline in a payload path, as bagit encodes it", lambda bag: (
        (bag / "data/x\ny").write_text("c"),
        append(bag / "manifest-sha256.txt", f"{hashlib.sha256(b'c').hexdigest()}  data/x%0Ay\n"),
        append(bag / "manifest-sha512.txt", f"{hashlib.sha512(b'c').hexdigest()}  data/x%0Ay\n"), retag(bag)),
     []),
]  # fmt: skip


@pytest.mark.parametrize(("damage", "lines"), [row[1:] for row in TAG_FILES], ids=[row[0] for row in TAG_FILES])
def test_verify_reads_tag_files_and_manifests_as_the_bagit_specification_writes_them(
    bag: Path, damage: Callable[[Path], None], lines: list[str]
):
    damage(bag)
    assert archive.verify(bag) == lines


def test_a_package_a_folder_of_which_cannot_be_listed_names_it_unreadable(bag: Path, monkeypatch):
    """(As root, a folder without permissions can still be listed: the failure is made here.)"""
    real = os.scandir

    def scandir(path):
        if Path(path) == bag / "data/sub":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert archive.verify(bag) == ["unreadable: data/sub/ (Permission denied)", "missing: data/sub/b.bin"]


def test_a_tag_file_or_a_payload_file_that_cannot_be_read_is_named_unreadable(bag: Path, monkeypatch):
    """(As root, any file can be read: the failures are made here.)"""

    def refuses(path: str, flags: int) -> int:
        if path.endswith(("bagit.txt", "a.txt")):
            raise PermissionError(13, "Permission denied")
        return os.open(path, flags)

    monkeypatch.setattr(bagit_package, "regular_file_opener", refuses)
    (bag / "data/sub/b.bin").write_bytes(b"altered")
    assert archive.verify(bag) == [
        "unreadable: bagit.txt (Permission denied)",
        "unreadable: data/a.txt (Permission denied)",
        "altered: data/sub/b.bin",
    ]


class Entry:
    """A directory entry whose `stat` fails, as an entry removed while it is listed does."""

    def __init__(self, entry: os.DirEntry):
        self.name, self.path = entry.name, entry.path

    def stat(self, follow_symlinks: bool = True):
        raise FileNotFoundError(2, "No such file or directory")


def test_a_file_or_folder_that_cannot_be_looked_at_is_named_unreadable_and_the_rest_is_checked(bag: Path, monkeypatch):
    (bag / "extra-dir").mkdir()
    scandir = os.scandir

    class Listing:
        def __init__(self, path):
            if Path(path) in (bag / "data/sub", bag / "extra-dir"):
                raise PermissionError(13, "Permission denied")
            self.listing = scandir(path)

        def __enter__(self):
            return [Entry(e) if e.name in ("a.txt", "empty.txt") else e for e in self.listing.__enter__()]

        def __exit__(self, *exc):
            return self.listing.__exit__(*exc)

    monkeypatch.setattr(os, "scandir", Listing)
    assert archive.verify(bag) == [
        "unreadable: data/a.txt (No such file or directory)",
        "unreadable: data/empty.txt (No such file or directory)",
        "unreadable: data/sub/ (Permission denied)",
        "unreadable: extra-dir/ (Permission denied)",
        "missing: data/a.txt",
        "missing: data/empty.txt",
        "missing: data/sub/b.bin",
    ]


def test_the_reader_of_a_package_opens_neither_a_symlink_nor_a_fifo(bag: Path):
    """verify lists every file without following symlinks first; should one be swapped for a
    symlink or a FIFO after that, it is refused, not followed or waited on."""
    (bag / "link").symlink_to(bag / "bagit.txt")
    os.mkfifo(bag / "fifo")
    for name in ("link", "fifo"):
        with pytest.raises(OSError):
            bagit_package.read_regular(bag / name)
        with pytest.raises(OSError):
            bagit_package._checksums(bag / name, ["sha256"])
    data = (bag / "data/a.txt").read_bytes()
    assert bagit_package._checksums(bag / "data/a.txt", ["sha256", "md5"]) == {
        algorithm: hashlib.new(algorithm, data).hexdigest() for algorithm in ("sha256", "md5")
    }


def test_the_problems_are_printed_by_kind_in_order_each_kind_sorted():
    report = bagit_package.Report()
    for kind in ("altered", "inconsistent", "extra", "missing", "unreadable", "irregular", "malformed"):
        getattr(report, kind).update({f"{kind}-b", f"{kind}-a\n"})
    heads = ["malformed", "not a regular file", "unreadable", "missing", "extra", "inconsistent", "altered"]
    kinds = ["malformed", "irregular", "unreadable", "missing", "extra", "inconsistent", "altered"]
    assert report.lines() == [
        line for head, kind in zip(heads, kinds, strict=True) for line in (f"{head}: {kind}-a\\n", f"{head}: {kind}-b")
    ]


# `edition verify` of an OCFL object or storage root: archive.verify hands them to ocfl-py's validator.


def test_verify_of_an_intact_ocfl_object_and_of_its_storage_root_finds_nothing(tmp_path: Path):
    root = tmp_path / "root"
    path = kept_object(root, tmp_path)
    assert archive.verify(path) == []
    assert archive.verify(root) == []


def test_verify_of_a_storage_root_names_the_object_of_each_problem(tmp_path: Path):
    root = tmp_path / "root"
    path = kept_object(root, tmp_path)
    (path / "v1/content/a.txt").write_text("altered")
    problems = archive.verify(root)
    assert problems and all(line.startswith(f"{path.name}/: ") for line in problems)
    assert problems == [f"{path.name}/: {line}" for line in archive.verify(path)]


def test_verify_of_a_storage_root_without_objects_says_so(tmp_path: Path):
    root = tmp_path / "root"
    root.mkdir()
    ocfl.storage_root(root)
    assert archive.verify(root) == [f"missing: an OCFL object (the storage root {root} holds none)"]
    (root / ocfl.ROOT_DECLARATION).write_text("altered")
    assert archive.verify(root) == [
        ocfl.root_problem(root),
        f"missing: an OCFL object (the storage root {root} holds none)",
    ]


def kept_object(root: Path, tmp_path: Path) -> Path:
    """A storage root holding one OCFL object of one version, as `archive` adds one."""
    root.mkdir()
    ocfl.storage_root(root)
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.txt").write_text("Serge")
    staging = root / ".object.staging.part"
    staging.mkdir()
    info = ocfl.VersionInfo("2026-01-01T00:00:00Z", "the first version", "an editor")
    ocfl.add_version(root / "object", None, files, info, staging)
    staging.rmdir()
    return root / "object"


def test_main_verify_prints_each_problem_and_exits_1_or_0(bag: Path):
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        assert archive.main_verify(bag) == 0
    assert stderr.getvalue() == ""
    (bag / "data/a.txt").write_text("changed")
    (bag / "data/extra.txt").write_text("extra")
    with redirect_stderr(stderr):
        assert archive.main_verify(bag) == 1
    assert stderr.getvalue() == "extra: data/extra.txt\naltered: data/a.txt\n"


def test_main_verify_of_what_is_not_a_folder_is_an_error_naming_it(bag: Path):
    with pytest.raises(EditionError, match=f"^{bag / 'bagit.txt'} is not a folder$"):
        archive.main_verify(bag / "bagit.txt")
