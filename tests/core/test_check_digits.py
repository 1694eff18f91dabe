"""Check digits: every vector of rules-and-vectors.md §1–§3, plus properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.check_digits import (
    RemainderOnePolicy,
    ResidentCodeFormula,
    individual_number_check_digit,
    is_valid_individual_number,
    is_valid_resident_code,
    lg_code_check_digit,
    lg_code_to_6,
    m11_check_digit,
    normalize_number_input,
    resident_code_check_digit,
    validate_individual_number,
    validate_lg_code,
    validate_m11,
    validate_resident_code,
    with_m11_check_digit,
)
from jumin.core.errors import DomainError

digits = st.text(alphabet="0123456789", min_size=1, max_size=20)

# -- 個人番号 (§1) -------------------------------------------------------------------------

MY_NUMBER_VALID = ["123456789018", "023456789013", "111111111118", "983205673214", "621498320257", "123456789000"]
MY_NUMBER_INVALID = [
    "123456789012",
    "123456789019",
    "983205673210",
    "621498320258",
    "12345678901",
    "6214 9832 0257",
    "12345678901X",
]


@pytest.mark.parametrize("number", MY_NUMBER_VALID)
def test_individual_number_valid_vectors(number: str) -> None:
    assert is_valid_individual_number(number)
    assert validate_individual_number(number) == number
    assert individual_number_check_digit(number[:11]) == number[11]


@pytest.mark.parametrize("number", MY_NUMBER_INVALID)
def test_individual_number_invalid_vectors(number: str) -> None:
    assert not is_valid_individual_number(number)


def test_individual_number_worked_example() -> None:
    assert individual_number_check_digit("12345678901") == "8"


def test_individual_number_error_never_echoes_the_number() -> None:
    with pytest.raises(DomainError) as info:
        validate_individual_number("123456789012")
    assert info.value.code == "individual_number.bad_check_digit"
    assert "123456789012" not in str(info.value)


def test_individual_number_rejects_full_width_digits_in_canonical_form() -> None:
    with pytest.raises(DomainError) as info:
        validate_individual_number("１２３４５６７８９０１８")
    assert info.value.code == "individual_number.not_digits"


def test_separators_are_removed_only_by_explicit_normalisation() -> None:
    assert normalize_number_input("6214 9832 0257") == "621498320257"
    assert normalize_number_input("６２１４－９８３２－０２５７") == "621498320257"
    assert is_valid_individual_number(normalize_number_input("6214-9832-0257"))


def test_known_undetected_typo_of_the_my_number_rule() -> None:
    # r = 0 and r = 1 both give 0, so this single-digit typo is not detected (§1 note).
    assert is_valid_individual_number("123456789000")
    assert is_valid_individual_number("123456789700")


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_individual_number_check_digit_completes_any_body(body: str) -> None:
    number = body + individual_number_check_digit(body)
    assert is_valid_individual_number(number)
    wrong = str((int(number[-1]) + 1) % 10)
    assert not is_valid_individual_number(number[:-1] + wrong)


# -- 宛名番号・世帯番号 (M11W2-7, spec 1.1.13) --------------------------------------------------


@pytest.mark.spec("1.1.13", partial=True)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("123456789", "2"),  # Σ = 174 (see the worked example), r = 9 -> 2
        ("000000000", "0"),  # remainder 0 -> 0
        ("000000006", "0"),  # 6·2 = 12, r = 1 -> 0 under the ZERO policy
        ("000000001", "9"),  # 2, r = 2 -> 9
    ],
)
def test_m11_vectors(body: str, expected: str) -> None:
    assert m11_check_digit(body) == expected


def test_m11_worked_example() -> None:
    # 123456789 from the right: 9·2 + 8·3 + 7·4 + 6·5 + 5·6 + 4·7 + 3·2 + 2·3 + 1·4 = 174
    # 174 mod 11 = 9 -> check digit 11 - 9 = 2
    body = "123456789"
    total = sum(int(d) * w for d, w in zip(reversed(body), (2, 3, 4, 5, 6, 7, 2, 3, 4), strict=True))
    assert total == 174
    assert m11_check_digit(body) == "2"


@pytest.mark.spec("1.1.13", partial=True)
def test_m11_remainder_one_policy() -> None:
    assert m11_check_digit("000000006", RemainderOnePolicy.ZERO) == "0"
    assert m11_check_digit("000000006", RemainderOnePolicy.SKIP) is None
    assert with_m11_check_digit(6, 10, RemainderOnePolicy.SKIP) is None
    assert with_m11_check_digit(6, 10) == "0000000060"


@pytest.mark.spec("1.1.13", partial=True)
@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_m11_serials_validate_and_catch_single_digit_errors(serial: int) -> None:
    number = with_m11_check_digit(serial, 10)
    assert number is not None and len(number) == 10
    assert validate_m11(number) == number
    # A changed check digit is always caught.
    wrong = str((int(number[-1]) + 1) % 10)
    with pytest.raises(DomainError):
        validate_m11(number[:-1] + wrong)


@given(st.integers(min_value=0, max_value=10**9 - 1), st.integers(min_value=0, max_value=8), st.integers(1, 9))
def test_m11_skip_policy_detects_every_single_digit_substitution(serial: int, position: int, delta: int) -> None:
    number = with_m11_check_digit(serial, 10, RemainderOnePolicy.SKIP)
    if number is None:
        return
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(DomainError):
        validate_m11(changed, RemainderOnePolicy.SKIP)


def test_m11_errors() -> None:
    with pytest.raises(DomainError) as info:
        validate_m11("1")
    assert info.value.code == "atena_no.bad_check_digit"
    with pytest.raises(DomainError) as info:
        validate_m11("12a4")
    assert info.value.code == "atena_no.not_digits"
    with pytest.raises(DomainError) as info:
        with_m11_check_digit(10**9, 10)
    assert info.value.code == "atena_no.overflow"


# -- 全国地方公共団体コード (§3) ---------------------------------------------------------------

LG_VALID = [
    "112194",
    "130001",
    "010006",
    "131016",
    "131024",
    "131032",
    "011002",
    "011011",
    "012050",
    "012025",
    "062014",
    "271276",
    "141003",
    "271004",
]
LG_INVALID = ["112190", "131017", "11219", "1121945", "11219A"]


@pytest.mark.parametrize("code", LG_VALID)
def test_lg_code_valid_vectors(code: str) -> None:
    assert validate_lg_code(code) == code
    assert lg_code_to_6(code[:5]) == code


@pytest.mark.parametrize("code", LG_INVALID)
def test_lg_code_invalid_vectors(code: str) -> None:
    with pytest.raises(DomainError):
        validate_lg_code(code)


def test_lg_code_ageo_and_the_two_special_remainders() -> None:
    assert lg_code_check_digit("11219") == "4"  # 上尾市
    assert lg_code_check_digit("01101") == "1"  # 札幌市中央区: r = 0 -> 1
    assert lg_code_check_digit("01205") == "0"  # 室蘭市: r = 1 -> 0


# -- 住民票コード (§2, Candidate A default, B by setting) ----------------------------------------

RC_VALID_A = ["12345678903", "00000000000", "98765432103", "55555555554", "11111111113"]
RC_INVALID_A = ["12345678901", "12345678904", "1234567890"]


@pytest.mark.parametrize("code", RC_VALID_A)
def test_resident_code_valid_vectors(code: str) -> None:
    assert is_valid_resident_code(code)
    assert validate_resident_code(code) == code


@pytest.mark.parametrize("code", RC_INVALID_A)
def test_resident_code_invalid_vectors(code: str) -> None:
    assert not is_valid_resident_code(code)


def test_resident_code_candidates_differ_only_when_remainder_is_zero() -> None:
    assert resident_code_check_digit("1234567890") == "3"
    assert resident_code_check_digit("1234567890", ResidentCodeFormula.B) == "3"
    assert resident_code_check_digit("1000000003", ResidentCodeFormula.A) == "0"
    assert resident_code_check_digit("1000000003", ResidentCodeFormula.B) == "1"
    assert is_valid_resident_code("10000000030", ResidentCodeFormula.A)
    assert is_valid_resident_code("10000000031", ResidentCodeFormula.B)
    assert not is_valid_resident_code("10000000031", ResidentCodeFormula.A)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_resident_code_formulas_agree_except_on_remainder_zero(body: str) -> None:
    a = resident_code_check_digit(body, ResidentCodeFormula.A)
    b = resident_code_check_digit(body, ResidentCodeFormula.B)
    remainder = sum(int(d) * w for d, w in zip(reversed(body), (2, 3, 4, 5, 6, 7, 2, 3, 4, 5), strict=True)) % 11
    assert (a == b) == (remainder != 0)
    assert validate_resident_code(body + a) == body + a
