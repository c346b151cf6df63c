"""The adapter to WeasyPrint's and pydyf's internals (`edition.layout.typeset`), on tiny documents: it
still sees what the edition relies on. A WeasyPrint or pydyf upgrade that moves any of it fails
here, by name, before it quietly changes a layout: read the comment in typeset.py at the
failing part and redo that workaround there."""

from __future__ import annotations

import collections
import contextlib
import inspect
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pikepdf
import pydyf
import pytest
import weasyprint
import weasyprint.document
import weasyprint.layout
import weasyprint.pdf.tags
import weasyprint.text.fonts
from fontTools.ttLib import TTFont
from weasyprint import HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Page
from weasyprint.formatting_structure import boxes, build
from weasyprint.layout import LayoutContext, layout_document
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import fonts
from weasyprint.pdf.stream import Stream

from edition.layout import typeset
from edition.layout.pages import Block, BreakBefore, Call, Link, NewPage, PageLayout
from edition.layout.typeset import FONT_EPOCH_OFFSET, page_drawings, page_layouts, stopping_when, write

# Eight lines of a paragraph with a note called in its first, then a paragraph whose first two
# lines (`orphans: 2`) fit at the foot of the page only if the note goes to the next page: as
# in WeasyPrint's tests/layout/test_footnotes.py, WeasyPrint 70 carries the note over
# (its issue 2432). Every line is 10 px high and ends in a `br`, whatever the font.
CARRIED = """<!DOCTYPE html><html><head><style>
@page { size: 200px 140px; margin: 10px; @bottom-center { content: counter(page); font-size: 8px } }
@page :first { @top-center { content: "Head"; font-size: 8px } }
body { font-size: 8px; line-height: 10px; margin: 0; orphans: 2; widows: 2 }
p { margin: 0 }
.footnote { float: footnote; footnote-policy: line }
.pnum { float: left; margin-left: -8px }
</style></head><body>
<p id="p1"><span class="pnum">1</span>one<span class="footnote" id="n1">the note</span><br>LINES</p>
<p id="p2">eleven<br>twelve<br>thirteen<br>fourteen</p>
</body></html>""".replace("LINES", "<br>".join(f"l{n}" for n in range(2, 9)))


def render(html: str = CARRIED) -> weasyprint.Document:
    return HTML(string=html).render()


def test_the_pagination_hook_sees_the_note_weasyprint_carries_over_and_can_stop_there():
    seen: list[NewPage] = []

    def decide(made: list[NewPage]) -> str | None:
        seen.append(made[-1])
        return "stop" if made[-1].carried else None

    paginate, lay_out = weasyprint.layout.make_all_pages, weasyprint.document.layout_document
    with stopping_when(decide) as found:
        document = render()
    assert (weasyprint.layout.make_all_pages, weasyprint.document.layout_document) == (paginate, lay_out)  # as it was
    assert found == ["stop"], "the hook saw no page carrying a note over: WeasyPrint's pagination moved"
    # The pages after it no longer marked to be made, WeasyPrint does not paginate again.
    assert seen == [
        NewPage(
            (Block("p1", "onel2l3l4l5l6l7l8"), Block("p2", "eleventwelve")),
            (Call("n1", "p1"),),
            ("n1",),
        )
    ]
    assert len(document.pages) == 1  # stopped there, with its folio
    assert page_layouts(document.pages)[0].folio


def test_without_a_decision_to_stop_the_layout_goes_to_the_end():
    seen: list[list[NewPage]] = []
    with stopping_when(lambda made: seen.append(list(made))) as found:
        document = render()
    # Every page, as it is made, with the pages made before it.
    assert found == [] and [[page.carried for page in made] for made in seen] == [[("n1",)], [("n1",), ()]]
    assert page_layouts(document.pages) == page_layouts(render().pages)


def _broken_before(html: str, block: str) -> str:
    """The document with the block starting a new page, as a stylesheet makes it."""
    return html.replace("</style>", f"#{block} {{ break-before: page }}</style>")


def _boxed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time WeasyPrint reads, styles and boxes a document."""
    boxed: list[int] = []
    build_boxes = weasyprint.document.build_formatting_structure
    monkeypatch.setattr(
        weasyprint.document, "build_formatting_structure", lambda *args: boxed.append(1) or build_boxes(*args)
    )
    return boxed


def test_a_block_started_on_a_new_page_as_the_pages_are_made_gives_the_pages_a_stylesheet_gives(
    monkeypatch: pytest.MonkeyPatch,
):
    """The page where the block began made again, the pages after it then, in one reading and
    styling of the document; the note carried over then stands on its call's page."""
    seen: list[NewPage] = []

    def decide(made: list[NewPage]) -> BreakBefore | None:
        seen.append(made[-1])
        return BreakBefore("p2") if made[-1].carried else None

    boxed = _boxed(monkeypatch)
    with stopping_when(decide) as found:
        document = render()
    assert found == [] and boxed == [1]
    assert page_drawings(document.pages) == page_drawings(render(_broken_before(CARRIED, "p2")).pages)
    assert [page.carried for page in seen] == [("n1",), (), ()]  # the first page, made again, and the second
    assert page_layouts(document.pages)[0].blocks == (Block("p1", "onel2l3l4l5l6l7l8"),)


def test_a_block_begun_on_an_earlier_page_is_started_on_a_new_page_from_there(monkeypatch: pytest.MonkeyPatch):
    """The note is carried from the second page; the paragraph of its call began on the first."""
    lines = lambda name, count: "<br>".join(f"{name}{n}" for n in range(count))  # noqa: E731
    html = CARRIED[: CARRIED.index("<body>")] + (
        f'<body><p id="p0">{lines("f", 6)}</p><p id="p1">{lines("l", 8)}<span class="footnote" id="n1">the note</span>'
        f'</p><p id="p1b">{lines("g", 6)}</p><p id="p2">{lines("e", 4)}</p></body></html>'
    )

    broken: list[str] = []

    def decide(made: list[NewPage]) -> BreakBefore | None:
        if made[-1].carried and not broken:  # once: the note does not fit on its call's page
            broken.append("p1")
            return BreakBefore("p1")
        return None

    whole = page_layouts(render(html).pages)
    assert [page.calls for page in whole[:2]] == [(), (Call("n1", "p1"),)] and "n1" in whole[2].anchors
    assert "p1" in {block.id for block in whole[0].blocks}, "this test needs p1 to begin on the first page"
    with stopping_when(decide) as found:
        document = render(html)
    assert found == [] and broken
    assert page_drawings(document.pages) == page_drawings(render(_broken_before(html, "p1")).pages)


