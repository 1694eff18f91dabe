"""転入 variants: 再転入 (4.1.1.2), 未届転入 (4.1.1.4, 4.2.1.1) and a child whose 出生届 comes
with the 転入届 (4.1.0.1, 4.2.1.1)."""

from __future__ import annotations

from datetime import date

import pytest

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.registry.archive import archive_removed
from jumin.registry.models import Resident, ResidentHistory, Status
from jumin.registry.numbers import open_individual_number
from jumin.registry.planning import plan_move_in
from jumin.registry.queries import person_card
from jumin.registry.services import MovementRejectedError, enter_movement, rebuild_projection
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

NUMBER = "123456789018"


def _moved_away(counter: User, reviewer: User, number: str = NUMBER, **overrides: str) -> Resident:
    """A resident who moved in and out again: a 除票 in the main tables."""
    data = move_in_data(person(individual_number=number, **overrides), effective="R3.4.1", notified_on="R3.4.1")
    atena_no = final("move_in", data, counter, reviewer).items.get().atena_no
    final(
        "move_out",
        {
            "effective": "R6.3.31",
            "notified_on": "R6.3.25",
            "destination": {"address": "東京都千代田区千代田1番1号"},
            "atena_nos": [atena_no],
        },
        counter,
        reviewer,
    )
    return Resident.objects.get(atena_no=atena_no)


def _codes(plan_data: dict[str, object]) -> set[str]:
    return {issue.code for issue in plan_move_in(plan_data).issues}


@pytest.mark.spec("4.1.1.2")
def test_reentry_reuses_the_atena_number_and_imports_the_old_data(counter: User, reviewer: User) -> None:
    old = _moved_away(counter, reviewer)
    assert old.status == Status.REMOVED and old.history_no == 2
    # a new record for the same person is refused: the 個人番号 matches the 除票
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("move_in", move_in_data(person(individual_number=NUMBER)), by=counter)
    assert [i.code for i in info.value.issues] == ["move_in.reentry"]
    assert old.atena_no in info.value.issues[0].message
    assert info.value.issues[0].related_atena_no == old.atena_no, "the 除票 is named as data (issue 16)"
    # as a re-entry: only what changed is entered, the rest comes from the 除票
    entered = {"reentry_of": old.atena_no, "individual_number": NUMBER, "given_name": "太一"}
    movement = final("move_in", move_in_data(entered), counter, reviewer)
    assert [i.atena_no for i in movement.items.all()] == [old.atena_no]
    now = Resident.objects.get(atena_no=old.atena_no)
    assert now.history_no == 3 and now.status == Status.CURRENT
    assert (now.surname, now.given_name, now.furigana_surname) == ("上尾", "太一", "アゲオ")
    assert (now.birth_text, now.sex, now.honseki, now.koseki_head) == (
        old.birth_text,
        old.sex,
        old.honseki,
        old.koseki_head,
    )
    assert now.resident_code == old.resident_code
    assert open_individual_number(now.individual_number_ct, now.atena_no) == NUMBER
    assert now.became_resident_text == "令和8年11月20日" and now.previous_address == "東京都千代田区千代田1番1号"
    assert not (now.removal_reason or now.removed_text or now.destination or now.planned_move_out_on)
    row = ResidentHistory.objects.get(atena_no=old.atena_no, history_no=3)
    assert row.reason == "domestic_move_in" and row.category == "add"
    before = list(Resident.objects.values_list("atena_no", "history_no", "status", "household_no"))
    rebuild_projection()
    assert list(Resident.objects.values_list("atena_no", "history_no", "status", "household_no")) == before


@pytest.mark.spec("4.1.1.2")
def test_reentry_without_a_number_keeps_the_sealed_number_and_allows_only_that_removed_record(
    counter: User, reviewer: User
) -> None:
    old = _moved_away(counter, reviewer)
    other = _moved_away(counter, reviewer, "987654321018", surname="平方", koseki_head="平方　太郎")
    # 3情報 of another 除票 still only warn; a number of another 除票 still blocks
    assert _codes(move_in_data({"reentry_of": old.atena_no})) == set()
    assert "move_in.reentry" in _codes(move_in_data({"reentry_of": old.atena_no, "resident_code": other.resident_code}))
    assert "move_in.possible_reentry" in _codes(move_in_data({"reentry_of": old.atena_no, "surname": "平方"}))
    final("move_in", move_in_data({"reentry_of": old.atena_no}), counter, reviewer)
    now = Resident.objects.get(atena_no=old.atena_no)
    assert open_individual_number(now.individual_number_ct, now.atena_no) == NUMBER
    assert now.individual_number_lookup == old.individual_number_lookup


