"""Versions of the mini-edition, for the tests of the OCFL object, the diff and the version rule:
the edition's version raised with a line in its change log, the edits that make each kind of
version, and a build that copies outputs built once (what is tested is the keeping of versions,
not the build; `edition archive`'s own build is tested in test_archive.py)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from edition.keeping.archive import BuildInto
from edition.project import Project
from tests.edits import edit
from tests.mini import ESSAY, IN_PARAGRAPH

# A typo the received text of Ames ¶1 has in the first version, for a later one to correct.
TYPO = "the nwe regime"


def raise_version(project: Project, version: str, change: str) -> None:
    """Set the edition's version to `version`, with `change` as its line in the change log."""
    path = project.edition_file
    text = re.sub(r'<edition n="[^"]+">Version [^,]+,', f'<edition n="{version}">Version {version},', path.read_text())
    entry = f'<change when="2026-01-15" n="{version}">{change}</change>'
    path.write_text(text.replace("<revisionDesc>", f"<revisionDesc>\n      {entry}", 1))


def copying(outputs: Path) -> BuildInto:
    """A build that writes the PDF and the EPUB built once into `outputs`."""

    def build_into(out_dir: Path, epoch: str) -> None:
        out_dir.mkdir(parents=True)
        for built in sorted(outputs.iterdir()):
            if built.suffix in (".pdf", ".epub"):
                shutil.copy(built, out_dir / built.name)

    return build_into


def essay(project: Project, name: str = ESSAY) -> Path:
    return project.source_dir / f"{name}.xml"


def with_typo(project: Project) -> None:
    """The first version: Ames ¶1 as received, with a typo."""
    edit(essay(project), "the new regime", TYPO)


def correct_the_typo(project: Project) -> None:
    """A recorded correction: the reading text changes, the received text does not."""
    edit(essay(project), TYPO, "the <choice><sic>nwe</sic><corr>new</corr></choice> regime")


def add_an_entry(project: Project) -> None:
    """A new register entry, named where Ames ¶1 already says the word: the text stays as it was."""
    edit(
        project.source_dir / "register.xml",
        '<item xml:id="kulak">',
        '<item xml:id="exile"><term>exile</term><note type="identification">Banishment from one’s country: '
        "Serge left the Soviet Union in 1936 and never returned to it.</note></item>\n"
        '      <item xml:id="kulak">',
    )
    edit(essay(project), "in exile.", '<term ref="#exile">in exile</term>.')


def add_a_paragraph(project: Project) -> None:
    """A new paragraph between Brook ¶1 and ¶2: Brook ¶2 becomes ¶3."""
    edit(
        essay(project, "brook-2002"),
        "<p>He died in Mexico",
        "<p>In Paris he wrote for the press of the left and met old friends.</p>\n      <p>He died in Mexico",
    )


def change_a_word(project: Project) -> None:
    """A change to the reading text that is not a recorded correction."""
    edit(essay(project), IN_PARAGRAPH, IN_PARAGRAPH.replace("SAW", "SEE"))


# Each kind of version after the first, with the version the rule gives after 1.0.0.
KINDS: dict[str, tuple[Callable[[Project], None], str]] = {
    "a recorded correction": (correct_the_typo, "1.0.1"),
    "a new register entry": (add_an_entry, "1.1.0"),
    "a new paragraph": (add_a_paragraph, "2.0.0"),
}
