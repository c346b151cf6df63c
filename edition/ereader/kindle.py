"""The Kindle edition: the EPUB converted to AZW3 by Calibre's `ebook-convert`, where it is
installed, with a stable ASIN, a start-reading location and the print pages as an APNX sidecar.

What Calibre does not do, this module does around it, as Standard Ebooks' `se build --kindle`
does with its own copy of Calibre:
- Calibre gives every conversion a new random uuid as the book's ASIN (EXTH 113, and 112 as
  "calibre:<uuid>"), so a corrected version would arrive on a Kindle as another book, and the
  student's highlights and position stay with the old one. The AZW3 is given the EPUB's own uuid
  (`asin`) in its place: a value of the same length, written over the other, which moves no
  offset in the file.
- A KF8 book opens where its guide's "text" reference points: the EPUB (EPUB 3, no guide) is
  handed to Calibre with one, at the first essay (the navigation's bodymatter landmark).
- KF8 has no page list: a Kindle reads page numbers from an APNX file beside the book. Each print
  page's marker (`id="page-<label>"`) is found in the AZW3's text, and the APNX gives every page
  from the first listed to the last its offset there (a blank page, which the EPUB does not list,
  the offset of the page after it), numbered as print numbers them: roman, then arabic.
- The authors' notes already begin with their backlink, which Kindle's pop-up heuristic needs.

`ebook-convert` is a program this module names, and it is given only files this module wrote,
in a folder of its own, with options written here: nothing from the project reaches its command
line. Hands `azw3` the EPUB's bytes and gets the AZW3's and the APNX's back; `read_azw3` reads
an AZW3's text and EXTH records back (the tests use it too).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree

from ..errors import EditionError
from ..html import NAVIGATION
from ..sources.model import roman
from .epub import EPUB_TYPE, OPF, OPF_NS, XHTML_NS, spine_documents

CONVERTER = "ebook-convert"
MISSING = "the AZW3 is made by Calibre's ebook-convert, which is not installed: install the Debian package calibre"
# Calibre's AZW3 output, written as a Kindle reads it: no table of contents of Calibre's own (the
# EPUB's navigation document is in the book, and the guide would point at Calibre's page at the end).
OPTIONS = ["--output-profile=kindle_pw3", "--no-inline-toc"]
ASIN, SOURCE, START = 113, 112, 116  # EXTH records: the ASIN, Calibre's source, the start-reading offset
ROMAN = re.compile(r"^[ivxlcdm]+$")


@dataclass(frozen=True)
class Azw3Book:
    """An AZW3 read back: its EXTH records (code → values) and its text, as the APNX counts it."""

    exth: dict[int, list[bytes]]
    text: bytes


def azw3(epub: bytes, when: datetime) -> tuple[bytes, bytes]:
    """The Kindle edition of the EPUB `epub` and its APNX sidecar, whose pages are those of the
    EPUB's page list."""
    converter = shutil.which(CONVERTER)
    if not converter:
        raise EditionError(MISSING)
    uid = _identifier(epub)
    with tempfile.TemporaryDirectory(prefix="edition-kindle-") as folder:
        source, target = Path(folder) / "book.epub", Path(folder) / "book.azw3"
        source.write_bytes(kindle_epub(epub))
        done = subprocess.run(
            [converter, str(source), str(target), *OPTIONS],
            capture_output=True,
            text=True,
            cwd=folder,
            # Calibre's settings from a folder of its own, none of the user's.
            env={"PATH": "/usr/bin:/bin", "HOME": folder, "CALIBRE_CONFIG_DIRECTORY": folder, "LANG": "C.UTF-8"},
        )
        if done.returncode != 0 or not target.is_file():
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
            raise EditionError(f"Calibre's ebook-convert could not make the AZW3: {last[0]}")
        book = with_asin(target.read_bytes(), uid, when)
    return book, apnx(read_azw3(book), uid, page_list(epub))


def _identifier(epub: bytes) -> str:
    """The EPUB's uuid (its identifier without "urn:uuid:"): 36 characters, as Calibre's are."""
    opf = etree.fromstring(zipfile.ZipFile(io.BytesIO(epub)).read(OPF))
    return opf.findtext("opf:metadata/dc:identifier", namespaces=OPF_NS).removeprefix("urn:uuid:")


def _navigation(epub: bytes) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(epub)).read(f"EPUB/{NAVIGATION}"))


