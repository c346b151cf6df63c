"""The pages laid out so far, kept out of the way of Python's cyclic garbage collector.

A laid-out page is a tree of thousands of objects (boxes, their styles, the text's layouts), and
every part's pages stay alive until the PDF is written. CPython's collector scans every object
it tracks at each full collection, and makes one whenever the objects that survived the last
one have grown by a quarter: so the more pages are already laid out, the more each collection
costs, and a long edition spends a quarter of its layout time scanning pages that cannot be
garbage (the benchmark's ×25 corpus, 565 pages, on 2 cores: 116.7 s of layout with the
collector left as it is, 89.8 s with each part set aside once laid out, 75.6 s with no
collection at all, whose memory then grew past 2 GB).

`kept_from_collection` gives `set_aside`, which collects what is garbage and freezes the rest
(`gc.freeze`): the collector no longer scans it, and what a later part leaves as garbage is
still collected. The first time in a block it collects the young generations only: nothing is
frozen yet, and a full collection would scan every object of the process (in `edition watch`,
every page of the last layout: 0.3 s a save); the garbage already in the oldest generation
stays, frozen, until the block ends. Each later time a full collection scans only what was made
since. On leaving, everything is unfrozen and scanned as before (in `edition watch`, a part laid
out again leaves its last layout as garbage).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def kept_from_collection() -> Iterator[Callable[[], None]]:
    """Within the block, `set_aside()` takes what is alive out of the collector's scans; on
    leaving, it is scanned again. (`gc.unfreeze` unfreezes every frozen object: nothing else in
    the process freezes any.)"""

    def set_aside() -> None:
        gc.collect(2 if gc.get_freeze_count() else 1)  # see above
        gc.freeze()

    try:
        yield set_aside
    finally:
        gc.unfreeze()
