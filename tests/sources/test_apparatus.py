"""The editorial apparatus serves the essays: short identifications, commentary where it is
needed, never a note that repeats its sentence, never notes that crowd the page, and in the EPUB
never a note between two paragraphs."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from edition.sources.model import Edition, Entry, Quotation, plain
from edition.sources.register import labelled_content
from tests.page_balance import balance

XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text.casefold())


def identification_words(entry: Entry) -> int:
    """The words of an identification as a note prints it: name, dates and the editors' sentence."""
    return len(f"{plain(entry.head)} {entry.dates} {plain(entry.identification)}".split())


def test_every_identification_is_short(edition: Edition):
    lengths = {entry.id: identification_words(entry) for entry in edition.entries.values()}
    too_long = {entry: count for entry, count in lengths.items() if not 8 <= count <= 35}
    assert not too_long, f"identifications outside 8–35 words: {too_long}"


def test_every_commentary_note_is_at_most_90_words(edition: Edition):
    commentary = [note.commentary for note in edition.notes.values() if note.commentary]
    assert commentary, "the edition has commentary notes"
    too_long = {note.id: n for note in commentary if (n := len(plain(note.content).split())) > 90}
    assert not too_long


def test_a_work_and_its_author_named_together_share_one_note(edition: Edition):
    for essay in edition.essays:
        by_block: dict[str, list[tuple[str, ...]]] = {}
        for note in edition.notes_of(essay):
            by_block.setdefault(note.block, []).append(note.entries)
        for block, notes in by_block.items():
            for index, entries in enumerate(notes):
                for other in notes[index + 1 :]:
                    for entry in entries:
                        for second in other:
                            pair = {entry, second}
                            related = set(edition.entries[entry].related) | set(edition.entries[second].related)
                            assert not (pair & related), f"{block}: {entry} and {second} have a note each"


def test_the_pairs_named_together_are_found(edition: Edition):
    """The rule above holds because pairs are found: Ciliga and his book share a note."""
    joint = [note.entries for note in edition.notes.values() if len(note.entries) > 1]
    assert ("ciliga", "ciliga-enigma") in joint


def test_no_note_repeats_eight_words_of_the_passage_it_annotates(edition: Edition):
    def runs(text: str) -> set[tuple[str, ...]]:
        tokens = words(text)
        return {tuple(tokens[i : i + 8]) for i in range(len(tokens) - 7)}

    for essay in edition.essays:
        text_of = {block: plain(content) for block, _where, content in labelled_content(essay)}
        for note in edition.notes_of(essay):
            parts = (
                [note.commentary.content]
                if note.commentary
                else [edition.entries[e].identification for e in note.entries]
            )
            for part in parts:
                shared = runs(plain(part)) & runs(text_of[note.block])
                assert not shared, f"{note.anchor} repeats: {' '.join(next(iter(shared)))}"


def test_register_only_entries_get_no_footnote(edition: Edition):
    quiet = {entry.id for entry in edition.entries.values() if entry.register_only}
    assert quiet
    assert not quiet & {entry for note in edition.notes.values() for entry in note.entries}


def test_every_first_mention_in_an_essays_text_calls_its_identification(edition: Edition):
    """Not in the authors' notes, which are references already: the register identifies all they cite."""
    called = {(note.essay_id, entry) for note in edition.notes.values() for entry in note.entries}
    authors_notes = {note.id for essay in edition.essays for note in essay.notes}
    for entry in edition.entries.values():
        for mention in entry.mentions:
            if not mention.first:
                continue
            identified = (mention.essay_id, entry.id) in called
            in_a_note = mention.anchor.rsplit("-m", 1)[0] in authors_notes
            assert identified == (not entry.register_only and not in_a_note), (entry.id, mention.essay_id)


def test_no_editors_text_quotes_a_reading_the_transcription_corrects(edition: Edition):
    """The editors' notes must not blame an author for a capture error the edition corrects."""
    apparatus = " ".join(
        [plain(entry.identification) for entry in edition.entries.values()]
        + [plain(note.commentary.content) for note in edition.notes.values() if note.commentary]
    )
    for correction in edition.corrections:
        sic = correction.sic.strip()
        if len(sic) >= 5:
            assert sic not in apparatus, f"the apparatus repeats the capture's “{sic}”"


def essays_words(edition: Edition) -> int:
    """The words of the essays: their paragraphs, quotations and authors' notes."""
    texts = [note.content for essay in edition.essays for note in essay.notes]
    for essay in edition.essays:
        for block in essay.body:
            texts += [*block.paragraphs, block.reference] if isinstance(block, Quotation) else [block.content]
    return sum(len(plain(text).split()) for text in texts)


def test_footnotes_leave_the_page_to_the_text(outputs: dict[str, Path], edition: Edition):
    """On the A4 edition: the footnote area takes at most a quarter of the text block on average,
    never more than 45 %, and the footnotes set at most 57 words for every 100 of the essays
    (3,322 for 5,967 in 0.3.0)."""
    pages = balance(outputs["pdf"])
    assert pages
    average = sum(page.share for page in pages) / len(pages)
    assert average <= 0.25, f"{average:.1%}"
    worst = max(pages, key=lambda page: page.share)
    assert worst.share <= 0.45, f"page {worst.page}: {worst.share:.1%}"
    words = sum(page.words for page in pages)
    assert words <= 0.57 * essays_words(edition), f"{words} words of footnotes for {essays_words(edition)}"


def test_in_the_epub_no_note_stands_between_two_paragraphs(outputs: dict[str, Path], edition: Edition):
    with zipfile.ZipFile(outputs["epub"]) as epub:
        for essay in edition.essays:
            document = etree.fromstring(epub.read(f"EPUB/{essay.id}.xhtml"))
            body = document.xpath("//x:section[@epub:type='chapter']", namespaces=XHTML)[0]
            order = [element for element in body.iter() if isinstance(element.tag, str)]
            paragraphs = [order.index(p) for p in body.xpath(".//x:p[@class='para']", namespaces=XHTML)]
            asides = body.xpath(".//x:aside", namespaces=XHTML)
            assert len(asides) == len(edition.notes_of(essay))
            for aside in asides:
                assert order.index(aside) > max(paragraphs)
                assert aside.getparent().get("class") == "editorial-notes"
                assert aside.get("role") == "doc-footnote"
                (back,) = aside.xpath(".//x:a[@role='doc-backlink']", namespaces=XHTML)
                call = back.get("href").removeprefix("#")
                (noteref,) = body.xpath(f".//x:a[@id='{call}']", namespaces=XHTML)
                assert noteref.get("href") == f"#{aside.get('id')}"
                assert noteref.get("{http://www.idpf.org/2007/ops}type") == "noteref"
            for note in body.xpath(".//x:section[@epub:type='endnotes']//x:li", namespaces=XHTML):
                assert note.get("{http://www.idpf.org/2007/ops}type") == "endnote"
