"""The PDF of a certificate (spec 5.1–5.8; 帳票 20.1.x 住民票の写し等, 20.2.x 転出証明書,
20.4.x 住民票コード通知票), A4 portrait, from a finished :class:`CertificateContent`.

Every page carries the 発行番号 with its page part (5.5) at the top right, the 「公用」 stamp
when asked (5.7), the title and the 住所・方書 (5.4; 世帯主 too on a 世帯連記式).  Then:

* 個人票 (:data:`~jumin.certificates.content.INDIVIDUAL`, also every 除票): each person
  from a new sheet, the items as a labelled table, the 異動履歴 when present, the 備考 box;
  the sheet continues on the next page when long.
* 世帯連記式 (:data:`~jumin.certificates.content.HOUSEHOLD`): at most four persons a sheet
  (:func:`jumin.core.certificates.sheets`), each a band of the same items in the same order.

The 通称履歴 follows on a 別紙; the 認証文, the date, the 認証者 (with the prefecture, 5.6),
the electronic seal and the verification QR code are printed on the last page only.

文字溢れ (5.8): a value shrinks down to :data:`~jumin.certificates.layout.MIN_SIZE`; beyond
that, or when the font lacks a character (unregistered 外字), it is printed to the limit or
left blank (``overflow_mode``) and reported in :attr:`Rendered.overflow` for the 文字超過リスト
(:func:`overflow_list_pdf`)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import segno
from PIL import Image
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from jumin.certificates.content import HOUSEHOLD, CertificateContent, Field, Overflow, PersonBlock, Rendered
from jumin.certificates.layout import GETA, OVERFLOW_ACTIONS, TRUNCATE, Typesetter, pack, rows_of
from jumin.core.certificates import MAX_PERSONS_PER_SHEET, sheets
from jumin.protection.pdf import FALLBACK_NOTE, font

mm = 72 / 25.4  # reportlab.lib.units.mm, typed
PAGE_W, PAGE_H = 210 * mm, 297 * mm  # A4 portrait
MARGIN = 15 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
HEADER_TOP = PAGE_H - 28 * mm
BODY_BOTTOM = 66 * mm  # below: 認証文, 認証者, seal, verification QR (last page)
ROW = 7 * mm
PAD = 1.5 * mm
HEADER_LABEL_W = 24 * mm
INDIVIDUAL_LABEL_W = 42 * mm
BAND_COLS = 3
BAND_LABEL_W = 25 * mm
BAND_GAP = 2 * mm
MAX_BAND_ROW = 6.5 * mm
MIN_BAND_ROW = 3.5 * mm  # values still ≥ 6 pt
REMARK_SIZE = 7.5
DATA_QR_SIDE = 40 * mm
VERIFY_QR_SIDE = 24 * mm
SEAL_SIDE = 22 * mm  # ≤ 25 mm (5.6)
SHADE = 0.92
QR_MASK = 4  # a fixed mask: scoring all eight costs ~20 ms; any mask is valid (JIS X 0510)

NAME = "氏名"  # printed larger, on its own row
ALIAS_HEADING = "別紙　通称の記載及び削除に関する事項"
VERIFY_CAPTION = "発行番号と署名（検証用）"
DATA_QR_CAPTION = "転出証明書情報"
DATA_QR_TOO_LONG = "転出証明書情報（QRコードに収まりません）"
CONTINUED = "（次頁に続く）"
END_MARK = "以下余白"
OFFICIAL_USE = "公用"

# Binary (Flate only) streams instead of reportlab's default ASCII85 on top: ~20 % smaller
# PDFs and ~15 ms less per certificate.  Every PDF reader takes them.
rl_config.useA85 = 0


class _FastFlate(pdfdoc.PDFStreamFilterZCompress):  # type: ignore[misc]
    """Flate at level 1 instead of zlib's default 6 (issue 24): the embedded font subset and the
    page content of a 4-person copy take 1.1 ms instead of 2.5 ms to compress, for ~3 KB more
    of a ~57 KB PDF that is printed at once."""

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, 1)


# reportlab looks the filter up as ``pdfdoc.PDFZCompress`` each time it writes a stream
pdfdoc.PDFZCompress = _FastFlate()

Draw = Callable[[Canvas, float], None]  # draws a block whose top edge is at y
Bitmap = tuple[str, int]  # path operators from _runs, width in cells


@dataclass
class _Block:
    """A piece of a flowing page body (個人票 rows, 履歴 lines, 別紙 lines)."""

    height: float
    draw: Draw
    keep_with_next: bool = False
    new_page: bool = False


@dataclass
class _Page:
    blocks: list[_Block] = field(default_factory=list)
    band_persons: list[PersonBlock] | None = None  # a 世帯連記式 sheet


@dataclass(frozen=True)
class _Box:
    """A cell: left edge, top edge, width, height (points)."""

    x: float
    top: float
    width: float
    height: float

    @property
    def mid(self) -> float:
        return self.top - self.height / 2

    def split(self, left: float) -> tuple[_Box, _Box]:
        return _Box(self.x, self.top, left, self.height), _Box(self.x + left, self.top, self.width - left, self.height)


@dataclass(frozen=True)
class _BandItem:
    item: Field
    span: int
    lines: tuple[str, ...] = ()  # wrapped 備考 (one grid row each)

    @property
    def units(self) -> float:
        if self.lines:
            return max(1.0, len(self.lines) * 0.8)
        return 1.3 if self.item.label == NAME else 1.0


def _runs(rows: Sequence[Sequence[int]]) -> str:
    """PDF path operators for the dark cells of a bitmap, one rectangle per horizontal run,
    in cell units with row 0 at the top (drawn through a ``cm`` that flips and scales)."""
    ops: list[str] = []
    for r, row in enumerate(rows):
        start = -1
        for col, dark in enumerate([*row, 0]):
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                ops.append(f"{start} {r} {col - start} 1 re")
                start = -1
    return "\n".join(ops)


def _draw_bitmap(pdf: Canvas, bitmap: Bitmap, x: float, y: float, side: float) -> None:
    """Fill ``bitmap`` into the square at (x, y): vector, so sharp on any printer, and written
    as literal operators (thousands of rectangles through the path API cost ~20 ms a page)."""
    ops, cells = bitmap
    if ops:
        unit = side / cells
        pdf.addLiteral(f"q 0 g {unit:.5f} 0 0 {-unit:.5f} {x:.3f} {y + side:.3f} cm\n{ops}\nf Q")


def _qr(data: str, *, error: str) -> Bitmap | None:
    try:
        code = segno.make(data, error=error, micro=False, mask=QR_MASK)
    except segno.DataOverflowError:
        return None
    matrix = code.matrix
    return _runs(matrix), len(matrix)


@lru_cache(maxsize=8)
def _seal(png: bytes) -> Bitmap:
    """The seal image as filled runs (black wherever it is inked: opaque and dark), so the
    page needs no image and the seal is drawn the same at every size."""
    image = Image.open(io.BytesIO(png)).convert("LA")
    width, height = image.size
    data = image.tobytes()  # L, A, L, A …
    rows = [
        [int(data[2 * (r * width + c) + 1] >= 128 and data[2 * (r * width + c)] < 128) for c in range(width)]
        for r in range(height)
    ]
    return _runs(rows), max(width, height)


class _Renderer:
    def __init__(self, content: CertificateContent, mode: str) -> None:
        if mode not in OVERFLOW_ACTIONS:
            raise ValueError(f"unknown overflow mode {mode!r}")
        self.content = content
        self.mode = mode
        chosen = font()
        self.font = chosen.name
        self.fallback = chosen.fallback
        self.ts = Typesetter(chosen.name)
        self.overflow: list[Overflow] = []
        self.household = content.layout == HOUSEHOLD
        self._template: list[_BandItem] | None = None
        self.header_atena = content.persons[0].atena_no if content.persons else ""
        self.data_qr = _qr(content.data_qr, error="m") if content.data_qr else None
        if content.data_qr and self.data_qr is None:
            self.data_qr = _qr(content.data_qr, error="l")

    # -- drawing primitives ------------------------------------------------------------------

    def text(self, pdf: Canvas, x: float, y: float, value: str, size: float, *, align: str = "left") -> None:
        pdf.setFont(self.font, size)
        shown = self.ts.printable(value)
        if align == "right":
            pdf.drawRightString(x, y, shown)
        elif align == "center":
            pdf.drawCentredString(x, y, shown)
        else:
            pdf.drawString(x, y, shown)

    def value(self, pdf: Canvas, atena_no: str, item: Field, box: _Box, size: float) -> None:
        """One item's value in ``box``, shrunk or cut to fit (5.8); an omitted item prints nothing."""
        if item.omitted or not item.value:
            return
        fitted = self.ts.fit(item.value, box.width - 2 * PAD, size, mode=self.mode)
        if fitted.overflow:
            self.overflow.append(Overflow(atena_no, item.label, item.value, OVERFLOW_ACTIONS[self.mode]))
        if fitted.text:
            pdf.setFont(self.font, fitted.size)
            pdf.drawString(box.x + PAD, box.mid - fitted.size * 0.36, fitted.text)

    def label_cell(self, pdf: Canvas, label: str, box: _Box, size: float) -> None:
        pdf.setFillGray(SHADE)
        pdf.rect(box.x, box.top - box.height, box.width, box.height, stroke=1, fill=1)
        pdf.setFillGray(0)
        lines, fitted = self.ts.fit_label(label, box.width - 2 * PAD, size, max_line_size=(box.height - 2) / 2.1)
        lead = fitted * 1.05
        first = box.mid + (len(lines) - 1) * lead / 2 - fitted * 0.36
        pdf.setFont(self.font, fitted)
        for index, line in enumerate(lines):
            pdf.drawString(box.x + PAD, first - index * lead, line)

    def field_row(
        self, pdf: Canvas, atena_no: str, item: Field, box: _Box, *, label_w: float, sizes: tuple[float, float]
    ) -> None:
        """The label cell (shaded) and the value cell side by side."""
        label, value = box.split(label_w)
        self.label_cell(pdf, item.label, label, sizes[0])
        pdf.rect(value.x, value.top - value.height, value.width, value.height, stroke=1, fill=0)
        self.value(pdf, atena_no, item, value, sizes[1])

    # -- page frame --------------------------------------------------------------------------

    def header_rows(self, first: bool) -> list[tuple[Field, bool]]:
        """(item, is_extra): 住所, 方書 (always, 5.4), 世帯主 (世帯連記式), then on the first page
        the form's own items (転出先, 転出予定年月日 …)."""
        content = self.content
        rows = [(Field("住所", content.address), False), (Field("方書", content.katagaki), False)]
        if self.household:
            rows.append((Field("世帯主", content.head_name, omitted=not content.head_name), False))
        if first:
            rows += [(item, True) for item in content.extra]
        return rows

    def header_height(self, first: bool) -> float:
        rows = self.header_rows(first)
        height = len(rows) * ROW + (2 * mm if first and self.content.extra else 0)
        if first and self.content.data_qr:
            height = max(height, DATA_QR_SIDE + 6 * mm)
        return height

    def body_top(self, first: bool) -> float:
        return HEADER_TOP - self.header_height(first) - 4 * mm

    def available(self, page_index: int) -> float:
        return self.body_top(page_index == 0) - BODY_BOTTOM

    def draw_frame(self, pdf: Canvas, page_index: int, total: int) -> str:
        """発行番号 (5.5), 「公用」 (5.7), title, 住所・方書・世帯主, the form's items and data QR."""
        content = self.content
        first = page_index == 0
        number = content.issue_number.page(page_index + 1, total)
        self.text(pdf, PAGE_W - MARGIN, PAGE_H - 10 * mm, number, 7.5, align="right")
        if content.official_use:
            pdf.setLineWidth(1.2)
            pdf.rect(MARGIN, PAGE_H - 19 * mm, 20 * mm, 10 * mm, stroke=1, fill=0)
            self.text(pdf, MARGIN + 10 * mm, PAGE_H - 16.2 * mm, OFFICIAL_USE, 16, align="center")
        pdf.setLineWidth(0.5)
        pdf.setFont(self.font, 16)
        pdf.drawCentredString(PAGE_W / 2, PAGE_H - 22 * mm, self.ts.printable(content.title), charSpace=2)
        width = CONTENT_W - (DATA_QR_SIDE + 5 * mm if first and content.data_qr else 0)
        y = HEADER_TOP
        gap = True
        for item, extra in self.header_rows(first):
            if extra and gap:  # the form's own items stand apart from 住所・方書
                y -= 2 * mm
                gap = False
            self.field_row(
                pdf, self.header_atena, item, _Box(MARGIN, y, width, ROW), label_w=HEADER_LABEL_W, sizes=(9, 10)
            )
            y -= ROW
        if first and content.data_qr:
            self.draw_data_qr(pdf)
        if self.fallback:
            self.text(pdf, PAGE_W / 2, 5 * mm, FALLBACK_NOTE, 6.5, align="center")
        return number

    def draw_data_qr(self, pdf: Canvas) -> None:
        x = PAGE_W - MARGIN - DATA_QR_SIDE
        y = HEADER_TOP - DATA_QR_SIDE
        if self.data_qr is None:
            self.text(pdf, x + DATA_QR_SIDE / 2, y + DATA_QR_SIDE / 2, DATA_QR_TOO_LONG, 6, align="center")
            return
        _draw_bitmap(pdf, self.data_qr, x, y, DATA_QR_SIDE)
        self.text(pdf, x + DATA_QR_SIDE / 2, y - 4 * mm, DATA_QR_CAPTION, 7, align="center")

    def draw_footer(self, pdf: Canvas) -> None:
        """認証文, date, 認証者 with the prefecture, seal and its note, verification QR."""
        content = self.content
        certifier = content.certifier
        x = MARGIN + 8 * mm
        y = 58 * mm
        if content.attestation:
            for line in self.ts.wrap(content.attestation, CONTENT_W - 16 * mm, 11):
                self.text(pdf, x, y, line, 11)
                y -= 6 * mm
        else:
            y -= 6 * mm
        self.text(pdf, x, y, content.issued_on_text, 11)
        seal_x = PAGE_W - MARGIN - SEAL_SIDE
        name_end = seal_x - 3 * mm
        name_y = min(y - 12 * mm, 36 * mm)
        signer = self.ts.fit(certifier.line, name_end - MARGIN - VERIFY_QR_SIDE - 10 * mm, 13, mode=TRUNCATE)
        pdf.setFont(self.font, signer.size)
        pdf.drawRightString(name_end, name_y, signer.text)
        if certifier.seal_png:
            _draw_bitmap(pdf, _seal(certifier.seal_png), seal_x, name_y + signer.size * 0.36 - SEAL_SIDE / 2, SEAL_SIDE)
        if certifier.seal_text:  # under the seal, or under the name when there is none (公印省略)
            note_y = name_y - SEAL_SIDE / 2 - 3 * mm if certifier.seal_png else name_y - 7 * mm
            note_x = PAGE_W - MARGIN if certifier.seal_png else name_end
            self.text(pdf, note_x, note_y, certifier.seal_text, 8, align="right")
        if content.verification:
            code = _qr(content.verification, error="m")
            if code is not None:
                _draw_bitmap(pdf, code, MARGIN, 13 * mm, VERIFY_QR_SIDE)
                self.text(pdf, MARGIN, 9.5 * mm, VERIFY_CAPTION, 6.5)

    # -- 個人票 -------------------------------------------------------------------------------

    def individual_blocks(self, person: PersonBlock) -> list[_Block]:
        blocks: list[_Block] = []
        for item in person.fields:
            name = item.label == NAME
            height = 9 * mm if name else ROW
            sizes = (9.5, 13.0 if name else 10.0)
            blocks.append(_Block(height, self._row_drawer(person.atena_no, item, height, sizes)))
        if person.history:
            blocks += self.text_section("異動履歴", person.history)
        blocks += self.text_section("備考", person.remarks or ("",))
        blocks[0].new_page = True
        return blocks

    def _row_drawer(self, atena_no: str, item: Field, height: float, sizes: tuple[float, float]) -> Draw:
        def draw(pdf: Canvas, y: float) -> None:
            box = _Box(MARGIN, y, CONTENT_W, height)
            self.field_row(pdf, atena_no, item, box, label_w=INDIVIDUAL_LABEL_W, sizes=sizes)

        return draw

    def text_section(self, heading: str, lines: Sequence[str], *, size: float = 9.0) -> list[_Block]:
        """A heading bar and wrapped lines, each line its own block so long text flows on."""

        def head(pdf: Canvas, y: float) -> None:
            self.label_cell(pdf, heading, _Box(MARGIN, y, CONTENT_W, 6 * mm), 9)

        blocks = [_Block(6 * mm, head, keep_with_next=True)]
        step = size * 1.55
        wrapped = [part for line in lines for part in self.ts.wrap(line, CONTENT_W - 2 * PAD, size)]
        for index, part in enumerate(wrapped):
            last = index == len(wrapped) - 1

            def draw(pdf: Canvas, y: float, part: str = part, last: bool = last) -> None:
                pdf.line(MARGIN, y, MARGIN, y - step)
                pdf.line(MARGIN + CONTENT_W, y, MARGIN + CONTENT_W, y - step)
                pdf.setStrokeGray(0 if last else 0.8)
                pdf.line(MARGIN, y - step, MARGIN + CONTENT_W, y - step)
                pdf.setStrokeGray(0)
                if part:
                    pdf.setFont(self.font, size)
                    pdf.drawString(MARGIN + PAD, y - step / 2 - size * 0.36, part)

            blocks.append(_Block(step, draw))
        return blocks

    def alias_blocks(self) -> list[_Block]:
        """The 別紙 of 通称の記載及び削除 (5.1): each person's name and lines."""
        persons = [p for p in self.content.persons if p.alias_history]
        if not persons:
            return []

        def heading(pdf: Canvas, y: float) -> None:
            self.text(pdf, MARGIN, y - 6 * mm, ALIAS_HEADING, 12)

        blocks = [_Block(10 * mm, heading, keep_with_next=True, new_page=True)]
        for person in persons:
            name = next((f for f in person.fields if f.label == NAME), Field(NAME, ""))
            blocks.append(_Block(ROW, self._row_drawer(person.atena_no, name, ROW, (9.5, 11)), keep_with_next=True))
            blocks += self.text_section("通称の記載及び削除", person.alias_history)[1:]
            blocks.append(_Block(3 * mm, lambda pdf, y: None))
        return blocks

    # -- 世帯連記式 ---------------------------------------------------------------------------

    def band_template(self) -> list[_BandItem]:
        """The one band every member is printed in (a fixed form, issue 17): every label any
        member has, in print order, each as wide as its widest value; the 異動履歴 and 備考
        rows as tall as the longest.  A member without an item gets the empty cell, so no
        cell moves between members."""
        if self._template is not None:
            return self._template
        labels: list[str] = []
        need: dict[str, float] = {}
        lines: dict[str, int] = {}
        for person in self.content.persons:
            at = -1
            for item in person.fields:
                if item.label in need:
                    at = labels.index(item.label)
                else:
                    at += 1
                    labels.insert(at, item.label)
                    need[item.label] = 0.0
                if not item.omitted:
                    need[item.label] = max(need[item.label], self.ts.width(self.ts.printable(item.value), 8))
            for label, text in self.long_items(person):
                lines[label] = max(lines.get(label, 0), len(text))
        col_w = CONTENT_W / BAND_COLS
        template: list[_BandItem] = []
        for label in labels:
            span = next(
                (s for s in range(1, BAND_COLS + 1) if need[label] <= s * col_w - BAND_LABEL_W - 2 * PAD), BAND_COLS
            )
            template.append(_BandItem(Field(label, ""), BAND_COLS if label == NAME else span))
        for label in ("異動履歴", "備考"):
            if lines.get(label):
                template.append(_BandItem(Field(label, ""), BAND_COLS, lines=("",) * lines[label]))
        self._template = template
        return template

    def long_items(self, person: PersonBlock) -> list[tuple[str, tuple[str, ...]]]:
        """A person's 異動履歴 and 備考, wrapped to the band's width."""
        width = CONTENT_W - BAND_LABEL_W - 2 * PAD
        return [
            (label, tuple(part for line in source for part in self.ts.wrap(line, width, REMARK_SIZE)))
            for label, source in (("異動履歴", person.history), ("備考", person.remarks))
            if source
        ]

    def band_items(self, person: PersonBlock) -> list[_BandItem]:
        """A person's items in the cells of :meth:`band_template` (empty where it has none)."""
        values = {item.label: item for item in person.fields}
        long = dict(self.long_items(person))
        items: list[_BandItem] = []
        for cell in self.band_template():
            if cell.lines:
                text = long.get(cell.item.label, ())
                items.append(_BandItem(cell.item, cell.span, lines=text + ("",) * (len(cell.lines) - len(text))))
            else:
                found = values.get(cell.item.label, Field(cell.item.label, "", omitted=True))
                items.append(_BandItem(found, cell.span))
        return items

    @staticmethod
    def band_units(items: Sequence[_BandItem]) -> list[float]:
        """Height of each grid row in row units (a 備考 row is as tall as its lines)."""
        slots = pack([i.span for i in items], BAND_COLS)
        units = [1.0] * rows_of(slots)
        for item, slot in zip(items, slots, strict=True):
            units[slot.row] = max(units[slot.row], item.units)
        return units

    def band_geometry(self) -> tuple[float, int]:
        """(row height, members a sheet): the same for every sheet of the certificate, so that
        every member's band has the same height and its cells the same places."""
        units = sum(self.band_units(self.band_template()))
        space = min(self.available(0), self.available(1))
        wanted = max(1, min(MAX_PERSONS_PER_SHEET, len(self.content.persons)))
        for count in range(wanted, 0, -1):
            row_h = (space - BAND_GAP * (count - 1)) / (count * units) if units else ROW
            if row_h >= MIN_BAND_ROW or count == 1:
                return max(min(MAX_BAND_ROW, row_h), MIN_BAND_ROW), count
        raise AssertionError("unreachable")  # pragma: no cover

    def household_sheets(self) -> list[list[PersonBlock]]:
        """At most four persons a sheet (:func:`sheets`), fewer when the bands are tall (long
        備考), order kept."""
        return sheets(self.content.persons, self.band_geometry()[1])

    def draw_sheet(self, pdf: Canvas, persons: Sequence[PersonBlock], top: float) -> float:
        """The bands of one sheet: each member's band of the same height with the same cells."""
        row_h, _ = self.band_geometry()
        size = min(8.5, row_h * 0.62)
        sizes = (min(7.5, row_h * 0.58), size)
        name_sizes = (sizes[0], min(11.0, row_h * 0.6))
        col_w = CONTENT_W / BAND_COLS
        heights = self.band_units(self.band_template())
        slots = pack([i.span for i in self.band_template()], BAND_COLS)
        y = top
        for person in persons:
            items = self.band_items(person)
            tops = [y - sum(heights[:r]) * row_h for r in range(len(heights))]
            filled = [0] * len(heights)
            for entry, slot in zip(items, slots, strict=True):
                box = _Box(MARGIN + slot.col * col_w, tops[slot.row], slot.span * col_w, heights[slot.row] * row_h)
                if entry.lines:
                    self.lines_cell(pdf, entry, box, sizes[0], min(REMARK_SIZE, size))
                else:
                    chosen = name_sizes if entry.item.label == NAME else sizes
                    self.field_row(pdf, person.atena_no, entry.item, box, label_w=BAND_LABEL_W, sizes=chosen)
                filled[slot.row] = slot.col + slot.span
            for row, used in enumerate(filled):  # close the grid where a row ends early
                if used < BAND_COLS:
                    height = heights[row] * row_h
                    pdf.rect(MARGIN + used * col_w, tops[row] - height, (BAND_COLS - used) * col_w, height)
            height = sum(heights) * row_h
            pdf.setLineWidth(1.2)
            pdf.rect(MARGIN, y - height, CONTENT_W, height, stroke=1, fill=0)
            pdf.setLineWidth(0.5)
            y -= height + BAND_GAP
        return y + BAND_GAP

    def lines_cell(self, pdf: Canvas, entry: _BandItem, box: _Box, label_size: float, size: float) -> None:
        label, value = box.split(BAND_LABEL_W)
        self.label_cell(pdf, entry.item.label, label, label_size)
        pdf.rect(value.x, value.top - value.height, value.width, value.height, stroke=1, fill=0)
        step = value.height / len(entry.lines)
        pdf.setFont(self.font, size)
        for index, line in enumerate(entry.lines):
            pdf.drawString(value.x + PAD, value.top - step * (index + 0.5) - size * 0.36, line)

    # -- pages -------------------------------------------------------------------------------

    def paginate(self, blocks: Sequence[_Block], pages: list[_Page]) -> None:
        """Flow ``blocks`` onto pages (a new page when one starts a person or does not fit)."""
        page = pages[-1] if pages and pages[-1].band_persons is None else None
        used = sum(b.height for b in page.blocks) if page is not None else 0.0
        for index, block in enumerate(blocks):
            need = block.height
            if block.keep_with_next and index + 1 < len(blocks):
                need += blocks[index + 1].height
            if page is None or (page.blocks and (block.new_page or used + need > self.available(len(pages) - 1))):
                page = _Page()
                pages.append(page)
                used = 0.0
            page.blocks.append(block)
            used += block.height

    def plan(self) -> list[_Page]:
        pages: list[_Page] = []
        if self.household:
            pages += [_Page(band_persons=sheet) for sheet in self.household_sheets()]
        else:
            for person in self.content.persons:
                self.paginate(self.individual_blocks(person), pages)
            if not pages:
                pages.append(_Page())
        self.paginate(self.alias_blocks(), pages)
        return pages

    def render(self) -> Rendered:
        pages = self.plan()
        out = io.BytesIO()
        pdf = Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1)
        pdf.setTitle(self.content.title)
        pdf.setAuthor(f"{self.content.certifier.prefecture}{self.content.issue_number.municipality}")
        numbers: list[str] = []
        total = len(pages)
        for index, page in enumerate(pages):
            pdf.setLineWidth(0.5)
            numbers.append(self.draw_frame(pdf, index, total))
            y = self.body_top(index == 0)
            if page.band_persons is not None:
                y = self.draw_sheet(pdf, page.band_persons, y)
            for block in page.blocks:
                block.draw(pdf, y)
                y -= block.height
            if index == total - 1:
                if y - 5 * mm > BODY_BOTTOM:
                    self.text(pdf, PAGE_W - MARGIN, y - 4.5 * mm, END_MARK, 8, align="right")
                self.draw_footer(pdf)
            else:
                self.text(pdf, PAGE_W - MARGIN, BODY_BOTTOM - 5 * mm, CONTINUED, 8, align="right")
            pdf.showPage()
        pdf.save()
        return Rendered(out.getvalue(), total, tuple(self.overflow), tuple(numbers))


