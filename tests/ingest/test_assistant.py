"""The editor's assistant: scanning suspects and unmarked names, on the received texts and the
edition's own; accepting and applying them changes only what they name, and only in the text the
editor last checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from edition.ingest.importer import Request, import_document
from edition.ingest.mentions import apply, find_mentions, register_names
from edition.ingest.suspects import find_suspects
from edition.project import Project
from tests import command
from tests.conftest import ROOT
from tests.mini import make_mini
from tests.names import EDITION

WEISSMAN = next(essay for essay in EDITION.essays if essay.id == "weissman-1988")


@pytest.fixture(scope="module")
def imported_weissman(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Weissman's essay as received, imported into a fresh project: the text an editor would check."""
    project = make_mini(tmp_path_factory.mktemp("weissman") / "project")
    received = ROOT / "tests" / "received" / "weissman-1988.txt"
    told = Request(received, title=WEISSMAN.title, author=WEISSMAN.author, date="1988-05")
    return import_document(project, told).essay.read_text()


def caught(sic: str, suspects) -> bool:
    """Whether a suspect stands on the reading a correction replaced (the one inside the other)."""
    core = sic.strip(" .,")
    return any(core in s.received or (len(s.received) > 2 and s.received in core) for s in suspects)


def test_the_suspects_in_weissman_s_essay_find_the_corrections_the_edition_made_by_hand(imported_weissman: str):
    suspects = find_suspects(imported_weissman, set())
    corrections = WEISSMAN.corrections
    found = [c.sic for c in corrections if caught(c.sic, suspects)]
    missed = [c.sic for c in corrections if not caught(c.sic, suspects)]
    print(f"{len(found)} of {len(corrections)} corrections among {len(suspects)} suspects; missed: {missed}")
    assert len(found) >= 12
    assert len(suspects) <= 3 * len(corrections)


@pytest.mark.parametrize(
    "text, code, received, reading",
    [
        ("the plan was put in tum", "S003", "tum", "turn"),
        ("we read tbe reports", "S003", "tbe", "the"),
        ("Serge wrote 1rente Ans Apres", "S001", "1rente", "1rente"),
        ("needed else where, he said", "S002", "else where", "elsewhere"),
        ("the organi- zation of labour", "S002", "organi- zation", "organization"),
        ("from 1927- 1937 and on", "S002", "7- 1", "7-1"),
        ("planning(as he said)", "S002", "g(a", "g (a"),
        ("pages 9-32.Translated later", "S002", "2.Tr", "2. Tr"),
        ("the SotsialisticheskiiVestnik wrote", "S002", "SotsialisticheskiiVestnik", "Sotsialisticheskii Vestnik"),
        ("his friends saw him barely hiding His cynicism", "S005", "His", "his"),
        ("the lndustrie of France", "S003", "lndustrie", "Industrie"),
        ("a revolutionery party", "S004", "revolutionery", "revolutionary"),
    ],
)
def test_each_kind_of_suspect(text: str, code: str, received: str, reading: str):
    source = f'<TEI xml:lang="en"><text><body><p>{text}</p></body></text></TEI>'
    (suspect,) = find_suspects(source, set())
    assert (suspect.code, suspect.received, suspect.reading) == (code, received, reading)


@pytest.mark.parametrize(
    "text",
    [
        '<p>a <foreign xml:lang="fr">tum</foreign> here</p>',  # another language
        "<p>a <choice><sic>tum</sic><corr>turn</corr></choice> here</p>",  # corrected already
        "<p>in the 1930s and the ’30s, on the 2nd</p>",  # figures that belong together
        '<p>in <title level="m">Soviets 1929</title></p>',  # a title
        "<p>He read The Revolution Betrayed, then Soviet plans.</p>",  # title case, a name
    ],
)
def test_what_is_no_suspect(text: str):
    assert find_suspects(f'<TEI xml:lang="en"><text><body>{text}</body></text></TEI>', set()) == []


def stripped(text: str) -> str:
    """The essay with every mark of a register entry taken away: names unwrapped, titles' refs removed."""
    text = re.sub(r'<(persName|orgName|name|term)(?: type="event")? ref="#[^"]+">', "", text)
    text = re.sub(r"</(persName|orgName|name|term)>", "", text)
    return re.sub(r'(<title[^>]*?) ref="#[^"]+"', r"\1", text)


def marks(text: str) -> set[tuple[int, int, str]]:
    """Each mark of the essay's text: (where it starts and ends in the text, its entry)."""
    found = set()
    position = 0

    def walk(element: etree._Element) -> None:
        nonlocal position
        start = position
        position += len(element.text or "")
        for child in element:
            walk(child)
            position += len(child.tail or "")
        if element.get("ref"):
            found.add((start, position, element.get("ref")))

    walk(etree.fromstring(text.encode()).find("{http://www.tei-c.org/ns/1.0}text"))
    return found


