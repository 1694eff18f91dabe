"""Check digits of the numbers the register holds.

* 個人番号 (My Number): 12 digits, 番号法施行令第8条 — computed with python-stdnum.
* 宛名番号・世帯番号: serial + one check digit, modulus 11 weights 2–7 (spec 1.1.13).
* 全国地方公共団体コード: 5 digits + check digit (JIS X 0402).
* 住民票コード: 10 random digits + check digit (施行規則第1条).  The formula of
  告示第436号 could not be verified, so it is a setting: Candidate A (the default) or B;
  see ``rules-and-vectors.md`` §2.

Validation works on the canonical form only (ASCII digits, no separators).  Turning
what a person typed into the canonical form is a separate, explicit step
(:func:`normalize_number_input`).  Error messages never echo the number.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from stdnum.jp import in_ as stdnum_individual_number

from jumin.core.errors import DomainError

_DIGITS = re.compile(r"[0-9]+")


def normalize_number_input(text: str) -> str:
    """What was typed -> canonical digits: full-width digits to ASCII, drop spaces and hyphens."""
    return re.sub(r"[\s\-‐‑–—―−ー]", "", unicodedata.normalize("NFKC", text))


def _require_digits(value: str, length: int | None, code: str, label: str) -> None:
    if not _DIGITS.fullmatch(value) or not value.isascii():
        raise DomainError(f"{code}.not_digits", f"{label}は半角数字で入力してください。")
    if length is not None and len(value) != length:
        raise DomainError(f"{code}.bad_length", f"{label}は{length}桁です。")


def _weighted_sum(body: str, weights: tuple[int, ...]) -> int:
    """Sum of digits times weights, weights applied from the rightmost digit, cycling."""
    return sum(int(digit) * weights[i % len(weights)] for i, digit in enumerate(reversed(body)))


# -- 個人番号 ---------------------------------------------------------------------------


def individual_number_check_digit(body: str) -> str:
    """Check digit of an 11-digit 個人番号 body."""
    _require_digits(body, 11, "individual_number", "個人番号の本体")
    return stdnum_individual_number.calc_check_digit(body)


def is_valid_individual_number(value: str) -> bool:
    """True for a canonical 12-digit 個人番号 whose check digit matches."""
    try:
        validate_individual_number(value)
    except DomainError:
        return False
    return True


def validate_individual_number(value: str) -> str:
    _require_digits(value, 12, "individual_number", "個人番号")
    if not stdnum_individual_number.is_valid(value):
        raise DomainError("individual_number.bad_check_digit", "個人番号の検査用数字が一致しません。")
    return value


# -- 宛名番号・世帯番号 (M11W2-7) ----------------------------------------------------------


class RemainderOnePolicy(StrEnum):
    """What M11W2-7 does when 11 − remainder would be 10 (remainder 1).

    The standard says only "remainder 0 → check digit 0" [U].  ``ZERO`` also maps
    remainder 1 to 0 (as the 個人番号 rule does); ``SKIP`` never issues such a serial.
    """

    ZERO = "zero"
    SKIP = "skip"


_M11_WEIGHTS = (2, 3, 4, 5, 6, 7)


def m11_check_digit(body: str, policy: RemainderOnePolicy = RemainderOnePolicy.ZERO) -> str | None:
    """Check digit of a 宛名番号/世帯番号 serial; None when ``policy`` is SKIP and r = 1."""
    _require_digits(body, None, "atena_no", "番号の本体")
    remainder = _weighted_sum(body, _M11_WEIGHTS) % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return "0" if policy is RemainderOnePolicy.ZERO else None
    return str(11 - remainder)


def with_m11_check_digit(serial: int, width: int, policy: RemainderOnePolicy = RemainderOnePolicy.ZERO) -> str | None:
    """Serial number -> full number (``width`` digits including the check digit)."""
    body = str(serial).zfill(width - 1)
    if len(body) != width - 1:
        raise DomainError("atena_no.overflow", "番号の桁数を超えました。")
    digit = m11_check_digit(body, policy)
    return None if digit is None else body + digit


def validate_m11(value: str, policy: RemainderOnePolicy = RemainderOnePolicy.ZERO, *, label: str = "宛名番号") -> str:
    _require_digits(value, None, "atena_no", label)
    if len(value) < 2 or m11_check_digit(value[:-1], policy) != value[-1]:
        raise DomainError("atena_no.bad_check_digit", f"{label}の検査数字が一致しません。")
    return value


# -- 全国地方公共団体コード -----------------------------------------------------------------


def lg_code_check_digit(code5: str) -> str:
    """Check digit of a 5-digit 団体コード: (11 − Σ mod 11) mod 10, weights 6..2."""
    _require_digits(code5, 5, "lg_code", "団体コード")
    remainder = _weighted_sum(code5, (2, 3, 4, 5, 6)) % 11
    return str((11 - remainder) % 10)


def lg_code_to_6(code5: str) -> str:
    """「11219」 -> 「112194」."""
    return code5 + lg_code_check_digit(code5)


def validate_lg_code(code6: str) -> str:
    _require_digits(code6, 6, "lg_code", "団体コード")
    if lg_code_check_digit(code6[:5]) != code6[5]:
        raise DomainError("lg_code.bad_check_digit", "団体コードの検査数字が一致しません。")
    return code6


# -- 住民票コード ------------------------------------------------------------------------


class ResidentCodeFormula(StrEnum):
    """Candidate formulas for the 住民票コード check digit (告示第436号 unverified)."""

    A = "A"  # 個人番号-style: 0 when r <= 1, else 11 - r
    B = "B"  # 団体コード-style: (11 - r) mod 10


def resident_code_check_digit(body: str, formula: ResidentCodeFormula = ResidentCodeFormula.A) -> str:
    _require_digits(body, 10, "resident_code", "住民票コードの本体")
    remainder = _weighted_sum(body, (2, 3, 4, 5, 6, 7)) % 11
    if formula is ResidentCodeFormula.A:
        return "0" if remainder <= 1 else str(11 - remainder)
    return str((11 - remainder) % 10)


def validate_resident_code(value: str, formula: ResidentCodeFormula = ResidentCodeFormula.A) -> str:
    _require_digits(value, 11, "resident_code", "住民票コード")
    if resident_code_check_digit(value[:10], formula) != value[10]:
        raise DomainError("resident_code.bad_check_digit", "住民票コードの検査数字が一致しません。")
    return value


def is_valid_resident_code(value: str, formula: ResidentCodeFormula = ResidentCodeFormula.A) -> bool:
    try:
        validate_resident_code(value, formula)
    except DomainError:
        return False
    return True
