"""個別事項の記載・修正 (1.1.1; 住基法7条9号〜11号の2, 施行令12条): the planner, the history it
leaves, the outbox (no 住基ネット row: 個別事項 are not 本人確認情報), masking of the 基礎年金番号,
the entry screen and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.linkage.models import OutboxMessage
from jumin.registry import queries
from jumin.registry.models import Resident, ResidentHistory
from jumin.registry.services import MovementRejectedError, approve_movement, enter_movement
from tests.conftest import device_cookie, log_in
from tests.registry.conftest import final, move_in_data, person

pytestmark = [pytest.mark.django_db, pytest.mark.spec("1.1.1", partial=True)]

PENSION = {"insured": True, "acquired_on": "R2.4.1", "category": "1", "basic_pension_no": "1234-567890"}


def _resident(counter: User, reviewer: User) -> Resident:
    movement = final("move_in", move_in_data(person()), counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


def _issues(info: pytest.ExceptionInfo[MovementRejectedError]) -> set[str]:
    return {i.code for i in info.value.issues}


@pytest.mark.usefixtures("planned_destinations")
def test_program_items_are_recorded_ex_officio_with_history(counter: User, reviewer: User) -> None:
    resident = _resident(counter, reviewer)
    data = {
        "atena_no": resident.atena_no,
        "notifier": "保険年金課",
        "program_items": {"nhi": {"insured": True, "acquired_on": "令和6年4月1日"}, "pension": PENSION},
    }
    movement = final("program_items", data, counter, reviewer)
    assert (movement.initiation, movement.reason, movement.notifier) == ("ex_officio", "program_items", "保険年金課")
    now = Resident.objects.get(atena_no=resident.atena_no)
    assert now.program_items == {
        "nhi": {"insured": True, "acquired_on": "2024-04-01", "lost_on": ""},
        "pension": {
            "insured": True,
            "acquired_on": "2020-04-01",
            "lost_on": "",
            "basic_pension_no": "1234567890",
            "category": "1",
            "category_changed_on": "",
        },
    }
    # a later notice: 国保 lost, 選挙人名簿 registered; the pension stays as recorded
    lost = {"insured": False, "acquired_on": "2024-04-01", "lost_on": "2025-03-31"}
    final(
        "program_items",
        {"atena_no": resident.atena_no, "program_items": {"nhi": lost, "elector": {"registered": True}}},
        counter,
        reviewer,
    )
    rows = list(ResidentHistory.objects.filter(atena_no=resident.atena_no).order_by("history_no"))
    assert [r.reason for r in rows] == ["domestic_move_in", "program_items", "program_items"]
    assert rows[1].program_items["nhi"]["insured"] is True  # the earlier state stays in history
    assert rows[2].program_items["nhi"] == lost and rows[2].program_items["pension"]["category"] == "1"
    destinations = set(
        OutboxMessage.objects.filter(atena_no=resident.atena_no, history_no=3).values_list("destination", flat=True)
    )
    assert "jukinet_cs" not in destinations and {"atena", "konbini"} <= destinations


def test_refusals_have_codes_and_nothing_is_written(counter: User, reviewer: User) -> None:
    resident = _resident(counter, reviewer)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "program_items.required"),
        ({"nhi": {"insured": True}}, "program_items.acquired_required"),
        ({"pension": {"basic_pension_no": "123"}}, "program_items.bad_basic_pension_no"),
        ({"nhi": {"acquired_on": "令和6年2月30日"}}, "date.not_on_calendar"),
        ({"elector": None}, "program_items.unchanged"),
    ]
    for items, code in cases:
        with pytest.raises(MovementRejectedError) as info:
            enter_movement("program_items", {"atena_no": resident.atena_no, "program_items": items}, by=counter)
        assert _issues(info) == {code}
    assert ResidentHistory.objects.filter(atena_no=resident.atena_no).count() == 1


def test_basic_pension_number_is_masked_like_the_individual_number(counter: User, reviewer: User) -> None:
    resident = _resident(counter, reviewer)
    final("program_items", {"atena_no": resident.atena_no, "program_items": {"pension": PENSION}}, counter, reviewer)
    record = Resident.objects.get(atena_no=resident.atena_no)
    plain = queries.person_card(Principal(user=counter), record)  # 窓口入力: no 個人番号 capability
    allowed = queries.person_card(Principal(user=reviewer), record)  # holds 個人番号利用事務
    (line,) = plain.values["program_items"]
    assert line["basic_pension_no"] == queries.MASK and "basic_pension_no" in plain.masked
    assert allowed.values["program_items"][0]["basic_pension_no"] == "1234567890"
    assert "第1号被保険者" in line["text"] and "令和2年4月1日" in line["text"]


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def test_entry_screen_keeps_a_number_the_operator_cannot_see(counter: User, reviewer: User, terminal: Terminal) -> None:
    resident = _resident(counter, reviewer)
    final("program_items", {"atena_no": resident.atena_no, "program_items": {"pension": PENSION}}, counter, reviewer)
    client = _client(counter, terminal)
    assert (
        "<kbd>Alt+V</kbd> 個別事項の記載・修正" in client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    )
    url = "/registry/movements/new/program_items/"
    form = client.get(url, {"person": resident.atena_no}).content.decode()
    assert "1234567890" not in form and "基礎年金番号" not in form  # not shown, not enterable
    assert 'value="令和2年4月1日"' in form  # the recorded 取得日 in 和暦
    post = {
        "person": resident.atena_no,
        "notifier": "保険年金課",
        "pension_insured": "yes",
        "pension_acquired_on": "令和2年4月1日",
        "pension_category": "3",
        "pension_category_changed_on": "R7.4.1",
        "child_allowance_start_month": "2024-04",
    }
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()
    approve_movement(_latest(), by=reviewer)
    items = Resident.objects.get(atena_no=resident.atena_no).program_items
    assert items["pension"]["basic_pension_no"] == "1234567890"  # kept
    assert items["pension"]["category"] == "3" and items["pension"]["category_changed_on"] == "2025-04-01"
    assert items["child_allowance"] == {"start_month": "2024-04", "end_month": ""}
    bad = client.post(url, {**post, "child_allowance_end_month": "2023-01"})
    assert bad.status_code == 400 and "受給終了年月が受給開始年月より前です" in bad.content.decode()


def _latest() -> Any:
    from jumin.registry.models import Movement

    return Movement.objects.filter(kind="program_items", state=Movement.State.PROVISIONAL).latest("id")


def test_program_items_through_the_api(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    resident = _resident(counter, reviewer)
    entry, review = _client(counter, terminal), _client(reviewer, other_terminal)
    body = {
        "kind": "program_items",
        "data": {"atena_no": resident.atena_no, "program_items": {"elector": {"registered": True}}},
    }
    created = entry.post("/api/v1/movements", body, content_type="application/json")
    assert created.status_code in (200, 201), created.content
    number = created.json()["movement_no"]
    assert review.post(f"/api/v1/movements/{number}/approve", content_type="application/json").status_code == 200
    shown = review.get(f"/api/v1/residents/{resident.atena_no}").json()
    assert shown["values"]["program_items"] == [{"key": "elector", "label": "選挙人名簿登録", "text": "登録あり"}]
