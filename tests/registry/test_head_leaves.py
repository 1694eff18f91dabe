"""世帯主 leaves (4.0.4): the members who stay get history rows of their own — a 職権 世帯主変更
for the one member made head, a 職権修正 of the 世帯主氏名 for two or more — never a copy of the
leaving head's 転出/死亡/転居/世帯分離, and nothing of the head's 異動 reaches 住基ネット or the
linked systems for them."""

from __future__ import annotations

from typing import Any

import pytest

from jumin.accounts.models import User
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import Resident, ResidentHistory
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

WIFE = {"given_name": "花子", "furigana_given_name": "ハナコ", "relationship": "妻", "sex": "2"}
SON = {"given_name": "一郎", "furigana_given_name": "イチロウ", "relationship": "子", "birth": "平成20年5月5日"}


def _household(counter: User, reviewer: User, *members: dict[str, Any]) -> list[str]:
    moved_in = final("move_in", move_in_data(person(), *(person(**m) for m in members)), counter, reviewer)
    return [i.atena_no for i in moved_in.items.order_by("pk")]


def _last_row(atena_no: str) -> ResidentHistory:
    return ResidentHistory.objects.filter(atena_no=atena_no).order_by("-history_no").first()  # type: ignore[return-value]


LEAVING = {
    "move_out": (
        {"effective": "R8.11.26", "destination": {"address": "大阪府大阪市北区"}},
        "domestic_move_out",
    ),
    "death": ({"effective": "R8.11.25"}, "death"),
    "relocation": (
        {"effective": "R8.11.26", "destination": {"mode": "new", "address": {"address": "埼玉県上尾市平塚"}}},
        "relocation",
    ),
    "household_split": ({"effective": "R8.11.26"}, "household_split"),
}


@pytest.mark.spec("4.0.4", "1.2.2")
@pytest.mark.parametrize("kind", sorted(LEAVING))
def test_the_member_who_stays_gets_an_ex_officio_head_change_of_her_own(
    kind: str, counter: User, reviewer: User
) -> None:
    head_no, wife_no = _household(counter, reviewer, WIFE)
    data, head_reason = LEAVING[kind]
    extra = {"relationships": {head_no: "世帯主"}} if kind in ("relocation", "household_split") else {}
    movement = final(
        kind,
        {"atena_nos": [head_no], **data, **extra},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    head_row, wife_row = _last_row(head_no), _last_row(wife_no)
    assert (head_row.reason, head_row.movement_id) == (head_reason, movement.pk)
    assert (wife_row.reason, wife_row.category, wife_row.initiation) == ("head_change", "amend", "ex_officio")
    assert wife_row.movement_id == movement.pk and wife_row.history_no == 2
    wife = Resident.objects.get(atena_no=wife_no)
    assert wife.is_head and wife.status == "current" and wife.removal_reason == ""
    kinds = set(OutboxMessage.objects.filter(atena_no=wife_no, history_no=2).values_list("kind", flat=True))
    assert kinds == {"head_change"}
    assert set(OutboxMessage.objects.filter(atena_no=head_no, history_no=2).values_list("kind", flat=True)) == {
        head_reason
    }


@pytest.mark.spec("4.0.4", "1.1.10")
def test_two_members_who_stay_without_a_head_get_an_ex_officio_correction(counter: User, reviewer: User) -> None:
    head_no, wife_no, son_no = _household(counter, reviewer, WIFE, SON)
    final(
        "move_out",
        {"atena_nos": [head_no], "effective": "R8.11.26", "destination": {"address": "大阪府大阪市北区"}},
        counter,
        reviewer,
        acknowledged=("household.headless",),
    )
    for atena_no in (wife_no, son_no):
        row = _last_row(atena_no)
        assert (row.reason, row.category, row.initiation) == ("ex_officio_correction", "amend", "ex_officio")
        assert row.head_name == "" and row.status == "current"
        kinds = set(OutboxMessage.objects.filter(atena_no=atena_no, history_no=2).values_list("kind", flat=True))
        assert kinds == {"ex_officio_correction"}


@pytest.mark.spec("4.6.0.1", "4.0.4")
def test_cancelling_the_head_s_move_out_cancels_each_row_by_its_own_category(counter: User, reviewer: User) -> None:
    head_no, wife_no = _household(counter, reviewer, WIFE)
    moved_out = final(
        "move_out",
        {"atena_nos": [head_no], "effective": "R8.11.26", "destination": {"address": "大阪府大阪市北区"}},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    final("cancellation", {"movement_no": moved_out.movement_no}, counter, reviewer)
    assert _last_row(head_no).reason == "cancel_add"  # the 消除 is undone: a 記載
    assert _last_row(wife_no).reason == "cancel_amend"
    head, wife = Resident.objects.get(atena_no=head_no), Resident.objects.get(atena_no=wife_no)
    assert head.is_head and head.status == "current" and not wife.is_head and wife.relationship == "妻"