def test_a_block_started_on_a_new_page_from_the_last_page_of_text_that_carries_a_note():
    """A note taller than the page, carried from the last page of text to a page of its own, and
    a break that changes nothing (its block opens the page): the pages after the one made again
    are made again too (WeasyPrint marks the state after the last page unchanged, and has no
    page of the last pagination to keep there)."""
    lines = "<br>".join(f"l{n}" for n in range(12))  # a page of them
    note = '<span class="footnote" id="n1">the note' + "<br>more" * 10 + "</span>"
    html = (
        CARRIED[: CARRIED.index("<body>")] + f'<body><p id="p1">{lines}</p><p id="p2">e0{note}<br>e1</p></body></html>'
    )
    assert [page.anchors for page in page_layouts(render(html).pages)] == [("p1",), ("p2",), ("n1",)]
    broken: list[str] = []

    def decide(made: list[NewPage]) -> BreakBefore | None:
        if made[-1].carried and not broken:  # once: the note fits on no page
            broken.append("p2")
            return BreakBefore("p2")
        return None

    with stopping_when(decide) as found:
        document = render(html)
    assert found == [] and broken
    assert page_drawings(document.pages) == page_drawings(render(_broken_before(html, "p2")).pages)


def test_a_document_may_have_a_block_started_on_a_new_page_for_each_of_its_notes():
    """More than the eight paginations WeasyPrint makes at most: one more for each note."""
    head, body = CARRIED.split("<body>")
    groups = [re.sub(r'id="(\w+)"', rf'id="\g<1>-{n}"', body.split("</body>")[0]) for n in range(10)]
    html = head.replace("</style>", ".group { break-before: page }</style>") + "<body>"
    html += "".join(f'<div class="group">{group}</div>' for group in groups) + "</body></html>"

    def decide(made: list[NewPage]) -> BreakBefore | None:
        return BreakBefore(made[-1].blocks[-1].id) if made[-1].carried else None

    with stopping_when(decide) as found:
        document = render(html)
    broken = html
    for n in range(10):
        broken = _broken_before(broken, f"p2-{n}")
    assert found == [] and len(document.pages) == 20
    assert page_drawings(document.pages) == page_drawings(render(broken).pages)


def test_a_layout_is_summed_up_page_by_page():
    """Anchors, folio, the body text block by block (no running head, folio, footnote,
    paragraph number or note call in it), and the note calls."""
    assert page_layouts(render().pages) == [
        PageLayout(
            ("p1", "p2"), True, (Block("p1", "onel2l3l4l5l6l7l8"), Block("p2", "eleventwelve")), (Call("n1", "p1"),)
        ),
        PageLayout(("p2", "n1"), True, (Block("p2", "thirteenfourteen"),), ()),
    ]
    unnumbered = CARRIED.replace("@bottom-center { content: counter(page);", "@bottom-center { content: none;")
    assert [page.folio for page in page_layouts(render(unnumbered).pages)] == [False, False]


def test_what_a_page_draws_is_summed_up_with_its_lines_paragraphs_and_links():
    html = CARRIED.replace('<p id="p2">eleven', '<p id="p2"><a class="pageref x" href="#p1">eleven</a>')
    first, second = page_drawings(render(html).pages)
    drawn = [(text.text, round(text.x), round(text.y)) for text in first.texts]
    assert drawn[:4] == [("1", 2, 10), ("one", 10, 13), ("1", 25, 10), ("l2", 10, 23)]  # number, text, call
    assert drawn[-2:] == [("Head", 89, 0), ("1", 97, 130)]  # running head and folio
    assert ("the note", 20, 120) in [(text.text, round(text.x), round(text.y)) for text in second.texts]
    assert first.width == 200 and len(first.lines) == 1 + 8 + 2 + 2  # the number's, p1's, p2's, head's, folio's
    *_, p1, p2 = first.paragraphs
    assert (p1.id, p1.measure, len(p1.lines), p1.forced_break) == ("p1", 180, 8, True)
    assert all(line.x == 10 and 0 < line.filled <= line.width for line in p1.lines)
    assert (p2.id, len(p2.lines)) == ("p2", 2)
    assert first.links == (Link("#p1", ("pageref", "x"), "eleven"),) and second.links == ()


# WeasyPrint's internals, by name: what each workaround in typeset.py reads or replaces. -----


def test_the_weasyprint_internals_the_layout_summaries_and_the_hook_read_are_still_there():
    assert weasyprint.__version__ == "70.0", "WeasyPrint changed: check every workaround in typeset.py"
    # The pagination: a generator that layout_document calls by its name in weasyprint.layout.
    assert list(inspect.signature(weasyprint.layout.make_all_pages).parameters) == [
        "context",
        "root_box",
        "html",
        "pages",
    ]
    assert "make_all_pages(context, root_box, html, pages)" in inspect.getsource(layout_document)
    # Paginating again: while a page's state is marked, up to `max_loops` times; `Document._render`
    # calls `layout_document` by its name in weasyprint.document.
    assert list(inspect.signature(layout_document).parameters) == ["html", "root_box", "context", "max_loops"]
    assert "if remake_state['content_changed']:" in inspect.getsource(layout_document)
    assert "layout_document(html, root_box, context)" in inspect.getsource(weasyprint.document.Document._render)
    assert "context.reported_footnotes = []" in inspect.getsource(weasyprint.layout.page.make_page)
    assert "self.reported_footnotes = []" in inspect.getsource(LayoutContext.__init__)
    # The page's box tree, and how a note call names its note.
    assert "self._page_box = page_box" in inspect.getsource(Page.__init__)
    assert "footnote_call.footnote = footnote" in inspect.getsource(build)
    for name in ("MarginBox", "FootnoteAreaBox", "TextBox", "LineBox", "BlockBox", "BlockLevelBox", "TableRowBox"):
        assert hasattr(boxes, name), name
    assert boxes.Box.footnote is None
    # What `renumber` reads and replaces: a page's margin boxes among its page box's children (a
    # tuple), each with its at-keyword, its style and the content that names the page counter;
    # the page's type, with what the page selectors match (`:first` is the index 0).
    assert "page.children = tuple(children)" in inspect.getsource(layout_document)
    assert "children.extend(make_margin_boxes(context, page, state))" in inspect.getsource(layout_document)
    assert {"name", "side", "blank", "index"} <= set(weasyprint.layout.page.PageType._fields)
    assert "page_selector_type.first not in (None, page_type.index == 0)" in inspect.getsource(weasyprint.css)
    assert set(typeset._LOOK) <= set(weasyprint.css.properties.INITIAL_VALUES)
    (folio,) = [box for box in render().pages[0]._page_box.children if isinstance(box, boxes.MarginBox)][1:]
    assert (folio.at_keyword, folio.style["content"]) == ("@bottom-center", (("counter()", ("page", "decimal")),))