def page_list(epub: bytes) -> list[str]:
    """The labels of the EPUB's page list, in order."""
    navs = _navigation(epub).iter(f"{{{XHTML_NS}}}nav")
    listed = next((nav for nav in navs if nav.get(EPUB_TYPE) == "page-list"), None)
    return [] if listed is None else ["".join(a.itertext()) for a in listed.iter(f"{{{XHTML_NS}}}a")]


def kindle_epub(epub: bytes) -> bytes:
    """The EPUB with a guide whose "text" reference is the first essay (the bodymatter landmark,
    else the first document after the navigation), for Calibre to read."""
    package = zipfile.ZipFile(io.BytesIO(epub))
    landmarks = [a.get("href") for a in _navigation(epub).iter(f"{{{XHTML_NS}}}a") if a.get(EPUB_TYPE) == "bodymatter"]
    start = landmarks[0] if landmarks else spine_documents(epub, navigation=False)[0].removeprefix("EPUB/")
    opf = etree.fromstring(package.read(OPF))
    guide = etree.SubElement(opf, f"{{{OPF_NS['opf']}}}guide")
    etree.SubElement(guide, f"{{{OPF_NS['opf']}}}reference", {"type": "text", "title": "Start", "href": start})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in package.infolist():
            data = etree.tostring(opf, xml_declaration=True, encoding="utf-8") if info.filename == OPF else None
            target.writestr(info, data if data is not None else package.read(info.filename))
    return out.getvalue()


def _records(book: bytes) -> list[tuple[int, int]]:
    """The PalmDB records of a MOBI file: (start, end) of each."""
    count = struct.unpack_from(">H", book, 76)[0]
    starts = [struct.unpack_from(">I", book, 78 + 8 * index)[0] for index in range(count)]
    return list(zip(starts, [*starts[1:], len(book)], strict=True))


def _exth(book: bytes) -> tuple[int, dict[int, list[tuple[int, bytes]]]]:
    """Where record 0's EXTH block is, and its records: code → [(offset of the value, value)]."""
    start, _ = _records(book)[0]
    header_length = struct.unpack_from(">I", book, start + 20)[0]
    exth = start + 16 + header_length
    if book[exth : exth + 4] != b"EXTH":
        raise EditionError("the AZW3 Calibre wrote has no EXTH header")
    count = struct.unpack_from(">I", book, exth + 8)[0]
    records: dict[int, list[tuple[int, bytes]]] = {}
    at = exth + 12
    for _ in range(count):
        code, size = struct.unpack_from(">II", book, at)
        records.setdefault(code, []).append((at + 8, book[at + 8 : at + size]))
        at += size
    return exth, records


def with_asin(book: bytes, uid: str, when: datetime) -> bytes:
    """The AZW3 with `uid` as its ASIN (EXTH 113) and Calibre's source (112), in place of the
    random uuid Calibre wrote, of the same length; its PalmDB dates (created, modified) `when`,
    and its MOBI header's unique id the first four bytes of `uid`, in place of the clock's time
    and a random number. (Calibre 6.13 still writes the stylesheets' flows in an order that
    changes from run to run: the AZW3 is the one output whose bytes a build does not fix.)"""
    out = bytearray(book)
    struct.pack_into(">II", out, 36, int(when.timestamp()), int(when.timestamp()))
    start, _ = _records(book)[0]
    out[start + 32 : start + 36] = bytes.fromhex(uid.replace("-", "")[:8])
    _, records = _exth(book)
    for code, value in [(ASIN, uid.encode()), (SOURCE, b"calibre:" + uid.encode())]:
        for offset, old in records.get(code, []):
            if len(old) != len(value):
                raise EditionError(f"the AZW3's EXTH record {code} is not a uuid as Calibre writes it")
            out[offset : offset + len(value)] = value
    return bytes(out)


def read_azw3(book: bytes) -> Azw3Book:
    """The text of an AZW3 (its text records, decompressed) and its EXTH records."""
    records = _records(book)
    start, _ = records[0]
    compression = struct.unpack_from(">H", book, start)[0]
    text_records = struct.unpack_from(">H", book, start + 8)[0]
    header_length = struct.unpack_from(">I", book, start + 20)[0]
    flags = struct.unpack_from(">H", book, start + 0xF2)[0] if header_length >= 0xE4 else 0
    text = bytearray()
    for begin, end in records[1 : 1 + text_records]:
        data = book[begin:end]
        data = data[: len(data) - _trailing(data, flags)]
        text += _palmdoc(data) if compression == 2 else data
    _, exth = _exth(book)
    return Azw3Book({code: [value for _, value in values] for code, values in exth.items()}, bytes(text))


