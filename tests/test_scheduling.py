"""The suite's own scheduler (conftest.pytest_xdist_make_scheduler) overrides a private method of
pytest-xdist: if an upgrade renames it, the real edition would be built on both workers again,
silently doubling the suite's time. This fails instead. And the order it hands the groups out in
(conftest.in_order): the two that build first, then the files, the longest of the last run first."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path

from xdist.scheduler import LoadScopeScheduling

from tests.conftest import DURATIONS, in_order


def test_the_scope_split_the_suite_overrides_is_still_there():
    method = getattr(LoadScopeScheduling, "_split_scope", None)
    assert method is not None, "pytest-xdist no longer splits scopes with _split_scope: see conftest"
    assert list(inspect.signature(method).parameters) == ["self", "nodeid"]


@dataclass
class Item:
    """As much of a pytest item as the grouping reads."""

    path: Path
    fixturenames: list[str] = field(default_factory=list)

    def get_closest_marker(self, name: str) -> None:
        return None


def test_the_groups_that_build_go_first_then_the_longest_of_the_last_run():
    items = [
        Item(Path("test_a.py")),
        Item(Path("test_b.py")),
        Item(Path("test_b.py"), ["reader_pdf"]),
        Item(Path("test_b.py"), ["mini_copy"]),
        Item(Path("test_b.py")),
        Item(Path("test_c.py")),
        Item(Path("test_d.py"), ["document"]),
        Item(Path("test_e.py"), ["mini_built"]),
    ]
    seconds = {"test_c.py": 9.0, "test_e.py": 5.0, "test_b.py": 2.0}
    assert [(item.path.name, item.fixturenames) for item in in_order(items, seconds)] == [
        ("test_d.py", ["document"]),
        ("test_b.py", ["reader_pdf"]),
        ("test_c.py", []),
        ("test_e.py", ["mini_built"]),
        ("test_b.py", []),
        ("test_b.py", ["mini_copy"]),  # with the rest of its file: the built mini-edition has no group
        ("test_b.py", []),
        ("test_a.py", []),
    ]
    # Without a last run, the files in their order.
    assert [item.path.name for item in in_order(items, {})][2:] == [
        "test_a.py",
        "test_b.py",
        "test_b.py",
        "test_b.py",
        "test_c.py",
        "test_e.py",
    ]


def test_the_committed_durations_name_only_groups_and_files_there_are():
    """tests/durations.json, the order of a run with no cache of its own (CI's): a file renamed
    or removed leaves a figure that orders nothing, and the file's new name has none."""
    named = json.loads(DURATIONS.read_text())
    files = {path.name for path in Path(DURATIONS.parent).rglob("test_*.py")}
    assert set(named) <= files | {"edition", "reader"}, set(named) - files
    assert {"edition", "reader"} <= set(named) and all(seconds >= 0 for seconds in named.values())
