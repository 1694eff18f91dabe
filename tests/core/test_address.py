"""番地 parsing, 丁目 ↔ 漢数字 and postcodes (spec 1.3.2, 1.1.17): tables and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.address import (
    MAX_CHOME,
    MAX_LOT_PARTS,
    MAX_NUMBER,
    Banchi,
    BanchiKind,
    chome_text,
    format_postcode,
    full_address,
    int_to_kanji,
    kanji_to_int,
    normalize_postcode,
    parse_banchi,
    parse_chome,
    read_address_query,
    street_address,
)
from jumin.core.errors import DomainError

RES = BanchiKind.RESIDENTIAL
LOT = BanchiKind.LOT

# (typed, kind from the context, expected canonical text, kind, numbers, 丁目)
PARSED = [
    # 住居表示
    ("2番1号", None, "2番1号", RES, (2, 1), None),
    ("2番", None, "2番", RES, (2,), None),
    ("2番1", None, "2番1号", RES, (2, 1), None),
    ("3丁目2番1号", None, "三丁目2番1号", RES, (2, 1), 3),
    ("三丁目2番1号", None, "三丁目2番1号", RES, (2, 1), 3),
    ("十二丁目5番", None, "十二丁目5番", RES, (5,), 12),
    ("３丁目２番１号", None, "三丁目2番1号", RES, (2, 1), 3),
    ("３丁目　２番　１号", None, "三丁目2番1号", RES, (2, 1), 3),
    ("2-1号", None, "2番1号", RES, (2, 1), None),
    ("2-1", RES, "2番1号", RES, (2, 1), None),
    ("２－１", RES, "2番1号", RES, (2, 1), None),
    ("2ー1", RES, "2番1号", RES, (2, 1), None),
    ("2−1", RES, "2番1号", RES, (2, 1), None),
    ("2‐1", RES, "2番1号", RES, (2, 1), None),
    ("2の1", RES, "2番1号", RES, (2, 1), None),
    ("3-2-1", RES, "三丁目2番1号", RES, (2, 1), 3),
    ("三丁目2-1", RES, "三丁目2番1号", RES, (2, 1), 3),
    ("2", RES, "2番", RES, (2,), None),
    ("02番010号", None, "2番10号", RES, (2, 10), None),
    # an explicit marker wins over the context
    ("2番1号", LOT, "2番1号", RES, (2, 1), None),
    ("1234番地5", RES, "1234番地5", LOT, (1234, 5), None),
    # 地番
    ("1234番地", None, "1234番地", LOT, (1234,), None),
    ("1234番地5", None, "1234番地5", LOT, (1234, 5), None),
    ("1234番地の5", None, "1234番地5", LOT, (1234, 5), None),
    ("1234番地ノ5", None, "1234番地5", LOT, (1234, 5), None),
    ("1234番地-5", None, "1234番地5", LOT, (1234, 5), None),
    ("1234番地5の2", None, "1234番地5の2", LOT, (1234, 5, 2), None),
    ("1234番地5-2", None, "1234番地5の2", LOT, (1234, 5, 2), None),
    ("１２３４番地５", None, "1234番地5", LOT, (1234, 5), None),
    ("1234-5", LOT, "1234番地5", LOT, (1234, 5), None),
    ("1234の5", LOT, "1234番地5", LOT, (1234, 5), None),
    ("1234-5-2", LOT, "1234番地5の2", LOT, (1234, 5, 2), None),
    ("1234", LOT, "1234番地", LOT, (1234,), None),
    ("1234番5", LOT, "1234番地5", LOT, (1234, 5), None),
    ("1234番", LOT, "1234番地", LOT, (1234,), None),
    ("3丁目1234番地", None, "三丁目1234番地", LOT, (1234,), 3),
    ("1-2-3-4", LOT, "1番地2の3の4", LOT, (1, 2, 3, 4), None),
]


@pytest.mark.spec("1.3.2", partial=True)
@pytest.mark.parametrize(("typed", "context", "text", "kind", "numbers", "chome"), PARSED)
def test_typed_forms(
    typed: str, context: BanchiKind | None, text: str, kind: BanchiKind, numbers: tuple[int, ...], chome: int | None
) -> None:
    banchi = parse_banchi(typed, kind=context)
    assert banchi == Banchi(kind, numbers, chome)
    assert banchi.text == str(banchi) == text


@pytest.mark.parametrize(
    ("typed", "context", "code"),
    [
        ("", None, "banchi.empty"),
        ("　", None, "banchi.empty"),
        ("2-1", None, "banchi.kind_unknown"),
        ("1234", None, "banchi.kind_unknown"),
        ("1234の5", None, "banchi.kind_unknown"),
        ("三丁目2-1", None, "banchi.kind_unknown"),
        ("2番地1号", None, "banchi.bad_format"),
        ("東町", None, "banchi.bad_format"),
        ("三丁目", None, "banchi.bad_format"),
        ("2--1", RES, "banchi.bad_format"),
        ("-2", RES, "banchi.bad_format"),
        ("2番1号の3", None, "banchi.bad_format"),
        ("1-2-3-4", RES, "banchi.too_many_parts"),
        ("3丁目2-1-5", RES, "banchi.too_many_parts"),
        ("2番1-3", RES, "banchi.too_many_parts"),
        ("1-2-3-4-5", LOT, "banchi.too_many_parts"),
        ("0番1号", None, "banchi.out_of_range"),
        ("1234番地0", None, "banchi.out_of_range"),
        ("1000000番地", None, "banchi.out_of_range"),
        ("0丁目2番1号", None, "chome.out_of_range"),
        ("千丁目2番", None, "banchi.bad_format"),
        ("十十丁目2番", None, "kanji_number.bad_format"),
    ],
)
def test_refused_forms(typed: str, context: BanchiKind | None, code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_banchi(typed, kind=context)
    assert info.value.code == code


@pytest.mark.spec("1.3.2", partial=True)
def test_numeric_sort_order() -> None:
    typed = ["2番10号", "2番9号", "2番", "10番1号", "1番2号", "三丁目1番1号", "二丁目15番3号", "2番1号"]
    ordered = sorted((parse_banchi(t) for t in typed), key=lambda b: b.sort_key)
    assert [b.text for b in ordered] == [
        "1番2号",
        "2番",
        "2番1号",
        "2番9号",
        "2番10号",
        "10番1号",
        "二丁目15番3号",
        "三丁目1番1号",
    ]
    lots = [parse_banchi(t) for t in ["1234番地10", "1234番地", "1234番地5の2", "1234番地5", "999番地"]]
    assert [b.text for b in sorted(lots, key=lambda b: b.sort_text)] == [
        "999番地",
        "1234番地",
        "1234番地5",
        "1234番地5の2",
        "1234番地10",
    ]


def test_sort_text_is_fixed_width_digits() -> None:
    banchi = parse_banchi("3丁目2番10号")
    assert banchi.sort_key == (3, 0, 2, 10)
    assert banchi.sort_text == "003" + "0" + "000002" + "000010"
    assert parse_banchi("1234番地5").sort_text == "000" + "1" + "001234" + "000005"
    assert parse_banchi("2番1号").sort_text.startswith(parse_banchi("2番").sort_text)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(DomainError) as info:
        Banchi(RES, ())
    assert info.value.code == "banchi.too_many_parts"
    with pytest.raises(DomainError) as info:
        Banchi(LOT, (1,), chome=MAX_CHOME + 1)
    assert info.value.code == "chome.out_of_range"
    assert Banchi(LOT, (1, 2, 3, 4)).text == "1番地2の3の4"


# -- properties -----------------------------------------------------------------------------

NUMBERS = st.integers(min_value=1, max_value=MAX_NUMBER)
CHOME = st.none() | st.integers(min_value=1, max_value=MAX_CHOME)
BANCHI = st.one_of(
    st.builds(Banchi, st.just(RES), st.lists(NUMBERS, min_size=1, max_size=2).map(tuple), CHOME),
    st.builds(Banchi, st.just(LOT), st.lists(NUMBERS, min_size=1, max_size=MAX_LOT_PARTS).map(tuple), CHOME),
)
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@given(BANCHI)
def test_canonical_text_round_trips(banchi: Banchi) -> None:
    assert parse_banchi(banchi.text) == banchi
    assert parse_banchi(banchi.text.translate(FULL_WIDTH)) == banchi
    if "号" in banchi.text or "番地" in banchi.text:  # an explicit marker wins over the context
        assert parse_banchi(banchi.text, kind=LOT if banchi.kind is RES else RES) == banchi


@given(BANCHI)
def test_hyphen_form_round_trips_with_the_kind_of_the_town(banchi: Banchi) -> None:
    prefix = "" if banchi.chome is None else f"{banchi.chome}丁目"
    typed = prefix + "-".join(str(n) for n in banchi.numbers)
    assert parse_banchi(typed, kind=banchi.kind) == banchi


@given(st.lists(BANCHI, min_size=2, max_size=8))
def test_sort_text_orders_like_sort_key(values: list[Banchi]) -> None:
    assert [b.sort_key for b in sorted(values, key=lambda b: b.sort_text)] == sorted(b.sort_key for b in values)


@given(BANCHI, BANCHI)
def test_sort_text_prefix_means_more_detailed_address(a: Banchi, b: Banchi) -> None:
    if b.sort_text.startswith(a.sort_text):
        assert (a.chome, a.kind) == (b.chome, b.kind)
        assert b.numbers[: len(a.numbers)] == a.numbers


# -- 丁目 and 漢数字 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "kanji"),
    [
        (1, "一"),
        (3, "三"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (23, "二十三"),
        (100, "百"),
        (105, "百五"),
        (110, "百十"),
        (210, "二百十"),
        (999, "九百九十九"),
    ],
)
def test_kanji_numbers(number: int, kanji: str) -> None:
    assert int_to_kanji(number) == kanji
    assert kanji_to_int(kanji) == number


@pytest.mark.parametrize(
    ("text", "number"), [("二三", 23), ("一〇", 10), ("〇三", 3), ("一十", 10), ("十〇", 10), ("一百二", 102)]
)
def test_other_kanji_spellings(text: str, number: int) -> None:
    assert kanji_to_int(text) == number


@pytest.mark.parametrize("text", ["", "三a", "十十", "十百", "二三十", "〇十", "千"])
def test_bad_kanji_numbers(text: str) -> None:
    with pytest.raises(DomainError) as info:
        kanji_to_int(text)
    assert info.value.code == "kanji_number.bad_format"


@pytest.mark.parametrize("number", [0, 1000, -1])
def test_kanji_range(number: int) -> None:
    with pytest.raises(DomainError) as info:
        int_to_kanji(number)
    assert info.value.code == "kanji_number.out_of_range"


@given(st.integers(min_value=1, max_value=MAX_CHOME))
def test_kanji_round_trip(number: int) -> None:
    assert kanji_to_int(int_to_kanji(number)) == number
    assert kanji_to_int("".join("〇一二三四五六七八九"[int(d)] for d in str(number))) == number
    assert parse_chome(chome_text(number)) == number


@pytest.mark.parametrize(("text", "number"), [("三丁目", 3), ("三", 3), ("3丁目", 3), ("３", 3), ("十二丁目", 12)])
def test_parse_chome(text: str, number: int) -> None:
    assert parse_chome(text) == number


@pytest.mark.parametrize(("text", "code"), [("", "chome.empty"), ("丁目", "chome.empty"), ("0", "chome.out_of_range")])
def test_bad_chome(text: str, code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_chome(text)
    assert info.value.code == code


def test_chome_text() -> None:
    assert chome_text(1) == "一丁目"
    assert chome_text(3) == "三丁目"
    with pytest.raises(DomainError):
        chome_text(0)


# -- 郵便番号 ---------------------------------------------------------------------------------


@pytest.mark.spec("1.1.17", partial=True)
@pytest.mark.parametrize("typed", ["3620031", "362-0031", "〒362-0031", "３６２－００３１", "362 0031", "362ー0031"])
def test_postcode_input(typed: str) -> None:
    assert normalize_postcode(typed) == "3620031"
    assert format_postcode(normalize_postcode(typed)) == "362-0031"


@pytest.mark.parametrize("typed", ["", "362003", "36200311", "362-003a", "三六二〇〇三一"])
def test_bad_postcodes(typed: str) -> None:
    with pytest.raises(DomainError) as info:
        normalize_postcode(typed)
    assert info.value.code == "postcode.bad_format"


@pytest.mark.spec("1.1.1")
@pytest.mark.parametrize(
    ("address", "banchi", "expected"),
    [
        ("埼玉県上尾市平塚三丁目", "2番1号", "埼玉県上尾市平塚三丁目2番1号"),
        ("埼玉県上尾市平塚三丁目", "", "埼玉県上尾市平塚三丁目"),
        ("埼玉県上尾市平塚三丁目2番1号", "2番1号", "埼玉県上尾市平塚三丁目2番1号"),  # never doubled
        (" 埼玉県上尾市平塚 ", " 1234番地5 ", "埼玉県上尾市平塚1234番地5"),
        ("", "", ""),
    ],
)
def test_street_address(address: str, banchi: str, expected: str) -> None:
    assert street_address(address, banchi) == expected


@pytest.mark.spec("1.1.1", "5.4")
@pytest.mark.parametrize(
    ("address", "banchi", "katagaki", "expected"),
    [
        (
            "埼玉県上尾市平塚三丁目",
            "2番1号",
            "グリーンハイツ101",
            "埼玉県上尾市平塚三丁目2番1号\u3000グリーンハイツ101",
        ),
        ("埼玉県上尾市平塚三丁目", "2番1号", "", "埼玉県上尾市平塚三丁目2番1号"),
        ("埼玉県上尾市平塚三丁目", "2番1号", "  ", "埼玉県上尾市平塚三丁目2番1号"),
        ("", "", "グリーンハイツ101", "グリーンハイツ101"),
        ("", "", "", ""),
    ],
)
def test_full_address(address: str, banchi: str, katagaki: str, expected: str) -> None:
    assert full_address(address, banchi, katagaki) == expected


# -- 住所 as typed in a search (issue 17) -------------------------------------------------------

READINGS = [
    ("平塚4-7-11", [("平塚", None, (4, 7, 11)), ("平塚", 4, (7, 11))]),
    ("平塚四丁目7-11", [("平塚", 4, (7, 11))]),
    ("平塚４丁目７ー１１", [("平塚", 4, (7, 11))]),
    ("平塚4丁目7番11号", [("平塚", 4, (7, 11))]),
    ("上平塚1234番地5の2", [("上平塚", None, (1234, 5, 2))]),  # a 丁目 is at most 999
    ("平塚三丁目", [("平塚", 3, ())]),
    ("平塚", []),  # no number: searched as typed
    ("五番町", []),  # 漢数字 inside a town name are no 丁目
    ("十日町", []),
    ("平塚1-2-3-4-5-6", []),  # more numbers than any 番地 has
]


@pytest.mark.parametrize(("typed", "expected"), READINGS)
def test_an_address_query_is_read_as_counters_type_it(typed: str, expected: list[tuple[object, ...]]) -> None:
    readings = read_address_query(typed)
    assert [(r.town, r.chome, r.numbers) for r in readings] == expected


def test_the_banchi_texts_a_reading_matches() -> None:
    [lot, residential] = read_address_query("平塚4-7-11")
    assert lot.banchi_texts() == (("4番地7の11",), ("4番地7の11の",))
    assert residential.place_text() == "平塚四丁目"
    assert residential.banchi_texts() == (("7番地11", "7番11号"), ("7番地11の",))
    [seven, chome] = read_address_query("平塚7")
    assert seven.banchi_texts() == ((), ("7番",)) and chome.place_text() == "平塚七丁目"
