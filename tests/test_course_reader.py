"""Course readers, on the mini-edition: a profile chooses the essays, their order, the paper and
the padding, and a reader is a book of its own, whose identifier follows its profile's settings
and only them. (The mini-edition's course reader, built once for the session, is held to
EPUBCheck, Ace, PDF/UA and the printer's margins in test_epub_metadata, test_ace, test_tags and
test_print.)"""

from __future__ import annotations

import dataclasses
import os
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from edition.build import build
from edition.ereader.epub import identifier
from edition.gate import LOCK_FILE
from edition.ingest.importer import Request, import_document
from edition.project import Project
from edition.sources.model import Edition
from edition.sources.profiles import Profile, apply_profile, load_profile
from edition.sources.read import load_edition
from tests.mini import EDITION, make_mini
from tests.pdf_text import whole_text


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_mini(tmp_path_factory.mktemp("mini") / "mini")


@pytest.fixture(scope="module")
def edition(mini: Project) -> Edition:
    return load_edition(mini)


def test_a_course_reader_has_only_its_essay_on_letter_paper_padded_to_four(mini: Project, tmp_path: Path):
    first, second = EDITION.essays
    profile = tmp_path / "test.toml"
    profile.write_text(
        f'course_code = "TEST 202"\ncourse_title = "One Essay"\n'
        f'essays = ["{second.id}"]\npaper = "letter"\npad_to_multiple_of_4 = true\n'
    )
    (pdf,) = build(mini, ("pdf",), tmp_path / "out", profile).written
    reader = PdfReader(pdf)
    assert len(reader.pages) % 4 == 0
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    text = "".join(page.extract_text() for page in reader.pages)
    assert second.title in text
    assert first.title not in text  # neither essay nor heads nor contents
    assert "TEST 202 · One Essay" in text
    assert reader.page_labels[4] == "1"
    # Its note of commentary cites the one work of the further reading, which it lists.
    assert "(Serge n.d.)" in text and "Further reading" in text and "Serge, Victor, Memoirs of a Revolutionary" in text


def test_a_course_reader_whose_notes_cite_no_work_has_no_further_reading(mini: Project, tmp_path: Path):
    first, _second = EDITION.essays
    profile = tmp_path / "first.toml"
    profile.write_text(f'essays = ["{first.id}"]\n')
    pdf, epub = build(mini, out_dir=tmp_path / "out", profile_path=profile).written
    assert "Further reading" not in whole_text(pdf)
    with zipfile.ZipFile(epub) as book:
        assert "EPUB/further-reading.xhtml" not in book.namelist()
        assert "Further reading" not in book.read("EPUB/nav.xhtml").decode()


def test_a_course_reader_has_its_own_identifier_stable_for_the_same_profile(
    mini: Project, edition: Edition, tmp_path: Path
):
    toml = mini.root / "readers" / "mini.toml"
    whole = identifier(edition)
    example = identifier(apply_profile(edition, load_profile(toml, mini.root), toml))
    # The same settings in another file, with other comments and layout: the same reader.
    copy = tmp_path / "copy.toml"
    copy.write_text("# the same course\n" + toml.read_text(encoding="utf-8").replace(" = ", "="), encoding="utf-8")
    assert identifier(apply_profile(edition, load_profile(copy, mini.root), copy)) == example
    # Any other setting: another reader.
    profile = load_profile(toml, mini.root)
    others = [
        dataclasses.replace(profile, essays=tuple(reversed(profile.essays))),
        dataclasses.replace(profile, essays=profile.essays[:1]),
        dataclasses.replace(profile, course_code="TEST 102"),
        dataclasses.replace(profile, course_title="Another course"),
        dataclasses.replace(profile, paper="a4"),
        dataclasses.replace(profile, pad_to_four=False),
        Profile(),
    ]
    ids = [whole, example, *(identifier(apply_profile(edition, other, toml)) for other in others)]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("urn:uuid:") for i in ids)
    # A new version of the edition: a new reader too.
    assert identifier(dataclasses.replace(apply_profile(edition, profile, toml), version="9.9.9")) != example


def test_a_course_reader_prints_a_reading_the_edition_does_not_with_its_credit_line(tmp_path: Path):
    """An instructor's own reading, imported for course readers alone, with where it was first
    published and by whose permission it is reproduced: the reader prints it and its credit on
    its first page and at the head of its EPUB chapter; the full edition prints neither."""
    project = make_mini(tmp_path / "mini")
    reading = tmp_path / "reading.md"
    reading.write_text("A handout on the plans, for the seminar.\n")
    import_document(
        project,
        Request(reading, essay_id="roe-2001", title="On the Plans", author="Jane Roe", date="2001",
                source="Jane Roe, “On the Plans”, Seminar Papers 3 (2001)",
                rights="Reproduced by permission of the author.", reading=True),
    )  # fmt: skip
    credit = (
        "First published: Jane Roe, “On the Plans”, Seminar Papers 3 (2001). Reproduced by permission of the author."
    )
    profile = tmp_path / "seminar.toml"
    profile.write_text(f'course_code = "SEM 1"\nessays = ["roe-2001", "{EDITION.essays[0].id}"]\n')
    pdf, epub = build(project, out_dir=tmp_path / "reader", profile_path=profile).written
    printed = PdfReader(pdf)
    first_page = printed.pages[printed.page_labels.index("1")].extract_text()  # the reading comes first
    assert " ".join(credit.split()) in " ".join(first_page.split())
    with zipfile.ZipFile(epub) as book:
        chapter = book.read("EPUB/roe-2001.xhtml").decode()
    assert 'class="credit"' in chapter and "Reproduced by permission of the author." in chapter
    full_pdf, full_epub = build(project, out_dir=tmp_path / "edition").written
    assert "On the Plans" not in whole_text(full_pdf)
    assert "roe-2001.xhtml" not in zipfile.ZipFile(full_epub).namelist()


