"""改製 (spec 1.1.4, 1.1.5, 1.2.2): a manual rewrite of the 住民票 — the record as it stood
becomes a 除票 (消除「改製」) and the new record (記載「改製」) carries the current data, the
改製日 and the next 改製連番, under the same 宛名番号."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jumin.accounts.models import User
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import Household, Resident, ResidentHistory, Status
from jumin.registry.planning import KIND_LABELS, PLANNERS
from jumin.registry.services import MovementRejectedError, enter_movement, rebuild_projection
from jumin.registry.snapshots import snapshot_of
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

WIFE = person(given_name="花子", furigana_given_name="ハナコ", sex="2", relationship="妻", birth="昭和57年6月3日")


def _household(counter: User, reviewer: User) -> tuple[Resident, Resident]:
    movement = final("move_in", move_in_data(person(), WIFE), counter, reviewer)
    head, wife = (Resident.objects.get(atena_no=i.atena_no) for i in movement.items.order_by("id"))
    return head, wife


@pytest.mark.spec("1.1.4", "1.1.5", partial=True)
def test_rebuild_removes_the_old_record_and_writes_a_new_one_with_the_same_atena_number(
    counter: User, reviewer: User
) -> None:
    head, wife = _household(counter, reviewer)
    before = snapshot_of(head)
    movement = final("rebuild", {"atena_nos": [head.atena_no], "remark": "特別養子縁組による改製"}, counter, reviewer)
    assert movement.kind == "rebuild" and movement.kind_label == "改製" and movement.initiation == "ex_officio"
    removed, added = ResidentHistory.objects.filter(atena_no=head.atena_no, history_no__gt=1).order_by("history_no")
    today = timezone.localdate()
    assert (removed.history_no, removed.reason, removed.category) == (2, "rebuild_remove", "remove")
    assert removed.status == Status.REMOVED and removed.removal_reason == "改製" and removed.removed_sort == today
    assert removed.rebuild_no == 0 and removed.rebuilt_on is None  # the 原票 as it was
    assert (added.history_no, added.reason, added.category) == (3, "rebuild_add", "add")
    assert added.status == Status.CURRENT and added.rebuild_no == 1 and added.rebuilt_on == today
    assert added.remark == removed.remark == "特別養子縁組による改製"
    # the new record carries every item of the current data
    after = snapshot_of(Resident.objects.get(atena_no=head.atena_no))
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"rebuild_no", "rebuilt_on"}
    # the household and the other member are untouched
    household = Household.objects.get(household_no=head.household_no)
    assert household.head_atena_no == head.atena_no and household.is_active
    assert Resident.objects.get(atena_no=wife.atena_no).history_no == 1
    # statistics: one 消除 and one 記載 「改製」, netting to zero; both rows go out
    assert set(
        OutboxMessage.objects.filter(movement=movement, destination="jukinet_cs").values_list("history_no", flat=True)
    ) == {2, 3}
    projection = [(r.history_no, snapshot_of(r)) for r in Resident.objects.order_by("atena_no")]
    rebuild_projection()
    assert [(r.history_no, snapshot_of(r)) for r in Resident.objects.order_by("atena_no")] == projection


@pytest.mark.spec("1.1.4", partial=True)
def test_rebuild_at_any_time_counts_up_and_cannot_be_cancelled(counter: User, reviewer: User) -> None:
    head, wife = _household(counter, reviewer)
    final("rebuild", {"atena_nos": [head.atena_no, wife.atena_no]}, counter, reviewer)
    second = final("rebuild", {"atena_nos": [wife.atena_no]}, counter, reviewer)
    wife = Resident.objects.get(atena_no=wife.atena_no)
    assert (wife.history_no, wife.rebuild_no, wife.status) == (5, 2, Status.CURRENT)
    reasons = list(ResidentHistory.objects.filter(atena_no=wife.atena_no).order_by("history_no").values_list("reason"))
    assert [r for (r,) in reasons] == [
        "domestic_move_in",
        "rebuild_remove",
        "rebuild_add",
        "rebuild_remove",
        "rebuild_add",
    ]
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("cancellation", {"movement_no": second.movement_no}, by=counter)
    assert "cancel.later_movement" in {i.code for i in info.value.issues}


@pytest.mark.spec("1.1.4", partial=True)
def test_rebuild_needs_current_residents_and_a_date_not_in_the_future(counter: User, reviewer: User) -> None:
    assert PLANNERS["rebuild"] and KIND_LABELS["rebuild"] == "改製"
    head, _ = _household(counter, reviewer)
    for data, code in (
        ({"atena_nos": []}, "movement.no_person"),
        ({"atena_nos": ["9999999999"]}, "movement.not_current"),
        ({"atena_nos": [head.atena_no], "effective": "R30.1.1"}, "date.future"),
    ):
        with pytest.raises(MovementRejectedError) as info:
            enter_movement("rebuild", data, by=counter)
        assert code in {i.code for i in info.value.issues}
