"""An edited edition laid out again by a warm typesetter, which lays each changed part out only
from the edit to where its pages fall back into step with the last layout (`rejoin`), gives the
pages of a layout of every changed part whole, box for box: for a word, a sentence, an edit that
moves a note to another page, a new paragraph, a deleted paragraph and an edit that changes a
part's page count, made one after another as in an editing session (`edition watch`); a part
that only starts on another page is kept, and prints its new page numbers. The edition is the
mini-edition made longer (`tests.mini.make_long`): essays of four pages, whose pages run on,
move notes and open with paragraphs as the real essays' do, in a third of their pages.

The edits are found from the edition as it stands, not written for its text: each inserts
text in a source line before a mention (`Span.attrs["line"]`), and each checks that it did what
it is for (the note moved, the page count changed)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from edition.layout import rejoin
from edition.layout.pages import first_pages, front_matter_pages
from edition.layout.pdf import OUT_OF_WINDOW, Typesetter, layout, write_proof
from edition.layout.typeset import page_drawings, page_layouts
from edition.project import Project
from edition.sources.check import checked_edition
from edition.sources.model import Edition, Imprint, Inline, Paragraph, Span
from edition.sources.profiles import DEFAULT
from tests.mini import make_long, make_mini

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
SENTENCE = "This sentence is added so that the lines of its paragraph run on further than they did. "


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Typesetter, Typesetter]]:
    """A longer mini-edition, a typesetter that rejoins and keeps its lines (as `edition watch`
    has it) and one that lays changed parts out whole, each having laid the edition out once."""
    project = make_long(tmp_path_factory.mktemp("incremental") / "long")
    rejoining, whole = Typesetter(project, "A4", keeps_lines=True), Typesetter(project, "A4", rejoin=False)
    layout(checked_edition(project), project, Imprint(), DEFAULT, rejoining)
    # The first layout lays every part out whole (each typesetter then keeps its own record of it).
    whole.parts = {name: dataclasses.replace(part) for name, part in rejoining.parts.items()}
    yield project, rejoining, whole


def mentions(content: list[Inline]) -> Iterator[Span]:
    for part in content:
        if isinstance(part, Span):
            if part.kind == "mention" and "anchor" in part.attrs:
                yield part
            yield from mentions(part.children)


def paragraph_mentions(edition: Edition, essay: int) -> list[tuple[Paragraph, Span]]:
    """Each paragraph of an essay with a mention, and its first mention."""
    body = [block for block in edition.essays[essay].body if isinstance(block, Paragraph)]
    return [(paragraph, found) for paragraph in body if (found := next(mentions(paragraph.content), None))]


def insert_before(project: Project, edition: Edition, mention: Span, text: str) -> None:
    """Put `text` in the source just before the element of `mention`."""
    essay = next(essay for essay in edition.essays if mention.attrs["anchor"].startswith(essay.id + "-"))
    lines = essay.source.read_text(encoding="utf-8").split("\n")
    number = int(mention.attrs["line"]) - 1
    at = lines[number].index(f'ref="#{mention.attrs["ref"]}"')
    at = lines[number].rindex("<", 0, at)
    lines[number] = lines[number][:at] + text + lines[number][at:]
    essay.source.write_text("\n".join(lines), encoding="utf-8")


def a_word(project: Project, edition: Edition, whole: Typesetter) -> None:
    paragraphs = paragraph_mentions(edition, -1)
    insert_before(project, edition, paragraphs[len(paragraphs) // 2][1], "indeed ")


def a_sentence(project: Project, edition: Edition, whole: Typesetter) -> None:
    paragraphs = paragraph_mentions(edition, 0)
    insert_before(project, edition, paragraphs[len(paragraphs) // 2][1], SENTENCE)


def a_note_moved(project: Project, edition: Edition, whole: Typesetter) -> tuple[str, str, int]:
    """Text before the last note called on a page whose last paragraph goes on to the next: the
    essay's id, the note's id and the page it was on, which must then change."""
    for essay in edition.essays:
        part = whole.parts[essay.id]
        for index, (page, following) in enumerate(zip(part.pages, part.pages[1:], strict=False)):
            last = page.blocks[-1].id
            calls = [call.note for call in page.calls if call.note.startswith(f"note-{last}-m")]  # a mention's
            if calls and last in {block.id for block in following.blocks}:
                anchor = calls[-1].removeprefix("note-")
                spans = (span for block in essay.body for span in mentions(getattr(block, "content", [])))
                insert_before(
                    project, edition, next(span for span in spans if span.attrs["anchor"] == anchor), SENTENCE * 12
                )
                return essay.id, calls[-1], index
    raise AssertionError("no page ends in a paragraph that calls a note and goes on: find another edit")


def a_new_paragraph(project: Project, edition: Edition, whole: Typesetter) -> None:
    """A paragraph split in two before a mention: every later paragraph is numbered anew."""
    paragraphs = paragraph_mentions(edition, -1)
    insert_before(project, edition, paragraphs[len(paragraphs) // 2][1], "as the new paragraph says.</p><p>")


def a_deleted_paragraph(project: Project, edition: Edition, whole: Typesetter) -> None:
    paragraphs = paragraph_mentions(edition, 0)
    line = int(paragraphs[-2][1].attrs["line"]) - 1
    source = edition.essays[0].source
    lines = source.read_text(encoding="utf-8").split("\n")
    assert lines[line].strip().startswith("<p>") and lines[line].strip().endswith("</p>"), "a paragraph of one line"
    source.write_text("\n".join(lines[:line] + lines[line + 1 :]), encoding="utf-8")


def a_longer_essay(project: Project, edition: Edition, whole: Typesetter) -> int:
    """Three long paragraphs in the first essay: its page count, which must then change; the
    essay after it then starts on another page."""
    paragraphs = paragraph_mentions(edition, 0)
    insert_before(project, edition, paragraphs[-1][1], "then.</p>" + f"<p>{SENTENCE * 12}</p>" * 3 + "<p>And ")
    return len(whole.parts[edition.essays[0].id].pages)


Edit = Callable[[Project, Edition, Typesetter], object]


def summary(document) -> tuple[list, dict[str, int]]:
    pages = page_layouts(document.pages)
    return [(page.folio, page.blocks, page.calls) for page in pages], first_pages(pages)


@pytest.mark.parametrize(
    "edit", [a_word, a_sentence, a_note_moved, a_new_paragraph, a_deleted_paragraph, a_longer_essay]
)
def test_an_edit_laid_out_from_where_it_changes_the_pages_gives_the_pages_of_a_whole_layout(session, edit: Edit):
    project, rejoining, whole = session
    edition = checked_edition(project)
    found = edit(project, edition, whole)
    edition = checked_edition(project)
    before = {name: (part.html, part.first_page, part.document.pages) for name, part in rejoining.parts.items()}
    laid_out = [layout(edition, project, Imprint(), DEFAULT, typesetter) for typesetter in (rejoining, whole)]
    drawn = [[(page.texts, page.lines, page.links) for page in page_drawings(document.pages)] for document in laid_out]
    assert drawn[0] == drawn[1]
    # The same pages, blocks, note calls and folios, and every anchor on the same page (WeasyPrint
    # lists a box's id again on each later page it runs onto, and the PDF keeps the first).
    assert [summary(document) for document in laid_out[:1]] == [summary(document) for document in laid_out[1:]]
    assert rejoining.pages_laid_out < whole.pages_laid_out, "nothing was kept from the last layout"
    # A part that only starts on another page is kept, not laid out again (and prints its new
    # numbers: the drawings above are the whole layout's, which lays it out there).
    moved = [name for name, part in rejoining.parts.items() if (part.html, part.first_page) != before[name][:2]]
    moved = [name for name in moved if rejoining.parts[name].html == before[name][0]]
    assert all(rejoining.parts[name].document.pages == before[name][2] for name in moved)
    if edit is a_note_moved:
        essay, note, page = found
        assert first_pages(whole.parts[essay].pages)[note] != page, "the note did not move"
    if edit is a_longer_essay:
        assert len(whole.parts[edition.essays[0].id].pages) != found
        assert edition.essays[-1].id in moved, "the essay after the longer one starts on the same page"


def test_after_the_session_the_proofs_of_both_layouts_are_the_same_bytes(session):
    project, rejoining, whole = session
    edition = checked_edition(project)
    proofs = [
        write_proof(layout(edition, project, Imprint(), DEFAULT, typesetter), edition, WHEN, Typesetter(project, "A4"))
        for typesetter in (rejoining, whole)
    ]
    assert proofs[0] == proofs[1]


def test_a_part_whose_pages_the_folio_sheet_cannot_number_is_laid_out_where_it_stands(tmp_path):
    """The further reading follows the register, so a first layout lays it out before knowing
    where it starts, and renumbers it; on pages of a name of their own, which the folio sheet's
    are not, it is laid out again where it stands, and prints the right numbers."""
    project = make_mini(tmp_path / "mini")
    stylesheet = project.styles_dir / "print.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n.further-reading { page: works; }\n")
    edition = checked_edition(project)
    typesetter = Typesetter(project, "A4")
    document = layout(edition, project, Imprint(), DEFAULT, typesetter)
    front = front_matter_pages(document.pages, edition)
    printed = [
        (index - front + 1, [text.text for text in page.texts if text.y > 1000 and text.text.isdigit()])
        for index, page in enumerate(page_drawings(document.pages))
        if index >= front
    ]
    assert all(found in ([], [str(number)]) for number, found in printed), printed
    works = typesetter.parts["further-reading"]
    assert works.first_page == first_pages(document.pages)["further-reading"] - front + 1 > 1
    assert [number for number, found in printed if found][-1] == len(printed)  # the last page printed its own


def test_a_layout_that_runs_out_of_its_window_resumes_from_a_page_the_window_made(session, monkeypatch):
    """Windows of two pages, the last one guarded, on the session's essays of four pages or
    more: sentences added early in an essay move every later line, so no page of the window
    falls back into step. The layout to the part's end then resumes from a page the window
    made, keeping the pages before it, not from the edit again; and gives the pages of a whole
    layout."""
    project, rejoining, whole = session
    monkeypatch.setattr(rejoin, "WINDOW_PAGES", 2)
    monkeypatch.setattr(rejoin, "GUARD_PAGES", 1)
    edition = checked_edition(project)
    insert_before(project, edition, paragraph_mentions(edition, 0)[2][1], SENTENCE * 3)
    renders: list[tuple[int, object]] = []  # where each layout of the rejoining typesetter began, and what ended it
    render_until = rejoining.render_until

    def recorded(html, first_page, *rest, **options):
        document, decided = render_until(html, first_page, *rest, **options)
        renders.append((first_page, decided))
        return document, decided

    monkeypatch.setattr(rejoining, "render_until", recorded)
    edition = checked_edition(project)
    laid_out = [layout(edition, project, Imprint(), DEFAULT, typesetter) for typesetter in (rejoining, whole)]
    outrun = [index for index, (_, decided) in enumerate(renders) if decided == OUT_OF_WINDOW]
    assert outrun, f"the edit fell back into step within its window ({renders}): find another edit"
    assert renders[outrun[0] + 1][0] > renders[outrun[0]][0], "laid out again from the edit"
    drawn = [[(page.texts, page.lines, page.links) for page in page_drawings(document.pages)] for document in laid_out]
    assert drawn[0] == drawn[1]
    assert summary(laid_out[0]) == summary(laid_out[1])
