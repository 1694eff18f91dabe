"""The notices of a movement (jumin.registry.notices) as PDF: A4 portrait, IPAmj明朝 (the
font of jumin.pdf_fonts, so every registered character prints), dates in 和暦.

Internal documents (確認用帳票, 職権記録書) carry the movement's facts and, while the movement
is provisional, a 「仮登録中」 mark on every page.  Notices to residents (受理通知, 職権記載等
通知書, 世帯主変更（依頼）通知書) start with the address block for a window envelope."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from jumin.pdf_fonts import FALLBACK_NOTE, font
from jumin.registry.notices import (
    Addressee,
    ConfirmationBody,
    ExOfficioNoticePage,
    ExOfficioRecordBody,
    HeadChangePage,
    MemberLine,
    MovementFacts,
    Notice,
    NoticeKind,
    PersonChanges,
    ReceiptBody,
    postcode_text,
)

WIDTH, HEIGHT = A4
MARGIN = 18 * mm
CONTENT = WIDTH - 2 * MARGIN
GRID = colors.Color(0.35, 0.35, 0.35)
LABEL_BG = colors.Color(0.93, 0.93, 0.93)
CHANGED_BG = colors.Color(1.0, 0.95, 0.80)
PROVISIONAL = "仮登録中（本登録前の内容です。この内容はまだ住民票に記録されていません）"


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


@dataclass(frozen=True)
class _Styles:
    font: str
    body: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    address: ParagraphStyle
    right: ParagraphStyle


def _styles(name: str) -> _Styles:
    body = ParagraphStyle("body", fontName=name, fontSize=10.5, leading=16, wordWrap="CJK")
    return _Styles(
        font=name,
        body=body,
        cell=ParagraphStyle("cell", parent=body, fontSize=9, leading=12),
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=12),
        title=ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=4 * mm),
        heading=ParagraphStyle("heading", parent=body, fontSize=11, leading=16, spaceBefore=3 * mm, spaceAfter=1 * mm),
        address=ParagraphStyle("address", parent=body, fontSize=11.5, leading=17),
        right=ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: a name may hold「&」or「<」); newlines kept."""
    return Paragraph(escape(text, quote=False).replace("\n", "<br/>"), style)


Style = list[tuple[Any, ...]]
"""TableStyle commands."""


