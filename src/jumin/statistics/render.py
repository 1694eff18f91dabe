"""The files of the statistics: CSV (UTF-8 with BOM, for spreadsheet programs), xlsx (openpyxl),
PDF (fixed form, A4 landscape, IPAmj明朝 via :mod:`jumin.pdf_fonts`) and the population
pyramid as a PNG image (Pillow).  All of them are made from :class:`~jumin.core.statistics.Table`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfgen.canvas import Canvas

from jumin.core.statistics import FEMALE, KINDS, MALE, Cells, Table
from jumin.pdf_fonts import FALLBACK_NOTE, font, font_path

mm = 72 / 25.4
PAGE_W, PAGE_H = 297 * mm, 210 * mm  # A4 landscape
MARGIN = 12 * mm
ROW = 5.2 * mm
LABEL_W = 52 * mm
BODY_SIZE = 7.5
TITLE_SIZE = 14


def csv_bytes(tables: Sequence[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([table.subtitle])
        writer.writerow(list(table.columns))
        for label, values in table.rows:
            writer.writerow([label, *values])
        for note in table.notes:
            writer.writerow([note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "表"
    base, number = name, 2
    while name in used:
        name = f"{base[:26]}{number}"
        number += 1
    used.add(name)
    return name


def xlsx_bytes(tables: Sequence[Table], municipality: str, made_on: date) -> bytes:
    book = Workbook()
    first = book.active
    used: set[str] = set()
    for index, table in enumerate(tables):
        sheet = first if index == 0 and first is not None else book.create_sheet()
        sheet.title = _sheet_name(table.title, used)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([table.subtitle, "", municipality, f"作成日 {made_on.isoformat()}"])
        sheet.append(list(table.columns))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for label, values in table.rows:
            sheet.append([label, *values])
        for note in table.notes:
            sheet.append([note])
        sheet.column_dimensions["A"].width = 34
        sheet.freeze_panes = "B4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_bytes(tables: Sequence[Table], municipality: str, made_on_text: str) -> tuple[bytes, int]:
    """Every table on its own pages (columns repeated on each page); returns the PDF and its pages."""
    choice = font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H), invariant=True)
    canvas.setTitle(" / ".join(t.title for t in tables))
    pages = 0
    for table in tables:
        pages += _draw_table(
            canvas, table, choice.name, municipality=municipality, made=made_on_text, fallback=choice.fallback
        )
    canvas.save()
    return out.getvalue(), pages


def _draw_table(canvas: Canvas, table: Table, face: str, *, municipality: str, made: str, fallback: bool) -> int:
    numbers = len(table.columns) - 1
    width = (PAGE_W - 2 * MARGIN - LABEL_W) / max(numbers, 1)
    top = PAGE_H - MARGIN - 22 * mm
    per_page = int((top - MARGIN - 14 * mm) // ROW) - 1
    chunks = [table.rows[i : i + per_page] for i in range(0, len(table.rows), per_page)] or [()]
    for page_no, rows in enumerate(chunks, start=1):
        canvas.setFont(face, TITLE_SIZE)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN - 6 * mm, table.title)
        canvas.setFont(face, 9)
        canvas.drawString(MARGIN, PAGE_H - MARGIN - 14 * mm, table.subtitle)
        canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN - 14 * mm, f"{municipality}　作成日 {made}")
        if fallback:
            canvas.setFont(face, 7)
            canvas.drawString(MARGIN, PAGE_H - MARGIN - 18 * mm, FALLBACK_NOTE)
        y = top
        _row(canvas, face, y, label=table.columns[0], cells=table.columns[1:], width=width, header=True)
        for label, values in rows:
            y -= ROW
            _row(canvas, face, y, label=label, cells=[f"{v:,}" for v in values], width=width, header=False)
        y -= ROW
        if page_no == len(chunks):
            canvas.setFont(face, 7)
            for note in table.notes:
                y -= 4 * mm
                canvas.drawString(MARGIN, y, note)
        canvas.setFont(face, 8)
        canvas.drawCentredString(PAGE_W / 2, MARGIN / 2, f"{page_no} / {len(chunks)}")
        canvas.showPage()
    return len(chunks)


def _row(canvas: Canvas, face: str, y: float, *, label: str, cells: Sequence[str], width: float, header: bool) -> None:
    size = 6.5 if header else BODY_SIZE
    canvas.setLineWidth(0.4)
    canvas.rect(MARGIN, y - ROW, LABEL_W, ROW)
    canvas.setFont(face, size)
    canvas.drawString(MARGIN + 1.2 * mm, y - ROW + 1.6 * mm, _fit(label, LABEL_W - 2.4 * mm, face, size, canvas))
    x = MARGIN + LABEL_W
    for text in cells:
        canvas.rect(x, y - ROW, width, ROW)
        fitted = _fit(text, width - 1.6 * mm, face, size, canvas)
        if header:
            canvas.drawCentredString(x + width / 2, y - ROW + 1.6 * mm, fitted)
        else:
            canvas.drawRightString(x + width - 0.8 * mm, y - ROW + 1.6 * mm, fitted)
        x += width


def _fit(text: str, room: float, face: str, size: float, canvas: Canvas) -> str:
    while text and canvas.stringWidth(text, face, size) > room:
        text = text[:-1]
    return text


# -- population pyramid -------------------------------------------------------------------------


def pyramid_png(bands: dict[int, Cells], title: str, subtitle: str) -> bytes:
    """Men left, women right, 5歳階級 from the bottom (0〜4歳) to 100歳以上; Japanese and foreign
    residents stacked (foreign outside, lighter)."""
    labels = [band for band in bands if band >= 0]
    width, height = 1000, 140 + 28 * len(labels)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title_font = _pil_font(26)
    text_font = _pil_font(16)
    draw.text((width // 2, 24), title, fill="black", font=title_font, anchor="mt")
    draw.text((width // 2, 60), subtitle, fill="black", font=text_font, anchor="mt")
    centre, label_w = width // 2, 120
    side = (width - label_w) // 2 - 60
    top = 100
    largest = max([bands[b].sex_total(sex) for b in labels for sex in (MALE, FEMALE)] + [1])
    colours = {MALE: ("#2f5d8a", "#9bb7d4"), FEMALE: ("#a33b3b", "#e3a5a5")}
    for row, band in enumerate(reversed(labels)):
        y = top + row * 28
        cells = bands[band]
        label = "100歳以上" if band >= 100 else f"{band}〜{band + 4}"
        draw.text((centre, y + 12), label, fill="black", font=text_font, anchor="mm")
        for sex, direction in ((MALE, -1), (FEMALE, 1)):
            start = centre + direction * (label_w // 2)
            offset = 0.0
            for kind, colour in zip(KINDS, colours[sex], strict=True):
                length = side * cells.get(kind, sex) / largest
                x0, x1 = start + direction * offset, start + direction * (offset + length)
                if length > 0:
                    draw.rectangle([min(x0, x1), y + 2, max(x0, x1), y + 24], fill=colour)
                offset += length
            total = cells.sex_total(sex)
            x = start + direction * (offset + 6)
            draw.text((x, y + 12), f"{total:,}", fill="black", font=text_font, anchor="rm" if direction < 0 else "lm")
    legend_y = height - 30
    draw.text((40, legend_y), "男（濃: 日本人住民 / 淡: 外国人住民）", fill=colours[MALE][0], font=text_font)
    draw.text(
        (width - 40, legend_y),
        "女（濃: 日本人住民 / 淡: 外国人住民）",
        fill=colours[FEMALE][0],
        font=text_font,
        anchor="ra",
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _pil_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_path()
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()
