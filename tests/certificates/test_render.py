"""The certificate PDF (spec 5.1–5.8): what is printed where, read back with pdfplumber.

Every content is built by hand (no database): the renderer only draws what it is given."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from itertools import pairwise
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
import segno
from PIL import Image

from jumin.certificates import content as c
from jumin.certificates.layout import BLANK, GETA, MIN_SIZE, TRUNCATE, Fitted, Typesetter, pack, rows_of
from jumin.certificates.render import (
    ALIAS_HEADING,
    DATA_QR_CAPTION,
    OVERFLOW_LIST_TITLE,
    QR_MASK,
    SEAL_SIDE,
    VERIFY_CAPTION,
    VERIFY_QR_SIDE,
    overflow_list_pdf,
    render,
)
from jumin.certificates.seal import grid, seal_png
from jumin.core.certificates import IssueNumber
from jumin.protection.pdf import font

RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "certificates"
ADDRESS = "埼玉県上尾市本町三丁目1番1号"
KATAGAKI = "上尾ハイツ101号室"
NOT_IN_FONT = "\U00020002"  # CJK Ext. B, not in IPAmj明朝: an unregistered 外字
SEAL_SIDE_MM = SEAL_SIDE * 25.4 / 72
VERIFY = "http://127.0.0.1:8000/verify/?n=20261126+%E4%B8%8A%E5%B0%BE%E5%B8%82&s=" + "A" * 86


def certifier(*, seal: bool = True) -> c.Certifier:
    return c.Certifier(
        "埼玉県",
        "上尾市長",
        "畠山　稔",
        seal_png("上尾市長之印") if seal else None,
        "この印は黒色です。" if seal else "公印省略",
    )


def number(serial: int = 11) -> IssueNumber:
    return IssueNumber(date(2026, 11, 26), "上尾市", "本庁1", "プリンタ001", serial)


def japanese(
    atena_no: str,
    name: str,
    relationship: str,
    birth: str,
    sex: str = "男",
    *,
    individual: bool = False,
    history: tuple[str, ...] = (),
    remarks: tuple[str, ...] = (),
    previous: str = "東京都千代田区霞が関二丁目1番2号",
) -> c.PersonBlock:
    fields = [
        c.Field("氏名", name),
        c.Field("生年月日", birth),
        c.Field("性別", sex),
        c.Field("続柄", relationship),
    ]
    if individual:
        fields.append(c.Field("世帯主", "𠮷田　太郎"))
    fields += [
        c.Field("住民となった年月日", "平成元年4月1日"),
        c.Field("住所を定めた年月日", "令和2年4月1日"),
        c.Field("届出日", "令和2年4月3日"),
        c.Field("転入前住所", previous),
        c.Field("本籍・筆頭者", "", omitted=True),
        c.Field("個人番号", "", omitted=True),
        c.Field("住民票コード", "", omitted=True),
    ]
    return c.PersonBlock(atena_no, tuple(fields), history=history, remarks=remarks)


def foreigner(atena_no: str = "000000000000009", *, alias_history: tuple[str, ...] = ()) -> c.PersonBlock:
    fields = (
        c.Field("氏名", "WANG XIAOMING"),
        c.Field("通称", "王　小明"),
        c.Field("生年月日", "1990年5月6日"),
        c.Field("性別", "男"),
        c.Field("続柄", "同居人"),
        c.Field("外国人住民となった年月日", "令和3年7月1日"),
        c.Field("住所を定めた年月日", "令和3年7月1日"),
        c.Field("届出日", "令和3年7月5日"),
        c.Field("転入前住所", "中華人民共和国"),
        c.Field("個人番号", "", omitted=True),
        c.Field("住民票コード", "", omitted=True),
        c.Field("国籍・地域", "中国"),
        c.Field("法第30条の45に規定する区分", "中長期在留者"),
        c.Field("在留資格", "技術・人文知識・国際業務"),
        c.Field("在留期間等", "5年"),
        c.Field("在留期間等の満了の日", "令和13年7月1日"),
        c.Field("在留カード等の番号", "AB12345678CD"),
    )
    return c.PersonBlock(atena_no, fields, alias_history=alias_history)


ALIAS_LINES = (
    "通称　王　記載　令和3年7月5日（上尾市）　削除　令和5年1月5日（上尾市）",
    "通称　王　小明　記載　令和5年1月5日（上尾市）",
)

FAMILY = (
    japanese("000000000000001", "𠮷田　太郎", "世帯主", "昭和50年1月2日"),
    japanese("000000000000002", "𠮷田　花子", "妻", "昭和52年3月4日", "女"),
    japanese("000000000000003", "𠮷田　一郎", "子", "平成17年5月6日"),
    japanese("000000000000004", "髙橋　次郎", "子", "平成19年7月8日"),
    foreigner("000000000000005", alias_history=ALIAS_LINES),
)


def document(
    persons: tuple[c.PersonBlock, ...],
    *,
    kind: str = c.COPY,
    layout: str = c.INDIVIDUAL,
    attestation: str = "この写しは、住民票の原本と相違ないことを証明する。",
    official_use: bool = False,
    verification: str = VERIFY,
    data_qr: str = "",
    extra: tuple[c.Field, ...] = (),
    katagaki: str = KATAGAKI,
    head_name: str = "𠮷田　太郎",
    seal: bool = True,
) -> c.CertificateContent:
    return c.CertificateContent(
        kind=kind,
        title=c.KIND_TITLES[kind],
        layout=layout,
        address=ADDRESS,
        katagaki=katagaki,
        head_name=head_name,
        persons=persons,
        attestation=attestation,
        issued_on=date(2026, 11, 26),
        issued_on_text="令和8年11月26日",
        certifier=certifier(seal=seal),
        issue_number=number(),
        official_use=official_use,
        verification=verification,
        data_qr=data_qr,
        extra=extra,
    )


def individual() -> c.CertificateContent:
    person = japanese(
        "000000000000001",
        "𠮷田　太郎",
        "世帯主",
        "昭和50年1月2日",
        individual=True,
        history=tuple(f"令和{n}年4月1日　転居　異動前住所　上尾市柏座{n}丁目{n}番{n}号　届出" for n in range(1, 4)),
        remarks=("令和2年4月3日　東京都千代田区から転入",),
    )
    return document((person,))


def household() -> c.CertificateContent:
    return document(
        FAMILY, layout=c.HOUSEHOLD, attestation="この写しは、世帯全員の住民票の原本と相違ないことを証明する。"
    )


def removed() -> c.CertificateContent:
    person = japanese(
        "000000000000006",
        "髙橋　三郎",
        "世帯主",
        "昭和10年1月1日",
        individual=True,
        remarks=("令和7年3月31日　死亡　届出　令和7年4月2日",),
    )
    return document(
        (person,), kind=c.REMOVED_COPY, attestation="この写しは、住民票の除票の原本と相違ないことを証明する。"
    )


def move_out() -> c.CertificateContent:
    persons = FAMILY[:2]
    data = "\n".join(
        ["転出証明書情報,1", f"{ADDRESS},{KATAGAKI},𠮷田　太郎", "東京都千代田区霞が関二丁目1番2号,令和8年12月10日"]
        + [f"{p.atena_no}," + ",".join(f.value for f in p.fields) for p in persons]
    )
    return document(
        persons,
        kind=c.MOVE_OUT,
        layout=c.HOUSEHOLD,
        attestation="上記のとおり転出の届出があったことを証明する。",
        data_qr=data,
        extra=(c.Field("転出先", "東京都千代田区霞が関二丁目1番2号"), c.Field("転出予定年月日", "令和8年12月10日")),
    )


def pages_text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def sp(text: str) -> str:
    """``text`` as pdfplumber reads it back: the ideographic space 「　」 becomes " "."""
    return text.replace("\u3000", " ")


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


# -- 5.1 items and their order ---------------------------------------------------------------


@pytest.mark.spec("5.1", partial=True)
def test_individual_prints_items_in_order_and_leaves_omitted_values_out() -> None:
    content = individual()
    person = content.persons[0]
    secret = "123456789012"
    fields = tuple(replace(f, value=secret) if f.label == "個人番号" else f for f in person.fields)
    content = replace(content, persons=(replace(person, fields=fields),))
    rendered = render(content)
    text = pages_text(rendered.pdf)[0]
    positions = [text.index(f.label) for f in person.fields]
    assert positions == sorted(positions)
    for item in person.fields:
        if not item.omitted:
            assert sp(f"{item.label} {item.value}") in text  # value beside its label
    assert sp("𠮷田　太郎") in text  # an MJ-only character prints and reads back
    assert secret not in text  # omitted: the label stays, the value never prints
    assert "個人番号" in lines_of(text) and "本籍・筆頭者" in lines_of(text)
    assert "異動履歴" in text and "上尾市柏座3丁目3番3号" in text
    assert text.index("異動履歴") > text.index("住民票コード") and "備考" in text
    assert sp("令和2年4月3日　東京都千代田区から転入") in text
    assert rendered.overflow == ()


@pytest.mark.spec("5.1", partial=True)
def test_household_of_five_takes_two_sheets_in_order() -> None:
    rendered = render(household())
    texts = pages_text(rendered.pdf)
    assert rendered.pages == 3  # two sheets and the 通称 別紙
    names = [sp(next(f.value for f in p.fields if f.label == "氏名")) for p in FAMILY]
    first, second = texts[0], texts[1]
    assert [first.index(n) for n in names[:4]] == sorted(first.index(n) for n in names[:4])
    assert names[4] not in first and names[4] in second
    assert all(n not in second for n in names[1:4]) and second.count(names[0]) == 1  # 世帯主 in the header
    for text in texts[:2]:
        assert sp("世帯主 𠮷田　太郎") in text and f"住所 {ADDRESS}" in text and f"方書 {KATAGAKI}" in text
    assert "在留資格 技術・人文知識・国際業務" in second  # a foreign resident's band
    assert sp("髙橋　次郎") in first


@pytest.mark.spec("5.1", partial=True)
def test_household_one_sheet_keeps_each_persons_items_in_the_same_order() -> None:
    rendered = render(document(FAMILY[:4], layout=c.HOUSEHOLD))
    assert rendered.pages == 1
    with pdfplumber.open(io.BytesIO(rendered.pdf)) as doc:
        words = doc.pages[0].extract_words()
    tops = {w["text"]: w["top"] for w in words}
    labels = [tops_of(words, "氏名"), tops_of(words, "生年月日"), tops_of(words, "転入前住所")]
    assert all(len(found) == 4 for found in labels)  # one band per person
    assert all(n < b < p for n, b, p in zip(*labels, strict=True))  # the same order in every band
    assert tops["太郎"] < tops["花子"] < tops["一郎"] < tops["次郎"]


def tops_of(words: list[dict[str, object]], text: str) -> list[float]:
    return sorted(float(str(w["top"])) for w in words if w["text"] == text)


@pytest.mark.spec("5.1", partial=True)
def test_attestation_only_on_the_last_page_after_the_alias_sheet() -> None:
    content = household()
    rendered = render(content)
    texts = pages_text(rendered.pdf)
    assert sp(ALIAS_HEADING) not in texts[0] + texts[1]
    assert sp(ALIAS_HEADING) in texts[2] and all(sp(line) in texts[2] for line in ALIAS_LINES)
    for text in texts[:-1]:
        assert content.attestation not in text and "畠山" not in text and "次頁に続く" in text
    last = texts[-1]
    assert content.attestation in last and "令和8年11月26日" in last
    assert sp("埼玉県上尾市長　畠山　稔") in last  # the prefecture with the title (5.6)


@pytest.mark.spec("5.1", partial=True)
def test_no_alias_sheet_when_no_person_has_alias_history() -> None:
    rendered = render(document(FAMILY[:4], layout=c.HOUSEHOLD))
    text = pages_text(rendered.pdf)[0]
    assert sp(ALIAS_HEADING) not in text and "この写しは" in text and "以下余白" in text


def test_individual_sheets_start_a_page_per_person_and_flow_long_history() -> None:
    long_history = tuple(f"令和{n}年1月1日　転居　上尾市本町{n}丁目　届出" for n in range(1, 41))
    persons = (replace(individual().persons[0], history=long_history), foreigner())
    rendered = render(document(persons))
    texts = pages_text(rendered.pdf)
    assert rendered.pages == 3
    assert sp("𠮷田　太郎") in texts[0] and "令和40年1月1日" in texts[1] and "WANG XIAOMING" in texts[2]
    assert "WANG XIAOMING" not in texts[1]
    positions = [texts[0].index(f"令和{n}年1月1日") for n in range(1, 5)]
    assert positions == sorted(positions)


@pytest.mark.spec("5.1", partial=True)
def test_household_remarks_are_printed_and_a_crowded_sheet_is_split_in_order() -> None:
    notes = tuple(f"備考{n:02d}　令和{n}年1月1日　職権記載" for n in range(1, 16))
    persons = tuple(
        replace(japanese(f"00000000000002{i}", f"上尾　{name}", "子", "平成1年1月1日"), remarks=notes)
        for i, name in enumerate(("一郎", "二郎", "三郎", "四郎", "五郎"))
    )
    rendered = render(document(persons, layout=c.HOUSEHOLD))
    texts = pages_text(rendered.pdf)
    assert rendered.pages > 2  # four bands with fifteen 備考 lines each do not fit one sheet
    order = [
        (page, name)
        for page, text in enumerate(texts)
        for name in ("一郎", "二郎", "三郎", "四郎", "五郎")
        if name in text
    ]
    assert [name for _, name in order] == ["一郎", "二郎", "三郎", "四郎", "五郎"]  # each once, in order
    assert all(sum(p == page for p, _ in order) <= 4 for page in range(len(texts)))
    assert all(text.count("備考15") == sum(p == page for p, _ in order) for page, text in enumerate(texts))
    assert rendered.overflow == ()


def test_a_form_without_persons_or_attestation_still_has_its_frame() -> None:
    content = replace(
        document((), kind=c.RESIDENT_CODE_NOTICE, attestation=""), title=c.KIND_TITLES[c.RESIDENT_CODE_NOTICE]
    )
    rendered = render(content)
    (text,) = pages_text(rendered.pdf)
    assert rendered.pages == 1 and "住民票コード通知票" in text and f"住所 {ADDRESS}" in text
    assert sp("埼玉県上尾市長　畠山　稔") in text and "証明する" not in text


# -- 5.4 方書 / 5.5 発行番号 / 5.7 公用 -----------------------------------------------------------


@pytest.mark.spec("5.4", partial=True)
def test_katagaki_is_always_printed() -> None:
    text = pages_text(render(household()).pdf)[0]
    assert f"方書 {KATAGAKI}" in text
    empty = pages_text(render(document(FAMILY[:1], katagaki="", head_name="")).pdf)[0]
    assert "方書" in lines_of(empty)  # the row is there even when the household has none


@pytest.mark.spec("5.5", partial=True)
def test_issue_number_with_page_part_on_every_page() -> None:
    rendered = render(household())
    texts = pages_text(rendered.pdf)
    expected = tuple(f"20261126 上尾市 本庁1 プリンタ001 011 {p}/3" for p in (1, 2, 3))
    assert rendered.page_numbers == expected
    for text, printed in zip(texts, expected, strict=True):
        assert printed in text
        assert sum(n in text for n in expected) == 1


@pytest.mark.spec("5.7", partial=True)
def test_official_use_is_marked_on_every_page() -> None:
    texts = pages_text(render(replace(household(), official_use=True)).pdf)
    assert all("公用" in text for text in texts)
    assert all("公用" not in text for text in pages_text(render(household()).pdf))


# -- 5.6 seal -------------------------------------------------------------------------------


def ink(pdf: bytes, page: int, box_mm: tuple[float, float, float, float], scale: float = 4.0) -> Image.Image:
    """The page rendered in grey, cropped to ``box_mm`` (x, y from the bottom-left, w, h)."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[page].render(scale=scale * 25.4 / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    x, y, w, h = box_mm
    height = image.height / scale
    return image.crop(
        (round(x * scale), round((height - y - h) * scale), round((x + w) * scale), round((height - y) * scale))
    )


