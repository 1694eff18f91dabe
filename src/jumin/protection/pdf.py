"""支援措置期間終了通知 (spec 3.4, 帳票 20.5.1) as PDF, one A4 page per measure.

Font: :mod:`jumin.pdf_fonts` (IPAmj明朝, or the CID fallback that says so on the page)."""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from jumin.conf.domain import era_table
from jumin.pdf_fonts import FALLBACK_NOTE, FontChoice, font, font_path
from jumin.protection.queries import EndNotice

__all__ = ["FALLBACK_NOTE", "TITLE", "FontChoice", "end_notices_pdf", "font", "font_path"]

TITLE = "支援措置期間終了通知"


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
            pdf.drawString(25 * mm, 15 * mm, FALLBACK_NOTE)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
