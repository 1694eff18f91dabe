"""Fixtures of the 閲覧台帳: the 閲覧 counter clerk (証明書交付), the reviewer (審査・決裁), the
支援措置 officer, three 町字 and a small register (a protected family, two neighbours)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from jumin.accounts.models import User
from jumin.addresses.models import Town
from jumin.addresses.services import add_town
from jumin.inspection.services import InspectorInput, RequestInput
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.protection.conftest import clerk, family, officer  # noqa: F401  (fixtures)
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
def judge(db: None) -> User:
    """Reviews 閲覧申出 (審査・決裁 role) but does not receive them."""
    return make_operator("etsuran", "閲覧 審査", roles=("審査・決裁",))


@pytest.fixture
def towns(db: None) -> dict[str, Town]:
    return {
        "本町": add_town("本町", "ホンマチ", has_chome=True),
        "原市": add_town("原市", "ハライチ"),
        "原市北": add_town("原市北", "ハライチキタ"),
    }


@pytest.fixture
def neighbours(counter: User, reviewer: User, towns: dict[str, Town]) -> list[Resident]:  # noqa: F811
    """Two households in 本町 (二丁目10番 and 二丁目5番, with 住所コード) and one in 原市北."""
    for surname, given, banchi in (("伊奈", "三郎", "10番1号"), ("志木", "五郎", "5番3号")):
        final(
            "move_in",
            move_in_data(
                person(surname=surname, given_name=given, koseki_head=f"{surname}　{given}"),
                address={
                    "address": f"埼玉県上尾市本町二丁目{banchi}",
                    "postcode": "3620014",
                    "address_code": str(towns["本町"].address_code(2)),
                },
            ),
            counter,
            reviewer,
        )
    final(
        "move_in",
        move_in_data(
            person(surname="川越", given_name="四郎", koseki_head="川越　四郎"),
            address={"address": "埼玉県上尾市原市北一丁目1番地", "postcode": "3620021"},
        ),
        counter,
        reviewer,
    )
    return list(Resident.objects.filter(surname__in=("伊奈", "志木", "川越")))


def today() -> date:
    return timezone.localdate()


def request_data(towns: dict[str, Town], **overrides: Any) -> RequestInput:
    """A 11条の2 申出 by a university (学術研究) for 本町 and 原市, from today for a month."""
    data: dict[str, Any] = {
        "basis": "art11_2",
        "requester_kind": "corporation",
        "requester_name": "国立大学法人 埼玉学術大学",
        "requester_representative": "学長 大宮 一郎",
        "requester_address": "埼玉県さいたま市浦和区1番地",
        "purpose_category": "survey",
        "purpose": "高齢者の生活実態に関する学術調査の対象者の抽出（結果は学会で公表）",
        "purpose_summary": "高齢者の生活実態に関する学術調査",
        "oaza_codes": [towns["本町"].oaza_code, towns["原市"].oaza_code],
        "requested_on": today(),
        "period_start": today(),
        "period_end": today() + timedelta(days=30),
        "inspectors": [InspectorInput(name="浦和 二郎", id_document="driver_license", address="さいたま市")],
        "pledged": True,
        "handling": "施錠できる書庫で保管し、調査終了後に裁断する",
    }
    data.update(overrides)
    return RequestInput(**data)
