"""The build record names the parts of each output's key (format 2), and `edition build
--explain` says from it, for each output, whether it is up to date or which parts changed. On
the mini-edition: the record and its explanation are the tool's, whatever the edition."""

from __future__ import annotations

import json

import pytest

from edition.build import build, explain, read_job
from edition.keeping.record import EPUB_PARTS, HEX64, PDF_PARTS, key_of, read_record
from edition.layout import pdf
from edition.project import Project
from tests import command
from tests.edits import edit
from tests.mini import EPUB, FIRST_PARAGRAPH, PDF, essay

RECORD = ".edition-build.json"


@pytest.fixture
def copy(mini_copy: Project) -> Project:
    """The built mini-edition, outputs and build record included, for one test to change."""
    return mini_copy


@pytest.fixture
def no_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "layout", lambda *args, **kwargs: pytest.fail("the print edition was laid out"))


def explained(project: Project) -> dict[str, str]:
    """What `explain` says of each output, by its file name."""
    lines = explain(read_job(project, None, None, None))
    return {line.split(": ", 1)[0].removeprefix("dist/"): line.split(": ", 1)[1] for line in lines}


def test_the_record_has_its_format_and_each_output_the_named_parts_of_its_key(copy: Project):
    record = json.loads((copy.dist_dir / RECORD).read_text())
    assert record["format"] == 2 and set(record) == {"format", "outputs", "layouts"}
    for name, kind, parts in [(PDF, "pdf", PDF_PARTS), (EPUB, "epub", EPUB_PARTS)]:
        entry = record["outputs"][name]
        assert list(entry["parts"]) == list(parts)
        assert all(HEX64.fullmatch(value) for value in entry["parts"].values())
        assert entry["key"] == key_of(kind, name, entry["parts"])
    assert read_record(copy.dist_dir)[1] == ""


def test_explain_with_nothing_changed_says_up_to_date_and_writes_nothing(copy: Project, no_layout):
    before = {path.name: path.read_bytes() for path in copy.dist_dir.iterdir()}
    assert explained(copy) == {PDF: "up to date", EPUB: "up to date"}
    assert {path.name: path.read_bytes() for path in copy.dist_dir.iterdir()} == before


def test_a_file_in_source_the_edition_does_not_list_is_no_part_of_any_output(copy: Project, no_layout):
    (copy.source_dir / "draft.xml").write_text("<TEI> not listed, not read, not even well-formed")
    assert explained(copy) == {PDF: "up to date", EPUB: "up to date"}
    assert build(copy).written == []


def test_explain_names_the_ereader_styles_when_ereader_css_changed(copy: Project, no_layout):
    edit(copy.styles_dir / "ereader.css", "/*", "/* changed */\n/*")
    assert explained(copy) == {PDF: "up to date", EPUB: "changed: ereader_styles"}


def test_explain_names_the_sources_when_an_essay_changed(copy: Project, no_layout):
    edit(essay(copy), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " Indeed,")
    assert explained(copy) == {
        PDF: "changed: sources",
        EPUB: "changed: sources; its page starts will come from a new print layout",
    }


def test_explain_says_a_print_style_may_leave_the_epub_as_it_is(copy: Project, no_layout):
    edit(copy.styles_dir / "print.css", "color: #555;", "color: #444;")
    assert explained(copy) == {
        PDF: "changed: print_styles",
        EPUB: "layout: unknown until the print edition is laid out again (print_styles changed); "
        "written again only if its page starts moved",
    }


def test_explain_says_an_output_changed_since_it_was_written(copy: Project, no_layout):
    (copy.dist_dir / EPUB).write_bytes(b"not an EPUB")
    assert explained(copy)[EPUB] == "changed or removed since it was written"


def test_a_record_of_the_earlier_format_is_no_record_and_the_build_a_full_one(copy: Project):
    record = json.loads((copy.dist_dir / RECORD).read_text())
    del record["format"]
    for entry in record["outputs"].values():
        del entry["parts"]
    (copy.dist_dir / RECORD).write_text(json.dumps(record))
    assert set(explained(copy).values()) == {"no record (the record is of an earlier format): it would be built again"}
    report = build(copy)
    assert [path.name for path in report.written] == [PDF, EPUB]
    assert len(report.notices) == 1 and "of an earlier format" in report.notices[0]
    assert explained(copy) == {PDF: "up to date", EPUB: "up to date"}


def test_a_record_whose_key_is_not_made_of_its_parts_is_not_trusted(copy: Project, no_layout):
    record = json.loads((copy.dist_dir / RECORD).read_text())
    record["outputs"][PDF]["parts"]["fonts"] = "0" * 64
    (copy.dist_dir / RECORD).write_text(json.dumps(record))
    expected = f"record not trusted: the key of {PDF!r} is not made of its parts"
    assert explained(copy) == {PDF: expected, EPUB: expected}


def test_explain_on_the_command_line_and_without_a_record(copy: Project):
    (copy.dist_dir / RECORD).unlink()
    result = command.run("build", "--explain", "--format", "epub", cwd=copy.root, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"dist/{EPUB}: no record\n", "")
    assert not (copy.dist_dir / RECORD).exists()
