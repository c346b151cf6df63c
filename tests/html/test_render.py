"""The renderers on tiny hand-made editions, without WeasyPrint: each capability of an output
does what its name says, whatever the other capabilities are, and nothing a renderer writes
depends on what it rendered before."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from lxml import etree

from edition.html import EPUB, FRONT, PRINT, InlineRenderer, epub_chapters, print_part, print_parts
from edition.html.epub import PageMarkingRenderer, insert_page_breaks, page_marks
from edition.html.shared import Output, render
from edition.project import Project
from edition.sources.check import generated_ids
from edition.sources.model import (
    Edition,
    EditorialNote,
    Entry,
    Essay,
    Heading,
    Imprint,
    Mention,
    Note,
    PageStart,
    Paragraph,
    Quotation,
    RegisterSection,
    Span,
    Work,
    alnum,
)
from edition.sources.read import load_edition, read_sources
from edition.sources.tei import XML_ID
from tests.mini import make_mini

PACKAGE = Path(__file__).resolve().parents[2] / "edition"


def switched(output: Output, **capabilities: bool) -> Output:
    """The output with these capabilities switched on (True) or off (False)."""
    on = {name for name, value in capabilities.items() if value}
    return replace(output, capabilities=(output.capabilities - capabilities.keys()) | on)


WORK = {"work": "w"}


def tiny_edition() -> Edition:
    """One essay of a heading, two paragraphs and a quotation, calling note 1 twice and naming
    one register entry, whose editorial note is called at the name and cites the one work of the
    further reading."""
    name = Span("mention", ["Serge"], {"ref": "serge", "anchor": "m1"})
    first_call, second_call = (Span("noteref", ["1"], {"note": "e-n1"}) for _ in range(2))
    essay = Essay(
        id="e",
        title="An essay",
        author="Ann Author",
        date="1990",
        original=["An essay."],
        front=[],
        body=[
            Heading("e-h1", ["Part one"]),
            Paragraph(
                "e-p1", 1, ["As ", name, " wrote in ", Span("foreign", ["byt"], {"lang": "ru"}), ".", first_call]
            ),
            Paragraph("e-p2", 2, ["Again.", second_call]),
            Quotation("e-q1", [["Quoted words."]], ["p. 3"]),
        ],
        notes=[Note("e-n1", 1, ["A note."])],
        afterword=[],
        corrections=[],
        source=Path("e.xml"),
    )
    entry = Entry(
        id="serge",
        section="People",
        name="Victor Serge",
        sort_key="serge",
        dates="1890–1947",
        head=["Victor Serge"],
        citation=[],
        identification=["a revolutionary and writer ", Span("citation", [Span("cite", ["Other 2000"], WORK)]), "."],
        mentions=[Mention("m1", "e", "¶1", True)],
    )
    return Edition(
        slug="tiny",
        title="Tiny",
        subtitle="",
        editors=["Ed Itor"],
        version="1.0.0",
        date="2026-01-01",
        language="en",
        publisher="Us",
        licence="CC BY-SA 4.0",
        licence_url="https://creativecommons.org/licenses/by-sa/4.0/",
        description="A tiny edition.",
        keywords=["test"],
        conventions=[["Spelling is kept."]],
        changes=[],
        essays=[essay],
        register=[RegisterSection("People", [entry])],
        sources=[],
        notes={"m1": EditorialNote("m1", "e", "e-p1", entries=("serge",))},
        works=[Work("w", ["Other, Ann, ", Span("title", ["A Life"], {"level": "m"}), ", 2000."], ["Other 2000"], "o")],
    )


EDITION = tiny_edition()
ESSAY = EDITION.essays[0]
FIRST, SECOND = ESSAY.body[1].content, ESSAY.body[2].content


def rendered(output, content, edition=EDITION) -> str:
    return str(InlineRenderer(output, edition)(content))


# Each capability, switched on print alone: it does its one thing, and nothing else changes.


def test_xhtml_lang_writes_xml_lang_beside_lang():
    assert ' lang="ru">' in rendered(PRINT, FIRST)
    assert ' lang="ru" xml:lang="ru">' in rendered(switched(PRINT, xhtml_lang=True), FIRST)
    assert ' lang="ru" xml:lang="ru">' in rendered(EPUB, FIRST)


def test_what_the_sources_say_is_escaped_in_every_element_and_attribute_the_renderer_writes():
    """Text and attribute values reach the markup escaped (`html.shared.markup`), markup does not
    twice: a link's address, an entry's dates in its identification, a paragraph's words."""
    entry = replace(EDITION.register[0].entries[0], dates='1890 <b>&"1947"')
    edition = replace(EDITION, register=[RegisterSection("People", [entry])])
    link = Span("ref", ["a <link>"], {"target": 'https://example.org/?a=1&b="2"'})
    for output in (PRINT, EPUB):
        html = rendered(output, ["x < y & z ", link, *FIRST], edition)
        assert html.startswith("x &lt; y &amp; z ")
        assert '<a href="https://example.org/?a=1&amp;b=&#34;2&#34;">a &lt;link&gt;</a>' in html
    floated = rendered(PRINT, FIRST, edition)
    assert '<b class="fn-name">Victor Serge</b></a> (1890 &lt;b&gt;&amp;&#34;1947&#34;), a revolutionary' in floated


