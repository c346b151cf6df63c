"""`edition diff`: what changed between two versions, and where each citation went.

On the mini-edition: a paragraph split, two joined, one inserted, one deleted, each with the
citation map a reader needs; paragraphs matched by their stable ids where they have them; every
paragraph of both versions mapped. On this repository's own history: 0.1.0 against the edition
as it is now names the "(])" correction, the four register entries and the ten notes of
commentary added, and maps every paragraph. The revisions are read as folders, as versions of
the OCFL object and as git revisions, and a hostile git configuration runs nothing. The page
`--html` writes passes axe-core in Chromium."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from edition import cli
from edition.keeping.archive import archive
from edition.keeping.diff import Diff, compare
from edition.keeping.report import as_text
from edition.keeping.revisions import edition_in_git
from edition.project import Project
from edition.sources.model import Edition
from edition.sources.read import load_edition
from tests.conftest import ROOT
from tests.edits import edit
from tests.keeping.versions import KINDS, copying, essay, raise_version, with_typo
from tests.mini import make_mini

# 0.1.0 as released: the last commit before the work towards 0.2.0 began (9fc1280, which began the
# commentary, left the number at 0.1.0 until cea592d raised it).
RELEASE_0_1_0 = "361ae1b"


def citations(diff: Diff, essay_id: str) -> list[tuple[str, list[int], list[int]]]:
    (changes,) = [essay for essay in diff.essays if essay.id == essay_id]
    return [(passage.kind, passage.old_numbers, passage.new_numbers) for passage in changes.paragraphs]


def edited(project: Project, *edits: tuple[str, str, str]) -> Edition:
    """The mini-edition with the edits made (file stem, old, new), read anew."""
    for name, old, new in edits:
        edit(essay(project, name), old, new)
    return load_edition(project)


@pytest.fixture
def mini(tmp_path: Path) -> Project:
    return make_mini(tmp_path / "mini")


AMES_1 = "He described the <orgName"
AMES_2_3 = "and wrote:</p>"


def test_a_split_paragraph_maps_to_both_halves_and_moves_the_rest(mini: Project):
    before = load_edition(mini)
    after = edited(mini, ("ames-2001", " " + AMES_1, "</p>\n      <p>" + AMES_1))
    diff = compare(before, after)
    assert citations(diff, "ames-2001") == [("split", [1], [1, 2]), ("same", [2], [3]), ("same", [3], [4])]
    assert citations(diff, "brook-2002") == [("same", [1], [1]), ("same", [2], [2])]
    assert "  Ames: ¶1 split into ¶1–2" in as_text(diff) and "  Ames: ¶2–3 → ¶3–4" in as_text(diff)


def test_joined_paragraphs_map_to_one(mini: Project):
    before = load_edition(mini)
    after = edited(mini, ("brook-2002", "to Paris.</p>\n      <p>He died", "to Paris. He died"))
    assert citations(compare(before, after), "brook-2002") == [("joined", [1, 2], [1])]


def test_an_inserted_and_a_deleted_paragraph(mini: Project):
    """Brook gains a ¶2, which takes up the word of the ¶2 Ames loses (so that its register entry
    is still mentioned)."""
    word = '<term ref="#besplannovost"><foreign xml:lang="ru">besplannovost</foreign></term>'
    before = load_edition(mini)
    after = edited(
        mini,
        (
            "brook-2002",
            "<p>He died",
            f"<p>In Paris he wrote of {word} for the press of the left.</p>\n      <p>He died",
        ),
        ("ames-2001", f"<p>His account of planning is sober. He called its disorder {word}, and wrote:</p>", ""),
    )
    diff = compare(before, after)
    assert citations(diff, "brook-2002") == [("same", [1], [1]), ("inserted", [], [2]), ("same", [2], [3])]
    assert citations(diff, "ames-2001") == [("same", [1], [1]), ("deleted", [2], []), ("same", [3], [2])]
    lines = as_text(diff)
    assert "  Brook: ¶2 new" in lines and "  Ames: ¶2 deleted" in lines and "  Ames: ¶3 → ¶2" in lines
    assert "  added    Brook ¶2: besplannovost (besplannovost)" in lines  # the mention went with it
    assert "  removed  Ames ¶2 of 1.0.0: besplannovost (besplannovost)" in lines


def test_a_changed_paragraph_keeps_its_number_and_its_changed_words_are_marked(mini: Project):
    before = load_edition(mini)
    after = edited(mini, ("brook-2002", "He died in Mexico", "He died, poor, in Mexico"))
    diff = compare(before, after)
    assert citations(diff, "brook-2002") == [("same", [1], [1]), ("changed", [2], [2])]
    assert "    He died{+, poor,+} in Mexico in 1947. The kulaks …" in as_text(diff)  # six words after


def test_stable_ids_match_paragraphs_whatever_their_text(mini: Project):
    """Brook ¶2 rewritten from end to end: by its text it is a paragraph deleted and another
    inserted; with the same xml:id in both versions, it is the same paragraph, changed."""
    rewritten = (
        "brook-2002",
        'He died in Mexico in 1947. The <term ref="#kulak">kulaks</term> he had written of were long gone.',
        'Exile ended only with death, far from home; by then the <term ref="#kulak">kulaks</term> were a memory.',
    )
    before = load_edition(mini)
    after = edited(mini, rewritten)
    assert citations(compare(before, after), "brook-2002") == [
        ("same", [1], [1]), ("deleted", [2], []), ("inserted", [], [2])
    ]  # fmt: skip
    with_ids = make_mini(mini.root.parent / "with-ids")
    edit(essay(with_ids, "brook-2002"), "<p>He died", '<p xml:id="brook-death">He died')
    before = load_edition(with_ids)
    after = edited(with_ids, rewritten)
    assert citations(compare(before, after), "brook-2002") == [("same", [1], [1]), ("changed", [2], [2])]


def test_every_paragraph_of_both_versions_is_mapped_once(mini: Project):
    before = load_edition(mini)
    after = edited(
        mini,
        ("ames-2001", " " + AMES_1, "</p>\n      <p>" + AMES_1),
        ("brook-2002", "to Paris.</p>\n      <p>He died", "to Paris. He died"),
    )
    for essay_before, essay_after, changes in zip(
        before.essays, after.essays, compare(before, after).essays, strict=True
    ):
        old = [number for passage in changes.paragraphs for number in passage.old_numbers]
        new = [number for passage in changes.paragraphs for number in passage.new_numbers]
        assert old == [p.number for p in essay_before.paragraphs]
        assert new == [p.number for p in essay_after.paragraphs]


@pytest.fixture(scope="module")
def since_0_1_0(project: Project) -> Diff:
    """0.1.0 from git against the edition as it is in this folder."""
    old = edition_in_git(project, RELEASE_0_1_0, RELEASE_0_1_0)
    assert old.version == "0.1.0"
    return compare(old, load_edition(project))


def test_since_0_1_0_the_bracket_is_a_correction_that_changed(since_0_1_0: Diff):
    (bracket,) = [item for item in since_0_1_0.corrections if "(])" in item.id]
    assert (bracket.kind, bracket.label, bracket.old, bracket.new) == (
        "changed", "Weissman, headnote", "reforms.(1)", "reforms.]"
    )  # fmt: skip
    (weissman,) = [essay for essay in since_0_1_0.essays if essay.name == "Weissman"]
    (headnote,) = [passage for passage in weissman.other if passage.old == ("headnote",)]
    assert headnote.kind == "changed" and headnote.corrected  # the received text is the same


def test_since_0_1_0_four_register_entries_and_ten_notes_of_commentary_were_added(since_0_1_0: Diff):
    added = {item.id for item in since_0_1_0.entries if item.kind == "added"}
    assert {"socialist-revolutionaries", "technocracy", "class-nature-debate", "god-that-failed"} <= added
    commentary = {item.id for item in since_0_1_0.commentary if item.kind == "added"}
    assert {
        "c-filtzer-arrival", "c-filtzer-death-penalty", "c-filtzer-kronstadt", "c-filtzer-stalin-role",
        "c-weissman-famine", "c-weissman-ivanovo", "c-weissman-unplanned", "c-weissman-executions",
        "c-weissman-forced-labour", "c-weissman-dallin",
    } <= commentary  # fmt: skip


def test_since_0_1_0_every_paragraph_is_mapped(since_0_1_0: Diff, edition: Edition):
    """Every paragraph of the two essays of 0.1.0 to its number now; an essay added since is all new."""
    for changes in since_0_1_0.essays:
        old = [number for passage in changes.paragraphs for number in passage.old_numbers]
        new = [number for passage in changes.paragraphs for number in passage.new_numbers]
        (now,) = [essay for essay in edition.essays if essay.id == changes.id]
        assert new == [p.number for p in now.paragraphs]
        if changes.id in ("filtzer-1998", "weissman-1988"):  # the essays of 0.1.0, each of 39 paragraphs or more
            assert old == list(range(1, len(old) + 1)) and len(old) >= 39
        else:
            assert old == []


def run(*args: str, cwd: Path) -> tuple[int, str, str]:
    """`edition *args` in this process (in `cwd`): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(cwd):
        code = cli.main(["--project", str(cwd), *args])
    return code, out.getvalue(), err.getvalue()


