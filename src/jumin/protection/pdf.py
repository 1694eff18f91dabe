"""支援措置期間終了通知 (spec 3.4, 帳票 20.5.1) as PDF, one A4 page per measure.

Font: IPAmj明朝 (Debian ``fonts-ipamj-mincho``, the MJ character set, so every registered
character prints), at ``JUMIN_PDF_FONT`` (default ``/usr/share/fonts/truetype/ipamj/ipamjm.ttf``).
Without that file the notice falls back to reportlab's built-in CID font HeiseiMin-W3 (JIS X 0208
only: a name outside it would not print correctly) and says so on the page and in
:data:`FontChoice.fallback`, so the officer sees that the font is missing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from jumin.conf.domain import era_table
from jumin.protection.queries import EndNotice

DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf"
IPAMJ = "IPAmjMincho"
FALLBACK = "HeiseiMin-W3"
TITLE = "支援措置期間終了通知"
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


def end_notices_pdf(notices: list[EndNotice], *, today: date) -> bytes:
    chosen = font()
    municipality = settings.JUMIN_MUNICIPALITY
    issued = era_table().format(today)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(TITLE)
    pdf.setAuthor(f"{municipality['prefecture']}{municipality['name']}")
    width, height = A4
    for notice in notices:
        y = height - 30 * mm
        pdf.setFont(chosen.name, 10.5)
        pdf.drawRightString(width - 25 * mm, y, issued)
        pdf.drawRightString(width - 25 * mm, y - 6 * mm, f"支援措置番号 {notice.measure.measure_no}")
        pdf.drawString(25 * mm, y - 16 * mm, notice.address)
        pdf.setFont(chosen.name, 14)
        pdf.drawString(25 * mm, y - 26 * mm, f"{notice.name}　様")
        pdf.setFont(chosen.name, 18)
        pdf.drawCentredString(width / 2, y - 48 * mm, TITLE)
        pdf.setFont(chosen.name, 10.5)
        lines = [
            "あなたから申出のあった住民基本台帳事務における支援措置（ドメスティック・バイオレンス、",
            "ストーカー行為等、児童虐待及びこれらに準ずる行為の被害者の保護のための措置）の期間は、",
            f"{notice.end_on}をもって終了します。",
            "",
            "引き続き支援措置を必要とされる場合は、延長の申出をしてください。",
            f"延長の申出は{notice.extension_from}から受け付けます。延長後の期間は、",
            "終了日の翌日から1年間です。",
            "",
            "期間が経過しても、市区町村が終了の手続をするまでは支援措置は続きます。",
            "支援の必要がなくなったときは、その旨をお申し出ください。",
        ]
        text_y = y - 64 * mm
        for line in lines:
            pdf.drawString(25 * mm, text_y, line)
            text_y -= 7 * mm
        pdf.drawRightString(width - 25 * mm, text_y - 14 * mm, f"{municipality['prefecture']}{municipality['name']}長")
        if chosen.fallback:
            pdf.setFont(chosen.name, 8)
            pdf.drawString(
                25 * mm,
                15 * mm,
                "（IPAmj明朝が見つからないため代替フォントで印字しています。外字は正しく印字されません。）",
            )
        pdf.showPage()
    pdf.save()
    return out.getvalue()
