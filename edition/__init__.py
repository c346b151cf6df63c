"""edition: publish an annotated scholarly edition from TEI sources as a print PDF and an EPUB.

The pipeline runs one way: `source` reads and validates the XML into the `model`; `html` renders
it through Jinja templates; `pdf` lays it out with WeasyPrint and `epub` packages it with
ebooklib; `build` writes the outputs and `cli` is the command line.
"""

__version__ = "0.1.0"