def test_what_html_document_sets_is_what_weasyprints_html_sets_once_it_has_parsed():
    """`typeset.html_document` makes WeasyPrint's `HTML` without its `__init__`, which sets these
    attributes after parsing, and nothing else."""
    init = inspect.getsource(HTML.__init__)
    assert "result = tinyhtml5.parse(file_obj, **kwargs)" in init
    assert "kwargs = {'namespace_html_elements': False}" in init
    assert sorted(set(re.findall(r"self\.(\w+) = ", init))) == [
        "base_url", "etree_element", "media_type", "url_fetcher", "wrapper_element",
    ]  # fmt: skip
    assert "self.base_url = _find_base_url(result, base_url)" in init
    assert "cssselect2.ElementWrapper.from_html_root(\n            result, content_language=None)" in init
    made = typeset.html_document("<html><head></head><body><p>x</p></body></html>", "file:///s/", "fetcher")
    assert (made.base_url, made.url_fetcher, made.media_type) == ("file:///s/", "fetcher", "print")
    assert made.etree_element is made.wrapper_element.etree_element


def test_the_weasyprint_internals_pdf_replaces_are_still_there():
    """typeset._reproducible_font_subsets replaces `Font.subset` (moved here from
    tests/test_inputs_hostile.py)."""
    assert list(inspect.signature(fonts.Font.subset).parameters) == ["self", "to_unicode", "hinting"]
    init = inspect.getsource(fonts.Font.__init__)
    for attribute in ("self.file_content", "self.index", "self.family"):
        assert attribute in init, attribute
    assert "self.missing" in inspect.getsource(fonts.Font)
    assert "self.subset(to_unicode, hinting)" in inspect.getsource(fonts.Font.clean)
    assert "font.clean(" in inspect.getsource(fonts.build_fonts_dictionary)


def test_the_pydyf_internal_the_writer_replaces_is_still_there():
    assert isinstance(inspect.getattr_static(pydyf.PDF, "page_references"), property)
    assert isinstance(pydyf.Dictionary(), dict) and isinstance(pydyf.Array(), list)


# Writing ----------------------------------------------------------------------------------

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}


def test_the_pdf_is_labelled_as_printed_and_its_fonts_subset_dated_and_noted():
    paginate, subset = pydyf.PDF.page_references, fonts.Font.subset
    data, embedded = write(render(), 1, WHEN, **OPTIONS)
    assert pydyf.PDF.page_references is paginate and fonts.Font.subset is subset  # as they were
    with pikepdf.open(io.BytesIO(data)) as pdf:
        labels = pdf.Root.PageLabels.Nums
        assert [labels[0], str(labels[1].S), labels[2], str(labels[3].S)] == [0, "/r", 1, "/D"]
        (font,) = {str(font.BaseFont): font for page in pdf.pages for font in page.Resources.Font.values()}.values()
        descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
        head = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))["head"]
    assert head.created == head.modified == int(WHEN.timestamp()) + FONT_EPOCH_OFFSET
    assert len(embedded) == 1 and all(len(key) == 64 for key in embedded)


def test_listing_page_references_once_writes_the_same_bytes(monkeypatch: pytest.MonkeyPatch):
    """The workaround for pydyf's page references (typeset._page_references_listed_once) saves
    time and changes nothing in the file (moved here from tests/layout/test_pdf.py); the same document
    written twice (as `edition watch` may) gives the same bytes and embeds the same faces."""
    document = render('<html lang="en"><p>' + "<br>".join(f"line {n}" for n in range(200)) + "</p>")
    quick, faces = write(document, 1, WHEN, **OPTIONS)
    monkeypatch.setattr(typeset, "_page_references_listed_once", contextlib.nullcontext)
    slow, again = write(document, 1, WHEN, **OPTIONS)
    assert len(document.pages) > 2 and quick == slow and faces == again


# Proofs -----------------------------------------------------------------------------------


def test_the_weasyprint_internals_the_proof_relies_on_are_still_there():
    """typeset._pages_drawn_once replaces `Page.paint`, which draws a page into its stream, and
    write_proof shares `Document.fonts` between proofs."""
    assert list(inspect.signature(Page.paint).parameters) == ["self", "stream", "scale"]
    assert "draw_page(self._page_box, stream)" in inspect.getsource(Page.paint)
    generate = inspect.getsource(weasyprint.pdf.generate_pdf)
    assert "document.fonts, page_rectangle, resources, images" in generate and "page.paint(stream, scale)" in generate
    init = inspect.getsource(weasyprint.pdf.stream.Stream.__init__)
    for attribute in ("self._fonts = fonts", "self._resources = resources", "self._images = images"):
        assert attribute in init, attribute
    assert "self.fonts = {}" in inspect.getsource(weasyprint.Document.__init__)
    assert isinstance(pydyf.Stream().stream, list)
    # The page box's children drawn one by one, each as a stacking context (see `paint_once`).
    assert "stacking_context = StackingContext.from_page(page)" in inspect.getsource(weasyprint.draw.draw_page)
    from_page = inspect.getsource(weasyprint.stacking.StackingContext.from_page)
    assert "[cls.from_box(child, page) for child in page.children]" in from_page
    assert list(inspect.signature(weasyprint.draw.draw_stacking_context).parameters) == ["stream", "stacking_context"]
    assert "with stream.stacked():\n            stream.transform(a=scale, d=scale)" in inspect.getsource(Page.paint)


def drawn_pages(monkeypatch: pytest.MonkeyPatch) -> list[Page]:
    """Record each page WeasyPrint draws from now on."""
    drawn: list[Page] = []
    draw = weasyprint.document.draw_page
    monkeypatch.setattr(weasyprint.document, "draw_page", lambda box, stream: (drawn.append(box), draw(box, stream)))
    return drawn


def test_a_proof_draws_a_page_kept_from_the_last_layout_once_and_shows_the_same(monkeypatch: pytest.MonkeyPatch):
    drawn = drawn_pages(monkeypatch)
    document, drawings = render(), typeset.Drawings()
    first = typeset.write_proof(document, 1, WHEN, drawings)
    assert len(drawn) == 2 and set(drawings.pages) == set(document.pages)
    paint = Page.paint
    again = typeset.write_proof(document.copy(document.pages), 1, WHEN, drawings)  # a new layout keeping both
    assert Page.paint is paint  # as it was
    assert len(drawn) == 2, "a kept page was drawn again"
    assert again == first == typeset.write_proof(render(), 1, WHEN, typeset.Drawings())
    with pikepdf.open(io.BytesIO(first)) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/Metadata" not in pdf.Root  # no tags, no PDF/A