def test_note_calls_floated_set_the_note_at_its_call_and_linked_link_a_letter_to_it():
    floated = rendered(PRINT, FIRST)
    assert '<span class="footnote" id="note-m1"><a class="entry-link" href="#serge">' in floated
    assert "fnref" not in floated
    linked = rendered(replace(PRINT, note_calls="linked"), FIRST)
    assert '<a class="fnref" id="call-m1" href="#fn-m1" epub:type="noteref" role="doc-noteref">a</a>' in linked
    assert 'class="footnote"' not in linked


def test_name_links_link_a_name_to_its_entry_or_leave_it_a_span():
    assert '<a class="mention" id="m1" href="#serge">Serge</a>' in rendered(PRINT, FIRST)
    assert '<span class="mention" id="m1">Serge</span>' in rendered(switched(PRINT, name_links=False), FIRST)
    assert '<span class="mention" id="m1">Serge</span>' in rendered(EPUB, FIRST)


def test_break_hints_put_a_zero_width_space_before_an_inline_element_after_a_space():
    assert "As \u200b<a" in rendered(PRINT, FIRST) and "in \u200b<i" in rendered(PRINT, FIRST)
    assert "\u200b" not in rendered(switched(PRINT, break_hints=False), FIRST)
    assert "\u200b" not in rendered(EPUB, FIRST)
    assert ".\u200b" not in rendered(PRINT, FIRST)  # no space before the call: no hint


def test_every_note_call_is_joined_to_what_stands_before_it_in_both_outputs():
    """A word joiner (U+2060) before each call, an author's or an editorial one, after a letter
    or a full stop: no line, in print or in a reading system, may begin with a call (issue 31)."""
    calls = r'<a class="(?:noteref|fnref)"|<span class="footnote"'
    for output in (PRINT, EPUB):
        for content in (FIRST, SECOND):
            text = rendered(output, content)
            found = [match.start() for match in re.finditer(calls, text)]
            assert found and all(text[start - 1] == "\u2060" for start in found), (output.name, text)
    assert "Serge</a>\u2060<span" in rendered(PRINT, FIRST) and "Again.\u2060<a" in rendered(PRINT, SECOND)


def test_chapter_files_name_the_file_of_the_register_and_of_a_place():
    for output, entry, place in ((PRINT, "#serge", "#m1"), (switched(PRINT, chapter_files=True),
                                 "register.xhtml#serge", "e.xhtml#m1")):  # fmt: skip
        inline = InlineRenderer(output, EDITION)
        assert (inline.entry_href("serge"), inline.place_href(EDITION.entries["serge"].mentions[0])) == (entry, place)


