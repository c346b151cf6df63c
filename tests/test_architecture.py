"""The package's tree is its architecture: one subpackage a stage, and the data's way through them.

    sources  →  html  →  layout | ereader  →  keeping
       ↑
    ingest (documents taken in as sources, checked by `sources`)

A stage imports only the stages before it and what every stage shares (`errors`, `project`,
`gate`, the package's `__version__`), which import no stage; the command line, the build and the
watcher at the top may import any. Every import counts, those inside functions too. The tree
stays small enough to read: at most 8 modules beside the subpackages, at most 12 in any one.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "edition"

SHARED = {"edition", "edition.errors", "edition.project", "edition.gate"}
TOP = {"edition.__main__", "edition.cli", "edition.build", "edition.watch"}
# Each stage, and the stages it may import (besides itself and SHARED).
STAGES: dict[str, set[str]] = {
    "sources": set(),
    "ingest": {"sources"},
    "html": {"sources"},
    "layout": {"sources", "html"},
    "ereader": {"sources", "html"},
    "keeping": {"sources", "html", "layout", "ereader"},
}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path) -> set[str]:
    """The modules of the package at `root` that the file imports, anywhere in it, by absolute name."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "edition"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] == "edition":
                # `from . import x` may import a module x: count it as the module it names
                found |= {f"{target}.{alias.name}" if _is_module(f"{target}.{alias.name}", root) else target
                          for alias in node.names}  # fmt: skip
    return found


def _is_module(name: str, root: Path) -> bool:
    relative = Path(*name.split(".")[1:])
    return (root / relative).with_suffix(".py").is_file() or (root / relative / "__init__.py").is_file()


def stage_of(module: str) -> str | None:
    """The stage a module belongs to; None for the shared modules and the top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else None


def wrong_imports(package: Path) -> list[str]:
    """Every import against the stages' direction, as 'importer -> imported'."""
    wrong = []
    for path in sorted(package.rglob("*.py")):
        importer = module_name(path, package)
        for target in sorted(imported(path, package)):
            if importer in TOP or target in SHARED or stage_of(target) == stage_of(importer) is not None:
                continue
            if importer in SHARED:
                wrong.append(f"{importer} -> {target} (a shared module imports no stage)")
            elif stage_of(importer) is None:
                wrong.append(f"{importer} -> {target} (a module outside every stage)")
            elif target in TOP or stage_of(target) not in STAGES[stage_of(importer)]:
                wrong.append(f"{importer} -> {target}")
    return wrong


def test_every_subpackage_is_a_stage_and_every_top_module_is_named():
    subpackages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(STAGES)
    top = {module_name(path) for path in PACKAGE.glob("*.py")}
    assert top == SHARED | TOP


def test_the_stages_import_only_the_stages_before_them():
    assert wrong_imports(PACKAGE) == []


def test_no_two_stages_import_each_other_even_through_others():
    reaches = {stage: set(allowed) for stage, allowed in STAGES.items()}
    for _ in STAGES:  # the transitive closure, small enough to take by repetition
        for stage in reaches:
            reaches[stage] |= {later for earlier in reaches[stage] for later in reaches[earlier]}
    assert all(stage not in reaches[stage] for stage in STAGES)


@pytest.mark.parametrize(
    "module, line",
    [
        ("sources/check.py", "from ..layout import pdf"),  # a stage importing a later one
        ("layout/pdf.py", "from ..ereader.epub import build_epub"),  # two sibling stages
        ("gate.py", "from .sources.model import Edition"),  # a shared module importing a stage
        ("keeping/archive.py", "    from ..build import build"),  # a stage importing the top, in a function
    ],
)
def test_an_import_against_the_direction_is_found(tmp_path: Path, module: str, line: str):
    copy = tmp_path / "edition"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    text = path.read_text()
    if line.startswith(" "):
        line = f"def planted():\n{line}\n"
    path.write_text(text + "\n" + line + "\n")
    assert len(wrong_imports(copy)) == 1


def test_the_tree_stays_small_enough_to_read():
    assert len(list(PACKAGE.glob("*.py"))) <= 8
    for stage in STAGES:
        assert len(list((PACKAGE / stage).glob("*.py"))) - 1 <= 12, stage  # its __init__ aside