def dark_share(image: Image.Image) -> float:
    pixels = image.get_flattened_data()
    return sum(p < 128 for p in pixels) / len(pixels)


@pytest.mark.spec("5.6", partial=True)
def test_seal_is_drawn_within_25mm_next_to_the_name_on_the_last_page_only() -> None:
    rendered = render(household())
    seal_box = (210 - 15 - SEAL_SIDE_MM, 27, SEAL_SIDE_MM, 21)  # right of the 認証者
    assert SEAL_SIDE_MM <= 25
    assert dark_share(ink(rendered.pdf, 2, seal_box)) > 0.1
    assert dark_share(ink(rendered.pdf, 0, seal_box)) == 0  # not on the other pages
    assert "この印は黒色です。" in pages_text(rendered.pdf)[-1]
    without = render(document(FAMILY[:1], seal=False))
    assert dark_share(ink(without.pdf, 0, seal_box)) == 0
    assert "公印省略" in pages_text(without.pdf)[0]


def test_seal_png_is_square_black_and_transparent() -> None:
    image = Image.open(io.BytesIO(seal_png("上尾市長之印", 200))).convert("RGBA")
    assert image.size == (200, 200)
    colours = {pixel[:3] for pixel in image.get_flattened_data() if pixel[3] > 200}
    assert colours == {(0, 0, 0)}
    assert image.getpixel((1, 1))[3] == 255 and sum(p[3] == 0 for p in image.get_flattened_data()) > 200 * 200 // 3
    assert grid(6) == (2, 3) and grid(4) == (2, 2) and grid(10) == (3, 4) and grid(1) == (1, 1)
    with pytest.raises(ValueError, match="at least one"):
        grid(0)