def _trailing(data: bytes, flags: int) -> int:
    """How many bytes of trailing entries end a text record (the MOBI header's extra data flags):
    one entry for each flag above the lowest, each ending in its size, a number written backwards
    7 bits a byte; then, with the lowest flag, the multibyte characters cut at the record's end."""
    size = 0
    for bit in range(1, 16):
        if flags & (1 << bit):
            entry = shift = 0
            for byte in reversed(data[: len(data) - size]):
                entry |= (byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 or shift >= 28:
                    break
            size += entry
    if flags & 1:
        size += (data[len(data) - size - 1] & 0x3) + 1
    return size


def _palmdoc(data: bytes) -> bytes:
    """PalmDoc's LZ77, decompressed."""
    out = bytearray()
    at = 0
    while at < len(data):
        byte = data[at]
        at += 1
        if 1 <= byte <= 8:
            out += data[at : at + byte]
            at += byte
        elif byte < 0x80:
            out.append(byte)
        elif byte >= 0xC0:
            out += bytes((0x20, byte ^ 0x80))
        else:
            pair = (byte << 8) | data[at]
            at += 1
            distance, length = (pair >> 3) & 0x7FF, (pair & 7) + 3
            for _ in range(length):
                out.append(out[-distance])
    return bytes(out)


def page_offsets(text: bytes, labels: list[str]) -> dict[str, int]:
    """Where each print page's marker stands in an AZW3's text: the offset of its tag."""
    offsets = {}
    for label in labels:
        found = re.search(rb'<[^<>]*\bid="page-' + re.escape(label.encode()) + rb'"', text)
        if found is None:
            raise EditionError(f"the AZW3 has lost the marker of print page {label}")
        offsets[label] = found.start()
    return offsets


def apnx(book: Azw3Book, uid: str, labels: list[str]) -> bytes:
    """The APNX sidecar: every page from the first listed roman page to the last arabic one, each
    at its marker's offset (a page not listed, a blank one, at the offset of the page after it)."""
    offsets = page_offsets(book.text, labels)
    romans = [label for label in labels if ROMAN.match(label)]
    arabic = [int(label) for label in labels if label.isdigit()]
    pages: list[str] = []
    groups: list[str] = []
    if romans:
        first, last = _roman_value(romans[0]), max(map(_roman_value, romans))
        groups.append(f"(1,r,{first})")
        pages += [roman(number) for number in range(first, last + 1)]
    if arabic:
        groups.append(f"({len(pages) + 1},a,{min(arabic)})")
        pages += [str(number) for number in range(min(arabic), max(arabic) + 1)]
    locations = [
        next((offsets[later] for later in pages[index:] if later in offsets), len(book.text))
        for index in range(len(pages))
    ]
    content = json.dumps(
        {
            "contentGuid": uid.replace("-", "")[:8],
            "asin": uid,
            "cdeType": "EBOK",
            "format": "MOBI_8",
            "fileRevisionId": "1",
            "acr": "",
        },
        separators=(",", ":"),
    ).encode()
    page_header = json.dumps({"asin": uid, "pageMap": ",".join(groups)}, separators=(",", ":")).encode()
    out = struct.pack(">III", 65537, 12 + len(content), len(content)) + content
    out += struct.pack(">HHHH", 1, len(page_header), len(pages), 32) + page_header
    return out + b"".join(struct.pack(">I", location) for location in locations)


def read_apnx(data: bytes) -> tuple[dict, list[str], list[int]]:
    """An APNX read back: its page header, the label of each page (from its page map) and each page's offset."""
    content_length = struct.unpack_from(">I", data, 8)[0]
    at = 12 + content_length
    _, header_length, count, _ = struct.unpack_from(">HHHH", data, at)
    header = json.loads(data[at + 8 : at + 8 + header_length])
    offsets = list(struct.unpack_from(f">{count}I", data, at + 8 + header_length))
    groups = [tuple(group.split(",")) for group in re.findall(r"\(([^)]*)\)", header["pageMap"])]
    labels: list[str] = []
    for index, (first, kind, number) in enumerate(groups):
        end = int(groups[index + 1][0]) - 1 if index + 1 < len(groups) else count
        labels += [roman(int(number) + n) if kind == "r" else str(int(number) + n) for n in range(end - int(first) + 1)]
    return header, labels, offsets


def _roman_value(numeral: str) -> int:
    """ii → 2: a front-matter folio's number (as `roman` writes them, up to 99)."""
    return next(number for number in range(1, 100) if roman(number) == numeral)
