"""Where a new layout rejoins its last one (`rejoin`), at the edges the cases of test_rejoin.py
leave: blocks added at the end, an edit in the second block or in the HTML's first character,
what the rejoin is made of whole, a rest that never landed on a page, a layout that reaches the
last page, and where pages end (a block run over pages, a blank page, text outside any block).
Hand-written HTML and page summaries: milliseconds, no WeasyPrint."""

from __future__ import annotations

from edition.layout.pages import Block
from edition.layout.rejoin import Edit, Rejoin, _ends, edit_between
from tests.layout.test_rejoin import BLOCKS, OLD, REST, RESUMABLE, TAIL, html, laid_out, made


def test_an_old_part_that_the_new_one_begins_with_has_no_rest():
    """Blocks added after the last (here without the closing tags, which would be a change to the
    last block): the layout resumes from the last block and goes on to the end."""
    old = html().removesuffix(TAIL)
    new = old + '<p class="para" id="p7">Seven.</p>'
    assert edit_between(old, new, RESUMABLE | {"p7"}) == Edit("p6", ())
    assert edit_between(new, old, RESUMABLE | {"p7"}) == Edit("p6", ())


def test_an_edit_in_the_second_block_resumes_after_the_first():
    edit = edit_between(html(), html(p2=BLOCKS["p2"].replace("Paragraph", "A paragraph")), RESUMABLE)
    assert edit.before == "p1" and [block for block, _ in edit.rest] == ["p3", "p4", "p5", "p6"]


def test_an_edit_to_the_first_character_of_the_part_is_an_edit_to_its_opening():
    assert edit_between(html(), "<" + html()[1:].replace("DOCTYPE", "doctype", 1), RESUMABLE) == Edit(None, ())
    assert edit_between("x" + html()[1:], "y" + html()[1:], RESUMABLE) == Edit(None, ())


def test_a_rejoin_holds_where_each_old_page_ended_the_pages_notes_were_carried_to_and_the_rest():
    ends = (("p2", 10), ("p4", 4), ("p5", 10), ("p6", 10))
    rest = frozenset({"p4", "p5", "p6"})
    assert Rejoin.of(OLD, REST, windowed=False) == Rejoin(ends, frozenset(), rest, None, frozenset())
    runs = [tuple((block.id, block.text) for block in page.blocks) for page in OLD]
    carrying = laid_out(*runs, carried=frozenset({1}))
    assert Rejoin.of(carrying, REST) == Rejoin(ends, frozenset({2}), rest, None, frozenset())


def test_a_rest_that_begins_on_no_page_has_no_window():
    rest = (("p4", frozenset({"p4"})), ("p9", frozenset({"p9"})))
    assert Rejoin.of(OLD, Edit("p2", rest)).end is None
    assert Rejoin.of(OLD, Edit("p2", rest)).guard == frozenset()


def test_a_window_holds_the_same_ends_carried_pages_and_rest_as_a_whole_layout():
    pages = laid_out(*[((f"p{n}", "x" * 10),) for n in range(1, 13)])
    rest = tuple((f"p{n}", frozenset({f"p{n}"})) for n in range(3, 13))
    windowed, whole = Rejoin.of(pages, Edit("p2", rest)), Rejoin.of(pages, Edit("p2", rest), windowed=False)
    assert (windowed.ends, windowed.carried, windowed.rest) == (whole.ends, whole.carried, whole.rest)
    assert windowed.ends == tuple((f"p{n}", 10) for n in range(1, 13)) and windowed.rest == {r for r, _ in rest}


def test_a_new_layout_that_reaches_the_old_ones_last_page_does_not_rejoin_after_it():
    """There is no page after it to keep: the layout goes on to the part's end."""
    to_the_end = made(
        (("p2", "bbbbbbbbbb"), ("p3", "cccccccccc"), ("p4", "dddd")),
        (("p4", "dddddd"), ("p5", "e" * 10)),
        (("p6", "ffffffffff"),),
    )
    assert Rejoin.of(OLD, REST).page(1, to_the_end) is None


def test_no_rejoining_without_a_rest_even_where_a_page_ends_as_before():
    rejoin = Rejoin(((("p2", 10)), ("p4", 4), ("p5", 10)), frozenset(), frozenset(), None, frozenset())
    assert rejoin.page(1, made((("p2", "bbbbbbbbbb"), ("p3", "cccccccccc"), ("p4", "dddd")))) is None


def test_a_page_ends_in_its_last_block_with_letters_counted_from_the_blocks_start():
    pages = [
        (Block("p1", "One two"), Block("p2", "Three")),
        (Block("p2", "four five"), Block("p3", "—")),  # a dash: no letter of p3 yet
        (),  # a blank page
        (Block("p3", "Six"), Block("", "7")),  # text in no block with an id
        (Block("p3", "seven!"),),
    ]
    assert _ends(pages) == (("p2", 5), ("p2", 13), None, None, ("p3", 8))
    assert _ends([(Block("p1", "aa"),), (Block("p0", "b"), Block("p1", "cc"))]) == (("p1", 2), ("p1", 4))