def test_a_text_drawn_before_in_a_proof_is_not_shaped_again_and_the_proof_is_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
):
    """A layout with a paragraph more at the top (its other lines only moved) proofed after the
    first: each line drawn before is drawn from `Drawings.texts`, not shaped again; a line in a
    style that shapes it otherwise is shaped; the proof is what drawing every line gives, byte for
    byte. The paragraphs are those of `VARIED`, justified and not, with underlined words (drawn
    each time) and phrases in bold, whose boxes end lines with spaces the line leaves out."""
    shape = weasyprint.draw.text.draw_first_line
    shaped: list[tuple[str, bool, float]] = []  # each text shaped, whether decorated, its size

    def counted(stream, textbox, *args):
        style = textbox.style
        shaped.append((textbox.text, style["text_decoration_line"] not in ("none", set()), style["font_size"]))
        return shape(stream, textbox, *args)

    monkeypatch.setattr(weasyprint.draw.text, "draw_first_line", counted)
    words = WORDS.replace("went on", "<b>went on </b>").replace("the\t", "<u>the</u>\t")
    html = STYLED.replace(
        "BODY",
        "".join(
            f'<p lang="en" style="{style}; text-align: {("left", "justify")[n % 2]}">{words}</p>'
            for n, style in enumerate(VARIED)
        ),
    )
    moved = html.replace("<body>", '<body><p style="font-size: 7px">A new paragraph, at the top.</p>')

    def proofs(drawings: typeset.Drawings) -> tuple[bytes, set[tuple[str, bool, float]]]:
        """The proof of `moved` after that of `html`, and the texts shaped for it."""
        typeset.write_proof(render(html), 0, WHEN, drawings)
        shaped.clear()
        return typeset.write_proof(render(moved), 0, WHEN, drawings), set(shaped)

    data, once = proofs(typeset.Drawings())
    # Shaped again: the new paragraph's lines (7 px), and the underlined words, drawn each time.
    assert {size for _, decorated, size in once if not decorated} == {7}
    assert any(decorated for _, decorated, _ in once), "no underlined word: the test must have one"
    monkeypatch.setattr(typeset, "_texts_drawn_once", lambda texts: contextlib.nullcontext())
    every_time, again = proofs(typeset.Drawings())
    assert len(again) > 3 * len(once) and data == every_time


def test_drawing_a_text_again_reads_no_property_of_its_style_outside_line_style(monkeypatch: pytest.MonkeyPatch):
    """`_texts_drawn_once` knows a text box's drawing by its texts, justification and
    `LINE_STYLE`: the Pango layout made again for drawing (`Layout.reactivate`) and the shaping
    (`draw_first_line`) read nothing else of the style; and `draw_text` draws as the hit path
    does (its colour, then a text object holding what the shaping draws)."""
    read: set[str] = set()
    reactivate, shape = weasyprint.text.line_break.Layout.reactivate, weasyprint.draw.text.draw_first_line

    def shaped(stream, textbox, *args):
        style, textbox.style = textbox.style, RecordedStyle(textbox.style, read)
        try:
            return shape(stream, textbox, *args)
        finally:
            textbox.style = style

    monkeypatch.setattr(
        weasyprint.text.line_break.Layout,
        "reactivate",
        lambda self, style: reactivate(self, RecordedStyle(style, read)),
    )
    monkeypatch.setattr(weasyprint.draw.text, "draw_first_line", shaped)
    typeset.write_proof(render(styled(*VARIED)), 0, WHEN, typeset.Drawings())
    assert {"font_size", "letter_spacing", "word_spacing", "font_family"} <= read
    assert read <= set(typeset.LINE_STYLE), f"drawing a text reads {sorted(read - set(typeset.LINE_STYLE))} too"
    draw = inspect.getsource(weasyprint.draw.text.draw_text)
    steps = [
        "stream.set_color(textbox.style['color'])",
        "textbox.pango_layout.reactivate(textbox.style)",
        "stream.begin_text()",
        "emojis = draw_first_line(\n        stream, textbox, text_overflow, block_ellipsis, Matrix(d=-1, e=x, f=y))",
        "stream.end_text()",
    ]
    assert all(step in draw for step in steps) and sorted(steps, key=draw.index) == steps
    assert "x, y = textbox.position_x, textbox.position_y + textbox.baseline" in draw
    assert weasyprint.draw.draw_text is weasyprint.draw.text.draw_text
    assert "draw_text(\n                            stream, child" in inspect.getsource(
        weasyprint.draw.draw_inline_level
    )


def test_a_page_that_draws_shared_resources_is_drawn_again_in_each_proof(monkeypatch: pytest.MonkeyPatch):
    """A gradient is a pattern that all pages' resources list: a page drawn from memory would
    name one that the new file lacks."""
    drawn = drawn_pages(monkeypatch)
    document, drawings = (
        render(CARRIED.replace("p { margin: 0 }", "p { margin: 0 } #p2 { background: linear-gradient(red, blue) }")),
        typeset.Drawings(),
    )
    typeset.write_proof(document, 1, WHEN, drawings)
    typeset.write_proof(document, 1, WHEN, drawings)
    assert len(drawn) == 4 and not drawings.pages


# Pages drawn ahead -------------------------------------------------------------------------

# Five pages: the first draws glyphs that the second draws again in another order, with a
# bold and an italic face the first does not use; the third glyphs that the fourth draws after
# it; the fourth a translucent colour (a transparency state); the fifth a gradient (a pattern
# that every page's resources list).
AHEAD = """<!DOCTYPE html><html lang="en"><head><style>
@page { size: 200px 140px; margin: 10px; @bottom-center { content: counter(page); font-size: 8px } }
body { font-size: 8px } section { break-before: page }
</style></head><body>
<section><h1>zyx</h1><p>vut srq</p></section>
<section><p><b>bold</b> qrs tuv <i>xyz</i> wo</p></section>
<section><p>head k</p></section>
<section><p style="color: rgba(0, 0, 0, 0.5)"><i>italic</i> j k faint</p></section>
<section><p style="background: linear-gradient(red, blue)">shaded</p></section>
</body></html>"""


def test_the_weasyprint_internals_drawing_ahead_relies_on_are_still_there():
    """typeset.draw_ahead makes a page's stream as `generate_pdf` does, with fonts of its own
    (`_StreamAhead.add_font`, WeasyPrint's own but for the copy), and `_pages_drawn_ahead`
    joins their glyphs to the document's in the order WeasyPrint adds them."""
    generate = inspect.getsource(weasyprint.pdf.generate_pdf)
    assert "page_rectangle = (\n            left / scale, top / scale,\n            (right - left) / scale" in generate
    assert "stream.transform(d=-1, f=(page.height * scale))" in generate
    assert "left = -scale * page.bleed['left']" in generate and "scale = zoom * 0.75" in generate
    add_font = inspect.getsource(Stream.add_font)
    assert "key, description, font_size = get_pango_font_key(pango_font)" in add_font
    assert "self._fonts[key] = Font(pango_font, description, font_size)" in add_font
    assert "return self._fonts[key], font_size" in add_font
    assert "font, font_size = stream.add_font(pango_font)" in inspect.getsource(weasyprint.draw.text.draw_first_line)
    text = inspect.getsource(weasyprint.draw.text)
    assert "if glyph_id not in font.to_unicode:" in text and "font.get_unused_glyph_id(codepoint)" in text
    assert "to_unicode_items = tuple(to_unicode.items())" in inspect.getsource(fonts.build_fonts_dictionary)
    assert "return Stream(**kwargs)" in inspect.getsource(Stream.clone)  # a group's stream: its page not kept
    assert "self._color_profiles.get(color.space)" in inspect.getsource(Stream.set_color)


