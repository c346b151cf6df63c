"""The build record, without a build: which records a build trusts and the one line it gives for
each it does not (`read_record`), how the record keeps the page starts of its latest layouts,
when an output counts as still the one written, and what each part of a key is made of: the
tool's files, the profile, the commit, the date, the print stylesheets apart from their fonts.
On records written here and on the unbuilt mini-edition: milliseconds each. (The record a real
build writes, and `explain`: test_record.py, tests/test_build_skips.py.)"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from edition.keeping import record as records
from edition.keeping.record import (
    EARLIER_FORMAT,
    EPUB_PARTS,
    KEPT_LAYOUTS,
    MAX_RECORD_BYTES,
    PDF_PARTS,
    BuildRecord,
    digest,
    digest_files,
    files_under,
    key_of,
    read_inputs,
    read_record,
)
from edition.sources.model import PageStart
from tests.mini import make_mini

PDF, EPUB = "x-0.1.0.pdf", "x-0.1.0.epub"
LAYOUT = "b" * 64


def valid() -> dict:
    """A record of the shape a build writes: two outputs, one layout."""
    pdf = {part: digest("pdf", part) for part in PDF_PARTS}
    epub = {part: digest("epub", part) for part in EPUB_PARTS}
    return {
        "format": 2,
        "outputs": {
            PDF: {"key": key_of("pdf", PDF, pdf), "parts": pdf, "sha256": "a" * 64},
            EPUB: {"key": key_of("epub", EPUB, epub), "parts": epub, "sha256": "c" * 64},
        },
        "layouts": {LAYOUT: [{"label": "i", "block": "title", "offset": 0},
                             {"label": "xxxix", "block": "c", "offset": 3},
                             {"label": "1", "block": "essay", "offset": 0},
                             {"label": "3", "block": "p1", "offset": 6}]},
    }  # fmt: skip


def written(folder: Path, data: object) -> Path:
    (folder / ".edition-build.json").write_text(json.dumps(data))
    return folder


def test_a_record_of_the_shape_a_build_writes_is_trusted_and_read_as_it_is(tmp_path: Path):
    data = valid()
    record, distrust = read_record(written(tmp_path, data))
    assert distrust == "" and record.outputs == data["outputs"]
    assert record.layouts == {LAYOUT: [PageStart(**start) for start in data["layouts"][LAYOUT]]}
    assert json.loads(record.to_json()) == data
    assert read_record(tmp_path / "nothing-here") == (BuildRecord(), "")


def changed(change: Callable[[dict], object]) -> Callable[[], object]:
    def make():
        data = valid()
        change(data)
        return data

    return make


def set_in(data: dict, path: list, value) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


NOT_AN_ENTRY = f"its entry for {PDF!r} is not a key, its parts and a SHA-256"
NOT_THE_PARTS = f"the parts of {PDF!r} are not {', '.join(PDF_PARTS)}, each a SHA-256"
NOT_A_START = "a page start is not a label, a block and an offset"
NOT_ROMAN_THEN_NUMBERS = "its page labels are not roman numbers, then numbers"
NOT_RISING = "its page labels are not in increasing order"
START = ["layouts", LAYOUT, 3]

# Each way a record may be other than a build writes it, and the reason it is not trusted.
DISTRUSTED: list[tuple[str, Callable[[], object], str]] = [
    ("of the earlier format", lambda: {"outputs": {}, "layouts": {}}, EARLIER_FORMAT),
    ("a list", lambda: [], "it is not a record of its format, outputs and layouts"),
    ("an earlier format with more", lambda: {"outputs": {}, "layouts": {}, "x": 1},
     "it is not a record of its format, outputs and layouts"),
    ("without layouts", changed(lambda d: d.pop("layouts")), "it is not a record of its format, outputs and layouts"),
    ("format 1", changed(lambda d: set_in(d, ["format"], 1)), "its format is not 2"),
    ("format '2'", changed(lambda d: set_in(d, ["format"], "2")), "its format is not 2"),
    ("format 2.0", changed(lambda d: set_in(d, ["format"], 2.0)), "its format is not 2"),
    ("outputs a list", changed(lambda d: set_in(d, ["outputs"], [])), "its outputs or layouts are not tables"),
    ("layouts a list", changed(lambda d: set_in(d, ["layouts"], [])), "its outputs or layouts are not tables"),
    ("an entry not a table", changed(lambda d: set_in(d, ["outputs", PDF], [])), NOT_AN_ENTRY),
    ("an entry without its sha256", changed(lambda d: d["outputs"][PDF].pop("sha256")), NOT_AN_ENTRY),
    ("an entry's sha256 in capitals", changed(lambda d: set_in(d, ["outputs", PDF, "sha256"], "A" * 64)), NOT_AN_ENTRY),
    ("an entry's key a number", changed(lambda d: set_in(d, ["outputs", PDF, "key"], 7)), NOT_AN_ENTRY),
    ("an output of no kind we write", changed(lambda d: d["outputs"].update({"x.txt": d["outputs"].pop(PDF)})),
     "its entry for 'x.txt' is not a key, its parts and a SHA-256"),
    ("an output without a suffix", changed(lambda d: d["outputs"].update({"x": d["outputs"].pop(PDF)})),
     "its entry for 'x' is not a key, its parts and a SHA-256"),
    ("parts not a table", changed(lambda d: set_in(d, ["outputs", PDF, "parts"], [])), NOT_THE_PARTS),
    ("parts in another order", changed(lambda d: set_in(d, ["outputs", PDF, "parts"],
                                                        dict(reversed(d["outputs"][PDF]["parts"].items())))),
     NOT_THE_PARTS),
    ("a part that is not a SHA-256", changed(lambda d: set_in(d, ["outputs", PDF, "parts", "fonts"], "f" * 63)),
     NOT_THE_PARTS),
    ("a part that is a number", changed(lambda d: set_in(d, ["outputs", PDF, "parts", "fonts"], 1)), NOT_THE_PARTS),
    ("a key not of its parts", changed(lambda d: set_in(d, ["outputs", EPUB, "key"], "0" * 64)),
     f"the key of {EPUB!r} is not made of its parts"),
    ("a layout's key not a SHA-256", changed(lambda d: d["layouts"].update({"layout": d["layouts"].pop(LAYOUT)})),
     "a layout's key is not a SHA-256"),
    ("a layout of no pages", changed(lambda d: set_in(d, ["layouts", LAYOUT], [])), "a layout has no page starts"),
    ("a layout that is a table", changed(lambda d: set_in(d, ["layouts", LAYOUT], {"a": 1})),
     "a layout has no page starts"),
    ("a page start not a table", changed(lambda d: set_in(d, START, ["3", "p1", 6])), NOT_A_START),
    ("a page start without its block", changed(lambda d: set_in(d, START, {"label": "3", "offset": 6})), NOT_A_START),
    ("a page start with more", changed(lambda d: d["layouts"][LAYOUT][3].update(line=2)), NOT_A_START),
    ("an offset as text", changed(lambda d: set_in(d, [*START, "offset"], "6")), NOT_A_START),
    ("an offset true", changed(lambda d: set_in(d, [*START, "offset"], True)), NOT_A_START),
    ("an offset below 0", changed(lambda d: set_in(d, [*START, "offset"], -1)), NOT_A_START),
    ("an empty label", changed(lambda d: set_in(d, [*START, "label"], "")), NOT_A_START),
    ("an empty block", changed(lambda d: set_in(d, [*START, "block"], "")), NOT_A_START),
    ("a label neither roman nor a number", changed(lambda d: set_in(d, [*START, "label"], "3a")),
     NOT_ROMAN_THEN_NUMBERS),
    ("a roman label too large", changed(lambda d: set_in(d, ["layouts", LAYOUT, 1, "label"], "xl")),
     NOT_ROMAN_THEN_NUMBERS),
    ("a roman label past xxxix", changed(lambda d: set_in(d, ["layouts", LAYOUT, 1, "label"], "xxxx")),
     NOT_ROMAN_THEN_NUMBERS),
    ("a roman label after the numbers", changed(lambda d: set_in(d, [*START, "label"], "ii")), NOT_ROMAN_THEN_NUMBERS),
    ("a superscript digit", changed(lambda d: set_in(d, [*START, "label"], "²")), NOT_ROMAN_THEN_NUMBERS),
    ("roman labels falling", changed(lambda d: set_in(d, ["layouts", LAYOUT, 0, "label"], "xl")),
     NOT_ROMAN_THEN_NUMBERS),
    ("roman labels out of order", changed(lambda d: set_in(d, ["layouts", LAYOUT, 0, "label"], "xxxix")), NOT_RISING),
    ("a page number twice", changed(lambda d: set_in(d, [*START, "label"], "1")), NOT_RISING),
    ("page numbers falling", changed(lambda d: set_in(d, ["layouts", LAYOUT, 2, "label"], "4")), NOT_RISING),
]  # fmt: skip


@pytest.mark.parametrize(("make", "reason"), [row[1:] for row in DISTRUSTED], ids=[row[0] for row in DISTRUSTED])
def test_a_record_not_of_the_shape_a_build_writes_is_not_trusted_and_says_why(tmp_path: Path, make, reason: str):
    assert read_record(written(tmp_path, make())) == (BuildRecord(), reason)


def test_a_record_that_cannot_be_read_says_why(tmp_path: Path):
    path = tmp_path / ".edition-build.json"
    path.write_text("{")
    assert read_record(tmp_path) == (BuildRecord(), "cannot be read (JSONDecodeError)")
    path.write_bytes(b'{"\xff": 1}')
    assert read_record(tmp_path) == (BuildRecord(), "cannot be read (UnicodeDecodeError)")
    path.unlink()
    path.mkdir()
    assert read_record(tmp_path) == (BuildRecord(), "cannot be read (not a regular file)")
    path.rmdir()
    os.mkfifo(path)
    assert read_record(tmp_path) == (BuildRecord(), "cannot be read (not a regular file)")


def test_a_record_is_read_no_further_than_16_mib_and_a_byte(tmp_path: Path):
    """Spaces before the record: a record longer than `MAX_RECORD_BYTES + 1` is cut, and not
    trusted, however it ends; one of exactly that length is read whole (as `read_record` reads)."""
    text = json.dumps(valid())
    for size, distrust in [(MAX_RECORD_BYTES + 1, ""), (MAX_RECORD_BYTES + 2, "cannot be read (JSONDecodeError)")]:
        (tmp_path / ".edition-build.json").write_text(" " * (size - len(text)) + text)
        assert read_record(tmp_path)[1] == distrust


def test_the_latest_eight_layouts_are_kept_and_a_layout_kept_again_is_the_latest(tmp_path: Path):
    record = BuildRecord()
    starts = [PageStart("1", "essay", 0)]
    for number in range(KEPT_LAYOUTS):
        record.keep_layout(f"k{number}", starts)
    record.keep_layout("k0", [PageStart("1", "other", 0)])  # laid out again: now the latest
    record.keep_layout("new", starts)
    assert list(record.layouts) == [*(f"k{n}" for n in range(2, KEPT_LAYOUTS)), "k0", "new"]
    assert record.starts_for("k0") == [PageStart("1", "other", 0)] and record.starts_for("k1") is None


def test_an_output_is_up_to_date_only_with_its_key_and_the_bytes_written(tmp_path: Path):
    record, output = BuildRecord(), tmp_path / "x.pdf"
    output.write_bytes(b"the PDF")
    record.wrote(output, "key", {"tool": "t"}, b"the PDF")
    assert record.outputs["x.pdf"] == {
        "key": "key",
        "parts": {"tool": "t"},
        "sha256": hashlib.sha256(b"the PDF").hexdigest(),
    }
    assert record.up_to_date(output, "key") and record.intact(output)
    assert not record.up_to_date(output, "another key")  # though the file is intact
    assert not record.up_to_date(tmp_path / "y.pdf", "key") and not record.intact(tmp_path / "y.pdf")
    output.write_bytes(b"the PDF, changed")
    assert not record.intact(output) and not record.up_to_date(output, "key")


def test_an_output_replaced_by_a_symlink_to_its_bytes_or_removed_is_not_the_one_written(tmp_path: Path):
    record, output = BuildRecord(), tmp_path / "x.pdf"
    (tmp_path / "copy.pdf").write_bytes(b"the PDF")
    record.wrote(output, "key", {}, b"the PDF")
    output.symlink_to(tmp_path / "copy.pdf")
    assert not record.intact(output)
    output.unlink()
    assert not record.intact(output)
    os.mkfifo(output)
    assert not record.intact(output)  # and it does not wait for a writer


def test_a_key_is_of_its_kind_its_name_and_its_parts(tmp_path: Path):
    parts = {part: digest(part) for part in {*PDF_PARTS, *EPUB_PARTS}}
    keys = {
        key_of("pdf", PDF, parts),
        key_of("layout", PDF, parts),
        key_of("pdf", "y.pdf", parts),
        key_of("pdf", PDF, {**parts, "fonts": digest("other")}),
        key_of("epub", PDF, parts),
    }
    assert len(keys) == 5 and key_of("pdf", PDF, dict(parts)) == key_of("pdf", PDF, parts)
    assert digest("a", "b") != digest("ab") != digest("a", "", "b")


def test_the_epubs_key_follows_the_print_pages_it_marks():
    ereader = {"ereader_styles": digest("e"), "fonts": digest("f")}
    inputs = records.Inputs({part: digest(part) for part in records.COMMON_PARTS}, "p", {}, ereader)
    one, two = [PageStart("1", "essay", 0)], [PageStart("1", "essay", 0), PageStart("2", "p1", 6)]
    assert inputs.epub_parts(one)["layout"] != inputs.epub_parts(two)["layout"]
    assert inputs.epub_key("x.epub", one) != inputs.epub_key("x.epub", two)
    assert inputs.epub_parts(list(one)) == inputs.epub_parts(one)


def test_the_tools_files_are_its_code_and_templates_without_caches_or_the_skeleton(tmp_path: Path):
    for name in ["a.py", "templates/b.j2", "__pycache__/a.pyc", "sub/__pycache__/c.pyc", "skeleton/styles/x.css",
                 "sub/skeleton/y.css", "z.txt"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    assert files_under(tmp_path) == [tmp_path / name for name in ["a.py", "templates/b.j2", "z.txt"]]
    # The skeleton is named from the package's folder: a package inside a folder so named is read.
    inner = tmp_path / "skeleton" / "pkg"
    (inner / "m.py").parent.mkdir(parents=True)
    (inner / "m.py").write_text("m")
    assert files_under(inner) == [inner / "m.py"]


def test_the_digest_of_files_changes_with_a_name_a_byte_or_the_order(tmp_path: Path):
    (tmp_path / "a").write_text("one")
    (tmp_path / "b").write_text("two")
    first = digest_files([tmp_path / "a", tmp_path / "b"], tmp_path)
    assert len(first) == 64 and first == digest_files([tmp_path / "a", tmp_path / "b"], tmp_path)
    assert first != digest_files([tmp_path / "b", tmp_path / "a"], tmp_path)
    (tmp_path / "b").write_text("two!")
    assert first != digest_files([tmp_path / "a", tmp_path / "b"], tmp_path)
    (tmp_path / "b").rename(tmp_path / "c")
    (tmp_path / "c").write_text("two")
    assert first != digest_files([tmp_path / "a", tmp_path / "c"], tmp_path)


def test_each_part_of_the_inputs_changes_with_what_it_names_and_no_other(tmp_path: Path):
    project = make_mini(tmp_path / "mini")
    sources = sorted(project.source_dir.glob("*.xml"))
    profile = project.root / "readers" / "mini.toml"
    base = read_inputs(project, sources, "", "commit", "")

    def differs(inputs) -> set[str]:
        before = {**base.common, **base.print_parts, **{f"e-{k}": v for k, v in base.ereader_parts.items()}}
        after = {**inputs.common, **inputs.print_parts, **{f"e-{k}": v for k, v in inputs.ereader_parts.items()}}
        return {part for part in before if before[part] != after[part]}

    assert differs(read_inputs(project, sources, "", "commit", "")) == set()
    assert differs(read_inputs(project, sources, profile.read_text(), "commit", "")) == {"profile"}
    assert differs(read_inputs(project, sources, "", "another", "")) == {"commit"}
    assert differs(read_inputs(project, sources, "", "commit", "1700000000")) == {"source_date_epoch"}
    assert differs(read_inputs(project, sources[1:], "", "commit", "")) == {"sources"}
    assert differs(read_inputs(project, sources + sources[:1], "", "commit", "")) == set()  # listed twice: once
    assert differs(read_inputs(project, sources, "course_title = 'other'", "commit", "")) == {"profile"}
    with (project.styles_dir / "print.css").open("a") as css:
        css.write("\n/* a print style */\n")
    printed = read_inputs(project, sources, "", "commit", "")
    assert differs(printed) == {"print_styles"} and printed.print_styles != base.print_styles
    # A font the print edition alone uses, then one of the EPUB's cover: "fonts", not the styles.
    cover = records.ereader_files(project)
    font = next(path for path in records.print_files(project) if path.suffix != ".css" and path not in cover)
    with font.open("ab") as data:
        data.write(b"\0")
    fonts = read_inputs(project, sources, "", "commit", "")
    assert {part for part in fonts.print_parts if fonts.print_parts[part] != printed.print_parts[part]} == {"fonts"}
    assert fonts.print_styles != printed.print_styles and fonts.ereader_parts == printed.ereader_parts
    with next(path for path in cover if path.suffix != ".css").open("ab") as data:
        data.write(b"\0")
    covers = read_inputs(project, sources, "", "commit", "")
    assert {part for part in covers.ereader_parts if covers.ereader_parts[part] != fonts.ereader_parts[part]} == {
        "fonts"
    }


def test_a_file_name_that_is_not_utf_8_still_has_its_place_in_the_digest():
    sha = hashlib.sha256(b"x").digest()
    named = records._combined([("caf\udce9.css", sha)])
    assert named != records._combined([("cafe.css", sha)]) and named == records._combined([("caf\udce9.css", sha)])
    assert records._combined([("a.css", sha), ("b.ttf", sha)], css=True) == records._combined([("a.css", sha)])
    assert records._combined([("a.CSS", sha), ("b.ttf", sha)], css=False) == records._combined([("b.ttf", sha)])
