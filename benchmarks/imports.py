"""`edition import` on documents a course reader brings: one with 200 footnotes and one of 50,000
words, each made as a DOCX by Pandoc from generated Markdown, each imported into a new project
(`edition new`) in a fresh process, `repeat` times; a figure is the median wall time of the
import alone. The target: under 5 s each on the benchmark's machine."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from measure import measure

from edition.ingest.pandoc import pandoc_binary

IMPORT_TARGET = 5.0  # seconds
ASSISTANT_TARGET = 2.0  # seconds, for `edition check --suspects --mentions` of a 50,000-word essay
SENTENCE = "The plan of {n} was revised again when the factories reported what they could not make. "


def documents(folder: Path) -> dict[str, Path]:
    """The two documents, by what they are."""
    notes = ["---\ntitle: Many Notes\nauthor: Ann Smith\ndate: 1999\n---\n"]
    for n in range(1, 201):
        notes.append(f"Paragraph {n}: " + SENTENCE.format(n=1900 + n) + f"It is cited here.[^{n}]\n")
    notes += [f"[^{n}]: A source for paragraph {n}, p. {n}.\n" for n in range(1, 201)]
    long = ["---\ntitle: A Long Essay\nauthor: Ann Smith\ndate: 2001\n---\n"]
    words = 0
    n = 0
    while words < 50_000:
        n += 1
        paragraph = SENTENCE.format(n=n) * 8
        if n % 40 == 0:
            long.append(f"# Section {n // 40}\n")
        long.append(paragraph + "\n")
        words += len(paragraph.split())
    made = {}
    for name, text in {"200 footnotes": notes, "50,000 words": long}.items():
        markdown = folder / f"{name.replace(' ', '-').replace(',', '')}.md"
        markdown.write_text("\n".join(text))
        docx = markdown.with_suffix(".docx")
        subprocess.run([str(pandoc_binary()), "--sandbox", "-o", str(docx), str(markdown)], check=True, timeout=300)
        made[name] = docx
    return made


def bench_import(work: Path, edition: str, repeat: int) -> dict:
    """The median time of `edition import` of each document into a new project."""
    folder = work / "import"
    folder.mkdir()
    rows = []
    for name, docx in documents(folder).items():
        seconds = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(dir=folder) as where:
                project = Path(where) / "project"
                subprocess.run([edition, "new", str(project)], check=True, capture_output=True, timeout=120)
                seconds.append(measure([[edition, "import", str(docx)]], project).seconds)
        median = statistics.median(seconds)
        rows.append({"name": name, "seconds": median, "runs": seconds, "target_met": median < IMPORT_TARGET})
    return {"rows": rows}


def bench_assistant(work: Path, edition: str, repeat: int, root: Path) -> dict:
    """The median time of `edition check --suspects --mentions` over a 50,000-word essay of real
    prose (the two received texts, the one after the other, again and again), taken in as a plain
    text into a copy of the project, with its register."""
    received = [(root / "tests" / "received" / f"{name}.txt").read_text() for name in ("weissman-1988", "filtzer-1998")]
    text, words = [], 0
    while words < 50_000:
        for essay in received:
            body = essay.split("\n\n  1. ")[0]  # the prose, without Weissman's notes
            text.append(body)
            words += len(body.split())
    folder = work / "assistant"
    project = folder / "project"
    for part in ("source", "styles"):
        shutil.copytree(root / part, project / part)
    essay = folder / "long.txt"
    essay.write_text("\n\n".join(text))
    subprocess.run(
        [edition, "import", str(essay), "--id", "long-2000", "--title", "A Long Essay", "--author", "Ann Smith"],
        cwd=project, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    seconds = [measure([[edition, "check", "--suspects", "--mentions"]], project).seconds for _ in range(repeat)]
    median = statistics.median(seconds)
    return {"words": words, "seconds": median, "runs": seconds, "target_met": median < ASSISTANT_TARGET}
