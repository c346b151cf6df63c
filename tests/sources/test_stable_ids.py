"""Anchors survive an edit: every id the outputs expose (mentions, notes, note calls, page marks)
derives from the essay and paragraph it stands in, so links and citations into an archived
version keep working in the next, and `edition watch` lays out again only what changed."""

from __future__ import annotations

import re
import shutil

import pytest

from edition.html import epub_chapters, print_part, print_parts
from edition.project import Project
from edition.sources.model import Edition, Imprint
from edition.sources.read import load_edition
from edition.sources.register import labelled_content


@pytest.fixture(scope="module")
def edited(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Edition:
    """The edition with one mention added to Filtzer's ¶12: a person named again."""
    root = tmp_path_factory.mktemp("edited")
    for folder in ("source", "styles"):
        shutil.copytree(project.root / folder, root / folder)
    essay = root / "source" / "filtzer-1998.xml"
    text = essay.read_text(encoding="utf-8")
    paragraphs = list(re.finditer(r"<p>.*?</p>", text[text.index("<body>") :], re.S))
    twelfth = paragraphs[11]
    start = text.index("<body>") + twelfth.start() + len("<p>")
    essay.write_text(text[:start] + '<persName ref="#stalin">Stalin</persName>: ' + text[start:], encoding="utf-8")
    return load_edition(Project(root))


def ids(markup: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', markup))


def test_an_edit_in_one_essay_changes_nothing_in_the_other(edition: Edition, edited: Edition):
    before = {part.name: part for part in print_parts(edition)}
    after = {part.name: part for part in print_parts(edited)}
    weissman = "weissman-1988"
    assert print_part(edition, Imprint(), before[weissman], {}) == print_part(edited, Imprint(), after[weissman], {})


def test_an_edit_in_a_paragraph_changes_no_id_outside_it(edition: Edition, edited: Edition):
    def chapter_ids(source: Edition) -> dict[str, set[str]]:
        chapters = epub_chapters(source, Imprint(), "css/edition.css", [], ("images/cover.png", "cover"))
        return {chapter.file_name: ids(chapter.xhtml) for chapter in chapters}

    before, after = chapter_ids(edition), chapter_ids(edited)
    paragraph = "filtzer-1998-p12"
    assert before.keys() == after.keys()
    for name in before:
        changed = before[name] ^ after[name]
        assert all(paragraph in anchor for anchor in changed), f"{name}: {sorted(changed)[:5]}"
    assert before["filtzer-1998.xhtml"] != after["filtzer-1998.xhtml"], "the edit added a mention"


def test_a_mention_is_anchored_by_its_block(edition: Edition):
    """`<block id>-m<n>`: the n-th mention in that paragraph, heading, note… of its essay."""
    blocks = {essay.id: {block for block, _, _ in labelled_content(essay)} for essay in edition.essays}
    for entry in edition.entries.values():
        for mention in entry.mentions:
            block, number = mention.anchor.rsplit("-m", 1)
            assert block in blocks[mention.essay_id] and number.isdigit(), mention.anchor
