"""住基ネット統一文字 of what we receive (spec 7.1.1.1, 30.2 文字): a received name or address is
taken in the register's characters, and a 代替文字, the marker, a character outside the set or
代替文字 items that disagree with the text are flagged 「文字確認が必要」 with their positions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.unified_chars import (
    CHECK_LABELS,
    DEFAULT_MARKER,
    INCONSISTENT,
    MARKER,
    OUTSIDE_SET,
    SUBSTITUTED,
    ReceivedText,
    build_table,
    check_notes,
    convert,
    read_received,
)

TAKA = "\u9ad9"  # 髙: 代替文字 高
SAKI = "\ufa11"  # 﨑: 代替文字 崎
YOSHI = "\U00020bb7"  # 𠮷: 代替文字 吉
HOKKE = "\U00029e3d"  # 𩸽: no 代替文字
MEMBER = "\u3402"  # 㐂: in the set (an extension row)
IVS = "\U000e0100"
TABLE = build_table([(TAKA, "高"), (SAKI, "崎"), (YOSHI, "吉"), (MEMBER, "")])


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_text_in_the_set_is_taken_as_it_is_without_a_check() -> None:
    received = read_received("山田\u3000太郎", "山田\u3000太郎", "", TABLE)
    assert received == ReceivedText("山田\u3000太郎") and not received.needs_check
    assert read_received(f"{MEMBER}田", "", "", TABLE) == ReceivedText(f"{MEMBER}田"), "an extension member"
    assert check_notes([("氏名", received)]) == []


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_register_text_wins_and_the_substituted_positions_are_flagged() -> None:
    received = read_received(f"{YOSHI}田\u3000{TAKA}志", "吉田\u3000高志", "1,4", TABLE)
    assert received.text == f"{YOSHI}田\u3000{TAKA}志", "the sender's register characters, not the 代替文字"
    assert (received.positions, received.reasons) == ((1, 4), (SUBSTITUTED, OUTSIDE_SET))
    assert received.note("氏名") == "氏名: 1・4文字目（代替文字、統一文字にない文字）"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_only_the_unified_text_received_keeps_the_substitutes_and_flags_them() -> None:
    received = read_received("", "埼玉県上尾市崎町1番地", "7", TABLE)
    assert (received.text, received.positions, received.reasons) == ("埼玉県上尾市崎町1番地", (7,), (SUBSTITUTED,))
    assert received.note("住所") == "住所: 7文字目（代替文字）"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_marker_is_flagged_whatever_marker_the_setting_names() -> None:
    received = read_received("", f"北海道{DEFAULT_MARKER}町", "4", TABLE)
    assert (received.positions, received.reasons) == ((4,), (SUBSTITUTED, MARKER))
    other = read_received("＊田", "", "", TABLE, marker="＊")
    assert (other.positions, other.reasons) == ((1,), (MARKER,))
    assert read_received(f"{DEFAULT_MARKER}田", "", "", TABLE, marker="＊").reasons == (MARKER,)


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_character_outside_the_set_without_a_position_is_flagged() -> None:
    received = read_received(f"{HOKKE}田", "", "", TABLE)
    assert (received.text, received.positions, received.reasons) == (f"{HOKKE}田", (1,), (OUTSIDE_SET,))
    with_ivs = read_received(f"葛{IVS}城", "", "", TABLE)
    assert (with_ivs.text, with_ivs.positions) == (f"葛{IVS}城", (1,)), "an IVS sequence is one character"


@pytest.mark.spec("7.1.1.1", partial=True)
@pytest.mark.parametrize("positions", ["x", "0", "1,,2", "-1"])
def test_unreadable_positions_flag_the_item(positions: str) -> None:
    received = read_received("山田", "山田", positions, TABLE)
    assert (received.positions, received.reasons) == ((), (INCONSISTENT,))
    assert received.note("氏名") == "氏名:（代替文字の項目が不整合）"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_unified_text_of_another_length_flags_the_item() -> None:
    received = read_received("山田\u3000太郎", "山田", "", TABLE)
    assert received.reasons == (INCONSISTENT,) and received.text == "山田\u3000太郎"
    notes = check_notes([("氏名", received), ("住所", read_received("東京都", "", "", TABLE))])
    assert notes == ["氏名:（代替文字の項目が不整合）"]
    assert set(CHECK_LABELS) == {SUBSTITUTED, MARKER, OUTSIDE_SET, INCONSISTENT}


@given(st.text(alphabet=st.sampled_from(["山", "田", "\u3000", TAKA, SAKI, YOSHI, HOKKE, MEMBER]), max_size=12))
def test_what_we_send_reads_back_with_every_replaced_character_flagged(text: str) -> None:
    sent = convert(text, TABLE)
    received = read_received(text, sent.text, sent.positions_text, TABLE)
    assert received.text == text
    assert set(sent.positions) <= set(received.positions)
    assert received.needs_check == bool(sent.positions)
    assert INCONSISTENT not in received.reasons