def test_pages_drawn_ahead_are_not_drawn_again_and_the_pdf_is_the_same_bytes(monkeypatch: pytest.MonkeyPatch):
    """`draw_ahead`, as the build draws an essay's pages while a worker lays out the register:
    the pages written from what was drawn ahead, their glyphs joining the fonts in page order
    (the third page's before the fourth's), and the PDF the same bytes as one whose pages are all
    drawn as it is written; a page that draws a pattern is drawn again there."""
    as_written, _ = write(render(AHEAD), 0, WHEN, {}, pdf_variant="pdf/a-3a")
    document = render(AHEAD)
    pages = document.pages
    drawn, ahead = drawn_pages(monkeypatch), typeset.DrawnAhead()
    typeset.draw_ahead(document.copy(pages[1:2]), ahead)
    typeset.draw_ahead(document.copy(pages[3:]), ahead)
    assert drawn == [page._page_box for page in (pages[1], pages[3], pages[4])]
    assert list(ahead.pages) == [pages[1], pages[3]], "the page with a gradient kept"
    paint = Page.paint
    data, _ = write(document, 0, WHEN, {}, ahead, pdf_variant="pdf/a-3a")
    assert Page.paint is paint  # as it was
    assert drawn[3:] == [page._page_box for page in (pages[0], pages[2], pages[4])] and not ahead.pages
    assert data == as_written


# Pages of text in one face, but for the third's italic and the fourth's gradient.
AHEAD_IN_ONE_FACE = AHEAD.replace(
    AHEAD[AHEAD.index("<section>") : AHEAD.index("</body>")],
    "<section><p>zyx wvu</p><p>tsr</p></section><section><p>qpo</p><p>nml kji</p></section>"
    "<section><p><i>hgf</i> edc</p></section><section><p>baz</p><p>yxw</p></section>"
    '<section><p style="background: linear-gradient(red, blue)">shaded</p></section>',
)


def test_pages_drawn_ahead_in_a_worker_are_taken_back_as_drawn_here_and_the_pdf_is_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
):
    """`drawn_ahead_sent` and `drawn_ahead_read`, as the build has a worker forked from it draw
    the later pages while it draws the first: here in one process, whose boxes are where a
    forked one finds them. A page drawn with the fonts this process has drawn with is taken back
    as drawn there, and not drawn again as the PDF is written; one that draws with a font this
    process has not made (the third page's italic) is drawn in its place; a page that draws a
    pattern is not sent. The PDF the same bytes as one whose pages are all drawn as it is
    written."""
    as_written, _ = write(render(AHEAD_IN_ONE_FACE), 0, WHEN, {}, pdf_variant="pdf/a-3a")
    document = render(AHEAD_IN_ONE_FACE)
    pages = document.pages
    ahead = typeset.DrawnAhead()
    typeset.draw_ahead(document, ahead, pages[:1])
    sent = typeset.drawn_ahead_sent(document, range(1, 5))
    drawn = drawn_pages(monkeypatch)
    typeset.drawn_ahead_read(document, ahead, sent)
    assert list(ahead.pages) == [pages[0], pages[1], pages[3]] and not drawn
    data, _ = write(document, 0, WHEN, {}, ahead, pdf_variant="pdf/a-3a")
    assert drawn == [page._page_box for page in (pages[2], pages[4])]
    assert data == as_written


def test_a_page_drawn_ahead_for_another_stream_is_drawn_again_in_its_place():
    """A PDF written at another zoom, or not tagged, than `draw_ahead` drew for: the pages drawn
    again as it is written, the same bytes as without drawing ahead."""
    for endnotes, options in (({}, {"zoom": 2, "pdf_variant": "pdf/a-3a"}), (None, {})):
        as_written, _ = write(render(AHEAD), 0, WHEN, endnotes, **options)
        document, ahead = render(AHEAD), typeset.DrawnAhead()
        typeset.draw_ahead(document, ahead)
        assert write(document, 0, WHEN, endnotes, ahead, **options)[0] == as_written, options


# Page numbers laid out apart ---------------------------------------------------------------


def numbered_from(first: int, html: str = CARRIED) -> weasyprint.Document:
    """The document laid out with its pages numbered from `first` (odd: it opens on the right)."""
    return render(html.replace("@page :first {", f"@page :first {{ counter-reset: page {first};"))


def test_a_page_renumbered_is_drawn_tagged_and_proofed_as_one_laid_out_with_that_number(
    monkeypatch: pytest.MonkeyPatch,
):
    """`renumber` gives kept pages the numbers of a sheet laid out for them: the PDF, tagged or
    a proof, is the one a layout with those numbers gives, its folio an artifact; a proof draws
    only the new number of a page it drew before."""
    drawn = drawn_pages(monkeypatch)
    document, there, sheet = (
        render(),
        numbered_from(5),
        numbered_from(5, CARRIED.replace("LINES", "").replace("eleven<br>twelve<br>", "")),
    )
    drawings = typeset.Drawings()
    before = typeset.write_proof(document, 0, WHEN, drawings)
    asked = []
    assert typeset.renumber(document.pages, 5, lambda wanted: asked.append(wanted) or sheet.pages)
    assert asked == [[(5, True), (6, False)]]  # each number, and whether its page is a first
    assert [text.text for text in page_drawings(document.pages)[0].texts][-1] == "5"
    assert page_drawings(document.pages) == page_drawings(there.pages)
    proof = typeset.write_proof(document.copy(document.pages), 0, WHEN, drawings)
    assert len(drawn) == 2, "a page kept was drawn again, not only its number"
    assert proof != before and proof == typeset.write_proof(there, 0, WHEN, typeset.Drawings())
    tagged = write(document, 0, WHEN, {}, pdf_variant="pdf/a-3a")
    assert tagged == write(there, 0, WHEN, {}, pdf_variant="pdf/a-3a")
    with pikepdf.open(io.BytesIO(tagged[0])) as pdf:
        footers = set()
        for number, page in enumerate(pdf.pages):
            inside = None
            for operands, operator in pikepdf.parse_content_stream(page, "BDC EMC Tj TJ"):
                if operator == pikepdf.Operator("BDC"):
                    inside = dict(operands[1]).get("/Subtype") if str(operands[0]) == "/Artifact" else None
                elif operator == pikepdf.Operator("EMC"):
                    inside = None
                elif inside == "/Footer":
                    footers.add(number)
        assert footers == {0, 1}  # on each page, its number drawn as a footer artifact
    # Whether a page wants its document's first is its own (the first page of a layout resumed
    # within a part is one), not its place in the part.
    asked.clear()
    pages = render().pages
    assert typeset.renumber([pages[1], pages[0]], 7, lambda wanted: asked.append(wanted) or sheet.pages[::-1])
    assert asked == [[(7, False), (8, True)]]
    # A sheet whose pages are of another side, or not first where the page is, is refused, and
    # nothing changed: the part must be laid out where it stands.
    left = numbered_from(6, CARRIED.replace("body {", "html { break-before: left } body {"))
    assert not typeset.renumber(document.pages, 5, lambda wanted: [*sheet.pages[:1], *left.pages[:1]])
    assert not typeset.renumber(document.pages[:1], 5, lambda wanted: sheet.pages[1:])
    assert page_drawings(document.pages) == page_drawings(there.pages)