@pytest.mark.spec("4.1.1.2", partial=True)
def test_reentry_must_name_a_removed_record_of_the_main_tables(counter: User, reviewer: User) -> None:
    old = _moved_away(counter, reviewer)
    current = Resident.objects.get(
        atena_no=final("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), counter, reviewer)
        .items.get()
        .atena_no
    )
    assert "move_in.reentry_not_found" in _codes(move_in_data({"reentry_of": current.atena_no}))
    assert "move_in.reentry_not_found" in _codes(move_in_data({"reentry_of": "9999999999"}))
    twice = move_in_data({"reentry_of": old.atena_no}, {"reentry_of": old.atena_no, "relationship": "子"})
    assert "move_in.reentry_twice" in _codes(twice)
    archive_removed(today=date(2040, 1, 1))  # the 除票 is now in the 除票DB: a new record is made instead
    assert "move_in.reentry_not_found" in _codes(move_in_data({"reentry_of": old.atena_no}))
    assert "move_in.reentry" not in _codes(move_in_data(person(individual_number=NUMBER)))


@pytest.mark.spec("4.1.1.4", "4.2.1.1", partial=True)
def test_unreported_move_in_marks_the_previous_address_and_keeps_the_last_registered_one(
    counter: User, reviewer: User
) -> None:
    previous = {
        "address": "さいたま市浦和区高砂3丁目15番1号",
        "unreported": True,
        "last_registered": "東京都千代田区千代田1番1号",
    }
    movement = final("move_in", move_in_data(previous_address=previous), counter, reviewer)
    resident = Resident.objects.get(atena_no=movement.items.get().atena_no)
    assert resident.previous_address_unreported and resident.previous_address == previous["address"]
    assert resident.last_registered_address == "東京都千代田区千代田1番1号"
    row = ResidentHistory.objects.get(atena_no=resident.atena_no)
    assert row.remark == movement.remark == "転入前住所は未届の住所（最終登録住所地 東京都千代田区千代田1番1号）"
    card = person_card(Principal(user=counter), resident)
    assert card.values["previous_address"] == "さいたま市浦和区高砂3丁目15番1号（未届）"
    # without the 最終登録住所地 the counter is warned; a reported address keeps none
    assert "move_in.last_registered" in _codes(move_in_data(previous_address={**previous, "last_registered": ""}))
    reported = final("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), counter, reviewer)
    other = Resident.objects.get(atena_no=reported.items.get().atena_no)
    assert not other.previous_address_unreported and other.last_registered_address == "" and reported.remark == ""


@pytest.mark.spec("4.1.0.1", "4.2.1.1", partial=True)
def test_child_born_before_the_move_in_moves_in_with_the_parents(counter: User, reviewer: User) -> None:
    child = person(
        given_name="一郎",
        furigana_given_name="イチロウ",
        relationship="子",
        birth="令和8年11月1日",
        born_before_move_in=True,
    )
    movement = final("move_in", move_in_data(person(), child), counter, reviewer)
    assert movement.reason == "domestic_move_in"
    parent, baby = (Resident.objects.get(atena_no=i.atena_no) for i in movement.items.order_by("id"))
    assert parent.previous_address == "東京都千代田区千代田1番1号"
    assert baby.previous_address == "" and baby.previous_postcode == "" and not baby.previous_address_unreported
    assert baby.became_resident_text == "令和8年11月20日" and baby.household_no == parent.household_no
    assert ResidentHistory.objects.get(atena_no=baby.atena_no).reason == "domestic_move_in"
    late = move_in_data(person(), {**child, "birth": "令和8年11月21日"})  # after the 転入日: a 出生
    assert "move_in.born_after" in _codes(late)


@pytest.mark.spec("4.1.1.2", partial=True)
def test_a_person_removed_by_death_cannot_move_in_again(counter: User, reviewer: User) -> None:
    data = move_in_data(person(individual_number=NUMBER), effective="R3.4.1", notified_on="R3.4.1")
    atena_no = final("move_in", data, counter, reviewer).items.get().atena_no
    final("death", {"effective": "R6.3.31", "notified_on": "R6.4.1", "atena_nos": [atena_no]}, counter, reviewer)
    assert "move_in.reentry_dead" in _codes(move_in_data({"reentry_of": atena_no}))