def test_the_command_reads_a_folder_a_kept_version_and_a_git_revision(tmp_path: Path):
    """A git repository of the mini-edition with two commits, 1.0.0 archived as v1: `v1`,
    `1.0.0`, `HEAD~1` and the folder of a copy all name the first version."""
    project = make_mini(tmp_path / "mini")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=project.root, check=True)
    subprocess.run([*git, "add", "source"], cwd=project.root, check=True)
    subprocess.run([*git, "commit", "-qm", "1.0.0"], cwd=project.root, check=True)
    shutil.copytree(project.source_dir, tmp_path / "first" / "source")
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    archive(project, project.dist_dir / "archive", copying(outputs))
    edit(essay(project, "brook-2002"), "He died in Mexico", "He died, poor, in Mexico")
    raise_version(project, "2.0.0", "A word added.")
    subprocess.run([*git, "commit", "-qam", "2.0.0"], cwd=project.root, check=True)
    outputs_json = []
    for old in ("v1", "1.0.0", "HEAD~1", str(tmp_path / "first")):
        code, out, err = run("diff", old, "HEAD", "--json", cwd=project.root)
        assert (code, err) == (0, ""), old
        outputs_json.append(json.loads(out))
        assert outputs_json[-1]["old"]["version"] == "1.0.0" and outputs_json[-1]["new"]["version"] == "2.0.0"
        assert outputs_json[-1]["rule"] == {
            "level": "major", "reasons": ["Brook ¶2: words changed, not by a recorded correction"],
            "next": "2.0.0", "follows": True, "said": "2.0.0 follows it",
        }  # fmt: skip
    assert len({json.dumps(data["essays"]) for data in outputs_json}) == 1
    assert outputs_json[0]["old"]["label"] == "1.0.0 (v1 of dist/archive/mini)"
    assert outputs_json[2]["old"]["label"] == "1.0.0 (git HEAD~1)"
    code, out, err = run("diff", "nowhere", "HEAD", cwd=project.root)
    assert code == 2 and out == ""
    assert err == (
        "edition: 'nowhere' is neither a project folder, nor a version in the OCFL object under dist/archive/, "
        "nor a git revision of this project\n"
    )


