"""The benchmark's fair peer (benchmarks/peer.py) is given every note of our EPUB as a footnote:
Pandoc reads the mini-edition's EPUB and, through benchmarks/footnotes.lua, writes each note as
a span WeasyPrint floats to the foot of its page. Only Pandoc's HTML: laying it out is the
benchmark's work, and would cost the suite seconds."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT


def _peer() -> ModuleType:
    """benchmarks/peer.py, which the benchmark runs as a script beside it, not as a package."""
    spec = importlib.util.spec_from_file_location("peer", ROOT / "benchmarks" / "peer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_fair_peer_makes_every_note_of_our_epub_a_footnote(mini_built: Path, tmp_path: Path):
    peer = _peer()
    (epub,) = (mini_built / "dist").glob("*.epub")
    to_html, _ = peer.fair_commands(epub, tmp_path)["pdf"]
    subprocess.run(to_html, check=True, capture_output=True)
    notes = peer.notes(epub, tmp_path / "fair.html")
    assert notes["noterefs"] > 1, notes  # the author's note and the identifications
    assert notes["footnotes"] == notes["noterefs"] - notes["nested"], notes
    html = (tmp_path / "fair.html").read_text(encoding="utf-8")
    # Pandoc's own notes (a call to a list at the end) and the cover picture are gone.
    assert 'class="footnote-ref"' not in html
    assert "<img" not in html
