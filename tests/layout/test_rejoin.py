"""Where a new layout of an edited part rejoins its last layout (`rejoin`), on hand-written HTML
and page summaries: no WeasyPrint, no layout; the file runs in milliseconds.
tests/layout/test_incremental.py checks on the edition's real layout that the pages it gives are those
of a whole layout."""

from __future__ import annotations

from edition.layout.pages import Block, Call, NewPage, PageLayout
from edition.layout.rejoin import GUARD_PAGES, WINDOW_PAGES, Edit, Rejoin, edit_between

HEAD = '<!DOCTYPE html><html><body><section class="essay" id="e"><h1 id="e-title">Title</h1>'
BLOCKS = {
    f"p{n}": f'<p class="para" id="p{n}">Paragraph {n}<span class="footnote">a note</span>.</p>' for n in range(1, 7)
}
TAIL = "</section></body></html>"
RESUMABLE = set(BLOCKS)


def html(**changed: str) -> str:
    return HEAD + "".join(changed.get(block, text) for block, text in BLOCKS.items()) + TAIL


def rest_ids(edit: Edit) -> set[str]:
    return {element for _, ids in edit.rest for element in ids}


def test_an_edit_in_a_paragraph_rejoins_in_the_blocks_after_it():
    edit = edit_between(html(), html(p3=BLOCKS["p3"].replace("Paragraph", "A paragraph")), RESUMABLE)
    assert edit.before == "p2"
    assert [block for block, _ in edit.rest] == ["p4", "p5", "p6"] and rest_ids(edit) == {"p4", "p5", "p6"}


def test_a_paragraph_added_or_removed_keeps_the_rest_after_it():
    added = html(p3=BLOCKS["p3"] + '<p class="para" id="new">New.</p>')
    assert edit_between(html(), added, RESUMABLE | {"new"}).before == "p3"  # a block of its own
    assert edit_between(html(), added, RESUMABLE).before == "p2"  # part of p3's piece
    assert [block for block, _ in edit_between(html(), added, RESUMABLE).rest] == ["p4", "p5", "p6"]
    plain = '<p class="para" id="p4">Four.</p>'  # with no note, whose loss would change the letters
    edit = edit_between(html(p4=plain), html(p4=""), RESUMABLE)
    assert edit.before == "p3" and [block for block, _ in edit.rest] == ["p5", "p6"]
    assert edit_between(html(), html(p4=""), RESUMABLE) == Edit("p3", ())


def test_an_edit_in_the_first_paragraph_lays_out_from_the_start_but_may_rejoin():
    edit = edit_between(html(), html(p1=BLOCKS["p1"].replace("Paragraph", "A paragraph")), RESUMABLE)
    assert edit.before is None and [block for block, _ in edit.rest] == ["p2", "p3", "p4", "p5", "p6"]


def test_an_edit_to_the_opening_or_the_last_block_leaves_no_rest():
    """The title sets the running heads of every page; after the last block there is nothing."""
    opening = edit_between(html(), html().replace("Title", "A title"), RESUMABLE)
    assert opening == Edit(None, ())
    assert edit_between(html(), html(p6=BLOCKS["p6"].replace("Paragraph", "A paragraph")), RESUMABLE).rest == ()


def test_a_note_or_list_item_added_before_the_rest_leaves_no_rest():
    """The letters of every later note, or the numbers of every later item, would change."""
    note = BLOCKS["p3"].replace(".</p>", '<span class="footnote">another</span>.</p>')
    assert edit_between(html(), html(p3=note), RESUMABLE) == Edit("p2", ())
    item = BLOCKS["p3"] + "<ol><li>An item</li></ol>"
    assert edit_between(html(), html(p3=item), RESUMABLE) == Edit("p2", ())
    moved = BLOCKS["p3"].replace('<span class="footnote">a note</span>', "") + '<span class="footnote">a note</span>'
    assert edit_between(html(), html(p3=moved), RESUMABLE).rest  # the same number of notes


# Pages: each block of two lines of ten letters; the old layout's pages, three blocks a page.


