"""住基ネット統一文字 conversion (spec 7.1.1.1, 30.2 文字): kept, replaced by the 代替文字, or the
marker, with the positions and the 代替文字変換結果."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.errors import DomainError
from jumin.core.unified_chars import (
    CONVERTED,
    DEFAULT_MARKER,
    NOT_NEEDED,
    RESULT_LABELS,
    UNCONVERTIBLE,
    Conversion,
    UnifiedTable,
    build_table,
    check_row,
    combined_result,
    convert,
    in_jis_x0208,
    is_selector,
    units,
)

TAKA = "\u9ad9"  # 髙 (はしごだか, IBM extension, not JIS X 0208)
SAKI = "\ufa11"  # 﨑 (たつさき, compatibility ideograph)
YOSHI = "\U00020bb7"  # 𠮷 (つちよし, JIS X 0213 plane 2)
HOKKE = "\U00029e3d"  # 𩸽 (ほっけ): no 代替文字 in the table below
IVS = "\U000e0100"  # VS17
TABLE = build_table([(TAKA, "高"), (SAKI, "崎"), (YOSHI, "吉"), ("\u3402", "")])  # 㐂 stays: a member


@pytest.mark.spec("7.1.1.1", partial=True)
def test_characters_in_the_set_are_kept_and_the_others_replaced_with_their_positions() -> None:
    assert convert("渡邊\u3000太郎", TABLE) == Conversion("渡邊\u3000太郎")  # 邊 is JIS X 0208
    result = convert(f"{YOSHI}田\u3000{TAKA}志", TABLE)
    assert (result.text, result.positions, result.gaiji_count) == ("吉田\u3000高志", (1, 4), 2)
    assert (result.result, result.positions_text, RESULT_LABELS[result.result]) == (CONVERTED, "1,4", "変換済")
    address = convert(f"埼玉県上尾市{SAKI}町1番地", TABLE)
    assert (address.text, address.positions_text) == ("埼玉県上尾市崎町1番地", "7")


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_character_without_a_substitute_becomes_the_marker() -> None:
    result = convert(f"{HOKKE}田\u3000{TAKA}", TABLE)
    assert (result.text, result.positions, result.unconvertible) == (f"{DEFAULT_MARKER}田\u3000高", (1, 4), (1,))
    assert result.result == UNCONVERTIBLE
    assert convert(HOKKE, TABLE, marker="＊").text == "＊"
    assert convert("", TABLE) == Conversion("") and Conversion("").result == NOT_NEEDED


@pytest.mark.spec("7.1.1.1", partial=True)
def test_an_ivs_sequence_is_one_character() -> None:
    assert units(f"葛{IVS}城") == [f"葛{IVS}", "城"] and units(IVS) == [IVS]
    assert is_selector("\ufe0f") and is_selector(IVS) and not is_selector("葛")
    # a selector on a character of the set: the character itself, replaced at its one position
    result = convert(f"葛{IVS}城市", TABLE)
    assert (result.text, result.positions) == ("葛城市", (1,))
    # on a member or on a mapped character
    assert convert(f"\u3402{IVS}", TABLE).text == "\u3402" and convert(f"{TAKA}{IVS}", TABLE).text == "高"
    # a row for the sequence itself wins; a stray selector or an unmapped base is the marker
    own = build_table([(f"{HOKKE}{IVS}", "魚")])
    assert convert(f"{HOKKE}{IVS}", own).text == "魚" and convert(f"{HOKKE}\ufe00", own).text == DEFAULT_MARKER
    assert convert(f"{IVS}a", TABLE).text == f"{DEFAULT_MARKER}a"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_set_is_jis_x0208_plus_the_members_of_the_table() -> None:
    assert in_jis_x0208("邊") and in_jis_x0208("A") and in_jis_x0208(DEFAULT_MARKER)
    assert not in_jis_x0208(TAKA) and not in_jis_x0208("ab") and not in_jis_x0208("")
    assert TABLE.contains("\u3402") and TABLE.contains("高") and not TABLE.contains(TAKA)
    assert convert("\u3402田", TABLE).result == NOT_NEEDED, "a member of the set is kept"
    assert UnifiedTable().contains("亀") and not UnifiedTable().contains(YOSHI)


def test_combined_result_is_the_worst() -> None:
    kept, replaced, marked = Conversion("a"), Conversion("b", (1,)), Conversion("〓", (1,), (1,))
    assert combined_result() == NOT_NEEDED and combined_result(kept, kept) == NOT_NEEDED
    assert combined_result(kept, replaced) == CONVERTED and combined_result(replaced, marked, kept) == UNCONVERTIBLE


@pytest.mark.parametrize(
    ("char", "substitute", "code"),
    [
        ("", "高", "unified.char_invalid"),
        ("高志", "", "unified.char_invalid"),
        (IVS, "", "unified.char_invalid"),
        (f"{TAKA}{IVS}{IVS}", "", "unified.char_invalid"),
        (f"{TAKA}高", "", "unified.char_invalid"),
        ("\x00", "", "unified.char_invalid"),
        (TAKA, "\x00", "unified.substitute_invalid"),
        (TAKA, "高志", "unified.substitute_invalid"),
        (TAKA, IVS, "unified.substitute_invalid"),
        (TAKA, TAKA, "unified.substitute_invalid"),
        ("高", "髙", "unified.char_in_jis"),
    ],
)
def test_bad_rows_are_refused(char: str, substitute: str, code: str) -> None:
    with pytest.raises(DomainError) as error:
        check_row(char, substitute)
    assert error.value.code == code


def test_the_table_stays_inside_the_set() -> None:
    with pytest.raises(DomainError) as outside:
        build_table([(TAKA, YOSHI)])  # 𠮷 is not in the set
    assert outside.value.code == "unified.substitute_outside"
    assert build_table([(TAKA, YOSHI), (YOSHI, "")]).substitutes == {TAKA: YOSHI}, "unless a member"
    with pytest.raises(DomainError) as twice:
        build_table([(YOSHI, ""), (TAKA, YOSHI), (YOSHI, "吉")])  # 𠮷 both a member and replaced
    assert twice.value.code == "unified.char_twice"
    assert build_table([("高", "")]).members == frozenset(), "a JIS X 0208 row adds nothing"


_TEXT = st.text(
    alphabet=st.sampled_from(["上", "尾", "\u3000", "1", "A", TAKA, SAKI, YOSHI, HOKKE, "\u3402", IVS, "\ufe00"]),
    max_size=30,
)


@given(_TEXT)
def test_the_converted_text_is_in_the_set_and_lines_up_with_the_original(text: str) -> None:
    result = convert(text, TABLE)
    assert all(TABLE.contains(unit) for unit in units(result.text)), "every character in the set"
    assert len(units(result.text)) == len(units(text)), "one character for one: positions stay valid"
    original, converted = units(text), units(result.text)
    for position, (before, after) in enumerate(zip(original, converted, strict=True), 1):
        assert (position in result.positions) == (not TABLE.contains(before)) == (before != after)
    assert set(result.unconvertible) <= set(result.positions)
    assert all(converted[p - 1] == DEFAULT_MARKER for p in result.unconvertible)
    assert list(result.positions) == sorted(set(result.positions))
    assert convert(result.text, TABLE) == Conversion(result.text), "converting again changes nothing"
    assert (result.result == NOT_NEEDED) == (result.text == text and not result.positions)
