"""`edition new DIR`: a new edition project, which builds at once.

`new_project` makes the folder with what a project needs and nothing of another edition's:
`source/edition.xml` (the title, the editors, version 0.1.0 of today, a first change-log line,
a note on the text to write), an empty register and commentary, the schema, the stylesheets and
the fonts with their licence, a commented course reader profile (`readers/example.toml`) and a
`.gitignore` for `dist/`. The schema, styles, fonts and profile ship inside the package
(`skeleton/`, package data), so an installed `edition` needs no copy of its repository; in the
repository, `skeleton/styles` and `skeleton/schema` are links to the edition's own. Hands the
command line the `Project` made.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from ..errors import EditionError
from ..project import Project
from .essay import shown_date

EDITION = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="schema/edition.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="edition" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title type="main">{title}</title>
{editors}
      </titleStmt>
      <editionStmt>
        <edition n="0.1.0">Version 0.1.0, <date when="{today}">{shown_today}</date></edition>
      </editionStmt>
      <publicationStmt>
        <publisher>{publisher}</publisher>
        <idno type="slug">{slug}</idno>
        <availability>
          <licence>The editors have not yet chosen a licence for this edition.</licence>
        </availability>
      </publicationStmt>
      <sourceDesc>
        <p>Texts taken into the project with edition import.</p>
      </sourceDesc>
    </fileDesc>
    <revisionDesc>
      <change when="{today}" n="0.1.0">Project started; no texts yet.</change>
    </revisionDesc>
  </teiHeader>
  <text>
    <front>
      <div type="conventions">
        <head>A note on the text</head>
        <p>Say here where the texts come from, how they were transcribed, and what the editors corrected.</p>
      </div>
    </front>
    <body>
      <ptr type="register" target="register.xml"/>
      <ptr type="commentary" target="commentary.xml"/>
    </body>
  </text>
</TEI>
"""
PART = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="schema/edition.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="{id}" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt><title type="main">{title}</title></titleStmt>
      <publicationStmt><p>Part of the edition {edition}.</p></publicationStmt>
      <sourceDesc><p>Written by the editors.</p></sourceDesc>
    </fileDesc>
  </teiHeader>
  <standOff>{content}</standOff>
</TEI>
"""


def new_project(folder: Path, title: str, editors: list[str], today: date) -> Project:
    """A new project in `folder` (which must not exist, or be empty); `EditionError` if it cannot be."""
    if folder.is_symlink() or (folder.exists() and (not folder.is_dir() or any(folder.iterdir()))):
        raise EditionError(f"{folder}: exists and is not an empty folder; a new project needs a folder of its own")
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-") or "edition"
    title = " ".join(title.split()) or folder.resolve().name
    editors = [" ".join(editor.split()) for editor in editors if editor.strip()] or ["The editors"]
    project = Project(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with resources.as_file(resources.files(__package__) / "skeleton") as skeleton:
            shutil.copytree(skeleton / "styles", project.styles_dir)
            shutil.copytree(skeleton / "readers", folder / "readers")
            project.source_dir.mkdir()
            shutil.copytree(skeleton / "schema", project.schema.parent)
        (folder / ".gitignore").write_text("dist/\n")
        project.edition_file.write_text(
            EDITION.format(
                title=escape(title),
                editors="\n".join(f"        <editor>{escape(editor)}</editor>" for editor in editors),
                today=today.isoformat(),
                shown_today=shown_date(today.isoformat()),
                publisher=escape(", ".join(editors)),
                slug=slug,
            )
        )
        register = PART.format(
            id="register", title="Register of persons, organisations, events, terms and works",
            edition=escape(title), content="",
        )  # fmt: skip
        (project.source_dir / "register.xml").write_text(register)
        commentary = PART.format(
            id="commentary", title="Editorial commentary", edition=escape(title), content="<listAnnotation/>"
        )
        (project.source_dir / "commentary.xml").write_text(commentary)
    except OSError as error:
        raise EditionError(f"{folder}: cannot make the project: {error.strerror or error}") from None
    return project