def laid_out(*pages: tuple[tuple[str, str], ...], carried: frozenset[int] = frozenset()) -> list[PageLayout]:
    """Pages of (block, text) runs; `carried`: the pages with a note called on them and set on
    the next."""
    return [
        PageLayout(
            tuple(dict.fromkeys(block for block, _ in runs)) + ((f"n{index}",) if index - 1 in carried else ()),
            True,
            tuple(Block(block, text) for block, text in runs),
            (Call(f"n{index + 1}", runs[-1][0]),) if index in carried else (),
        )
        for index, runs in enumerate(pages)
    ]


OLD = laid_out(
    (("p1", "aaaaaaaaaa"), ("p2", "bbbbbbbbbb")),
    (("p2", "bbbbbbbbbb"), ("p3", "cccccccccc"), ("p4", "dddd")),
    (("p4", "dddddd"), ("p5", "eeeeeeeeee")),
    (("p6", "ffffffffff"),),
)
REST = Edit("p2", (("p4", frozenset({"p4"})), ("p5", frozenset({"p5"})), ("p6", frozenset({"p6"}))))


def made(*pages: tuple[tuple[str, str], ...], carried: tuple[str, ...] = ()) -> list[NewPage]:
    return [
        NewPage(tuple(Block(block, text) for block, text in runs), (), carried if index == len(pages) - 1 else ())
        for index, runs in enumerate(pages)
    ]


def test_a_new_page_that_ends_where_the_old_one_ended_rejoins_after_it():
    rejoin = Rejoin.of(OLD, REST)
    # Laid out again from the second page (index 1): p2 longer, and p4 breaks at the same letter.
    new = made((("p2", "bbbbbbbbbbbbbbbb"), ("p3", "cccc"), ("p4", "dddd")))
    assert rejoin.page(1, new) == 2
    # Ending the page of the same number, but at another letter of p4, or in a changed block.
    assert rejoin.page(1, made((("p2", "bbbbbbbbbbbbbbbb"), ("p3", "cccc"), ("p4", "ddd")))) is None
    assert rejoin.page(1, made((("p2", "bbbbbbbbbbbbbbbb"), ("p3", "cccc")))) is None
    # A page later: the old third page, after a new second one.
    later = made((("p2", "bbbbbbbbbbbbbbbbbbbb"), ("p3", "cccccccccc")), (("p4", "dddddddddd"), ("p5", "eeeeeeeeee")))
    assert rejoin.page(1, later) == 3
    assert rejoin.page(0, later) is None  # not the page of the same number


def test_no_rejoining_where_a_note_is_carried_over_or_there_is_no_rest():
    ending = (("p2", "bbbbbbbbbbbbbbbb"), ("p3", "cccc"), ("p4", "dddd"))
    assert Rejoin.of(OLD, REST).page(1, made(ending)) == 2
    assert Rejoin.of(OLD, REST).page(1, made(ending, carried=("n9",))) is None  # from the new page
    runs = [tuple((block.id, block.text) for block in page.blocks) for page in OLD]
    assert (
        Rejoin.of(laid_out(*runs, carried=frozenset({1})), REST).page(1, made(ending)) is None
    )  # to the old one's next
    assert Rejoin.of(OLD, Edit("p2", ())).page(1, made(ending)) is None


def test_the_layout_stops_a_few_pages_into_the_rest_and_must_rejoin_before_the_last_two():
    # One block a page, p1 … p12; the edit in p2, the rest from p3 on.
    pages = laid_out(*[((f"p{n}", "x" * 10),) for n in range(1, 13)])
    rest = tuple((f"p{n}", frozenset({f"p{n}", f"p{n}-inner"})) for n in range(3, 13))
    rejoin = Rejoin.of(pages, Edit("p2", rest))
    end = 3 + WINDOW_PAGES  # the rest begins on p3's page, index 2
    assert rejoin.end == f"p{end}"
    assert rejoin.guard == {f"p{n}" for n in range(end - GUARD_PAGES, end)} | {
        f"p{n}-inner" for n in range(end - GUARD_PAGES, end)
    }
    assert rejoin.outrun(NewPage((Block(f"p{end - 1}-inner", "x"),), (), ()))
    assert not rejoin.outrun(NewPage((Block(f"p{end - GUARD_PAGES - 1}", "x"),), (), ()))
    assert Rejoin.of(pages, Edit("p2", rest), windowed=False).end is None
    assert Rejoin.of(pages, Edit("p2", rest[:WINDOW_PAGES])).end is None  # too short for a window
