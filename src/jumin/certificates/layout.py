"""Measuring text for certificates: shrinking a value into its box and what happens when it
does not fit (文字溢れ, spec 5.8), wrapping free text, and packing a person's items into the
grid of a 世帯連記式 band.

Nothing here draws; :mod:`jumin.certificates.render` asks and draws.  Widths come from the
registered PDF font (IPAmj明朝), whose ``cmap`` also tells which characters it can print: a
character it lacks (an unregistered 外字) or an 異体字 selector (IVS, which reportlab cannot
apply) counts as overflow like a value too long for its box."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import floor
from typing import Any

from reportlab.pdfbase import pdfmetrics, ttfonts

TRUNCATE = "truncate"  # print what fits (5.8 「印字可能な範囲まで印字」)
BLANK = "blank"  # print nothing (5.8 「空白」)
OVERFLOW_MODES = (TRUNCATE, BLANK)
OVERFLOW_ACTIONS = {TRUNCATE: "truncated", BLANK: "blank"}
MIN_SIZE = 6.0  # smallest legible size on a certificate (pt)
MIN_LABEL_SIZE = 3.5  # a fixed label in the tightest grid still prints whole
GETA = "〓"  # printed in place of a character the font lacks (truncate mode)

# A line may not start with these (禁則): they hang at the end of the previous line instead.
_NO_LINE_START = frozenset("、。，．・：；？！）」』】〕〉》ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.)]}%")


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap with UTF-16BE destinations.  reportlab writes ``<%04X>``,
    which garbles characters beyond the BMP (𠮷 U+20BB7 reads back as ₻): the glyph prints
    right but copying or searching the PDF text gives the wrong character."""
    chars = [f"<{index:02X}> <{chr(code).encode('utf-16-be').hex().upper()}>" for index, code in enumerate(subset)]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *chars,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # read at PDF save time by TTFont.addObjects


def is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@dataclass(frozen=True)
class Fitted:
    """A value as it will be printed: the text (maybe cut or empty), its size, and whether
    it overflowed (too long at :data:`MIN_SIZE`, or a character the font cannot print)."""

    text: str
    size: float
    overflow: bool


class _TableSlices:
    """A TTF table read in place: slicing copies only the slice."""

    def __init__(self, data: bytes, start: int, length: int) -> None:
        self._view = memoryview(data)[start : start + length]

    def __getitem__(self, key: slice) -> bytes:
        return self._view[key].tobytes()


def _subset_in_place(face: Any) -> None:  # reportlab's TTFontFace (untyped)
    """reportlab copies the whole ``glyf`` table (≈40 MB for IPAmj明朝, ≈35 ms) each time it
    embeds a subset, only to slice single glyphs out of it; hand it a view instead."""
    if getattr(face, "_jumin_in_place", False) or not hasattr(face, "_ttf_data"):
        return
    original = face.get_table

    def get_table(tag: str) -> object:
        if tag == "glyf":
            start, length = face.get_table_pos(tag)
            return _TableSlices(face._ttf_data, start, length)
        return original(tag)

    face.get_table = get_table
    face._jumin_in_place = True


