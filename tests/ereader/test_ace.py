"""Ace by DAISY finds no accessibility violation in the EPUB of the edition or of a course reader
(the mini-edition's: `reader_outputs` in tests/conftest.py).

Ace (`@daisy/ace-cli`, pinned in package-lock.json, installed into node_modules/ by `./run test`)
checks the package metadata and runs axe-core on every content document in a headless browser:
Debian's Chromium (`/usr/bin/chromium`, which `./run test` installs if it is missing), driven by
puppeteer, which downloads no browser of its own (`PUPPETEER_SKIP_DOWNLOAD`). Ace's puppeteer
runner starts Chromium with `--no-sandbox` itself (needed as root), and puppeteer's own defaults
include `--disable-background-networking`; the runner also aborts every http(s) request a page makes.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import BOTH, epub_of
from tests.validators import ace_report

ROOT = Path(__file__).resolve().parents[2]
ACE = ROOT / "node_modules" / "@daisy" / "ace-cli" / "bin" / "ace.js"
CHROMIUM = os.environ.get("ACE_CHROMIUM", "/usr/bin/chromium")


def ace_environment(chromium: str = CHROMIUM) -> dict[str, str]:
    return {
        **os.environ,
        "PUPPETEER_EXECUTABLE_PATH": chromium,  # puppeteer's own setting: the browser to start
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        # Seconds, not Ace's 5, for Chromium to start on a busy two-core machine.
        "ACE_TIMEOUT_INITIAL": "60000",
    }


def one_renderer(folder: Path) -> Path:
    """A script that starts `CHROMIUM` as puppeteer asks, with one renderer process for all the
    pages Ace opens (`--renderer-process-limit=1`), where it would start one for each of the four
    it checks at a time: each costs processor time to start (1.4 s in all for each EPUB here), and
    axe-core checks each page the same in either."""
    script = folder / "chromium"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(CHROMIUM)} "$@" --renderer-process-limit=1\n')
    script.chmod(0o755)
    return script


def run_ace(epub: Path, out: Path) -> dict:
    """Ace's report (report.json) on `epub`, written under `out`."""
    if not ACE.exists():
        pytest.fail(f"Ace is not installed ({ACE.relative_to(ROOT)} is missing): run ./run test, which installs it")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run ./run test, which installs Debian's chromium")
    node = shutil.which("node")
    assert node, "node is not on the PATH"
    out.mkdir(parents=True, exist_ok=True)
    chromium = one_renderer(out)
    start = time.perf_counter()
    done = subprocess.run(
        [
            node,
            str(ACE),
            "--silent",
            "--force",
            "--outdir",
            str(out / "report"),
            "--tempdir",
            str(out / "tmp"),
            str(epub),
        ],
        env=ace_environment(str(chromium)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(f"Ace ran on {epub.name} in {time.perf_counter() - start:.1f} s")
    report = out / "report" / "report.json"
    assert done.returncode == 0 and report.exists(), (
        f"Ace failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    return json.loads(report.read_text(encoding="utf-8"))


def violations(report: dict) -> list[str]:
    """One line per failed check: rule, impact, file, CSS selector, and what Ace says is wrong."""
    found = []
    for subject in report["assertions"]:
        where = subject["earl:testSubject"]["url"]
        for assertion in subject["assertions"]:
            result = assertion["earl:result"]
            if result["earl:outcome"] != "fail":
                continue
            test = assertion["earl:test"]
            selector = (result.get("earl:pointer", {}).get("css") or ["-"])[0]
            description = " ".join(result.get("dct:description", "").split())
            found.append(f"{test['dct:title']} ({test['earl:impact']}) in {where} at {selector}: {description}")
    return found


@pytest.mark.parametrize("which", BOTH)
def test_ace_reports_no_violation(which: str, request: pytest.FixtureRequest, tmp_path: Path):
    epub = epub_of(request, which)
    report = ace_report(epub, tmp_path)  # started when the EPUB was built, if this test was to run
    found = violations(report)
    assert not found, f"Ace found {len(found)} violation(s) in {epub.name}:\n" + "\n".join(found)
    assert report["earl:result"]["earl:outcome"] == "pass"