# -- 5.8 文字溢れ -------------------------------------------------------------------------------


def overflowing() -> c.CertificateContent:
    person = japanese(
        "000000000000007",
        f"山{NOT_IN_FONT}　花子",
        "世帯主",
        "昭和60年1月1日",
        individual=True,
        previous="北海道" + "あいうえおかきくけこさしすせそたちつてと" * 6 + "最後の番地",
    )
    return document((person,))


@pytest.mark.spec("5.8", partial=True)
def test_overflow_truncates_and_reports() -> None:
    rendered = render(overflowing(), overflow_mode=TRUNCATE)
    text = pages_text(rendered.pdf)[0]
    by_label = {o.label: o for o in rendered.overflow}
    assert set(by_label) == {"氏名", "転入前住所"}
    assert all(o.action == "truncated" and o.atena_no == "000000000000007" for o in rendered.overflow)
    assert by_label["転入前住所"].value.endswith("最後の番地")  # the list gets the whole value
    assert "北海道あいうえお" in text and "最後の番地" not in text  # printed to the limit
    assert sp(f"山{GETA}　花子") in text  # the missing 外字 shows as 〓


@pytest.mark.spec("5.8", partial=True)
def test_overflow_blank_prints_nothing_and_reports() -> None:
    rendered = render(overflowing(), overflow_mode=BLANK)
    text = pages_text(rendered.pdf)[0]
    assert {(o.label, o.action) for o in rendered.overflow} == {("氏名", "blank"), ("転入前住所", "blank")}
    assert "北海道" not in text and "花子" not in text
    assert "転入前住所" in text and "昭和60年1月1日" in text


