"""Draw the EPUB's cover from the edition's metadata: title, subtitle, authors, version, and
for a course reader the course.

A plain typographic cover in the book face, as PNG bytes; the same metadata gives the same
image. Pillow comes with WeasyPrint, and the fonts are the project's own (styles/fonts).
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from ..project import Project
from ..sources.model import Edition
from ..sources.profiles import CourseReader

SIZE = (1400, 2100)
INK = (34, 34, 34)
PAPER = (246, 242, 234)
RULE = (150, 40, 30)


def cover_png(edition: Edition, project: Project) -> bytes:
    fonts = project.styles_dir / "fonts"
    title_face = ImageFont.truetype(str(fonts / "SourceSerifPro-Semibold.ttf"), 104)
    text_face = ImageFont.truetype(str(fonts / "SourceSerifPro-Regular.ttf"), 64)
    small_face = ImageFont.truetype(str(fonts / "SourceSerifPro-It.ttf"), 48)

    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    y = 360
    for line in textwrap.wrap(edition.title, width=20):
        y = _centred(draw, line, title_face, y) + 24
    y += 40
    draw.rectangle((SIZE[0] // 2 - 160, y, SIZE[0] // 2 + 160, y + 6), fill=RULE)
    y += 90
    if edition.subtitle:
        y = _centred(draw, edition.subtitle, text_face, y) + 140
    for author in edition.authors:
        y = _centred(draw, author, text_face, y) + 36
    if isinstance(edition, CourseReader):  # a course reader names its course, as its title page does
        course = [edition.profile.course_code, edition.profile.course_title]
        lines = [line for part in course if part for line in textwrap.wrap(part, width=30)]
        y = max(y + 60, SIZE[1] - 420 - 84 * len(lines))
        y = _centred(draw, "Course reader for", small_face, y) + 30
        for line in lines:
            y = _centred(draw, line, text_face, y) + 20
    _centred(draw, f"Version {edition.version}", small_face, SIZE[1] - 260)
    out = io.BytesIO()
    # zlib's default level: 2 % larger than its best (86 KB for this edition's cover, not 84),
    # in a third of the time (0.05 s, not 0.13 s, on every build that writes an EPUB).
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _centred(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, y: int) -> int:
    """Draw one line centred at height `y`; return the height below it."""
    left, _, right, bottom = draw.textbbox((0, 0), text, font=face)
    draw.text(((SIZE[0] - (right - left)) // 2 - left, y), text, font=face, fill=INK)
    return y + bottom


def cover_alt(edition: Edition) -> str:
    course = ""
    if isinstance(edition, CourseReader):
        course = f"; course reader for {edition.profile.course}" if edition.profile.course else "; course reader"
    return f"Cover: {edition.full_title}, by {' and '.join(edition.authors)}{course}; version {edition.version}."
