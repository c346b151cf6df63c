"""The pages laid out so far, kept out of the way of Python's cyclic garbage collector.

A laid-out page is a tree of thousands of objects (boxes, their styles, the text's layouts), and
every part's pages stay alive until the PDF is written. CPython's collector scans every object
it tracks at each full collection, and makes one whenever the objects that survived the last
one have grown by a quarter: so the more pages are already laid out, the more each collection
costs, and a long edition spends a quarter of its layout time scanning pages that cannot be
garbage (the benchmark's ×25 corpus, 565 pages, on 2 cores: 116.7 s of layout with the
collector left as it is, 89.8 s with each part set aside once laid out, 75.6 s with no
collection at all, whose memory then grew past 2 GB).

`kept_from_collection` gives `set_aside`, which, once a layout has made `LONG` pages, collects
the garbage of the young generations and freezes the rest (`gc.freeze`): the collector no
longer scans it, and what a later part leaves as garbage is still collected; garbage already
in the oldest generation stays, frozen, until the block ends (a full collection each time would
scan every object of the process). On leaving, everything is unfrozen and scanned as before (in
`edition watch`, a part laid out again leaves its last layout as garbage).

Below `LONG` pages nothing is set aside: the edition's 40 pages lay out in the same time either
way (four builds each way, within their noise), and a process that lays out small editions
many times over (the tests) spent more time in full collections after each unfreeze (10 s more
of processor time over the suite's 213 s).

Throughout a build (`collected_less_often`), the youngest generation is collected once `YOUNG`
objects more have been made rather than CPython's 700, and so each older generation ten and a
hundred times less often too: a build makes millions of objects, most of them alive until its
outputs are written, and a full collection scans every one alive. A cold build of this edition
with one job (about 5.8 s) made six full collections, 0.50 s, and 819 collections in all,
0.64 s; with `YOUNG` at 10,000, none full and 51 in all, 0.17 s: 4.83–5.79 s against
5.01–6.58 s (four builds each way, taking turns). The ×25 edition: 55.1 s for 87.2 s of user
time against 62.0 s for 99.6 s (one build each way; 57.7 s against 65.4 s in another pair, at
most 1,774 MB summed over its processes against 1,801 MB). A save under `edition watch` takes
the same time (its builds' pages are set aside between saves already). Garbage in the young
generations waits a little longer to be collected; what a long edition lays out is set aside as
above.

`settled_between_builds` serves a process that builds again and again (`edition watch`): what
stays alive from one build to the next (the typesetter's last layout of every part, the proof's
drawings) is a few hundred thousand objects, and the full collections during a save scanned
them all: 0.13–0.26 s of seven of the benchmark's eight ordinary saves, which took 0.49–1.19 s
(in one process, on 2 cores). So once a build is done, while the editor looks at the proof,
`settle` collects the young garbage the build left and freezes the rest: the next save's
collections scan only what that save makes. What is frozen and then dies (the last layout of a
part laid out again) is collected as CPython would have collected it, by a full collection once
the frozen objects have grown by a quarter since the last (`GROWTH`): every full collection
scans everything the process keeps, 0.11–0.26 s for this edition but 1.5–2.4 s for the ×25
edition's 1.5 million objects, which a full collection after every save would cost.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LONG = 200  # pages laid out, from which `set_aside` sets them aside (see above)
YOUNG = 10_000  # objects made between two collections of the youngest generation, in a build (see above)
GROWTH = 1.25  # `settle` collects fully once the frozen objects are this many times the last count


@contextmanager
def kept_from_collection() -> Iterator[Callable[[int], None]]:
    """Within the block, `set_aside(pages)`, told how many pages the layout has made so far,
    takes what is alive out of the collector's scans if they are `LONG` or more; on leaving, it
    is scanned again, if `set_aside` froze it. (`gc.unfreeze` unfreezes every frozen object,
    those `settled_between_builds` froze too: its next `settle` freezes them again.)"""
    froze = False

    def set_aside(pages: int) -> None:
        nonlocal froze
        if pages >= LONG:
            gc.collect(1)  # the young generations only: see above
            gc.freeze()
            froze = True

    try:
        yield set_aside
    finally:
        if froze:
            gc.unfreeze()


@contextmanager
def collected_less_often() -> Iterator[None]:
    """While in this context, the collector collects the youngest generation once `YOUNG`
    objects more have been made, and each older one accordingly (see above)."""
    threshold = gc.get_threshold()
    gc.set_threshold(YOUNG, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


@contextmanager
def settled_between_builds() -> Iterator[Callable[[], None]]:
    """Within the block, `settle()`, called once a build is done, takes what is alive out of
    the next build's collections, and collects the garbage among what it took out before once
    that has grown by `GROWTH` (see above); on leaving, it is unfrozen."""
    collected = 0  # the objects frozen after the last full collection

    def settle() -> None:
        nonlocal collected
        gc.collect(1)  # the young generations' garbage
        gc.freeze()
        if gc.get_freeze_count() > GROWTH * collected:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            collected = gc.get_freeze_count()

    try:
        yield settle
    finally:
        gc.unfreeze()