@pytest.mark.spec("5.8", partial=True)
def test_household_overflow_names_the_person() -> None:
    long = japanese("000000000000008", "長谷川　一", "子", "平成1年1月1日", previous="長" * 200)
    rendered = render(document((*FAMILY[:2], long), layout=c.HOUSEHOLD))
    assert [(o.atena_no, o.label) for o in rendered.overflow] == [("000000000000008", "転入前住所")]


@pytest.mark.spec("5.8", partial=True)
def test_overflow_list_pdf_lists_every_item() -> None:
    items = render(overflowing()).overflow
    pdf = overflow_list_pdf(items, issued_on_text="令和8年11月26日")
    (text,) = pages_text(pdf)
    assert OVERFLOW_LIST_TITLE in text and "2件" in text
    assert "000000000000007" in text and "転入前住所" in text and "最後の番地" in text
    assert "外字" in text and "文字数超過" in text and "途中まで印字" in text
    assert "U+20002" in text  # the clerk sees which character is missing
    many = overflow_list_pdf(list(items) * 40, issued_on_text="令和8年11月26日")
    texts = pages_text(many)
    assert len(texts) > 1 and f"1/{len(texts)}" in texts[0]
    assert "文字溢れはありません" in pages_text(overflow_list_pdf([], issued_on_text="令和8年11月26日"))[0]


