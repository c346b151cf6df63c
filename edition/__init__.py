"""edition: publish an annotated scholarly edition from TEI sources as a print PDF and an EPUB.

The data runs one way, one subpackage a stage, each importing only the stages before it:

    sources  →  html  →  layout (the PDF) | ereader (the EPUB)  →  keeping

`sources` reads and checks the project's files into a validated `Edition`; `html` renders it
through Jinja templates; `layout` lays the print edition out with WeasyPrint and `ereader`
packages the EPUB with ebooklib; `keeping` records what each output was made of and archives
versions. At the top: `cli` (the command line), `build` (which runs the stages and writes only
what is out of date) and `watch` (the editor's loop), and what every stage shares, importing no
stage: `errors`, `project` (where things are) and `gate` (how files are read and written).
docs/architecture.md draws the tree and the data's way through it.
"""

__version__ = "0.1.0"
