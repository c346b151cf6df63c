"""The peer pipelines: what a user would otherwise reach for, Pandoc and WeasyPrint.

Two peers, each making a PDF and an EPUB. The **plain peer** reads Markdown made from our
in-memory edition, so both pipelines publish the same words. It carries what the essays
themselves carry — the text, headings, block quotations, front matter, afterword, and the
authors' numbered notes as Pandoc footnotes — and none of our apparatus: no register, no
editorial notes, no paragraph numbers. That apparatus is what the comparison is about, so ours
pays for it and the plain peer does not. Print: Pandoc makes standalone HTML5 with its default
template, WeasyPrint's own command line (the same WeasyPrint as ours) makes the PDF. E-reader:
Pandoc makes an EPUB 3.

The **fair peer** is given the same text and notes as ours: it reads the EPUB our build wrote,
every spine document of it (front matter, essays, register, further reading, note on the text),
and every note the EPUB has becomes a Pandoc note — the authors' and our editorial ones alike,
but for an editorial note on an author's note, which Pandoc cannot nest (`notes` counts both).
Print: Pandoc makes standalone HTML5, with `footnotes.lua` making each note a span that
WeasyPrint sets as a footnote at the foot of its page (`footnotes.css`), then WeasyPrint's command
line. E-reader: Pandoc makes an EPUB 3 of our EPUB.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import pypandoc
from lxml import etree, html

from edition.sources.model import Edition, Essay, Heading, Inline, Paragraph, Quotation, Span

# What a typesetter sets in italics; a title of an article (level "a") stays roman, as in ours.
ITALIC = {"foreign", "italic", "emph"}
# Pandoc's Markdown lets a backslash escape any ASCII punctuation: escaping all that can be
# markup (all but , ; ?) means the authors' text is never read as such (a "1." opening a
# paragraph, an asterisk, a bracket, a dollar sign).
PUNCTUATION = re.compile(r"""([!"#$%&'()*+\-./:<=>@\[\\\]^_`{|}~])""")
# The fair peer's footnotes: a Lua filter for Pandoc, a style sheet for WeasyPrint.
FOOTNOTES_FILTER = Path(__file__).with_name("footnotes.lua")
FOOTNOTES_STYLE = Path(__file__).with_name("footnotes.css")
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def commands(markdown: Path, out: Path) -> dict[str, list[list[str]]]:
    """The plain peer's commands, by output: each reads `markdown` and writes into `out`."""
    html_file, pdf, epub = (str(out / f"peer.{suffix}") for suffix in ("html", "pdf", "epub"))
    pandoc = [pypandoc.get_pandoc_path(), "--from=markdown"]
    return {
        "pdf": [
            [*pandoc, "--to=html5", "--standalone", f"--output={html_file}", str(markdown)],
            [_weasyprint(), html_file, pdf],
        ],
        "epub": [[*pandoc, "--to=epub3", f"--output={epub}", str(markdown)]],
    }


def fair_commands(edition_epub: Path, out: Path) -> dict[str, list[list[str]]]:
    """The fair peer's commands, by output: each reads our EPUB, `edition_epub`, and writes into
    `out`. The HTML is written unwrapped (`--wrap=none`): in a footnote, WeasyPrint 70 breaks the
    line at every line end of the HTML source, as if it were preformatted text."""
    html_file, pdf, epub = (str(out / f"fair.{suffix}") for suffix in ("html", "pdf", "epub"))
    pandoc = [pypandoc.get_pandoc_path(), "--from=epub"]
    print_html = ["--to=html5", "--standalone", "--wrap=none", f"--lua-filter={FOOTNOTES_FILTER}"]
    return {
        "pdf": [
            [*pandoc, *print_html, f"--output={html_file}", str(edition_epub)],
            [_weasyprint(), f"--stylesheet={FOOTNOTES_STYLE}", html_file, pdf],
        ],
        "epub": [[*pandoc, "--to=epub3", f"--output={epub}", str(edition_epub)]],
    }


def _weasyprint() -> str:
    return str(Path(sys.executable).with_name("weasyprint"))


def notes(edition_epub: Path, fair_html: Path) -> dict[str, int]:
    """The notes of our EPUB against the footnotes of the fair peer's HTML: the EPUB's note
    references (`epub:type="noteref"`), those of them inside a note (an editorial note on an
    author's note, which Pandoc cannot nest), and the spans the fair peer floats as footnotes."""
    noterefs = nested = 0
    with zipfile.ZipFile(edition_epub) as epub:
        for name in epub.namelist():
            if not name.endswith(".xhtml"):
                continue
            for ref in etree.fromstring(epub.read(name)).iter("{*}a"):
                if ref.get(EPUB_TYPE) == "noteref":
                    noterefs += 1
                    nested += any(_is_note(parent) for parent in ref.iterancestors())
    footnotes = html.parse(fair_html).xpath('//span[@class="footnote"]')
    return {"noterefs": noterefs, "nested": nested, "footnotes": len(footnotes)}


def _is_note(element: etree._Element) -> bool:
    return bool({"footnote", "endnote"} & set((element.get(EPUB_TYPE) or "").split()))


def markdown(edition: Edition) -> str:
    """The essays as one Markdown document, with the edition's title in its metadata block."""
    # A JSON string is a valid YAML string, whatever colons or quotes the title holds.
    metadata = f"---\ntitle: {json.dumps(edition.full_title)}\nlang: {edition.language}\n---"
    return "\n\n".join([metadata, *(_essay(essay) for essay in edition.essays)]) + "\n"


def _essay(essay: Essay) -> str:
    # Footnote labels are per document in Pandoc, so each carries its essay.
    labels = {note.id: f"{essay.id}-{note.number}" for note in essay.notes}
    blocks = [f"# {_escape(essay.title)}", _escape(essay.author), _escape(essay.date)]
    blocks += [_inline(front.content, labels) for front in essay.front]
    for block in essay.body:
        match block:
            case Paragraph():
                blocks.append(_inline(block.content, labels))
            case Heading():
                blocks.append(f"## {_inline(block.content, labels)}")
            case Quotation():
                blocks.append(_quotation(block, labels))
    if essay.afterword:
        blocks += ["* * *", *(_inline(paragraph, labels) for paragraph in essay.afterword)]
    blocks += [f"[^{labels[note.id]}]: {_inline(note.content, labels)}" for note in essay.notes]
    return "\n\n".join(blocks)


def _quotation(quotation: Quotation, labels: dict[str, str]) -> str:
    paragraphs = [_inline(paragraph, labels) for paragraph in quotation.paragraphs]
    if quotation.reference:
        paragraphs.append(_inline(quotation.reference, labels))
    return "\n>\n".join("\n".join(f"> {line}" for line in text.splitlines()) for text in paragraphs)


def _inline(content: list[Inline], labels: dict[str, str], italic: bool = False) -> str:
    """Phrase-level content as Markdown; inside italics, nothing opens italics again."""
    out = []
    for part in content:
        if isinstance(part, str):
            out.append(_escape(part))
        elif part.kind == "noteref":
            out.append(f"[^{labels[part.attrs['note']]}]")
        elif part.kind == "lb":
            out.append("\\\n")
        else:
            # Every other kind (mention, correction, lead-in, interpolation…) is its text.
            starts = not italic and _is_italic(part)
            inner = _inline(part.children, labels, italic or starts)
            out.append(_italics(inner) if starts else inner)
    return "".join(out)


def _is_italic(span: Span) -> bool:
    return span.kind in ITALIC or (span.kind == "title" and span.attrs.get("level") != "a")


def _italics(text: str) -> str:
    """`*text*`, with surrounding spaces kept outside: Pandoc reads `* text*` as no emphasis."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}*{core}*{text[start + len(core) :]}"


def _escape(text: str) -> str:
    return PUNCTUATION.sub(r"\\\1", text)
