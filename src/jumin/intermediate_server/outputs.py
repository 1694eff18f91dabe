"""The 情報提供等記録 of one person as a PDF for the 開示請求 (番号法 第23条; A4, IPAmj明朝),
print-logged by the view that hands it out."""

from __future__ import annotations

import io
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from jumin.conf.domain import era_table
from jumin.intermediate_server.models import AFFAIR_LABELS, ITEM_LABELS, ProvisionRecord
from jumin.intermediate_server.queries import Disclosure
from jumin.pdf_fonts import FALLBACK_NOTE, font

TITLE = "情報提供等記録の開示"
mm = 72 / 25.4
SIZE = 8.5
ROW_H = 9 * mm
# (heading, width in mm)
COLUMNS = (("照会日時", 30), ("区分", 16), ("照会者", 22), ("提供者", 22), ("事務・項目", 56), ("根拠法令", 0))


def _wareki_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{era_table().format(local.date())} {local:%H:%M}"


def _cells(row: ProvisionRecord) -> list[str]:
    affair = AFFAIR_LABELS.get(row.affair, row.affair)
    item = ITEM_LABELS.get(row.item, row.item)
    return [
        _wareki_time(row.asked_at),
        row.get_direction_display(),
        row.requester,
        row.provider,
        f"{affair}／{item}（{row.get_outcome_display()}）",
        row.law,
    ]


def _clip(text: str, face: str, size: float, width: float) -> list[str]:
    """``text`` wrapped to ``width``."""
    lines, line = [], ""
    for char in text:
        if stringWidth(line + char, face, size) > width and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line]


def disclosure_pdf(disclosure: Disclosure) -> tuple[bytes, int]:
    """The PDF and its page count."""
    face = font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(TITLE)
    width, height = A4
    left, right = 15 * mm, width - 15 * mm
    last = right - left - sum(w * mm for _, w in COLUMNS)
    widths = [w * mm if w else last for _, w in COLUMNS]
    municipality = f"{settings.JUMIN_MUNICIPALITY['prefecture']}{settings.JUMIN_MUNICIPALITY['name']}"
    rows = disclosure.records
    pages = 0
    index = 0
    while True:
        pages += 1
        y = height - 20 * mm
        canvas.setFont(face.name, 14)
        canvas.drawCentredString(width / 2, y, TITLE)
        y -= 9 * mm
        canvas.setFont(face.name, 10)
        canvas.drawString(left, y, f"氏名　{disclosure.name}　（宛名番号 {disclosure.atena_no}）")
        canvas.drawRightString(right, y, f"{era_table().format(timezone.localdate())}　{municipality}")
        y -= 6 * mm
        canvas.setFont(face.name, SIZE)
        canvas.drawString(left, y, "番号法第23条の情報提供等の記録（保存期間7年）を照会日時の順に記載しています。")
        if face.fallback:
            y -= 5 * mm
            canvas.drawString(left, y, FALLBACK_NOTE)
        y -= 8 * mm
        x = left
        for (heading, _), w in zip(COLUMNS, widths, strict=True):
            canvas.drawString(x + 1 * mm, y, heading)
            x += w
        canvas.line(left, y - 2 * mm, right, y - 2 * mm)
        y -= 2 * mm
        if not rows:
            canvas.drawString(left + 1 * mm, y - 6 * mm, "（情報提供等の記録はありません）")
        while index < len(rows) and y - ROW_H > 20 * mm:
            x = left
            for text, w in zip(_cells(rows[index]), widths, strict=True):
                for n, line in enumerate(_clip(text, face.name, SIZE - 1, w - 2 * mm)[:2]):
                    canvas.setFont(face.name, SIZE - 1)
                    canvas.drawString(x + 1 * mm, y - 4 * mm - n * 3.6 * mm, line)
                x += w
            y -= ROW_H
            canvas.line(left, y, right, y)
            index += 1
        canvas.setFont(face.name, 8)
        canvas.drawCentredString(width / 2, 12 * mm, f"{pages}")
        canvas.showPage()
        if index >= len(rows):
            break
    canvas.save()
    return out.getvalue(), pages
