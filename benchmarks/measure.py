"""Run commands as one measured pipeline: its wall time and the peak memory of its processes.

`measure()` starts this file as a wrapper process of its own, which runs the commands one after
another. `getrusage(RUSAGE_CHILDREN)` in the wrapper then covers that pipeline's processes and
nothing else the benchmark ran, and its `ru_maxrss` is the peak resident memory of the largest
of them. The wrapper times only the commands, not its own start.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


class PipelineError(Exception):
    """A measured command failed: the figures would be meaningless."""


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_mb: float  # megabytes of 10⁶ bytes


def measure(commands: list[list[str]], cwd: Path) -> Run:
    """Run `commands` in sequence in a fresh wrapper process; raise `PipelineError` if one fails."""
    wrapper = subprocess.run(
        [sys.executable, __file__, json.dumps(commands)], cwd=cwd, capture_output=True, text=True, check=False
    )
    if wrapper.returncode:
        raise PipelineError(wrapper.stderr.strip() or f"exit code {wrapper.returncode}")
    return Run(**json.loads(wrapper.stdout))


def _run_all(commands: list[list[str]]) -> None:
    """The wrapper: run each command, stop at the first failure, print the figures as JSON."""
    start = time.perf_counter()
    for command in commands:
        # Their output is not the benchmark's; their errors pass through to `measure()`.
        code = subprocess.run(command, stdout=subprocess.DEVNULL, check=False).returncode
        if code:
            sys.exit(f"{' '.join(command)}\nexited with code {code}")
    seconds = time.perf_counter() - start
    kibibytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "max_rss_mb": kibibytes * 1024 / 1e6}))


if __name__ == "__main__":
    _run_all(json.loads(sys.argv[1]))
