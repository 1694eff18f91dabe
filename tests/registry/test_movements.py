"""Movements end to end at the service level: 仮登録, 本登録 by a second operator, history
rows, projection, households, outbox, cancellation (spec 4.0–4.6)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.check_digits import validate_m11
from jumin.core.errors import DomainError
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import EditLease, Household, Movement, Resident, ResidentHistory, Status
from jumin.registry.numbers import open_individual_number
from jumin.registry.services import (
    AlertsNeedConfirmationError,
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
    rebuild_projection,
)
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db


@pytest.mark.spec("4.0.8", "4.1.1.1", partial=True)
def test_move_in_is_invisible_until_a_second_operator_approves(counter: User, reviewer: User) -> None:
    data = move_in_data(
        person(),
        person(
            given_name="花子",
            furigana_given_name="ハナコ",
            sex="2",
            relationship="妻",
            birth="昭和57年6月3日",
            individual_number="123456789018",
        ),
    )
    movement = enter_movement("move_in", data, by=counter)
    assert movement.state == Movement.State.PROVISIONAL
    assert not Resident.objects.exists() and not ResidentHistory.objects.exists()
    assert EditLease.objects.filter(movement=movement).exists()
    assert "123456789018" not in str(list(movement.items.values("proposed")))  # sealed, not plain
    with pytest.raises(DomainError) as info:
        approve_movement(movement, by=counter)
    assert info.value.code == "auth.forbidden"
    rows = approve_movement(movement, by=reviewer)
    assert [r.history_no for r in rows] == [1, 1]
    head, wife = Resident.objects.order_by("atena_no")
    assert head.is_head and head.relationship == "世帯主" and wife.relationship == "妻"
    assert head.household_no == wife.household_no and wife.head_name == "上尾\u3000太郎"
    assert head.became_resident_text == head.address_set_text == "令和8年11月20日"
    assert head.previous_address == "東京都千代田区千代田1番1号"
    validate_m11(head.atena_no)
    validate_m11(head.household_no)
    assert len(head.resident_code) == 11 and head.resident_code != wife.resident_code
    assert open_individual_number(wife.individual_number_ct, wife.atena_no) == "123456789018"
    household = Household.objects.get(household_no=head.household_no)
    assert household.head_atena_no == head.atena_no and household.katagaki == "コーポ上尾 203号室"
    assert not EditLease.objects.exists()
    actions = list(OperationLog.objects.values_list("action", flat=True))
    assert actions == ["movement.provisional", "movement.final"]


@pytest.mark.spec("4.0.8", partial=True)
@pytest.mark.usefixtures("planned_destinations")
def test_outbox_rows_are_ordered_and_idempotent(counter: User, reviewer: User) -> None:
    final("move_in", move_in_data(), counter, reviewer)
    final("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), counter, reviewer)
    rows = OutboxMessage.objects.filter(destination="jukinet_cs").order_by("seq")
    assert [r.seq for r in rows] == [1, 2]
    assert len({r.idempotency_key for r in OutboxMessage.objects.all()}) == OutboxMessage.objects.count()
    assert set(OutboxMessage.objects.values_list("destination", flat=True)) >= {
        "jukinet_cs",
        "atena",
        "konbini",
        "fuhyo",
    }


def test_errors_and_alerts(counter: User) -> None:
    with pytest.raises(MovementRejectedError) as info:
        enter_movement(
            "move_in", move_in_data(person(surname="", birth="そのうち", sex="", relationship="孫")), by=counter
        )
    codes = {issue.code for issue in info.value.issues}
    assert {"person.name", "date.unparseable", "person.sex", "relationship.not_allowed"} <= codes
    assert all(issue.message for issue in info.value.issues)
    with pytest.raises(AlertsNeedConfirmationError) as alerts:
        enter_movement("move_in", move_in_data(person(relationship="同居人")), by=counter)
    assert [a.code for a in alerts.value.issues] == ["household.no_head"]
    movement = enter_movement(
        "move_in", move_in_data(person(relationship="同居人")), by=counter, acknowledged=["household.no_head"]
    )
    assert movement.state == Movement.State.PROVISIONAL


def test_future_move_in_date_is_an_error(counter: User) -> None:
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("move_in", move_in_data(effective="2099-01-01"), by=counter)
    assert "date.future" in {i.code for i in info.value.issues}


@pytest.mark.spec("4.1.1.2", partial=True)
def test_reentry_is_blocked_by_number_and_warned_by_name(counter: User, reviewer: User) -> None:
    movement = final("move_in", move_in_data(person(individual_number="123456789018")), counter, reviewer)
    atena_no = movement.items.get().atena_no
    final(
        "move_out",
        {"atena_nos": [atena_no], "effective": "R8.11.26", "destination": {"address": "東京都港区"}},
        counter,
        reviewer,
    )
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("move_in", move_in_data(person(given_name="次郎", individual_number="123456789018")), by=counter)
    assert "move_in.reentry" in {i.code for i in info.value.issues}
    with pytest.raises(AlertsNeedConfirmationError) as alerts:
        enter_movement("move_in", move_in_data(person()), by=counter)
    assert "move_in.possible_reentry" in {a.code for a in alerts.value.issues}


@pytest.mark.spec("4.1.2.1", "4.1.4.1", "4.6.0.1", "4.1.3.0.1", partial=True)
def test_the_life_of_a_household(counter: User, reviewer: User) -> None:
    """In, moved within the city, split, the move cancelled, then out — the issue's scenario."""
    data = move_in_data(
        person(), person(given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="平成20年5月5日")
    )
    moved_in = final("move_in", data, counter, reviewer)
    head_no, son_no = (i.atena_no for i in moved_in.items.order_by("atena_no"))
    household_no = Resident.objects.get(atena_no=head_no).household_no

    relocation = final(
        "relocation",
        {
            "atena_nos": [head_no, son_no],
            "effective": "R8.11.25",
            "destination": {"address": {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"}},
        },
        counter,
        reviewer,
    )
    son = Resident.objects.get(atena_no=son_no)
    assert son.address == "埼玉県上尾市原市1番地" and son.moved_from_address == "埼玉県上尾市本町三丁目1番1号"
    assert son.household_no == household_no and son.history_no == 2

    final(
        "household_split",
        {"atena_nos": [son_no], "effective": "R8.11.26", "relationships": {son_no: "世帯主"}},
        counter,
        reviewer,
    )
    son = Resident.objects.get(atena_no=son_no)
    assert son.household_no != household_no and son.is_head and son.address == "埼玉県上尾市原市1番地"
    assert Household.objects.get(household_no=son.household_no).head_atena_no == son_no

    with pytest.raises(MovementRejectedError) as info:  # the son's split came after the relocation
        enter_movement("cancellation", {"movement_no": relocation.movement_no}, by=counter)
    assert "cancel.later_movement" in {i.code for i in info.value.issues}
    final("cancellation", {"movement_no": relocation.movement_no, "atena_nos": [head_no]}, counter, reviewer)
    head = Resident.objects.get(atena_no=head_no)
    assert head.address == "埼玉県上尾市本町三丁目1番1号" and head.history_no == 3
    last = ResidentHistory.objects.get(atena_no=head_no, history_no=3)
    assert last.reason == "cancel_amend" and last.restores_history_no == 1
    assert ResidentHistory.objects.filter(atena_no=head_no).count() == 3  # nothing overwritten

    final(
        "move_out",
        {
            "atena_nos": [head_no],
            "effective": "R8.12.10",
            "notified_on": "R8.11.26",
            "destination": {"address": "東京都港区芝公園4丁目2番8号", "postcode": "1050011"},
        },
        counter,
        reviewer,
    )
    head = Resident.objects.get(atena_no=head_no)
    assert head.status == Status.REMOVED and head.planned_move_out_on.isoformat() == "2026-12-10"
    assert not Household.objects.get(household_no=household_no).is_active


@pytest.mark.spec("4.0.4", partial=True)
def test_head_leaving_one_member_makes_them_head_by_ex_officio(counter: User, reviewer: User) -> None:
    moved_in = final(
        "move_in", move_in_data(person(), person(given_name="花子", relationship="妻", sex="2")), counter, reviewer
    )
    head_no, wife_no = (i.atena_no for i in moved_in.items.order_by("atena_no"))
    data = {"atena_nos": [head_no], "effective": "R8.11.26", "destination": {"address": "大阪府大阪市北区"}}
    with pytest.raises(AlertsNeedConfirmationError) as alerts:
        enter_movement("move_out", data, by=counter)
    assert [a.code for a in alerts.value.issues] == ["household.head_by_ex_officio"]
    final("move_out", data, counter, reviewer, acknowledged=("household.head_by_ex_officio",))
    wife = Resident.objects.get(atena_no=wife_no)
    assert wife.is_head and wife.relationship == "世帯主" and wife.head_name == "上尾\u3000花子"


@pytest.mark.spec("4.1.3.0.1")
def test_a_late_move_out_notification_must_be_ex_officio(counter: User, reviewer: User) -> None:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    late = {"atena_nos": [atena_no], "effective": "R8.10.1", "notified_on": "R8.11.26", "destination": {"address": "x"}}
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("move_out", late, by=counter)
    assert "move_out.late" in {i.code for i in info.value.issues}
    assert enter_movement("move_out", {**late, "initiation": "ex_officio"}, by=counter).initiation == "ex_officio"


def test_birth_and_death(counter: User, reviewer: User) -> None:
    mother = final("move_in", move_in_data(person(given_name="花子", sex="2")), counter, reviewer).items.get()
    household_no = Resident.objects.get(atena_no=mother.atena_no).household_no
    birth = final(
        "birth",
        {
            "household_no": household_no,
            "effective": "R8.11.1",
            "person": {
                "surname": "上尾",
                "given_name": "陽向",
                "furigana_surname": "アゲオ",
                "furigana_given_name": "ヒナタ",
                "sex": "2",
                "relationship": "子",
            },
        },
        counter,
        reviewer,
    )
    child = Resident.objects.get(atena_no=birth.items.get().atena_no)
    assert child.honseki == "埼玉県上尾市本町一丁目1番地" and child.became_resident_text == "令和8年11月1日"
    assert child.birth_text == "令和8年11月1日"
    final(
        "death",
        {"atena_nos": [mother.atena_no], "effective": "令和8年11月中旬頃"},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    mother_now = Resident.objects.get(atena_no=mother.atena_no)
    assert mother_now.status == Status.REMOVED and mother_now.removed_text == "令和8年11月中旬頃"


def test_exclusive_editing(counter: User, reviewer: User) -> None:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    other = User.objects.create_user(username="other", display_name="別の 職員")
    other.groups.set(counter.groups.all())
    first = enter_movement(
        "relocation",
        {"atena_nos": [atena_no], "effective": "R8.11.26", "destination": {"address": {"address": "上尾市原市2番地"}}},
        by=counter,
    )
    # the person is in a waiting 仮登録: refused at entry, naming it (not at approval)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("death", {"atena_nos": [atena_no], "effective": "R8.11.26"}, by=other)
    assert [i.code for i in info.value.issues] == ["movement.pending_person"]
    assert first.movement_no in info.value.issues[0].message and "転居" in info.value.issues[0].message
    # a lease without a waiting movement (an edit under way) still locks the others out
    EditLease.objects.filter(movement=first).update(movement=None)
    Movement.objects.filter(pk=first.pk).update(state=Movement.State.DISCARDED)
    with pytest.raises(DomainError) as locked:
        enter_movement("death", {"atena_nos": [atena_no], "effective": "R8.11.26"}, by=other)
    assert locked.value.code == "movement.locked" and "上尾 花子" in locked.value.message
    Movement.objects.filter(pk=first.pk).update(state=Movement.State.PROVISIONAL)
    EditLease.objects.filter(movement=None).update(movement=first)
    discard_movement(first, by=counter)
    assert enter_movement("death", {"atena_nos": [atena_no], "effective": "R8.11.26"}, by=other)


def test_nobody_approves_their_own_entry(counter: User, reviewer: User) -> None:
    from tests.conftest import make_operator

    both = make_operator("kakarichou", "係長 職員", roles=("窓口入力", "審査・決裁"))
    movement = enter_movement("move_in", move_in_data(), by=both)
    with pytest.raises(DomainError) as info:
        approve_movement(movement, by=both)
    assert info.value.code == "movement.self_approval"
    assert "別の職員" in info.value.message


def test_stale_provisional_cannot_be_approved(counter: User, reviewer: User) -> None:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    stale = enter_movement(
        "relocation",
        {"atena_nos": [atena_no], "effective": "R8.11.26", "destination": {"address": {"address": "上尾市原市2番地"}}},
        by=counter,
    )
    EditLease.objects.all().delete()  # as if the lease had expired
    # A second movement on the person is refused at entry now; the check at approval stays
    # as the last guard: slip one past the entry check (as if it had been entered before it).
    Movement.objects.filter(pk=stale.pk).update(state=Movement.State.DISCARDED)
    final("death", {"atena_nos": [atena_no], "effective": "R8.11.26"}, counter, reviewer)
    Movement.objects.filter(pk=stale.pk).update(state=Movement.State.PROVISIONAL)
    with pytest.raises(DomainError) as info:
        approve_movement(stale, by=reviewer)
    assert info.value.code == "movement.stale"


def test_permissions_are_checked_by_the_services(counter: User, reviewer: User) -> None:
    with pytest.raises(DomainError):
        enter_movement("move_in", move_in_data(), by=reviewer)  # the reviewer role does not enter
    movement = enter_movement("move_in", move_in_data(), by=counter)
    outsider = User.objects.create_user(username="outsider", display_name="他 部署")
    with pytest.raises(DomainError):
        approve_movement(movement, by=outsider)
    with pytest.raises(DomainError):
        discard_movement(movement, by=outsider)
    discard_movement(movement, by=reviewer)
    with pytest.raises(DomainError):
        approve_movement(movement, by=reviewer)


@pytest.mark.spec("1.2.1")
def test_history_rows_are_append_only_and_the_projection_rebuilds(counter: User, reviewer: User) -> None:
    moved_in = final(
        "move_in", move_in_data(person(), person(given_name="花子", relationship="妻", sex="2")), counter, reviewer
    )
    atena_no = moved_in.items.order_by("atena_no").first().atena_no  # type: ignore[union-attr]
    final(
        "relocation",
        {
            "atena_nos": [atena_no],
            "effective": "R8.11.26",
            "relationships": {atena_no: "世帯主"},
            "destination": {"mode": "new", "address": {"address": "上尾市原市3番地"}},
        },
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    before = {r.atena_no: (r.history_no, r.household_no, r.address, r.is_head) for r in Resident.objects.all()}
    households = {h.household_no: (h.head_atena_no, h.is_active) for h in Household.objects.all()}
    assert rebuild_projection() == 2
    assert {r.atena_no: (r.history_no, r.household_no, r.address, r.is_head) for r in Resident.objects.all()} == before
    assert {h.household_no: (h.head_atena_no, h.is_active) for h in Household.objects.all()} == households
    from tests.audit.test_logs import purge_gate_closed

    with purge_gate_closed(), pytest.raises(DatabaseError), transaction.atomic():
        ResidentHistory.objects.update(surname="改ざん")
    assert not ResidentHistory.objects.filter(surname="改ざん").exists()


# -- regressions found by the invariant state machine (tests/registry/test_invariants.py) ------


@pytest.mark.spec("1.2.1", partial=True)
def test_rebuild_keeps_households_without_current_members(counter: User, reviewer: User) -> None:
    """A household whose members all left keeps its row and last address through a rebuild,
    also when no person's latest row names it any more."""
    moved_in = final("move_in", move_in_data(), counter, reviewer)
    atena_no = moved_in.items.get().atena_no
    old_no = Resident.objects.get(atena_no=atena_no).household_no
    final(
        "relocation",
        {
            "atena_nos": [atena_no],
            "effective": "R8.11.25",
            "relationships": {atena_no: "世帯主"},
            "destination": {"mode": "new", "address": {"address": "埼玉県上尾市原市1番地"}},
        },
        counter,
        reviewer,
    )
    gone = final("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), counter, reviewer)
    final(
        "move_out",
        {"atena_nos": [gone.items.get().atena_no], "effective": "R8.11.26", "destination": {"address": "東京都港区"}},
        counter,
        reviewer,
    )
    fields = ("household_no", "is_active", "head_atena_no", "head_name", "address", "postcode", "katagaki")
    before = sorted(Household.objects.values_list(*fields))
    assert (old_no, False, "", "", "埼玉県上尾市本町三丁目1番1号", "3620014", "コーポ上尾 203号室") in before
    rebuild_projection()
    assert sorted(Household.objects.values_list(*fields)) == before


@pytest.mark.spec("4.1.1.1", partial=True)
def test_a_head_moving_into_a_household_without_head_is_every_members_head(counter: User, reviewer: User) -> None:
    moved_in = final(
        "move_in",
        move_in_data(person(relationship="子"), person(given_name="一郎", relationship="子")),
        counter,
        reviewer,
        acknowledged=("household.no_head",),
    )
    household_no = Resident.objects.get(atena_no=moved_in.items.first().atena_no).household_no  # type: ignore[union-attr]
    joining = {"household": {"mode": "join", "household_no": household_no}}
    two_heads = move_in_data(person(given_name="花子", sex="2"), person(given_name="次郎"), **joining)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("move_in", two_heads, by=counter)
    assert "household.two_heads" in {i.code for i in info.value.issues}
    final("move_in", move_in_data(person(given_name="花子", sex="2"), **joining), counter, reviewer)
    members = Resident.objects.filter(household_no=household_no)
    assert [m.head_name for m in members] == ["上尾\u3000花子"] * 3
    assert Household.objects.get(household_no=household_no).head_name == "上尾\u3000花子"


@pytest.mark.spec("4.6.0.1", partial=True)
def test_a_cancellation_that_no_longer_fits_the_household_is_refused(counter: User, reviewer: User) -> None:
    moved_in = final(
        "move_in", move_in_data(person(), person(given_name="花子", relationship="妻", sex="2")), counter, reviewer
    )
    head_no, wife_no = (i.atena_no for i in moved_in.items.order_by("atena_no"))
    household_no = Resident.objects.get(atena_no=head_no).household_no
    with pytest.raises(MovementRejectedError) as info:  # the wife would keep the cancelled head's name
        enter_movement("cancellation", {"movement_no": moved_in.movement_no, "atena_nos": [head_no]}, by=counter)
    assert [i.code for i in info.value.issues] == ["cancel.household_changed"]
    moved_out = final(
        "move_out",
        {"atena_nos": [head_no], "effective": "R8.11.26", "destination": {"address": "東京都港区"}},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    final(  # a new member under the wife as head
        "move_in",
        move_in_data(
            person(given_name="一郎", relationship="子"), household={"mode": "join", "household_no": household_no}
        ),
        counter,
        reviewer,
    )
    with pytest.raises(MovementRejectedError) as info:  # restoring the head would give the son's record a stale head
        enter_movement("cancellation", {"movement_no": moved_out.movement_no}, by=counter)
    assert [i.code for i in info.value.issues] == ["cancel.household_changed"]
    assert Resident.objects.get(atena_no=wife_no).is_head


@pytest.mark.spec("4.0.8", "4.0.4", partial=True)
def test_a_provisional_movement_goes_stale_when_its_household_changes(counter: User, reviewer: User) -> None:
    moved_in = final("move_in", move_in_data(person(), person(given_name="一郎", relationship="子")), counter, reviewer)
    head_no, son_no = (i.atena_no for i in moved_in.items.order_by("atena_no"))
    household_no = Resident.objects.get(atena_no=head_no).household_no
    split = enter_movement(  # planned on two members: the son stays alone and becomes head
        "household_split",
        {"atena_nos": [head_no], "effective": "R8.11.26", "relationships": {head_no: "世帯主"}},
        by=counter,
        acknowledged=("household.head_by_ex_officio",),
    )
    birth = {
        "household_no": household_no,
        "effective": "R8.11.25",
        "person": {**person(given_name="陽向"), "relationship": "子"},
    }
    # meanwhile a child is born into the household: the clerk is told of the waiting 世帯分離 at entry
    with pytest.raises(AlertsNeedConfirmationError) as alerts:
        enter_movement("birth", birth, by=counter)
    assert [a.code for a in alerts.value.issues] == ["movement.pending_household"]
    assert split.movement_no in alerts.value.issues[0].message and "世帯分離" in alerts.value.issues[0].message
    final("birth", birth, counter, reviewer, acknowledged=("movement.pending_household",))  # she goes on
    history = ResidentHistory.objects.count()
    with pytest.raises(DomainError) as info:
        approve_movement(split, by=reviewer)
    assert info.value.code == "movement.stale" and "世帯" in info.value.message
    assert ResidentHistory.objects.count() == history
    assert Resident.objects.get(atena_no=son_no).head_name == "上尾\u3000太郎"