# Tagging for reading ------------------------------------------------------------------------

# Two pages: a paragraph cut by the page break, its footnote at the foot of the first page; an
# author's note called in it, in a numbered list; a table with header cells; a running head and
# a folio on each page.
READING = """<!DOCTYPE html><html lang="en"><head><title>t</title><style>
@page { size: 300px 160px; margin: 20px; @top-center { content: "Head"; font-size: 6px }
  @bottom-center { content: counter(page); font-size: 6px } @footnote { border-top: 1px solid } }
body { font-size: 8px; line-height: 10px; margin: 0; orphans: 1; widows: 1 }
p { margin: 0 } .footnote { float: footnote } .pnum { position: absolute; margin-left: -12px }
</style></head><body><section class="essay" id="essay">
<p id="p1"><span class="pnum">1</span> One<span class="footnote" id="note-f1">The footnote.</span> LINES
<a class="noteref" href="#n1">1</a> end.</p>
<p id="p2"><span class="pnum">2</span> Two, <a href="#p1">see <b>one</b></a>.</p>
<section class="endnotes"><ol><li id="n1">The author's note.</li></ol></section>
<table><thead><tr><th scope="col">Where</th><th scope="col">What</th></tr></thead>
<tbody><tr><td>here</td><td>this</td></tr></tbody></table>
</section></body></html>""".replace("LINES", " ".join(["words"] * 120))


def reading_tree(data: bytes) -> list[tuple[str, str, str]]:
    """Each structure element, depth first: its tag, its ID, and what its annotations point to."""
    found = []

    def walk(element) -> None:
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        references = [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"]
        targets = [str(reference.Obj.Dest) for reference in references]
        found.append((str(element.S), str(element.get("/ID", "")), ",".join(targets)))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid)

    with pikepdf.open(io.BytesIO(data)) as pdf:
        walk(pdf.Root.StructTreeRoot.K[0])
    return found


def test_a_pdf_tagged_for_reading_has_whole_paragraphs_notes_after_them_and_its_heads_as_artifacts():
    document = render(READING)
    assert len(document.pages) == 2
    replaced = weasyprint.pdf.tags._build_box_tree, Stream.marked, Stream.artifact
    data, _ = write(document, 0, WHEN, {"n1": "1"}, pdf_variant="pdf/a-3a")
    assert (weasyprint.pdf.tags._build_box_tree, Stream.marked, Stream.artifact) == replaced  # as they were
    tree = reading_tree(data)
    tags = [tag for tag, _, _ in tree]
    # The paragraph whole, its footnote right after it (not at the foot of the page), its calls
    # Links in References; the author's note a Note in its list item's body; the table.
    assert tags.count("/P") == 2 and tags.count("/Note") == 2
    first = tags.index("/P")
    assert ("/Reference", "", "") in tree[first:] and ("/Link", "", "note-f1") in tree[first:]
    assert tree[tags.index("/Note")] == ("/Note", "note-f1", "") and tags.index("/Note") < tags.index("/P", first + 1)
    assert [tag for tag, _, _ in tree[tags.index("/LI") :]][:4] == ["/LI", "/Lbl", "/Span", "/LBody"]
    assert ("/Note", "n1", "") in tree and ("/Link", "", "n1") in tree
    # The link's annotations (WeasyPrint gives one to the bold word in it too) all in its Link.
    assert [(tag, targets) for tag, _, targets in tree if targets.startswith("p1")] == [("/Link", "p1,p1")]
    assert all(tag == "/Link" for tag, _, targets in tree if targets)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.StructTreeRoot
        assert {"n1", "note-f1"} <= {str(key) for key in pikepdf.NameTree(root.IDTree)}
        cells = [cell for cell in _elements(root.K[0]) if cell.S == "/TH"]
        assert [str(cell.A.Scope) for cell in cells] == ["/Column", "/Column"]
        numbers = [element for element in _elements(root.K[0]) if "/ActualText" in element]
        assert [str(element.ActualText) for element in numbers] == ["¶1 ", "¶2 "]
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:conformance"] == "A"
        assert b"<pdfuaid:part>1</pdfuaid:part>" in pdf.Root.Metadata.read_bytes()
        for page in pdf.pages:
            marks = [
                (str(operands[0]), dict(operands[1]) if operator == pikepdf.Operator("BDC") else {})
                for operands, operator in pikepdf.parse_content_stream(page, "BDC BMC")
            ]
            artifacts = [properties for tag, properties in marks if tag == "/Artifact"]
            assert {"/Type": "/Pagination", "/Subtype": "/Header"} in artifacts
            assert {"/Type": "/Pagination", "/Subtype": "/Footer"} in artifacts
            assert all(properties.get("/Type") in ("/Pagination", "/Layout") for properties in artifacts)
        links = [annotation for page in pdf.pages for annotation in page.Annots if annotation.Subtype == "/Link"]
        # The author's note's call by its number, the footnote's by its generated call (a figure).
        assert sorted(str(link.Contents) for link in links) == ["Note 1", "Note 1", "see one", "see one"]


def _elements(element):
    yield element
    kids = element.get("/K")
    for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _elements(kid)


def test_the_weasyprint_internals_the_tagging_for_reading_relies_on_are_still_there():
    """typeset._tagged_for_reading replaces `_build_box_tree`, `Stream.marked` and
    `Stream.artifact`; the finisher rebuilds the tree from pydyf's objects."""
    builder = weasyprint.pdf.tags._build_box_tree
    assert list(inspect.signature(builder).parameters) == [
        "box", "parent", "pdf", "page_number", "nums", "annotations", "tags"
    ]  # fmt: skip
    source = inspect.getsource(builder)
    assert inspect.isgeneratorfunction(builder) and "_build_box_tree(" in source and "yield element" in source
    assert "elif isinstance(box, boxes.MarginBox):" in source and "isinstance(box, boxes.PageBox)" in source
    assert "pdf.add_object(element)" in source and "kid = tags.pop(child)" in source
    add_tags = inspect.getsource(weasyprint.pdf.tags.add_tags)
    assert "_build_box_tree(\n            page_box, structure_document" in add_tags
    assert "'ParentTree': content_mapping.reference" in add_tags
    assert list(inspect.signature(Stream.marked).parameters) == ["self", "box", "tag"]
    assert list(inspect.signature(Stream.artifact).parameters) == ["self"]
    assert "with stream.marked(child, 'Span'):" in inspect.getsource(weasyprint.draw.draw_inline_level)
    generate = inspect.getsource(weasyprint.pdf.generate_pdf)
    assert generate.index("add_tags(pdf, document") < generate.index("variant_function(pdf, document")
    assert "finisher(self, pdf)" in inspect.getsource(weasyprint.Document.write_pdf)
    boxes_built = inspect.getsource(build)
    assert "footnote_call = make_box(\n                f'{footnote.element.tag}::footnote-call'" in boxes_built
    assert "f'{element.tag}::footnote-marker'" in boxes_built
    assert "</rdf:RDF>" not in inspect.getsource(weasyprint.pdf.metadata)  # one RDF element, by ElementTree
    assert "Matrix(scale, 0, 0, -scale, 0, page.height * scale)" in generate and "scale = zoom * 0.75" in generate
    assert hasattr(boxes.Box, "hit_area") and hasattr(boxes, "FootnoteAreaBox")
    pdf = pydyf.PDF()
    element = pydyf.Dictionary()
    pdf.add_object(element)
    assert pdf.objects[int(element.reference.split()[0])] is element
    assert list(inspect.signature(pydyf.Stream.begin_marked_content).parameters) == ["self", "tag", "property_list"]


