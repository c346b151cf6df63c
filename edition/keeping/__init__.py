"""Keeping: what each output was made of, where it came from, and the versions kept.

Takes the project and the outputs a build wrote. Gives the build record (`record.py`: the hash
of every input of each output, from which a build knows what is up to date), the provenance of a
build (`provenance.py`: the commit and the tools' versions), and the archive of a version as a
BagIt package with its verification (`archive.py`).

Open `record.py` first for rebuilds, `archive.py` for packages. The build itself comes from the
command line (`archive` is handed it), so nothing here imports the build.
"""
