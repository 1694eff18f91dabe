"""個人番号 in free text: found in every written form, never mistaken for other numbers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.check_digits import individual_number_check_digit
from jumin.core.free_text import contains_individual_number, individual_number_spans

VALID = "123456789018"
INVALID = "123456789019"  # the check digit does not match
FULL_WIDTH = "１２３４５６７８９０１８"


@pytest.mark.parametrize(
    "text",
    [
        VALID,
        f"備考：{VALID}です",
        FULL_WIDTH,
        "1234 5678 9018",
        "1234-5678-9018",
        "1234　5678　9018",
        "１２３４－５６７８－９０１８",
        "1234‐5678ー9018",
        "12345678 9018",
        f"番号は{VALID}",
        f"abc{VALID}xyz",
        "電話 0120-1234-5678-9018",  # a 4-4-4 run after a separator is still one
    ],
)
def test_found(text: str) -> None:
    assert contains_individual_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "備考なし",
        INVALID,
        "1234 5678 9019",
        "12345678901",  # 11 digits: 住民票コード width
        "0123456789",  # 10 digits: 宛名番号
        "090-1234-5678",
        f"1{VALID}",  # part of a longer number
        f"{VALID}3",
        f"１{VALID}",
        "1234  5678 9018",  # two separators: not the usual grouping
        "1234/5678/9018",
    ],
)
def test_not_found(text: str) -> None:
    assert not contains_individual_number(text)


def test_spans_point_at_each_number_without_returning_it() -> None:
    text = f"旧 {VALID} 新 1234-5678-9018"
    assert individual_number_spans(text) == [(2, 14), (17, 31)]
    assert [text[a:b] for a, b in individual_number_spans(text)] == [VALID, "1234-5678-9018"]


def test_overlapping_candidates_are_all_tried() -> None:
    # "9999 1234 5678 9018": the first 4-4-4 is invalid, the overlapping second one valid.
    text = "9999 1234 5678 9018"
    assert individual_number_spans(text) == [(5, 19)]


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_every_valid_number_is_found(body: str) -> None:
    number = body + individual_number_check_digit(body)
    assert contains_individual_number(f"メモ {number} 終わり")
    grouped = f"{number[:4]}-{number[4:8]}-{number[8:]}"
    assert contains_individual_number(grouped)
    wrong = body + str((int(number[-1]) + 1) % 10)
    assert not contains_individual_number(wrong)
