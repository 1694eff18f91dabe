"""Fixtures for 支援措置 and 抑止: a 支援措置責任者, a certificate clerk, a family in the register."""

from __future__ import annotations

from typing import Any

import pytest

from jumin.accounts.models import User
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.registry.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    counter,
    final,
    move_in_data,
    person,
    reviewer,
    spare_codes,
)


@pytest.fixture
def officer(db: None) -> User:
    return make_operator("shien", "支援 責任者", roles=("支援措置責任者",))


@pytest.fixture
def clerk(db: None) -> User:
    return make_operator("shomei", "証明 交付", roles=("証明書交付",))


@pytest.fixture
def family(counter: User, reviewer: User) -> dict[str, Resident]:  # noqa: F811
    """A mother and her child (to protect) and, in another household, the offender."""
    final(
        "move_in",
        move_in_data(
            person(
                surname="桶川", given_name="花子", furigana_surname="オケガワ", furigana_given_name="ハナコ", sex="2"
            ),
            person(
                surname="桶川", given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="H30.5.5"
            ),
        ),
        counter,
        reviewer,
    )
    final(
        "move_in",
        move_in_data(
            person(surname="北本", given_name="次郎", furigana_surname="キタモト", furigana_given_name="ジロウ"),
            address={"address": "埼玉県上尾市原市1番地", "postcode": "3620021"},
        ),
        counter,
        reviewer,
    )
    mother = Resident.objects.get(given_name="花子")
    child = Resident.objects.get(given_name="一郎")
    offender = Resident.objects.get(given_name="次郎")
    return {"mother": mother, "child": child, "offender": offender}


def measure_data(family: dict[str, Resident], **overrides: Any) -> Any:
    from django.utils import timezone

    from jumin.protection.services import MeasureInput, OffenderInput

    data: dict[str, Any] = {
        "kind": "dv",
        "applicant_atena_no": family["mother"].atena_no,
        "accompanying": [family["child"].atena_no],
        "start_on": timezone.localdate(),
        "reason": "配偶者暴力相談支援センターの意見あり",
        "offenders": [OffenderInput(name="北本　次郎", atena_no=family["offender"].atena_no, sex="1")],
    }
    data.update(overrides)
    return MeasureInput(**data)
