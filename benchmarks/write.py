"""Writing the PDF: the time `layout.pdf.write_pdf` takes for the edition's laid-out pages as it
writes them (tagged for reading, PDF/A-3a and PDF/UA-1: see `layout.typeset.write`), against the
same pages written as before the tagging for reading: WeasyPrint's own structure tree, PDF/A-3b.

`bench_write` runs this file in a fresh process, which lays the edition out once, then writes it
`repeat` times each way, the two ways taking turns (so that both meet the machine in the same
state), and prints every time as JSON: wall time, and the processor time of the process, which
other work on a shared machine disturbs less.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

WRITE_VS_BEFORE = 1.10  # the target: writing the PDF tagged for reading takes ≤ 10 % longer (processor time)


def bench_write(root: Path, repeat: int) -> dict:
    """The median time of each way of writing, and their ratio against the target."""
    process = subprocess.run(
        [sys.executable, __file__, str(root), str(repeat)], capture_output=True, text=True, check=False
    )
    if process.returncode:
        from measure import PipelineError

        raise PipelineError(process.stderr.strip() or f"write.py exited with code {process.returncode}")
    runs = json.loads(process.stdout)
    medians = {name: statistics.median(runs[name]) for name in ("tagged", "before", "tagged_cpu", "before_cpu")}
    ratio = medians["tagged"] / medians["before"]
    return {
        "pages": runs.pop("pages"),
        **medians,
        "runs": runs,
        "ratio": ratio,
        "cpu_ratio": medians["tagged_cpu"] / medians["before_cpu"],
        # On processor time: the writing is one thread that waits for nothing, so on a quiet
        # machine its wall time is the same; on a shared one, other work inflates the wall time
        # of whichever way of writing it falls on.
        "target_met": medians["tagged_cpu"] / medians["before_cpu"] <= WRITE_VS_BEFORE,
    }


@contextmanager
def _written_as_before():
    """`write_pdf` writing WeasyPrint's own tags as PDF/A-3b, as the edition did before."""
    from edition.layout import pdf, typeset

    def write(document, front_pages, when, endnotes=None, **options):
        return typeset.write(document, front_pages, when, **{**options, "pdf_variant": "pdf/a-3b", "pdf_tags": True})

    pdf.write = write
    try:
        yield
    finally:
        pdf.write = typeset.write


def _main(root: Path, repeat: int) -> None:
    from edition.layout.pdf import layout, write_pdf
    from edition.project import Project
    from edition.sources.dates import build_time, source_date_epoch
    from edition.sources.model import Imprint
    from edition.sources.profiles import DEFAULT
    from edition.sources.read import load_edition

    project = Project(root)
    edition = load_edition(project)
    when = build_time(edition, source_date_epoch())
    document = layout(edition, project, Imprint(), DEFAULT)
    write_pdf(document, edition, project, when)  # once untimed: the fonts are read, the code warm
    runs: dict[str, list[float]] = {"tagged": [], "before": [], "tagged_cpu": [], "before_cpu": []}
    for _ in range(repeat):
        for name in ("before", "tagged"):
            start, cpu = time.perf_counter(), time.process_time()
            if name == "before":
                with _written_as_before():
                    write_pdf(document, edition, project, when)
            else:
                write_pdf(document, edition, project, when)
            runs[name].append(time.perf_counter() - start)
            runs[f"{name}_cpu"].append(time.process_time() - cpu)
    print(json.dumps({**runs, "pages": len(document.pages)}))


if __name__ == "__main__":
    _main(Path(sys.argv[1]), int(sys.argv[2]))