def _table(
    rows: list[list[Flowable | str]], widths: list[float], extra: Style | None = None, *, header: bool = False
) -> Table:
    """A grid; with ``header`` its first row repeats on every page the table runs over."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                *(extra or []),
            ]
        )
    )
    return table


WIDE = frozenset({"留意事項", "職権で行う理由", "根拠法令", "記載等の内容", "世帯の住所"})


def _facts_table(s: _Styles, pairs: list[tuple[str, str]]) -> Table:
    """Label/value pairs, two per row; a long value (留意事項 …) gets a row of its own."""
    rows: list[list[Flowable | str]] = []
    extra: Style = [("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]
    pending: list[tuple[str, str]] = []

    def flush() -> None:
        if pending:
            row: list[Flowable | str] = []
            for label, value in pending:
                row += [_p(label, s.cell), _p(value, s.cell)]
            rows.append(row + [""] * (4 - len(row)))
            at = len(rows) - 1
            if len(pending) == 2:
                extra.append(("BACKGROUND", (2, at), (2, at), LABEL_BG))
            else:
                extra.append(("SPAN", (1, at), (3, at)))
            pending.clear()

    for label, value in pairs:
        if label in WIDE or len(value) > 24:
            flush()
            rows.append([_p(label, s.cell), _p(value, s.cell), "", ""])
            extra.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
        else:
            pending.append((label, value))
            if len(pending) == 2:
                flush()
    flush()
    widths = [28 * mm, CONTENT / 2 - 28 * mm, 28 * mm, CONTENT / 2 - 28 * mm]
    return _table(rows, widths, extra)


def _changes_table(s: _Styles, person: PersonChanges, *, only_changed: bool = False) -> Table:
    """項目 | 異動前 | 異動後, changed rows marked ＊ and shaded; a new person: 項目 | 内容."""
    if person.is_new:
        rows: list[list[Flowable | str]] = [[_p("項目", s.cell), _p("内容（新規）", s.cell)]]
        rows += [[_p(line.label, s.cell), _p(line.after, s.cell)] for line in person.lines if line.after]
        return _table(rows, [45 * mm, CONTENT - 45 * mm], [("BACKGROUND", (0, 0), (-1, 0), LABEL_BG)], header=True)
    lines = person.changed if only_changed else person.lines
    rows = [[_p("項目", s.cell), _p("異動前", s.cell), _p("異動後", s.cell)]]
    extra: Style = [("BACKGROUND", (0, 0), (-1, 0), LABEL_BG)]
    for line in lines:
        rows.append(
            [_p(("＊" if line.changed else "") + line.label, s.cell), _p(line.before, s.cell), _p(line.after, s.cell)]
        )
        if line.changed:
            extra.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), CHANGED_BG))
    if len(rows) == 1:
        rows.append([_p("（変更された項目はありません）", s.cell), "", ""])
        extra.append(("SPAN", (0, 1), (-1, 1)))
    width = (CONTENT - 40 * mm) / 2
    return _table(rows, [40 * mm, width, width], extra, header=True)


def _person_heading(s: _Styles, number: int, person: PersonChanges) -> Paragraph:
    state = "新規" if person.is_new else ("消除" if person.removed else "変更")
    return _p(f"{number}．{person.name}（宛名番号 {person.atena_no}）　生年月日 {person.birth}　【{state}】", s.heading)


def _seal_boxes(s: _Styles, labels: tuple[str, ...]) -> Table:
    """Empty boxes for seals or signatures (the system itself records no 決裁者, 4.0.8 X)."""
    rows = [[_p(label, s.cell) for label in labels], [""] * len(labels)]
    table = Table(rows, colWidths=[24 * mm] * len(labels), rowHeights=[6 * mm, 18 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _address_block(s: _Styles, addressee: Addressee, suffix: str = "") -> list[Flowable]:
    where = "\n".join(line for line in (postcode_text(addressee.postcode), addressee.address) if line)
    to = ParagraphStyle("to", parent=s.address, fontSize=13, leading=19)
    return [_p(where, s.address), Spacer(1, 3 * mm), _p(f"{addressee.name}　様{suffix}", to)]


def _sender(s: _Styles, facts: MovementFacts) -> list[Flowable]:
    return [_p(facts.issued_on, s.right), _p(f"{facts.municipality}長", s.right), Spacer(1, 4 * mm)]


def _contact(s: _Styles, facts: MovementFacts) -> Paragraph:
    return _p(f"お問い合わせ先：{facts.municipality}　{facts.office}", s.small)


def _appeal(s: _Styles, facts: MovementFacts) -> Paragraph:
    city = facts.municipality
    return _p(
        "（教示）この処分について不服があるときは、この通知を受けた日の翌日から起算して3か月以内に、"
        f"{city}長に対して審査請求をすることができます。また、この処分の取消しの訴えは、この処分があった"
        f"ことを知った日の翌日から起算して6か月以内に、{city}を被告として（訴訟において{city}を代表する者は"
        f"{city}長となります。）提起することができます。",
        s.small,
    )


# -- the notices -----------------------------------------------------------------------------------


def _date_pairs(facts: MovementFacts) -> list[tuple[str, str]]:
    pairs = [("異動日", facts.effective or "—")]
    if facts.initiation == "request":
        pairs.append(("申出日", facts.requested_on or "—"))
    elif facts.initiation == "notification":
        pairs.append(("届出日", facts.notified_on or "—"))
    else:
        pairs.append(("戸籍届出・通知日等", facts.notified_on or "—"))
    return pairs


def _confirmation(s: _Styles, notice: Notice) -> list[Flowable]:
    facts = notice.facts
    assert isinstance(notice.body, ConfirmationBody)
    pairs = [
        ("異動番号", facts.movement_no),
        ("状態", facts.state_label),
        ("異動の種類", facts.kind_label),
        ("異動事由", facts.reason_label),
        ("届出区分", facts.initiation_label),
        *_date_pairs(facts),
        ("処理日", facts.processed_on or "（本登録時）"),
        ("入力者", facts.entered_by),
        ("入力日時", facts.entered_at),
        ("入力場所・端末", f"{facts.place}　{facts.terminal}".strip()),
    ]
    if facts.notifier:
        pairs.append(("届出人", facts.notifier))
    if facts.remark:
        pairs.append(("留意事項", facts.remark))
    story: list[Flowable] = [_p(notice.title, s.title), _facts_table(s, pairs), Spacer(1, 2 * mm)]
    story.append(_p("＊印は、この異動で変わる項目です。", s.small))
    for number, person in enumerate(notice.body.persons, start=1):
        story += [_person_heading(s, number, person), _changes_table(s, person)]
    story += [
        Spacer(1, 6 * mm),
        KeepTogether(
            [
                _p("上記の内容を確認しました。", s.body),
                Spacer(1, 2 * mm),
                _seal_boxes(s, ("届出人等確認", "入力者", "審査者")),
            ]
        ),
    ]
    return story


def _receipt(s: _Styles, notice: Notice) -> list[Flowable]:
    facts = notice.facts
    body = notice.body
    assert isinstance(body, ReceiptBody)
    story = [*_sender(s, facts), *_address_block(s, body.addressee), Spacer(1, 10 * mm), _p(notice.title, s.title)]
    story.append(_p("次のとおり住民異動届を受理しましたので、通知します。", s.body))
    story.append(Spacer(1, 4 * mm))
    pairs = [
        ("届出の種類", body.notification),
        ("異動事由", facts.reason_label),
        ("届出日", facts.notified_on or "—"),
        ("異動日", facts.effective or "—"),
        ("届出人", facts.notifier or "（記録なし）"),
        ("受理番号", facts.movement_no),
    ]
    story.append(_facts_table(s, pairs))
    story.append(Spacer(1, 4 * mm))
    story.append(_p("異動者", s.heading))
    story.append(_members_table(s, body.movers, relationship=False))
    story += [
        Spacer(1, 8 * mm),
        _p("この届出にお心当たりのない場合は、お手数ですが、至急下記までご連絡ください。", s.body),
        Spacer(1, 2 * mm),
        _contact(s, facts),
    ]
    return story


def _members_table(s: _Styles, members: tuple[MemberLine, ...], *, relationship: bool = True) -> Table:
    head = ["", "氏名", "生年月日", *(["続柄"] if relationship else [])]
    rows: list[list[Flowable | str]] = [[_p(h, s.cell) for h in head]]
    for number, member in enumerate(members, start=1):
        row = [str(number), member.name, member.birth, *([member.relationship] if relationship else [])]
        rows.append([_p(v, s.cell) for v in row])
    widths = [10 * mm, 70 * mm, 50 * mm, *([CONTENT - 130 * mm] if relationship else [])]
    return _table(rows, widths, [("BACKGROUND", (0, 0), (-1, 0), LABEL_BG)], header=True)


def _ex_officio_record(s: _Styles, notice: Notice) -> list[Flowable]:
    facts = notice.facts
    body = notice.body
    assert isinstance(body, ExOfficioRecordBody)
    pairs = [
        ("異動番号", facts.movement_no),
        ("状態", facts.state_label),
        ("職権の種類", body.action),
        ("異動事由", facts.reason_label),
        ("届出区分", facts.initiation_label),
        ("異動の種類", facts.kind_label),
        *_date_pairs(facts),
        ("処理日", facts.processed_on or "（本登録時）"),
        ("入力者（起案者）", facts.entered_by),
        ("入力日時", facts.entered_at),
        ("入力場所・端末", f"{facts.place}　{facts.terminal}".strip()),
        ("職権で行う理由", body.grounds),
        ("根拠法令", body.basis),
    ]
    story: list[Flowable] = [_p(notice.title, s.title), _facts_table(s, pairs)]
    story.append(_p("対象者と記載等の内容（＊印は変わる項目）", s.heading))
    for number, person in enumerate(body.persons, start=1):
        story += [_person_heading(s, number, person), _changes_table(s, person, only_changed=True)]
    story += [
        Spacer(1, 6 * mm),
        KeepTogether(
            [
                _p(f"上記のとおり、職権により住民票の{body.action[2:]}を行う。", s.body),
                _p(f"{facts.municipality}長", s.right),
                Spacer(1, 3 * mm),
                _seal_boxes(s, ("起案", "審査", "決裁")),
            ]
        ),
    ]
    return story


def _what_was_done(page: ExOfficioNoticePage) -> str:
    person = page.person
    if person.is_new:
        return "住民票を記載しました。"
    if person.removed and any(line.label == "状態" and line.changed for line in person.lines):
        reason = next((line.after for line in person.lines if line.label == "消除事由"), "")
        return f"住民票を消除しました。{f'（{reason}）' if reason else ''}"
    changed = [f"{line.label}：{line.before or '（なし）'} → {line.after or '（なし）'}" for line in person.changed]
    return "\n".join(changed) or f"住民票を{page.done}しました。"


def _ex_officio_notice(s: _Styles, notice: Notice) -> list[Flowable]:
    facts = notice.facts
    assert isinstance(notice.body, tuple)
    story: list[Flowable] = []
    for index, page in enumerate(notice.body):
        assert isinstance(page, ExOfficioNoticePage)
        if index:
            story.append(PageBreak())
        story += [*_sender(s, facts), *_address_block(s, page.addressee), Spacer(1, 10 * mm)]
        story.append(_p(notice.title, s.title))
        story.append(
            _p(
                f"あなたの住民票について、住民基本台帳法施行令第12条の規定により、次のとおり職権で{page.done}"
                "しましたので通知します。",
                s.body,
            )
        )
        story.append(Spacer(1, 4 * mm))
        pairs = [
            ("氏名", page.person.name),
            ("生年月日", page.person.birth),
            ("職権の種類", page.action),
            ("異動事由", facts.reason_label),
            ("異動日", facts.effective or "—"),
            ("処理日", facts.processed_on),
            ("記載等の内容", _what_was_done(page)),
            ("根拠法令", page.basis),
        ]
        story.append(_facts_table(s, pairs))
        story.append(Spacer(1, 5 * mm))
        if page.notification_missing:
            story += [
                _p(
                    "住所や世帯に変更があったときは、変更があった日から14日以内に届出をしてください"
                    "（住民基本台帳法第22条から第25条まで）。",
                    s.small,
                ),
                Spacer(1, 2 * mm),
            ]
        story += [
            _appeal(s, facts),
            Spacer(1, 2 * mm),
            _contact(s, facts),
        ]
    return story


def _head_change(s: _Styles, notice: Notice) -> list[Flowable]:
    facts = notice.facts
    assert isinstance(notice.body, tuple)
    story: list[Flowable] = []
    for index, page in enumerate(notice.body):
        assert isinstance(page, HeadChangePage)
        if index:
            story.append(PageBreak())
        story += [*_sender(s, facts), *_address_block(s, page.addressee, "（世帯の皆様）"), Spacer(1, 10 * mm)]
        story.append(_p(page.title, s.title))
        if page.after_head and page.by_ex_officio:
            text = (
                f"{page.cause}により、住民基本台帳法施行令第12条の規定に基づき、職権で次のとおり世帯主を変更し"
                "ましたので通知します。"
            )
        elif page.after_head:
            text = f"{page.cause}により、次のとおり世帯主を変更しましたので通知します。"
        else:
            text = (
                f"{page.cause}により、この世帯の世帯主が不在となっています。世帯主となる方を定めて、変更が"
                "あった日から14日以内に世帯主変更の届出をしてください（住民基本台帳法第25条）。"
            )
        story += [_p(text, s.body), Spacer(1, 4 * mm)]
        pairs = [
            ("世帯の住所", f"{postcode_text(page.addressee.postcode)} {page.addressee.address}".strip()),
            ("変更前の世帯主", page.before_head or "（不在）"),
            ("変更後の世帯主", page.after_head or "（不在：届出が必要です）"),
            ("変更の日", facts.effective or "—"),
        ]
        story += [_facts_table(s, pairs), Spacer(1, 4 * mm), _p("対象者リスト（この世帯の方）", s.heading)]
        story.append(_members_table(s, page.members))
        if not page.after_head:
            story += [
                Spacer(1, 3 * mm),
                _p("届出の際は、この通知と窓口に来る方の本人確認書類をお持ちください。", s.small),
            ]
        if page.after_head and page.by_ex_officio:
            story += [Spacer(1, 3 * mm), _appeal(s, facts)]
        story += [Spacer(1, 3 * mm), _contact(s, facts)]
    return story


_LAYOUTS: dict[NoticeKind, Callable[[_Styles, Notice], list[Flowable]]] = {
    NoticeKind.CONFIRMATION: _confirmation,
    NoticeKind.RECEIPT: _receipt,
    NoticeKind.EX_OFFICIO_RECORD: _ex_officio_record,
    NoticeKind.EX_OFFICIO_NOTICE: _ex_officio_notice,
    NoticeKind.HEAD_CHANGE: _head_change,
}
_INTERNAL = frozenset({NoticeKind.CONFIRMATION, NoticeKind.EX_OFFICIO_RECORD})


def render(notice: Notice) -> RenderedPdf:
    """The notice as one PDF; ``pages`` for the print log."""
    chosen = font()
    s = _styles(chosen.name)
    facts = notice.facts
    internal = notice.kind in _INTERNAL

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(chosen.name, 8)
        if internal:
            canvas.drawString(MARGIN, HEIGHT - 12 * mm, f"{notice.title}　異動番号 {facts.movement_no}")
            canvas.drawRightString(WIDTH - MARGIN, HEIGHT - 12 * mm, f"作成日 {facts.issued_on}")
            if facts.provisional:
                canvas.setFillColor(colors.Color(0.75, 0.1, 0.1))
                canvas.setFont(chosen.name, 9.5)
                canvas.drawString(MARGIN, HEIGHT - 16.5 * mm, PROVISIONAL)
                canvas.setFillColor(colors.black)
                canvas.setFont(chosen.name, 8)
        canvas.drawCentredString(WIDTH / 2, 10 * mm, f"- {doc.page} -")
        canvas.drawRightString(WIDTH - MARGIN, 10 * mm, facts.municipality)
        if chosen.fallback:
            canvas.drawString(MARGIN, 6 * mm, FALLBACK_NOTE)
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=22 * mm if internal else 16 * mm,
        bottomMargin=18 * mm,
        title=notice.title,
        author=facts.municipality,
        subject=f"異動番号 {facts.movement_no}",
        pageCompression=1,
    )
    doc.build(_LAYOUTS[notice.kind](s, notice), onFirstPage=decorate, onLaterPages=decorate)
    return RenderedPdf(out.getvalue(), doc.page)