def test_reading_a_git_revision_runs_nothing_the_repository_names(tmp_path: Path):
    """A repository whose .git/config names a program for git to run (an fsmonitor, hooks, a
    filter, a text conversion) that leaves a mark: `git status` runs it, `edition diff` does not."""
    project = make_mini(tmp_path / "mini")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=project.root, check=True)
    (project.root / ".gitattributes").write_text("*.xml filter=mark diff=mark\n")
    subprocess.run([*git, "add", "source", ".gitattributes"], cwd=project.root, check=True)
    subprocess.run([*git, "commit", "-qm", "1.0.0"], cwd=project.root, check=True)
    mark = tmp_path / "ran"
    program = tmp_path / "program"
    program.write_text(f'#!/bin/sh\necho "$0 $@" >> {mark}\ncat\n')
    program.chmod(0o755)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "pre-commit", "reference-transaction", "post-index-change"):
        shutil.copy(program, hooks / hook)
    names = ["core.fsmonitor", "filter.mark.clean", "filter.mark.smudge", "diff.mark.textconv", "core.pager"]
    for key, value in [*((name, program) for name in names), ("core.hooksPath", hooks)]:
        subprocess.run(["git", "config", key, str(value)], cwd=project.root, check=True)
    code, out, err = run("diff", "HEAD", ".", "--json", cwd=project.root)
    assert (code, err) == (0, "")
    assert json.loads(out)["old"]["label"] == "1.0.0 (git HEAD)"
    assert not mark.exists()
    os.utime(essay(project, "brook-2002"))  # so that git status looks at the file again
    subprocess.run(["git", "status", "--short"], cwd=project.root, capture_output=True, check=True)
    assert mark.exists()  # the configuration does run a program, for git's porcelain


