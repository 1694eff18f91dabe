"""The font every printed document uses (notices, certificates, 支援措置 notices).

IPAmj明朝 (Debian ``fonts-ipamj-mincho``, the MJ character set, so every registered character
prints), at ``JUMIN_PDF_FONT`` (default ``/usr/share/fonts/truetype/ipamj/ipamjm.ttf``).
Without that file a document falls back to reportlab's built-in CID font HeiseiMin-W3 (JIS X 0208
only: a name outside it would not print correctly) and says so on the page
(:data:`FALLBACK_NOTE`) and in :data:`FontChoice.fallback`, so the officer sees that the font
is missing.

Below every app: it imports only Django settings and reportlab."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf"
IPAMJ = "IPAmjMincho"
FALLBACK = "HeiseiMin-W3"
FALLBACK_NOTE = "（IPAmj明朝が見つからないため代替フォントで印字しています。外字は正しく印字されません。）"


@dataclass(frozen=True)
class FontChoice:
    name: str
    fallback: bool


def font_path() -> Path:
    return Path(getattr(settings, "JUMIN_PDF_FONT", DEFAULT_FONT_PATH))


def font() -> FontChoice:
    """Register IPAmj明朝 once; the CID fallback when the file is missing."""
    if IPAMJ in pdfmetrics.getRegisteredFontNames():
        return FontChoice(IPAMJ, fallback=False)
    path = font_path()
    if path.is_file():
        pdfmetrics.registerFont(TTFont(IPAMJ, str(path)))
        return FontChoice(IPAMJ, fallback=False)
    if FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FontChoice(FALLBACK, fallback=True)
