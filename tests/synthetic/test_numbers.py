"""The generator's fast check digits agree with jumin.core; numbers are unique by construction."""

import random

from hypothesis import given
from hypothesis import strategies as st

from jumin.core.check_digits import (
    RemainderOnePolicy,
    ResidentCodeFormula,
    individual_number_check_digit,
    is_valid_individual_number,
    m11_check_digit,
    resident_code_check_digit,
    validate_m11,
    validate_resident_code,
)
from jumin.synthetic.numbers import (
    KeyedPermutation,
    RandomNumbers,
    SerialNumbers,
    individual_number_digit,
    m11_digit,
    resident_code_digit,
)


@given(st.integers(min_value=0, max_value=10**11 - 1))
def test_individual_number_digit_matches_core(body: int) -> None:
    assert str(individual_number_digit(body)) == individual_number_check_digit(f"{body:011d}")


@given(st.integers(min_value=0, max_value=10**10 - 1), st.sampled_from(list(ResidentCodeFormula)))
def test_resident_code_digit_matches_core(body: int, formula: ResidentCodeFormula) -> None:
    assert str(resident_code_digit(body, formula)) == resident_code_check_digit(f"{body:010d}", formula)


@given(
    st.integers(min_value=0, max_value=10**12 - 1),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(list(RemainderOnePolicy)),
)
def test_m11_digit_matches_core(serial: int, width: int, policy: RemainderOnePolicy) -> None:
    body = f"{serial:0{width}d}"
    if len(body) > width:
        body = body[-width:]
    expected = m11_check_digit(body, policy)
    got = m11_digit(int(body), policy)
    assert (None if got is None else str(got)) == expected


def test_keyed_permutation_is_a_bijection() -> None:
    permutation = KeyedPermutation(random.Random(5), 100, 1000)
    values = [permutation(n) for n in range(100_000)]
    assert sorted(values) == list(range(100_000))
    assert values[:10] != list(range(10))


def test_serial_numbers_skip_policy_never_issues_remainder_one() -> None:
    numbers = SerialNumbers(6, RemainderOnePolicy.SKIP)
    issued = [numbers.issue() for _ in range(3000)]
    assert len(set(issued)) == 3000
    for value in issued:
        validate_m11(value, RemainderOnePolicy.SKIP)
    assert issued[0] == "000019"


def test_serial_numbers_stop_at_their_width() -> None:
    numbers = SerialNumbers(2, RemainderOnePolicy.ZERO, first=9)
    assert numbers.issue() == "9" + str(m11_digit(9, RemainderOnePolicy.ZERO))
    try:
        numbers.issue()
    except OverflowError:
        return
    raise AssertionError("expected OverflowError")


def test_random_numbers_are_valid_and_unique() -> None:
    numbers = RandomNumbers(random.Random(1), ResidentCodeFormula.B)
    pairs = [numbers.person() for _ in range(20_000)]
    assert len({p[0] for p in pairs}) == len({p[1] for p in pairs}) == 20_000
    for individual, resident in pairs[:2000]:
        assert is_valid_individual_number(individual)
        validate_resident_code(resident, ResidentCodeFormula.B)
    rng = random.Random(2)
    cards = [numbers.card(rng) for _ in range(5000)]
    assert len(set(cards)) == 5000