def test_a_layout_read_back_from_bytes_draws_and_writes_the_same():
    """`pickled` and `unpickled`, as a layout sent from a worker process (`layout.parallel`):
    a page with a number in the margin, absolutely positioned (WeasyPrint's
    `AbsolutePlaceholder`, which does not pickle as it is), and a footnote; the fonts and
    counter styles are this process's own, not copies."""
    fonts, counters = weasyprint.text.fonts.FontConfiguration(), CounterStyle()
    html = CARRIED.replace('<span class="pnum">1</span>', '<span style="position: absolute; left: -8px">1</span>')
    document = HTML(string=html).render(font_config=fonts, counter_style=counters)
    placeholders = [box for box in _descendants(document.pages[0]._page_box) if isinstance(box, AbsolutePlaceholder)]
    assert placeholders, "no absolutely positioned box: the test must have one"
    with pytest.raises(RecursionError):  # why `typeset` rebuilds a placeholder from its box:
        object.__new__(AbsolutePlaceholder).__setstate__  # noqa: B018 — asked of an empty one, pickle's way
    shared = {"fonts": fonts, "counters": counters}
    copy = typeset.unpickled(typeset.pickled(document, shared), shared)
    assert copy.pages[0]._page_box.style.font_config is fonts
    assert page_drawings(copy.pages) == page_drawings(document.pages)
    assert write(copy, 0, WHEN, **OPTIONS)[0] == write(document, 0, WHEN, **OPTIONS)[0]


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


# Pages of notes, each of two to four lines, set off by a margin: WeasyPrint measures a page's
# footnote area again for each note called on it, laying out the notes before it again; the
# last notes of the first page are called too low to fit, and are carried to the second, where
# they are measured at other places, below no note or other notes.
NOTES = """<!DOCTYPE html><html><head><style>
@page { size: 300px 260px; margin: 10px; @footnote { padding-top: 4px } }
body { font-size: 8px; line-height: 10px; margin: 0 }
.footnote { float: footnote; footnote-policy: line; margin-top: 3px }
.footnote.apart { margin-bottom: 5px }
</style></head><body>TEXT</body></html>""".replace(
    "TEXT",
    "".join(
        f'<p>Call {n}.<span class="footnote{" apart" if n % 2 else ""}">The note numbered {n}, which runs on over '
        f"one to five lines of the footnote area, {'and on ' * (7 * (n % 5))}to its end.</span> "
        + "A line of the text. " * (2 + n % 3)
        + "</p>"
        for n in range(1, 16)
    ),
)


def test_a_footnote_area_measured_again_lays_out_no_note_again_at_a_place_it_had(monkeypatch: pytest.MonkeyPatch):
    split, block_layout = weasyprint.layout.inline.split_first_line, weasyprint.layout.block.block_level_layout
    lines, notes = [], []

    def lines_counted(*args, **options):
        lines.append(args[0])
        return split(*args, **options)

    def notes_counted(context, box, bottom_space, skip_stack, containing_block, *args, **options):
        if isinstance(containing_block, boxes.FootnoteAreaBox):
            notes.append((box.element, box.position_y))
        return block_layout(context, box, bottom_space, skip_stack, containing_block, *args, **options)

    monkeypatch.setattr(weasyprint.layout.inline, "split_first_line", lines_counted)
    monkeypatch.setattr(weasyprint.layout.block, "block_level_layout", notes_counted)
    plain = render(NOTES)
    as_before = len(lines), len(notes)
    places = {note: {y for other, y in notes if other is note} for note, _ in notes}
    assert max(map(len, places.values())) > 1, "no note measured at two places: the test must have one"
    lines.clear(), notes.clear()
    with typeset.laid_out_once():
        once = render(NOTES)
    assert weasyprint.layout.inline.split_first_line is lines_counted  # put back
    assert weasyprint.layout.block.block_level_layout is notes_counted
    assert len(lines) < as_before[0] and len(notes) < as_before[1]
    assert page_drawings(once.pages) == page_drawings(plain.pages)
    assert write(once, 0, WHEN, **OPTIONS)[0] == write(plain, 0, WHEN, **OPTIONS)[0]


# Paragraphs of the same words in styles that break them otherwise (each property of the style
# that `split_first_line` reads and this document can vary), at the same width: a line broken
# in one style must not serve another.
STYLED = """<!DOCTYPE html><html><head><style>
@page { size: 240px 900px; margin: 10px }
body { font-size: 8px; line-height: 10px; margin: 0; hyphenate-limit-chars: 5 2 2 }
p { margin: 0 0 4px; text-align: justify }
</style></head><body>BODY</body></html>"""
WORDS = "Extraordinarily uncharacteristically the\tcommunications of incomprehensibilities went on and on. " * 3
VARIED = [
    "",
    "font-size: 9px",
    "font-weight: bold",
    "font-style: italic",
    "font-variant-caps: small-caps",
    "font-variant-numeric: oldstyle-nums",
    "font-feature-settings: 'smcp'",
    "font-kerning: none",
    "letter-spacing: 1px",
    "word-spacing: 3px",
    "hyphens: auto",
    "hyphens: auto; hyphenate-character: '='",
    "hyphens: auto; hyphenate-limit-chars: 12 6 6",
    "hyphens: auto; hyphenate-limit-zone: 40%",
    "white-space: nowrap",
    "white-space: pre-wrap",
    "tab-size: 2",
    "overflow-wrap: anywhere",
    "word-break: break-all",
    "text-decoration: underline",
    "direction: rtl",
]


class RecordedStyle(dict):
    """A computed style that adds the name of each property read of it to `read`."""

    def __init__(self, style, read: set[str]):
        super().__init__()
        self.style, self.read = style, read

    def __missing__(self, name):
        self.read.add(name)
        return self.style[name]

    def __getattr__(self, name):
        return getattr(self.style, name)