def render(content: CertificateContent, *, overflow_mode: str = TRUNCATE) -> Rendered:
    """The certificate as a PDF; :attr:`Rendered.overflow` lists items that did not fit (5.8)."""
    return _Renderer(content, overflow_mode).render()


# -- 文字超過リスト (5.8, 10.7) ------------------------------------------------------------------

OVERFLOW_LIST_TITLE = "文字超過リスト"
ACTION_TEXT = {"truncated": "途中まで印字", "blank": "空白で印字"}
_LIST_COLUMNS = (("宛名番号", 31 * mm), ("項目", 32 * mm), ("内容", 73 * mm), ("理由", 18 * mm), ("処理", 26 * mm))


def overflow_list_pdf(items: Sequence[Overflow], *, issued_on_text: str) -> bytes:
    """The 文字超過リスト: every item that overflowed on the certificates issued, with why
    (too long, or 外字 the font lacks) and what was printed, so a clerk can hand-write it."""
    chosen = font()
    ts = Typesetter(chosen.name)
    size = 8.0
    line_h = size * 1.4
    rows: list[tuple[list[list[str]], float]] = []
    for item in items:
        missing = ts.missing_chars(item.value)
        reason = "外字" if missing else "文字数超過"
        value = item.value + (f"（{GETA}：{'、'.join(f'U+{ord(ch):04X}' for ch in missing)}）" if missing else "")
        texts = (item.atena_no, item.label, value, reason, ACTION_TEXT.get(item.action, item.action))
        cells = [ts.wrap(text, width - 2 * PAD, size) for text, (_, width) in zip(texts, _LIST_COLUMNS, strict=True)]
        rows.append((cells, max(len(c) for c in cells) * line_h + 2 * PAD))
    top = PAGE_H - 32 * mm
    bottom = 20 * mm
    pages: list[list[tuple[list[list[str]], float]]] = [[]]
    used = 0.0
    for row in rows:
        if pages[-1] and used + row[1] > top - ROW - bottom:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += row[1]
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1)
    pdf.setTitle(OVERFLOW_LIST_TITLE)
    for number, page in enumerate(pages, start=1):
        pdf.setLineWidth(0.5)
        pdf.setFont(chosen.name, 16)
        pdf.drawCentredString(PAGE_W / 2, PAGE_H - 20 * mm, OVERFLOW_LIST_TITLE)
        pdf.setFont(chosen.name, 9)
        pdf.drawRightString(PAGE_W - MARGIN, PAGE_H - 27 * mm, f"{issued_on_text}　{len(items)}件")
        pdf.drawCentredString(PAGE_W / 2, 10 * mm, f"{number}/{len(pages)}")
        x = MARGIN
        for heading, width in _LIST_COLUMNS:
            pdf.setFillGray(SHADE)
            pdf.rect(x, top - ROW, width, ROW, stroke=1, fill=1)
            pdf.setFillGray(0)
            pdf.drawString(x + PAD, top - ROW / 2 - 9 * 0.36, heading)
            x += width
        y = top - ROW
        pdf.setFont(chosen.name, size)
        for cells, height in page:
            x = MARGIN
            for lines, (_, width) in zip(cells, _LIST_COLUMNS, strict=True):
                pdf.rect(x, y - height, width, height, stroke=1, fill=0)
                for index, line in enumerate(lines):
                    pdf.drawString(x + PAD, y - PAD - size * 0.9 - index * line_h, line)
                x += width
            y -= height
        if not items:
            pdf.drawString(MARGIN + PAD, top - ROW - 6 * mm, "文字溢れはありません。")
        pdf.showPage()
    pdf.save()
    return out.getvalue()