def test_unknown_overflow_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="overflow mode"):
        render(individual(), overflow_mode="squeeze")


def test_typesetter_shrinks_then_cuts() -> None:
    ts = Typesetter(font().name)
    width = ts.width("あいうえお", 10)
    assert ts.fit("あいうえお", width, 10, mode=TRUNCATE).size == 10
    shrunk = ts.fit("あいうえおかきく", width, 10, mode=TRUNCATE)
    assert MIN_SIZE <= shrunk.size < 10 and shrunk.text == "あいうえおかきく" and not shrunk.overflow
    cut = ts.fit("あ" * 40, width, 10, mode=TRUNCATE)
    assert cut.overflow and cut.size == MIN_SIZE and 0 < len(cut.text) < 40
    assert ts.width(cut.text, MIN_SIZE) <= width
    # an 異体字 selector cannot be applied: the base character prints, flagged
    assert ts.fit("辻\U000e0100", width, 10, mode=TRUNCATE) == Fitted("辻", 10, overflow=True)
    assert ts.fit("", width, 10, mode=BLANK).text == ""
    with pytest.raises(ValueError, match="overflow mode"):
        ts.fit("あ", width, 10, mode="x")


def test_wrap_keeps_closing_punctuation_on_the_line() -> None:
    ts = Typesetter(font().name)
    width = ts.width("あいう", 10)
    assert ts.wrap("あいう。えお", width, 10) == ["あいう。", "えお"]
    assert ts.wrap("あい\nう", width, 10) == ["あい", "う"]