class Typesetter:
    """Widths and glyph coverage of one registered font; cheap to build per document."""

    def __init__(self, font_name: str) -> None:
        self.font_name = font_name
        self._font = pdfmetrics.getFont(font_name)
        face = getattr(self._font, "face", None)
        if face is not None:
            _subset_in_place(face)
        # A CID fallback font has no cmap to ask: its coverage is unknown, so nothing is flagged.
        self._glyphs: dict[int, int] | None = getattr(face, "charToGlyph", None)
        self._unit: dict[str, float] = {}

    # -- measuring -------------------------------------------------------------------------

    def width(self, text: str, size: float) -> float:
        return float(self._font.stringWidth(text, size))

    def _char_width(self, char: str) -> float:
        width = self._unit.get(char)
        if width is None:
            width = self._unit[char] = float(self._font.stringWidth(char, 1.0))
        return width

    def missing(self, text: str) -> bool:
        """Whether ``text`` holds a character the font cannot print as registered."""
        if self._glyphs is None:
            return False
        glyphs = self._glyphs
        return any(ord(char) not in glyphs or is_variation_selector(char) for char in text)

    def missing_chars(self, text: str) -> list[str]:
        """The characters of ``text`` the font cannot print as registered, in order, once each."""
        if self._glyphs is None:
            return []
        glyphs = self._glyphs
        found = [char for char in text if ord(char) not in glyphs or is_variation_selector(char)]
        return list(dict.fromkeys(found))

    def printable(self, text: str) -> str:
        """``text`` as the font can print it: 異体字 selectors dropped (the base character is
        printed), characters without a glyph replaced by 〓."""
        if self._glyphs is None or not self.missing(text):
            return text
        glyphs = self._glyphs
        return "".join("" if is_variation_selector(char) else (char if ord(char) in glyphs else GETA) for char in text)

    def prefix(self, text: str, width: float, size: float) -> str:
        """The longest start of ``text`` that fits ``width`` at ``size``."""
        used = 0.0
        for index, char in enumerate(text):
            used += self._char_width(char) * size
            if used > width:
                return text[:index]
        return text

    # -- fitting ----------------------------------------------------------------------------

    def fit(self, text: str, width: float, size: float, *, mode: str, min_size: float = MIN_SIZE) -> Fitted:
        """Shrink ``text`` from ``size`` down to ``min_size`` to fit ``width`` (5.8); beyond
        that, or when the font lacks a character, it overflows: ``mode`` TRUNCATE prints what
        fits (with 〓 for a missing character), BLANK prints nothing."""
        if mode not in OVERFLOW_MODES:
            raise ValueError(f"unknown overflow mode {mode!r}")
        if not text:
            return Fitted("", size, overflow=False)
        overflow = self.missing(text)
        shown = self.printable(text)
        natural = self.width(shown, size)
        fitted_size = size
        if natural > width:
            fitted_size = floor(size * width / natural * 10) / 10
            if fitted_size < min_size:
                fitted_size = min_size
                shown = self.prefix(shown, width, min_size)
                overflow = True
        if overflow and mode == BLANK:
            shown = ""
        return Fitted(shown, fitted_size, overflow)

    def fit_label(self, text: str, width: float, size: float, *, max_line_size: float) -> tuple[list[str], float]:
        """A label (fixed wording): one line shrunk to fit, unless two lines (at up to
        ``max_line_size``) read much larger; cut only below :data:`MIN_LABEL_SIZE`."""
        natural = self.width(text, size)
        if natural <= width:
            return [text], size
        shrunk = floor(size * width / natural * 10) / 10
        two = min(size, max_line_size)
        while two >= 4.5 and len(self.wrap(text, width, two)) > 2:
            two -= 0.5
        if two >= 4.5 and two * 0.85 > shrunk:  # two lines when they read much larger
            return self.wrap(text, width, two), two
        if shrunk >= MIN_LABEL_SIZE:  # a label is never cut: it shrinks further than a value
            return [text], shrunk
        return [self.prefix(text, width, MIN_LABEL_SIZE)], MIN_LABEL_SIZE

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Break ``text`` into lines of at most ``width`` (character-wise, with 禁則: closing
        punctuation hangs on the line before).  Newlines in ``text`` are kept."""
        lines: list[str] = []
        for paragraph in (self.printable(part) for part in text.split("\n")):
            line: list[str] = []
            used = 0.0
            for char in paragraph:
                step = self._char_width(char) * size
                if line and used + step > width and char not in _NO_LINE_START:
                    lines.append("".join(line))
                    line, used = [], 0.0
                line.append(char)
                used += step
            lines.append("".join(line))
        return lines


@dataclass(frozen=True)
class Slot:
    """Where an item sits in a band's grid: row, first column, number of columns."""

    row: int
    col: int
    span: int


def pack(spans: Sequence[int], cols: int) -> list[Slot]:
    """Place items of the given column spans left to right in order; an item that does not
    fit the rest of a row starts the next one (print order is never changed, 5.2)."""
    slots: list[Slot] = []
    row = col = 0
    for span in spans:
        if not 1 <= span <= cols:
            raise ValueError("span out of range")
        if col + span > cols:
            row, col = row + 1, 0
        slots.append(Slot(row, col, span))
        col += span
    return slots


def rows_of(slots: Sequence[Slot]) -> int:
    return slots[-1].row + 1 if slots else 0
