"""The version rule of the README, as `edition archive` enforces it: the reading text changed other
than by a recorded correction → major; apparatus added → minor; corrections and anything else →
patch; and a version with no change in the change log is refused (and is E060 for `edition
check`). `--allow-version REASON` lets another number through, with the reason in the OCFL
version's message."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from edition.errors import Diagnostic, EditionError, SourceError
from edition.keeping import archive as archiving
from edition.keeping.archive import archive
from edition.keeping.diff import compare
from edition.keeping.rule import check_version, level
from edition.project import Project
from edition.sources.read import load_edition
from tests import command
from tests.edits import edit
from tests.keeping.versions import (
    add_a_paragraph,
    add_an_entry,
    change_a_word,
    copying,
    correct_the_typo,
    raise_version,
    with_typo,
)
from tests.mini import make_mini

FIRST = "1.0.0"


def after(tmp_path: Path, change: Callable[[Project], None]):
    """The diff of the mini-edition (with its typo) and the same after `change`."""
    project = make_mini(tmp_path / "mini")
    with_typo(project)
    before = load_edition(project)
    change(project)
    return compare(before, load_edition(project))


@pytest.mark.parametrize(
    ("change", "expected", "refused"),
    [
        (change_a_word, ("major", "Ames ¶1: words changed, not by a recorded correction"), ["1.0.1", "1.1.0"]),
        (add_a_paragraph, ("major", "Brook ¶2 added"), ["1.0.1", "1.1.0"]),
        (add_an_entry, ("minor", "register entry exile added"), ["1.0.1", "2.0.0"]),
        (correct_the_typo, ("patch", "correction in Ames, ¶1 added"), ["1.1.0", "2.0.0", "1.0.2"]),
    ],
    ids=["an unrecorded change of the reading text", "a new paragraph", "a new register entry", "a correction"],
)
def test_the_rule_gives_one_number_and_refuses_the_others(
    tmp_path: Path, change: Callable[[Project], None], expected: tuple[str, str], refused: list[str]
):
    diff = after(tmp_path, change)
    raised, reasons = level(diff)
    assert (raised, reasons[0]) == expected
    accepted = {"major": "2.0.0", "minor": "1.1.0", "patch": "1.0.1"}[raised]
    check_version(FIRST, accepted, diff)
    for number in refused:
        message = (
            f"version {number} does not follow the version rule: after 1.0.0 the next version is {accepted}, "
            f"a {raised} change ({expected[1]}); number it so in source/edition.xml, or give the reason to keep "
            f"{number} with --allow-version REASON"
        )
        with pytest.raises(EditionError, match=f"^{re.escape(message)}$"):
            check_version(FIRST, number, diff)


def test_a_correction_with_an_unrecorded_change_is_major(tmp_path: Path):
    diff = after(tmp_path, lambda project: (correct_the_typo(project), change_a_word(project)))
    assert level(diff)[0] == "major"


@pytest.fixture
def kept(tmp_path: Path, mini_built: Path) -> Project:
    """The mini-edition with its typo, archived as 1.0.0."""
    project = make_mini(tmp_path / "mini")
    with_typo(project)
    archive(project, project.dist_dir / "archive", copying(mini_built / "dist"))
    return project


def head(project: Project) -> dict:
    inventory = json.loads((project.dist_dir / "archive" / "mini" / "inventory.json").read_text())
    return inventory["versions"][inventory["head"]]


def test_archive_refuses_a_patch_for_a_changed_text_in_one_line_with_exit_2(kept: Project):
    """As `edition archive` runs it: refused before anything is built, the object as it was."""
    change_a_word(kept)
    raise_version(kept, "1.0.1", "A word.")
    before = head(kept)
    result = command.run("archive", cwd=kept.root, timeout=120)
    assert result.returncode == 2
    assert result.stderr == (
        "edition: version 1.0.1 does not follow the version rule: after 1.0.0 the next version is 2.0.0, a major "
        "change (Ames ¶1: words changed, not by a recorded correction); number it so in source/edition.xml, or "
        "give the reason to keep 1.0.1 with --allow-version REASON\n"
    )
    assert head(kept) == before


def test_allow_version_lets_a_number_through_and_keeps_the_reason(kept: Project, mini_built: Path):
    change_a_word(kept)
    raise_version(kept, "1.0.1", "A word.")
    reason = "the lead-in was misread from the capture"
    outcome = archive(kept, kept.dist_dir / "archive", copying(mini_built / "dist"), allow_version=reason)
    assert outcome.version == "v2"
    assert head(kept)["message"] == (
        f"Version 1.0.1 (2026-01-15): A word. [Numbered against the version rule: {reason}]"
    )


def test_archive_accepts_a_patch_for_a_recorded_correction(kept: Project, mini_built: Path):
    correct_the_typo(kept)
    raise_version(kept, "1.0.1", "A correction.")
    assert archive(kept, kept.dist_dir / "archive", copying(mini_built / "dist")).version == "v2"


def test_a_version_with_no_change_in_the_log_is_refused(kept: Project, mini_built: Path):
    edit(kept.edition_file, 'n="1.0.0">Version 1.0.0', 'n="1.0.1">Version 1.0.1')
    with pytest.raises(EditionError, match=re.escape('version 1.0.1 has no <change n="1.0.1"> in the revisionDesc')):
        archive(kept, kept.dist_dir / "archive", copying(mini_built / "dist"))
    result = command.run("check", cwd=kept.root, timeout=120)
    assert result.returncode == 1
    assert re.search(
        r"^source/edition\.xml:\d+:0: E060 version 1\.0\.1 has no <change n=\"1\.0\.1\">", result.stderr, re.M
    )


def test_a_last_version_this_tool_cannot_read_is_named_and_allow_version_passes_it(
    kept: Project, mini_built: Path, monkeypatch: pytest.MonkeyPatch
):
    """As 0.1.0's register was, before the sources stage read a paragraph in a note."""

    def unreadable(*args):
        raise SourceError([Diagnostic("mini v1:source/register.xml", 24, 0, "E010", "Did not expect element p there")])

    monkeypatch.setattr(archiving, "edition_in_object", unreadable)
    correct_the_typo(kept)
    raise_version(kept, "1.0.1", "A correction.")
    with pytest.raises(EditionError) as refused:
        archive(kept, kept.dist_dir / "archive", copying(mini_built / "dist"))
    assert str(refused.value) == (
        "the version rule cannot compare this version with 1.0.0, the last one archived: mini v1:source/register.xml:"
        "24:0: E010 Did not expect element p there; archive with --allow-version REASON to let it through"
    )
    outcome = archive(kept, kept.dist_dir / "archive", copying(mini_built / "dist"), allow_version="read by hand")
    assert outcome.version == "v2"
