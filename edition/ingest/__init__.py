"""Taking texts in: a new project, and documents imported into it as TEI essays.

Takes a document the editor names (DOCX, ODT, Markdown, HTML through Pandoc's document model; a
plain text as scanned or captured); gives `source/<id>.xml`, an essay encoded as the edition's
others are, listed in `source/edition.xml`, with the file kept as received. `edition new` makes a
project from the package's own schema, styles and fonts. What this stage writes, `sources` reads
and checks like any other source; nothing later in the pipeline imports it.

Open `importer.py` first (`import_document`); the readers are `pandoc.py` and `plaintext.py`,
each handing on a `received.Received`, which `essay.py` writes as TEI through `typography.py`.
"""