def test_pack_keeps_order_and_breaks_rows() -> None:
    slots = pack([3, 1, 1, 2, 1, 3], 3)
    assert [(s.row, s.col) for s in slots] == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 2), (3, 0)]
    assert rows_of(slots) == 4 and rows_of([]) == 0
    with pytest.raises(ValueError, match="span"):
        pack([4], 3)


# -- QR codes -------------------------------------------------------------------------------


def printed_qr(pdf: bytes, page: int, x_mm: float, y_mm: float, side_mm: float, cells: int) -> list[list[int]]:
    """Read the QR modules back from the rendered page (dark = 1), sampling module centres."""
    scale = 8.0
    image = ink(pdf, page, (x_mm, y_mm, side_mm, side_mm), scale)
    unit = image.width / cells
    return [
        [int(image.getpixel((int((c + 0.5) * unit), int((r + 0.5) * unit))) < 128) for c in range(cells)]
        for r in range(cells)
    ]


def test_verification_qr_on_the_last_page_prints_exactly_the_code() -> None:
    rendered = render(household())
    assert [VERIFY_CAPTION in text for text in pages_text(rendered.pdf)] == [False, False, True]
    expected = [list(row) for row in segno.make(VERIFY, error="m", micro=False, mask=QR_MASK).matrix]
    side = VERIFY_QR_SIDE * 25.4 / 72
    assert printed_qr(rendered.pdf, 2, 15, 13, side, len(expected)) == expected
    assert dark_share(ink(rendered.pdf, 0, (15, 13, side, side))) == 0
    none = render(replace(household(), verification=""))
    assert VERIFY_CAPTION not in pages_text(none.pdf)[-1]
    assert dark_share(ink(none.pdf, 2, (15, 13, side, side))) == 0


