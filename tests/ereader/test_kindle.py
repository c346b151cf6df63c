"""The Kindle edition (`--format azw3`), where Calibre's ebook-convert is installed (it is not on a
fresh machine: these tests skip there): converted from the built mini-edition's EPUB and read back.
Without Calibre, the build says in one line which package to install."""

from __future__ import annotations

import os
import shutil
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edition.ereader import kindle
from edition.ereader.kindle import azw3, page_list, read_apnx, read_azw3
from tests import command
from tests.mini import EDITION, EPUB

WHEN = datetime(2026, 12, 7, tzinfo=UTC)
CALIBRE = shutil.which("ebook-convert")
needs_calibre = pytest.mark.skipif(not CALIBRE, reason="Calibre's ebook-convert is not installed")


@pytest.fixture(scope="module")
def converted(mini_built: Path) -> tuple[bytes, bytes, bytes]:
    """The mini-edition's EPUB, and its AZW3 and APNX."""
    epub = (mini_built / "dist" / EPUB).read_bytes()
    return (epub, *azw3(epub, WHEN))


@needs_calibre
def test_the_asin_is_the_epubs_identifier_on_every_conversion(converted):
    epub, book, _ = converted
    again, _ = azw3(epub, WHEN)
    uid = kindle._identifier(epub)
    for made in (book, again):
        assert read_azw3(made).exth[113] == [uid.encode()]
        assert read_azw3(made).exth[112] == [f"calibre:{uid}".encode()]


@needs_calibre
def test_the_book_opens_at_the_first_essay(converted):
    _, book, _ = converted
    read = read_azw3(book)
    (start,) = struct.unpack(">I", read.exth[116][0])
    # The start offset is that of the first essay's file: its body, then the essay's section.
    assert read.text[start:].startswith(b"<body")
    assert f'<section id="{EDITION.essays[0].id}"'.encode() in read.text[start : start + 200]


@needs_calibre
def test_each_print_page_of_the_apnx_is_where_that_print_page_begins(converted):
    epub, book, sidecar = converted
    read = read_azw3(book)
    header, labels, offsets = read_apnx(sidecar)
    assert header["asin"] == kindle._identifier(epub)
    listed = page_list(epub)
    assert listed and set(listed) <= set(labels)
    assert labels[: len(labels)] == sorted(labels, key=labels.index)
    for label, offset in zip(labels, offsets, strict=True):
        if label in listed:
            tag = read.text[offset : read.text.index(b">", offset)]  # the page's marker, from its "<"
            assert tag.startswith(b"<span ") and f'id="page-{label}"'.encode() in tag, label
        else:  # a blank page, which the EPUB does not list: where the next page begins
            after = labels[labels.index(label) + 1 :]
            assert offset == offsets[labels.index(next(p for p in after if p in listed))], label


def test_without_calibre_the_build_says_which_package_to_install(mini_copy, tmp_path: Path):
    """No ebook-convert on the PATH: one line naming Debian's calibre, exit 2, no AZW3, and the
    outputs already built left as they were."""
    before = {path.name: path.read_bytes() for path in (mini_copy.root / "dist").iterdir() if path.is_file()}
    done = command.run("build", "--format", "azw3", cwd=mini_copy.root, env={**os.environ, "PATH": str(tmp_path)})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"edition: {kindle.MISSING}"]
    assert "calibre" in kindle.MISSING and "Debian" in kindle.MISSING
    after = {path.name: path.read_bytes() for path in (mini_copy.root / "dist").iterdir() if path.is_file()}
    assert after == before
