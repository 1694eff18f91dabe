"""The outputs of the 閲覧台帳, each print-logged (10.7; ``jumin.audit.services.record_print``):

* the 閲覧用リスト of an approved 申出 (帳票 20.3.1 住民基本台帳の一部の写し（閲覧用）) — PDF
  (a fixed A4 form, IPAmj明朝), CSV (UTF-8 with BOM, for Excel) or xlsx;
* the 閲覧状況の公表 of a year — PDF (A4 landscape), CSV or xlsx.

A value too wide for its column shrinks down to :data:`MIN_SIZE`, then wraps (5.8).  Mass
printing to continuous-form printers is a function the standard forbids (10.7 X): the PDF is
a document to show at the 閲覧 counter, or to print through the browser like any other."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from jumin.accounts.principal import Principal
from jumin.audit.services import record_print
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.inspection import queries
from jumin.inspection.models import InspectionRequest
from jumin.pdf_fonts import FALLBACK_NOTE, font
from jumin.registry.inspection import HEADER, ORDERS, TITLE, InspectionExtract

mm = 72 / 25.4
SIZE = 9.0
MIN_SIZE = 6.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "xlsx": XLSX}
FORMAT_LABELS = {"pdf": "PDF", "csv": "CSV", "xlsx": "Excel（xlsx）"}
PUBLICATION_TITLE = "住民基本台帳の一部の写しの閲覧状況"
PUBLICATION_HEADER = (
    "根拠",
    "申出者の氏名（法人はその名称）",
    "利用目的の概要",
    "閲覧の年月日",
    "閲覧に係る住民の範囲",
)
BASIS_SHORT = {"art11": "法第11条", "art11_2": "法第11条の2"}
LIST_ROWS = 36
ROW_H = 6.4 * mm
LINE_H = 3.2 * mm


@dataclass(frozen=True)
class Output:
    filename: str
    content_type: str
    body: bytes


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise DomainError("inspection.format", "出力の形式は PDF・CSV・xlsx から選んでください。")
    return fmt


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(title: str, caption: Sequence[str], header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for line in caption:
        sheet.append([line])
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, _ in enumerate(header, start=1):
        width = max([len(str(header[index - 1]))] + [len(str(r[index - 1])) for r in rows]) * 2 + 2
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 80)
    for row in sheet.iter_rows(min_row=len(caption) + 2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fit(text: str, face: str, width: float, size: float = SIZE) -> tuple[list[str], float]:
    """Shrink to fit one line (down to MIN_SIZE), else wrap at MIN_SIZE."""
    while size > MIN_SIZE and stringWidth(text, face, size) > width:
        size -= 0.5
    if stringWidth(text, face, size) <= width:
        return [text], size
    lines, line = [], ""
    for char in text:
        if stringWidth(line + char, face, size) > width and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line], size


def _municipality() -> str:
    m = settings.JUMIN_MUNICIPALITY
    return f"{m['prefecture']}{m['name']}"


# -- 閲覧用リスト -------------------------------------------------------------------------------


def _list_rows(extract: InspectionExtract) -> list[list[str]]:
    return [[line.name, line.address, line.birth, line.sex] for line in extract.lines]


def _header_row(pdf: Canvas, face: str, left: float, y: float, columns: Sequence[tuple[str, float]]) -> float:
    """The column heads of a table at ``y``; answers the y below them."""
    x = left
    pdf.setLineWidth(0.4)
    pdf.setFont(face, 8.5)
    for label, w in columns:
        pdf.rect(x, y - ROW_H, w, ROW_H)
        pdf.drawCentredString(x + w / 2, y - ROW_H + 2 * mm, label)
        x += w
    return y - ROW_H


def _cells(pdf: Canvas, face: str, at: tuple[float, float], widths: Sequence[float], values: Sequence[str]) -> float:
    """One row of boxed cells: each value shrinks to fit its box, else wraps (5.8); the row
    grows to the tallest cell.  Answers the y below the row."""
    left, y = at
    wrapped = [_fit(value, face, w - 2 * mm) for value, w in zip(values, widths, strict=True)]
    height = max(ROW_H, max(len(lines) for lines, _ in wrapped) * LINE_H + 2 * mm)
    x = left
    for (lines, size), w in zip(wrapped, widths, strict=True):
        pdf.rect(x, y - height, w, height)
        pdf.setFont(face, size)
        if len(lines) == 1 and height == ROW_H:
            pdf.drawString(x + 1 * mm, y - ROW_H + 2 * mm, lines[0])
        else:
            for index, line in enumerate(lines):
                pdf.drawString(x + 1 * mm, y - 3.6 * mm - index * LINE_H, line)
        x += w
    return y - height


def _fallback_note(pdf: Canvas, face: str, fallback: bool, left: float) -> None:
    if fallback:
        pdf.setFont(face, 7)
        pdf.drawString(left, 10 * mm, FALLBACK_NOTE)


LIST_COLUMNS = (("番号", 12 * mm), ("氏名", 44 * mm), ("住所", 86 * mm), ("生年月日", 28 * mm), ("性別", 10 * mm))


def _list_page_head(
    pdf: Canvas, face: str, request: InspectionRequest, extract: InspectionExtract, *, made: str, page: tuple[int, int]
) -> float:
    width, height = A4
    left = (width - sum(w for _, w in LIST_COLUMNS)) / 2
    y = height - 18 * mm
    pdf.setFont(face, 14)
    pdf.drawCentredString(width / 2, y, TITLE)
    y -= 8 * mm
    pdf.setFont(face, 8.5)
    pdf.drawString(left, y, f"申出番号 {request.request_no}　申出者 {request.summary_name}")
    pdf.drawRightString(width - left, y, f"{page[0]} / {page[1]} 頁")
    y -= 5 * mm
    lines, size = _fit("町字 " + "、".join(t.name for t in extract.towns), face, width - 2 * left - 75 * mm, 8.5)
    pdf.setFont(face, size)
    pdf.drawString(left, y, lines[0] + ("…" if len(lines) > 1 else ""))
    pdf.setFont(face, 8.5)
    pdf.drawRightString(width - left, y, f"{ORDERS[extract.order]}　{made} 作成　{_municipality()}")
    return _header_row(pdf, face, left, y - 4 * mm, LIST_COLUMNS)


def _list_pdf(request: InspectionRequest, extract: InspectionExtract, made: str) -> tuple[bytes, int]:
    """帳票 20.3.1 on A4 portrait: a fixed number of rows a page, the page count on each."""
    chosen = font()
    width, _ = A4
    left = (width - sum(w for _, w in LIST_COLUMNS)) / 2
    widths = [w for _, w in LIST_COLUMNS]
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(TITLE)
    pdf.setAuthor(_municipality())
    pages = max(1, -(-len(extract.lines) // LIST_ROWS))
    for page in range(pages):
        y = _list_page_head(pdf, chosen.name, request, extract, made=made, page=(page + 1, pages))
        start = page * LIST_ROWS
        for number, line in enumerate(extract.lines[start : start + LIST_ROWS], start=start + 1):
            y = _cells(
                pdf, chosen.name, (left, y), widths, [str(number), line.name, line.address, line.birth, line.sex]
            )
        if page == pages - 1:
            pdf.setFont(chosen.name, 8.5)
            pdf.drawString(
                left, y - 6 * mm, f"計 {len(extract.lines)} 名（支援措置の対象者・閲覧の抑止がある者を除く）"
            )
        _fallback_note(pdf, chosen.name, chosen.fallback, left)
        pdf.showPage()
    pdf.save()
    return out.getvalue(), pages


def list_output(principal: Principal, request: InspectionRequest, fmt: str) -> Output:
    """The 閲覧用リスト of an approved 申出 in one format; access log (by the query) and print
    log (here: the format, the count, the seed, the listed persons)."""
    _check_format(fmt)
    extract = queries.inspection_list(principal, request)
    made = era_table().format(timezone.localdate())
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    pages: int | None = None
    if fmt == "pdf":
        body, pages = _list_pdf(request, extract, made)
    elif fmt == "csv":
        body = _csv(HEADER, _list_rows(extract))
    else:
        caption = [TITLE, f"申出番号 {request.request_no}　{ORDERS[extract.order]}　{made} 作成　{_municipality()}"]
        body = _xlsx("閲覧用リスト", caption, HEADER, _list_rows(extract))
    record_print(
        title=TITLE,
        mode="pdf" if fmt == "pdf" else "file",
        document=f"閲覧用リスト {fmt} 申出番号 {request.request_no} {len(extract.lines)}名 seed {extract.seed}",
        persons=extract.atena_nos,
        pages=pages,
    )
    return Output(f"etsuran_{request.request_no}_{stamp}.{fmt}", FORMATS[fmt], body)


# -- 閲覧状況の公表 ---------------------------------------------------------------------------


def _publication_rows(found: queries.Publication) -> list[list[str]]:
    return [
        [BASIS_SHORT.get(r.basis, r.basis), r.requester, r.purpose_summary, "、".join(r.dates), r.scope]
        for r in found.rows
    ]


PUBLICATION_COLUMNS = (
    (PUBLICATION_HEADER[1], 70 * mm),
    (PUBLICATION_HEADER[2], 80 * mm),
    (PUBLICATION_HEADER[3], 50 * mm),
    (PUBLICATION_HEADER[4], 67 * mm),
)
PUBLICATION_SECTIONS = (
    ("art11", "法第11条による国又は地方公共団体の機関の請求（法第11条第3項）"),
    ("art11_2", "法第11条の2による個人又は法人の申出（法第11条の2第12項）"),
)


class _Pages:
    """A landscape A4 document whose pages all carry the same heading."""

    def __init__(self, pdf: Canvas, face: str, title: str, made: str) -> None:
        self.pdf, self.face, self.title, self.made = pdf, face, title, made
        size: tuple[float, float] = landscape(A4)
        self.width, self.height = size
        self.left = (self.width - sum(w for _, w in PUBLICATION_COLUMNS)) / 2
        self.count = 0

    def new(self) -> float:
        if self.count:
            self.pdf.showPage()
        self.count += 1
        self.pdf.setFont(self.face, 14)
        self.pdf.drawCentredString(self.width / 2, self.height - 18 * mm, self.title)
        self.pdf.setFont(self.face, 8.5)
        self.pdf.drawRightString(self.width - self.left, self.height - 25 * mm, f"{self.made} {_municipality()}")
        return self.height - 32 * mm


def _publication_pdf(found: queries.Publication, made: str) -> tuple[bytes, int]:
    """The 公表 on A4 landscape: 11条 and 11条の2 apart, one row per 申出."""
    chosen = font()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=landscape(A4), pageCompression=1)
    title = f"{PUBLICATION_TITLE}（{found.year_label}）"
    pdf.setTitle(title)
    pdf.setAuthor(_municipality())
    pages = _Pages(pdf, chosen.name, title, made)
    widths = [w for _, w in PUBLICATION_COLUMNS]
    y = pages.new()
    for basis, label in PUBLICATION_SECTIONS:
        rows = found.state_rows if basis == "art11" else found.private_rows
        if y < 40 * mm:
            y = pages.new()
        pdf.setFont(chosen.name, 10)
        pdf.drawString(pages.left, y, f"■ {label}　{len(rows)}件")
        y = _header_row(pdf, chosen.name, pages.left, y - 3 * mm, PUBLICATION_COLUMNS)
        if not rows:
            y = _cells(pdf, chosen.name, (pages.left, y), [sum(widths)], ["該当なし"])
        for row in rows:
            if y < 30 * mm:
                y = _header_row(pdf, chosen.name, pages.left, pages.new(), PUBLICATION_COLUMNS)
            values = [row.requester, row.purpose_summary, "、".join(row.dates), row.scope]
            y = _cells(pdf, chosen.name, (pages.left, y), widths, values)
        y -= 8 * mm
    _fallback_note(pdf, chosen.name, chosen.fallback, pages.left)
    pdf.showPage()
    pdf.save()
    return out.getvalue(), pages.count


def publication_output(principal: Principal, year: int, fmt: str) -> Output:
    """The 閲覧状況の公表 of ``year`` in one format, print-logged (it names no resident)."""
    _check_format(fmt)
    found = queries.publication(principal, year)
    made = era_table().format(timezone.localdate())
    title = f"{PUBLICATION_TITLE}（{found.year_label}）"
    pages: int | None = None
    if fmt == "pdf":
        body, pages = _publication_pdf(found, made)
    elif fmt == "csv":
        body = _csv(PUBLICATION_HEADER, _publication_rows(found))
    else:
        body = _xlsx(
            "閲覧状況の公表", [title, f"{made} {_municipality()}"], PUBLICATION_HEADER, _publication_rows(found)
        )
    record_print(
        title=PUBLICATION_TITLE,
        mode="pdf" if fmt == "pdf" else "file",
        document=f"閲覧状況の公表 {year}年 {fmt} {len(found.rows)}件",
        pages=pages,
    )
    return Output(f"etsuran_kohyo_{year}.{fmt}", FORMATS[fmt], body)


def list_for_api(principal: Principal, request: InspectionRequest) -> InspectionExtract:
    """The 閲覧用リスト as data for the API: access-logged by the query, print-logged here
    (mode ``api``) like any other output of the list."""
    extract = queries.inspection_list(principal, request)
    record_print(
        title=TITLE,
        mode="api",
        document=f"閲覧用リスト api 申出番号 {request.request_no} {len(extract.lines)}名 seed {extract.seed}",
        persons=extract.atena_nos,
    )
    return extract