def test_move_out_certificate_has_extra_items_and_data_qr_on_the_first_page() -> None:
    rendered = render(move_out())
    texts = pages_text(rendered.pdf)
    assert rendered.pages == 1
    assert "転出証明書" in texts[0] and DATA_QR_CAPTION in texts[0]
    assert "転出先 東京都千代田区霞が関二丁目1番2号" in texts[0] and "転出予定年月日 令和8年12月10日" in texts[0]
    expected = [list(row) for row in segno.make(move_out().data_qr, error="m", micro=False, mask=QR_MASK).matrix]
    assert printed_qr(rendered.pdf, 0, 210 - 15 - 40, 297 - 28 - 40, 40, len(expected)) == expected
    too_big = render(replace(move_out(), data_qr="あ" * 4000))
    assert "QRコードに収まりません" in pages_text(too_big.pdf)[0]


# -- for humans ----------------------------------------------------------------------------


def test_samples_render_to_png_for_review() -> None:
    """Every page of one sample of each form as PNG in test-results/certificates/ (to look at)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    samples = {
        "individual": individual(),
        "household": household(),
        "removed": removed(),
        "move_out": move_out(),
        "overflow": overflowing(),
        "official": replace(document(FAMILY[:1], seal=False), official_use=True),
    }
    written = []
    for name, content in samples.items():
        rendered = render(content)
        doc = pypdfium2.PdfDocument(rendered.pdf)
        try:
            assert len(doc) == rendered.pages
            for index in range(len(doc)):
                path = RESULTS / f"{name}-{index + 1}.png"
                doc[index].render(scale=1.5).to_pil().save(path)
                written.append(path)
        finally:
            doc.close()
        (RESULTS / f"{name}.pdf").write_bytes(rendered.pdf)
    overflow = overflow_list_pdf(render(overflowing()).overflow, issued_on_text="令和8年11月26日")
    (RESULTS / "overflow-list.pdf").write_bytes(overflow)
    assert all(p.stat().st_size > 10_000 for p in written)


def _bands(pdf: bytes, page: int) -> list[dict[str, tuple[float, float]]]:
    """Every member's band on a page: each label's place relative to the band's 氏名 label."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = doc.pages[page].extract_words()
    anchors = sorted((w for w in words if w["text"] == "氏名"), key=lambda w: float(w["top"]))
    bands: list[dict[str, tuple[float, float]]] = []
    for index, anchor in enumerate(anchors):
        top = float(anchor["top"])
        bottom = float(anchors[index + 1]["top"]) if index + 1 < len(anchors) else 10_000.0
        labels = {
            str(w["text"]): (round(float(w["x0"]), 1), round(float(w["top"]) - top, 1))
            for w in words
            if top <= float(w["top"]) < bottom and w["text"] in LABELS
        }
        bands.append(labels)
    return bands


LABELS = {"氏名", "生年月日", "性別", "続柄", "転入前住所", "国籍・地域", "在留資格", "備考"}


@pytest.mark.spec("5.1", partial=True)
def test_household_is_a_fixed_form_whose_cells_do_not_move_between_members() -> None:
    """世帯連記式 (issue 17): however long a member's values, however many 備考 lines, a
    Japanese and a foreign member alike, every member's band has the same cells in the same
    places and the same height, on every sheet."""
    long = japanese("000000000000008", "長谷川　一", "子", "平成1年1月1日", previous="長" * 40)
    noted = replace(FAMILY[2], remarks=("令和2年4月3日　職権記載　" + "備考" * 30,))
    persons = (FAMILY[0], long, noted, FAMILY[4], FAMILY[1])
    rendered = render(document(persons, layout=c.HOUSEHOLD))
    bands = _bands(rendered.pdf, 0) + _bands(rendered.pdf, 1)
    assert len(bands) == 5
    assert all(band == bands[0] for band in bands), bands
    assert {"国籍・地域", "在留資格", "転入前住所", "備考"} <= set(bands[0])  # one form for everyone
    with pdfplumber.open(io.BytesIO(rendered.pdf)) as doc:
        first = sorted(float(w["top"]) for w in doc.pages[0].extract_words() if w["text"] == "氏名")
        second = sorted(float(w["top"]) for w in doc.pages[1].extract_words() if w["text"] == "氏名")
    steps = {round(b - a, 1) for a, b in pairwise(first)}
    assert len(steps) == 1  # every band has the same height
    assert round(second[0], 1) == round(first[0], 1)  # the next sheet starts the same way
