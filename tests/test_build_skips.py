"""What a build writes again and what it leaves, on the built mini-edition: nothing when nothing
changed; the EPUB alone, from the recorded page starts, when only its stylesheet did; the PDF
alone when a print style moved no text; the record alone when it had lost the page starts; and
what `explain` says in the cases test_record.py leaves (several parts changed, no record of the
PDF, page starts not recorded). Each test that lays the mini-edition out takes about a second;
the others never lay it out (`no_layout`)."""

from __future__ import annotations

import json
import zipfile

import pytest

from edition.build import build
from edition.project import Project
from tests.edits import edit
from tests.keeping.test_record import RECORD, explained, no_layout  # noqa: F401 (a fixture)
from tests.mini import EPUB, FIRST_PARAGRAPH, PDF, essay
from tests.test_build import snapshot


def names(paths) -> list[str]:
    return [path.name for path in paths]


@pytest.mark.usefixtures("no_layout")
def test_with_nothing_changed_a_build_writes_nothing_not_even_the_record(mini_copy: Project):
    before = snapshot(mini_copy, proof=True)
    assert {".edition-build.json", PDF, EPUB} <= set(before)
    report = build(mini_copy)
    assert (names(report.written), names(report.unchanged), report.notices) == ([], [PDF, EPUB], [])
    assert snapshot(mini_copy, proof=True) == before


@pytest.mark.usefixtures("no_layout")
def test_an_ereader_style_rewrites_the_epub_alone_from_the_recorded_page_starts(mini_copy: Project):
    before = snapshot(mini_copy)
    edit(mini_copy.styles_dir / "ereader.css", "/*", "/* changed */\n/*")
    told: list[str] = []
    report = build(mini_copy, progress=told.append)
    assert (names(report.written), names(report.unchanged)) == ([EPUB], [PDF])
    assert told == ["writing the EPUB"] and [name for name, _ in report.stages][-1] == "write the EPUB"
    after = snapshot(mini_copy)
    assert after[PDF] == before[PDF] and after[EPUB][1] != before[EPUB][1]  # the PDF not even touched
    # The EPUB names the print edition whose pages it marks, as it would after a full build.
    with zipfile.ZipFile(mini_copy.dist_dir / EPUB) as book:
        package = book.read("EPUB/content.opf").decode()
    assert f"print edition on A4 ({PDF})</dc:source>" in package
    assert explained(mini_copy) == {PDF: "up to date", EPUB: "up to date"}


def test_a_print_style_that_moves_no_text_rewrites_the_pdf_and_leaves_the_epub(mini_copy: Project):
    before = snapshot(mini_copy)
    edit(mini_copy.styles_dir / "print.css", "color: #555;", "color: #444;")
    told: list[str] = []
    report = build(mini_copy, progress=told.append)
    assert (names(report.written), names(report.unchanged)) == ([PDF], [EPUB])
    assert told[0] == "laying out the print edition" and told[-1] == "writing the PDF"
    assert "write the EPUB" not in [name for name, _ in report.stages]
    after = snapshot(mini_copy)
    assert after[EPUB] == before[EPUB] and after[PDF][1] != before[PDF][1]  # the EPUB not even touched
    assert explained(mini_copy) == {PDF: "up to date", EPUB: "up to date"}


def test_a_record_that_lost_the_page_starts_is_completed_by_a_layout_and_nothing_else(mini_copy: Project):
    record = json.loads((mini_copy.dist_dir / RECORD).read_text())
    layouts, record["layouts"] = record["layouts"], {}
    (mini_copy.dist_dir / RECORD).write_text(json.dumps(record, indent=1))
    assert explained(mini_copy)[EPUB] == (
        "layout: unknown until the print edition is laid out again (it is not recorded); "
        "written again only if its page starts moved"
    )
    outputs = {name: (mini_copy.dist_dir / name).read_bytes() for name in (PDF, EPUB)}
    report = build(mini_copy)
    assert (names(report.written), names(report.unchanged)) == ([], [PDF, EPUB])
    assert {name: (mini_copy.dist_dir / name).read_bytes() for name in (PDF, EPUB)} == outputs
    assert json.loads((mini_copy.dist_dir / RECORD).read_text())["layouts"] == layouts


@pytest.mark.usefixtures("no_layout")
def test_explain_without_a_record_of_the_pdf_nor_the_page_starts(mini_copy: Project):
    record = json.loads((mini_copy.dist_dir / RECORD).read_text())
    del record["outputs"][PDF]
    record["layouts"] = {}
    (mini_copy.dist_dir / RECORD).write_text(json.dumps(record))
    assert explained(mini_copy) == {
        PDF: "no record",
        EPUB: "layout: unknown until the print edition is laid out again (print_styles or fonts changed); "
        "written again only if its page starts moved",
    }


