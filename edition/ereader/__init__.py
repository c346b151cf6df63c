"""The e-reader package: the EPUB 3.

Takes the `Edition`, its XHTML chapters and navigation (`html.epub`), the e-reader stylesheets
and the print page starts (from the layout, or the build record). Gives the EPUB's bytes:
reproducible, with its cover, page list, landmarks and accessibility metadata.

Open `epub.py` first; `cover.py` draws the cover image.
"""
