"""Which editorial notes the essays carry and where each is called (`sources.apparatus`), on the
mini-edition and copies of it changed by an editor: an identification at an essay's first mention
of an entry, none for a register-only entry or in an author's note, one note shared by a work and
its author named together, called after the last of them; a commentary note at its anchor; and
the problems of commentary notes and anchors that do not meet (E022, E023). The real edition's
apparatus is held to its purpose in test_apparatus.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from edition.project import Project
from edition.sources.check import run_checks
from edition.sources.read import load_edition
from tests.edits import edit
from tests.mini import make_mini


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    return make_mini(tmp_path / "mini")


def notes(project: Project) -> list[tuple[str, str, str, tuple[str, ...], str | None]]:
    """Each editorial note in reading order: its anchor, essay, block, entries and commentary."""
    return [
        (note.anchor, note.essay_id, note.block, note.entries, note.commentary and note.commentary.id)
        for note in load_edition(project).notes.values()
    ]


def problems(project: Project) -> list[str]:
    """The commentary's problems, as `edition check` prints them: `file:line:col: CODE message`."""
    return [str(d) for d in run_checks(project) if d.code in ("E022", "E023")]


MINI_NOTES = [
    # Serge and his book named together in the first paragraph: one note, after the book's name.
    ("ames-2001-p1-m2", "ames-2001", "ames-2001-p1", ("serge", "serge-destiny"), None),
    ("ames-2001-p1-m3", "ames-2001", "ames-2001-p1", ("left-opposition",), None),
    ("ames-2001-p2-m1", "ames-2001", "ames-2001-p2", ("besplannovost",), None),
    ("ames-2001-p3-m1", "ames-2001", "ames-2001-p3", ("moscow-trials",), None),
    # The commentary's anchor comes before the essay's first mention of Serge, which has a note of
    # its own: each essay identifies what it names first.
    ("brook-c-release", "brook-2002", "brook-2002-p1", (), "c-brook-release"),
    ("brook-2002-p1-m1", "brook-2002", "brook-2002-p1", ("serge",), None),
    ("brook-2002-p2-m1", "brook-2002", "brook-2002-p2", ("kulak",), None),
]


def test_the_mini_edition_carries_a_note_at_each_first_mention_and_its_commentary(mini: Project):
    """Not at the second mention of Serge in ames-2001, nor at the names in its author's note."""
    assert notes(mini) == MINI_NOTES
    assert problems(mini) == []


def test_a_register_only_entry_gets_no_note(mini: Project):
    edit(mini.source_dir / "register.xml", '<item xml:id="kulak">', '<item xml:id="kulak" rend="register-only">')
    assert notes(mini) == MINI_NOTES[:-1]


def test_a_name_first_met_in_an_authors_note_gets_no_note_there_nor_later(mini: Project):
    essay = mini.source_dir / "ames-2001.xml"
    edit(essay, '<orgName ref="#left-opposition">Left Opposition</orgName>', "Left Opposition")
    edit(essay, '<title level="m" ref="#serge-destiny">Destiny of a Revolution</title>',
         '<orgName ref="#left-opposition">Left Opposition</orgName>')  # fmt: skip
    assert [note[0] for note in notes(mini)] == [note[0] for note in MINI_NOTES if note[0] != "ames-2001-p1-m3"]


def test_a_work_named_before_its_author_shares_the_note_called_after_the_author(mini: Project):
    essay = mini.source_dir / "ames-2001.xml"
    edit(essay, 'clearly as <persName ref="#serge">Victor Serge</persName>, who wrote '
                '<title level="m" ref="#serge-destiny">Russia Twenty Years After</title> in exile',
         'clearly as <title level="m" ref="#serge-destiny">Russia Twenty Years After</title>, written in exile '
         'by <persName ref="#serge">Victor Serge</persName>')  # fmt: skip
    assert notes(mini)[0] == ("ames-2001-p1-m2", "ames-2001", "ames-2001-p1", ("serge-destiny", "serge"), None)


def test_an_author_and_a_work_named_in_different_blocks_each_have_a_note(mini: Project):
    essay = mini.source_dir / "ames-2001.xml"
    edit(essay, '<title level="m" ref="#serge-destiny">Russia Twenty Years After</title>', "a book")
    edit(
        essay,
        "He called its disorder",
        'In <title level="m" ref="#serge-destiny">Destiny</title> he called its disorder',
    )
    assert notes(mini)[:3] == [
        ("ames-2001-p1-m1", "ames-2001", "ames-2001-p1", ("serge",), None),
        ("ames-2001-p1-m2", "ames-2001", "ames-2001-p1", ("left-opposition",), None),
        ("ames-2001-p2-m1", "ames-2001", "ames-2001-p2", ("serge-destiny",), None),
    ]


def test_a_name_marked_up_inside_another_phrase_is_identified_all_the_same(mini: Project):
    edit(mini.source_dir / "brook-2002.xml", '<term ref="#kulak">kulaks</term>',
         '<hi rend="italic"><term ref="#kulak">kulaks</term></hi>')  # fmt: skip
    assert notes(mini) == MINI_NOTES


def test_an_anchor_that_no_commentary_note_targets_is_e023_at_its_line(mini: Project):
    edit(mini.source_dir / "ames-2001.xml", "is sober.", 'is sober.<anchor xml:id="ames-c-plan"/>')
    assert problems(mini) == ["source/ames-2001.xml:28:0: E023 anchor ames-c-plan is the target of no commentary note"]


def test_a_commentary_note_whose_anchor_is_in_no_essay_is_e022_at_its_line(mini: Project):
    edit(mini.source_dir / "commentary.xml", 'target="#brook-c-release"', 'target="#nowhere"')
    edit(mini.source_dir / "brook-2002.xml", '<anchor xml:id="brook-c-release"/>', "")
    assert problems(mini) == [
        "source/commentary.xml:13:0: E022 commentary c-brook-release points at no anchor in an essay: #nowhere"
    ]


def test_two_commentary_notes_at_one_anchor_are_e022_for_the_second(mini: Project):
    note = mini.source_dir / "commentary.xml"
    edit(note, "    </listAnnotation>", '      <note xml:id="c-again" type="commentary" target="#brook-c-release">'
                                       "A second note on the release.</note>\n    </listAnnotation>")  # fmt: skip
    assert problems(mini) == [
        "source/commentary.xml:14:0: E022 commentary c-again targets #brook-c-release, as c-brook-release does"
    ]
