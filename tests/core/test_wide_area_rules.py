"""広域交付 rules as data (jumin.core.wide_area): reason codes, items, fee, 認証文, request form."""

from __future__ import annotations

from typing import Any

import pytest

from jumin.core import wide_area as w

pytestmark = pytest.mark.spec("7.1.1.1", partial=True)

FACE = {"name": "上尾\u3000太郎", "address": "埼玉県上尾市本町三丁目1番1号", "birth": "昭和55年4月1日", "sex": "男"}
GOOD: dict[str, Any] = {
    "layout": "individual",
    "items": ["head_relationship"],
    "copies": 1,
    "card_face": {**FACE, "individual_number": "123456789018"},
}


def test_every_code_has_a_japanese_message() -> None:
    codes = (w.MISMATCH, w.NOT_FOUND, w.REMOVED, w.PROTECTED, w.BLOCKED, w.BAD_REQUEST, w.UNAVAILABLE)
    assert set(codes) == set(w.REASONS)
    assert all(w.REASONS[c].message.endswith("。") for c in codes)


def test_honseki_and_program_items_are_never_choosable() -> None:
    assert "honseki" not in w.CHOOSABLE_ITEMS
    assert "program_items" not in w.CHOOSABLE_ITEMS
    assert w.check_request({**GOOD, "items": ["honseki"]}) == w.BAD_REQUEST


def test_fee_and_attestation() -> None:
    assert w.fee(3) == 900
    assert w.fee(2, per_copy=350) == 700
    assert "東京都千代田区の住民票" in w.attestation("東京都千代田区", whole_household=False)
    assert "世帯全員の住民票" in w.attestation("東京都千代田区", whole_household=True)
    assert "第12条の4" in w.attestation("x", whole_household=False)


@pytest.mark.parametrize(
    ("value", "ok"), [("112194", True), ("11219", False), ("11219a", False), (112194, False), ("", False)]
)
def test_municipality_code(value: object, ok: bool) -> None:
    assert w.is_municipality_code(value) is ok


@pytest.mark.parametrize(("value", "ok"), [("131016-abc_1", True), ("-x", False), ("a" * 61, False), (1, False)])
def test_request_id(value: object, ok: bool) -> None:
    assert w.is_request_id(value) is ok


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({}, ""),
        ({"layout": "household", "items": []}, ""),
        ({"layout": "both"}, w.BAD_REQUEST),
        ({"items": "head_relationship"}, w.BAD_REQUEST),
        ({"items": [{"x": 1}]}, w.BAD_REQUEST),
        ({"copies": 0}, w.BAD_REQUEST),
        ({"copies": 11}, w.BAD_REQUEST),
        ({"copies": True}, w.BAD_REQUEST),
        ({"copies": "1"}, w.BAD_REQUEST),
        ({"card_face": "x"}, w.BAD_REQUEST),
        ({"card_face": FACE}, w.BAD_REQUEST),
    ],
)
def test_request_form(change: dict[str, Any], code: str) -> None:
    assert w.check_request({**GOOD, **change}) == code


def test_an_overlong_card_face_is_refused() -> None:
    face = {**GOOD["card_face"], "address": "あ" * (w.MAX_FACE + 1)}
    assert w.check_request({**GOOD, "card_face": face}) == w.BAD_REQUEST