def styled(*styles: str) -> str:
    return STYLED.replace("BODY", "".join(f'<p lang="en" style="{style}">{WORDS}</p>' for style in styles))


def test_a_text_broken_into_lines_before_in_the_same_style_and_width_is_not_broken_again(
    monkeypatch: pytest.MonkeyPatch,
):
    """The lines of an earlier layout (`laid_out_once(lines)`, as `edition watch` keeps them for
    each part): a paragraph that only moved (below a new one) is not broken again; a paragraph in
    a style that breaks its words otherwise, at the same width, is; the pages are a plain
    layout's, and so are their bytes."""
    split = weasyprint.layout.inline.split_first_line
    broken: list[str] = []

    def counted(*args, **options):
        broken.append(args[0])
        return split(*args, **options)

    monkeypatch.setattr(weasyprint.layout.inline, "split_first_line", counted)

    def laid_out(html: str, lines: dict | None) -> tuple[int, weasyprint.Document]:
        """The times a text was broken into lines, and the pages."""
        broken.clear()
        with typeset.laid_out_once(lines):
            document = render(html)
        return len(broken), document

    lines: dict = {}
    first, _ = laid_out(styled(*VARIED), lines)
    new_paragraph, _ = laid_out(styled("font-size: 7px"), None)
    moved = styled("font-size: 7px", *VARIED)  # a new paragraph first: the others lower down
    again, laid_out_again = laid_out(moved, lines)
    assert again == new_paragraph < first, "the paragraphs that only moved were broken again"
    plain = render(moved)
    assert page_drawings(laid_out_again.pages) == page_drawings(plain.pages)
    assert write(laid_out_again, 0, WHEN, **OPTIONS)[0] == write(plain, 0, WHEN, **OPTIONS)[0]
    # Each style's paragraph laid out after the same words in every style before it, as a plain
    # layout lays it out: none took the lines of another.
    with typeset.laid_out_once({}):
        together = render(styled(*VARIED))
    apart = render(styled(*VARIED))
    assert page_drawings(together.pages) == page_drawings(apart.pages)
    assert write(together, 0, WHEN, **OPTIONS)[0] == write(apart, 0, WHEN, **OPTIONS)[0]


def test_a_line_drawn_since_it_was_broken_is_handed_out_as_it_was_broken():
    """Drawing a line may change its Pango layout's text (a clamped paragraph's ellipsis, in
    `draw_first_line`): the lines kept for a later layout are copies, which no drawing reaches."""
    html = STYLED.replace("BODY", f'<p style="line-clamp: 2; text-align: left">{WORDS}</p>')
    lines: dict = {}
    with typeset.laid_out_once(lines):
        drawn = render(html)
    write(drawn, 0, WHEN, **OPTIONS)  # draws the ellipsis into the line it drew
    with typeset.laid_out_once(lines):
        again = render(html)
    plain = render(html)
    assert page_drawings(again.pages) == page_drawings(plain.pages)
    assert write(again, 0, WHEN, **OPTIONS)[0] == write(plain, 0, WHEN, **OPTIONS)[0]


def test_line_style_holds_every_property_of_the_style_that_line_breaking_reads(monkeypatch: pytest.MonkeyPatch):
    """`typeset.LINE_STYLE`, by which a text broken into lines is known again, has every property
    WeasyPrint's `split_first_line` reads of the style (for the paragraphs of `VARIED`, which
    take its paths: hyphenation, spacing, tabs, decoration, wrapping)."""
    split = weasyprint.layout.inline.split_first_line
    read: set[str] = set()

    def recorded(text, style, *args, **options):
        return split(text, RecordedStyle(style, read), *args, **options)

    monkeypatch.setattr(weasyprint.layout.inline, "split_first_line", recorded)
    render(styled(*VARIED))
    assert {"font_size", "hyphens", "letter_spacing", "tab_size", "text_decoration_line"} <= read
    assert read <= set(typeset.LINE_STYLE), f"line breaking reads {sorted(read - set(typeset.LINE_STYLE))} too"


def test_the_pdfs_objects_serialized_once_are_written_as_pydyf_writes_them(monkeypatch: pytest.MonkeyPatch):
    document, serialize_once = render(), typeset._serialized_once
    data, serialized = pydyf.Dictionary.data.fget, collections.Counter()
    made: list[pydyf.Object] = []  # the objects the finisher leaves to pydyf (kept, so their ids stay theirs)

    def counted(dictionary: pydyf.Dictionary) -> bytes:
        serialized[id(dictionary)] += 1
        return data(dictionary)

    def written(serialize: Callable[[pydyf.PDF, int], None], jobs: int = 1) -> tuple[bytes, int, float]:
        """The PDF, the most times one of its dictionaries was serialized here once made, and the
        share of them serialized here at all."""
        made.clear()

        def serialized_by(pdf: pydyf.PDF, jobs: int) -> None:
            made.extend(pdf.objects)
            serialized.clear()
            serialize(pdf, jobs)

        monkeypatch.setattr(typeset, "_serialized_once", serialized_by)
        pdf = write(document, 0, WHEN, jobs=jobs, **OPTIONS)[0]
        counts = [serialized[id(item)] for item in made if isinstance(item, pydyf.Dictionary)]
        return pdf, max(counts), sum(map(bool, counts)) / len(counts)

    monkeypatch.setattr(pydyf.Dictionary, "data", property(counted))
    once = written(serialize_once)
    assert once[1:] == (1, 1.0)
    assert written(lambda pdf, jobs: None)[:2] == (once[0], 2)  # pydyf's own: once more, for the identifier
    # Every other object serialized in a worker process (which this one does not count): the same bytes.
    monkeypatch.setattr(typeset, "SHARED_FROM", 2)
    shared = written(serialize_once, jobs=2)
    assert shared[0] == once[0] and shared[1] == 1 and 0.4 < shared[2] < 0.6
    # What pydyf hashes for the identifier, and what it asks of each object it writes.
    assert "b''.join(obj.data for obj in self.objects if obj.free != 'f')" in inspect.getsource(pydyf.PDF.write)
    assert {"number", "offset", "generation", "free"} <= vars(pydyf.Object()).keys()


def test_streams_deflated_in_threads_are_written_as_pydyf_writes_them(monkeypatch: pytest.MonkeyPatch):
    document = render()
    beside = write(document, 0, WHEN, **OPTIONS)[0]
    monkeypatch.setattr(typeset, "_compressed_beside", lambda pdf, threads: None)
    assert write(document, 0, WHEN, **OPTIONS)[0] == beside
    # What `_deflate` copies of pydyf's `Stream.data`, and the names it sets.
    source = inspect.getsource(pydyf.Stream.data.fget)
    assert f"zlib.compressobj(level={typeset.DEFLATE_LEVEL})" in source and "extra['Filter'] = '/FlateDecode'" in source
    assert {"stream", "compress", "extra"} <= vars(pydyf.Stream()).keys() and callable(pydyf._to_bytes)
