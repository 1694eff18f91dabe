"""Fixtures for the register: a counter operator, a reviewer, a stock of spare 住民票コード."""

from __future__ import annotations

from typing import Any

import pytest

from jumin.accounts.models import User
from jumin.audit.context import acting_as
from jumin.core.check_digits import resident_code_check_digit
from jumin.registry.models import Movement, SpareResidentCode
from jumin.registry.services import approve_movement, enter_movement
from tests.conftest import make_operator


@pytest.fixture
def counter(db: None) -> User:
    return make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))


@pytest.fixture
def reviewer(db: None) -> User:
    return make_operator("shinsa", "平方 一郎", roles=("審査・決裁", "個人番号利用事務"))


def fill_spare_codes(count: int = 200) -> None:
    """A stock of spare 住民票コード, as received from CS."""
    bodies = [f"{n:010d}" for n in range(4_000_000_000, 4_000_000_000 + count * 7, 7)]
    SpareResidentCode.objects.bulk_create(SpareResidentCode(code=b + resident_code_check_digit(b)) for b in bodies)


@pytest.fixture(autouse=True)
def spare_codes(db: None) -> None:
    fill_spare_codes()


@pytest.fixture(autouse=True)
def _at_the_counter() -> Any:
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        yield


def person(**overrides: Any) -> dict[str, Any]:
    data = {
        "surname": "上尾",
        "given_name": "太郎",
        "furigana_surname": "アゲオ",
        "furigana_given_name": "タロウ",
        "birth": "昭和55年4月1日",
        "sex": "1",
        "relationship": "世帯主",
        "honseki": "埼玉県上尾市本町一丁目1番地",
        "koseki_head": "上尾　太郎",
    }
    data.update(overrides)
    return data


def move_in_data(*persons: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reason": "domestic_move_in",
        "effective": "R8.11.20",
        "notified_on": "R8.11.26",
        "previous_address": {"address": "東京都千代田区千代田1番1号", "postcode": "1000001"},
        "address": {"address": "埼玉県上尾市本町三丁目1番1号", "postcode": "3620014", "katagaki": "コーポ上尾 203号室"},
        "persons": list(persons) or [person()],
    }
    data.update(overrides)
    return data


def final(
    kind: str, data: dict[str, Any], counter: User, reviewer: User, acknowledged: tuple[str, ...] = ()
) -> Movement:
    movement = enter_movement(kind, data, by=counter, acknowledged=acknowledged)
    approve_movement(movement, by=reviewer)
    movement.refresh_from_db()
    return movement
