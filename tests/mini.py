"""The mini-edition (`tests/fixtures/mini/`): two tiny essays (the first with an author's note
and a block quotation, the second with the anchor of a commentary note), a register with an entry
of each kind, a work among them with its author, one note of commentary, which cites the one work
of the further reading, and a course reader profile (`readers/mini.toml`). The tests about the
tool, not about this edition, build it instead of the real one: it lays out in about a second.

Its schema, styles and fonts are the project's own, copied in when a test makes it: the fixture
holds only its sources and its profile."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from edition.project import Project
from edition.sources.read import load_edition

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mini"

# The essay the tests edit, the start of its first paragraph, and a place in that paragraph to
# insert markup after.
ESSAY = "ames-2001"
FIRST_PARAGRAPH = '<p><hi rend="lead-in">FEW WRITERS SAW</hi>'
IN_PARAGRAPH = "FEW WRITERS SAW</hi>"


def make_mini(where: Path) -> Project:
    """Lay the mini-edition out in `where`, as a clean checkout of it would be: its sources and
    profile, and the project's schema and styles (fonts included)."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURE / "source", where / "source")
    shutil.copytree(FIXTURE / "readers", where / "readers")
    shutil.copytree(ROOT / "source" / "schema", where / "source" / "schema")
    shutil.copytree(ROOT / "styles", where / "styles")
    return Project(where)


def essay(project: Project) -> Path:
    """The mini-edition's essay that the tests edit."""
    return project.source_dir / f"{ESSAY}.xml"


def _edition():
    with tempfile.TemporaryDirectory() as where:
        return load_edition(make_mini(Path(where) / "mini"))


# The names of the mini-edition's outputs, from its own sources, as tests/names.py gives the real ones.
EDITION = _edition()
VERSION = EDITION.version
STEM = f"{EDITION.slug}-{VERSION}"
PDF, EPUB = f"{STEM}.pdf", f"{STEM}.epub"


# The words of `make_long`'s paragraphs: ordinary English, of ordinary lengths.
WORDS = (
    "the plan was revised again by the commissariat before harvest and its targets were raised "
    "while workers in the new factories waited for housing that had been promised in every report "
    "of the year although nobody who read those reports believed them for long"
)


def make_long(where: Path, paragraphs: int = 24) -> Project:
    """The mini-edition with `paragraphs` more paragraphs in each essay, for the tests of the
    layout as a tool (a part laid out again from an edit), which need pages that run on, notes
    that move, and pages that open with a paragraph, as the real essays' pages do, in fewer
    pages. Each paragraph names a person of its own, whom the register holds, so that each calls
    an editorial note, and the last paragraph's person again, so that any one paragraph can be
    deleted; most are short, as a short paragraph, whole on a page, is where a page opens with a
    paragraph; they stand in sections of six under a heading, as the real essays' do."""
    project = make_mini(where)
    draw = random.Random(1917)  # the same text on every run
    words = WORDS.split()
    people = []
    for name in (ESSAY, "brook-2002"):
        added = []
        for number in range(1, paragraphs + 1):
            key = f"{name}-person-{number}"
            people.append(
                f'<person xml:id="{key}"><persName>Ivan Testov {name[0].upper()}{number}</persName>'
                f'<birth when="18{50 + number}"/><death when="19{10 + number}"/>'
                f'<note type="identification">a planner named in paragraph {number} of the tests.</note></person>'
            )
            text = " ".join(draw.choice(words) for _ in range(draw.choice((12, 20, 30, 110))))
            cut = len(text) // 3
            again = f' as <persName ref="#{name}-person-{number - 1}">Testov</persName> said' if number > 1 else ""
            added.append(f'<p>{text[:cut]}<persName ref="#{key}">Testov</persName>{text[cut:]}{again}.</p>\n')
        sections = "".join(
            f'<div type="section"><head>Part {start // 6 + 1}</head>\n{"".join(added[start : start + 6])}</div>\n'
            for start in range(0, len(added), 6)
        )
        path = project.source_dir / f"{name}.xml"
        path.write_text(path.read_text(encoding="utf-8").replace("</body>", sections + "</body>"), encoding="utf-8")
    register = project.source_dir / "register.xml"
    people_text = "\n".join(people) + "\n</listPerson>"
    register.write_text(register.read_text(encoding="utf-8").replace("</listPerson>", people_text), encoding="utf-8")
    return project