@pytest.mark.usefixtures("no_layout")
def test_explain_names_the_print_parts_that_changed_when_the_epubs_page_starts_are_unknown(mini_copy: Project):
    from edition.keeping.record import ereader_files, print_files

    edit(mini_copy.styles_dir / "print.css", "color: #555;", "color: #444;")
    font = next(
        path for path in print_files(mini_copy) if path.suffix != ".css" and path not in ereader_files(mini_copy)
    )
    with font.open("ab") as data:
        data.write(b"\0")
    assert explained(mini_copy)[EPUB] == (
        "layout: unknown until the print edition is laid out again (print_styles, fonts changed); "
        "written again only if its page starts moved"
    )


@pytest.mark.usefixtures("no_layout")
@pytest.mark.parametrize("also_epub", [False, True])
def test_explain_names_every_part_that_changed_in_the_order_of_the_key(mini_copy: Project, also_epub):
    edit(essay(mini_copy), FIRST_PARAGRAPH, FIRST_PARAGRAPH + " Indeed,")
    edit(mini_copy.styles_dir / "print.css", "color: #555;", "color: #444;")
    if also_epub:
        edit(mini_copy.styles_dir / "ereader.css", "/*", "/* changed */\n/*")
    epub = "changed: sources, ereader_styles" if also_epub else "changed: sources"
    assert explained(mini_copy) == {
        PDF: "changed: sources, print_styles",
        EPUB: f"{epub}; its page starts will come from a new print layout",
    }


def test_a_pdf_removed_since_it_was_written_is_laid_out_and_written_again_alone(mini_copy: Project):
    epub = (mini_copy.dist_dir / EPUB).read_bytes()
    (mini_copy.dist_dir / PDF).unlink()
    report = build(mini_copy)
    assert (names(report.written), names(report.unchanged)) == ([PDF], [EPUB])
    assert (mini_copy.dist_dir / PDF).read_bytes().startswith(b"%PDF-") and (
        mini_copy.dist_dir / EPUB
    ).read_bytes() == epub
    assert explained(mini_copy) == {PDF: "up to date", EPUB: "up to date"}


@pytest.fixture
def stub_proof(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """The proof's layout and drawing replaced by stand-ins: what is tested is whether a proof
    build writes the proof, and from what, not the proof. The stand-in layout keeps a typesetter
    in `warm`, as the real one does, and is "laid out" of the print styles; the proof's bytes
    name what it was drawn from. The layouts made, with what each was given."""
    from edition import build as building
    from edition.layout import pdf

    layouts: list[tuple] = []

    def lay_out(job, warm, progress, report):
        layouts.append((job.name, warm, progress, report))
        warm.typesetter = f"the typesetter of {job.name or 'the edition'}"
        return f"the layout of {job.inputs.print_styles}"

    def write_proof(document, edition, when, typesetter):
        return f"proof of {document}, {edition.slug}, {when.isoformat()}, {typesetter}".encode()

    monkeypatch.setattr(building, "_lay_out", lay_out)
    monkeypatch.setattr(pdf, "write_proof", write_proof)
    return layouts


def test_a_proof_is_written_again_only_when_its_inputs_changed_or_it_is_gone(mini_copy: Project, stub_proof):
    from edition.build import Warm, read_job

    archival = snapshot(mini_copy, proof=True)
    proof = mini_copy.dist_dir / PDF.replace(".pdf", "-proof.pdf")
    warm, told = Warm(), []
    first = build(mini_copy, warm=warm, proof=True, progress=told.append)
    assert (names(first.written), first.unchanged) == ([proof.name], [])
    assert stub_proof == [("", warm, told.append, first)] and [name for name, _ in first.stages][-1] == (
        "write the proof PDF"
    )
    job = read_job(mini_copy, None, None, None)
    assert (
        proof.read_bytes()
        == (
            f"proof of the layout of {job.inputs.print_styles}, {job.edition.slug}, {job.when.isoformat()}, "
            "the typesetter of the edition"
        ).encode()
    )
    assert warm.proof == (proof, job.inputs.pdf_key(proof.name))
    again = build(mini_copy, warm=warm, proof=True)
    assert (again.written, names(again.unchanged), len(stub_proof)) == ([], [proof.name], 1)
    assert build(mini_copy, warm=Warm(), proof=True).written == [proof]  # another watcher's proof: not known
    proof.unlink()
    assert build(mini_copy, warm=warm, proof=True).written == [proof]
    edit(mini_copy.styles_dir / "print.css", "color: #555;", "color: #444;")
    assert build(mini_copy, warm=warm, proof=True).written == [proof]
    assert len(stub_proof) == 4
    # The archival outputs and the record are never written by a proof build.
    assert {name: value for name, value in snapshot(mini_copy, proof=True).items() if name != proof.name} == archival


def test_a_course_readers_proof_is_named_for_the_reader(mini_copy: Project, stub_proof):
    from edition.build import Warm

    report = build(mini_copy, profile_path=mini_copy.root / "readers" / "mini.toml", warm=Warm(), proof=True)
    assert names(report.written) == [PDF.replace(".pdf", "-mini-proof.pdf")] and stub_proof[0][0] == "mini"
