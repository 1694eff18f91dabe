"""Unique, valid numbers for the synthetic city, without remembering the ones issued.

Uniqueness comes from a keyed permutation: the n-th number issued is ``perm(n)``, and a
permutation never maps two serials to one value, so no set of issued numbers is kept
(a million residents would need one).  The permutation is a few add-rounds over the
two halves of the digit space (a Feistel-like network: each round is invertible, so the
composition is a bijection).  It only has to look random, not to be secret.

Check digits use the formulas of :mod:`jumin.core.check_digits`, computed from
precomputed per-chunk tables because the generator needs millions of them (the core
functions validate their input and cost a few microseconds each).  The tests prove
both give the same digit.
"""

from __future__ import annotations

import random
import string

from jumin.core.check_digits import RemainderOnePolicy, ResidentCodeFormula


class KeyedPermutation:
    """A seeded bijection of ``range(high * low)``: an affine step, then three add-rounds."""

    __slots__ = ("_high", "_k0", "_k1", "_k2", "_low", "_offset", "_size", "_stride")

    def __init__(self, rng: random.Random, high: int, low: int) -> None:
        self._high = high
        self._low = low
        self._size = size = high * low
        stride = rng.randrange(size // 3, size) | 1
        while stride % 5 == 0:  # coprime with the powers of ten used here
            stride += 2
        self._stride = stride
        self._offset = rng.randrange(size)
        self._k0, self._k1, self._k2 = (rng.randrange(1 << 40) | 1 for _ in range(3))

    def __call__(self, serial: int) -> int:
        high, low = self._high, self._low
        upper, lower = divmod((serial * self._stride + self._offset) % self._size, low)
        upper = (upper + (lower * self._k0 >> 20)) % high
        lower = (lower + (upper * self._k1 >> 20)) % low
        upper = (upper + (lower * self._k2 >> 20)) % high
        return upper * low + lower


def _chunk_table(weights: tuple[int, ...]) -> tuple[int, ...]:
    """Weighted digit sum mod 11 of every 4-digit chunk; ``weights`` from the right."""
    table = []
    for chunk in range(10_000):
        total, rest = 0, chunk
        for weight in weights:
            rest, digit = divmod(rest, 10)
            total += digit * weight
        table.append(total % 11)
    return tuple(table)


# M11 weights 2..7 from the rightmost digit, cycling (宛名番号, 世帯番号, 住民票コード).
_CYCLE_0 = _chunk_table((2, 3, 4, 5))
_CYCLE_1 = _chunk_table((6, 7, 2, 3))
_CYCLE_2 = _chunk_table((4, 5, 6, 7))
# 個人番号 weights from the right: 2,3,4,5,6,7 then 2,3,4,5,6.
_MY_2 = _chunk_table((4, 5, 6))


def m11_remainder(body: int) -> int:
    """Σ digit × weight (2..7 cycling from the right) mod 11 of a body < 10**12."""
    low, rest = body % 10_000, body // 10_000
    return (_CYCLE_0[low] + _CYCLE_1[rest % 10_000] + _CYCLE_2[rest // 10_000]) % 11


def individual_number_digit(body: int) -> int:
    """Check digit of an 11-digit 個人番号 body (番号法施行令 第8条)."""
    low, rest = body % 10_000, body // 10_000
    remainder = (_CYCLE_0[low] + _CYCLE_1[rest % 10_000] + _MY_2[rest // 10_000]) % 11
    return 0 if remainder <= 1 else 11 - remainder


def resident_code_digit(body: int, formula: ResidentCodeFormula) -> int:
    remainder = m11_remainder(body)
    if formula is ResidentCodeFormula.A:
        return 0 if remainder <= 1 else 11 - remainder
    return (11 - remainder) % 10


def m11_digit(body: int, policy: RemainderOnePolicy) -> int | None:
    """Check digit of a 宛名番号/世帯番号 serial; None when ``policy`` is SKIP and r = 1."""
    remainder = m11_remainder(body)
    if remainder == 0:
        return 0
    if remainder == 1:
        return 0 if policy is RemainderOnePolicy.ZERO else None
    return 11 - remainder


class SerialNumbers:
    """宛名番号 or 世帯番号: consecutive serials + M11 digit, ``width`` digits in all.

    Serials run from ``first`` up to (not including) ``limit`` (default: all that fit).
    """

    __slots__ = ("_limit", "_next", "_skip", "_width")

    def __init__(self, width: int, policy: RemainderOnePolicy, first: int = 1, limit: int | None = None) -> None:
        self._width = width
        self._limit = min(10 ** (width - 1), limit or 10**width)
        self._skip = policy is RemainderOnePolicy.SKIP
        self._next = first

    def issue(self) -> str:
        while True:
            serial = self._next
            self._next += 1
            if serial >= self._limit:
                raise OverflowError("serial numbers exhausted")
            rest = serial // 10_000
            remainder = (_CYCLE_0[serial % 10_000] + _CYCLE_1[rest % 10_000] + _CYCLE_2[rest // 10_000]) % 11
            if remainder > 1:
                return str(serial * 10 + 11 - remainder).zfill(self._width)
            if remainder == 0 or not self._skip:
                return str(serial * 10).zfill(self._width)


class RandomNumbers:
    """個人番号, 住民票コード and 在留カード番号 streams, unique by construction.

    The 住民票コード body is a keyed permutation of the person's serial; the 個人番号 body
    is an affine bijection of the 住民票コード body (J-LIS, too, derives the 個人番号 from
    the 住民票コード), so both are unique without a second permutation.
    """

    __slots__ = ("_card", "_card_serial", "_formula_a", "_resident", "_serial", "_shift", "_stride")

    def __init__(self, keys: random.Random, formula: ResidentCodeFormula, first: int = 0) -> None:
        """``keys`` seeds the permutations; ``first`` is the first person (and card) serial,
        so that streams with the same keys and disjoint serial ranges never collide."""
        self._resident = KeyedPermutation(keys, 100_000, 100_000)
        self._card = KeyedPermutation(keys, 10_000, 10_000)
        stride = keys.randrange(10**10, 10**11) | 1
        while stride % 5 == 0:
            stride += 2
        self._stride = stride
        self._shift = keys.randrange(10**11)
        self._formula_a = formula is ResidentCodeFormula.A
        self._serial = first
        self._card_serial = first

    def person(self) -> tuple[str, str]:
        """(個人番号, 住民票コード) of the next person."""
        code = self._resident(self._serial)
        self._serial += 1
        body = (code * self._stride + self._shift) % 100_000_000_000
        rest = body // 10_000
        remainder = (_CYCLE_0[body % 10_000] + _CYCLE_1[rest % 10_000] + _MY_2[rest // 10_000]) % 11
        rest = code // 10_000
        code_remainder = (_CYCLE_0[code % 10_000] + _CYCLE_1[rest % 10_000] + _CYCLE_2[rest // 10_000]) % 11
        if self._formula_a:
            code_digit = 0 if code_remainder <= 1 else 11 - code_remainder
        else:
            code_digit = (11 - code_remainder) % 10
        return (
            str(body * 10 + (0 if remainder <= 1 else 11 - remainder)).zfill(12),
            str(code * 10 + code_digit).zfill(11),
        )

    def card(self, rng: random.Random) -> str:
        """在留カード番号 / 特別永住者証明書番号: 2 letters + 8 digits + 2 letters."""
        serial = self._card_serial
        self._card_serial += 1
        letters = _LETTERS
        draw = int(rng.random() * 456_976)  # 26 ** 4
        return (
            f"{letters[draw % 26]}{letters[draw // 26 % 26]}{self._card(serial):08d}"
            f"{letters[draw // 676 % 26]}{letters[draw // 17_576]}"
        )


_LETTERS = string.ascii_uppercase
