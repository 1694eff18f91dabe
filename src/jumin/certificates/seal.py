"""電子公印 (spec 5.6): a square black seal image drawn from its 印文 (「上尾市長之印」).

The characters stand in a grid read the traditional way — top to bottom, columns from right
to left (six characters: two columns of three) — each stretched to fill its cell, inside a
thick square border.  The font is the certificates' IPAmj明朝 (``JUMIN_PDF_FONT``) through
Pillow (a dependency of reportlab).  A municipality that has a scanned seal can store that
PNG instead; the renderer only needs black on a transparent background."""

from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from jumin.protection.pdf import font_path


def grid(count: int) -> tuple[int, int]:
    """(columns, rows) for ``count`` characters: as square as possible, never more columns
    than rows (2×3 for six, 2×2 for four, 3×4 for ten)."""
    if count < 1:
        raise ValueError("a seal needs at least one character")
    rows = math.ceil(math.sqrt(count))
    cols = math.ceil(count / rows)
    return cols, rows


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size)


def _glyph(char: str, width: int, height: int) -> Image.Image:
    """One character stretched to ``width``×``height`` (black on transparent)."""
    size = max(width, height)
    canvas = Image.new("L", (size * 2, size * 2), 0)
    stroke = max(1, size // 28)  # a seal's strokes are bolder than 明朝's
    ImageDraw.Draw(canvas).text(
        (size // 2, size // 2), char, font=_font(size), fill=255, stroke_width=stroke, stroke_fill=255
    )
    box = canvas.getbbox()
    if box is None:  # a character without a glyph: leave its cell empty
        return Image.new("L", (width, height), 0)
    return canvas.crop(box).resize((width, height), Image.Resampling.LANCZOS)


@lru_cache(maxsize=16)
def seal_png(text: str, size_px: int = 300) -> bytes:
    """A square seal of ``size_px`` pixels: black border and 印文, transparent elsewhere."""
    chars = [char for char in text if not char.isspace()]
    cols, rows = grid(len(chars))
    alpha = Image.new("L", (size_px, size_px), 0)
    draw = ImageDraw.Draw(alpha)
    border = max(2, size_px // 16)
    draw.rectangle((0, 0, size_px - 1, size_px - 1), outline=255, width=border)
    inner = border + max(2, size_px // 30)
    gap = max(1, size_px // 60)
    cell_w = (size_px - 2 * inner - (cols - 1) * gap) // cols
    cell_h = (size_px - 2 * inner - (rows - 1) * gap) // rows
    for index, char in enumerate(chars):
        col = cols - 1 - index // rows  # columns run right to left
        row = index % rows
        glyph = _glyph(char, cell_w, cell_h)
        x = inner + col * (cell_w + gap)
        y = inner + row * (cell_h + gap)
        alpha.paste(glyph, (x, y), glyph)
    image = Image.new("LA", (size_px, size_px), 0)
    image.putalpha(alpha)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
