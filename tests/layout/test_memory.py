"""The pages laid out so far are set aside from the cyclic garbage collector's scans while the
edition is laid out and written (`layout.memory`), and handed back to it afterwards: what is
garbage is still collected, and nothing stays frozen once a layout or a PDF is done."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, datetime

import pytest

from edition import build as build_module
from edition.errors import EditionError
from edition.layout import memory
from edition.layout.memory import kept_from_collection, settled_between_builds
from edition.layout.pdf import Typesetter, layout, write_proof
from edition.project import Project
from edition.sources.check import checked_edition
from edition.sources.model import Imprint
from edition.sources.profiles import DEFAULT
from tests.mini import make_mini


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_set_aside_freezes_what_lives_and_collects_the_young_garbage_of_a_long_layout() -> None:
    """From `LONG` pages: the young generations' garbage is collected and the rest frozen, the
    oldest generation's garbage with it (a full collection would scan the whole process), until
    the block ends. Below, nothing is done."""
    assert gc.get_freeze_count() == 0
    kept, old = Node(), Node()
    gc.collect(1)  # `old` and `kept` into the oldest generation
    young = Node()
    gone = [weakref.ref(node) for node in (young, old)]
    del young, old
    with kept_from_collection() as set_aside:
        set_aside(memory.LONG - 1)
        assert gc.get_freeze_count() == 0 and gone[0]() is not None
        set_aside(memory.LONG)
        assert gone[0]() is None and gone[1]() is not None  # the young cycle collected, the old frozen
        assert gc.get_freeze_count() > 0
        assert not any(item is kept for item in gc.get_objects())  # frozen: out of the scanned generations
    assert gc.get_freeze_count() == 0
    assert any(item is kept for item in gc.get_objects())
    gc.collect()
    assert gone[1]() is None  # unfrozen, and collected


def test_between_builds_what_lives_is_set_aside_and_what_died_since_collected_once_it_has_grown() -> None:
    """`settle` collects the young garbage and freezes what lives; what dies once frozen (a part's
    last layout) is collected by a full collection, made the first time and then once the frozen
    objects have grown by `GROWTH`; a short layout in between leaves them frozen; leaving the
    block unfreezes them."""
    with settled_between_builds() as settle:
        kept, dropped = Node(), Node()
        gone = weakref.ref(dropped)
        del dropped
        settle()  # the first: a full collection
        assert gone() is None and gc.get_freeze_count() > 0
        assert not any(item is kept for item in gc.get_objects())  # frozen: out of the scans
        with kept_from_collection() as set_aside:  # a save's layout, of fewer than LONG pages
            set_aside(memory.LONG - 1)
        assert not any(item is kept for item in gc.get_objects())  # still frozen
        young = Node()
        gone_young, gone = weakref.ref(young), weakref.ref(kept)
        del young, kept  # garbage: young, and frozen
        settle()
        assert gone_young() is None and gone() is not None  # the frozen garbage waits
        grown = [[] for _ in range(int(gc.get_freeze_count() * (memory.GROWTH - 1)) + 1)]  # a build's objects
        settle()
        assert gone() is None and grown  # collected, once the frozen objects grew by a quarter
    assert gc.get_freeze_count() == 0


def test_each_part_is_set_aside_as_it_is_laid_out_and_nothing_stays_frozen(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(memory, "LONG", 1)  # the mini-edition's few pages as a long layout's
    project = make_mini(tmp_path / "mini")
    typesetter = Typesetter(project, "A4")
    seen: list[tuple[str, bool]] = []  # after each part: its name, and whether its last page is scanned

    def progress(said: str) -> None:  # "laid out NAME: part …"
        name = said.removeprefix("laid out ").split(":")[0]
        last = typesetter.parts[name].document.pages[-1]
        seen.append((name, any(item is last for item in gc.get_objects())))

    edition = checked_edition(project)
    document = layout(edition, project, Imprint(), DEFAULT, typesetter, progress=progress)
    assert len(seen) >= 3 and not [name for name, scanned in seen if scanned]
    first = next(iter(typesetter.parts.values())).document.pages[0]
    assert gc.get_freeze_count() == 0 and any(item is first for item in gc.get_objects())
    proof = write_proof(document, edition, datetime(2026, 1, 1, tzinfo=UTC), typesetter)
    assert proof.startswith(b"%PDF") and gc.get_freeze_count() == 0


def test_a_build_runs_with_the_youngest_generation_collected_less_often(tmp_path, monkeypatch) -> None:
    """`build` and `build_readers` run within `collected_less_often`: the youngest generation
    collected once `YOUNG` objects more have been made; CPython's threshold back once they end,
    however they end."""
    seen = []

    def read_job(*args, **options):
        seen.append(gc.get_threshold())
        raise EditionError("read no further")

    monkeypatch.setattr(build_module, "read_job", read_job)
    monkeypatch.setattr(build_module, "checked_edition", lambda project: None)
    before = gc.get_threshold()
    assert before[0] != memory.YOUNG
    with pytest.raises(EditionError):
        build_module.build(Project(tmp_path))
    with pytest.raises(EditionError):
        build_module.build_readers(Project(tmp_path), ("pdf",), None, [tmp_path / "a.toml"])
    assert seen == [(memory.YOUNG, *before[1:])] * 2
    assert gc.get_threshold() == before