def test_the_readme_s_example_profile_makes_a_reader_of_this_edition():
    """`./run build --reader readers/example.toml` (README): the profile loads and narrows the real
    edition as it says — Weissman before Filtzer, on Letter, padded to four — without a build,
    which the suite makes of the mini-edition's reader instead."""
    from tests.names import EDITION as REAL

    root = Path(__file__).resolve().parent.parent
    path = root / "readers" / "example.toml"
    reader = apply_profile(REAL, load_profile(path, root), path)
    assert [essay.id for essay in reader.essays] == ["weissman-1988", "filtzer-1998"]
    assert (reader.profile.paper, reader.profile.pad_to_four, reader.profile.course_code) == (
        "letter",
        True,
        "HIST 2301",
    )
    assert reader.book_title.startswith("HIST 2301 Course Reader: ")


def test_several_course_readers_in_one_command_read_the_sources_once_and_are_each_as_built_alone(
    reader_project: Project, reader_outputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`edition build --reader a.toml --reader b.toml` (`build_readers`): the sources read and
    checked once for all; each reader the bytes of its build alone (the session's, for
    `readers/mini.toml`); another course on the same paper, its own course line, on pages kept
    from the first reader's layout (it lays out fewer pages than its build alone)."""
    from edition import build as builds

    other = tmp_path / "other.toml"
    other.write_text(
        (reader_project.root / "readers" / "mini.toml").read_text().replace("TEST 101", "TEST 909"), encoding="utf-8"
    )
    checked = []
    original = builds.checked_edition
    monkeypatch.setattr(builds, "checked_edition", lambda project: checked.append(project) or original(project))
    out = tmp_path / "out"
    reports = builds.build_readers(
        reader_project, ("pdf", "epub"), out, [reader_project.root / "readers" / "mini.toml", other]
    )
    assert len(checked) == 1
    assert [sorted(path.name for path in report.written) for report in reports] == [
        ["mini-1.0.0-mini.epub", "mini-1.0.0-mini.pdf"],
        ["mini-1.0.0-other.epub", "mini-1.0.0-other.pdf"],
    ]
    alone = builds.build(reader_project, ("pdf", "epub"), tmp_path / "alone", other)
    assert alone.pages_laid_out > reports[1].pages_laid_out
    for fmt in ("pdf", "epub"):
        assert (out / f"mini-1.0.0-mini.{fmt}").read_bytes() == reader_outputs[fmt].read_bytes()
        assert (out / f"mini-1.0.0-other.{fmt}").read_bytes() == (
            tmp_path / "alone" / f"mini-1.0.0-other.{fmt}"
        ).read_bytes()
    text = whole_text(out / "mini-1.0.0-other.pdf")
    assert "TEST 909" in text and "TEST 101" not in text


def test_readers_after_the_first_on_a_paper_are_made_side_by_side_in_workers_the_same_bytes(
    reader_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """With more than one job, the readers after the first on their paper are each made in a
    worker process, which hands what it made back to the build's process to write: the outputs
    and the build record are the bytes a build of the readers one after another writes."""
    from edition import build as builds

    profiles = [reader_project.root / "readers" / "mini.toml"]
    for code in ("TEST 909", "TEST 303"):
        profiles.append(tmp_path / f"{code[-3:]}.toml")
        profiles[-1].write_text(profiles[0].read_text().replace("TEST 101", code), encoding="utf-8")
    made_by = []  # the process each reader was made in, as its report says

    def marked(job, formats, record, warm, progress, report, *write) -> None:
        made(job, formats, record, warm, progress, report, *write)
        report.notices.append(f"made in {os.getpid()}")

    made = builds._build
    monkeypatch.setattr(builds, "_build", marked)
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        reports = builds.build_readers(reader_project, ("pdf", "epub"), out, profiles, jobs=jobs)
        made_by.append([int(report.notices[-1].split()[-1]) for report in reports])
        assert [len(report.written) for report in reports] == [2, 2, 2]
        outputs[jobs] = {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.name != LOCK_FILE}
    assert made_by[0] == [os.getpid()] * 3
    assert made_by[1][0] == os.getpid() and os.getpid() not in made_by[1][1:]
    assert len(outputs[1]) == 7 and outputs[2] == outputs[1]  # six outputs and the record