def test_a_citation_in_short_form_stands_in_brackets_and_links_to_its_work_in_the_further_reading():
    citation = '<span class="citation">(<a class="cite" href="{}">Other 2000</a>)</span>'
    assert "writer \u200b" + citation.format("#w") + "." in rendered(PRINT, FIRST)
    notes = InlineRenderer(EPUB, EDITION).editorial_notes(ESSAY)
    assert [citation.format("further-reading.xhtml#w") in text for _, _, text in notes] == [True]


def test_the_further_reading_is_a_part_after_the_register_if_a_note_cites_a_work():
    assert [part.kind for part in print_parts(EDITION)] == ["essay", "register", "further-reading", "note-on-the-text"]
    assert print_parts(EDITION)[2].entries == ("w",)  # a layout may resume from a work
    assert "further-reading" not in [part.kind for part in print_parts(replace(EDITION, works=[]))]
    html = print_part(EDITION, Imprint(), print_parts(EDITION)[2], {})
    assert '<li id="w">Other, Ann, <cite class="work">A Life</cite>, 2000.</li>' in html.replace("\u200b", "")


def test_epub_types_give_a_note_call_its_epub_type_and_role():
    assert 'href="#e-n1">1</a>' in rendered(PRINT, FIRST)
    assert 'href="#e-n1" epub:type="noteref" role="doc-noteref">1</a>' in rendered(
        switched(PRINT, epub_types=True), FIRST
    )


def test_the_templates_ask_for_capabilities_by_name_never_for_an_output():
    for path in [*PACKAGE.joinpath("templates").rglob("*.j2"), *PACKAGE.joinpath("html").glob("*.py")]:
        text = path.read_text()
        assert not re.search(r"target\.epub|output\.name\b|\bif (not )?epub\b", text), path


def test_page_numbers_give_each_place_of_the_register_its_printed_page():
    register = print_parts(EDITION)[1]
    pages = {"m1": "2"}
    with_pages = print_part(EDITION, Imprint(), register, pages)
    assert ">2\u00a0(¶1)</a>" in with_pages and "Each place is given by page" in with_pages
    without = render("print.html.j2", switched(PRINT, page_numbers=False), EDITION, Imprint(), part=register,
                     folios=pages)  # fmt: skip
    assert '">¶1</a>' in without and "Each place is given by page" not in without


def test_the_colophon_says_which_typeface_shows_and_where_the_sources_are_attached():
    def colophon(output) -> str:
        html = render("print.html.j2", output, EDITION, Imprint(), part=FRONT,
                      folios={"e": "1", "register": "3", "further-reading": "5", "note-on-the-text": "7"})  # fmt: skip
        return re.search(r"<p>([^<]*typeface[^<]*|Set in[^<]*)\. Made with.*? attached to ([^.]*)\.", html).groups()

    assert colophon(PRINT) == ("Set in Source Serif Pro", "this PDF")
    assert colophon(switched(PRINT, own_typeface=False)) == ("Shown in your reading system’s own typeface", "this PDF")
    assert colophon(switched(PRINT, carries_sources=False)) == ("Set in Source Serif Pro", "the print edition (PDF)")
    epub = epub_chapters(EDITION, Imprint(), "s.css", [], ("c.png", "Cover"))[2]
    assert (
        "own typeface. Made with the edition toolchain from TEI sources, which are attached to the print edition (PDF)."
        in epub.xhtml
    )


# Nothing depends on the order of rendering.


def test_a_calls_id_is_its_place_among_that_notes_calls_in_the_essay_whatever_was_rendered_before():
    inline = InlineRenderer(PRINT, EDITION)
    second = str(inline(SECOND))  # rendered first
    first = str(inline(FIRST))
    assert 'id="e-n1-call2"' in second and 'id="e-n1-call1"' in first
    assert str(inline(SECOND)) == second and str(inline(FIRST)) == first  # again: the same