def test_filtzer_s_marks_taken_away_are_restored_nine_in_ten_and_none_to_a_wrong_entry(scratch_project: Project):
    essay = scratch_project.source_dir / "filtzer-1998.xml"
    original = essay.read_text()
    names = register_names(etree.parse(str(scratch_project.source_dir / "register.xml")))
    bare = stripped(original)
    restored, marked = apply(bare, find_mentions(bare, names))
    before, after = marks(original), marks(restored)
    assert len(before & after) >= 0.9 * len(before), f"{len(before & after)} of {len(before)}"
    same_place = {(start, end): entry for start, end, entry in before}
    assert [m for m in after if same_place.get(m[:2], m[2]) != m[2]] == []  # no span marked for another entry
    # every byte but the inserted marks is as it was: taking them out again gives the bare text
    insertions = sorted(change for mention in marked for change in mention.insertion)
    assert all(start == end for start, end, _ in insertions)
    unmarked = restored
    for start, _, inserted in insertions:
        assert unmarked[start : start + len(inserted)] == inserted
        unmarked = unmarked[:start] + unmarked[start + len(inserted) :]
    assert unmarked == bare
    essay.write_text(restored)  # every mark it adds passes the checks (the register's entries whose only
    # mention was among the tenth not restored are reported as mentioned nowhere: E031, in the register)
    checked = command.run("check", cwd=scratch_project.root, timeout=120)
    assert [line for line in checked.stderr.splitlines() if line.startswith("source/filtzer-1998.xml")] == []
    assert {line.split()[1] for line in checked.stderr.splitlines() if line.startswith("source/")} <= {"E031"}


@pytest.fixture
def checked(tmp_path: Path) -> tuple[Project, Path]:
    """The mini-edition with a suspect and an unmarked name in an essay, checked once."""
    project = make_mini(tmp_path / "project")
    essay = project.source_dir / "ames-2001.xml"
    essay.write_text(essay.read_text().replace("in exile.", "in exile, and tbe Left Opposition said so."))
    done = command.run("check", "--suspects", "--mentions", cwd=project.root, timeout=120)
    assert done.returncode == 0, done.stderr
    return project, essay


def place_of(project: Project, code: str) -> str:
    done = command.run("check", "--suspects", "--mentions", cwd=project.root, timeout=120)
    return next(line for line in done.stdout.splitlines() if f": {code} " in line).split(": ")[0]


def test_a_suspect_accepted_becomes_a_recorded_correction_and_nothing_else_changes(checked):
    project, essay = checked
    before = essay.read_text()
    place = place_of(project, "S003")
    done = command.run("check", "--accept", place, cwd=project.root, timeout=120)
    assert done.returncode == 0, done.stderr
    after = essay.read_text()
    assert after == before.replace(" tbe ", " <choice><sic>tbe</sic><corr>the</corr></choice> ", 1)
    refused = command.run("check", "--accept", place, cwd=project.root, timeout=120)  # no longer a suspect
    assert refused.returncode == 2 and "no suspect stands there" in refused.stderr
    assert essay.read_text() == after


def test_accept_and_apply_refuse_a_text_changed_since_the_check(checked):
    project, essay = checked
    place = place_of(project, "S003")
    essay.write_text(essay.read_text().replace("clearly", "plainly"))  # the editor edits after the check
    changed = essay.read_text()
    for arguments in (["--accept", place], ["--mentions", "--apply"]):
        done = command.run("check", *arguments, cwd=project.root, timeout=120)
        assert done.returncode == 2 and "changed since the last `edition check" in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) == 1 and essay.read_text() == changed


def test_accept_and_apply_refuse_a_text_never_checked(tmp_path: Path):
    project = make_mini(tmp_path / "project")
    for arguments in (["--accept", "source/ames-2001.xml:27:10"], ["--mentions", "--apply"]):
        done = command.run("check", *arguments, cwd=project.root, timeout=120)
        assert done.returncode == 2 and "first, and read what it finds" in done.stderr, done.stderr


def test_apply_marks_the_unmarked_name_with_its_entry_s_element(checked):
    project, essay = checked
    before = essay.read_text()
    done = command.run("check", "--mentions", "--apply", cwd=project.root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert essay.read_text() == before.replace(
        "tbe Left Opposition said", 'tbe <orgName ref="#left-opposition">Left Opposition</orgName> said', 1
    )
    assert "as #left-opposition" in done.stdout


REGISTER = """<TEI xmlns="http://www.tei-c.org/ns/1.0"><standOff>
<listPerson><person xml:id="adam-smith"><persName>Adam Smith</persName></person>
<person xml:id="andrew-smith"><persName>Andrew Smith</persName></person>
<person xml:id="trotsky"><persName>Leon Trotsky</persName></person></listPerson>
<listEvent><event xml:id="great-terror"><label>Great Terror (the purges)</label><label type="variant">terror</label>
</event></listEvent></standOff></TEI>"""


def test_a_name_two_entries_share_or_a_common_word_is_listed_not_marked():
    names = register_names(etree.ElementTree(etree.fromstring(REGISTER)))
    text = (
        '<TEI xml:lang="en"><text><body><p>Smith met Trotsky; the terror and the Great Terror.</p></body></text></TEI>'
    )
    found = {(m.code, m.text, m.entries) for m in find_mentions(text, names)}
    assert found == {
        ("M002", "Smith", ("adam-smith", "andrew-smith")),  # a surname two persons share
        ("M001", "Trotsky", ("trotsky",)),  # one person's surname
        ("M002", "terror", ("great-terror",)),  # a common word
        ("M001", "Great Terror", ("great-terror",)),  # the label without what it adds in brackets
    }
    marked, _ = apply(text, find_mentions(text, names))
    assert '<persName ref="#trotsky">Trotsky</persName>' in marked and "Smith met" in marked
    assert '<name type="event" ref="#great-terror">Great Terror</name>' in marked
