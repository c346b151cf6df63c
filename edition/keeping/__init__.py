"""Keeping: what each output was made of, where it came from, and the versions kept.

Takes the project and the outputs a build wrote. Gives the build record (`record.py`: the hash
of every input of each output, from which a build knows what is up to date), the provenance of a
build (`provenance.py`: the commit and the tools' versions), every version in one OCFL object
(`archive.py`, which stages a version and holds it to the version rule, and `ocfl.py`, which
writes and checks the object), one version as a BagIt package for transfer (`bag.py`), and what
changed between two versions (`revisions.py` reads each, `diff.py` compares them, `rule.py` says
which number the change calls for, `report.py` prints it).

Open `record.py` first for rebuilds, `archive.py` for the archive, `diff.py` for `edition diff`.
The build itself comes from the command line (`archive` is handed it), so nothing here imports
the build.
"""