CHROMIUM = os.environ.get("ACE_CHROMIUM", "/usr/bin/chromium")


def test_the_html_page_stands_alone_and_axe_core_finds_no_violation(tmp_path: Path):
    """The page of a diff with every kind of change (a split, a join, a correction, an entry and a
    note of commentary added, an identification changed, mentions added and removed), written by
    `edition diff --html`, checked by axe-core in Chromium, as Ace checks the EPUB."""
    old = make_mini(tmp_path / "old")
    with_typo(old)
    new = make_mini(tmp_path / "new")
    with_typo(new)
    for change, _ in KINDS.values():
        change(new)
    edit(essay(new), " " + AMES_1, "</p>\n      <p>" + AMES_1)
    edit(essay(new, "brook-2002"), "to Paris.</p>\n      <p>In Paris", "to Paris. In Paris")
    edit(new.source_dir / "register.xml", "who hired labour.", "who hired the labour of others.")
    raise_version(new, "2.0.0", "Everything at once.")
    page = tmp_path / "diff.html"
    code, out, err = run("diff", str(old.root), str(new.root), "--html", str(page), cwd=new.root)
    assert (code, err) == (0, ""), err
    assert out.endswith(f"wrote {page}\n")
    html = page.read_text()
    assert html.count("<tr") == 1 + 3 + 1 + 2  # a heading row and a row for each paragraph's match
    assert '<del><span class="spoken">removed: </span>' in html and '<ins><span class="spoken">added: </span>' in html
    assert not any(marker in html for marker in ("<script", "http://", "https://", "src=", "<link"))
    if not (ROOT / "node_modules" / "puppeteer").is_dir() or not Path(CHROMIUM).exists():
        pytest.fail("puppeteer (node_modules/) or Chromium is missing: run ./run test, which installs them")
    done = subprocess.run(
        ["node", str(Path(__file__).with_name("axe.js")), str(ROOT), str(page)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "CHROMIUM": CHROMIUM},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["violations"] == [], json.dumps(report["violations"], indent=2)
    assert {"color-contrast", "document-title", "html-has-lang", "th-has-data-cells"} <= set(report["passes"])
    assert {url for url in report["requested"]} == {page.as_uri()}