def test_page_marks_are_not_used_up_and_a_page_begins_after_the_word_it_falls_in():
    marks = page_marks([PageStart("7", "e-p1", 3), PageStart("8", "e-p2", 0)])  # "As Se|rge …"
    inline = PageMarkingRenderer(EPUB, EDITION, marks)
    once = str(inline(FIRST, "e-p1"))
    assert once == str(inline(FIRST, "e-p1"))
    assert once.index('id="page-7"') > once.index("Serge</span>")  # after the name, not inside it
    assert str(inline.page_marker("e-p2")).count('id="page-8"') == 1
    assert str(inline.page_marker("e-p2")) == str(inline.page_marker("e-p2"))
    assert str(InlineRenderer(PRINT, EDITION).page_marker("e-p2")) == ""


def test_insert_page_breaks_marks_before_the_letter_at_the_offset_and_keeps_the_rest():
    out = insert_page_breaks(["one two"], [(3, "2")])
    assert out[0] == "one " and out[1].kind == "pagebreak" and out[1].attrs == {"label": "2"} and out[2:] == ["two"]


def test_each_chapter_lists_the_pages_it_marks_in_the_order_it_marks_them():
    """Which pages a chapter marks is derived from the page starts and the chapter's blocks; it
    must be the markers its XHTML holds, and every page start is marked once."""
    blocks = ["title-page", "colophon", "contents", "e-title", "e-h1", "e-p1", "e-p2", "e-q1-1", "e-q1-ref",
              "e-notes-head", "e-n1", "register-head", "register-intro", "register-1-head", "serge",
              "further-reading-head", "further-reading-intro", "w",
              "note-on-the-text-head", "conventions-1", "corrections", "corrections-e"]  # fmt: skip
    starts = [PageStart(str(number), block, 0) for number, block in enumerate(blocks, start=1)]
    starts.insert(6, PageStart("6a", "e-p1", 5))  # a second page in one paragraph
    chapters = epub_chapters(EDITION, Imprint(), "s.css", starts, ("c.png", "Cover"))
    for chapter in chapters:
        document = etree.fromstring(chapter.xhtml.encode())
        marked = document.xpath("//*[@class='page-break']/@aria-label")
        assert chapter.pages == marked, chapter.file_name
    assert [label for chapter in chapters for label in chapter.pages] == [start.label for start in starts]


def test_alnum_counts_letters_and_digits_only():
    assert alnum("Serge’s 1937 — “Russia”!") == 16
    assert alnum("") == 0


def test_every_id_the_renderers_write_is_a_source_id_or_one_the_check_reserves(tmp_path: Path):
    """`check.generated_ids` lists the ids the outputs give their own elements, so that E082
    refuses a source id of one of those forms; here every id in the EPUB's documents and the
    print edition's parts, of this edition and of the mini-edition, page markers and all, must be
    a source's own or one of those forms."""
    root = PACKAGE.parent
    for project in (Project(root), make_mini(tmp_path / "mini")):
        sources = read_sources(project)
        edition = load_edition(project)
        own = {element.get(XML_ID) for tree in sources.trees.values() for element in tree.iter(etree.Element)}
        essays = [essay.id for essay in [*edition.essays, *edition.readings]]
        generated = generated_ids(essays, [note.id for essay in edition.essays for note in essay.notes])
        starts = [
            PageStart(str(number), block.id, 0)
            for number, block in enumerate(edition.essays[0].body[:20], start=1)
            if isinstance(block, Paragraph)
        ]
        documents = [chapter.xhtml for chapter in epub_chapters(edition, Imprint(), "s.css", starts, ("c.png", "C"))]
        pages = defaultdict(lambda: "1")  # any folio will do
        documents += [print_part(edition, Imprint(), part, pages) for part in [FRONT, *print_parts(edition)]]
        written = {value for document in documents for value in re.findall(r'\bid="([^"]+)"', document)}
        assert written - own, "no generated id at all: the test reads nothing"
        strays = sorted(value for value in written - own if not any(p.fullmatch(value) for p, _ in generated))
        assert strays == [], f"ids the renderers write that E082 does not reserve: {strays}"
