"""Reading and checking the sources: the first stage.

Takes a project's files: the TEI sources the edition lists (validated against the schema), the
register and commentary, a course reader's profile, the stylesheets and the faces they name.
Gives a validated in-memory `Edition` (plain dataclasses, `model`), or every problem at once as
`file:line:col: CODE message` diagnostics (`check`). No later stage reads a source file again.

Open `read.py` first (`load_edition`: parse safely, validate, build the model), then `model.py`;
`check.py` holds the editor's lint codes.
"""
